/* ts-snapshot.h — a training net's parameters as other threads may read
 * them: the trainer publishes a copy every few steps, a reader copies the
 * newest one out. The lock is held only for the two memcpy calls.
 *
 *   ts_snapshot_publish (snap, net->params, step);       // trainer thread
 *   if (ts_snapshot_get_step (snap) != seen)              // any thread
 *     seen = ts_snapshot_read (snap, my_net->params);
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TsSnapshot TsSnapshot;

TsSnapshot *ts_snapshot_new (gsize n_params);
void        ts_snapshot_free (TsSnapshot *snap);
gsize       ts_snapshot_get_size (const TsSnapshot *snap);
void        ts_snapshot_publish (TsSnapshot *snap, const float *params, guint64 step);
/* the step of the newest copy; 0 before the first */
guint64     ts_snapshot_get_step (TsSnapshot *snap);
/* copies the newest parameters into params (n_params); returns their step */
guint64     ts_snapshot_read (TsSnapshot *snap, float *params);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsSnapshot, ts_snapshot_free)

G_END_DECLS
