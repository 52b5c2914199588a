/* ts-load-context.h — progress and cancellation for long work (loading a
 * data set, an LR sweep): every field may be NULL, and so may the context.
 *
 *   TsLoadContext ctx = { cancellable, on_progress, self };
 *   for (guint i = 0; i < n; i++)
 *     if (!ts_load_step (&ctx, (double) i / n, error))
 *       return FALSE;  // cancelled: error says so
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef void (*TsProgressFunc) (double fraction, gpointer data);
typedef struct {
  GCancellable  *cancellable;
  TsProgressFunc progress;
  gpointer       data;
} TsLoadContext;

/* Reports `fraction` and says FALSE (with the error set) once cancelled. */
gboolean ts_load_step (const TsLoadContext *ctx, double fraction, GError **error);

G_END_DECLS
