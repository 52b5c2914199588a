#include "ts-io.h"
#include "ts-json.h"
#include "ts-seeds.h"
#include "ts-error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const metric_names[] = {
  "train_acc", "train_loss", "val_acc", "val_loss", "best_val_acc", "test_acc", "test_loss", "seconds",
};

TsExperiment *
ts_seed_variant (const TsExperiment *exp, guint i)
{
  TsExperiment *copy = ts_experiment_copy (exp);

  copy->seed = exp->seed + i;
  g_free (copy->name);
  copy->name = g_strdup_printf ("%s · seed %" G_GUINT64_FORMAT, exp->name, copy->seed);
  return copy;
}

/* a run's summary.json, an object, or NULL with the error */
static JsonNode *
read_summary (const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  g_autoptr(JsonNode) root = ts_json_load_file (path, error);

  if (root != NULL && !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: expected a JSON object", path);
      return NULL;
    }
  return g_steal_pointer (&root);
}

static JsonObject *
describe (const double *v, guint n)
{
  JsonObject *o = json_object_new ();
  double sum = 0, lo = INFINITY, hi = -INFINITY, ss = 0, mean;
  guint k = 0;

  for (guint i = 0; i < n; i++)
    if (isfinite (v[i]))
      {
        sum += v[i];
        lo = MIN (lo, v[i]);
        hi = MAX (hi, v[i]);
        k++;
      }
  mean = k ? sum / k : NAN;
  for (guint i = 0; i < n; i++)
    if (isfinite (v[i]))
      ss += (v[i] - mean) * (v[i] - mean);
#define SET(key, x) ts_json_set_number (o, key, x)
  SET ("mean", mean);
  SET ("std", k > 1 ? sqrt (ss / (k - 1)) : (k == 1 ? 0.0 : NAN));
  SET ("min", k ? lo : NAN);
  SET ("max", k ? hi : NAN);
#undef SET
  json_object_set_int_member (o, "n", k);
  return o;
}

JsonNode *
ts_seed_group_summary (char *const *run_dirs, guint n, GError **error)
{
  g_autofree double *values = g_new (double, (gsize) G_N_ELEMENTS (metric_names) * MAX (n, 1));
  JsonArray *runs = json_array_new ();
  JsonObject *root = json_object_new (), *metrics = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_array_member (root, "runs", runs);
  json_object_set_object_member (root, "metrics", metrics);
  json_node_take_object (node, root);
  for (guint r = 0; r < n; r++)
    {
      g_autoptr(JsonNode) summary_node = read_summary (run_dirs[r], error);
      JsonObject *summary = summary_node ? json_node_get_object (summary_node) : NULL, *run;
      g_autofree char *exp_path = g_build_filename (run_dirs[r], "experiment.json", NULL);
      g_autoptr(TsExperiment) exp = NULL;

      if (summary == NULL)
        {
          json_node_unref (node);
          return NULL;
        }
      run = json_object_new ();
      json_object_set_string_member (run, "path", run_dirs[r]);
      json_object_set_string_member (run, "state", json_object_get_string_member_with_default (summary, "state", "?"));
      for (guint m = 0; m < G_N_ELEMENTS (metric_names); m++)
        {
          values[m * n + r] = ts_json_number (summary, metric_names[m]);
          ts_json_set_number (run, metric_names[m], values[m * n + r]);
        }
      if ((exp = ts_experiment_load_file (exp_path, NULL)) != NULL)
        json_object_set_int_member (run, "seed", (gint64) exp->seed);
      json_array_add_object_element (runs, run);
    }
  for (guint m = 0; m < G_N_ELEMENTS (metric_names); m++)
    json_object_set_object_member (metrics, metric_names[m], describe (values + m * n, n));
  return node;
}

gboolean
ts_seed_group_write (const char *dir, const TsExperiment *exp, guint n_seeds, char *const *run_dirs, guint n,
                     GError **error)
{
  g_autofree char *path = g_build_filename (dir, "group.json", NULL);
  g_autoptr(JsonNode) group = ts_seed_group_summary (run_dirs, n, error);
  JsonObject *root;

  if (group == NULL)
    return FALSE;
  root = json_node_get_object (group);
  json_object_set_string_member (root, "experiment", exp->name);
  json_object_set_int_member (root, "first_seed", (gint64) exp->seed);
  json_object_set_int_member (root, "seeds", n_seeds);
  return ts_write_json_atomic (path, group, error);
}

/* "seed-17" → 17; FALSE for any other name */
static gboolean
seed_of (const char *name, guint64 *seed)
{
  char *end = NULL;

  if (!g_str_has_prefix (name, "seed-") || !g_ascii_isdigit (name[5]))
    return FALSE;
  *seed = g_ascii_strtoull (name + 5, &end, 10);
  return *end == '\0';
}

static int
by_seed (gconstpointer a, gconstpointer b)
{
  g_autofree char *na = g_path_get_basename (*(char *const *) a), *nb = g_path_get_basename (*(char *const *) b);
  guint64 sa = 0, sb = 0;

  seed_of (na, &sa), seed_of (nb, &sb);
  return sa < sb ? -1 : sa > sb;
}

GPtrArray *
ts_seed_group_list (const char *dir, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, error);
  const char *name;

  if (d == NULL)
    return NULL;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *exp = g_build_filename (path, "experiment.json", NULL);
      guint64 seed;
      if (seed_of (name, &seed) && g_file_test (exp, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (out, g_steal_pointer (&path));
    }
  if (out->len == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: no seed-S run folders in this seed group", dir);
      return NULL;
    }
  g_ptr_array_sort (out, by_seed);
  return g_steal_pointer (&out);
}

gboolean
ts_seed_group_is_dir (const char *dir)
{
  g_autofree char *group = g_build_filename (dir, "group.json", NULL);
  g_autofree char *metrics = g_build_filename (dir, "metrics.csv", NULL);
  g_autoptr(GPtrArray) members = NULL;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR) || g_file_test (metrics, G_FILE_TEST_EXISTS))
    return FALSE;
  if (g_file_test (group, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  members = ts_seed_group_list (dir, NULL);
  return members != NULL;
}
