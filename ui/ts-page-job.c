/* A page's long work on a worker thread; see ts-page-job.h. The GTask's
 * source object is the job, not the page: the task keeps the job alive
 * until the worker has returned, while the page is free to go — its
 * dispose abandons the job, which then only frees what the worker brings. */
#include "ts-page-job.h"

#define TICK_MS 100

struct _TsPageJob {
  GObject         parent_instance;

  /* given */
  gpointer        owner;         /* NULL once abandoned */
  TsPageJobTick   tick;
  TsPageJobDone   done;
  GtkWidget      *start_button;  /* owned references, or NULL */
  GtkWidget      *cancel_button;
  GtkProgressBar *progress;

  /* the job under way */
  GCancellable   *cancellable;   /* NULL when none runs */
  guint           tick_id;
  gint            permille;      /* written by the worker, read by the tick */
  GMutex          lock;
  char           *what;          /* under lock */
  guint           workers;       /* under lock: workers that have not returned */
  GCond           returned;
};

G_DEFINE_FINAL_TYPE (TsPageJob, ts_page_job, G_TYPE_OBJECT)

typedef struct {
  TsPageJobWork  work;
  gpointer       data;
  GDestroyNotify data_free;
  GDestroyNotify result_free;
} Run;

static void
run_free (Run *run)
{
  if (run->data_free)
    run->data_free (run->data);
  g_free (run);
}

static gboolean
on_tick (gpointer data)
{
  TsPageJob *job = data;
  double fraction = g_atomic_int_get (&job->permille) / 1000.0;
  g_autofree char *what = NULL;

  g_mutex_lock (&job->lock);
  what = g_strdup (job->what);
  g_mutex_unlock (&job->lock);
  if (job->progress)
    gtk_progress_bar_set_fraction (job->progress, fraction);
  if (job->tick)
    job->tick (job->owner, fraction, what);
  return G_SOURCE_CONTINUE;
}

static void
set_busy (TsPageJob *job, gboolean busy)
{
  if (job->start_button)
    gtk_widget_set_sensitive (job->start_button, !busy);
  if (job->cancel_button)
    gtk_widget_set_sensitive (job->cancel_button, busy);
  if (job->progress)
    {
      gtk_progress_bar_set_fraction (job->progress, 0);
      gtk_widget_set_visible (GTK_WIDGET (job->progress), busy);
    }
  if (busy && job->tick_id == 0)
    job->tick_id = g_timeout_add (TICK_MS, on_tick, job);
  else if (!busy)
    g_clear_handle_id (&job->tick_id, g_source_remove);
}

static void
work_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  TsPageJob *job = source;
  Run *run = data;
  GError *error = NULL;
  gpointer result = run->work (job, run->data, cancellable, &error);

  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, run->result_free);
  /* the task holds the job until it is finalized, after this returns */
  g_mutex_lock (&job->lock);
  job->workers--;
  g_cond_broadcast (&job->returned);
  g_mutex_unlock (&job->lock);
}

static void
on_done (GObject *source, GAsyncResult *res, gpointer data)
{
  TsPageJob *job = TS_PAGE_JOB (source);
  Run *run = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  gpointer result = g_task_propagate_pointer (G_TASK (res), &error);

  g_clear_object (&job->cancellable);
  if (job->owner == NULL) /* abandoned: nobody takes the result */
    {
      if (result && run->result_free)
        run->result_free (result);
      return;
    }
  set_busy (job, FALSE);
  job->done (job->owner, result, error);
}

gboolean
ts_page_job_start (TsPageJob *job, TsPageJobWork work, gpointer data, GDestroyNotify data_free,
                   GDestroyNotify result_free)
{
  g_autoptr(GTask) task = NULL;
  Run *run;

  if (job->cancellable || job->owner == NULL)
    return FALSE;
  run = g_new0 (Run, 1);
  *run = (Run) { work, data, data_free, result_free };
  g_atomic_int_set (&job->permille, 0);
  g_mutex_lock (&job->lock);
  g_clear_pointer (&job->what, g_free);
  job->workers++;
  g_mutex_unlock (&job->lock);
  job->cancellable = g_cancellable_new ();
  task = g_task_new (job, job->cancellable, on_done, NULL);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  g_task_run_in_thread (task, work_in_thread);
  set_busy (job, TRUE);
  return TRUE;
}

void
ts_page_job_cancel (TsPageJob *job)
{
  if (job->cancellable)
    g_cancellable_cancel (job->cancellable);
}

gboolean
ts_page_job_is_busy (TsPageJob *job)
{
  return job->cancellable != NULL;
}

void
ts_page_job_report (TsPageJob *job, double fraction, const char *what)
{
  g_atomic_int_set (&job->permille, (gint) (1000 * CLAMP (fraction, 0, 1)));
  if (what == NULL)
    return;
  g_mutex_lock (&job->lock);
  if (g_strcmp0 (job->what, what) != 0)
    {
      g_free (job->what);
      job->what = g_strdup (what);
    }
  g_mutex_unlock (&job->lock);
}

void
ts_page_job_wait (TsPageJob *job)
{
  g_mutex_lock (&job->lock);
  while (job->workers > 0)
    g_cond_wait (&job->returned, &job->lock);
  g_mutex_unlock (&job->lock);
}

void
ts_page_job_abandon (TsPageJob *job)
{
  ts_page_job_cancel (job);
  job->owner = NULL;
  g_clear_handle_id (&job->tick_id, g_source_remove);
  g_clear_object (&job->start_button);
  g_clear_object (&job->cancel_button);
  g_clear_object (&job->progress);
  g_object_unref (job);
}

GtkWidget *
ts_page_job_build_row (TsPageJob *job, const char *start_label, GCallback start)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *start_button = gtk_button_new_with_mnemonic (start_label);
  GtkWidget *cancel_button = gtk_button_new_with_mnemonic ("_Cancel");
  GtkWidget *progress = gtk_progress_bar_new ();

  gtk_widget_add_css_class (start_button, "suggested-action");
  g_signal_connect_swapped (start_button, "clicked", start, job->owner);
  gtk_widget_set_sensitive (cancel_button, FALSE);
  g_signal_connect_object (cancel_button, "clicked", G_CALLBACK (ts_page_job_cancel), job, G_CONNECT_SWAPPED);
  gtk_widget_set_hexpand (progress, TRUE);
  gtk_widget_set_valign (progress, GTK_ALIGN_CENTER);
  gtk_widget_set_visible (progress, FALSE);
  gtk_box_append (GTK_BOX (row), start_button);
  gtk_box_append (GTK_BOX (row), cancel_button);
  gtk_box_append (GTK_BOX (row), progress);
  g_set_object (&job->start_button, start_button);
  g_set_object (&job->cancel_button, cancel_button);
  g_set_object (&job->progress, GTK_PROGRESS_BAR (progress));
  return row;
}

TsPageJob *
ts_page_job_new (gpointer owner, TsPageJobTick tick, TsPageJobDone done)
{
  TsPageJob *job = g_object_new (TS_TYPE_PAGE_JOB, NULL);

  job->owner = owner;
  job->tick = tick;
  job->done = done;
  return job;
}

static void
ts_page_job_finalize (GObject *object)
{
  TsPageJob *job = TS_PAGE_JOB (object);

  g_clear_handle_id (&job->tick_id, g_source_remove);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->start_button);
  g_clear_object (&job->cancel_button);
  g_clear_object (&job->progress);
  g_free (job->what);
  g_mutex_clear (&job->lock);
  g_cond_clear (&job->returned);
  G_OBJECT_CLASS (ts_page_job_parent_class)->finalize (object);
}

static void
ts_page_job_class_init (TsPageJobClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_page_job_finalize;
}

static void
ts_page_job_init (TsPageJob *job)
{
  g_mutex_init (&job->lock);
  g_cond_init (&job->returned);
}
