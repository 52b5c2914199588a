/* Finite-difference checks of every analytic gradient: layers, activations
 * (PReLU's slope and RReLU's drawn slopes included), losses, regularisers
 * and dropout. */
#include "test-util.h"

#define IN 5
#define BATCH 4
#define CLASSES 3
#define EPS 1e-3
#define NOISE_KEY 0x5eed

typedef struct {
  TsActivation act;
  TsLossKind   loss;
  float        dropout;
  float        l2;
  float        l1;
  gboolean     batchnorm; /* a batchnorm after each hidden dense layer */
} Case;

static float x[BATCH * IN];
static guint32 y[BATCH];

/* The full objective: mean data loss plus the penalty. Noise (dropout,
 * rrelu) is drawn from the same counter-based stream each time: fixed. */
static double
objective (TsNet *net, const Case *c)
{
  const float *logits = ts_net_forward (net, x, BATCH, TRUE, NOISE_KEY);
  return ts_loss_forward_backward (c->loss, logits, y, BATCH, CLASSES, NULL, NULL)
         + ts_net_regularization (net, c->l2, c->l1);
}

/* Analytic gradient of the objective: backward, then the regulariser's term
 * as the optimizer adds it (one SGD step with lr 1 reveals it). */
static float *
analytic_gradient (TsNet *net, const Case *c)
{
  g_autoptr(TsOptimizer) sgd = ts_optimizer_new (TS_OPT_SGD, net->n_params, 0);
  g_autofree float *before = g_memdup2 (net->params, sizeof (float) * net->n_params);
  float *grad = g_new (float, net->n_params);
  const float *logits = ts_net_forward (net, x, BATCH, TRUE, NOISE_KEY);
  ts_loss_forward_backward (c->loss, logits, y, BATCH, CLASSES, ts_net_dlogits (net), NULL);
  ts_net_backward (net, x, BATCH);
  ts_net_update (net, &(TsStepConfig) { sgd, c->loss, 1.f, c->l2, c->l1 });
  for (gsize i = 0; i < net->n_params; i++)
    grad[i] = before[i] - net->params[i]; /* w' = w − 1·g */
  memcpy (net->params, before, sizeof (float) * net->n_params);
  return grad;
}

static void
check_case (const Case *c)
{
  TsLayerSpec bn = { 0, TS_INHERIT_ACTIVATION, TS_LAYER_BATCHNORM, TS_BN_MOMENTUM, TS_BN_EPS };
  TsLayerSpec plain[2] = { { 6, c->act }, { 5, c->act } }, normalised[4] = { { 6, c->act }, bn, { 5, c->act }, bn };
  g_autoptr(TsNet) net = ts_net_new (IN, c->batchnorm ? normalised : plain, c->batchnorm ? 4 : 2, c->act, 0.05f,
                                     c->dropout, CLASSES, BATCH);
  g_autofree float *grad = NULL;
  TsRng rng;
  guint checked = 0;
  double base;

  ts_rng_init (&rng, 7, 1);
  ts_net_init (net, TS_INIT_XAVIER, 0, &rng);
  for (gsize i = net->n_decay; i < net->n_params; i++)
    net->params[i] = 0.3f * ts_rng_normal (&rng); /* biases and slopes away from 0 */
  grad = analytic_gradient (net, c);
  base = objective (net, c);
  for (gsize i = 0; i < net->n_params; i++)
    {
      float saved = net->params[i];
      double plus, minus, numeric, err;

      if (c->l1 > 0 && i < net->n_decay && fabsf (saved) < 5 * EPS)
        continue; /* |w| has a kink at 0 that a central difference straddles */
      net->params[i] = saved + EPS;
      plus = objective (net, c);
      net->params[i] = saved - EPS;
      minus = objective (net, c);
      net->params[i] = saved;
      numeric = (plus - minus) / (2 * EPS);
      /* a ReLU-family unit crossing 0 inside ±EPS bends the objective: the
       * one-sided slopes disagree there, and the central difference is moot */
      if (fabs ((plus - base) - (base - minus)) / EPS > 0.05 * MAX (fabs (numeric), 1e-2))
        continue;
      err = fabs (numeric - grad[i]) / MAX (1e-2, fabs (numeric) + fabs (grad[i]));
      if (err > 2e-2)
        g_error ("%s/%s: parameter %zu: analytic %.6g, numeric %.6g", ts_activation_name (c->act),
                 ts_loss_name (c->loss), i, grad[i], numeric);
      checked++;
    }
  g_assert_cmpuint (checked, >=, net->n_params * 95 / 100);
}

static void
test_activation (gconstpointer data)
{
  for (int loss = TS_LOSS_SOFTMAX; loss <= TS_LOSS_SVM; loss++)
    {
      Case c = { GPOINTER_TO_INT (data), loss, 0, 0, 0 };
      check_case (&c);
    }
}

static void
test_l2 (void)
{
  Case c = { TS_ACT_TANH, TS_LOSS_SOFTMAX, 0, 0.5f, 0 };
  check_case (&c);
}

static void
test_l1 (void)
{
  Case c = { TS_ACT_TANH, TS_LOSS_SOFTMAX, 0, 0, 0.3f };
  check_case (&c);
}

static void
test_dropout (void)
{
  Case c = { TS_ACT_SIGMOID, TS_LOSS_SOFTMAX, 0.4f, 0, 0 };
  check_case (&c);
}

/* γ, β and the input gradient through the batch's statistics, with L2 on
 * the dense weights only, dropout after the normalised activation */
static void
test_batchnorm (void)
{
  Case cases[] = {
    { TS_ACT_TANH, TS_LOSS_SOFTMAX, 0, 0.5f, 0, TRUE },
    { TS_ACT_RELU, TS_LOSS_SVM, 0, 0, 0, TRUE },
    { TS_ACT_PRELU, TS_LOSS_SOFTMAX, 0, 0, 0, TRUE },
    { TS_ACT_SIGMOID, TS_LOSS_SOFTMAX, 0.4f, 0, 0, TRUE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_case (&cases[i]);
}

static void
test_prelu_slope_moves (void)
{
  /* the slope gradient is non-zero when some pre-activations are negative */
  TsLayerSpec hidden[1] = { { 6, TS_ACT_PRELU } };
  g_autoptr(TsNet) net = ts_net_new (IN, hidden, 1, TS_ACT_PRELU, 0.25f, 0, CLASSES, BATCH);
  Case c = { TS_ACT_PRELU, TS_LOSS_SOFTMAX, 0, 0, 0 };
  g_autofree float *grad = NULL;
  double norm = 0;
  TsRng rng;

  ts_rng_init (&rng, 3, 1);
  ts_net_init (net, TS_INIT_XAVIER, 0, &rng);
  grad = analytic_gradient (net, &c);
  for (guint j = 0; j < 6; j++)
    norm += fabs (grad[net->layers[0].prelu + j]);
  g_assert_cmpfloat (norm, >, 1e-4);
}

static void
test_max_norm (void)
{
  TsLayerSpec hidden[1] = { { 6, TS_ACT_RELU } };
  g_autoptr(TsNet) net = ts_net_new (IN, hidden, 1, TS_ACT_RELU, 0, 0, CLASSES, BATCH);
  TsRng rng;

  ts_rng_init (&rng, 3, 1);
  ts_net_init (net, TS_INIT_SMALL, 3.0, &rng);
  ts_net_max_norm (net, 0.5f);
  for (guint l = 0; l < net->n_layers; l++)
    for (guint r = 0; r < net->layers[l].out; r++)
      {
        double norm = 0;
        for (guint j = 0; j < net->layers[l].in; j++)
          norm += pow (net->params[net->layers[l].w + (gsize) r * net->layers[l].in + j], 2);
        g_assert_cmpfloat (sqrt (norm), <=, 0.5 + 1e-5);
      }
}

/* The forward product in both its forms — transposed below 256 samples,
 * direct from there — against a plain double loop, on a block of units */
static void
test_dense_forward_forms (void)
{
  enum { NIN = 9, NOUT = 7, LO = 2, HI = 6 };
  const int batches[] = { 5, 300 };
  TsRng rng;

  ts_rng_init (&rng, 5, 1);
  for (guint c = 0; c < G_N_ELEMENTS (batches); c++)
    {
      int B = batches[c];
      g_autofree float *xs = g_new (float, B * NIN), *z = g_new0 (float, B * NOUT);
      float w[NOUT * NIN], b[NOUT];

      for (int i = 0; i < B * NIN; i++)
        xs[i] = (float) ts_rng_normal (&rng);
      for (int i = 0; i < NOUT * NIN; i++)
        w[i] = (float) ts_rng_normal (&rng);
      for (int j = 0; j < NOUT; j++)
        b[j] = (float) j - 3.f;
      ts_dense_forward (z, xs, w, b, B, NIN, NOUT, LO, HI);
      for (int r = 0; r < B; r++)
        for (int j = 0; j < NOUT; j++)
          {
            double want = b[j];
            for (int k = 0; k < NIN; k++)
              want += (double) xs[r * NIN + k] * w[j * NIN + k];
            g_assert_cmpfloat_with_epsilon (z[r * NOUT + j], j >= LO && j < HI ? want : 0.0, 1e-4);
          }
    }
}

/* A zero weight block skips its GEMM; what comes out must be what the
 * product gives: the bias (forward), zeros (backward) — and NaN when the
 * other factor holds an Inf or NaN, as 0·Inf is. Columns [2, 4) of a
 * matrix whose other columns are not zero test the block bounds. */
static void
test_zero_weights_multiply_exactly (void)
{
  enum { B = 3, NIN = 6, NOUT = 4 };
  float w[NOUT * NIN] = { 0 }, b[NOUT] = { 1, 2, 3, 4 }, xs[B * NIN], z[B * NOUT], dz[B * NOUT], dx[B * NIN];

  for (int i = 0; i < B * NIN; i++)
    xs[i] = (float) (i % 5) - 2.f;
  for (int i = 0; i < B * NOUT; i++)
    dz[i] = 0.5f * (float) (i % 3) - 0.5f;
  ts_dense_forward (z, xs, w, b, B, NIN, NOUT, 1, 3); /* units 1 and 2 only */
  for (int r = 0; r < B; r++)
    for (int j = 1; j < 3; j++)
      g_assert_cmpfloat (z[r * NOUT + j], ==, b[j]);
  xs[4] = INFINITY;
  ts_dense_forward (z, xs, w, b, B, NIN, NOUT, 0, NOUT);
  g_assert_true (isnan (z[0]));

  for (int r = 0; r < NOUT; r++) /* non-zero outside columns [2, 4) */
    for (int j = 0; j < NIN; j++)
      w[r * NIN + j] = j >= 2 && j < 4 ? 0.f : 1.f + r + j;
  memset (dx, 0x7f, sizeof dx);
  ts_dense_backward_input (dx, dz, w, B, NIN, NOUT, 0, NIN);
  for (int r = 0; r < B; r++)
    for (int j = 0; j < NIN; j++)
      {
        double want = 0;
        for (int k = 0; k < NOUT; k++)
          want += (double) dz[r * NOUT + k] * w[k * NIN + j];
        g_assert_cmpfloat_with_epsilon (dx[r * NIN + j], want, 1e-5);
      }
  memset (dx, 0x7f, sizeof dx);
  ts_dense_backward_input (dx, dz, w, B, NIN, NOUT, 2, 4); /* the zero columns: zeros */
  for (int r = 0; r < B; r++)
    g_assert_true (dx[r * NIN + 2] == 0.f && dx[r * NIN + 3] == 0.f);
  dz[5] = NAN;
  ts_dense_backward_input (dx, dz, w, B, NIN, NOUT, 2, 4);
  g_assert_true (isnan (dx[NIN + 2]));
}

/* ---- conv nets ------------------------------------------------------------ */

typedef struct {
  const char  *name;
  TsShape      input;
  TsLayerSpec  layers[6];
  guint        n;
  TsActivation act;
  float        dropout;
  float        l2;
} CnnCase;

#define CNN_B 3
#define CONV(f_, k_, s_, p_)                                                                                      \
  { .kind = TS_LAYER_CONV, .units = (f_), .kernel = (k_), .stride = (s_), .padding = (p_),                        \
    .activation = TS_INHERIT_ACTIVATION }
#define POOL(kind_, size_, s_) { .kind = TS_LAYER_POOL, .pool = (kind_), .kernel = (size_), .stride = (s_) }
#define GAP { .kind = TS_LAYER_GLOBAL_AVG_POOL }
#define BN2D { .kind = TS_LAYER_BATCHNORM, .momentum = TS_BN_MOMENTUM, .eps = TS_BN_EPS }

static double
cnn_objective (TsNet *net, const float *xs, const guint32 *ys, double l2)
{
  const float *logits = ts_net_forward (net, xs, CNN_B, TRUE, NOISE_KEY);
  return ts_loss_forward_backward (TS_LOSS_SOFTMAX, logits, ys, CNN_B, CLASSES, NULL, NULL)
         + ts_net_regularization (net, l2, 0);
}

/* the conv and pool layers' gradients, BatchNorm2d's through the batch's
 * per-channel statistics, channel-wise PReLU slopes, against central
 * differences of the whole objective */
static void
check_cnn (const CnnCase *c)
{
  g_autoptr(TsNet) net = ts_net_new_shaped (&c->input, c->layers, c->n, c->act, 0.1f, c->dropout, CLASSES, CNN_B);
  g_autoptr(TsOptimizer) sgd = NULL;
  g_autofree float *xs = g_new (float, CNN_B * net->in_dim), *before = NULL, *grad = NULL;
  guint32 ys[CNN_B] = { 0, 2, 1 };
  guint checked = 0;
  TsRng rng;
  double base;

  ts_rng_init (&rng, 11, 1);
  ts_net_init (net, TS_INIT_XAVIER, 0, &rng);
  for (gsize i = net->n_decay; i < net->n_params; i++)
    net->params[i] += 0.3f * ts_rng_normal (&rng); /* biases, γ, β and slopes away from their init */
  for (gsize i = 0; i < (gsize) CNN_B * net->in_dim; i++)
    xs[i] = ts_rng_normal (&rng);
  /* the analytic gradient, as one SGD step of lr 1 moves the parameters */
  sgd = ts_optimizer_new (TS_OPT_SGD, net->n_params, 0);
  before = g_memdup2 (net->params, sizeof (float) * net->n_params);
  grad = g_new (float, net->n_params);
  ts_loss_forward_backward (TS_LOSS_SOFTMAX, ts_net_forward (net, xs, CNN_B, TRUE, NOISE_KEY), ys, CNN_B, CLASSES,
                            ts_net_dlogits (net), NULL);
  ts_net_backward (net, xs, CNN_B);
  ts_net_update (net, &(TsStepConfig) { sgd, TS_LOSS_SOFTMAX, 1.f, c->l2 });
  for (gsize i = 0; i < net->n_params; i++)
    grad[i] = before[i] - net->params[i];
  memcpy (net->params, before, sizeof (float) * net->n_params);
  base = cnn_objective (net, xs, ys, c->l2);
  for (gsize i = 0; i < net->n_params; i++)
    {
      float saved = net->params[i];
      double plus, minus, numeric, err;

      net->params[i] = saved + EPS;
      plus = cnn_objective (net, xs, ys, c->l2);
      net->params[i] = saved - EPS;
      minus = cnn_objective (net, xs, ys, c->l2);
      net->params[i] = saved;
      numeric = (plus - minus) / (2 * EPS);
      /* a kink inside ±EPS (ReLU crossing 0, a max changing hands) */
      if (fabs ((plus - base) - (base - minus)) / EPS > 0.05 * MAX (fabs (numeric), 1e-2))
        continue;
      err = fabs (numeric - grad[i]) / MAX (1e-2, fabs (numeric) + fabs (grad[i]));
      if (err > 2e-2)
        g_error ("%s: parameter %zu: analytic %.6g, numeric %.6g", c->name, i, grad[i], numeric);
      checked++;
    }
  g_assert_cmpuint (checked, >=, net->n_params * 90 / 100);
}

static void
test_cnn (void)
{
  static const CnnCase cases[] = {
    { "conv-max-conv-stride-gap", { 3, { 2, 6, 6 } },
      { CONV (3, 3, 1, TS_PADDING_SAME), POOL (TS_POOL_MAX, 2, 2), CONV (4, 3, 2, 1), GAP }, 4, TS_ACT_TANH, 0, 0 },
    { "conv-bn2d-avg-dense", { 3, { 2, 6, 5 } },
      { CONV (3, 3, 1, 1), BN2D, POOL (TS_POOL_AVG, 2, 2), { 5, TS_INHERIT_ACTIVATION } }, 4, TS_ACT_SIGMOID, 0,
      0.3f },
    { "conv-prelu-overlapping-max", { 3, { 1, 7, 7 } },
      { CONV (3, 3, 1, 0), POOL (TS_POOL_MAX, 3, 1), { 4, TS_INHERIT_ACTIVATION } }, 3, TS_ACT_PRELU, 0, 0 },
    { "conv-stride-dropout-bn2d-prelu", { 3, { 3, 7, 6 } },
      { CONV (4, 5, 2, 2), BN2D, CONV (2, 1, 1, 0), GAP }, 4, TS_ACT_PRELU, 0.3f, 0 },
    { "conv-elu-dropout-gap", { 3, { 2, 5, 5 } },
      { CONV (3, 3, 2, 0), CONV (3, 1, 1, 0), GAP }, 3, TS_ACT_ELU, 0.4f, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_cnn (&cases[i]);
}

int
main (int argc, char **argv)
{
  TsRng rng;

  g_test_init (&argc, &argv, NULL);
  ts_rng_init (&rng, 11, 1);
  for (int i = 0; i < BATCH * IN; i++)
    x[i] = ts_rng_normal (&rng);
  for (int i = 0; i < BATCH; i++)
    y[i] = i % CLASSES;
  for (int a = 0; a < TS_N_USER_ACTIVATIONS; a++)
    {
      g_autofree char *path = g_strdup_printf ("/core/gradients/%s", ts_activation_name (a));
      g_test_add_data_func (path, GINT_TO_POINTER (a), test_activation);
    }
  g_test_add_func ("/core/gradients/l2", test_l2);
  g_test_add_func ("/core/gradients/l1", test_l1);
  g_test_add_func ("/core/gradients/dropout", test_dropout);
  g_test_add_func ("/core/gradients/batchnorm", test_batchnorm);
  g_test_add_func ("/core/gradients/cnn", test_cnn);
  g_test_add_func ("/core/gradients/prelu-slope", test_prelu_slope_moves);
  g_test_add_func ("/core/regularization/max-norm", test_max_norm);
  g_test_add_func ("/core/dense/forward-forms", test_dense_forward_forms);
  g_test_add_func ("/core/dense/zero-weights-multiply-exactly", test_zero_weights_multiply_exactly);
  return g_test_run ();
}
