#include "fuzz-common.h"

/* summary.json of a run folder the window reopens */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  TsRunSummary summary;
  GError *error = NULL;

  fuzz_write_file ("summary.json", data, size);
  if (ts_run_dir_load_summary (fuzz_dir (), &summary, &error))
    g_assert (summary.state != NULL && (summary.error == NULL || g_utf8_validate (summary.error, -1, NULL)));
  else
    g_assert (error != NULL && strstr (error->message, "summary.json") != NULL);
  ts_run_summary_clear (&summary);
  g_clear_error (&error);
  return 0;
}
