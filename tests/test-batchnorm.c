/* Batch normalisation against PyTorch's BatchNorm1d (fixtures made by
 * tests/fixtures/make_torch_fixtures.py): the forward pass in training and
 * evaluation mode, every gradient, the running statistics, optimizer steps
 * through the team step, and a PyTorch-made model loaded from its
 * checkpoint; then the schema (JSON and --set text) and its bad input. */
#include "test-util.h"

#include <stdlib.h>

#define REL_TOL 1e-5
#define ABS_TOL 2e-6
#define RESCUE_CHANCE_AT_MOST 0.40  /* three classes: chance is 1/3 */
#define RESCUE_TRAINS_AT_LEAST 0.85

/* 6 → 8 → BN → ReLU → 7 → BN → ReLU → 4 */
static const TsLayerSpec bn_hidden[] = {
  { 8, TS_INHERIT_ACTIVATION },
  { 0, TS_INHERIT_ACTIVATION, TS_LAYER_BATCHNORM, TS_BN_MOMENTUM, TS_BN_EPS },
  { 7, TS_INHERIT_ACTIVATION },
  { 0, TS_INHERIT_ACTIVATION, TS_LAYER_BATCHNORM, TS_BN_MOMENTUM, TS_BN_EPS },
};

static TsSafetensors *
load_fixture (const char *file)
{
  g_autofree char *path = fixture_path (file);
  g_autoptr(GError) error = NULL;
  TsSafetensors *st = ts_safetensors_load (path, &error);
  g_assert_no_error (error);
  return st;
}

/* the net with every parameter and buffer from the fixture */
static TsNet *
fixture_net (TsSafetensors *st, guint batch)
{
  TsNet *net = ts_net_new (6, bn_hidden, G_N_ELEMENTS (bn_hidden), TS_ACT_RELU, 0.01f, 0.f, 4, batch);
  for (guint i = 0; i < net->tensors->len; i++)
    {
      const TsNetTensor *t = &g_array_index (net->tensors, TsNetTensor, i);
      TsShape shape;
      g_autofree float *v = fixture_tensor (st, t->name, &shape);
      g_assert_cmpuint (ts_shape_numel (&shape), ==, ts_shape_numel (&t->shape));
      memcpy (ts_net_state (net) + t->offset, v, sizeof (float) * ts_shape_numel (&t->shape));
    }
  return net;
}

static guint32 *
labels (TsSafetensors *st, const char *name, guint *n)
{
  TsShape shape;
  g_autofree float *y = fixture_tensor (st, name, &shape);
  guint32 *out = g_new (guint32, shape.dims[0]);
  for (guint i = 0; i < shape.dims[0]; i++)
    out[i] = (guint32) y[i];
  *n = (guint) shape.dims[0];
  return out;
}

/* The bias of a dense layer that a batchnorm follows has a gradient of
 * exactly zero (the normalisation removes any shift), so both tools see
 * rounding noise there — which Adam, dividing by its own magnitude, turns
 * into steps of ±lr either way. Such a bias shifts nothing downstream but
 * the running mean of the batchnorm after it (the normalisation subtracts
 * it again), so those four tensors are left out of Adam's comparison; the
 * biases' zero gradient is checked in forward-backward. */
static const char *const noise_driven[] = { "layers.0.bias", "layers.1.running_mean", "layers.2.bias",
                                            "layers.3.running_mean", NULL };

static void
assert_state (TsNet *net, TsSafetensors *st, const char *prefix, const char *const *skip)
{
  for (guint i = 0; i < net->tensors->len; i++)
    {
      const TsNetTensor *t = &g_array_index (net->tensors, TsNetTensor, i);
      g_autofree char *name = g_strdup_printf ("%s%s", prefix, t->name);
      g_autofree float *expected = NULL;
      if (skip && g_strv_contains (skip, t->name))
        continue;
      expected = fixture_tensor (st, name, NULL);
      assert_close_array (name, ts_net_state (net) + t->offset, expected, ts_shape_numel (&t->shape), REL_TOL,
                          ABS_TOL);
    }
}

static void
test_forward_backward (void)
{
  g_autoptr(TsSafetensors) st = load_fixture ("torch/bn-forward.safetensors");
  g_autofree float *x = fixture_tensor (st, "x", NULL), *logits = fixture_tensor (st, "logits", NULL);
  g_autofree float *logits_eval = fixture_tensor (st, "logits_eval", NULL), *loss = fixture_tensor (st, "loss", NULL);
  guint B;
  g_autofree guint32 *y = labels (st, "y", &B);
  g_autoptr(TsNet) net = fixture_net (st, B);
  const float *out;
  float got_loss;

  out = ts_net_forward (net, x, B, TRUE, 0);
  assert_close_array ("logits (training)", out, logits, B * 4, REL_TOL, ABS_TOL);
  got_loss = (float) ts_loss_forward_backward (TS_LOSS_SOFTMAX, out, y, B, 4, ts_net_dlogits (net), NULL);
  assert_close_array ("loss", &got_loss, loss, 1, REL_TOL, ABS_TOL);
  ts_net_backward (net, x, B);
  for (guint i = 0; i < net->tensors->len; i++)
    {
      const TsNetTensor *t = &g_array_index (net->tensors, TsNetTensor, i);
      g_autofree char *name = g_strdup_printf ("grad.%s", t->name);
      g_autofree float *expected = NULL;
      if (t->role != TS_TENSOR_PARAM)
        continue;
      expected = fixture_tensor (st, name, NULL);
      assert_close_array (name, net->grads + t->offset, expected, ts_shape_numel (&t->shape), REL_TOL, ABS_TOL);
    }
  /* the running statistics after one training batch: momentum 0.1, unbiased variance */
  assert_state (net, st, "after.", NULL);
  out = ts_net_forward (net, x, B, FALSE, 0);
  assert_close_array ("logits (evaluation)", out, logits_eval, B * 4, REL_TOL, ABS_TOL);
}

/* four steps, each on a batch of its own, through the team step (1 and 2
 * threads): parameters and running statistics as torch.optim leaves them */
static void
test_optimizer (gconstpointer data)
{
  TsOptimizerKind kind = GPOINTER_TO_INT (data);
  g_autofree char *file = g_strdup_printf ("torch/bn-optim-%s.safetensors", ts_optimizer_name (kind));
  g_autoptr(TsSafetensors) st = load_fixture (file);
  double lr = g_ascii_strtod (ts_safetensors_metadata (st, "lr"), NULL);
  double momentum = g_ascii_strtod (ts_safetensors_metadata (st, "momentum"), NULL);
  double l2 = g_ascii_strtod (ts_safetensors_metadata (st, "l2"), NULL);
  int steps = atoi (ts_safetensors_metadata (st, "steps"));

  for (guint threads = 1; threads <= 2; threads++)
    {
      g_autoptr(TsNet) net = fixture_net (st, 5);
      g_autoptr(TsOptimizer) opt = ts_optimizer_new (kind, ts_net_n_params (net), momentum);
      g_autoptr(TsTeam) team = ts_team_new (threads);
      TsStepConfig cfg = { opt, TS_LOSS_SOFTMAX, (float) lr, (float) l2, 0.f, 0.f };

      for (int s = 0; s < steps; s++)
        {
          g_autofree char *xn = g_strdup_printf ("x%d", s), *yn = g_strdup_printf ("y%d", s);
          g_autofree float *x = fixture_tensor (st, xn, NULL);
          guint B;
          g_autofree guint32 *y = labels (st, yn, &B);
          ts_net_train_step (net, team, &cfg, x, y, B, 0, NULL);
        }
      assert_state (net, st, "after.", kind == TS_OPT_ADAM ? noise_driven : NULL);
    }
}

/* A BatchNorm1d MLP trained and saved by PyTorch predicts here as there */
static void
test_model_from_torch (void)
{
  g_autofree char *path = fixture_path ("torch/model-from-torch-bn.safetensors");
  g_autoptr(TsSafetensors) expected = load_fixture ("torch/model-from-torch-bn-expected.safetensors");
  g_autoptr(GError) error = NULL;
  g_autoptr(TsModel) model = ts_model_load (path, &error);
  TsShape shape;
  g_autofree float *x = NULL, *logits = NULL;
  g_autofree guint32 *y = NULL;
  guint n, ours = 0, theirs = 0;
  const float *out;

  g_assert_no_error (error);
  x = fixture_tensor (expected, "x", &shape);
  logits = fixture_tensor (expected, "logits", NULL);
  y = labels (expected, "y", &n);
  out = ts_net_forward (model->net, x, n, FALSE, 0);
  assert_close_array ("logits", out, logits, (gsize) n * 3, 0, 1e-5);
  ts_loss_forward_backward (TS_LOSS_SOFTMAX, out, y, n, 3, NULL, &ours);
  ts_loss_forward_backward (TS_LOSS_SOFTMAX, logits, y, n, 3, NULL, &theirs);
  g_assert_cmpfloat (fabs ((double) ours / n - (double) theirs / n), <=, 0.0005);
  g_assert_cmpfloat ((double) theirs / n, >, 0.6); /* the model learned something: the check means something */
}

/* the JSON form and the --set text form give the same layers, and each
 * writes back a text that reads as it was */
static void
test_schema_round_trips (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) from_json = ts_experiment_from_json (
    "{\"model\": {\"layers\": [{\"type\": \"dense\", \"units\": 16, \"activation\": \"tanh\"},"
    " {\"type\": \"batchnorm\", \"momentum\": 0.2, \"eps\": 0.001, \"trainable\": false},"
    " {\"type\": \"dense\", \"units\": 8}, {\"type\": \"batchnorm\"}]}}", -1, &error);
  g_autoptr(TsExperiment) from_text = ts_experiment_new_default ();
  g_autoptr(TsExperiment) again = NULL;
  g_autofree char *text = NULL, *json = NULL, *json_text = NULL;
  const TsLayerSpec *bn;

  g_assert_no_error (error);
  g_assert_cmpuint (from_json->model.layers->len, ==, 4);
  bn = &g_array_index (from_json->model.layers, TsLayerSpec, 1);
  g_assert_cmpint (bn->kind, ==, TS_LAYER_BATCHNORM);
  g_assert_cmpfloat (bn->momentum, ==, 0.2f);
  g_assert_cmpfloat (bn->eps, ==, 0.001f);
  g_assert_true (bn->frozen);
  bn = &g_array_index (from_json->model.layers, TsLayerSpec, 3);
  g_assert_cmpfloat (bn->momentum, ==, TS_BN_MOMENTUM);
  g_assert_cmpfloat (bn->eps, ==, TS_BN_EPS);
  g_assert_false (bn->frozen);

  text = ts_experiment_get_text (from_json, "model.layers");
  g_assert_cmpstr (text, ==, "16:tanh,bn:momentum=0.2:eps=0.001:frozen,8,bn");
  g_assert_true (ts_experiment_set (from_text, "model.layers", text, &error));
  g_assert_no_error (error);
  json = ts_experiment_to_json (from_json);
  json_text = ts_experiment_to_json (from_text);
  g_assert_cmpstr (strstr (json, "\"model\""), ==, strstr (json_text, "\"model\""));
  g_assert_nonnull (strstr (json, "\"momentum\" : 0.2"));
  again = ts_experiment_from_json (json, -1, &error);
  g_assert_no_error (error);
}

/* The saved model carries the running statistics and the window's
 * snapshot does too: a run's model predicts in evaluation mode as the run
 * measured it. Here: a training net's state copied through a snapshot
 * equals the net's own. */
static void
test_snapshot_carries_running_stats (void)
{
  g_autoptr(TsSafetensors) st = load_fixture ("torch/bn-forward.safetensors");
  g_autofree float *x = fixture_tensor (st, "x", NULL);
  g_autoptr(TsNet) net = fixture_net (st, 5);
  g_autoptr(TsNet) copy = fixture_net (st, 5);
  g_autoptr(TsSnapshot) snap = ts_snapshot_new (ts_net_state_size (net));
  const float *mean, *copy_mean;

  ts_net_forward (net, x, 5, TRUE, 0); /* moves the running statistics */
  ts_snapshot_publish (snap, ts_net_state (net), 1);
  ts_snapshot_read (snap, ts_net_state (copy));
  g_assert_true (ts_net_layer_running_stats (net, 1, &mean, NULL));
  g_assert_true (ts_net_layer_running_stats (copy, 1, &copy_mean, NULL));
  g_assert_cmpmem (mean, 8 * sizeof (float), copy_mean, 8 * sizeof (float));
  g_assert_false (ts_net_layer_running_stats (net, 0, NULL, NULL));
}

/* "trainable": false — evaluation mode in training too; γ, β and the
 * running statistics stay as they were, while the dense layers learn */
static void
test_frozen (void)
{
  g_autoptr(TsSafetensors) st = load_fixture ("torch/bn-optim-sgd.safetensors");
  TsLayerSpec frozen[G_N_ELEMENTS (bn_hidden)];
  g_autofree float *x = fixture_tensor (st, "x0", NULL), *before = NULL, *eval_logits = NULL;
  guint B;
  g_autofree guint32 *y = labels (st, "y0", &B);
  g_autoptr(TsNet) net = NULL;
  g_autoptr(TsOptimizer) opt = NULL;
  g_autoptr(TsTeam) team = ts_team_new (2);
  TsStepConfig cfg = { NULL, TS_LOSS_SOFTMAX, 0.1f, 0.f, 0.f, 0.f };

  memcpy (frozen, bn_hidden, sizeof frozen);
  frozen[1].frozen = frozen[3].frozen = TRUE;
  net = ts_net_new (6, frozen, G_N_ELEMENTS (frozen), TS_ACT_RELU, 0.01f, 0.f, 4, B);
  for (guint i = 0; i < net->tensors->len; i++)
    {
      const TsNetTensor *t = &g_array_index (net->tensors, TsNetTensor, i);
      g_autofree float *v = fixture_tensor (st, t->name, NULL);
      memcpy (ts_net_state (net) + t->offset, v, sizeof (float) * ts_shape_numel (&t->shape));
    }
  before = g_memdup2 (ts_net_state (net), sizeof (float) * ts_net_state_size (net));
  eval_logits = g_memdup2 (ts_net_forward (net, x, B, FALSE, 0), sizeof (float) * B * 4);
  assert_close_array ("training-mode logits", ts_net_forward (net, x, B, TRUE, 0), eval_logits, B * 4, 0, 0);
  opt = ts_optimizer_new (TS_OPT_SGD, ts_net_n_params (net), 0);
  cfg.opt = opt;
  ts_net_train_step (net, team, &cfg, x, y, B, 0, NULL);
  for (guint i = 0; i < net->tensors->len; i++)
    {
      const TsNetTensor *t = &g_array_index (net->tensors, TsNetTensor, i);
      gboolean bn = g_str_has_prefix (t->name, "layers.1.") || g_str_has_prefix (t->name, "layers.3.");
      gboolean same = memcmp (ts_net_state (net) + t->offset, before + t->offset,
                              sizeof (float) * ts_shape_numel (&t->shape)) == 0;
      if (bn != same)
        g_error ("%s: %s after a step with frozen batch norms", t->name, same ? "unchanged" : "changed");
    }
}

static double
final_val_acc (TsTraining *t)
{
  return ts_metric_log_epoch (t->epochs, ts_metric_log_length (t->epochs) - 1)->val_acc;
}

/* The built-in pair: eight tanh layers under small init stall at chance
 * (three classes); a batchnorm after each rescues them */
static void
test_rescue_pair (void)
{
  g_autoptr(TsExperiment) plain = ts_experiment_new_example ("deep-small");
  g_autoptr(TsExperiment) normalised = ts_experiment_new_example ("deep-small-bn");
  g_autoptr(TsTraining) stalled = NULL, rescued = NULL;

  g_assert_nonnull (plain);
  g_assert_nonnull (normalised);
  g_assert_null (ts_experiment_new_example ("no-such-example"));
  stalled = train_to_end (plain);
  rescued = train_to_end (normalised);
  g_test_message ("deep-small: val acc %.3f; deep-small-bn: val acc %.3f", final_val_acc (stalled),
                  final_val_acc (rescued));
  g_assert_cmpfloat (final_val_acc (stalled), <, RESCUE_CHANCE_AT_MOST);
  g_assert_cmpfloat (final_val_acc (rescued), >, RESCUE_TRAINS_AT_LEAST);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/batchnorm/parity/forward-backward", test_forward_backward);
  g_test_add_data_func ("/core/batchnorm/parity/optim/sgd", GINT_TO_POINTER (TS_OPT_SGD), test_optimizer);
  g_test_add_data_func ("/core/batchnorm/parity/optim/momentum", GINT_TO_POINTER (TS_OPT_MOMENTUM), test_optimizer);
  g_test_add_data_func ("/core/batchnorm/parity/optim/adam", GINT_TO_POINTER (TS_OPT_ADAM), test_optimizer);
  g_test_add_func ("/core/batchnorm/model-from-torch", test_model_from_torch);
  g_test_add_func ("/core/batchnorm/schema-round-trips", test_schema_round_trips);
  g_test_add_func ("/core/batchnorm/frozen", test_frozen);
  g_test_add_func ("/core/batchnorm/snapshot-carries-running-stats", test_snapshot_carries_running_stats);
  /* two 30-epoch runs: the slow suite runs them (-m slow) */
  if (g_test_slow ())
    g_test_add_func ("/slow/batchnorm/rescue-pair", test_rescue_pair);
  return g_test_run ();
}
