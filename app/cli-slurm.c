/* The Slurm backend's flags and its lines on stderr; the backend itself
 * (job arrays, element states, resubmission) is core's ts-slurm.c, which
 * the window's Search page submits through too. */
#include "cli-slurm.h"

#include <string.h>

void
cli_slurm_add_entries (GOptionContext *context, CliSlurmOptions *o)
{
  GOptionEntry entries[] = {
    { "backend", 0, 0, G_OPTION_ARG_STRING, &o->backend, "Where tasks run: this machine, or a Slurm job array", "local|slurm" },
    { "partition", 0, 0, G_OPTION_ARG_STRING, &o->partition, "Slurm: the partition", "P" },
    { "max-parallel", 0, 0, G_OPTION_ARG_STRING, &o->max_parallel, "Slurm: at most N tasks at once (the array's %N)", "N" },
    { "retries", 0, 0, G_OPTION_ARG_STRING, &o->retries, "Slurm: resubmit a failed task up to R times (default 2)", "R" },
    { "time", 0, 0, G_OPTION_ARG_STRING, &o->time, "Slurm: each task's time limit (sbatch --time)", "T" },
    { "cpus-per-task", 0, 0, G_OPTION_ARG_STRING, &o->cpus, "Slurm: CPUs per task (and the run's --threads)", "C" },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("backend", "Backend options", "Where the tasks run", NULL, NULL);
  g_option_group_add_entries (group, entries);
  g_option_context_add_group (context, group);
}

void
cli_slurm_options_clear (CliSlurmOptions *o)
{
  g_free (o->backend);
  g_free (o->partition);
  g_free (o->time);
  g_free (o->max_parallel);
  g_free (o->retries);
  g_free (o->cpus);
}

gboolean
cli_slurm_wanted (const CliSlurmOptions *o)
{
  return g_strcmp0 (o->backend, "slurm") == 0;
}

int
cli_slurm_check (CliSlurmOptions *o, const char *out)
{
  g_autoptr(GError) error = NULL;

  if (o->backend && strcmp (o->backend, "local") != 0 && strcmp (o->backend, "slurm") != 0)
    return cli_bad_input ("--backend: expected local or slurm (got \"%s\")", o->backend);
  if (!cli_slurm_wanted (o))
    {
      if (o->partition || o->time || o->max_parallel || o->retries || o->cpus)
        return cli_bad_input ("--partition, --max-parallel, --retries, --time and --cpus-per-task need --backend slurm");
      return CLI_OK;
    }
  o->retry_count = 2;
  if (!cli_parse_count ("max-parallel", o->max_parallel, 1, 100000, &o->parallel, &error)
      || !cli_parse_count ("retries", o->retries, 0, 100, &o->retry_count, &error)
      || !cli_parse_count ("cpus-per-task", o->cpus, 1, 4096, &o->cpu_count, &error))
    return cli_bad_input ("%s", error->message);
  if (!ts_slurm_check (out, &error))
    return cli_bad_input ("%s", error->message);
  return CLI_OK;
}

/* the lines the slurm suite reads: "slurm: job ID: array …", one per
 * element state change, the source of the states once */
static void
print_event (const TsSlurmEvent *e, gpointer data)
{
  switch (e->kind)
    {
    case TS_SLURM_SUBMITTED:
      g_printerr ("slurm: job %" G_GUINT64_FORMAT ": array %s (tasks %u + index)\n", e->job, e->array, e->offset);
      break;
    case TS_SLURM_STATE:
      if (e->exit_code)
        g_printerr ("slurm: %" G_GUINT64_FORMAT "_%s %s, exit %s\n", e->job, e->index, e->state, e->exit_code);
      else
        g_printerr ("slurm: %" G_GUINT64_FORMAT "_%s %s\n", e->job, e->index, e->state);
      break;
    case TS_SLURM_SOURCE:
      g_printerr ("slurm: element states from %s\n", e->state);
      break;
    }
}

int
cli_slurm_run (const CliSlurmOptions *o, const char *out, char **exp_paths, char **dirs, guint n, gboolean resume,
               char ***failures)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", &error);
  TsSlurmOptions options = { self, o->partition, o->time, (guint) o->parallel, (guint) o->retry_count,
                             (guint) o->cpu_count };
  TsSlurmEnd end;

  if (self == NULL)
    {
      *failures = g_new0 (char *, n + 1);
      g_printerr ("trainscope-cli: %s\n", error->message);
      return CLI_RUN_FAILED;
    }
  end = ts_slurm_run (&options, out, exp_paths, dirs, n, resume, NULL, print_event, NULL, failures, &error);
  if (error)
    g_printerr ("trainscope-cli: %s\n", error->message);
  switch (end)
    {
    case TS_SLURM_DONE:
      return CLI_OK;
    case TS_SLURM_REFUSED:
      return CLI_BAD_INPUT;
    default:
      return CLI_RUN_FAILED;
    }
}
