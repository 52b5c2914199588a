/* Convolutional nets: the im2col + GEMM convolution against the naive
 * reference (ts-conv-reference.c), the team step against the plain passes
 * on conv/pool/batch-norm stacks at 1–3 threads, max pooling's ties, the
 * layout's shapes and checkpoint tensors. */
#include "test-util.h"
#include "ts-conv.h"

#include <glib/gstdio.h>

typedef struct {
  guint C, H, W, F, k, stride;
  int   padding; /* or TS_PADDING_SAME */
} ConvCase;

static const ConvCase conv_cases[] = {
  { 1, 28, 28, 8, 5, 1, TS_PADDING_SAME }, /* the CNN's first layer, narrower */
  { 3, 9, 7, 5, 3, 1, TS_PADDING_SAME },
  { 3, 9, 7, 5, 3, 2, 1 },
  { 4, 11, 13, 6, 5, 2, 0 },
  { 2, 8, 8, 3, 1, 1, 0 },   /* pointwise: no unfolding */
  { 5, 7, 9, 4, 1, 2, 0 },   /* 1×1 with stride */
  { 6, 5, 5, 7, 3, 1, 0 },
  { 2, 6, 10, 3, 5, 1, 2 },
  { 3, 5, 4, 2, 3, 2, 2 },   /* padding wider than the stride's reach */
  { 16, 6, 6, 9, 5, 1, TS_PADDING_SAME },
};

static void
fill (float *v, gsize n, TsRng *rng)
{
  for (gsize i = 0; i < n; i++)
    v[i] = ts_rng_normal (rng);
}

static void
check_conv_case (const ConvCase *c, guint group)
{
  enum { B = 5 };
  guint pad = c->padding == TS_PADDING_SAME ? (c->k - 1) / 2 : (guint) c->padding;
  TsConvGeom g;
  TsRng rng;

  ts_conv_geom_init (&g, c->C, c->H, c->W, c->F, c->k, c->stride, pad);
  gsize in = (gsize) c->C * c->H * c->W, out = (gsize) c->F * g.P, wn = (gsize) c->F * g.K;
  g_autofree float *x = g_new (float, B * in), *w = g_new (float, wn), *b = g_new (float, c->F);
  g_autofree float *dz = g_new (float, B * out), *scratch = g_new (float, ts_conv_scratch_floats (&g, group));
  g_autofree float *z = g_new (float, B * out), *z_ref = g_new (float, B * out);
  g_autofree float *dx = g_new (float, B * in), *dx_ref = g_new (float, B * in);
  g_autofree float *dw = g_new (float, wn), *db = g_new (float, c->F);
  g_autofree float *dw_ref = g_new0 (float, wn), *db_ref = g_new0 (float, c->F);

  ts_rng_init (&rng, c->C * 131 + c->k * 7 + c->stride + group, 3);
  fill (x, B * in, &rng);
  fill (w, wn, &rng);
  fill (b, c->F, &rng);
  fill (dz, B * out, &rng);
  for (guint r = 0; r < B; r++)
    {
      ts_conv_reference_forward (&g, z_ref + r * out, x + r * in, w, b);
      ts_conv_reference_input_gradients (&g, dx_ref + r * in, dz + r * out, w);
      ts_conv_reference_weight_gradients (&g, dw_ref, db_ref, dz + r * out, x + r * in);
    }
  /* in two calls of samples, as two threads would take them */
  ts_conv_forward (&g, group, z, x, w, b, 0, 2, scratch);
  ts_conv_forward (&g, group, z, x, w, b, 2, B, scratch);
  ts_conv_input_gradients (&g, group, dx, dz, w, 0, 3, scratch);
  ts_conv_input_gradients (&g, group, dx, dz, w, 3, B, scratch);
  ts_conv_weight_gradients (&g, group, dw, db, dz, x, 0, B, scratch);
  assert_close_array ("z", z, z_ref, B * out, 1e-4, 1e-4);
  assert_close_array ("dx", dx, dx_ref, B * in, 1e-4, 1e-4);
  assert_close_array ("dw", dw, dw_ref, wn, 1e-4, 1e-4);
  assert_close_array ("db", db, db_ref, c->F, 1e-4, 1e-4);
}

static void
test_fast_matches_reference (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (conv_cases); i++)
    for (guint group = 1; group <= 3; group++)
      check_conv_case (&conv_cases[i], group);
}

/* ---- nets ------------------------------------------------------------------ */

#define CONV(f_, k_, s_, p_, a_)                                                                             \
  ((TsLayerSpec) { .kind = TS_LAYER_CONV, .units = (f_), .kernel = (k_), .stride = (s_), .padding = (p_),          \
                   .activation = (a_) })
#define POOL(kind_, size_, s_) ((TsLayerSpec) { .kind = TS_LAYER_POOL, .pool = (kind_), .kernel = (size_), .stride = (s_) })
#define CONV_INIT(f_, k_, s_, p_, a_)                                                                        \
  { .kind = TS_LAYER_CONV, .units = (f_), .kernel = (k_), .stride = (s_), .padding = (p_), .activation = (a_) }
#define POOL_INIT(kind_, size_, s_) { .kind = TS_LAYER_POOL, .pool = (kind_), .kernel = (size_), .stride = (s_) }
#define GAP_INIT { .kind = TS_LAYER_GLOBAL_AVG_POOL }
#define BN_INIT { .kind = TS_LAYER_BATCHNORM, .momentum = TS_BN_MOMENTUM, .eps = TS_BN_EPS }
#define BN_FROZEN_INIT { .kind = TS_LAYER_BATCHNORM, .momentum = TS_BN_MOMENTUM, .eps = TS_BN_EPS, .frozen = TRUE }
#define CONV_FROZEN_INIT(f_, k_, s_, p_, a_)                                                                 \
  { .kind = TS_LAYER_CONV, .units = (f_), .kernel = (k_), .stride = (s_), .padding = (p_), .activation = (a_),     \
    .frozen = TRUE }
#define CONV_SCALED_INIT(f_, k_, s_, p_, a_, lr_)                                                            \
  { .kind = TS_LAYER_CONV, .units = (f_), .kernel = (k_), .stride = (s_), .padding = (p_), .activation = (a_),     \
    .lr_scale = (lr_) }


typedef struct {
  const char     *name;
  TsShape         input;
  TsLayerSpec     layers[8];
  guint           n;
  TsActivation    act;
  float           dropout;
  TsOptimizerKind opt;
  float           l2, l1, max_norm;
  gboolean        keep_gradients;
} NetCase;

static const NetCase net_cases[] = {
  { "conv-pool-conv-pool-dense", { 3, { 1, 12, 12 } },
    { CONV_INIT (4, 5, 1, TS_PADDING_SAME, -1), POOL_INIT (TS_POOL_MAX, 2, 2), CONV_INIT (6, 5, 1, TS_PADDING_SAME, -1),
      POOL_INIT (TS_POOL_MAX, 2, 2), { 20, -1 } }, 5, TS_ACT_RELU, 0, TS_OPT_MOMENTUM, 1e-3f, 0, 0, FALSE },
  { "bn2d-avg-stride-gap", { 3, { 3, 11, 9 } },
    { CONV_INIT (5, 3, 1, TS_PADDING_SAME, -1), BN_INIT, POOL_INIT (TS_POOL_AVG, 2, 2), CONV_INIT (7, 3, 2, 1, -1), GAP_INIT, { 9, -1 } },
    6, TS_ACT_TANH, 0, TS_OPT_MOMENTUM, 1e-3f, 0, 0, TRUE },
  { "dropout-rrelu-overlapping-max", { 3, { 2, 10, 10 } },
    { CONV_INIT (6, 3, 1, 0, -1), POOL_INIT (TS_POOL_MAX, 3, 2), CONV_INIT (4, 1, 1, 0, -1), BN_INIT, { 12, -1 } },
    5, TS_ACT_RRELU, 0.3f, TS_OPT_NESTEROV, 1e-3f, 1e-4f, 0.8f, TRUE },
  { "prelu-channels-adam", { 3, { 2, 9, 9 } },
    { CONV_INIT (5, 3, 2, 1, -1), CONV_INIT (3, 3, 1, TS_PADDING_SAME, -1), BN_FROZEN_INIT, GAP_INIT },
    4, TS_ACT_PRELU, 0, TS_OPT_ADAM, 1e-3f, 1e-4f, 0, TRUE },
  /* the second conv (8 → 8 channels, 5×5, stride 1) runs as Winograd */
  { "winograd-conv-pool", { 3, { 2, 10, 9 } },
    { CONV_INIT (8, 3, 1, TS_PADDING_SAME, -1), CONV_INIT (8, 5, 1, TS_PADDING_SAME, -1), POOL_INIT (TS_POOL_MAX, 2, 2),
      { 12, -1 } }, 4, TS_ACT_RELU, 0, TS_OPT_MOMENTUM, 1e-3f, 0, 0, TRUE },
  { "elu-max-norm-fused", { 3, { 3, 8, 8 } },
    { CONV_INIT (4, 3, 1, TS_PADDING_SAME, -1), POOL_INIT (TS_POOL_MAX, 2, 2), { 16, -1 }, BN_INIT },
    4, TS_ACT_ELU, 0.2f, TS_OPT_MOMENTUM, 0, 0, 0.9f, FALSE },
  /* fine-tuning: a frozen conv block (conv, batch norm, pool) under a conv
   * at a quarter of the rate and a frozen dense layer above it, fused
   * momentum with L2 and max-norm (the frozen ones decay and clip not) */
  { "frozen-conv-bn-fused", { 3, { 2, 10, 10 } },
    { CONV_FROZEN_INIT (5, 3, 1, TS_PADDING_SAME, -1), BN_FROZEN_INIT, POOL_INIT (TS_POOL_MAX, 2, 2),
      CONV_SCALED_INIT (6, 3, 1, 0, -1, 0.25f), BN_INIT, { 12, -1, .frozen = TRUE }, { 8, -1, .lr_scale = 2.f } },
    7, TS_ACT_RELU, 0, TS_OPT_MOMENTUM, 1e-3f, 0, 0.7f, FALSE },
  { "frozen-conv-prelu-adam", { 3, { 1, 9, 9 } },
    { CONV_FROZEN_INIT (4, 3, 2, 1, -1), CONV_SCALED_INIT (5, 3, 1, TS_PADDING_SAME, -1, 0.5f), BN_FROZEN_INIT, GAP_INIT },
    4, TS_ACT_PRELU, 0.1f, TS_OPT_ADAM, 1e-3f, 1e-4f, 0, TRUE },
};

/* layer l's weights, biases (γ, β), PReLU slopes and running statistics
 * in `state` (ts_net_state's layout) are `initial`'s, bit for bit */
static gboolean
layer_state_unchanged (const TsNet *net, guint l, const float *state, const float *initial)
{
  const TsNetLayer *layer = &net->layers[l];
  TsShape shape;
  struct { gsize at, n; } parts[4] = {
    { layer->w, 0 }, { layer->b, layer->channels }, { layer->prelu, layer->channels },
    { layer->running, 2 * layer->channels + 1 },
  };

  ts_net_layer_weights (net, l, &shape);
  parts[0].n = ts_shape_numel (&shape);
  if (layer->running != TS_NO_PARAM)
    parts[3].at += net->n_params; /* the buffers follow the parameters */
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (parts[i].at != TS_NO_PARAM
        && memcmp (state + parts[i].at, initial + parts[i].at, sizeof (float) * parts[i].n) != 0)
      return FALSE;
  return TRUE;
}

static TsNet *
net_for (const NetCase *c, guint B)
{
  TsNet *net = ts_net_new_shaped (&c->input, c->layers, c->n, c->act, 0.1f, c->dropout, 10, B);
  g_assert_nonnull (net);
  return net;
}

static void
run_team_case (const NetCase *c, guint threads)
{
  enum { B = 13 };
  g_autoptr(TsNet) fast = net_for (c, B);
  g_autoptr(TsNet) ref = NULL;
  g_autoptr(TsOptimizer) fast_opt = ts_optimizer_new (c->opt, fast->n_params, 0.9);
  g_autoptr(TsOptimizer) ref_opt = ts_optimizer_new (c->opt, fast->n_params, 0.9);
  g_autoptr(TsTeam) team = ts_team_new (threads);
  g_autofree float *x = g_new (float, B * fast->in_dim);
  guint32 y[B];
  gboolean adaptive = c->opt == TS_OPT_ADAM || c->opt == TS_OPT_RMSPROP;
  TsStepConfig cfg = { fast_opt, TS_LOSS_SOFTMAX, adaptive ? 0.005f : 0.05f, c->l2, c->l1, c->max_norm };
  TsStepConfig ref_cfg = cfg;
  g_autofree float *initial = NULL;
  TsRng rng;

  ts_rng_init (&rng, 33, 1);
  ts_net_init (fast, TS_INIT_HE, 0, &rng);
  /* batch norms with statistics of their own, so a frozen one's would show a move */
  for (guint l = 0; l < fast->n_layers; l++)
    if (fast->layers[l].running != TS_NO_PARAM)
      for (guint j = 0; j < 2 * fast->layers[l].channels; j++)
        fast->buffers[fast->layers[l].running + j] = 0.5f + 0.25f * (float) (j % 3);
  ref = ts_net_copy (fast);
  ref_cfg.opt = ref_opt;
  initial = g_memdup2 (ts_net_state (fast), sizeof (float) * ts_net_state_size (fast));
  fill (x, (gsize) B * fast->in_dim, &rng);
  for (int i = 0; i < B; i++)
    y[i] = (guint32) (i * 7 % 10);
  for (guint64 step = 0; step < 4; step++)
    {
      guint64 key = ts_rng_key (9, step);
      guint fast_correct = 0, ref_correct = 0;
      cfg.keep_gradients = c->keep_gradients && step % 2 == 1;
      double fast_loss = ts_net_train_step (fast, team, &cfg, x, y, B, key, &fast_correct);
      const float *logits = ts_net_forward (ref, x, B, TRUE, key);
      double ref_loss = ts_loss_forward_backward (TS_LOSS_SOFTMAX, logits, y, B, 10, ts_net_dlogits (ref),
                                                  &ref_correct);
      ts_net_backward (ref, x, B);
      ts_net_update (ref, &ref_cfg);
      if (!(fabs (fast_loss - ref_loss) <= 1e-5 * fabs (ref_loss)))
        g_error ("%s, %u threads, step %" G_GUINT64_FORMAT ": loss %.9g, reference %.9g", c->name, threads, step,
                 fast_loss, ref_loss);
      g_assert_cmpuint (fast_correct, ==, ref_correct);
      if (cfg.keep_gradients)
        assert_close_array ("grads", fast->grads, ref->grads, fast->n_params, 1e-4, 1e-5);
      if (g_test_verbose ())
        g_printerr ("%s, %u threads, step %u\n", c->name, threads, (guint) step);
      assert_close_array ("params", fast->params, ref->params, fast->n_params, 1e-4, 1e-6);
      assert_close_array ("buffers", fast->buffers, ref->buffers, fast->n_buffers, 1e-4, 1e-6);
    }
  /* frozen conv, batch-norm and dense layers: weights, biases, γ, β,
   * slopes and running statistics bit for bit as they were, on both paths */
  for (guint l = 0; l < fast->n_layers; l++)
    if (fast->layers[l].frozen
        && !(layer_state_unchanged (fast, l, ts_net_state (fast), initial)
             && layer_state_unchanged (ref, l, ts_net_state (ref), initial)))
      g_error ("%s, %u threads: frozen layer %u (%s) moved: team %s, plain %s", c->name, threads, l,
               fast->layers[l].ops->name, layer_state_unchanged (fast, l, ts_net_state (fast), initial) ? "no" : "yes",
               layer_state_unchanged (ref, l, ts_net_state (ref), initial) ? "no" : "yes");
  assert_close_array ("eval logits", ts_net_forward_team (fast, team, x, B), ts_net_forward (ref, x, B, FALSE, 0),
                      B * 10, 1e-4, 1e-5);
}

static void
test_team_matches_reference (void)
{
  for (guint threads = 1; threads <= 3; threads++)
    for (guint i = 0; i < G_N_ELEMENTS (net_cases); i++)
      run_team_case (&net_cases[i], threads);
}

/* The gradient a max POOL (after an identity 1×1 conv, so it has an input
 * gradient to write) sends back for d = 1 at every output */
static void
max_pool_gradient (const TsLayerSpec *pool_spec, const float *x, float *dx)
{
  TsShape input = { 3, { 1, 4, 4 } };
  TsLayerSpec two[] = { CONV (1, 1, 1, 0, TS_ACT_IDENTITY), *pool_spec };
  g_autoptr(TsNet) net = ts_net_new_shaped (&input, two, 2, TS_ACT_RELU, 0, 0, 2, 1);
  TsBlock rows = { 0, 1, 0, 16 };

  net->params[net->layers[0].w] = 1.f; /* z = x */
  ts_net_forward (net, x, 1, TRUE, 0);
  for (guint i = 0; i < net->layers[1].out; i++)
    net->d[1][i] = 1.f;
  net->layers[1].ops->input_gradients (net, 1, 1, &rows);
  memcpy (dx, net->d[0], sizeof (float) * 16);
}

/* MaxPool2d sends a tied window's gradient to its first maximum in
 * row-major order, and overlapping windows add up */
static void
test_max_pool_ties (void)
{
  const float x[16] = { 1, 1, 2, 0,
                        1, 1, 2, 2,
                        0, 3, 5, 4,
                        3, 3, 5, 5 };
  /* window maxima: 1 first at (0,0); 2 at (0,2); 3 at (2,1); 5 at (2,2) */
  const float expected[16] = { 1, 0, 1, 0,
                               0, 0, 0, 0,
                               0, 1, 1, 0,
                               0, 0, 0, 0 };
  /* 3×3 windows of stride 1: all four tie at 9 and take (1,1) */
  const float y[16] = { 0, 0, 0, 0,
                        0, 9, 9, 0,
                        0, 9, 9, 0,
                        0, 0, 0, 0 };
  TsLayerSpec halves = POOL (TS_POOL_MAX, 2, 2), overlapping = POOL (TS_POOL_MAX, 3, 1);
  float dx[16];

  max_pool_gradient (&halves, x, dx);
  for (guint i = 0; i < 16; i++)
    if (dx[i] != expected[i])
      g_error ("max pool 2×2: gradient at %u is %g, expected %g", i, dx[i], expected[i]);
  max_pool_gradient (&overlapping, y, dx);
  for (guint i = 0; i < 16; i++)
    g_assert_cmpfloat (dx[i], ==, i == 5 ? 4.f : 0.f);
}

/* Shapes per layer, tensors named as nn.Sequential with the parameter-free
 * layers left out, conv weights [out, in, kh, kw], BN2d per channel */
static void
test_layout (void)
{
  TsShape input = { 3, { 1, 28, 28 } }, shape;
  TsLayerSpec bn = BN_INIT;
  TsLayerSpec layers[] = { CONV (32, 5, 1, TS_PADDING_SAME, -1), bn, POOL (TS_POOL_MAX, 2, 2),
                           CONV (64, 5, 1, TS_PADDING_SAME, -1), POOL (TS_POOL_MAX, 2, 2), { 128, -1 } };
  g_autoptr(TsNet) net = ts_net_new_shaped (&input, layers, G_N_ELEMENTS (layers), TS_ACT_RELU, 0, 0, 10, 4);
  const GArray *tensors = ts_net_tensors (net);
  static const struct { const char *name; guint ndim; guint64 dims[4]; } want[] = {
    { "layers.0.weight", 4, { 32, 1, 5, 5 } }, { "layers.0.bias", 1, { 32 } },
    { "layers.1.weight", 1, { 32 } }, { "layers.1.bias", 1, { 32 } }, { "layers.1.running_mean", 1, { 32 } },
    { "layers.1.running_var", 1, { 32 } }, { "layers.1.num_batches_tracked", 0, { 0 } },
    { "layers.2.weight", 4, { 64, 32, 5, 5 } }, { "layers.2.bias", 1, { 64 } },
    { "layers.3.weight", 2, { 128, 3136 } }, { "layers.3.bias", 1, { 128 } },
    { "layers.4.weight", 2, { 10, 128 } }, { "layers.4.bias", 1, { 10 } },
  };
  g_autofree char *text = NULL;

  g_assert_cmpuint (tensors->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < tensors->len; i++)
    {
      const TsNetTensor *t = &g_array_index (tensors, TsNetTensor, i);
      g_assert_cmpstr (t->name, ==, want[i].name);
      g_assert_cmpuint (t->shape.ndim, ==, want[i].ndim);
      for (guint d = 0; d < t->shape.ndim; d++)
        g_assert_cmpuint (t->shape.dims[d], ==, want[i].dims[d]);
    }
  ts_net_layer_out_shape (net, 4, &shape);
  text = ts_shape_text (&shape);
  g_assert_cmpstr (text, ==, "[64,7,7]");
  ts_net_layer_in_shape (net, 5, &shape);
  g_assert_cmpuint (ts_shape_numel (&shape), ==, 3136);
  g_assert_cmpuint (ts_net_layer_units (net, 0), ==, 32 * 28 * 28);
  g_assert_cmpuint (ts_net_layer_channels (net, 1), ==, 32);
  /* the batchnorm carries the conv's activation */
  g_assert_cmpint (ts_net_layer_activation (net, 0), ==, TS_ACT_IDENTITY);
  g_assert_cmpint (ts_net_layer_activation (net, 1), ==, TS_ACT_RELU);
  ts_net_layer_weights (net, 2, &shape);
  g_assert_cmpuint (ts_shape_numel (&shape), ==, 0); /* a pool has none */
  g_assert_cmpuint (ts_net_n_params (net), ==, 832 + 64 + 51264 + 401536 + 1290);
}

/* A layer that does not fit its input is refused naming it and the shape */
static void
test_shape_errors (void)
{
  g_autoptr(GError) error = NULL;
  TsShape points = { 1, { 2 } }, small = { 3, { 1, 5, 5 } };
  TsLayerSpec layers[] = { CONV (4, 3, 1, 0, -1), POOL (TS_POOL_MAX, 2, 2), POOL (TS_POOL_MAX, 2, 2) };

  g_assert_false (ts_net_check_shapes (&points, layers, 1, 3, &error));
  g_assert_error (error, TS_ERROR, TS_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "model.layers[0]: "));
  g_assert_nonnull (strstr (error->message, "2-D point data"));
  g_clear_error (&error);
  g_assert_false (ts_net_check_shapes (&small, layers, 3, 3, &error));
  g_assert_true (g_str_has_prefix (error->message, "model.layers[2]: pool size 2 does not fit a 1×1 input"));
  g_assert_nonnull (strstr (error->message, "[4,1,1]"));
}

/* A CNN trained through the trainer (images fed as [C,H,W]) saves and
 * loads back with the same layout, input shape and predictions */
static void
test_trained_cnn_round_trip (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("fashion-mnist", 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTraining) t = NULL;
  g_autoptr(TsModel) model = NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  TsShape shape;
  const TsDataset *val;

  g_assert_true (ts_experiment_set (exp, "data.limit", "400", &error));
  g_assert_true (ts_experiment_set (exp, "model.layers", "conv4x3/same,bn,maxpool2,conv6x3/s2,16", &error));
  g_assert_true (ts_experiment_set (exp, "train.batch_size", "32", &error));
  t = train_to_end (exp);
  ts_net_in_shape (t->net, &shape);
  g_assert_cmpuint (shape.ndim, ==, 3);
  g_assert_cmpuint (shape.dims[1], ==, 28);
  g_assert_true (ts_model_save (path, t->net, t->data.preprocess, exp, &error));
  model = ts_model_load (path, &error);
  g_assert_no_error (error);
  ts_net_in_shape (model->net, &shape);
  g_assert_cmpuint (shape.ndim, ==, 3);
  g_assert_cmpuint (ts_net_n_params (model->net), ==, ts_net_n_params (t->net));
  val = t->data.val;
  g_assert_cmpuint (val->n, >, 10);
  {
    g_autofree float *expected = g_memdup2 (ts_net_forward (t->net, val->x, 10, FALSE, 0), sizeof (float) * 100);
    assert_close_array ("logits", ts_net_forward (model->net, val->x, 10, FALSE, 0), expected, 100, 1e-6, 1e-6);
  }
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/conv/fast-matches-reference", test_fast_matches_reference);
  g_test_add_func ("/conv/team-matches-reference", test_team_matches_reference);
  g_test_add_func ("/conv/max-pool-ties", test_max_pool_ties);
  g_test_add_func ("/conv/layout", test_layout);
  g_test_add_func ("/conv/shape-errors", test_shape_errors);
  g_test_add_func ("/conv/trained-cnn-round-trip", test_trained_cnn_round_trip);
  return g_test_run ();
}
