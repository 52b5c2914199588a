/* The search space: draws reproducible by seed, inside their ranges, and
 * the tasks' experiments (trial values, data.folds, data.fold). */
#include "test-util.h"

#include <string.h>

static const char space_json[] =
  "{\"train.lr\": {\"log_uniform\": [0.001, 0.1]},"
  " \"train.l2\": {\"uniform\": [0, 0.001]},"
  " \"train.epochs\": {\"int\": [2, 4]},"
  " \"model.layers\": {\"choice\": [\"8\", [16, 8]]}}";

static void
test_draws (void)
{
  g_autoptr(TsExperiment) base = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TsSearchSpace) space = ts_search_space_from_json (space_json, "space.json", base, &error);
  guint epochs_seen[5] = { 0 }, layers_seen[2] = { 0 }, low_lr = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (space->dims->len, ==, 4);
  for (guint t = 0; t < 400; t++)
    {
      g_auto(GStrv) a = ts_search_space_draw (space, 7, t);
      g_auto(GStrv) b = ts_search_space_draw (space, 7, t);
      g_auto(GStrv) c = ts_search_space_draw (space, 8, t);
      double lr = g_ascii_strtod (a[0], NULL), l2 = g_ascii_strtod (a[1], NULL);
      guint64 epochs;

      g_assert_true (g_strv_equal ((const char *const *) a, (const char *const *) b)); /* by seed */
      g_assert_false (g_strv_equal ((const char *const *) a, (const char *const *) c));
      g_assert_cmpfloat (lr, >=, 0.001);
      g_assert_cmpfloat (lr, <=, 0.1);
      low_lr += lr < 0.01; /* log-uniform: a third of the draws in the lowest decade of two */
      g_assert_cmpfloat (l2, >=, 0);
      g_assert_cmpfloat (l2, <=, 0.001);
      g_assert_true (g_ascii_string_to_unsigned (a[2], 10, 2, 4, &epochs, NULL));
      epochs_seen[epochs]++;
      layers_seen[strcmp (a[3], "8") == 0 ? 0 : 1]++;
      g_assert_true (strcmp (a[3], "8") == 0 || strcmp (a[3], "16,8") == 0);
    }
  g_assert_cmpuint (low_lr, >, 150);
  g_assert_cmpuint (low_lr, <, 250);
  for (guint e = 2; e <= 4; e++)
    g_assert_cmpuint (epochs_seen[e], >, 80); /* both ends of an int range come up */
  g_assert_cmpuint (layers_seen[0], >, 150);
  g_assert_cmpuint (layers_seen[1], >, 150);
}

static void
test_plan (void)
{
  g_autoptr(TsExperiment) base = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TsSearchSpace) space = ts_search_space_from_json (space_json, "space.json", base, &error);
  g_autoptr(GPtrArray) tasks = ts_search_plan (base, space, 4, 3, "out", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (tasks->len, ==, 12);
  for (guint i = 0; i < tasks->len; i++)
    {
      TsSearchTask *task = tasks->pdata[i];
      g_autofree char *layers = ts_experiment_get_text (task->exp, "model.layers");
      g_autofree char *lr = ts_experiment_get_text (task->exp, "train.lr");
      g_assert_cmpuint (task->trial, ==, i / 3);
      g_assert_cmpuint (task->fold, ==, i % 3);
      g_assert_cmpuint (task->exp->data.folds, ==, 3);
      g_assert_cmpuint (task->exp->data.fold, ==, i % 3);
      g_assert_cmpuint (task->exp->seed, ==, base->seed); /* the same folds and init for every trial */
      g_assert_cmpstr (layers, ==, task->values[3]);
      g_assert_cmpfloat (fabs (g_ascii_strtod (lr, NULL) - g_ascii_strtod (task->values[0], NULL)), <, 1e-12);
      g_assert_true (g_str_has_suffix (task->dir, i % 3 == 0 ? "fold-0" : i % 3 == 1 ? "fold-1" : "fold-2"));
    }
  g_clear_pointer (&tasks, g_ptr_array_unref);
  g_assert_null (ts_search_plan (base, space, 4, 1, "out", &error));
  g_assert_nonnull (strstr (error->message, "--folds: must be >= 2 (got 1)"));
}

/* --top K's runs: search.json's top order, at most k, each the trial's
 * values on the whole training part in OUT/top/trial-T; no "top" refused */
static void
test_top_tasks (void)
{
  g_autoptr(TsExperiment) base = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TsSearchSpace) space = ts_search_space_from_json (space_json, "space.json", base, &error);
  g_autoptr(JsonNode) result = json_from_string ("{\"top\": [3, 0, 2]}", &error);
  g_autoptr(JsonNode) bad = json_from_string ("{\"best\": 3}", &error);
  g_autoptr(GPtrArray) tasks = ts_search_top_tasks (base, space, result, 2, "out", &error);
  const guint expected[] = { 3, 0 };

  g_assert_no_error (error);
  g_assert_cmpuint (tasks->len, ==, 2);
  for (guint i = 0; i < tasks->len; i++)
    {
      TsSearchTask *task = tasks->pdata[i];
      g_auto(GStrv) values = ts_search_space_draw (space, base->seed, expected[i]);
      g_autofree char *dir = g_strdup_printf ("out/top/trial-%u", expected[i]);
      g_autofree char *name = g_strdup_printf ("%s · trial %u", base->name, expected[i]);
      g_autofree char *layers = ts_experiment_get_text (task->exp, "model.layers");

      g_assert_cmpuint (task->trial, ==, expected[i]);
      g_assert_true (g_strv_equal ((const char *const *) task->values, (const char *const *) values));
      g_assert_cmpstr (layers, ==, values[3]);
      g_assert_cmpuint (task->exp->data.folds, ==, 0);
      g_assert_cmpstr (task->dir, ==, dir);
      g_assert_cmpstr (task->exp->name, ==, name);
      g_assert_false (ts_search_top_task_done (task)); /* no summary.json */
    }
  g_clear_pointer (&tasks, g_ptr_array_unref);
  tasks = ts_search_top_tasks (base, space, result, 10, "out", &error);
  g_assert_cmpuint (tasks->len, ==, 3);
  g_assert_null (ts_search_top_tasks (base, space, bad, 2, "out", &error));
  g_assert_nonnull (strstr (error->message, "out/search.json: no \"top\""));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/search/draws", test_draws);
  g_test_add_func ("/core/search/plan", test_plan);
  g_test_add_func ("/core/search/top-tasks", test_top_tasks);
  return g_test_run ();
}
