/* ts-rundir.h — a run directory, written while the run trains (DESIGN.md):
 * experiment.json, metrics.csv, steps.csv, layers.csv, then summary.json,
 * advice.json and model.safetensors when it ends.
 *
 *   TsRunWriter *w = ts_run_writer_new ("runs/x", exp, &error);
 *   ts_run_writer_add_steps (w, steps_log, &error);   // appends what is new
 *   ts_run_writer_add_epoch (w, &epoch_record, &error);
 *   ts_run_writer_free (w);
 */
#pragma once

#include "ts-experiment.h"
#include "ts-metrics.h"
#include "ts-stats.h"

G_BEGIN_DECLS

typedef struct _TsRunWriter TsRunWriter;

TsRunWriter *ts_run_writer_new (const char *dir, const TsExperiment *exp, GError **error);
void         ts_run_writer_free (TsRunWriter *w);
/* Appends the step records not yet written. */
gboolean     ts_run_writer_add_steps (TsRunWriter *w, const TsMetricLog *steps, GError **error);
gboolean     ts_run_writer_add_epoch (TsRunWriter *w, const TsEpochRecord *e, GError **error);
/* Appends the stats records (TsStatsRecord) not yet written to layers.csv:
 * a row per measurement and layer, the scalars, then for weights,
 * activations and gradients each the histogram's range and its counts. */
gboolean     ts_run_writer_add_stats (TsRunWriter *w, const TsMetricLog *stats, GError **error);
/* layers.csv read back as TsStatsRecord; NULL with an error naming the
 * file and line when it is malformed */
TsMetricLog *ts_run_dir_load_stats (const char *dir, GError **error);
/* A file in the run directory: the caller frees the path. */
char        *ts_run_writer_path (const TsRunWriter *w, const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsRunWriter, ts_run_writer_free)

G_END_DECLS
