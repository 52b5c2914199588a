/* Running the Search page's tasks: here, one trainer after another (each
 * on its own thread, polled every 100 ms from the main loop), or as a
 * Slurm job array through core's ts_slurm_run on a thread of its own,
 * whose events come back through a queue the same poll drains. Either
 * way the results are core's ts_search_collect, as the CLI's are. */
#include "ts-search-page-private.h"
#include "ts-io.h"
#include "ts-json.h"

#include <math.h>

/* ---- what a task's folder says -------------------------------------------------- */

static void
view_set_state (TsTaskView *view, const char *state)
{
  if (g_strcmp0 (view->state, state) != 0)
    {
      g_free (view->state);
      view->state = g_strdup (state);
    }
}

/* a finished task's numbers (and, unless Slurm names it, its state) */
static gboolean
view_read_summary (TsTaskView *view, const TsSearchTask *task, gboolean keep_state)
{
  g_autofree char *path = g_build_filename (task->dir, "summary.json", NULL);
  g_autoptr(JsonNode) root = g_file_test (path, G_FILE_TEST_EXISTS) ? ts_json_load_file (path, NULL) : NULL;
  JsonObject *o = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;

  if (o == NULL)
    return FALSE;
  view->seconds = ts_json_number (o, "seconds");
  view->val_acc = ts_json_number (o, "val_acc");
  if (!keep_state)
    view_set_state (view, json_object_get_string_member_with_default (o, "state", "?"));
  return TRUE;
}

static gboolean
collect (TsSearchPage *self, GError **error)
{
  JsonNode *result = ts_search_collect (self->space, self->tasks, self->n_trials, self->n_folds, self->out,
                                        self->n_trials, error);
  if (result == NULL)
    return FALSE;
  g_clear_pointer (&self->result, json_node_unref);
  self->result = result;
  g_clear_pointer (&self->curves, ts_search_curves_free);
  self->curves = ts_search_curves_read (self->tasks, self->n_trials, self->n_folds, self->exp->train.epochs);
  return TRUE;
}

/* tasks whose summary says done or diverged (a stopped one is not) */
static guint
count_finished (TsSearchPage *self)
{
  guint n = 0;
  for (guint i = 0; i < self->tasks->len; i++)
    n += ts_search_task_finished (self->tasks->pdata[i]);
  return n;
}

/* the end of a run: the CLI's results, figures and message */
static void
finish (TsSearchPage *self, const char *message)
{
  g_autoptr(GError) error = NULL;

  self->running = FALSE;
  g_clear_handle_id (&self->timer, g_source_remove);
  if (collect (self, &error))
    ts_search_write_figures (self->space, self->tasks, self->result, self->n_trials, self->n_folds, self->exp->name,
                             self->exp->train.epochs, self->out, &error);
  _ts_search_page_set_message (self, message ? message : error ? error->message : NULL);
  gtk_progress_bar_set_fraction (self->progress, (double) count_finished (self) / MAX (self->tasks->len, 1));
  gtk_label_set_text (self->status, message ? "Not finished" : "Finished");
  _ts_search_page_refresh (self);
  _ts_search_page_update_buttons (self);
}

/* ---- here: one trainer after another ---------------------------------------------- */

static gboolean
start_next_local (TsSearchPage *self)
{
  TsSearchTask *task;

  while (self->current < self->tasks->len && ts_search_task_finished (self->tasks->pdata[self->current]))
    self->current++;
  if (self->current >= self->tasks->len)
    return FALSE;
  task = self->tasks->pdata[self->current];
  self->trainer = ts_trainer_new (task->exp, task->dir);
  view_set_state (&self->views[self->current], "loading");
  ts_trainer_start (self->trainer);
  return TRUE;
}

static void
poll_local (TsSearchPage *self)
{
  TsTaskView *view = &self->views[self->current];
  TsSearchTask *task = self->tasks->pdata[self->current];
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  TsProgress p;
  TsRunState end;

  ts_trainer_get_progress (self->trainer, &p);
  if (!ts_run_state_is_final (p.state))
    {
      if (p.state >= TS_RUN_RUNNING)
        {
          text = g_strdup_printf ("training %u/%u", MIN (p.epoch + 1, p.epochs), p.epochs);
          view_set_state (view, text);
        }
      g_free (text);
      guint batches = MAX (p.batches, 1);
      text = g_strdup_printf ("trial %u fold %u · %.0f%%", task->trial, task->fold,
                              100.0 * (p.epoch * batches + p.batch) / MAX (p.epochs * batches, 1));
      gtk_label_set_text (self->status, text);
      _ts_search_page_refresh (self);
      return;
    }
  end = ts_trainer_wait (self->trainer);
  error = end == TS_RUN_FAILED ? ts_trainer_dup_error (self->trainer) : NULL;
  g_clear_pointer (&self->trainer, ts_trainer_unref);
  if (!view_read_summary (view, task, FALSE))
    view_set_state (view, ts_run_state_name (end));
  collect (self, NULL);
  gtk_progress_bar_set_fraction (self->progress, (double) count_finished (self) / self->tasks->len);
  if (end == TS_RUN_FAILED)
    {
      g_autofree char *why = g_strdup_printf ("%s: %s", task->dir, error ? error->message : "the run failed");
      finish (self, why);
      return;
    }
  if (end == TS_RUN_STOPPED || self->stopping)
    {
      guint done = count_finished (self);
      g_autofree char *why = g_strdup_printf ("Stopped with %u of %u tasks finished; Resume Folder continues the "
                                              "search", done, self->tasks->len);
      finish (self, done == self->tasks->len ? NULL : why);
      return;
    }
  self->current++;
  if (!start_next_local (self))
    finish (self, NULL);
  else
    _ts_search_page_refresh (self);
}

/* ---- on Slurm: the submitter on a thread ------------------------------------------- */

typedef struct {
  int    task;     /* -1: not one task's; -2: the submitter ended */
  guint  attempt;
  char  *state;
  char  *text;     /* a submission's line, or the end's error */
  int    end;      /* TsSlurmEnd, for task -2 */
  char **failures; /* for task -2: n_tasks entries */
  guint  n_tasks;
} Event;

static void
event_free (Event *e)
{
  ts_slurm_failures_free (e->failures, e->n_tasks);
  g_free (e->state);
  g_free (e->text);
  g_free (e);
}

typedef struct {
  TsSlurmOptions o;
  char          *cli, *partition;
  char          *out;
  char         **exps, **dirs;
  guint          n;
  gboolean       resume;
  GCancellable  *cancel;
  GAsyncQueue   *events;
} SlurmJob;

static void
on_slurm_event (const TsSlurmEvent *e, gpointer data)
{
  SlurmJob *job = data;
  Event *copy = g_new0 (Event, 1);

  copy->task = e->kind == TS_SLURM_STATE ? e->task : -1;
  copy->attempt = e->attempt;
  copy->state = g_strdup (e->state);
  if (e->kind == TS_SLURM_SUBMITTED)
    copy->text = g_strdup_printf ("Slurm job %" G_GUINT64_FORMAT ": array %s", e->job, e->array);
  else if (e->kind == TS_SLURM_SOURCE)
    copy->text = g_strdup_printf ("task states from %s", e->state);
  g_async_queue_push (job->events, copy);
}

static gpointer
slurm_thread (gpointer data)
{
  SlurmJob *job = data;
  g_autoptr(GError) error = NULL;
  Event *end = g_new0 (Event, 1);

  end->task = -2;
  end->n_tasks = job->n;
  end->end = ts_slurm_run (&job->o, job->out, job->exps, job->dirs, job->n, job->resume, job->cancel, on_slurm_event,
                           job, &end->failures, &error);
  end->text = error ? g_strdup (error->message) : NULL;
  g_async_queue_push (job->events, end);
  g_free (job->cli);
  g_free (job->partition);
  g_free (job->out);
  g_strfreev (job->exps);
  g_strfreev (job->dirs);
  g_object_unref (job->cancel);
  g_async_queue_unref (job->events);
  g_free (job);
  return NULL;
}

/* the trainscope-cli every element runs: $TRAINSCOPE_CLI, beside this
 * program (installed), in the build tree's app/ (tests), or on PATH */
static char *
find_cli (void)
{
  const char *env = g_getenv ("TRAINSCOPE_CLI");
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self ? g_path_get_dirname (self) : NULL;
  const char *const tries[] = { "trainscope-cli", "../app/trainscope-cli", NULL };

  if (env && *env)
    return g_canonicalize_filename (env, NULL);
  for (guint i = 0; dir && tries[i]; i++)
    {
      g_autofree char *path = g_build_filename (dir, tries[i], NULL);
      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return g_canonicalize_filename (path, NULL);
    }
  return g_find_program_in_path ("trainscope-cli");
}

static gboolean
start_slurm (TsSearchPage *self, gboolean resume, GError **error)
{
  SlurmJob *job;
  g_autofree char *cli = find_cli ();

  if (cli == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_UNSUPPORTED,
                   "Slurm: no trainscope-cli found for the tasks to run (set TRAINSCOPE_CLI)");
      return FALSE;
    }
  job = g_new0 (SlurmJob, 1);
  job->cli = g_steal_pointer (&cli);
  job->partition = self->settings ? g_settings_get_string (self->settings, "slurm-partition") : NULL;
  job->o.cli = job->cli;
  job->o.partition = job->partition && *job->partition ? job->partition : NULL;
  job->o.parallel = self->settings ? (guint) g_settings_get_int (self->settings, "slurm-max-parallel") : 0;
  job->o.retries = self->settings ? (guint) g_settings_get_int (self->settings, "slurm-retries") : 2;
  job->out = g_strdup (self->out);
  job->n = self->tasks->len;
  job->exps = g_new0 (char *, job->n + 1);
  job->dirs = g_new0 (char *, job->n + 1);
  for (guint i = 0; i < job->n; i++)
    {
      job->exps[i] = g_strdup (((TsSearchTask *) self->tasks->pdata[i])->exp_path);
      job->dirs[i] = g_strdup (((TsSearchTask *) self->tasks->pdata[i])->dir);
    }
  job->resume = resume;
  self->cancel = g_cancellable_new ();
  self->events = g_async_queue_new_full ((GDestroyNotify) event_free);
  job->cancel = g_object_ref (self->cancel);
  job->events = g_async_queue_ref (self->events);
  self->thread = g_thread_new ("ts-slurm", slurm_thread, job);
  gtk_label_set_text (self->status, "Submitting to Slurm…");
  return TRUE;
}

static void
slurm_ended (TsSearchPage *self, Event *e)
{
  g_autofree char *message = NULL;

  g_clear_pointer (&self->thread, g_thread_join);
  for (guint i = 0; e->failures && i < self->tasks->len; i++)
    if (e->failures[i])
      {
        TsSearchTask *task = self->tasks->pdata[i];
        g_free (task->failure);
        task->failure = g_strdup (e->failures[i]);
      }
  ts_slurm_failures_free (e->failures, self->tasks->len);
  e->failures = NULL;
  for (guint i = 0; i < self->tasks->len; i++)
    view_read_summary (&self->views[i], self->tasks->pdata[i], TRUE);
  if (e->end == TS_SLURM_FAILED)
    message = g_strdup ("Some tasks failed every try (their logs' last lines are in results.csv)");
  else if (e->end != TS_SLURM_DONE)
    message = g_strdup (e->text ? e->text : "the Slurm backend failed");
  finish (self, message);
}

static void
poll_slurm (TsSearchPage *self)
{
  Event *e;
  gboolean changed = FALSE;

  while ((e = g_async_queue_try_pop (self->events)) != NULL)
    {
      if (e->task == -2)
        {
          slurm_ended (self, e);
          event_free (e);
          return;
        }
      if (e->task >= 0 && (guint) e->task < self->tasks->len)
        {
          TsTaskView *view = &self->views[e->task];
          view_set_state (view, e->state);
          view->attempt = e->attempt;
          if (ts_slurm_state_is_terminal (e->state))
            view_read_summary (view, self->tasks->pdata[e->task], TRUE);
          changed = TRUE;
        }
      else if (e->text)
        gtk_label_set_text (self->status, e->text);
      event_free (e);
    }
  if (changed)
    {
      collect (self, NULL);
      gtk_progress_bar_set_fraction (self->progress, (double) count_finished (self) / self->tasks->len);
      _ts_search_page_refresh (self);
    }
}

static gboolean
on_timer (gpointer data)
{
  TsSearchPage *self = data;

  if (self->trainer)
    poll_local (self);
  else if (self->thread)
    poll_slurm (self);
  return self->running ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* ---- starting ----------------------------------------------------------------------- */

/* OUT/experiment.json and OUT/space.json: what `trainscope-cli search
 * OUT/experiment.json --space OUT/space.json --resume` continues with */
static gboolean
write_inputs (TsSearchPage *self, GError **error)
{
  g_autofree char *exp_path = g_build_filename (self->out, "experiment.json", NULL);
  g_autofree char *space_path = g_build_filename (self->out, "space.json", NULL);
  g_autoptr(JsonNode) exp = ts_experiment_to_node (self->exp);

  return ts_write_json_atomic (exp_path, exp, error) && ts_write_json_atomic (space_path, self->space_json, error);
}

gboolean
_ts_search_page_run (TsSearchPage *self, gboolean resume, GError **error)
{
  g_autofree char *backend = self->settings ? g_settings_get_string (self->settings, "search-backend")
                                            : g_strdup ("local");
  gboolean slurm = g_strcmp0 (backend, "slurm") == 0;

  if ((self->tasks = ts_search_plan (self->exp, self->space, self->n_trials, self->n_folds, self->out, error)) == NULL)
    return FALSE;
  if (slurm && !ts_slurm_check (self->out, error))
    return FALSE;
  if (!ts_search_claim (self->exp, self->space_json, self->n_folds, self->out, resume, error)
      || !ts_search_write_plan (self->tasks, self->out, error) || !write_inputs (self, error))
    return FALSE;
  self->views = g_new0 (TsTaskView, self->tasks->len);
  for (guint i = 0; i < self->tasks->len; i++)
    {
      self->views[i].seconds = self->views[i].val_acc = NAN;
      if (!view_read_summary (&self->views[i], self->tasks->pdata[i], FALSE))
        view_set_state (&self->views[i], "pending");
    }
  if (!collect (self, error))
    return FALSE;
  self->running = TRUE;
  self->stopping = FALSE;
  self->current = 0;
  gtk_progress_bar_set_fraction (self->progress, (double) count_finished (self) / MAX (self->tasks->len, 1));
  if (slurm)
    {
      if (!start_slurm (self, resume, error))
        {
          self->running = FALSE;
          return FALSE;
        }
    }
  else if (!start_next_local (self))
    {
      finish (self, NULL); /* everything had finished before */
      return TRUE;
    }
  self->timer = g_timeout_add (100, on_timer, self);
  _ts_search_page_refresh (self);
  _ts_search_page_update_buttons (self);
  return TRUE;
}

void
_ts_search_page_stop (TsSearchPage *self)
{
  self->stopping = self->running;
  if (self->trainer)
    ts_trainer_stop (self->trainer);
  if (self->cancel)
    g_cancellable_cancel (self->cancel);
}

/* forgets the last search; a running one is stopped and waited for */
void
_ts_search_page_clear_run (TsSearchPage *self)
{
  _ts_search_page_clear_top (self);
  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->trainer)
    {
      ts_trainer_stop (self->trainer);
      ts_trainer_wait (self->trainer);
      g_clear_pointer (&self->trainer, ts_trainer_unref);
    }
  if (self->thread)
    {
      g_cancellable_cancel (self->cancel);
      g_clear_pointer (&self->thread, g_thread_join);
    }
  g_clear_object (&self->cancel);
  g_clear_pointer (&self->events, g_async_queue_unref);
  for (guint i = 0; self->views && self->tasks && i < self->tasks->len; i++)
    g_free (self->views[i].state);
  g_clear_pointer (&self->views, g_free);
  g_clear_pointer (&self->tasks, g_ptr_array_unref);
  g_clear_pointer (&self->result, json_node_unref);
  g_clear_pointer (&self->curves, ts_search_curves_free);
  g_clear_pointer (&self->points, g_free);
  self->n_points = 0;
  self->running = FALSE;
}
