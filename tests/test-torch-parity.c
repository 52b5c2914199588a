/* Forward, backward and optimizer steps against PyTorch reference tensors
 * (tests/fixtures/make_torch_fixtures.py). */
#include "test-util.h"

#include <stdlib.h>

#define REL_TOL 1e-5
#define ABS_TOL 1e-6

typedef struct {
  TsSafetensors *st;
  TsNet         *net;
  float         *x;
  guint32       *y;
  guint          batch;
} Fixture;

/* Loads x, y and the weights, and builds the 6 → 8 → 7 → 4 net. */
static Fixture
load_fixture (const char *file, TsActivation act, float slope)
{
  g_autofree char *path = fixture_path (file);
  g_autoptr(GError) error = NULL;
  TsLayerSpec hidden[2] = { { 8, act }, { 7, act } };
  g_autofree float *labels = NULL;
  Fixture f = { 0 };
  TsShape shape;

  f.st = ts_safetensors_load (path, &error);
  g_assert_no_error (error);
  f.x = fixture_tensor (f.st, "x", &shape);
  f.batch = (guint) shape.dims[0];
  labels = fixture_tensor (f.st, "y", NULL);
  f.y = g_new (guint32, f.batch);
  for (guint i = 0; i < f.batch; i++)
    f.y[i] = (guint32) labels[i];
  f.net = ts_net_new ((guint) shape.dims[1], hidden, 2, act, slope, 0.f, 4, f.batch);
  for (guint i = 0; i < f.net->tensors->len; i++)
    {
      const TsNetTensor *t = &g_array_index (f.net->tensors, TsNetTensor, i);
      g_autofree float *w = fixture_tensor (f.st, t->name, &shape);
      g_assert_cmpuint (shape.dims[0], ==, t->shape.dims[0]);
      memcpy (f.net->params + t->offset, w, sizeof (float) * ts_shape_numel (&t->shape));
    }
  return f;
}

static void
fixture_clear (Fixture *f)
{
  ts_safetensors_free (f->st);
  ts_net_free (f->net);
  g_free (f->x);
  g_free (f->y);
}

typedef struct {
  const char  *file;
  TsActivation act;
  TsLossKind   loss;
} ForwardCase;

static void
test_forward_backward (gconstpointer data)
{
  const ForwardCase *c = data;
  float slope = c->act == TS_ACT_PRELU ? 0.2f : 0.1f;
  Fixture f = load_fixture (c->file, c->act, slope);
  g_autofree float *logits = fixture_tensor (f.st, "logits", NULL);
  g_autofree float *loss = fixture_tensor (f.st, "loss", NULL);
  /* RReLU is compared at evaluation (its mean slope); its training noise is
   * checked by finite differences in test-gradients */
  gboolean training = c->act != TS_ACT_RRELU;
  const float *out;
  float got_loss;

  out = ts_net_forward (f.net, f.x, f.batch, training, ts_rng_key (1, 1));
  assert_close_array ("logits", out, logits, f.batch * 4, REL_TOL, ABS_TOL);
  got_loss = (float) ts_loss_forward_backward (c->loss, out, f.y, f.batch, 4, ts_net_dlogits (f.net), NULL);
  assert_close_array ("loss", &got_loss, loss, 1, REL_TOL, ABS_TOL);
  ts_net_backward (f.net, f.x, f.batch);
  for (guint i = 0; i < f.net->tensors->len; i++)
    {
      const TsNetTensor *t = &g_array_index (f.net->tensors, TsNetTensor, i);
      g_autofree char *name = g_strdup_printf ("grad.%s", t->name);
      g_autofree float *expected = fixture_tensor (f.st, name, NULL);
      assert_close_array (name, f.net->grads + t->offset, expected, ts_shape_numel (&t->shape), REL_TOL, ABS_TOL);
    }
  fixture_clear (&f);
}

static void
test_optimizer (gconstpointer data)
{
  TsOptimizerKind kind = GPOINTER_TO_INT (data);
  g_autofree char *file = g_strdup_printf ("torch/optim-%s.safetensors", ts_optimizer_name (kind));
  Fixture f = load_fixture (file, TS_ACT_RELU, 0.01f);
  double lr = g_ascii_strtod (ts_safetensors_metadata (f.st, "lr"), NULL);
  double momentum = g_ascii_strtod (ts_safetensors_metadata (f.st, "momentum"), NULL);
  double l2 = g_ascii_strtod (ts_safetensors_metadata (f.st, "l2"), NULL);
  int steps = atoi (ts_safetensors_metadata (f.st, "steps"));
  g_autoptr(TsOptimizer) opt = ts_optimizer_new (kind, f.net->n_params, momentum);
  g_autoptr(TsTeam) team = ts_team_new (2);
  TsStepConfig cfg = { opt, TS_LOSS_SOFTMAX, (float) lr, (float) l2, 0.f, 0.f };

  /* the fast path: the fused step the trainer runs, on two threads */
  for (int s = 0; s < steps; s++)
    ts_net_train_step (f.net, team, &cfg, f.x, f.y, f.batch, 0, NULL);
  for (guint i = 0; i < f.net->tensors->len; i++)
    {
      const TsNetTensor *t = &g_array_index (f.net->tensors, TsNetTensor, i);
      g_autofree char *name = g_strdup_printf ("after.%s", t->name);
      g_autofree float *expected = fixture_tensor (f.st, name, NULL);
      assert_close_array (name, f.net->params + t->offset, expected, ts_shape_numel (&t->shape), REL_TOL, ABS_TOL);
    }
  fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  static ForwardCase cases[TS_N_USER_ACTIVATIONS * 2];
  static char files[TS_N_USER_ACTIVATIONS * 2][64];

  g_test_init (&argc, &argv, NULL);
  for (int a = 0; a < TS_N_USER_ACTIVATIONS; a++)
    for (int l = 0; l < 2; l++)
      {
        int i = 2 * a + l;
        g_autofree char *test_path = NULL;
        g_snprintf (files[i], sizeof files[i], "torch/forward-%s-%s.safetensors", ts_activation_name (a),
                    ts_loss_name (l));
        cases[i] = (ForwardCase) { files[i], (TsActivation) a, (TsLossKind) l };
        test_path = g_strdup_printf ("/core/parity/%s/%s", ts_activation_name (a), ts_loss_name (l));
        g_test_add_data_func (test_path, &cases[i], test_forward_backward);
      }
  for (int o = TS_OPT_SGD; o <= TS_OPT_RMSPROP; o++)
    {
      g_autofree char *test_path = g_strdup_printf ("/core/parity/optim/%s", ts_optimizer_name (o));
      g_test_add_data_func (test_path, GINT_TO_POINTER (o), test_optimizer);
    }
  return g_test_run ();
}
