/* ts-slurm.h — the Slurm backend of search and run --seeds, shared by
 * trainscope-cli and the window: the same tasks the local backend trains
 * (an experiment file and a run folder each), submitted as a job array
 * whose element i runs `trainscope-cli run EXP_i --out DIR_i`. A task is
 * done exactly when its folder's summary.json (written atomically, last)
 * says done or diverged; failed elements are resubmitted by index, up to
 * `retries` times. The job ids live in OUT/slurm/state.json so a resumed
 * search picks up a job the submitter left behind. Nothing is printed:
 * what happens reaches the caller as events (the CLI prints them, the
 * window's table shows them).
 *
 *   TsSlurmOptions o = { .cli = "/usr/bin/trainscope-cli", .retries = 2 };
 *   char **failures = NULL;
 *   if (!ts_slurm_check ("out", &error)) …           // no sbatch, folder not writable
 *   end = ts_slurm_run (&o, "out", exps, dirs, n, FALSE, NULL, on_event, data, &failures, &error);
 *   ts_slurm_failures_free (failures, n);
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  const char *cli;       /* the trainscope-cli every element runs (absolute) */
  const char *partition; /* NULL: the cluster's default */
  const char *time;      /* NULL: the partition's limit */
  guint       parallel;  /* at most this many elements at once (the array's %P); 0: no limit */
  guint       retries;   /* resubmissions of a failed task */
  guint       cpus;      /* per task, and the run's --threads; 0: Slurm's default */
} TsSlurmOptions;

typedef enum {
  TS_SLURM_SUBMITTED, /* an array went in: job, array, offset */
  TS_SLURM_STATE,     /* an element's state changed: job, index, task, state, exit_code, attempt */
  TS_SLURM_SOURCE,    /* where states are read from: state is "sacct" or "scontrol show job" */
} TsSlurmEventKind;

typedef struct {
  TsSlurmEventKind kind;
  guint64          job;
  const char      *array;     /* SUBMITTED: the --array list, e.g. "0,3,7%2" */
  guint            offset;    /* SUBMITTED: element i is task offset + i */
  const char      *index;     /* STATE: the element's array index as Slurm wrote it ("3", "[4-7%2]") */
  int              task;      /* STATE: the task, or -1 for a pending rest of the array */
  const char      *state;     /* STATE: Slurm's word (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED…) */
  const char      *exit_code; /* STATE: when Slurm gave one, else NULL */
  guint            attempt;   /* STATE: the task's submissions so far (1: first try) */
} TsSlurmEvent;

/* Called on the thread running ts_slurm_run, once per change. */
typedef void (*TsSlurmNotify) (const TsSlurmEvent *event, gpointer data);

typedef enum {
  TS_SLURM_DONE,      /* every task finished */
  TS_SLURM_FAILED,    /* some task failed every try: see failures */
  TS_SLURM_REFUSED,   /* Slurm refused the first submission (its message in error) */
  TS_SLURM_ERROR,     /* the state or script could not be written, a later sbatch failed */
  TS_SLURM_CANCELLED, /* cancellable fired: the watched jobs were scancel'ed */
} TsSlurmEnd;

/* sbatch on PATH and out writable; the error says which is missing. */
gboolean   ts_slurm_check (const char *out, GError **error);
/* Runs the tasks (exp_paths[i] into dirs[i]) not finished yet and watches
 * them until none can still run (sacct where accounting is on, scontrol
 * where it is off). *failures (n entries) holds, for a task that failed
 * every try, the last lines of its last log. */
TsSlurmEnd ts_slurm_run (const TsSlurmOptions *o, const char *out, char **exp_paths, char **dirs, guint n,
                         gboolean resume, GCancellable *cancellable, TsSlurmNotify notify, gpointer data,
                         char ***failures, GError **error);
/* Frees ts_slurm_run's failures (n entries, NULL ones among them). */
void       ts_slurm_failures_free (char **failures, guint n);
/* A run folder's summary.json says done or diverged. */
gboolean   ts_slurm_task_finished (const char *dir);
/* A state Slurm will not change any more (COMPLETED, FAILED, TIMEOUT…). */
gboolean   ts_slurm_state_is_terminal (const char *state);

G_END_DECLS
