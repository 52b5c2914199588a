/* ts-team.h — a small team of threads that run one function together.
 *
 * Training splits every layer's units between the team's threads; each
 * thread makes single-threaded BLAS calls on its share and the threads meet
 * at barriers between layers. Waiting spins briefly, then sleeps, so an idle
 * team costs nothing and an oversubscribed machine does not livelock.
 *
 *   static void work (TsTeam *team, guint t, guint n, gpointer data) {
 *     ...my share...; ts_team_barrier (team); ...
 *   }
 *   TsTeam *team = ts_team_new (2);
 *   ts_team_run (team, work, data);   // the caller is thread 0
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TS_TEAM_MAX 64

typedef struct _TsTeam TsTeam;
typedef void (*TsTeamFunc) (TsTeam *team, guint thread, guint n_threads, gpointer data);

/* At most TS_TEAM_MAX threads. */
TsTeam *ts_team_new (guint n_threads);
void    ts_team_free (TsTeam *team);
guint   ts_team_size (const TsTeam *team);
/* Runs func on every thread of the team and returns when all are done. */
void    ts_team_run (TsTeam *team, TsTeamFunc func, gpointer data);
/* Inside func: wait until every thread of the team has arrived. */
void    ts_team_barrier (TsTeam *team);

/* [lo, hi) of `count` items for thread t of n, cut at multiples of 16 so
 * threads never share a cache line of a row. */
void    ts_team_share (guint count, guint t, guint n, guint *lo, guint *hi);
/* the same cut at multiples of grain (a layer kind's: whole channels, …) */
void    ts_team_share_grain (guint count, guint grain, guint t, guint n, guint *lo, guint *hi);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsTeam, ts_team_free)

G_END_DECLS
