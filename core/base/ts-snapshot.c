#include "ts-snapshot.h"

#include <string.h>

struct _TsSnapshot {
  GMutex  lock;
  gsize   n;
  float  *params;
  guint64 step; /* written under the lock, read atomically */
};

TsSnapshot *
ts_snapshot_new (gsize n_params)
{
  TsSnapshot *snap = g_new0 (TsSnapshot, 1);
  g_mutex_init (&snap->lock);
  snap->n = n_params;
  snap->params = g_new0 (float, MAX (n_params, 1));
  return snap;
}

void
ts_snapshot_free (TsSnapshot *snap)
{
  if (snap == NULL)
    return;
  g_mutex_clear (&snap->lock);
  g_free (snap->params);
  g_free (snap);
}

gsize
ts_snapshot_get_size (const TsSnapshot *snap)
{
  return snap->n;
}

void
ts_snapshot_publish (TsSnapshot *snap, const float *params, guint64 step)
{
  g_mutex_lock (&snap->lock);
  memcpy (snap->params, params, sizeof (float) * snap->n);
  __atomic_store_n (&snap->step, step, __ATOMIC_RELEASE);
  g_mutex_unlock (&snap->lock);
}

guint64
ts_snapshot_get_step (TsSnapshot *snap)
{
  return __atomic_load_n (&snap->step, __ATOMIC_ACQUIRE);
}

guint64
ts_snapshot_read (TsSnapshot *snap, float *params)
{
  guint64 step;

  g_mutex_lock (&snap->lock);
  memcpy (params, snap->params, sizeof (float) * snap->n);
  step = snap->step;
  g_mutex_unlock (&snap->lock);
  return step;
}
