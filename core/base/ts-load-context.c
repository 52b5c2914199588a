/* Progress and cancellation for long work. */
#include "ts-load-context.h"
#include "ts-error.h"

gboolean
ts_load_step (const TsLoadContext *ctx, double fraction, GError **error)
{
  if (ctx == NULL)
    return TRUE;
  if (ctx->cancellable && g_cancellable_is_cancelled (ctx->cancellable))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_CANCELLED, "loading the data was cancelled");
      return FALSE;
    }
  if (ctx->progress)
    ctx->progress (CLAMP (fraction, 0.0, 1.0), ctx->data);
  return TRUE;
}
