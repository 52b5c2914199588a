/* Issue 12: sizes that are checked, not crashed into, and nets deeper than
 * the old 15-layer cap, end to end. */
#include "test-util.h"

#include <string.h>

static char *
layer_list (guint n, guint units)
{
  GString *list = g_string_new (NULL);
  for (guint l = 0; l < n; l++)
    g_string_append_printf (list, "%s%u", l ? "," : "", units);
  return g_string_free (list, FALSE);
}

/* refused at validation with the estimate, before any data is loaded (the
 * spiral's two inputs and three classes are known without loading it) */
static void
test_validation_refuses_a_huge_net (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;
  TsFootprint f;

  g_assert_true (ts_experiment_set (exp, "model.layers", "1000000,1000000", NULL));
  g_assert_false (ts_experiment_validate (exp, &error));
  g_assert_error (error, TS_ERROR, TS_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "model.layers: 1000007000003 parameters with their gradients and "
                                                   "optimizer state, and the activations at train.batch_size 64, "
                                                   "need about 20024.7 GB; this machine has "));
  g_assert_true (g_str_has_suffix (error->message, " GB (a run may use half)"));
  /* momentum: parameters, gradients, velocity, update copy, snapshot */
  f = ts_experiment_footprint (exp, 1, 2);
  g_assert_cmpfloat (f.params, ==, 1000005000002.0);
  g_assert_cmpfloat (f.param_bytes, ==, 4.0 * 5 * 1000005000002.0);
  /* Adam keeps one block more */
  g_assert_true (ts_experiment_set (exp, "train.optimizer", "adam", NULL));
  g_assert_cmpfloat (ts_experiment_footprint (exp, 1, 2).param_bytes, ==, 4.0 * 6 * 1000005000002.0);
}

/* the activations name the batch: 65536 rows of 10⁵ units */
static void
test_validation_names_the_batch (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ts_experiment_set (exp, "model.layers", "100000", NULL));
  g_assert_true (ts_experiment_set (exp, "train.batch_size", "65536", NULL));
  g_assert_false (ts_experiment_validate (exp, &error));
  g_assert_true (g_str_has_prefix (error->message, "train.batch_size: the activations of 2 layers at train.batch_size "
                                                   "65536, and 600003 parameters, need about 78.7 GB"));
  /* the same layers at the default batch fit */
  g_assert_true (ts_experiment_set (exp, "train.batch_size", "64", NULL));
  g_assert_true (ts_experiment_validate (exp, NULL));
}

/* what passes the lower bound (one input, when the source's shape is
 * known only from its file) may fail once the data is: 64 rows of 2000
 * features into 10⁶ units, to 2 classes */
static void
test_training_checks_with_the_data (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *csv = g_build_filename (dir, "wide.csv", NULL);
  g_autofree char *source = g_strconcat ("csv:", csv, NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(TsExperiment) exp = quick_experiment (source, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTraining) t = NULL;
  TsShape input;

  for (guint r = 0; r < 64; r++)
    {
      for (guint c = 0; c < 2000; c++)
        g_string_append_printf (text, "%u,", (r * 7 + c) % 10);
      g_string_append_printf (text, "%u\n", r % 2);
    }
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  g_assert_true (ts_experiment_set (exp, "model.layers", "1000000", NULL));
  g_assert_false (ts_experiment_input_shape (exp, &input));
  g_assert_true (ts_experiment_validate (exp, NULL));
  t = ts_training_new (exp, NULL, &error);
  g_assert_null (t);
  g_assert_error (error, TS_ERROR, TS_ERROR_INVALID);
  if (!g_str_has_prefix (error->message, "model.layers: 2003000002 parameters with their gradients and "
                                         "optimizer state"))
    g_error ("%s", error->message);
  /* builtin:shapes' [3,32,32] is known before loading: validation refuses */
  g_clear_error (&error);
  g_free (exp->data.source);
  exp->data.source = g_strdup ("builtin:shapes");
  g_assert_false (ts_experiment_validate (exp, &error));
  g_assert_true (g_str_has_prefix (error->message, "model.layers: 3076000003 parameters with their gradients and "
                                                   "optimizer state"));
}

/* an IDX folder's image size is known only once read: the trainer counts
 * the conv layers with the loaded [1,64,64] (counted on a vector, the conv
 * layers would not count and one 275 GB buffer would be asked for) */
static void
test_training_counts_conv_with_the_data (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *source = g_strconcat ("idx:", dir, NULL);
  g_autoptr(TsExperiment) exp = quick_experiment (source, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTraining) t = NULL;
  const guint n = 16, side = 64;
  GByteArray *images = g_byte_array_new (), *labels = g_byte_array_new ();
  guint8 images_head[16] = { 0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, side, 0, 0, 0, side };
  guint8 labels_head[8] = { 0, 0, 8, 1, 0, 0, 0, n };
  g_autofree char *images_path = g_build_filename (dir, "train-images-idx3-ubyte", NULL);
  g_autofree char *labels_path = g_build_filename (dir, "train-labels-idx1-ubyte", NULL);
  TsShape input;

  g_byte_array_append (images, images_head, sizeof images_head);
  g_byte_array_append (labels, labels_head, sizeof labels_head);
  for (guint i = 0; i < n * side * side; i++)
    g_byte_array_append (images, (guint8[]) { (guint8) (i * 37) }, 1);
  for (guint i = 0; i < n; i++)
    g_byte_array_append (labels, (guint8[]) { (guint8) (i % 2) }, 1);
  g_assert_true (g_file_set_contents (images_path, (const char *) images->data, images->len, NULL));
  g_assert_true (g_file_set_contents (labels_path, (const char *) labels->data, labels->len, NULL));
  g_byte_array_unref (images);
  g_byte_array_unref (labels);

  g_assert_true (ts_experiment_set (exp, "model.layers", "conv256x3/same,maxpool2,gap", NULL));
  g_assert_true (ts_experiment_set (exp, "train.batch_size", "65536", NULL));
  g_assert_false (ts_experiment_input_shape (exp, &input));
  g_assert_true (ts_experiment_validate (exp, NULL)); /* a lower bound: the shape is not known yet */
  t = ts_training_new (exp, NULL, &error);
  g_assert_null (t);
  g_assert_error (error, TS_ERROR, TS_ERROR_INVALID);
  if (!g_str_has_prefix (error->message, "train.batch_size: the activations of 4 layers at train.batch_size 65536"))
    g_error ("%s", error->message);
}

/* a conv net's estimate, counted by hand: [1,28,28] → conv 8 3×3 same →
 * batchnorm → max pool 2 → global average → 10 classes */
static void
test_cnn_footprint (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  TsShape input = { 3, { 1, 28, 28 } };
  TsFootprint f;
  double rows = 1024; /* the evaluation chunk, over the batch of 64 */
  double row_floats = 4 * 8 * 28 * 28    /* conv: z, a, y, ∂ per element */
                      + 3 * 8 * 28 * 28  /* batchnorm: x̂, output, gradient */
                      + 4 * 8 * 14 * 14  /* pool */
                      + 3 * 8            /* global average */
                      + 3 * 10           /* output */
                      + 2 * 784;         /* the batch and its raw copy */
  double im2col = 2.0 * 8 * (1 * 3 * 3 * 28 * 28) * ts_blas_threads (); /* 8 samples' columns and their gradient */

  g_assert_true (ts_experiment_set (exp, "model.layers", "conv8x3/same,bn,maxpool2,gap", NULL));
  f = ts_experiment_footprint_shaped (exp, &input, 10);
  g_assert_cmpfloat (f.params, ==, (8 * 9 + 8) + 2 * 8 + (8 * 10 + 10));
  /* the running mean and variance, and their published copy */
  g_assert_cmpfloat (f.param_bytes, ==, 4.0 * (f.params * 5 + 2 * (2 * 8)));
  g_assert_cmpfloat (f.act_bytes, ==, 4.0 * (rows * row_floats + im2col));
}

/* a CNN whose activations at its batch would not fit is refused with the
 * estimate at validation, naming the batch: two 64-filter convolutions
 * over 28×28 at 65536 rows (~119 GB; at 64 rows, evaluated 1024 at a
 * time, ~1.7 GB) */
static void
test_cnn_refused (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;

  g_free (exp->data.source);
  exp->data.source = g_strdup ("fashion-mnist");
  g_assert_true (ts_experiment_set (exp, "model.layers", "conv64x3/same,conv64x3/same,maxpool2,128", NULL));
  g_assert_true (ts_experiment_validate (exp, NULL)); /* at batch 64 it fits */
  g_assert_true (ts_experiment_set (exp, "train.batch_size", "65536", NULL));
  g_assert_false (ts_experiment_validate (exp, &error));
  g_assert_error (error, TS_ERROR, TS_ERROR_INVALID);
  if (!g_str_has_prefix (error->message, "train.batch_size: the activations of 5 layers at train.batch_size 65536, "
                                         "and 1644618 parameters, need about "))
    g_error ("%s", error->message);
}

static void
test_probe_refuses_a_huge_grid (void)
{
  TsProbeSpec spec = { 15, 10000, 100000, 0.01, 7, FALSE };
  TsInit init = TS_INIT_SMALL;
  TsActivation act = TS_ACT_TANH;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsProbeGrid) grid = ts_probe_grid_new (&spec, &init, 1, &act, 1, NULL, 0, 2, &error);

  g_assert_null (grid);
  g_assert_error (error, TS_ERROR, TS_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "probe: 15 layers of 10000 units over 100000 samples, on 1 threads, "
                                                   "need about "));
}

/* 64 hidden layers train, are measured layer by layer, diagnosed, written
 * and read back */
static void
test_sixty_four_layers (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *list = layer_list (64, 16);
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 2);
  g_autoptr(TsTrainer) tr = NULL;
  g_autoptr(TsMetricLog) loaded = NULL;
  g_autoptr(GPtrArray) advice = NULL;
  g_autoptr(GError) error = NULL;
  TsTraining *t;
  TsMetricLog *live;
  const TsStatsRecord *last;

  g_assert_true (ts_experiment_set (exp, "model.layers", list, NULL));
  g_assert_true (ts_experiment_validate (exp, NULL));
  tr = ts_trainer_new (exp, dir);
  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  live = ts_trainer_get_stats (tr);
  g_assert_cmpuint (ts_metric_log_length (live), >=, 10);
  last = ts_metric_log_get (live, ts_metric_log_length (live) - 1);
  g_assert_cmpuint (last->n_layers, ==, 65);
  for (guint l = 0; l < 65; l++) /* every layer measured, the deepest too */
    {
      guint total = 0;
      for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
        total += last->layers[l].hist[TS_HIST_WEIGHTS].counts[b];
      g_assert_cmpuint (total, ==, l == 0 ? 2 * 16 : l < 64 ? 16 * 16 : 16 * 3);
      g_assert_true (isfinite (last->layers[l].update_ratio));
    }
  loaded = ts_run_dir_load_stats (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ts_metric_log_length (loaded), ==, ts_metric_log_length (live));
  g_assert_cmpuint (((const TsStatsRecord *) ts_metric_log_get (loaded, 0))->n_layers, ==, 65);
  g_assert_cmpfloat (((const TsStatsRecord *) ts_metric_log_get (loaded, ts_metric_log_length (loaded) - 1))
                       ->layers[63].act_std, ==, last->layers[63].act_std);
  /* the advisor reads all 65 */
  t = train_to_end (exp);
  {
    TsAdvisorInput in = { t->exp, t->steps, t->epochs, t->stats, t->net->n_classes, t->diverged };
    advice = ts_advisor_diagnose (&in);
  }
  g_assert_cmpuint (advice->len, >=, 1);
  ts_training_free (t);
}

/* a layers.csv whose measurements differ in depth is refused by line, not
 * read past a record's end */
static void
test_stats_file_of_mixed_depth (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 1);
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, dir);
  g_autofree char *path = g_build_filename (dir, "layers.csv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) edited = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsMetricLog) loaded = NULL;

  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  /* header, then a first measurement of 2 layers, then one of 1 layer */
  for (guint i = 0; lines[i] && *lines[i]; i++)
    if (i != 4) /* the second measurement's layer 2 (of 2) */
      g_string_append_printf (edited, "%s\n", lines[i]);
  g_assert_true (g_file_set_contents (path, edited->str, -1, NULL));
  loaded = ts_run_dir_load_stats (dir, &error);
  g_assert_null (loaded);
  g_assert_error (error, TS_ERROR, TS_ERROR_FORMAT);
  if (strstr (error->message, "layers.csv:4: the measurement at step 2 has 1 layers, the first one 2") == NULL)
    g_error ("%s", error->message);
}

/* the advisor's per-layer facts are sized to the net: before the first
 * measurement (no statistics yet) the rules still read the experiment's
 * activations — an init off by far gets the init that suits ReLU */
static void
test_advisor_before_any_measurement (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 1);
  g_autoptr(GPtrArray) advice = NULL;
  TsTraining *t;
  gboolean found = FALSE;

  g_assert_true (ts_experiment_set (exp, "model.init", "small", NULL));
  g_assert_true (ts_experiment_set (exp, "model.init_scale", "10", NULL));
  t = train_to_end (exp);
  {
    TsAdvisorInput in = { t->exp, t->steps, t->epochs, NULL, t->net->n_classes, t->diverged };
    advice = ts_advisor_diagnose (&in);
  }
  for (guint i = 0; i < advice->len; i++)
    {
      const TsAdvice *a = advice->pdata[i];
      if (strcmp (a->code, "initial_loss_unexpected") == 0)
        {
          g_assert_cmpstr (a->action, ==, "model.init=he");
          found = TRUE;
        }
    }
  g_assert_true (found);
  ts_training_free (t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/limits/validation-refuses-a-huge-net", test_validation_refuses_a_huge_net);
  g_test_add_func ("/core/limits/validation-names-the-batch", test_validation_names_the_batch);
  g_test_add_func ("/core/limits/training-checks-with-the-data", test_training_checks_with_the_data);
  g_test_add_func ("/core/limits/cnn-footprint", test_cnn_footprint);
  g_test_add_func ("/core/limits/training-counts-conv-with-the-data", test_training_counts_conv_with_the_data);
  g_test_add_func ("/core/limits/cnn-refused", test_cnn_refused);
  g_test_add_func ("/core/limits/probe-refuses-a-huge-grid", test_probe_refuses_a_huge_grid);
  g_test_add_func ("/core/limits/sixty-four-layers", test_sixty_four_layers);
  g_test_add_func ("/core/limits/stats-file-of-mixed-depth", test_stats_file_of_mixed_depth);
  g_test_add_func ("/core/limits/advisor-before-any-measurement", test_advisor_before_any_measurement);
  return g_test_run ();
}
