#include "fuzz-common.h"

/* steps.csv of a run folder the window reopens, and the curves drawn from it */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  TsMetricLog *log;

  fuzz_write_file ("steps.csv", data, size);
  log = ts_run_dir_load_steps (fuzz_dir (), &error);
  g_assert ((log == NULL) == (error != NULL));
  if (error)
    g_assert (strstr (error->message, "steps.csv") != NULL);
  ts_metric_log_free (log);
  g_clear_error (&error);
  return 0;
}
