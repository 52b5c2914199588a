/* Checkpoints of one run: train.checkpoint_every, the cosine_restarts
 * schedule (SGDR) with a checkpoint at the end of each cycle, and the k-fold
 * split the search validates on. */
#include "test-util.h"

#include <string.h>

static void
test_cosine_restarts_schedule (void)
{
  TsTrainSpec train = { .epochs = 12, .schedule = { TS_SCHED_COSINE_RESTARTS, 5, 2.0, 3, 0, 3 } };

  /* three cycles of four epochs, each from the base LR down towards 0 */
  for (guint cycle = 0; cycle < 3; cycle++)
    {
      g_assert_cmpfloat (fabs (ts_schedule_lr (&train, 0.1, 4 * cycle, 0, 0) - 0.1), <, 1e-12);
      g_assert_cmpfloat (fabs (ts_schedule_lr (&train, 0.1, 4 * cycle + 2, 0, 0) - 0.05), <, 1e-12);
      g_assert_cmpfloat (ts_schedule_lr (&train, 0.1, 4 * cycle + 3, 0.99, 0), <, 1e-4);
    }
  /* one cycle is the plain cosine schedule */
  train.schedule.cycles = 1;
  for (double t = 0; t < 12; t += 0.7)
    {
      double restarts = ts_schedule_lr (&train, 0.1, (guint) t, t - floor (t), 0);
      train.schedule.type = TS_SCHED_COSINE;
      g_assert_cmpfloat (fabs (restarts - ts_schedule_lr (&train, 0.1, (guint) t, t - floor (t), 0)), <, 1e-12);
      train.schedule.type = TS_SCHED_COSINE_RESTARTS;
    }
}

static void
test_checkpoint_due (void)
{
  TsTrainSpec train = { .epochs = 12, .schedule = { TS_SCHED_NONE, 5, 2.0, 3, 0, 3 } };

  g_assert_false (ts_schedule_checkpoint_due (&train, 4)); /* neither key asks */
  train.checkpoint_every = 5;
  g_assert_true (ts_schedule_checkpoint_due (&train, 5));
  g_assert_true (ts_schedule_checkpoint_due (&train, 10));
  g_assert_false (ts_schedule_checkpoint_due (&train, 4));
  train.checkpoint_every = 0;
  train.schedule.type = TS_SCHED_COSINE_RESTARTS;
  g_assert_true (ts_schedule_checkpoint_due (&train, 4));
  g_assert_true (ts_schedule_checkpoint_due (&train, 12));
  g_assert_false (ts_schedule_checkpoint_due (&train, 6));
  g_assert_false (ts_schedule_checkpoint_due (&train, 0));
}

static void
test_cycles_must_divide_epochs (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ts_experiment_set (exp, "train.schedule.type", "cosine_restarts", NULL));
  g_assert_true (ts_experiment_set (exp, "train.schedule.cycles", "3", NULL));
  g_assert_false (ts_experiment_validate (exp, &error));
  g_assert_nonnull (strstr (error->message, "train.schedule.cycles: must divide train.epochs (got 3 cycles for 40 epochs)"));
  g_clear_error (&error);
  g_assert_true (ts_experiment_set (exp, "train.epochs", "30", NULL));
  g_assert_true (ts_experiment_validate (exp, &error));
  g_assert_false (ts_experiment_set (exp, "train.schedule.cycles", "0", &error));
  g_assert_nonnull (strstr (error->message, "train.schedule.cycles: must be a whole number in [1, 1000000] (got 0)"));
}

static float *
load_params (const char *path, gsize *n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsModel) m = ts_model_load (path, &error);

  g_assert_no_error (error);
  *n = m->net->n_params;
  return g_memdup2 (m->net->params, sizeof (float) * m->net->n_params);
}

static GPtrArray *
train_with_checkpoints (TsExperiment *exp, const char *run)
{
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, run);
  g_autoptr(GError) error = NULL;
  GPtrArray *paths;

  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  paths = ts_checkpoint_list (run, &error);
  g_assert_no_error (error);
  return paths;
}

static void
test_checkpoint_every (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *final = g_build_filename (run, "model.safetensors", NULL);
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:moons", 6);
  g_autoptr(GPtrArray) paths = NULL;
  g_autofree float *last = NULL, *model = NULL, *first = NULL;
  gsize n_last, n_model, n_first;

  exp->train.checkpoint_every = 2;
  paths = train_with_checkpoints (exp, run);
  g_assert_cmpuint (paths->len, ==, 3);
  g_assert_true (g_str_has_suffix (paths->pdata[0], "checkpoints/epoch-002.safetensors"));
  g_assert_true (g_str_has_suffix (paths->pdata[2], "checkpoints/epoch-006.safetensors"));
  /* the last checkpoint is the final model; an earlier one is not */
  last = load_params (paths->pdata[2], &n_last);
  model = load_params (final, &n_model);
  first = load_params (paths->pdata[0], &n_first);
  g_assert_cmpuint (n_last, ==, n_model);
  g_assert_cmpmem (last, n_last * sizeof (float), model, n_model * sizeof (float));
  g_assert_true (memcmp (first, last, n_last * sizeof (float)) != 0);
}

static void
test_cosine_restarts_checkpoints (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *steps = NULL, *path = g_build_filename (run, "steps.csv", NULL);
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:moons", 6);
  g_autoptr(GPtrArray) paths = NULL;
  g_auto(GStrv) rows = NULL;
  guint restarts = 0;
  double previous = INFINITY;

  exp->train.schedule.type = TS_SCHED_COSINE_RESTARTS;
  exp->train.schedule.cycles = 3;
  paths = train_with_checkpoints (exp, run);
  g_assert_cmpuint (paths->len, ==, 3);
  g_assert_true (g_str_has_suffix (paths->pdata[1], "epoch-004.safetensors"));
  /* the LR column of steps.csv falls and jumps back up twice */
  g_assert_true (g_file_get_contents (path, &steps, NULL, NULL));
  rows = g_strsplit (steps, "\n", -1);
  for (guint i = 1; rows[i] && rows[i][0]; i++)
    {
      g_auto(GStrv) cells = g_strsplit (rows[i], ",", -1);
      double lr = g_ascii_strtod (cells[2], NULL);
      if (lr > previous * 2)
        restarts++;
      previous = lr;
    }
  g_assert_cmpuint (restarts, ==, 2);
}

static void
test_no_checkpoints_named (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(GError) error = NULL;

  g_assert_null (ts_checkpoint_list (dir, &error));
  g_assert_nonnull (strstr (error->message, dir));
  g_assert_nonnull (strstr (error->message, "no checkpoints"));
}

/* data.folds: the folds of the training part partition it, each stratified,
 * and the source's test part is never in them */
static void
test_folds_partition_training_part (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("fashion-mnist", 1);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint total_val = 0, pool = 0;
  const guint K = 3;

  exp->data.limit = 3000;
  exp->data.folds = K;
  for (guint f = 0; f < K; f++)
    {
      TsSplits s = { 0 };
      g_autoptr(GError) error = NULL;
      guint counts[10];

      exp->data.fold = f;
      g_assert_true (ts_splits_load (exp, &s, NULL, &error));
      g_assert_no_error (error);
      pool = s.train->n + s.val->n;
      g_assert_cmpuint (pool, ==, 3000);
      g_assert_cmpuint (s.test->n, ==, 10000);
      /* stratified: each class holds its tenth of the fold, give or take one */
      ts_dataset_class_counts (s.val, counts);
      for (guint c = 0; c < 10; c++)
        g_assert_cmpint (abs ((int) counts[c] * 10 - (int) s.val->n), <=, 10);
      /* a sample is identified by a hash of its pixels and label */
      total_val += s.val->n;
      for (guint i = 0; i < s.val->n; i++)
        {
          guint64 h = 1469598103934665603ull;
          const guint32 *bits = (const guint32 *) (s.val->x + (gsize) i * s.val->dim);
          for (guint d = 0; d < s.val->dim; d++)
            h = (h ^ bits[d]) * 1099511628211ull;
          h = h * 31 + s.val->y[i];
          g_array_append_val (keys, h);
        }
      for (guint i = 0; i < s.test->n; i++)
        {
          guint64 h = 1469598103934665603ull;
          const guint32 *bits = (const guint32 *) (s.test->x + (gsize) i * s.test->dim);
          for (guint d = 0; d < s.test->dim; d++)
            h = (h ^ bits[d]) * 1099511628211ull;
          h = h * 31 + s.test->y[i];
          g_hash_table_add (seen, g_memdup2 (&h, sizeof h));
        }
      ts_splits_clear (&s);
    }
  g_assert_cmpuint (total_val, ==, pool); /* the folds cover the training part exactly once */
  {
    g_autoptr(GHashTable) vals = g_hash_table_new (g_int64_hash, g_int64_equal);
    for (guint i = 0; i < keys->len; i++)
      {
        gint64 *k = &g_array_index (keys, gint64, i);
        g_assert_false (g_hash_table_contains (seen, k)); /* not a test sample */
        g_hash_table_add (vals, k);
      }
    g_assert_cmpuint (g_hash_table_size (vals), ==, pool); /* disjoint */
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/snapshots/cosine-restarts-schedule", test_cosine_restarts_schedule);
  g_test_add_func ("/core/snapshots/checkpoint-due", test_checkpoint_due);
  g_test_add_func ("/core/snapshots/cycles-divide-epochs", test_cycles_must_divide_epochs);
  g_test_add_func ("/core/snapshots/checkpoint-every", test_checkpoint_every);
  g_test_add_func ("/core/snapshots/cosine-restarts-checkpoints", test_cosine_restarts_checkpoints);
  g_test_add_func ("/core/snapshots/no-checkpoints", test_no_checkpoints_named);
  g_test_add_func ("/core/folds/partition", test_folds_partition_training_part);
  return g_test_run ();
}
