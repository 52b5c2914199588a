/* The Slurm backend: job arrays, their elements' states (sacct where
 * accounting is on, scontrol where it is off), resubmission by index.
 * Moved here from trainscope-cli so the window submits through it too. */
#include "ts-slurm.h"
#include "ts-error.h"
#include "ts-io.h"
#include "ts-json.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

gboolean
ts_slurm_check (const char *out, GError **error)
{
  g_autofree char *sbatch = g_find_program_in_path ("sbatch");

  if (sbatch == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_UNSUPPORTED,
                   "--backend slurm: no sbatch on PATH (is this a Slurm submit host?)");
      return FALSE;
    }
  if (g_mkdir_with_parents (out, 0755) != 0 || access (out, W_OK) != 0)
    {
      int saved = errno;
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: the output folder cannot be written: %s", out,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

void
ts_slurm_failures_free (char **failures, guint n)
{
  for (guint i = 0; failures && i < n; i++)
    g_free (failures[i]);
  g_free (failures);
}

gboolean
ts_slurm_task_finished (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  g_autoptr(JsonNode) root = g_file_test (path, G_FILE_TEST_EXISTS) ? ts_json_load_file (path, NULL) : NULL;
  const char *state;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  state = json_object_get_string_member_with_default (json_node_get_object (root), "state", "");
  return strcmp (state, "done") == 0 || strcmp (state, "diverged") == 0;
}

gboolean
ts_slurm_state_is_terminal (const char *state)
{
  static const char *const terminal[] = { "COMPLETED", "FAILED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED",
                                          "CANCELLED", "BOOT_FAIL", "DEADLINE", NULL };
  for (guint i = 0; terminal[i]; i++)
    if (g_str_has_prefix (state, terminal[i]))
      return TRUE;
  return FALSE;
}

/* ---- running Slurm's commands ------------------------------------------------ */

static gboolean
run_command (const char *const *argv, char **out, char **err, GError **error)
{
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err, &status, error))
    return FALSE;
  return g_spawn_check_wait_status (status, error);
}

/* indices of an array must be below MaxArraySize */
static guint
max_array_size (void)
{
  const char *argv[] = { "scontrol", "show", "config", NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  if (!run_command (argv, &out, NULL, NULL))
    return 1001; /* Slurm's default */
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], "MaxArraySize"))
      {
        char *eq = strchr (lines[i], '=');
        guint64 v;
        if (eq && g_ascii_string_to_unsigned (g_strstrip (eq + 1), 10, 1, G_MAXUINT, &v, NULL))
          return (guint) v;
      }
  return 1001;
}

/* ---- the submitter's state: OUT/slurm/state.json ------------------------------ */

typedef struct {
  guint64 id;
  guint   offset; /* element i is task offset + i */
  int     only;   /* an array of one element: its index (sacct may list it
                   * as the bare job id), else -1 */
} Job;

typedef struct {
  const TsSlurmOptions *o;
  TsSlurmNotify notify;
  gpointer      data;
  char   *out;          /* absolute */
  char   *slurm_dir;
  char   *script;
  guint   n;
  char  **dirs;         /* absolute */
  guint  *attempts;     /* submissions of each task */
  char  **logs;         /* each task's latest log */
  GArray *jobs;         /* Job: still to watch */
  gboolean use_scontrol; /* sacct said accounting is disabled */
  guint   sources_said;  /* 1: sacct, 2: scontrol — each told once */
  GHashTable *seen;     /* "job_index" → last state told */
} Submitter;

static void
emit (Submitter *s, const TsSlurmEvent *event)
{
  if (s->notify)
    s->notify (event, s->data);
}

static void
submitter_clear (Submitter *s)
{
  g_free (s->out);
  g_free (s->slurm_dir);
  g_free (s->script);
  g_strfreev (s->dirs);
  g_free (s->attempts);
  for (guint i = 0; i < s->n; i++)
    g_free (s->logs[i]);
  g_free (s->logs);
  g_array_unref (s->jobs);
  g_hash_table_unref (s->seen);
}

static gboolean
save_state (Submitter *s, GError **error)
{
  g_autofree char *path = g_build_filename (s->slurm_dir, "state.json", NULL);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *o = json_object_new ();
  JsonArray *jobs = json_array_new (), *offsets = json_array_new (), *attempts = json_array_new (),
            *logs = json_array_new ();

  for (guint i = 0; i < s->jobs->len; i++)
    {
      json_array_add_int_element (jobs, (gint64) g_array_index (s->jobs, Job, i).id);
      json_array_add_int_element (offsets, g_array_index (s->jobs, Job, i).offset);
    }
  for (guint i = 0; i < s->n; i++)
    {
      json_array_add_int_element (attempts, s->attempts[i]);
      json_array_add_string_element (logs, s->logs[i] ? s->logs[i] : "");
    }
  json_object_set_array_member (o, "jobs", jobs);
  json_object_set_array_member (o, "offsets", offsets);
  json_object_set_array_member (o, "attempts", attempts);
  json_object_set_array_member (o, "logs", logs);
  json_node_take_object (node, o);
  return ts_write_json_atomic (path, node, error);
}

/* resuming: the jobs to watch and the attempts so far, when they are for
 * as many tasks (a state without offsets: every array started at task 0) */
static void
load_state (Submitter *s)
{
  g_autofree char *path = g_build_filename (s->slurm_dir, "state.json", NULL);
  g_autoptr(JsonNode) root = g_file_test (path, G_FILE_TEST_EXISTS) ? ts_json_load_file (path, NULL) : NULL;
  JsonObject *o = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonArray *jobs, *offsets = NULL, *attempts, *logs;

  if (o == NULL || !json_object_has_member (o, "jobs") || !json_object_has_member (o, "attempts")
      || !json_object_has_member (o, "logs"))
    return;
  jobs = json_object_get_array_member (o, "jobs");
  attempts = json_object_get_array_member (o, "attempts");
  logs = json_object_get_array_member (o, "logs");
  if (json_object_has_member (o, "offsets"))
    offsets = json_object_get_array_member (o, "offsets");
  if (!jobs || !attempts || !logs || json_array_get_length (attempts) != s->n || json_array_get_length (logs) != s->n)
    return;
  for (guint i = 0; i < json_array_get_length (jobs); i++)
    {
      Job job = { (guint64) json_array_get_int_element (jobs, i), 0, -1 };
      if (offsets && i < json_array_get_length (offsets))
        job.offset = (guint) json_array_get_int_element (offsets, i);
      g_array_append_val (s->jobs, job);
    }
  for (guint i = 0; i < s->n; i++)
    {
      const char *log = json_array_get_string_element (logs, i);
      s->attempts[i] = (guint) json_array_get_int_element (attempts, i);
      s->logs[i] = log && *log ? g_strdup (log) : NULL;
    }
}

/* ---- the batch script ----------------------------------------------------------- */

static gboolean
write_script (Submitter *s, char **exp_paths, GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *q_cli = g_shell_quote (s->o->cli);

  g_string_append (text, "#!/bin/sh\n# Written by trainscope: element i of a job array runs task i + TS_TASK_OFFSET,\n"
                         "# `trainscope-cli run` of the task's experiment into its run folder.\n"
                         "i=$((SLURM_ARRAY_TASK_ID + ${TS_TASK_OFFSET:-0}))\ncase \"$i\" in\n");
  for (guint i = 0; i < s->n; i++)
    {
      g_autofree char *exp_abs = g_canonicalize_filename (exp_paths[i], NULL);
      g_autofree char *q_exp = g_shell_quote (exp_abs), *q_dir = g_shell_quote (s->dirs[i]);
      g_string_append_printf (text, "%u) exec %s run %s --out %s%s ;;\n", i, q_cli, q_exp, q_dir,
                              s->o->cpus ? " --threads \"$SLURM_CPUS_PER_TASK\"" : "");
    }
  g_string_append (text, "esac\necho \"trainscope-cli: no task $i in this array\" >&2\nexit 2\n");
  if (!g_file_set_contents (s->script, text->str, text->len, error))
    return FALSE;
  if (g_chmod (s->script, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, TS_ERROR, TS_ERROR_WRITE, "%s: %s", s->script, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* ---- submitting ------------------------------------------------------------------ */

/* one sbatch of the tasks in [offset, offset + max) among `which`; a
 * refusal is TS_ERROR_INVALID with Slurm's message */
static gboolean
submit_chunk (Submitter *s, GArray *which, guint offset, GError **error)
{
  const TsSlurmOptions *o = s->o;
  g_autoptr(GString) list = g_string_new (NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL, *err = NULL;
  GError *inner = NULL;
  Job job = { 0, offset, which->len == 1 ? (int) (g_array_index (which, guint, 0) - offset) : -1 };

  for (guint k = 0; k < which->len; k++)
    g_string_append_printf (list, "%s%u", list->len ? "," : "", g_array_index (which, guint, k) - offset);
  if (o->parallel)
    g_string_append_printf (list, "%%%u", o->parallel);
  g_ptr_array_add (argv, g_strdup ("sbatch"));
  g_ptr_array_add (argv, g_strdup ("--parsable"));
  g_ptr_array_add (argv, g_strdup ("--job-name=trainscope"));
  g_ptr_array_add (argv, g_strdup_printf ("--array=%s", list->str));
  g_ptr_array_add (argv, g_strdup_printf ("--output=%s/%%A_%%a.log", s->slurm_dir));
  g_ptr_array_add (argv, g_strdup_printf ("--chdir=%s", s->out));
  g_ptr_array_add (argv, g_strdup_printf ("--export=ALL,TS_TASK_OFFSET=%u", offset));
  if (o->partition)
    g_ptr_array_add (argv, g_strdup_printf ("--partition=%s", o->partition));
  if (o->time)
    g_ptr_array_add (argv, g_strdup_printf ("--time=%s", o->time));
  if (o->cpus)
    g_ptr_array_add (argv, g_strdup_printf ("--cpus-per-task=%u", o->cpus));
  g_ptr_array_add (argv, g_strdup (s->script));
  g_ptr_array_add (argv, NULL);
  if (!run_command ((const char *const *) argv->pdata, &out, &err, &inner))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "sbatch refused the array: %s",
                   err && *err ? g_strstrip (err) : inner->message);
      g_error_free (inner);
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (g_strstrip (g_strdelimit (out, ";", '\0')), 10, 1, G_MAXUINT64, &job.id, NULL))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "sbatch --parsable printed no job id: %s", out);
      return FALSE;
    }
  g_array_append_val (s->jobs, job);
  for (guint k = 0; k < which->len; k++)
    {
      guint i = g_array_index (which, guint, k);
      s->attempts[i]++;
      g_free (s->logs[i]);
      s->logs[i] = g_strdup_printf ("%s/%" G_GUINT64_FORMAT "_%u.log", s->slurm_dir, job.id, i - offset);
    }
  emit (s, &(TsSlurmEvent) { .kind = TS_SLURM_SUBMITTED, .job = job.id, .array = list->str, .offset = offset,
                              .task = -1 });
  return save_state (s, error);
}

/* the tasks, split into arrays whose indices stay below MaxArraySize */
static gboolean
submit (Submitter *s, GArray *tasks, GError **error)
{
  guint max = max_array_size ();

  for (guint k = 0; k < tasks->len;)
    {
      guint offset = g_array_index (tasks, guint, k) / max * max;
      g_autoptr(GArray) chunk = g_array_new (FALSE, FALSE, sizeof (guint));
      while (k < tasks->len && g_array_index (tasks, guint, k) < offset + max)
        g_array_append_val (chunk, g_array_index (tasks, guint, k++));
      if (!submit_chunk (s, chunk, offset, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- watching ------------------------------------------------------------------- */

/* an element's state, told once per change until it ends */
static void
note_state (Submitter *s, const Job *job, const char *index, const char *state, const char *exit_code)
{
  g_autofree char *key = g_strdup_printf ("%" G_GUINT64_FORMAT "_%s", job->id, index);
  const char *before = g_hash_table_lookup (s->seen, key);
  guint64 i;
  int task = -1;

  /* an element that ended stays ended: the controller may still say
   * COMPLETING after sacct said FAILED, and the end is told once */
  if (g_strcmp0 (before, state) == 0 || (before && ts_slurm_state_is_terminal (before)))
    return;
  if (g_ascii_string_to_unsigned (index, 10, 0, G_MAXUINT, &i, NULL) && job->offset + i < s->n)
    task = (int) (job->offset + i);
  emit (s, &(TsSlurmEvent) { .kind = TS_SLURM_STATE, .job = job->id, .index = index, .task = task, .state = state,
                              .exit_code = ts_slurm_state_is_terminal (state) ? exit_code : NULL,
                              .attempt = task >= 0 ? s->attempts[task] : 0 });
  g_hash_table_replace (s->seen, g_steal_pointer (&key), g_strdup (state));
}

/* sacct's rows for the job (JobID|State|ExitCode, one per element; a
 * pending rest of an array as 12_[3-5%2]); FALSE when sacct cannot tell
 * (accounting disabled, or the job not in the database yet) */
static gboolean
watch_sacct (Submitter *s, const Job *job, gboolean *active)
{
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, job->id);
  const char *argv[] = { "sacct", "--parsable2", "--noheader", "-X", "-j", id, "-o", "JobID,State,ExitCode", NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_auto(GStrv) lines = NULL;
  guint rows = 0;

  if (!run_command (argv, &out, &err, NULL))
    {
      if (err && strstr (err, "accounting storage is disabled"))
        s->use_scontrol = TRUE;
      return FALSE;
    }
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], "|", -1);
      g_autofree char *only = NULL;
      const char *under;
      if (g_strv_length (cells) < 3)
        continue;
      rows++;
      under = strchr (cells[0], '_');
      /* the bare job id of a one-element array: that element */
      only = under == NULL && job->only >= 0 ? g_strdup_printf ("%d", job->only) : NULL;
      note_state (s, job, only ? only : under ? under + 1 : cells[0], cells[1], cells[2]);
      *active = *active || !ts_slurm_state_is_terminal (cells[1]);
    }
  return rows > 0;
}

static const char *
field (GStrv words, const char *name)
{
  gsize n = strlen (name);
  for (guint i = 0; words[i]; i++)
    if (strncmp (words[i], name, n) == 0 && words[i][n] == '=')
      return words[i] + n + 1;
  return NULL;
}

/* scontrol's one line per element (JobState=, ArrayTaskId=, ExitCode=); a
 * job Slurm no longer knows is over */
static void
watch_scontrol (Submitter *s, const Job *job, gboolean *active)
{
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, job->id);
  const char *argv[] = { "scontrol", "-o", "show", "job", id, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  if (!run_command (argv, &out, NULL, NULL))
    return;
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) words = g_strsplit (lines[i], " ", -1);
      const char *state = field (words, "JobState"), *index = field (words, "ArrayTaskId");
      if (state == NULL)
        continue;
      note_state (s, job, index ? index : "?", state, field (words, "ExitCode"));
      *active = *active || !ts_slurm_state_is_terminal (state);
    }
}

/* TRUE while some element of a watched job may still run; jobs all of
 * whose elements ended are dropped from the state */
static gboolean
watch (Submitter *s, GError **error)
{
  gboolean any = FALSE, changed = FALSE;

  for (guint j = 0; j < s->jobs->len;)
    {
      Job job = g_array_index (s->jobs, Job, j);
      gboolean active = FALSE;
      guint source = 1;
      if (s->use_scontrol || !watch_sacct (s, &job, &active))
        {
          watch_scontrol (s, &job, &active);
          source = 2;
        }
      else if (!active)
        /* slurmdbd lags behind the controller: sacct may list the elements
         * that ended and not yet those that ran a moment ago, nor the
         * array's pending rest. Over only when the controller agrees (or
         * no longer knows the job); its states are told as well. */
        watch_scontrol (s, &job, &active);
      if (!(s->sources_said & source))
        emit (s, &(TsSlurmEvent) { .kind = TS_SLURM_SOURCE, .job = job.id, .task = -1,
                                    .state = source == 1 ? "sacct" : "scontrol show job" });
      s->sources_said |= source;
      any = any || active;
      if (active)
        j++;
      else
        {
          g_array_remove_index (s->jobs, j);
          changed = TRUE;
        }
    }
  return changed && !save_state (s, error) ? FALSE : any;
}

/* the last lines of a task's log, for the table */
static char *
log_tail (const char *path, guint lines)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) all = NULL;
  g_autoptr(GString) tail = g_string_new (NULL);
  guint n, first;

  if (path == NULL || !g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup_printf ("no log (%s)", path ? path : "never submitted");
  all = g_strsplit (g_strstrip (text), "\n", -1);
  n = g_strv_length (all);
  first = n > lines ? n - lines : 0;
  for (guint i = first; i < n; i++)
    {
      char *cr = strrchr (all[i], '\r'); /* a terminal's live line: its last state */
      g_string_append_printf (tail, "%s%s", tail->len ? " / " : "", g_strstrip (cr ? cr + 1 : all[i]));
    }
  return g_string_free (g_steal_pointer (&tail), FALSE);
}

/* Stop: the watched jobs cancelled (a resumed search resubmits what is
 * missing; the state keeps the attempts); says which */
static void
cancel_jobs (Submitter *s, GError **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) ids = g_string_new (NULL);
  g_autoptr(GError) inner = NULL;

  if (s->jobs->len == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_CANCELLED, "stopped: no Slurm job was running");
      return;
    }
  g_ptr_array_add (argv, g_strdup ("scancel"));
  for (guint j = 0; j < s->jobs->len; j++)
    {
      g_ptr_array_add (argv, g_strdup_printf ("%" G_GUINT64_FORMAT, g_array_index (s->jobs, Job, j).id));
      g_string_append_printf (ids, "%s%s", j ? ", " : "", (char *) argv->pdata[argv->len - 1]);
    }
  g_ptr_array_add (argv, NULL);
  if (!run_command ((const char *const *) argv->pdata, NULL, NULL, &inner))
    g_set_error (error, TS_ERROR, TS_ERROR_CANCELLED, "stopped, but scancel %s failed: %s", ids->str, inner->message);
  else
    g_set_error (error, TS_ERROR, TS_ERROR_CANCELLED, "stopped: Slurm job %s cancelled", ids->str);
  g_array_set_size (s->jobs, 0);
  save_state (s, NULL);
}

/* Slurm's own pace: no faster than it schedules; wakes early on cancel */
static gboolean
pause_or_cancelled (gulong usec, GCancellable *cancellable)
{
  for (gulong slept = 0; slept < usec; slept += 50000)
    {
      if (g_cancellable_is_cancelled (cancellable))
        return TRUE;
      g_usleep (50000);
    }
  return g_cancellable_is_cancelled (cancellable);
}

static TsSlurmEnd
run_loop (Submitter *s, char ***failures, GCancellable *cancellable, GError **error)
{
  gboolean submitted_before = s->jobs->len > 0;
  gulong pause = 250000;

  for (;;)
    {
      g_autoptr(GArray) missing = g_array_new (FALSE, FALSE, sizeof (guint));
      guint exhausted = 0;
      GError *inner = NULL;

      if (g_cancellable_is_cancelled (cancellable))
        {
          cancel_jobs (s, error);
          return TS_SLURM_CANCELLED;
        }
      if (watch (s, &inner))
        {
          if (!pause_or_cancelled (pause, cancellable))
            pause = MIN (pause * 2, 2000000);
          continue;
        }
      if (inner)
        {
          g_propagate_error (error, inner);
          return TS_SLURM_ERROR;
        }
      for (guint i = 0; i < s->n; i++)
        if (!ts_slurm_task_finished (s->dirs[i]))
          {
            if (s->attempts[i] > s->o->retries)
              exhausted++;
            else
              g_array_append_val (missing, i);
          }
      if (missing->len == 0)
        {
          for (guint i = 0; i < s->n && exhausted; i++)
            if (!ts_slurm_task_finished (s->dirs[i]))
              (*failures)[i] = log_tail (s->logs[i], 5);
          return exhausted ? TS_SLURM_FAILED : TS_SLURM_DONE;
        }
      if (!submit (s, missing, &inner))
        {
          gboolean refused = inner->code == TS_ERROR_INVALID && !submitted_before;
          g_propagate_error (error, inner);
          return refused ? TS_SLURM_REFUSED : TS_SLURM_ERROR;
        }
      submitted_before = TRUE;
      pause = 250000;
    }
}

TsSlurmEnd
ts_slurm_run (const TsSlurmOptions *o, const char *out, char **exp_paths, char **dirs, guint n, gboolean resume,
              GCancellable *cancellable, TsSlurmNotify notify, gpointer data, char ***failures, GError **error)
{
  Submitter s = { 0 };
  TsSlurmEnd end;

  s.o = o;
  s.notify = notify;
  s.data = data;
  s.out = g_canonicalize_filename (out, NULL);
  s.slurm_dir = g_build_filename (s.out, "slurm", NULL);
  s.script = g_build_filename (s.slurm_dir, "task.sh", NULL);
  s.n = n;
  s.dirs = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    s.dirs[i] = g_canonicalize_filename (dirs[i], NULL);
  s.attempts = g_new0 (guint, n);
  s.logs = g_new0 (char *, n);
  s.jobs = g_array_new (FALSE, FALSE, sizeof (Job));
  s.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  *failures = g_new0 (char *, n + 1);
  if (g_mkdir_with_parents (s.slurm_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: cannot create the folder: %s", s.slurm_dir, g_strerror (saved));
      submitter_clear (&s);
      return TS_SLURM_REFUSED;
    }
  if (resume)
    load_state (&s);
  if (!write_script (&s, exp_paths, error))
    end = TS_SLURM_ERROR;
  else
    end = run_loop (&s, failures, cancellable, error);
  submitter_clear (&s);
  return end;
}
