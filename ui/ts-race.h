/* ts-race.h — a learning rate for each experiment of a race, so that the
 * race compares what differs between them (the Init lab's inits and
 * activations), not how one shared learning rate suits each.
 *
 * In a worker thread, each experiment gets a short LR-finder sweep
 * (core/run/ts-lr-finder.h: one sweep of TS_RACE_SWEEP_STEPS steps from 1e-5
 * to 10) and takes its suggested learning rate (the valley); one whose
 * sweep blew up at once keeps a tenth of its own.
 *
 *   ts_race_plan_async (exps, cancellable, on_planned, self);
 *   // on_planned: GPtrArray *exps = ts_race_plan_finish (result, &error);
 */
#pragma once

#include <gio/gio.h>
#include <trainscope.h>

G_BEGIN_DECLS

#define TS_RACE_SWEEP_STEPS 120

/* exps: a GPtrArray of TsExperiment (taken over: the caller's reference) */
void       ts_race_plan_async (GPtrArray *exps, GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer data);
/* the experiments with their learning rates set, or NULL with an error */
GPtrArray *ts_race_plan_finish (GAsyncResult *result, GError **error);
/* the same, on this thread: exps[i]->train.lr set in place */
gboolean   ts_race_plan (GPtrArray *exps, GCancellable *cancellable, GError **error);

G_END_DECLS
