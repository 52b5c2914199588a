/* A search's tasks (trial × fold), their files, and the results table. */
#include "ts-json.h"
#include "ts-search.h"
#include "ts-error.h"
#include "ts-io.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

void
ts_search_task_free (TsSearchTask *task)
{
  if (task == NULL)
    return;
  g_strfreev (task->values);
  ts_experiment_free (task->exp);
  g_free (task->dir);
  g_free (task->exp_path);
  g_free (task->failure);
  g_free (task);
}

static TsExperiment *
trial_experiment (const TsExperiment *base, const TsSearchSpace *space, GStrv values, guint trial, guint folds,
                  guint fold, GError **error)
{
  g_autoptr(TsExperiment) exp = ts_experiment_copy (base);

  for (guint d = 0; d < space->dims->len; d++)
    if (!ts_experiment_set (exp, ((TsSpaceDim *) space->dims->pdata[d])->key, values[d], error))
      return NULL;
  exp->data.folds = folds;
  exp->data.fold = fold;
  g_free (exp->name);
  exp->name = folds ? g_strdup_printf ("%s · trial %u · fold %u", base->name, trial, fold)
                    : g_strdup_printf ("%s · trial %u", base->name, trial);
  if (!ts_experiment_validate (exp, error))
    return NULL;
  return g_steal_pointer (&exp);
}

GPtrArray *
ts_search_plan (const TsExperiment *base, const TsSearchSpace *space, guint trials, guint folds, const char *out,
                GError **error)
{
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) ts_search_task_free);

  if (trials == 0 || folds < 2)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, trials == 0 ? "--trials: must be >= 1 (got 0)"
                                                                  : "--folds: must be >= 2 (got %u)", folds);
      return NULL;
    }
  for (guint t = 0; t < trials; t++)
    {
      GStrv values = ts_search_space_draw (space, base->seed, t);
      for (guint f = 0; f < folds; f++)
        {
          TsSearchTask *task = g_new0 (TsSearchTask, 1);
          g_autofree char *trial_dir = g_strdup_printf ("%u", t);
          g_autofree char *fold_dir = g_strdup_printf ("fold-%u", f);
          g_autofree char *fold_file = g_strdup_printf ("fold-%u.json", f);

          task->trial = t;
          task->fold = f;
          task->values = g_strdupv (values);
          task->dir = g_build_filename (out, "trials", trial_dir, fold_dir, NULL);
          task->exp_path = g_build_filename (out, "trials", trial_dir, fold_file, NULL);
          g_ptr_array_add (tasks, task);
          if ((task->exp = trial_experiment (base, space, values, t, folds, f, error)) == NULL)
            {
              g_strfreev (values);
              return NULL;
            }
        }
      g_strfreev (values);
    }
  return g_steal_pointer (&tasks);
}

GPtrArray *
ts_search_top_tasks (const TsExperiment *base, const TsSearchSpace *space, JsonNode *result, guint k,
                     const char *out, GError **error)
{
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) ts_search_task_free);
  JsonObject *root = result && JSON_NODE_HOLDS_OBJECT (result) ? json_node_get_object (result) : NULL;
  JsonNode *top_node = root ? json_object_get_member (root, "top") : NULL;
  JsonArray *top = top_node && JSON_NODE_HOLDS_ARRAY (top_node) ? json_node_get_array (top_node) : NULL;

  if (top == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s/search.json: no \"top\" array of trials", out);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (top) && i < k; i++)
    {
      TsSearchTask *task = g_new0 (TsSearchTask, 1);
      g_autofree char *name = NULL;

      task->trial = (guint) json_array_get_int_element (top, i);
      task->values = ts_search_space_draw (space, base->seed, task->trial);
      name = g_strdup_printf ("trial-%u", task->trial);
      task->dir = g_build_filename (out, "top", name, NULL);
      g_ptr_array_add (tasks, task);
      if ((task->exp = trial_experiment (base, space, task->values, task->trial, 0, 0, error)) == NULL)
        return NULL;
    }
  return g_steal_pointer (&tasks);
}

static const char *
relative (const char *path, const char *out)
{
  gsize n = strlen (out);
  return strncmp (path, out, n) == 0 && path[n] == G_DIR_SEPARATOR ? path + n + 1 : path;
}

gboolean
ts_search_write_plan (GPtrArray *tasks, const char *out, GError **error)
{
  g_autoptr(GString) csv = g_string_new ("task,trial,fold,experiment,out\n");
  g_autofree char *csv_path = g_build_filename (out, "tasks.csv", NULL);

  for (guint i = 0; i < tasks->len; i++)
    {
      TsSearchTask *task = tasks->pdata[i];
      g_autofree char *parent = g_path_get_dirname (task->exp_path);
      g_autofree char *text = ts_experiment_to_json (task->exp);

      if (g_mkdir_with_parents (parent, 0755) != 0)
        {
          int saved = errno;
          g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: cannot create the folder: %s", parent, g_strerror (saved));
          return FALSE;
        }
      if (!ts_write_file_atomic (task->exp_path, text, strlen (text), error))
        return FALSE;
      g_string_append_printf (csv, "%u,%u,%u,%s,%s\n", i, task->trial, task->fold, relative (task->exp_path, out),
                              relative (task->dir, out));
    }
  return ts_write_file_atomic (csv_path, csv->str, csv->len, error);
}

/* summary.json's state, or NULL when the task has none yet */
static JsonNode *
read_summary (const TsSearchTask *task)
{
  g_autofree char *path = g_build_filename (task->dir, "summary.json", NULL);
  g_autoptr(JsonNode) root = ts_json_load_file (path, NULL);

  return root && JSON_NODE_HOLDS_OBJECT (root) ? g_steal_pointer (&root) : NULL;
}

static const char *
summary_state (JsonNode *summary)
{
  return summary ? json_object_get_string_member_with_default (json_node_get_object (summary), "state", "?") : NULL;
}

gboolean
ts_search_task_finished (const TsSearchTask *task)
{
  g_autoptr(JsonNode) summary = read_summary (task);
  const char *state = summary_state (summary);
  /* stopped or failed runs are done again; a diverged one is a result */
  return g_strcmp0 (state, "done") == 0 || g_strcmp0 (state, "diverged") == 0;
}

gboolean
ts_search_top_task_done (const TsSearchTask *task)
{
  g_autoptr(JsonNode) summary = read_summary (task);
  return g_strcmp0 (summary_state (summary), "done") == 0;
}

static double
number (JsonNode *summary, const char *key)
{
  JsonNode *n = summary ? json_object_get_member (json_node_get_object (summary), key) : NULL;
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) != G_TYPE_STRING ? json_node_get_double (n) : NAN;
}

static void
csv_number (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append_c (s, ',');
  if (isfinite (v))
    g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.6g", v));
}

/* a value with a comma or quote goes in quotes, its quotes doubled */
static void
csv_text (GString *s, const char *text)
{
  g_string_append_c (s, ',');
  if (strpbrk (text, ",\"\n") == NULL)
    {
      g_string_append (s, text);
      return;
    }
  g_string_append_c (s, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

typedef struct {
  guint  trial;
  double mean;
  double std;
  gboolean complete;
} Ranked;

static int
by_cv (gconstpointer a, gconstpointer b)
{
  const Ranked *x = a, *y = b;
  double mx = x->complete && isfinite (x->mean) ? x->mean : -1, my = y->complete && isfinite (y->mean) ? y->mean : -1;
  if (mx != my)
    return mx > my ? -1 : 1;
  return x->trial < y->trial ? -1 : x->trial > y->trial;
}

static JsonObject *
params_object (const TsSearchSpace *space, GStrv values)
{
  JsonObject *o = json_object_new ();
  for (guint d = 0; d < space->dims->len; d++)
    {
      const TsSpaceDim *dim = space->dims->pdata[d];
      if (dim->kind == TS_SPACE_CHOICE)
        json_object_set_string_member (o, dim->key, values[d]);
      else
        json_object_set_double_member (o, dim->key, g_ascii_strtod (values[d], NULL));
    }
  return o;
}

JsonNode *
ts_search_collect (const TsSearchSpace *space, GPtrArray *tasks, guint trials, guint folds, const char *out,
                   guint top_k, GError **error)
{
  g_autoptr(GString) csv = g_string_new ("trial,fold");
  g_autofree char *csv_path = g_build_filename (out, "results.csv", NULL);
  g_autofree char *json_path = g_build_filename (out, "search.json", NULL);
  g_autofree Ranked *ranked = g_new0 (Ranked, trials);
  JsonObject *root = json_object_new ();
  JsonArray *trial_array = json_array_new (), *top = json_array_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  for (guint d = 0; d < space->dims->len; d++)
    csv_text (csv, ((TsSpaceDim *) space->dims->pdata[d])->key);
  g_string_append (csv, ",val_acc,val_loss,seconds,state,log\n");
  for (guint t = 0; t < trials; t++)
    {
      JsonObject *o = json_object_new ();
      JsonArray *fold_acc = json_array_new ();
      double sum = 0, ss = 0;
      guint done = 0, diverged = 0, failed = 0;
      g_autofree double *acc = g_new (double, folds);

      for (guint f = 0; f < folds; f++)
        {
          TsSearchTask *task = tasks->pdata[t * folds + f];
          g_autoptr(JsonNode) summary = read_summary (task);
          const char *state = summary_state (summary);

          if (!ts_search_task_finished (task))
            state = task->failure ? "failed" : "pending";
          g_string_append_printf (csv, "%u,%u", t, f);
          for (guint d = 0; d < space->dims->len; d++)
            csv_text (csv, task->values[d]);
          acc[f] = g_strcmp0 (state, "done") == 0 ? number (summary, "val_acc") : NAN;
          csv_number (csv, acc[f]);
          csv_number (csv, g_strcmp0 (state, "done") == 0 ? number (summary, "val_loss") : NAN);
          csv_number (csv, g_strcmp0 (state, "pending") != 0 ? number (summary, "seconds") : NAN);
          g_string_append_printf (csv, ",%s", state);
          csv_text (csv, g_strcmp0 (state, "failed") == 0 ? task->failure : "");
          g_string_append_c (csv, '\n');
          failed += g_strcmp0 (state, "failed") == 0;
          done += g_strcmp0 (state, "done") == 0;
          diverged += g_strcmp0 (state, "diverged") == 0;
          if (isfinite (acc[f]))
            {
              json_array_add_double_element (fold_acc, acc[f]);
              sum += acc[f];
            }
          else
            json_array_add_null_element (fold_acc);
        }
      ranked[t] = (Ranked) { t, done ? sum / done : NAN, NAN, done == folds };
      for (guint f = 0; f < folds; f++)
        if (isfinite (acc[f]))
          ss += (acc[f] - ranked[t].mean) * (acc[f] - ranked[t].mean);
      ranked[t].std = done > 1 ? sqrt (ss / (done - 1)) : NAN;
      json_object_set_int_member (o, "trial", t);
      json_object_set_object_member (o, "params", params_object (space, ((TsSearchTask *) tasks->pdata[t * folds])->values));
      ts_json_set_number (o, "cv_mean", done == folds ? ranked[t].mean : NAN);
      ts_json_set_number (o, "cv_std", done == folds ? ranked[t].std : NAN);
      json_object_set_array_member (o, "folds", fold_acc);
      json_object_set_string_member (o, "state", diverged ? "diverged" : failed ? "failed" : done == folds ? "done" : "pending");
      json_array_add_object_element (trial_array, o);
    }
  qsort (ranked, trials, sizeof (Ranked), by_cv);
  for (guint i = 0; i < trials && i < top_k; i++)
    if (ranked[i].complete)
      json_array_add_int_element (top, ranked[i].trial);
  json_object_set_array_member (root, "trials", trial_array);
  if (trials > 0 && ranked[0].complete)
    json_object_set_int_member (root, "best", ranked[0].trial);
  else
    json_object_set_null_member (root, "best");
  json_object_set_array_member (root, "top", top);
  json_object_set_int_member (root, "folds", folds);
  json_node_take_object (node, root);
  if (!ts_write_file_atomic (csv_path, csv->str, csv->len, error) || !ts_write_json_atomic (json_path, node, error))
    return NULL;
  return g_steal_pointer (&node);
}

/* ---- what a folder's search is --------------------------------------------------- */

gboolean
ts_search_claim (const TsExperiment *exp, JsonNode *space_json, guint folds, const char *out, gboolean resume,
                 GError **error)
{
  g_autofree char *path = g_build_filename (out, "search-config.json", NULL);
  g_autoptr(JsonNode) config = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) old = NULL;
  g_autoptr(GError) inner = NULL;
  JsonObject *o = json_object_new ();

  json_object_set_member (o, "experiment", ts_experiment_to_node (exp));
  json_object_set_member (o, "space", json_node_copy (space_json));
  json_object_set_int_member (o, "folds", folds);
  json_node_take_object (config, o);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      JsonObject *before;
      if (!resume)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                       "%s: already holds a search (search-config.json); add --resume to continue it, or choose "
                       "another --out", out);
          return FALSE;
        }
      if ((old = ts_json_load_file (path, &inner)) == NULL || !JSON_NODE_HOLDS_OBJECT (old))
        {
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: unreadable: %s", path,
                       inner ? inner->message : "not an object");
          return FALSE;
        }
      before = json_node_get_object (old);
      for (const char *const *key = (const char *const[]) { "experiment", "space", "folds", NULL }; *key; key++)
        if (!json_object_has_member (before, *key)
            || !json_node_equal (json_object_get_member (before, *key), json_object_get_member (o, *key)))
          {
            g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                         "--resume: %s was made with another %s; the search cannot continue with this one", out, *key);
            return FALSE;
          }
    }
  if (g_mkdir_with_parents (out, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, TS_ERROR, TS_ERROR_WRITE, "%s: cannot create the folder: %s", out, g_strerror (saved));
      return FALSE;
    }
  if (!ts_write_json_atomic (path, config, &inner))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_WRITE, "%s", inner->message);
      return FALSE;
    }
  return TRUE;
}
