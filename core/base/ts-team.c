#include "ts-team.h"

#include <pthread.h>
#include <stdatomic.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#define SPIN_ROUNDS 4000 /* about 20–50 µs of pause instructions */

typedef struct {
  guint            n;
  atomic_uint      arrived;
  atomic_uint      generation;
  atomic_uint      sleepers;
  pthread_mutex_t  lock;
  pthread_cond_t   wake;
} Barrier;

struct _TsTeam {
  guint       n;
  GThread   **threads;
  Barrier     barrier;
  TsTeamFunc  func;   /* written by thread 0 before the start barrier */
  gpointer    data;
  gboolean    quit;
};

static void
barrier_init (Barrier *b, guint n)
{
  b->n = n;
  atomic_init (&b->arrived, 0);
  atomic_init (&b->generation, 0);
  atomic_init (&b->sleepers, 0);
  pthread_mutex_init (&b->lock, NULL);
  pthread_cond_init (&b->wake, NULL);
}

static inline void
cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#endif
}

/* Sense by generation: the last to arrive opens the next generation and
 * wakes sleepers; the others spin on the generation, then sleep. The
 * sleepers count and the generation are both sequentially consistent, so
 * either the opener sees a sleeper or the sleeper sees the new generation. */
static void
barrier_wait (Barrier *b)
{
  guint gen = atomic_load (&b->generation);

  if (b->n == 1)
    return;
  if (atomic_fetch_add (&b->arrived, 1) == b->n - 1)
    {
      atomic_store (&b->arrived, 0);
      atomic_fetch_add (&b->generation, 1);
      if (atomic_load (&b->sleepers) > 0)
        {
          pthread_mutex_lock (&b->lock);
          pthread_cond_broadcast (&b->wake);
          pthread_mutex_unlock (&b->lock);
        }
      return;
    }
  for (int i = 0; i < SPIN_ROUNDS; i++)
    {
      if (atomic_load (&b->generation) != gen)
        return;
      cpu_relax ();
    }
  pthread_mutex_lock (&b->lock);
  atomic_fetch_add (&b->sleepers, 1);
  while (atomic_load (&b->generation) == gen)
    pthread_cond_wait (&b->wake, &b->lock);
  atomic_fetch_sub (&b->sleepers, 1);
  pthread_mutex_unlock (&b->lock);
}

void
ts_team_barrier (TsTeam *team)
{
  barrier_wait (&team->barrier);
}

/* Denormal floats cost the FMA units a microcode assist each: a net whose
 * gradients fade into them slows down several times. Flush them to zero in
 * every thread that computes, as inference and training libraries do. */
static void
flush_denormals (void)
{
#if defined(__x86_64__) || defined(__i386__)
  _mm_setcsr (_mm_getcsr () | 0x8040); /* FTZ | DAZ */
#endif
}

static gpointer
worker (gpointer data)
{
  TsTeam *team = ((gpointer *) data)[0];
  guint t = GPOINTER_TO_UINT (((gpointer *) data)[1]);

  g_free (data);
  flush_denormals ();
  for (;;)
    {
      barrier_wait (&team->barrier); /* start */
      if (team->quit)
        return NULL;
      team->func (team, t, team->n, team->data);
      barrier_wait (&team->barrier); /* done */
    }
}

TsTeam *
ts_team_new (guint n_threads)
{
  TsTeam *team = g_new0 (TsTeam, 1);

  team->n = CLAMP (n_threads, 1, TS_TEAM_MAX);
  barrier_init (&team->barrier, team->n);
  team->threads = g_new0 (GThread *, team->n);
  for (guint t = 1; t < team->n; t++)
    {
      gpointer *args = g_new (gpointer, 2);
      args[0] = team;
      args[1] = GUINT_TO_POINTER (t);
      team->threads[t] = g_thread_new ("ts-team", worker, args);
    }
  return team;
}

void
ts_team_free (TsTeam *team)
{
  if (team == NULL)
    return;
  team->quit = TRUE;
  barrier_wait (&team->barrier);
  for (guint t = 1; t < team->n; t++)
    g_thread_join (team->threads[t]);
  pthread_mutex_destroy (&team->barrier.lock);
  pthread_cond_destroy (&team->barrier.wake);
  g_free (team->threads);
  g_free (team);
}

guint
ts_team_size (const TsTeam *team)
{
  return team->n;
}

void
ts_team_run (TsTeam *team, TsTeamFunc func, gpointer data)
{
  flush_denormals ();
  team->func = func;
  team->data = data;
  barrier_wait (&team->barrier); /* start: publishes func and data */
  func (team, 0, team->n, data);
  barrier_wait (&team->barrier); /* done */
}

void
ts_team_share (guint count, guint t, guint n, guint *lo, guint *hi)
{
  ts_team_share_grain (count, 16, t, n, lo, hi);
}

void
ts_team_share_grain (guint count, guint grain, guint t, guint n, guint *lo, guint *hi)
{
  guint a = (guint) ((guint64) count * t / n / grain * grain);
  guint b = t + 1 == n ? count : (guint) ((guint64) count * (t + 1) / n / grain * grain);
  *lo = MIN (a, count);
  *hi = MAX (MIN (b, count), *lo);
}
