/* trainscope-cli search EXP --space SPACE.json --trials N [--folds K] --out DIR:
 * cross-validated random search, run task by task on this machine; with
 * --top K the best K trials retrained on the whole training part and
 * ensembled. */
#include "ts-json.h"
#include "cli-train.h"
#include "cli-slurm.h"
#include "ts-plot-search-files.h"

#include <math.h>
#include <string.h>

typedef struct {
  TsExperiment  *exp;
  TsSearchSpace *space;
  JsonNode      *space_json;
  guint          trials;
  guint          folds;
  guint          top;
  const char    *out;
  gboolean       resume;
  gboolean       json;
  CliSlurmOptions *slurm;
} Search;

static char *
values_text (const TsSearchSpace *space, GStrv values)
{
  GString *s = g_string_new (NULL);
  for (guint d = 0; d < space->dims->len; d++)
    g_string_append_printf (s, "%s%s=%s", d ? " " : "", ((TsSpaceDim *) space->dims->pdata[d])->key, values[d]);
  return g_string_free (s, FALSE);
}

/* Trains every task not yet finished; FALSE when interrupted or failed. */
static gboolean
run_tasks (Search *s, GPtrArray *tasks, guint *skipped, guint *trained)
{
  for (guint i = 0; i < tasks->len; i++)
    {
      TsSearchTask *task = tasks->pdata[i];
      g_autofree char *label = g_strdup_printf ("trial %u fold %u", task->trial, task->fold);
      g_autofree char *values = values_text (s->space, task->values);
      g_autoptr(JsonNode) summary = NULL;
      g_autoptr(GError) error = NULL;
      gboolean interrupted = FALSE;
      TsRunState end;

      if (ts_search_task_finished (task))
        {
          (*skipped)++;
          continue;
        }
      end = cli_train (task->exp, task->dir, label, &interrupted, &summary, &error);
      (*trained)++;
      if (!s->json)
        g_print ("%s: %s, val acc %.2f%% (%s)\n", label, ts_run_state_name (end),
                 100 * cli_summary_number (summary, "val_acc"), values);
      if (end == TS_RUN_FAILED)
        g_printerr ("trainscope-cli: %s: %s\n", task->dir, error ? error->message : "the run failed");
      if (interrupted || end == TS_RUN_FAILED || end == TS_RUN_STOPPED)
        return FALSE;
    }
  return TRUE;
}

/* The same tasks as a Slurm job array; a task that failed every try is
 * marked failed with its log's last lines */
static int
run_on_slurm (Search *s, GPtrArray *tasks)
{
  g_autofree char **exps = g_new0 (char *, tasks->len + 1), **dirs = g_new0 (char *, tasks->len + 1);
  char **failures = NULL; /* NULL where a task finished: not a GStrv */
  int code;

  for (guint i = 0; i < tasks->len; i++)
    {
      exps[i] = ((TsSearchTask *) tasks->pdata[i])->exp_path;
      dirs[i] = ((TsSearchTask *) tasks->pdata[i])->dir;
    }
  code = cli_slurm_run (s->slurm, s->out, exps, dirs, tasks->len, s->resume, &failures);
  for (guint i = 0; failures && i < tasks->len; i++)
    if (failures[i])
      {
        TsSearchTask *task = tasks->pdata[i];
        g_printerr ("trainscope-cli: trial %u fold %u failed every try: %s\n", task->trial, task->fold, failures[i]);
        task->failure = g_strdup (failures[i]);
      }
  ts_slurm_failures_free (failures, tasks->len);
  return code;
}

/* --top K: each of the best K trials trained on the whole training part
 * (its validation split as the experiment says), then their ensemble */
static gboolean
run_top (Search *s, JsonNode *result, int *code)
{
  JsonObject *root = json_node_get_object (result), *summary_o;
  JsonArray *top = json_object_get_array_member (root, "top");
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *top_dir = g_build_filename (s->out, "top", NULL);
  g_autoptr(TsEnsembleResult) r = NULL;
  TsEnsembleOptions opts = { TRUE, TRUE, TS_LATE_MEAN, 0, 0 };
  g_autoptr(JsonArray) members = json_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = ts_search_top_tasks (s->exp, s->space, result, s->top, s->out, &error);

  if (runs == NULL)
    {
      g_printerr ("trainscope-cli: %s\n", error->message);
      *code = CLI_RUN_FAILED;
      return FALSE;
    }
  for (guint i = 0; i < runs->len; i++)
    {
      TsSearchTask *run = runs->pdata[i];
      g_autofree char *name = g_path_get_basename (run->dir);
      gboolean interrupted = FALSE;
      TsRunState end;

      json_array_add_int_element (members, run->trial);
      g_ptr_array_add (dirs, g_strdup (run->dir));
      if (ts_search_top_task_done (run))
        continue;
      end = cli_train (run->exp, run->dir, name, &interrupted, NULL, &error);
      if (end != TS_RUN_DONE)
        {
          g_printerr ("trainscope-cli: %s: %s\n", run->dir, error ? error->message : ts_run_state_name (end));
          *code = CLI_RUN_FAILED;
          return FALSE;
        }
    }
  if (dirs->len == 0)
    return TRUE;
  if (!s->json)
    g_print ("top %u trials, retrained on the whole training part:\n", dirs->len);
  *code = cli_ensemble_members ((char **) dirs->pdata, dirs->len, NULL, FALSE, &opts, top_dir,
                                s->json ? CLI_PRINT_NOTHING : CLI_PRINT_TEXT, &r);
  if (*code != CLI_OK)
    return FALSE;
  summary_o = json_object_new ();
  json_object_set_string_member (summary_o, "dir", "top");
  json_object_set_array_member (summary_o, "trials", g_steal_pointer (&members));
  json_object_set_int_member (summary_o, "best_trial", json_array_get_int_element (top, 0));
  json_object_set_double_member (summary_o, "best_trial_test_acc", r->member_acc[0]);
  json_object_set_double_member (summary_o, "mean_member_acc", r->mean_member_acc);
  json_object_set_double_member (summary_o, "late_test_acc", r->late_acc[TS_LATE_MEAN]);
  if (isfinite (r->early_acc))
    json_object_set_double_member (summary_o, "early_test_acc", r->early_acc);
  json_object_set_string_member (summary_o, "split", r->split);
  json_object_set_object_member (root, "top_ensemble", summary_o);
  return TRUE;
}

static void
print_table (const Search *s, JsonNode *result)
{
  JsonObject *root = json_node_get_object (result);
  JsonArray *trials = json_object_get_array_member (root, "trials");
  JsonArray *top = json_object_get_array_member (root, "top");

  for (guint i = 0; i < json_array_get_length (top); i++)
    {
      JsonObject *t = json_array_get_object_element (trials, (guint) json_array_get_int_element (top, i));
      g_print ("%2u. trial %2" G_GINT64_FORMAT ": cv %.2f ± %.2f%%\n", i + 1, json_object_get_int_member (t, "trial"),
               100 * json_object_get_double_member (t, "cv_mean"), 100 * json_object_get_double_member (t, "cv_std"));
    }
  if (json_object_has_member (root, "top_ensemble"))
    {
      JsonObject *e = json_object_get_object_member (root, "top_ensemble");
      g_print ("top-%u ensemble: %s acc %.2f%% (late), best trial alone %.2f%%\n",
               json_array_get_length (json_object_get_array_member (e, "trials")),
               json_object_get_string_member (e, "split"), 100 * json_object_get_double_member (e, "late_test_acc"),
               100 * json_object_get_double_member (e, "best_trial_test_acc"));
    }
  g_print ("→ %s/search.json, %s/results.csv\n", s->out, s->out);
}

static int
search_main (Search *s)
{
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *search_path = g_build_filename (s->out, "search.json", NULL);
  guint skipped = 0, trained = 0;
  gboolean complete;
  int code = CLI_OK;

  if ((tasks = ts_search_plan (s->exp, s->space, s->trials, s->folds, s->out, &error)) == NULL)
    return cli_bad_input ("%s", error->message);
  if (!ts_search_claim (s->exp, s->space_json, s->folds, s->out, s->resume, &error))
    return cli_fail (error);
  if (!ts_search_write_plan (tasks, s->out, &error))
    {
      g_printerr ("trainscope-cli: %s\n", error->message);
      return CLI_RUN_FAILED;
    }
  if (cli_slurm_wanted (s->slurm))
    {
      if ((code = run_on_slurm (s, tasks)) == CLI_BAD_INPUT)
        return code;
      complete = code == CLI_OK;
    }
  else
    {
      complete = run_tasks (s, tasks, &skipped, &trained);
      if (!s->json)
        g_print ("%u tasks: %u trained now, %u finished before\n", tasks->len, trained, skipped);
    }
  if ((result = ts_search_collect (s->space, tasks, s->trials, s->folds, s->out, s->top ? s->top : s->trials,
                                   &error)) == NULL)
    {
      g_printerr ("trainscope-cli: %s\n", error->message);
      return CLI_RUN_FAILED;
    }
  if (!ts_search_write_figures (s->space, tasks, result, s->trials, s->folds, s->exp->name, s->exp->train.epochs,
                                s->out, &error))
    {
      g_printerr ("trainscope-cli: %s\n", error->message);
      return CLI_RUN_FAILED;
    }
  if (!complete)
    return CLI_RUN_FAILED;
  if (s->top && (!run_top (s, result, &code) || !ts_write_json_atomic (search_path, result, &error)))
    {
      if (error)
        g_printerr ("trainscope-cli: %s\n", error->message);
      return code != CLI_OK ? code : CLI_RUN_FAILED;
    }
  if (s->json)
    cli_print_json (result);
  else
    print_table (s, result);
  return CLI_OK;
}

int
cli_search (int argc, char **argv)
{
  g_autofree char *out = NULL, *space_path = NULL;
  g_autofree char *trials_text = NULL, *folds_text = NULL, *top_text = NULL, *seed = NULL, *epochs = NULL;
  g_auto(GStrv) overrides = NULL;
  guint64 trials = 0, folds = 3, top = 0;
  gboolean resume = FALSE, json = FALSE;
  GOptionEntry entries[] = {
    { "space", 0, 0, G_OPTION_ARG_FILENAME, &space_path, "The search space: experiment keys to ranges", "SPACE.json" },
    { "trials", 0, 0, G_OPTION_ARG_STRING, &trials_text, "Trials to draw", "N" },
    { "folds", 0, 0, G_OPTION_ARG_STRING, &folds_text, "Stratified folds of the training part (default 3)", "K" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Folder for the search", "DIR" },
    { "top", 0, 0, G_OPTION_ARG_STRING, &top_text, "Retrain the best K trials on the whole training part and ensemble them", "K" },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &resume, "Continue a search in DIR, skipping finished tasks", NULL },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed, "Override the seed (the draws, folds and runs)", "S" },
    { "epochs", 0, 0, G_OPTION_ARG_STRING, &epochs, "Override train.epochs", "N" },
    { "set", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &overrides, "Override any key of the base experiment", "KEY=VALUE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print search.json", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("EXP.json|EXAMPLE");
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) exp = NULL;
  g_autoptr(TsSearchSpace) space = NULL;
  g_autoptr(JsonNode) space_json = NULL;
  g_auto(CliSlurmOptions) slurm = { 0 };
  Search s;
  int code;

  g_option_context_add_main_entries (context, entries, NULL);
  cli_slurm_add_entries (context, &slurm);
  if (!cli_parse (context, &argc, &argv))
    return CLI_BAD_INPUT;
  if (argc != 2)
    return cli_bad_input ("search: expected one experiment file (or \"default\")");
  if (out == NULL || space_path == NULL)
    return cli_bad_input ("search: --space SPACE.json and --out DIR are required");
  if (trials_text == NULL)
    return cli_bad_input ("search: --trials N is required");
  if (!cli_parse_count ("trials", trials_text, 1, 100000, &trials, &error)
      || !cli_parse_count ("folds", folds_text, 2, 100, &folds, &error)
      || !cli_parse_count ("top", top_text, 0, trials, &top, &error))
    return cli_bad_input ("%s", error->message);
  exp = ts_experiment_load_named (argv[1], &error);
  if (exp == NULL || !cli_apply_overrides (exp, overrides, FALSE, &error))
    return cli_bad_input ("%s", error->message);
  if ((seed && !ts_experiment_set (exp, "seed", seed, &error))
      || (epochs && !ts_experiment_set (exp, "train.epochs", epochs, &error)))
    return cli_bad_input ("%s", error->message);
  if (!ts_experiment_validate (exp, &error))
    return cli_bad_input ("%s", error->message);
  if ((space = ts_search_space_load (space_path, exp, &error)) == NULL)
    return cli_bad_input ("%s", error->message);
  if ((space_json = ts_json_load_file (space_path, &error)) == NULL)
    return cli_bad_input ("%s: %s", space_path, error->message);
  if ((code = cli_slurm_check (&slurm, out)) == CLI_OK)
    {
      s = (Search) { exp, space, space_json, (guint) trials, (guint) folds, (guint) top, out, resume, json, &slurm };
      code = search_main (&s);
    }
  return code;
}
