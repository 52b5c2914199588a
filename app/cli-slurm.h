/* The Slurm backend's flags for search and run --seeds, and its progress
 * printed on stderr; the backend is core's ts-slurm.h (each element runs
 * this very binary's `run`). */
#pragma once

#include "cli-common.h"

typedef struct {
  char    *backend;      /* NULL or "local": this machine */
  char    *partition;
  char    *time;
  char    *max_parallel; /* the flags' text, parsed by cli_slurm_check */
  char    *retries;
  char    *cpus;
  guint64  parallel, retry_count, cpu_count;
} CliSlurmOptions;

/* The --backend, --partition, --max-parallel, --retries, --time and
 * --cpus-per-task entries, writing into o. */
void     cli_slurm_add_entries (GOptionContext *context, CliSlurmOptions *o);
void     cli_slurm_options_clear (CliSlurmOptions *o);
gboolean cli_slurm_wanted (const CliSlurmOptions *o);
/* CLI_OK or CLI_BAD_INPUT with the reason printed: an unknown backend,
 * a bad count, Slurm flags without --backend slurm, no sbatch on PATH, an
 * output folder that cannot be written. */
int      cli_slurm_check (CliSlurmOptions *o, const char *out);
/* Runs the tasks (exp_paths[i] into dirs[i]) not finished yet; returns
 * CLI_OK when every task finished, CLI_RUN_FAILED when some failed every
 * time (*failures[i]: the last lines of its last log, else NULL),
 * CLI_BAD_INPUT when Slurm refused the first submission; free failures
 * with ts_slurm_failures_free. */
int      cli_slurm_run (const CliSlurmOptions *o, const char *out, char **exp_paths, char **dirs, guint n,
                        gboolean resume, char ***failures);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliSlurmOptions, cli_slurm_options_clear)
