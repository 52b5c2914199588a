/* ts-page-job.h — a page's long work on a worker thread: one GTask with a
 * GCancellable; the worker reports how far it is (a fraction and what it
 * is doing) and a 100 ms tick on the main thread reads it; the end comes
 * back on the main thread. While it runs the job is busy: the Start button
 * it is given is insensitive, Cancel sensitive, the progress bar shown.
 * The owner (the page) lets go of it in its dispose with
 * ts_page_job_abandon: the worker is cancelled, nothing is called back any
 * more, and the result, when the worker returns, is freed — so the page
 * may go away mid-job.
 *
 *   self->job = ts_page_job_new (self, on_tick, on_done);
 *   gtk_box_append (box, ts_page_job_build_row (self->job, "_Analyse", G_CALLBACK (ts_x_page_start)));
 *   ts_page_job_start (self->job, measure, data, data_free, (GDestroyNotify) result_free);
 *   // measure, on the worker: ts_page_job_report (job, 0.5, "probing stage 2");
 *   //   returns the result, or NULL with the error (G_IO_ERROR_CANCELLED once cancelled)
 *   // on_done (owner, result or NULL, error or NULL): the result is the owner's now
 *   // dispose: g_clear_pointer (&self->job, ts_page_job_abandon);
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TS_TYPE_PAGE_JOB (ts_page_job_get_type ())
G_DECLARE_FINAL_TYPE (TsPageJob, ts_page_job, TS, PAGE_JOB, GObject)

/* on the worker thread: the result, or NULL and the error */
typedef gpointer (*TsPageJobWork) (TsPageJob *job, gpointer data, GCancellable *cancellable, GError **error);
/* on the main thread, every 100 ms while busy: the last report (what NULL before one names it) */
typedef void     (*TsPageJobTick) (gpointer owner, double fraction, const char *what);
/* on the main thread, once a job has ended and is no longer busy: its
 * result (the owner's to free) or its error */
typedef void     (*TsPageJobDone) (gpointer owner, gpointer result, const GError *error);

/* tick may be NULL; owner is not referenced (see ts_page_job_abandon) */
TsPageJob *ts_page_job_new (gpointer owner, TsPageJobTick tick, TsPageJobDone done);
/* the row Start · Cancel · progress bar, which the job keeps in step with
 * its busy state: Start's "clicked" calls start (owner), Cancel cancels */
GtkWidget *ts_page_job_build_row (TsPageJob *job, const char *start_label, GCallback start);
/* FALSE (and nothing done) while a job is under way; data is freed with
 * data_free once the worker has returned, a result nobody takes with
 * result_free */
gboolean   ts_page_job_start (TsPageJob *job, TsPageJobWork work, gpointer data, GDestroyNotify data_free,
                              GDestroyNotify result_free);
void       ts_page_job_cancel (TsPageJob *job);
gboolean   ts_page_job_is_busy (TsPageJob *job);
/* any thread: how far the work is (0…1) and, unless NULL, what it does now */
void       ts_page_job_report (TsPageJob *job, double fraction, const char *what);
/* Blocks until the worker has returned (at once when none runs); its end
 * is still called back from the main loop. For work that must not outlive
 * its owner (a submitter that cancels its cluster jobs on the way out). */
void       ts_page_job_wait (TsPageJob *job);
/* the owner lets go: cancels, calls nothing back any more, unrefs */
void       ts_page_job_abandon (TsPageJob *job);

G_END_DECLS
