/* The team step (the trainer's fast path) against the plain reference
 * passes: same losses, gradients and updates on shapes that split unevenly,
 * frozen layers and per-layer rates included. */
#include "test-util.h"

#define B 37
#define IN 45

typedef struct {
  TsActivation    act;
  TsOptimizerKind kind;
  float           dropout, max_norm, l2, l1;
  gboolean        keep_gradients; /* on odd steps; momentum without L1 fuses its step */
  gboolean        frozen[2];      /* the hidden layers' "trainable": false */
  float           lr_scale[2];    /* 0: 1 */
} Case;

static void
run_case (const Case *c, guint threads)
{
  TsLayerSpec hidden[2] = { { 70, c->act, .frozen = c->frozen[0], .lr_scale = c->lr_scale[0] },
                            { 33, c->act, .frozen = c->frozen[1], .lr_scale = c->lr_scale[1] } };
  g_autoptr(TsNet) fast = ts_net_new (IN, hidden, 2, c->act, 0.1f, c->dropout, 10, B);
  g_autoptr(TsNet) ref = NULL;
  g_autoptr(TsOptimizer) fast_opt = ts_optimizer_new (c->kind, fast->n_params, 0.9);
  g_autoptr(TsOptimizer) ref_opt = ts_optimizer_new (c->kind, fast->n_params, 0.9);
  g_autoptr(TsTeam) team = ts_team_new (threads);
  g_autofree float *x = g_new (float, B * IN);
  guint32 y[B];
  /* Adam and RMSprop move every weight by ~lr whatever its gradient: at
   * the 0.05 that suits SGD they amplify the last bits in which the team's
   * sums (split by rows and columns) differ from the reference's */
  gboolean adaptive = c->kind == TS_OPT_ADAM || c->kind == TS_OPT_RMSPROP;
  TsStepConfig cfg = { fast_opt, TS_LOSS_SOFTMAX, adaptive ? 0.005f : 0.05f, c->l2, c->l1, c->max_norm };
  TsStepConfig ref_cfg = cfg;
  g_autofree float *initial = NULL;
  TsRng rng;

  ts_rng_init (&rng, 21, 1);
  ts_net_init (fast, TS_INIT_HE, 0, &rng);
  ref = ts_net_copy (fast);
  initial = g_memdup2 (fast->params, sizeof (float) * fast->n_params);
  ref_cfg.opt = ref_opt;
  for (int i = 0; i < B * IN; i++)
    x[i] = ts_rng_normal (&rng);
  for (int i = 0; i < B; i++)
    y[i] = (guint32) (i * 7 % 10);
  for (guint64 step = 0; step < 4; step++)
    {
      guint64 key = ts_rng_key (5, step);
      guint fast_correct = 0, ref_correct = 0;
      /* kept on every other step, as the trainer keeps them on measured ones */
      cfg.keep_gradients = c->keep_gradients && step % 2 == 1;
      double fast_loss = ts_net_train_step (fast, team, &cfg, x, y, B, key, &fast_correct);
      const float *logits = ts_net_forward (ref, x, B, TRUE, key);
      double ref_loss = ts_loss_forward_backward (TS_LOSS_SOFTMAX, logits, y, B, 10, ts_net_dlogits (ref), &ref_correct);
      ts_net_backward (ref, x, B);
      ts_net_update (ref, &ref_cfg);
      g_assert_cmpfloat (fabs (fast_loss - ref_loss), <=, 1e-5 * fabs (ref_loss));
      g_assert_cmpuint (fast_correct, ==, ref_correct);
      if (cfg.keep_gradients)
        assert_close_array ("grads", fast->grads, ref->grads, fast->n_params, 1e-4, 1e-6);
      assert_close_array ("params", fast->params, ref->params, fast->n_params, 1e-4, 1e-6);
    }
  /* a frozen layer's weights and biases are the initial ones, bit for bit, on both paths */
  for (guint l = 0; l < 2; l++)
    if (c->frozen[l])
      for (gsize i = 0; i < fast->n_params; i++)
        if ((i >= fast->layers[l].w && i < fast->layers[l].w + (gsize) fast->layers[l].out * fast->layers[l].in)
            || (i >= fast->layers[l].b && i < fast->layers[l].b + fast->layers[l].out)
            || (fast->layers[l].prelu != TS_NO_PARAM && i >= fast->layers[l].prelu
                && i < fast->layers[l].prelu + fast->layers[l].out))
          if (memcmp (&fast->params[i], &initial[i], sizeof (float)) != 0
              || memcmp (&ref->params[i], &initial[i], sizeof (float)) != 0)
            g_error ("frozen hidden layer %u, %u threads: parameter %zu moved (team %.9g, plain %.9g, was %.9g)", l,
                     threads, i, fast->params[i], ref->params[i], initial[i]);
  /* evaluation through the team matches the plain forward pass */
  assert_close_array ("eval logits", ts_net_forward_team (fast, team, x, B),
                      ts_net_forward (ref, x, B, FALSE, 0), B * 10, 1e-4, 1e-6);
}

static void
test_team_matches_reference (void)
{
  static const Case cases[] = {
    { TS_ACT_RELU, TS_OPT_MOMENTUM, 0, 0, 1e-3f, 0, FALSE },       /* fused momentum, with L2 */
    { TS_ACT_ELU, TS_OPT_MOMENTUM, 0.2f, 0.8f, 0, 0, FALSE },      /* fused, without L2 */
    { TS_ACT_RELU, TS_OPT_MOMENTUM, 0, 0, 1e-3f, 0, TRUE },        /* gradients kept */
    { TS_ACT_SIGMOID, TS_OPT_MOMENTUM, 0, 0, 1e-3f, 1e-4f, FALSE }, /* L1: not fused */
    { TS_ACT_PRELU, TS_OPT_ADAM, 0, 0, 1e-3f, 1e-4f, TRUE },
    { TS_ACT_RRELU, TS_OPT_NESTEROV, 0.3f, 0.8f, 1e-3f, 1e-4f, TRUE },
    { TS_ACT_TANH, TS_OPT_RMSPROP, 0.5f, 0, 1e-3f, 1e-4f, TRUE },
    { TS_ACT_LEAKY_RELU, TS_OPT_SGD, 0, 0.8f, 1e-3f, 0, FALSE },
    /* fine-tuning: the first layer frozen (fused momentum, L2, max-norm), the second at its own rate */
    { TS_ACT_RELU, TS_OPT_MOMENTUM, 0, 0.8f, 1e-3f, 0, FALSE, { TRUE, FALSE }, { 0, 0.25f } },
    { TS_ACT_PRELU, TS_OPT_ADAM, 0.2f, 0, 1e-3f, 1e-4f, TRUE, { TRUE, FALSE }, { 0, 3.f } },
    /* a frozen layer above a training one: the gradient passes through it */
    { TS_ACT_TANH, TS_OPT_NESTEROV, 0, 0, 1e-3f, 1e-4f, TRUE, { FALSE, TRUE }, { 0.5f, 0 } },
  };

  for (guint threads = 1; threads <= 3; threads++)
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      run_case (&cases[i], threads);
}

static void
test_share (void)
{
  guint lo, hi, covered = 0;

  for (guint t = 0; t < 3; t++)
    {
      ts_team_share (100, t, 3, &lo, &hi);
      g_assert_cmpuint (lo, ==, covered);
      g_assert_cmpuint (lo % 16, ==, 0);
      covered = hi;
    }
  g_assert_cmpuint (covered, ==, 100);
}

typedef struct {
  gint counter;
  gint errors;
} CountJob;

static void
count_thread (TsTeam *team, guint t, guint n, gpointer data)
{
  CountJob *job = data;
  for (int round = 1; round <= 200; round++)
    {
      g_atomic_int_inc (&job->counter);
      ts_team_barrier (team);
      if (g_atomic_int_get (&job->counter) != (gint) (round * n))
        g_atomic_int_inc (&job->errors);
      ts_team_barrier (team);
    }
}

static void
test_barrier (void)
{
  g_autoptr(TsTeam) team = ts_team_new (3);
  CountJob job = { 0, 0 };

  ts_team_run (team, count_thread, &job);
  g_assert_cmpint (job.counter, ==, 600);
  g_assert_cmpint (job.errors, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/team/matches-reference", test_team_matches_reference);
  g_test_add_func ("/core/team/share", test_share);
  g_test_add_func ("/core/team/barrier", test_barrier);
  return g_test_run ();
}
