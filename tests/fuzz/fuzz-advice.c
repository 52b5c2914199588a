#include "fuzz-common.h"

/* advice.json of a run folder the window reopens */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = fuzz_write_file ("advice.json", data, size);
  GError *error = NULL;
  GPtrArray *advice = ts_advice_load (path, &error);

  if (advice)
    for (guint i = 0; i < advice->len; i++)
      {
        const TsAdvice *a = advice->pdata[i];
        g_assert (a->code && a->message && a->action && a->evidence);
        g_assert (a->confidence >= 0 && a->confidence <= 1);
      }
  else
    g_assert (error != NULL && strstr (error->message, "advice.json") != NULL);
  g_clear_pointer (&advice, g_ptr_array_unref);
  g_clear_error (&error);
  return 0;
}
