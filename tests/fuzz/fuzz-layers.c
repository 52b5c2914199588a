#include "fuzz-common.h"

/* layers.csv of a run folder dropped on the window */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  TsMetricLog *log;
  GError *error = NULL;

  fuzz_write_file ("layers.csv", data, size);
  log = ts_run_dir_load_stats (fuzz_dir (), &error);
  for (gsize i = 0; log && i < ts_metric_log_length (log); i++)
    {
      const TsStatsRecord *r = ts_metric_log_get (log, i);
      g_assert (r->n_layers >= 1 && r->n_layers <= TS_MAX_HIDDEN_LAYERS + 1);
      for (guint l = 0; l < r->n_layers; l++)
        g_assert (r->layers[l].hist[TS_HIST_WEIGHTS].edges[TS_HISTOGRAM_BINS]
                  >= r->layers[l].hist[TS_HIST_WEIGHTS].edges[0]);
    }
  ts_metric_log_free (log);
  g_clear_error (&error);
  return 0;
}
