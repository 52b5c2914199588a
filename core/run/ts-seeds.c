#include "ts-io.h"
#include "ts-json.h"
#include "ts-seeds.h"
#include "ts-error.h"

#include <math.h>

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
