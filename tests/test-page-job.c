/* TsPageJob, the pages' worker plumbing: progress ticks then the end on
 * the main thread, Cancel ending it cancelled, and the owner destroyed
 * mid-job (nothing called back, the result freed, wait joining the
 * worker). Run under the ASan build too: a call back into a freed page is
 * what it would catch. */
#include "window-util.h" /* spin_until */
#include "ts-page-job.h"

/* ---- a page that owns a job, as the real ones do ------------------------------- */

#define TEST_TYPE_PAGE (test_page_get_type ())
G_DECLARE_FINAL_TYPE (TestPage, test_page, TEST, PAGE, GtkWidget)

struct _TestPage {
  GtkWidget  parent_instance;
  GtkWidget *row;
  TsPageJob *job;
  guint      ticks, dones;
  double     last_fraction;
  gboolean   fractions_rose; /* never went down */
  char      *last_what;
  int       *result;
  GError    *error;
};

G_DEFINE_FINAL_TYPE (TestPage, test_page, GTK_TYPE_WIDGET)

static void
on_tick (gpointer owner, double fraction, const char *what)
{
  TestPage *self = owner;

  self->ticks++;
  if (fraction < self->last_fraction)
    self->fractions_rose = FALSE;
  self->last_fraction = fraction;
  if (what)
    {
      g_free (self->last_what);
      self->last_what = g_strdup (what);
    }
}

static void
on_done (gpointer owner, gpointer result, const GError *error)
{
  TestPage *self = owner;

  g_assert_false (ts_page_job_is_busy (self->job)); /* the end may start the next job */
  self->dones++;
  self->result = result;
  g_clear_error (&self->error);
  self->error = error ? g_error_copy (error) : NULL;
}

static void
start_clicked (TestPage *self)
{
}

static void
test_page_dispose (GObject *object)
{
  TestPage *self = TEST_PAGE (object);

  g_clear_pointer (&self->job, ts_page_job_abandon);
  g_clear_pointer (&self->row, gtk_widget_unparent);
  G_OBJECT_CLASS (test_page_parent_class)->dispose (object);
}

static void
test_page_finalize (GObject *object)
{
  TestPage *self = TEST_PAGE (object);

  g_free (self->result);
  g_free (self->last_what);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (test_page_parent_class)->finalize (object);
}

static void
test_page_class_init (TestPageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = test_page_dispose;
  G_OBJECT_CLASS (klass)->finalize = test_page_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BOX_LAYOUT);
}

static void
test_page_init (TestPage *self)
{
  self->fractions_rose = TRUE;
  self->job = ts_page_job_new (self, on_tick, on_done);
  self->row = ts_page_job_build_row (self->job, "_Start", G_CALLBACK (start_clicked));
  gtk_widget_set_parent (self->row, GTK_WIDGET (self));
}

/* ---- the work ------------------------------------------------------------------ */

static gint live_results; /* made by a worker and not freed yet */
static gint data_freed;

typedef struct {
  guint    steps;
  guint    step_ms;
  gboolean stubborn;   /* ignores Cancel and waits for the gate */
  gint    *gate;       /* with stubborn: returns once it is 1 */
  gint    *returned;   /* set as it returns */
} Work;

static void
result_free (gpointer result)
{
  g_atomic_int_add (&live_results, -1);
  g_free (result);
}

static void
work_free (gpointer data)
{
  g_atomic_int_inc (&data_freed);
  g_free (data);
}

static gpointer
count_up (TsPageJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  Work *w = data;
  int *result;

  for (guint i = 0; i < w->steps; i++)
    {
      g_autofree char *what = g_strdup_printf ("step %u", i + 1);
      if (!w->stubborn && g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          g_atomic_int_set (w->returned, 1);
          return NULL;
        }
      ts_page_job_report (job, (double) (i + 1) / w->steps, what);
      g_usleep (w->step_ms * 1000);
    }
  while (w->stubborn && !g_atomic_int_get (w->gate))
    g_usleep (1000);
  result = g_new (int, 1);
  *result = (int) w->steps;
  g_atomic_int_inc (&live_results);
  g_atomic_int_set (w->returned, 1);
  return result;
}

static gboolean
page_done (gpointer page)
{
  return TEST_PAGE (page)->dones > 0;
}

static gboolean
page_ticked (gpointer page)
{
  return TEST_PAGE (page)->ticks > 0 && TEST_PAGE (page)->last_fraction > 0;
}

static gboolean
is_null (gpointer pointer_to)
{
  return *(gpointer *) pointer_to == NULL;
}

static GtkWidget *
row_child (TestPage *page, guint n)
{
  GtkWidget *child = gtk_widget_get_first_child (page->row);
  while (n-- > 0)
    child = gtk_widget_get_next_sibling (child);
  return child;
}

static Work *
new_work (guint steps, guint step_ms, gint *returned)
{
  Work *w = g_new0 (Work, 1);
  *w = (Work) { steps, step_ms, FALSE, NULL, returned };
  return w;
}

/* ---- the tests ----------------------------------------------------------------- */

static void
test_progress_and_finish (void)
{
  GtkWidget *window = gtk_window_new ();
  TestPage *page = g_object_new (TEST_TYPE_PAGE, NULL);
  GtkWidget *start, *cancel, *progress;
  gint returned = 0;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  start = row_child (page, 0), cancel = row_child (page, 1), progress = row_child (page, 2);
  g_assert_true (gtk_widget_get_sensitive (start));
  g_assert_false (gtk_widget_get_sensitive (cancel));
  g_assert_false (gtk_widget_get_visible (progress));

  g_assert_true (ts_page_job_start (page->job, count_up, new_work (12, 40, &returned), work_free, result_free));
  g_assert_true (ts_page_job_is_busy (page->job));
  g_assert_false (gtk_widget_get_sensitive (start));
  g_assert_true (gtk_widget_get_sensitive (cancel));
  g_assert_true (gtk_widget_get_visible (progress));
  /* one at a time */
  g_assert_false (ts_page_job_start (page->job, count_up, NULL, NULL, NULL));

  g_assert_true (spin_until (page_done, page, 30));
  g_assert_cmpuint (page->dones, ==, 1);
  g_assert_no_error (page->error);
  g_assert_nonnull (page->result);
  g_assert_cmpint (*page->result, ==, 12);
  /* the 100 ms tick read the worker's reports as they came, on this thread */
  g_assert_cmpuint (page->ticks, >=, 2);
  g_assert_true (page->fractions_rose);
  g_assert_cmpfloat (page->last_fraction, >, 0);
  g_assert_true (g_str_has_prefix (page->last_what, "step "));
  g_assert_false (ts_page_job_is_busy (page->job));
  g_assert_true (gtk_widget_get_sensitive (start));
  g_assert_false (gtk_widget_get_sensitive (cancel));
  g_assert_false (gtk_widget_get_visible (progress));
  /* no tick after the end */
  {
    guint ticks = page->ticks;
    gint64 until = g_get_monotonic_time () + 300000;
    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
    g_assert_cmpuint (page->ticks, ==, ticks);
  }
  g_clear_pointer (&page->result, result_free);
  g_assert_cmpint (g_atomic_int_get (&live_results), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_cancel (void)
{
  GtkWidget *window = gtk_window_new ();
  TestPage *page = g_object_new (TEST_TYPE_PAGE, NULL);
  gint returned = 0, open = 1;
  Work *stubborn;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  /* a long job, cancelled by its Cancel button once it is under way */
  g_assert_true (ts_page_job_start (page->job, count_up, new_work (100000, 10, &returned), work_free, result_free));
  g_assert_true (spin_until (page_ticked, page, 30));
  g_signal_emit_by_name (row_child (page, 1), "clicked");
  g_assert_true (spin_until (page_done, page, 30));
  g_assert_error (page->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (page->result);
  g_assert_true (g_atomic_int_get (&returned));
  g_assert_false (ts_page_job_is_busy (page->job));
  g_assert_true (gtk_widget_get_sensitive (row_child (page, 0)));

  /* work that returns a result although cancelled ends cancelled too, its
   * result freed; and the job starts again after an end */
  page->dones = 0;
  returned = 0;
  stubborn = new_work (3, 10, &returned);
  stubborn->stubborn = TRUE;
  stubborn->gate = &open;
  g_assert_true (ts_page_job_start (page->job, count_up, stubborn, work_free, result_free));
  ts_page_job_cancel (page->job);
  g_assert_true (spin_until (page_done, page, 30));
  g_assert_error (page->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (page->result);
  g_assert_cmpint (g_atomic_int_get (&live_results), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gpointer
open_gate_later (gpointer gate)
{
  g_usleep (200000);
  g_atomic_int_set ((gint *) gate, 1);
  return NULL;
}

static void
test_owner_destroyed (void)
{
  GtkWidget *window = gtk_window_new ();
  TestPage *page = g_object_new (TEST_TYPE_PAGE, NULL);
  gint returned = 0, gate = 0, freed_before = g_atomic_int_get (&data_freed);
  Work *w = new_work (2, 10, &returned);
  TsPageJob *job;
  GThread *opener;

  w->stubborn = TRUE;
  w->gate = &gate;
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  job = page->job;
  g_object_add_weak_pointer (G_OBJECT (job), (gpointer *) &job);
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);
  g_assert_true (ts_page_job_start (page->job, count_up, w, work_free, result_free));
  g_assert_true (spin_until (page_ticked, page, 30));

  /* the page goes while its worker still works: the page is freed at once
   * (the task holds the job, not the page), the job lives on */
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (spin_until (is_null, &page, 5));
  g_assert_nonnull (job);
  g_assert_false (g_atomic_int_get (&returned));

  /* wait joins the worker without the main loop */
  opener = g_thread_new ("gate", open_gate_later, &gate);
  ts_page_job_wait (job);
  g_assert_true (g_atomic_int_get (&returned));
  g_thread_join (opener);

  /* its end comes from the main loop: to nobody, the result freed, then the job */
  g_assert_true (spin_until (is_null, &job, 30));
  g_assert_cmpint (g_atomic_int_get (&live_results), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&data_freed), ==, freed_before + 1);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ui/page-job/progress-and-finish", test_progress_and_finish);
  g_test_add_func ("/ui/page-job/cancel", test_cancel);
  g_test_add_func ("/ui/page-job/owner-destroyed", test_owner_destroyed);
  return g_test_run ();
}
