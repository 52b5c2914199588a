/* The shared source cache: one loaded copy per distinct source spec, shared
 * while held, loaded once when acquired concurrently, freed with its last
 * holder, and a waiter still stops when cancelled. */
#include "test-util.h"

static void
test_same_and_different (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 1);
  g_autoptr(TsExperiment) split = ts_experiment_copy (exp), noisier = ts_experiment_copy (exp);
  g_autoptr(TsExperiment) reseeded = ts_experiment_copy (exp), circles = ts_experiment_copy (exp);
  g_autoptr(GError) error = NULL;
  TsSource *a, *b, *c, *d, *e;

  split->data.val_fraction = 0.5; /* made from the loaded set: does not make another */
  split->data.limit = 10;
  noisier->data.noise += 0.1;
  reseeded->seed += 1;            /* builtin generators depend on the seed */
  g_free (circles->data.source);
  circles->data.source = g_strdup ("builtin:circles");
  g_assert_cmpuint (ts_source_cache_count (), ==, 0);
  a = ts_source_acquire (&exp->data, exp->seed, NULL, &error);
  g_assert_no_error (error);
  b = ts_source_acquire (&split->data, split->seed, NULL, &error);
  g_assert_true (a == b);
  g_assert_true (ts_source_get_data (a)->train == ts_source_get_data (b)->train);
  c = ts_source_acquire (&noisier->data, noisier->seed, NULL, &error);
  d = ts_source_acquire (&reseeded->data, reseeded->seed, NULL, &error);
  e = ts_source_acquire (&circles->data, circles->seed, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (c != a && d != a && e != a && c != d && d != e);
  g_assert_cmpuint (ts_source_cache_count (), ==, 4);
  ts_source_unref (a);
  g_assert_cmpuint (ts_source_cache_count (), ==, 4); /* b still holds it */
  ts_source_unref (b);
  ts_source_unref (c);
  ts_source_unref (d);
  ts_source_unref (e);
  g_assert_cmpuint (ts_source_cache_count (), ==, 0);
}

static void
test_failure_not_cached (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("idx:/nonexistent/trainscope", 1);
  g_autoptr(GError) error = NULL;

  g_assert_null (ts_source_acquire (&exp->data, exp->seed, NULL, &error));
  g_assert_error (error, TS_ERROR, TS_ERROR_IO);
  g_assert_cmpuint (ts_source_cache_count (), ==, 0);
}

#define THREADS 6

typedef struct {
  const TsExperiment *exp;
  TsSource *got[THREADS];
  gint      started;
  GMutex    lock;
  GCond     cond;
  guint     holding;
} Shared;

/* The loader reports its progress while it is still loading: hold it there
 * until every thread has asked, so they all overlap the one load. */
static void
slow_progress (double fraction, gpointer data)
{
  Shared *s = data;

  if (fraction < 1.0)
    return;
  for (int i = 0; i < 100 && g_atomic_int_get (&s->started) < THREADS; i++)
    g_usleep (5000);
  g_usleep (50000);
}

static gpointer
acquire_thread (gpointer data)
{
  Shared *s = data;
  int me = g_atomic_int_add (&s->started, 1);
  TsLoadContext ctx = { NULL, slow_progress, s };
  g_autoptr(GError) error = NULL;

  s->got[me] = ts_source_acquire (&s->exp->data, s->exp->seed, &ctx, &error);
  g_assert_no_error (error);
  /* hold it until every thread has it: a second load would be a second object */
  g_mutex_lock (&s->lock);
  s->holding++;
  g_cond_broadcast (&s->cond);
  while (s->holding < THREADS)
    g_cond_wait (&s->cond, &s->lock);
  g_mutex_unlock (&s->lock);
  return NULL;
}

static void
test_concurrent_load_once (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 1);
  GThread *threads[THREADS];
  Shared s = { .exp = exp };

  exp->data.samples = 20000;
  g_mutex_init (&s.lock);
  g_cond_init (&s.cond);
  for (int i = 0; i < THREADS; i++)
    threads[i] = g_thread_new ("acquire", acquire_thread, &s);
  for (int i = 0; i < THREADS; i++)
    g_thread_join (threads[i]);
  for (int i = 0; i < THREADS; i++)
    {
      g_assert_nonnull (s.got[i]);
      g_assert_true (s.got[i] == s.got[0]);
    }
  g_assert_cmpuint (ts_source_cache_count (), ==, 1);
  for (int i = 0; i < THREADS; i++)
    ts_source_unref (s.got[i]);
  g_assert_cmpuint (ts_source_cache_count (), ==, 0);
  g_mutex_clear (&s.lock);
  g_cond_clear (&s.cond);
}

typedef struct {
  const TsExperiment *exp;
  gint entered;
  gint release;
  TsSource *got;
} Blocked;

static void
blocking_progress (double fraction, gpointer data)
{
  Blocked *b = data;

  if (fraction < 1.0)
    return;
  g_atomic_int_set (&b->entered, 1);
  while (!g_atomic_int_get (&b->release))
    g_usleep (2000);
}

static gpointer
blocked_loader (gpointer data)
{
  Blocked *b = data;
  TsLoadContext ctx = { NULL, blocking_progress, b };

  b->got = ts_source_acquire (&b->exp->data, b->exp->seed, &ctx, NULL);
  return NULL;
}

/* A run stopped while another holds its source's load stops within the
 * 100 ms contract, and the load goes on for the one who started it. */
static void
test_waiter_cancelled (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:moons", 1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  TsLoadContext ctx = { cancellable, NULL, NULL };
  Blocked b = { .exp = exp };
  GThread *loader = g_thread_new ("loader", blocked_loader, &b);
  gint64 t0;

  while (!g_atomic_int_get (&b.entered))
    g_usleep (1000);
  g_cancellable_cancel (cancellable);
  t0 = g_get_monotonic_time ();
  g_assert_null (ts_source_acquire (&exp->data, exp->seed, &ctx, &error));
  g_assert_error (error, TS_ERROR, TS_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 100000);
  g_atomic_int_set (&b.release, 1);
  g_thread_join (loader);
  g_assert_nonnull (b.got);
  g_assert_cmpuint (ts_source_cache_count (), ==, 1);
  ts_source_unref (b.got);
  g_assert_cmpuint (ts_source_cache_count (), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/source-cache/same-and-different", test_same_and_different);
  g_test_add_func ("/source-cache/failure-not-cached", test_failure_not_cached);
  g_test_add_func ("/source-cache/concurrent-load-once", test_concurrent_load_once);
  g_test_add_func ("/source-cache/waiter-cancelled", test_waiter_cancelled);
  return g_test_run ();
}
