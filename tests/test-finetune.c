/* Fine-tuning: model.init_from (Trainscope's and PyTorch-made models, the
 * errors that name what differs), freezing and lr_scale against PyTorch,
 * frozen layers and batch-norm statistics unchanged by training, and the
 * tasks carved from a source (class_subset, image_shape, resize, .csv.gz). */
#include "test-util.h"

#include <string.h>

#define DIGITS "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"

static TsSafetensors *
load_fixture (const char *name)
{
  g_autofree char *path = fixture_path (name);
  g_autoptr(GError) error = NULL;
  TsSafetensors *st = ts_safetensors_load (path, &error);
  g_assert_no_error (error);
  return st;
}

/* the fixture's net: 12 → 16 → bn → relu → 8 → tanh → 5 */
static TsExperiment *
parent_shaped_experiment (void)
{
  g_autoptr(GError) error = NULL;
  TsExperiment *exp = ts_experiment_new_default ();
  g_autofree char *parent = fixture_path ("torch/finetune-parent.safetensors");

  g_assert_true (ts_experiment_set (exp, "model.layers", "16,bn,8:tanh", &error));
  g_assert_true (ts_experiment_set (exp, "model.init_from", parent, &error));
  g_assert_no_error (error);
  return exp;
}

/* A PyTorch-made model as init_from, the first two entries frozen (the
 * batch norm in evaluation mode) and the second dense layer at half the LR:
 * the first loss on a fixed batch is PyTorch's, and after three steps of
 * momentum SGD the trained weights are PyTorch's at 1e-5, the frozen ones
 * bit for bit what the file held. */
static void
test_torch_parent_matches_pytorch (void)
{
  g_autoptr(TsSafetensors) steps = load_fixture ("torch/finetune-steps.safetensors");
  g_autoptr(TsSafetensors) parent = load_fixture ("torch/finetune-parent.safetensors");
  g_autoptr(TsExperiment) exp = parent_shaped_experiment ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TsNet) net = NULL;
  g_autoptr(TsInitReport) report = NULL;
  g_autoptr(TsOptimizer) opt = NULL;
  g_autoptr(TsTeam) team = ts_team_new (2);
  g_autofree float *x = fixture_tensor (steps, "x", NULL), *yf = fixture_tensor (steps, "y", NULL);
  g_autofree float *losses = fixture_tensor (steps, "losses", NULL);
  TsShape input = { 1, { 12 } };
  TsStepConfig cfg = { NULL, TS_LOSS_SOFTMAX, 0.1f, 0.f, 0.f, 0.f };
  guint32 y[8];
  TsRng rng;

  for (guint i = 0; i < 8; i++)
    y[i] = (guint32) yf[i];
  g_assert_true (ts_experiment_set (exp, "model.freeze", "2", &error));
  g_assert_true (ts_experiment_set (exp, "model.layers", "16,bn,8:tanh:lr=0.5", &error));
  net = ts_net_new_from_experiment (exp, &input, 5, 8);
  ts_rng_init (&rng, 1, TS_STREAM_INIT);
  ts_net_init (net, TS_INIT_HE, 0.01, &rng);
  report = ts_net_init_from (net, exp, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->loaded, ==, 11); /* 2 + 5 (γ, β, running mean/var, count) + 2 + 2 */
  g_assert_false (report->head_reinitialised);
  g_assert_null (report->parent_name); /* PyTorch-made: no experiment in the file */
  opt = ts_optimizer_new (TS_OPT_MOMENTUM, ts_net_n_params (net), 0.9);
  cfg.opt = opt;
  for (guint s = 0; s < 3; s++)
    {
      double loss = ts_net_train_step (net, team, &cfg, x, y, 8, s, NULL);
      if (!(fabs (loss - losses[s]) <= 1e-5 * fabs (losses[s])))
        g_error ("step %u: loss %.9g, PyTorch %.9g", s + 1, loss, losses[s]);
    }
  for (guint i = 0; i < ts_net_tensors (net)->len; i++)
    {
      const TsNetTensor *t = &g_array_index (ts_net_tensors (net), TsNetTensor, i);
      g_autofree char *after = g_strdup_printf ("after.%s", t->name);
      g_autofree float *want = fixture_tensor (steps, after, NULL), *before = fixture_tensor (parent, t->name, NULL);
      const float *got = ts_net_state (net) + t->offset;
      gsize n = ts_shape_numel (&t->shape);

      if (g_str_has_prefix (t->name, "layers.0.") || g_str_has_prefix (t->name, "layers.1."))
        g_assert_true (memcmp (got, before, sizeof (float) * n) == 0); /* frozen: the file's, bit for bit */
      else
        assert_close_array (t->name, got, want, n, 1e-5, 1e-5);
    }
}

/* A frozen dense layer, a frozen batch norm (model.freeze) and a frozen
 * entry of its own ("trainable": false) keep their weights and running
 * statistics bit-identical through a whole run, while the rest learns. */
static void
test_frozen_bit_identical (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 3);
  g_autoptr(TsTraining) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTraining) start = NULL;
  g_autofree float *before = NULL;
  gsize n;

  g_assert_true (ts_experiment_set (exp, "model.layers", "32,bn,16:frozen,bn,8", &error));
  g_assert_true (ts_experiment_set (exp, "model.freeze", "2", &error));
  g_assert_no_error (error);
  start = ts_training_new (exp, NULL, &error);
  g_assert_no_error (error);
  n = ts_net_state_size (start->net);
  before = g_memdup2 (ts_net_state (start->net), sizeof (float) * n);
  t = train_to_end (exp);
  g_assert_cmpuint (ts_net_state_size (t->net), ==, n);
  for (guint i = 0; i < ts_net_tensors (t->net)->len; i++)
    {
      const TsNetTensor *tensor = &g_array_index (ts_net_tensors (t->net), TsNetTensor, i);
      /* layers.0 dense, .1 bn (model.freeze 2), .2 dense (its own frozen); .3 bn, .4, .5 train */
      gboolean frozen = tensor->name[7] <= '2';
      gboolean same = memcmp (ts_net_state (t->net) + tensor->offset, before + tensor->offset,
                              sizeof (float) * ts_shape_numel (&tensor->shape)) == 0;
      if (frozen != same)
        g_error ("%s %s after training with model.freeze 2 and layers[2] frozen", tensor->name,
                 same ? "unchanged" : "changed");
    }
}

/* Frozen layers cost less: with the first two entries frozen, the step
 * computes no weight gradients for them and no gradient below layer 2
 * (sentinels there stay), while the loss and the update are unchanged. */
static void
test_frozen_work_skipped (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(TsNet) net = NULL;
  g_autoptr(TsOptimizer) opt = NULL;
  g_autoptr(TsTeam) team = ts_team_new (2);
  TsShape input = { 1, { 12 } };
  TsStepConfig cfg = { NULL, TS_LOSS_SOFTMAX, 0.1f, 0.f, 0.f, 0.f, .keep_gradients = TRUE };
  float x[8 * 12];
  guint32 y[8];
  TsRng rng;

  g_assert_true (ts_experiment_set (exp, "model.layers", "16,bn,8:tanh", NULL));
  g_assert_true (ts_experiment_set (exp, "model.freeze", "2", NULL));
  net = ts_net_new_from_experiment (exp, &input, 5, 8);
  ts_rng_init (&rng, 3, TS_STREAM_INIT);
  ts_net_init (net, TS_INIT_HE, 0.01, &rng);
  for (guint i = 0; i < G_N_ELEMENTS (x); i++)
    x[i] = (float) ts_rng_normal (&rng);
  for (guint i = 0; i < 8; i++)
    y[i] = i % 5;
  opt = ts_optimizer_new (TS_OPT_SGD, ts_net_n_params (net), 0);
  cfg.opt = opt;
  for (gsize i = 0; i < ts_net_n_params (net); i++)
    net->grads[i] = NAN;
  ts_net_forward (net, x, 8, FALSE, 0); /* the workspace for 8 rows */
  for (guint l = 0; l < 2; l++)
    for (gsize i = 0; i < (gsize) 8 * net->layers[l].out; i++)
      net->d[l][i] = NAN;
  ts_net_train_step (net, team, &cfg, x, y, 8, 0, NULL);
  g_assert_true (isnan (net->grads[net->layers[0].w]) && isnan (net->grads[net->layers[0].b]));
  g_assert_true (isnan (net->grads[net->layers[1].w]) && isnan (net->grads[net->layers[1].b]));
  g_assert_true (isnan (net->d[0][0]) && isnan (net->d[1][0])); /* no gradient flowed below layer 2 */
  g_assert_false (isnan (net->grads[net->layers[2].w]));
  g_assert_false (isnan (net->d[2][0]));
}

static char *
train_parent (const char *dir, const char *layers)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 1);
  g_autoptr(TsTraining) t = NULL;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "parent.safetensors", NULL);

  g_assert_true (ts_experiment_set (exp, "model.layers", layers, &error));
  t = train_to_end (exp);
  g_assert_true (ts_model_save (path, t->net, t->data.preprocess, t->exp, &error));
  g_assert_no_error (error);
  return path;
}

static void
expect_init_error (TsExperiment *exp, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTraining) t = ts_training_new (exp, NULL, &error);

  g_assert_null (t);
  g_assert_nonnull (error);
  if (strstr (error->message, message) == NULL)
    g_error ("expected \"%s\" in \"%s\"", message, error->message);
}

/* What does not fit is refused, saying which: a tensor of another shape
 * (naming both), a missing tensor, another input, another preprocessing,
 * a head that does not fit with reinit_head false; a new class count
 * re-initialises the head under auto, and the summary names the parent. */
static void
test_init_from_errors (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *parent = train_parent (dir, "20,10");
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 1);
  g_autoptr(TsTraining) t = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ts_experiment_set (exp, "model.init_from", parent, NULL));
  g_assert_true (ts_experiment_set (exp, "model.layers", "20,12", NULL));
  expect_init_error (exp, "tensor layers.1.weight is [10, 20] in");
  expect_init_error (exp, "this experiment's model needs [12, 20]");
  g_assert_true (ts_experiment_set (exp, "model.layers", "20,10,5", NULL));
  expect_init_error (exp, "model.init_from: tensor layers.2.weight is [3, 10]");
  g_assert_true (ts_experiment_set (exp, "model.layers", "20,10", NULL));
  g_assert_true (ts_experiment_set (exp, "data.preprocess", "none", NULL));
  expect_init_error (exp, "was trained on data preprocessed with standardize, this experiment uses none: another "
                          "preprocessing");
  g_assert_true (ts_experiment_set (exp, "data.preprocess", "standardize", NULL));
  g_assert_true (ts_experiment_set (exp, "data.source", "builtin:shapes", NULL));
  g_assert_true (ts_experiment_set (exp, "data.samples", "64", NULL));
  expect_init_error (exp, "takes another input shape: 2 values (layers.0.weight [20, 2], trained on builtin:spiral)");
  g_assert_true (ts_experiment_set (exp, "data.source", "builtin:spiral", NULL));
  g_assert_true (ts_experiment_set (exp, "data.samples", "300", NULL));
  g_assert_true (ts_experiment_set (exp, "data.classes", "4", NULL));
  g_assert_true (ts_experiment_set (exp, "model.reinit_head", "false", NULL));
  expect_init_error (exp, "model.reinit_head: false, but the output layer cannot be loaded from");
  g_assert_true (ts_experiment_set (exp, "model.reinit_head", "auto", NULL));
  t = ts_training_new (exp, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (t->init_from->head_reinitialised);
  g_assert_cmpuint (t->init_from->loaded, ==, 4);
  g_assert_cmpstr (t->init_from->parent_name, ==, "Spiral · ReLU · He");
  g_clear_pointer (&t, ts_training_free);
  g_assert_true (ts_experiment_set (exp, "model.init_from", dir, NULL)); /* a folder without model.safetensors */
  expect_init_error (exp, "has no model.safetensors");
}

/* the same classes in the given order, renumbered 0…, their names kept;
 * the validation split still stratified (each class in proportion) */
static void
test_class_subset (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:shapes", 1);
  g_autoptr(TsSource) source = NULL;
  TsSplits s = { 0 };
  g_autoptr(GError) error = NULL;
  guint keep[] = { 5, 2, 7 }, counts[3], val_counts[3], total[8] = { 0 };
  const TsDataset *all;

  g_assert_true (ts_experiment_set (exp, "data.samples", "800", NULL));
  g_assert_true (ts_experiment_set (exp, "data.classes", "8", NULL));
  g_assert_true (ts_experiment_set (exp, "data.class_subset", "5,2,7", &error));
  g_assert_true (ts_splits_load (exp, &s, NULL, &error));
  g_assert_no_error (error);
  source = ts_source_acquire (&exp->data, exp->seed, NULL, &error);
  all = ts_source_get_data (source)->train;
  ts_dataset_class_counts (all, total);
  g_assert_cmpuint (s.train->n_classes, ==, 3);
  g_assert_cmpuint (s.val->n_classes, ==, 3);
  ts_dataset_class_counts (s.train, counts);
  ts_dataset_class_counts (s.val, val_counts);
  for (guint c = 0; c < 3; c++)
    {
      g_assert_cmpstr (s.train->class_names[c], ==, all->class_names[keep[c]]);
      g_assert_cmpuint (counts[c] + val_counts[c], ==, total[keep[c]]);
      /* stratified: each class's share of the validation split is its share of the data, ±1 */
      g_assert_cmpint (abs ((int) val_counts[c] - (int) lround (total[keep[c]] * exp->data.val_fraction)), <=, 1);
    }
  /* the pixels are the source's: the first training sample is one of class keep[y] */
  ts_splits_clear (&s);
  g_assert_true (ts_experiment_set (exp, "data.class_subset", "[1,9]", NULL));
  g_assert_false (ts_splits_load (exp, &s, NULL, &error));
  g_assert_nonnull (strstr (error->message, "data.class_subset[1]: class 9 is not in builtin:shapes"));
}

/* bilinear as torch.nn.functional.interpolate (align_corners=False): a
 * 2×2 image to 4×4, values worked out from its formula */
static void
test_resize_values (void)
{
  const float in[4] = { 0, 1, 2, 3 };
  float out[16];
  const float want[16] = { 0, 0.25f, 0.75f, 1, 0.5f, 0.75f, 1.25f, 1.5f, 1.5f, 1.75f, 2.25f, 2.5f, 2, 2.25f, 2.75f, 3 };

  ts_resize_bilinear (out, 4, 4, in, 1, 2, 2);
  assert_close_array ("resized", out, want, 16, 0, 1e-6);
}

/* sklearn's digits.csv.gz read as 8×8 images and resized to 28×28: a
 * target a Fashion-MNIST model can take */
static void
test_digits_csv_gz (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("csv:" DIGITS, 1);
  TsSplits s = { 0 };
  g_autoptr(GError) error = NULL;
  TsShape input;

  if (!g_file_test (DIGITS, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("python3-sklearn is not installed (dev.sh installs it)");
      return;
    }
  g_assert_true (ts_experiment_set (exp, "data.image_shape", "1,8,8", NULL));
  g_assert_true (ts_experiment_set (exp, "data.resize", "[28, 28]", NULL));
  g_assert_true (ts_experiment_validate (exp, &error));
  g_assert_true (ts_experiment_input_shape (exp, &input));
  g_assert_cmpuint (input.ndim, ==, 3);
  g_assert_cmpuint (input.dims[1], ==, 28);
  g_assert_true (ts_splits_load (exp, &s, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (s.train->n + s.val->n, ==, 1797);
  g_assert_cmpuint (s.train->channels, ==, 1);
  g_assert_cmpuint (s.train->height, ==, 28);
  g_assert_cmpuint (s.train->dim, ==, 784);
  g_assert_cmpuint (s.train->n_classes, ==, 10);
  ts_splits_clear (&s);
  g_assert_true (ts_experiment_set (exp, "data.image_shape", "1,8,9", NULL));
  g_assert_false (ts_splits_load (exp, &s, NULL, &error));
  g_assert_nonnull (strstr (error->message, "data.image_shape: [1,8,9] is 72 values, but the rows of"));
}

/* every list key takes KEY=5,6,7 and KEY=[5,6,7], writes back what sets
 * it again; bad entries and lengths name the key */
static void
test_list_keys (void)
{
  const char *keys[] = { "data.class_subset", "data.image_shape", "data.resize" };
  const char *values[] = { "5,6,7,8,9", "1,8,8", "28,28" };

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      g_autoptr(TsExperiment) a = ts_experiment_new_default (), b = ts_experiment_new_default ();
      g_autofree char *json = g_strdup_printf ("[%s]", values[k]), *text = NULL, *ja = NULL, *jb = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (ts_experiment_set (a, keys[k], values[k], &error));
      g_assert_true (ts_experiment_set (b, keys[k], json, &error));
      g_assert_no_error (error);
      text = ts_experiment_get_text (a, keys[k]);
      g_assert_cmpstr (text, ==, values[k]);
      ja = ts_experiment_to_json (a);
      jb = ts_experiment_to_json (b);
      g_assert_cmpstr (ja, ==, jb);
    }
  {
    g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
    g_autoptr(GError) error = NULL;
    g_assert_false (ts_experiment_set (exp, "data.class_subset", "5,x", &error));
    g_assert_nonnull (strstr (error->message, "data.class_subset[1]: \"x\" is not a number"));
    g_clear_error (&error);
    g_assert_true (ts_experiment_set (exp, "data.class_subset", "5,5", NULL));
    g_assert_false (ts_experiment_validate (exp, &error));
    g_assert_nonnull (strstr (error->message, "data.class_subset[1]: class 5 is already data.class_subset[0]"));
    g_clear_error (&error);
    g_assert_true (ts_experiment_set (exp, "data.class_subset", "", NULL));
    g_assert_true (ts_experiment_set (exp, "data.resize", "28", NULL));
    g_assert_false (ts_experiment_validate (exp, &error));
    g_assert_nonnull (strstr (error->message, "data.resize: expected 2 numbers, [H,W], or none (got 1)"));
    g_clear_error (&error);
    g_assert_true (ts_experiment_set (exp, "data.resize", "", NULL));
    g_assert_true (ts_experiment_set (exp, "data.image_shape", "1,8,8", NULL));
    g_assert_false (ts_experiment_validate (exp, &error));
    g_assert_nonnull (strstr (error->message, "data.image_shape: only for csv: sources"));
  }
}

/* trainable and lr_scale in the layers' JSON and text, written back the
 * same; model.freeze checked against the entries */
static void
test_layer_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) exp = ts_experiment_from_json (
    "{\"model\": {\"freeze\": 1, \"reinit_head\": true, \"layers\": [{\"type\": \"dense\", \"units\": 8, "
    "\"trainable\": false}, {\"type\": \"batchnorm\", \"lr_scale\": 0.5}, {\"units\": 4, \"lr_scale\": 0.1}]}}",
    -1, &error);
  g_autoptr(TsExperiment) back = NULL;
  g_autofree char *text = NULL, *json = NULL, *again = NULL;

  g_assert_no_error (error);
  g_assert_true (ts_experiment_layer_frozen (exp, 0));
  g_assert_false (ts_experiment_layer_frozen (exp, 1));
  g_assert_cmpint (exp->model.reinit_head, ==, TS_REINIT_TRUE);
  text = ts_experiment_get_text (exp, "model.layers");
  g_assert_cmpstr (text, ==, "8:frozen,bn:lr=0.5,4:lr=0.1");
  back = ts_experiment_new_default ();
  g_assert_true (ts_experiment_set (back, "model.layers", text, &error));
  g_assert_true (ts_experiment_set (back, "model.freeze", "1", &error));
  g_assert_true (ts_experiment_set (back, "model.reinit_head", "true", &error));
  g_assert_no_error (error);
  json = ts_experiment_to_json (exp);
  again = ts_experiment_to_json (back);
  g_assert_cmpstr (json, ==, again);
  g_assert_nonnull (strstr (json, "\"lr_scale\" : 0.10000000000000001") ? json : strstr (json, "\"lr_scale\" : 0.1"));
  g_assert_false (ts_experiment_set (back, "model.layers", "8:lr=0", &error));
  g_assert_nonnull (strstr (error->message, "model.layers[0].lr_scale: must be in (0, 1000]"));
  g_clear_error (&error);
  g_assert_false (ts_experiment_set (back, "model.layers", "8:tanh:relu", &error));
  g_assert_nonnull (strstr (error->message, "model.layers[0]: a second activation (\"relu\")"));
  g_clear_error (&error);
  g_assert_true (ts_experiment_set (back, "model.freeze", "4", &error));
  g_assert_false (ts_experiment_validate (back, &error));
  g_assert_nonnull (strstr (error->message, "model.freeze: 4 is more than model.layers holds (3 entries"));
}

/* whether the state of hidden layers [0, n) (weights, biases, γ, β,
 * running statistics) is `before`'s, bit for bit */
static gboolean
body_unchanged (TsNet *net, guint n_body_tensors, const float *before)
{
  for (guint i = 0; i < n_body_tensors; i++)
    {
      const TsNetTensor *tensor = &g_array_index (ts_net_tensors (net), TsNetTensor, i);
      gsize n = tensor->dtype == TS_DTYPE_I64 ? 1 : ts_shape_numel (&tensor->shape);
      if (memcmp (ts_net_state (net) + tensor->offset, before + tensor->offset, sizeof (float) * n) != 0)
        return FALSE;
    }
  return TRUE;
}

/* fastai's recipe (model.unfreeze_after 2, unfreeze_lr_decay 0.5): the
 * body — dense, batch norm, dense, dense — is bit-identical through epoch
 * 2 while the head learns, then every layer moves, at 1 (top stage), 0.5
 * and 0.25 (the first stage, its batch norm too) of the rate; Adam starts
 * each unfrozen layer afresh: its first step moves every weight by at most
 * lr·scale (m̂/√v̂ = ±1), not the 3.2 times that a bias correction counting
 * the run's steps would give. */
static void
test_unfreeze_after (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 4);
  g_autoptr(TsTraining) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *start = NULL, *before_step = NULL;
  const float want_scale[] = { 0.25f, 0.25f, 0.5f, 1.f, 1.f };
  guint n_body = 0, L;
  gsize n;

  g_assert_true (ts_experiment_set (exp, "model.layers", "16,bn,12,8", &error));
  g_assert_true (ts_experiment_set (exp, "train.optimizer", "adam", &error));
  g_assert_true (ts_experiment_set (exp, "train.lr", "0.01", &error));
  g_assert_true (ts_experiment_set (exp, "model.unfreeze_after", "2", &error));
  g_assert_true (ts_experiment_set (exp, "model.unfreeze_lr_decay", "0.5", &error));
  g_assert_no_error (error);
  t = ts_training_new (exp, NULL, &error);
  g_assert_no_error (error);
  L = ts_net_n_layers (t->net);
  n = ts_net_state_size (t->net);
  start = g_memdup2 (ts_net_state (t->net), sizeof (float) * n);
  before_step = g_new (float, ts_net_n_params (t->net));
  /* the body's tensors: all but the output layer's weight and bias */
  n_body = ts_net_tensors (t->net)->len - 2;
  for (guint epoch = 0; epoch < 4; epoch++)
    {
      if (epoch == 2)
        memcpy (before_step, ts_net_params (t->net), sizeof (float) * ts_net_n_params (t->net));
      do
        {
          ts_training_step (t);
          for (guint l = 0; t->batch == 1 && l + 1 < L; l++)
            if (ts_net_layer_frozen (t->net, l) != (epoch < 2))
              g_error ("epoch %u: hidden layer %u %s", epoch + 1, l, epoch < 2 ? "trains" : "frozen");
          if (epoch == 2 && t->batch == 1)
            {
              /* the first step after unfreezing: the rates of the rule, and Adam from zero */
              for (guint l = 0; l < L; l++)
                {
                  TsShape shape;
                  const float *w = ts_net_layer_weights (t->net, l, &shape);
                  gsize at = ts_net_layer_weights_offset (t->net, l);
                  float bound = 0.01f * want_scale[l], largest = 0.f;
                  g_assert_false (ts_net_layer_frozen (t->net, l));
                  g_assert_cmpfloat (ts_net_layer_lr_scale (t->net, l), ==, want_scale[l]);
                  if (l + 1 == L)
                    continue; /* the head has trained since the start */
                  for (gsize i = 0; i < ts_shape_numel (&shape); i++)
                    largest = MAX (largest, fabsf (w[i] - before_step[at + i]));
                  if (!(largest <= bound * 1.001f && largest >= bound * 0.9f))
                    g_error ("hidden layer %u: first step after unfreezing moved a weight by up to %g, want lr·scale %g",
                             l, largest, bound);
                }
            }
        }
      while (t->batch != 0);
      if ((epoch < 2) != body_unchanged (t->net, n_body, start))
        g_error ("after epoch %u the body %s", epoch + 1, epoch < 2 ? "moved" : "did not move");
    }
  g_assert_false (body_unchanged (t->net, ts_net_tensors (t->net)->len, start)); /* the head learned */
}

/* the recipe's keys refuse what cannot work, naming the key */
static void
test_unfreeze_errors (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 5);
  g_autoptr(GError) error = NULL;

  g_assert_true (ts_experiment_set (exp, "model.layers", "16,8", &error));
  g_assert_true (ts_experiment_set (exp, "model.unfreeze_after", "5", &error));
  g_assert_false (ts_experiment_validate (exp, &error));
  g_assert_nonnull (strstr (error->message, "model.unfreeze_after: 5 is not less than train.epochs (5)"));
  g_clear_error (&error);
  g_assert_true (ts_experiment_set (exp, "model.unfreeze_after", "2", &error));
  g_assert_true (ts_experiment_set (exp, "model.unfreeze_lr_decay", "2", &error));
  g_assert_false (ts_experiment_validate (exp, &error));
  g_assert_nonnull (strstr (error->message, "model.unfreeze_lr_decay: must be in (0, 1] (got 2)"));
  g_clear_error (&error);
  g_assert_false (ts_experiment_set (exp, "model.unfreeze_lr_decay", "0", &error));
  g_assert_nonnull (strstr (error->message, "model.unfreeze_lr_decay"));
  g_clear_error (&error);
  g_assert_true (ts_experiment_set (exp, "model.unfreeze_lr_decay", "1", &error));
  g_assert_true (ts_experiment_set (exp, "model.freeze", "2", &error));
  g_assert_false (ts_experiment_validate (exp, &error));
  g_assert_nonnull (strstr (error->message, "model.unfreeze_after: no entry of model.layers would unfreeze"));
  g_clear_error (&error);
  /* a layer model.freeze keeps stays frozen after the others unfreeze */
  g_assert_true (ts_experiment_set (exp, "model.freeze", "1", &error));
  g_assert_true (ts_experiment_validate (exp, &error));
  {
    g_autoptr(GArray) late = ts_experiment_layers_at_epoch (exp, 2), early = ts_experiment_layers_at_epoch (exp, 1);
    g_assert_true (g_array_index (late, TsLayerSpec, 0).frozen && !g_array_index (late, TsLayerSpec, 1).frozen);
    g_assert_true (g_array_index (early, TsLayerSpec, 1).frozen);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/finetune/torch-parent", test_torch_parent_matches_pytorch);
  g_test_add_func ("/core/finetune/frozen-bit-identical", test_frozen_bit_identical);
  g_test_add_func ("/core/finetune/frozen-work-skipped", test_frozen_work_skipped);
  g_test_add_func ("/core/finetune/init-from-errors", test_init_from_errors);
  g_test_add_func ("/core/finetune/class-subset", test_class_subset);
  g_test_add_func ("/core/finetune/resize", test_resize_values);
  g_test_add_func ("/core/finetune/digits-csv-gz", test_digits_csv_gz);
  g_test_add_func ("/core/finetune/list-keys", test_list_keys);
  g_test_add_func ("/core/finetune/layer-keys", test_layer_keys);
  g_test_add_func ("/core/finetune/unfreeze-after", test_unfreeze_after);
  g_test_add_func ("/core/finetune/unfreeze-errors", test_unfreeze_errors);
  return g_test_run ();
}
