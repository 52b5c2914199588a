/* trainscope-cli run EXP --seeds N --out DIR: N runs that differ only in
 * their seed (the experiment's seed + i) in DIR/seed-S/, and DIR/group.json
 * with the mean ± std of their final metrics. */
#include "cli-train.h"
#include "cli-slurm.h"
#include "ts-io.h"
#include "ts-json.h"

#include <string.h>

#include <math.h>

static void
print_run (const TsExperiment *exp, TsRunState end, JsonNode *summary)
{
  double test = cli_summary_number (summary, "test_acc"), val = cli_summary_number (summary, "val_acc");

  g_print ("seed %" G_GUINT64_FORMAT ": %s", exp->seed, ts_run_state_name (end));
  if (!isnan (val))
    g_print (", val acc %.2f%%", 100 * val);
  if (!isnan (test))
    g_print (", test acc %.2f%%", 100 * test);
  g_print ("\n");
}

static void
print_group (JsonNode *group, guint n, const char *path)
{
  JsonObject *metrics = json_object_get_object_member (json_node_get_object (group), "metrics");
  const char *key = "test_acc";
  JsonObject *m = json_object_get_object_member (metrics, key);

  if (json_object_get_int_member (m, "n") == 0)
    m = json_object_get_object_member (metrics, key = "val_acc");
  if (json_object_get_int_member (m, "n") > 0)
    g_print ("group of %u seeds: %s %.2f ± %.2f%% (min %.2f, max %.2f) → %s\n", n, key,
             100 * json_object_get_double_member (m, "mean"), 100 * json_object_get_double_member (m, "std"),
             100 * json_object_get_double_member (m, "min"), 100 * json_object_get_double_member (m, "max"), path);
  else
    g_print ("group of %u seeds → %s\n", n, path);
}

/* The seeds as a Slurm job array: each member's experiment in
 * DIR/seed-S.json, DIR/tasks.csv, each run into DIR/seed-S/ */
static int
run_on_slurm (const TsExperiment *exp, guint n_seeds, const char *out, const CliSlurmOptions *slurm, GPtrArray *dirs)
{
  g_autoptr(GPtrArray) exps = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) csv = g_string_new ("task,seed,experiment,out\n");
  g_autofree char *csv_path = g_build_filename (out, "tasks.csv", NULL);
  char **failures = NULL; /* NULL where a task finished: not a GStrv */
  g_autoptr(GError) error = NULL;
  int code;

  for (guint i = 0; i < n_seeds; i++)
    {
      g_autoptr(TsExperiment) member = ts_seed_variant (exp, i);
      g_autofree char *name = g_strdup_printf ("seed-%" G_GUINT64_FORMAT, member->seed);
      g_autofree char *file = g_strdup_printf ("%s.json", name);
      g_autofree char *text = ts_experiment_to_json (member);
      char *path = g_build_filename (out, file, NULL);

      g_ptr_array_add (exps, path);
      g_ptr_array_add (dirs, g_build_filename (out, name, NULL));
      g_string_append_printf (csv, "%u,%" G_GUINT64_FORMAT ",%s,%s\n", i, member->seed, file, name);
      if (!ts_write_file_atomic (path, text, strlen (text), &error))
        break;
    }
  if (error || !ts_write_file_atomic (csv_path, csv->str, csv->len, &error))
    {
      g_printerr ("trainscope-cli: %s\n", error->message);
      return CLI_RUN_FAILED;
    }
  code = cli_slurm_run (slurm, out, (char **) exps->pdata, (char **) dirs->pdata, n_seeds, TRUE, &failures);
  for (guint i = 0; failures && i < n_seeds; i++)
    if (failures[i])
      g_printerr ("trainscope-cli: %s failed every try: %s\n", (char *) dirs->pdata[i], failures[i]);
  ts_slurm_failures_free (failures, n_seeds);
  /* the group of the runs that ended */
  for (guint i = dirs->len; i-- > 0;)
    {
      g_autofree char *summary = g_build_filename (dirs->pdata[i], "summary.json", NULL);
      if (!g_file_test (summary, G_FILE_TEST_EXISTS))
        g_ptr_array_remove_index (dirs, i);
    }
  return code;
}

int
cli_run_seeds (const TsExperiment *exp, guint n_seeds, const char *out, const CliSlurmOptions *slurm)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) group = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *group_path = g_build_filename (out, "group.json", NULL);
  gboolean interrupted = FALSE, all_done = TRUE;
  guint local_seeds = n_seeds; /* trained here; none when Slurm trained them */
  int code = CLI_OK;

  if (cli_slurm_wanted (slurm))
    {
      if ((code = run_on_slurm (exp, n_seeds, out, slurm, dirs)) == CLI_BAD_INPUT)
        return code;
      all_done = code == CLI_OK;
      local_seeds = 0;
    }
  for (guint i = 0; i < local_seeds && !interrupted; i++)
    {
      g_autoptr(TsExperiment) member = ts_seed_variant (exp, i);
      g_autofree char *name = g_strdup_printf ("seed-%" G_GUINT64_FORMAT, member->seed);
      g_autofree char *dir = g_build_filename (out, name, NULL);
      g_autoptr(JsonNode) summary = NULL;
      TsRunState end = cli_train (member, dir, name, &interrupted, &summary, &error);

      if (end == TS_RUN_FAILED)
        {
          g_printerr ("trainscope-cli: %s: %s\n", dir, error ? error->message : "the run failed");
          /* a source that cannot load fails the first seed: bad input, not a failed run */
          return i == 0 && summary == NULL ? CLI_BAD_INPUT : CLI_RUN_FAILED;
        }
      print_run (member, end, summary);
      all_done = all_done && end == TS_RUN_DONE;
      if (summary)
        g_ptr_array_add (dirs, g_steal_pointer (&dir));
    }
  if (dirs->len == 0)
    return CLI_RUN_FAILED;
  if (!ts_seed_group_write (out, exp, n_seeds, (char *const *) dirs->pdata, dirs->len, &error)
      || (group = ts_json_load_file (group_path, &error)) == NULL)
    {
      g_printerr ("trainscope-cli: %s\n", error->message);
      return CLI_RUN_FAILED;
    }
  print_group (group, dirs->len, group_path);
  return all_done && !interrupted ? CLI_OK : CLI_RUN_FAILED;
}
