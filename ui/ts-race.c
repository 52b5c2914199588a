#include "ts-race.h"

#include <math.h>

gboolean
ts_race_plan (GPtrArray *exps, GCancellable *cancellable, GError **error)
{
  TsLrFinderOptions options = { .lr_min = 1e-5, .lr_max = 10, .iterations = TS_RACE_SWEEP_STEPS, .sweeps = 1 };
  TsLoadContext ctx = { .cancellable = cancellable };

  for (guint i = 0; i < exps->len; i++)
    {
      TsExperiment *exp = exps->pdata[i];
      g_autoptr(TsLrFinderResult) r = ts_lr_find (exp, &options, &ctx, error);
      if (r == NULL)
        return FALSE;
      /* no descent to read (it blew up from the first steps): well below its own */
      exp->train.lr = r->n > 2 && isfinite (r->suggested) && r->suggested > 0 ? r->suggested : exp->train.lr / 10;
    }
  return TRUE;
}

static void
plan_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (ts_race_plan (data, cancellable, &error))
    g_task_return_pointer (task, g_ptr_array_ref (data), (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

void
ts_race_plan_async (GPtrArray *exps, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, data);

  g_task_set_task_data (task, exps, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, plan_in_thread);
}

GPtrArray *
ts_race_plan_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
