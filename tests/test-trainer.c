/* The trainer thread: commands, stop latency, metrics read while it runs,
 * and the run directory it writes. */
#include "test-util.h"

#include <unistd.h>

#include <glib/gstdio.h>

static void
wait_for (TsTrainer *tr, gboolean (*cond) (TsTrainer *))
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!cond (tr))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
}

static gboolean
has_steps (TsTrainer *tr)
{
  TsMetricLog *steps = ts_trainer_get_steps (tr);
  return steps && ts_metric_log_length (steps) > 5;
}

static gboolean
is_paused (TsTrainer *tr)
{
  return ts_trainer_get_state (tr) == TS_RUN_PAUSED;
}

static TsExperiment *
long_experiment (void)
{
  TsExperiment *exp = quick_experiment ("builtin:spiral", 100000);
  exp->data.samples = 6000;
  return exp;
}

static void
test_stop_within_100ms (void)
{
  g_autoptr(TsExperiment) exp = long_experiment ();
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, NULL);
  gint64 t0;
  double ms;

  ts_trainer_start (tr);
  wait_for (tr, has_steps);
  t0 = g_get_monotonic_time ();
  ts_trainer_stop (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_STOPPED);
  ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_test_message ("stopped in %.2f ms", ms);
  g_assert_cmpfloat (ms, <, 100);
}

static void
test_pause_step_resume (void)
{
  g_autoptr(TsExperiment) exp = long_experiment ();
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, NULL);
  TsMetricLog *steps;
  gsize before;

  ts_trainer_start (tr);
  wait_for (tr, has_steps);
  ts_trainer_pause (tr);
  wait_for (tr, is_paused);
  steps = ts_trainer_get_steps (tr);
  before = ts_metric_log_length (steps);
  g_usleep (50000);
  g_assert_cmpuint (ts_metric_log_length (steps), ==, before); /* really paused */
  ts_trainer_step (tr);
  ts_trainer_step (tr);
  while (ts_metric_log_length (steps) < before + 2)
    g_usleep (1000);
  g_usleep (30000);
  g_assert_cmpuint (ts_metric_log_length (steps), ==, before + 2); /* exactly two batches */
  g_assert_cmpint (ts_trainer_get_state (tr), ==, TS_RUN_PAUSED);
  ts_trainer_resume (tr);
  while (ts_metric_log_length (steps) < before + 50)
    g_usleep (1000);
  ts_trainer_stop (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_STOPPED);
}

static void
test_set_lr_while_running (void)
{
  g_autoptr(TsExperiment) exp = long_experiment ();
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, NULL);
  TsMetricLog *steps;
  gsize n;

  ts_trainer_start (tr);
  wait_for (tr, has_steps);
  ts_trainer_set_lr (tr, 0.0123);
  steps = ts_trainer_get_steps (tr);
  n = ts_metric_log_length (steps);
  while (ts_metric_log_length (steps) < n + 10)
    g_usleep (1000);
  n = ts_metric_log_length (steps);
  g_assert_cmpfloat (fabs (ts_metric_log_step (steps, n - 1)->lr - 0.0123), <, 1e-7);
  ts_trainer_stop (tr);
  ts_trainer_wait (tr);
}

static char *read_file (const char *dir, const char *name);

/* ÷2 then ÷5 by hand while paused: one change to a tenth, taken from the
 * next step on, in steps.csv, metrics.csv and summary.json */
static void
test_divide_lr_by_hand (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 3);
  g_autoptr(TsTrainer) tr = NULL;
  g_autofree char *steps = NULL, *metrics = NULL, *summary = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *changes;
  guint64 changed_at, first_new = 0;
  TsProgress p;

  exp->data.samples = 6000;
  tr = ts_trainer_new (exp, run);
  ts_trainer_start (tr);
  wait_for (tr, has_steps);
  ts_trainer_pause (tr);
  wait_for (tr, is_paused);
  ts_trainer_divide_lr (tr, 2);
  ts_trainer_divide_lr (tr, 5); /* composes with the pending ÷2 */
  ts_trainer_resume (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  ts_trainer_get_progress (tr, &p);
  g_assert_cmpfloat (fabs (p.base_lr - exp->train.lr / 10), <, 1e-12);

  summary = read_file (run, "summary.json");
  root = json_from_string (summary, NULL);
  changes = json_object_get_array_member (json_node_get_object (root), "lr_changes");
  g_assert_cmpuint (json_array_get_length (changes), ==, 1);
  changed_at = json_object_get_int_member (json_array_get_object_element (changes, 0), "step");
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (changes, 0), "from"), ==, 0.1);
  g_assert_cmpfloat (fabs (json_object_get_double_member (json_array_get_object_element (changes, 0), "to") - 0.01),
                     <, 1e-12);
  g_assert_cmpuint (changed_at, >, 5);

  /* steps.csv: 0.1 up to the change, 0.01 from the next step on */
  steps = read_file (run, "steps.csv");
  lines = g_strsplit (steps, "\n", -1);
  for (guint i = 1; lines[i] && *lines[i]; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);
      guint64 step = g_ascii_strtoull (f[0], NULL, 10);
      double lr = g_ascii_strtod (f[2], NULL);
      g_assert_cmpfloat (fabs (lr - (step <= changed_at ? 0.1 : 0.01)), <, 1e-7);
      if (step > changed_at && first_new == 0)
        first_new = step;
    }
  g_assert_cmpuint (first_new, ==, changed_at + 1);
  /* metrics.csv: the last epoch trained at the new LR */
  metrics = read_file (run, "metrics.csv");
  g_clear_pointer (&lines, g_strfreev);
  lines = g_strsplit (metrics, "\n", -1);
  {
    g_auto(GStrv) f = g_strsplit (lines[3], ",", -1);
    g_assert_cmpfloat (fabs (g_ascii_strtod (f[2], NULL) - 0.01), <, 1e-7);
  }
}

/* Readers on another thread see a consistent, growing log (run under TSan). */
static void
test_concurrent_readers (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 60);
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, NULL);
  gsize last = 0;
  TsProgress p;

  ts_trainer_start (tr);
  while (!ts_run_state_is_final (ts_trainer_get_state (tr)))
    {
      TsMetricLog *steps = ts_trainer_get_steps (tr);
      if (steps)
        {
          gsize n = ts_metric_log_length (steps);
          g_assert_cmpuint (n, >=, last);
          for (gsize i = last; i < n; i++)
            g_assert_cmpuint (ts_metric_log_step (steps, i)->step, ==, i + 1);
          last = n;
        }
      ts_trainer_get_progress (tr, &p);
    }
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  ts_trainer_get_progress (tr, &p);
  g_assert_cmpuint (p.epoch, ==, 60);
  g_assert_cmpfloat (p.train_acc, >, 0.95);
}

static char *
read_file (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static void
test_run_directory (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:moons", 8);
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, run);
  g_autofree char *metrics = NULL, *steps = NULL, *summary = NULL, *advice = NULL, *resolved = NULL;
  g_autofree char *model_path = g_build_filename (run, "model.safetensors", NULL);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsModel) model = NULL;
  g_autoptr(TsExperiment) reread = NULL;

  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  metrics = read_file (run, "metrics.csv");
  lines = g_strsplit (metrics, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "epoch,step,lr,train_loss,train_acc,val_loss,val_acc,seconds");
  g_assert_cmpuint (g_strv_length (lines), ==, 8 + 2); /* header, 8 rows, trailing "" */
  steps = read_file (run, "steps.csv");
  g_assert_true (g_str_has_prefix (steps, "step,epoch,lr,loss\n1,1,"));
  summary = read_file (run, "summary.json");
  g_assert_nonnull (strstr (summary, "\"samples_per_second\""));
  g_assert_nonnull (strstr (summary, "\"blas_core\""));
  g_assert_nonnull (strstr (summary, "\"diverged\" : false"));
  advice = read_file (run, "advice.json");
  g_assert_nonnull (strstr (advice, "\"advice\""));
  resolved = read_file (run, "experiment.json");
  reread = ts_experiment_from_json (resolved, -1, &error);
  g_assert_no_error (error);
  /* the saved model reloads bit-exact, experiment and preprocessing included */
  model = ts_model_load (model_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (model->experiment->data.preprocess, ==, TS_PRE_STANDARDIZE);
  g_assert_nonnull (model->preprocess->std);
  g_assert_cmpuint (model->net->in_dim, ==, 2);
  g_assert_cmpuint (model->net->n_classes, ==, 2);
}

static void
test_diverged_run_writes_no_model (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 10);
  g_autoptr(TsTrainer) tr = NULL;
  g_autofree char *summary = NULL, *advice = NULL;
  g_autofree char *model = g_build_filename (dir, "model.safetensors", NULL);

  exp->train.lr = 1e6;
  exp->train.optimizer = TS_OPT_SGD;
  exp->data.preprocess = TS_PRE_NONE;
  tr = ts_trainer_new (exp, dir);
  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DIVERGED);
  summary = read_file (dir, "summary.json");
  g_assert_nonnull (strstr (summary, "\"diverged\" : true"));
  advice = read_file (dir, "advice.json");
  g_assert_nonnull (strstr (advice, "\"diverged\""));
  g_assert_false (g_file_test (model, G_FILE_TEST_EXISTS));
}

static void
test_bad_source_fails_cleanly (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("idx:/nonexistent", 1);
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, NULL);
  g_autoptr(GError) error = NULL;

  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_FAILED);
  error = ts_trainer_dup_error (tr);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/nonexistent"));
}

static void
test_stop_while_loading (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("fashion-mnist", 1);
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, NULL);
  gint64 t0;

  ts_trainer_start (tr);
  while (ts_trainer_get_state (tr) != TS_RUN_LOADING)
    g_usleep (100);
  g_usleep (20000);
  t0 = g_get_monotonic_time ();
  ts_trainer_stop (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_STOPPED);
  g_test_message ("stopped while loading in %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 100000);
}

/* The window's runs share a process: two into one folder exclude each
 * other too (flock is per open file, not per process), and the second is
 * refused naming the first. The lock lasts as long as the first trainer. */
static void
test_one_run_per_folder (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 100000);
  g_autoptr(TsTrainer) first = ts_trainer_new (exp, dir);
  g_autoptr(TsTrainer) second = ts_trainer_new (exp, dir);
  g_autoptr(TsTrainer) third = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *holder = g_strdup_printf ("another run is writing this folder (pid %d on ", (int) getpid ());

  ts_trainer_start (first);
  while (ts_trainer_get_state (first) != TS_RUN_RUNNING)
    g_usleep (1000);
  ts_trainer_start (second);
  g_assert_cmpint (ts_trainer_wait (second), ==, TS_RUN_FAILED);
  error = ts_trainer_dup_error (second);
  g_assert_error (error, TS_ERROR, TS_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, dir));
  g_assert_nonnull (strstr (error->message, holder));
  ts_trainer_stop (first);
  g_assert_cmpint (ts_trainer_wait (first), ==, TS_RUN_STOPPED);
  /* its summary is written; the folder stays its own until it is freed */
  third = ts_trainer_new (exp, dir);
  ts_trainer_start (third);
  g_assert_cmpint (ts_trainer_wait (third), ==, TS_RUN_FAILED);
  g_clear_pointer (&third, ts_trainer_unref);
  g_clear_pointer (&first, ts_trainer_unref);
  third = ts_trainer_new (exp, dir); /* a stopped run of the same experiment: run again */
  ts_trainer_start (third);
  while (ts_trainer_get_state (third) < TS_RUN_RUNNING)
    g_usleep (1000);
  ts_trainer_stop (third);
  g_assert_cmpint (ts_trainer_wait (third), ==, TS_RUN_STOPPED);
}

/* stopped while loading: summary.json says "interrupted" and why */
static void
test_interrupted_summary (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(TsExperiment) exp = quick_experiment ("fashion-mnist", 1);
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) summary = NULL;
  TsRunSummary read;

  ts_trainer_start (tr);
  while (ts_trainer_get_state (tr) != TS_RUN_LOADING)
    g_usleep (100);
  g_usleep (20000);
  ts_trainer_stop (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_STOPPED);
  summary = ts_trainer_dup_summary (tr);
  g_assert_nonnull (summary);
  g_assert_true (ts_run_dir_load_summary (dir, &read, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (read.state, ==, "interrupted");
  g_assert_cmpstr (read.error, ==, "interrupted while loading the data");
  ts_run_summary_clear (&read);
}

static void
report_progress (double fraction, gpointer data)
{
  GArray *seen = data;
  g_array_append_val (seen, fraction);
}

static void
test_load_progress (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("fashion-mnist", 1);
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (double));
  TsLoadContext ctx = { NULL, report_progress, seen };
  TsSourceData data = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (ts_source_load (&exp->data, 1, &data, &ctx, &error));
  g_assert_cmpuint (seen->len, >, 10);
  for (guint i = 1; i < seen->len; i++)
    g_assert_cmpfloat (g_array_index (seen, double, i), >=, g_array_index (seen, double, i - 1));
  g_assert_cmpfloat (g_array_index (seen, double, seen->len - 1), ==, 1.0);
  ts_source_data_clear (&data);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/trainer/stop-within-100ms", test_stop_within_100ms);
  g_test_add_func ("/core/trainer/pause-step-resume", test_pause_step_resume);
  g_test_add_func ("/core/trainer/set-lr", test_set_lr_while_running);
  g_test_add_func ("/core/trainer/divide-lr-by-hand", test_divide_lr_by_hand);
  g_test_add_func ("/core/trainer/concurrent-readers", test_concurrent_readers);
  g_test_add_func ("/core/trainer/run-directory", test_run_directory);
  g_test_add_func ("/core/trainer/diverged", test_diverged_run_writes_no_model);
  g_test_add_func ("/core/trainer/bad-source", test_bad_source_fails_cleanly);
  g_test_add_func ("/core/trainer/stop-while-loading", test_stop_while_loading);
  g_test_add_func ("/core/trainer/load-progress", test_load_progress);
  g_test_add_func ("/core/trainer/one-run-per-folder", test_one_run_per_folder);
  g_test_add_func ("/core/trainer/interrupted-summary", test_interrupted_summary);
  return g_test_run ();
}
