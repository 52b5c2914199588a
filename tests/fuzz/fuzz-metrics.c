#include "fuzz-common.h"

/* metrics.csv of a run folder the window reopens */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  TsMetricLog *log;

  fuzz_write_file ("metrics.csv", data, size);
  log = ts_run_dir_load_epochs (fuzz_dir (), &error);
  g_assert ((log == NULL) == (error != NULL));
  if (error)
    g_assert (strstr (error->message, "metrics.csv") != NULL);
  ts_metric_log_free (log);
  g_clear_error (&error);
  return 0;
}
