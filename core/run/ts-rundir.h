/* ts-rundir.h — a run directory, written while the run trains (README, "`trainscope-cli`"):
 * experiment.json, metrics.csv, steps.csv, layers.csv, then summary.json,
 * advice.json and model.safetensors when it ends.
 *
 * A run owns its folder. The writer locks it (flock on .trainscope.lock,
 * held until the writer is freed and dropped by the kernel if the process
 * dies), so a second run into the same folder is refused, naming the
 * holder. It takes a new or empty folder, or a finished run of the same
 * experiment, whose files it removes first (summary.json first, so a crash
 * half-way leaves an unfinished run, never an old result beside a new
 * experiment); anything else is refused, saying what is there. Rows are
 * written whole: a failed write is cut back to the last whole row.
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

#define TS_RUN_LOCK_FILE ".trainscope.lock"
#define TS_STEPS_CSV_HEADER "step,epoch,lr,loss"
#define TS_METRICS_CSV_HEADER "epoch,step,lr,train_loss,train_acc,val_loss,val_acc,seconds"

/* Claims dir (see above) and writes experiment.json and the CSV headers.
 * The error is TS_ERROR_BUSY when another run holds the folder,
 * TS_ERROR_INVALID when it holds something else, TS_ERROR_IO when it cannot
 * be written. */
TsRunWriter *ts_run_writer_new (const char *dir, const TsExperiment *exp, GError **error);
void         ts_run_writer_free (TsRunWriter *w);
/* Appends the step records not yet written. */
gboolean     ts_run_writer_add_steps (TsRunWriter *w, const TsMetricLog *steps, GError **error);
gboolean     ts_run_writer_add_epoch (TsRunWriter *w, const TsEpochRecord *e, GError **error);
/* Appends the stats records (TsStatsRecord) not yet written to layers.csv:
 * a row per measurement and layer, the scalars, then for weights,
 * activations and gradients each the histogram's range and its counts. */
gboolean     ts_run_writer_add_stats (TsRunWriter *w, const TsMetricLog *stats, GError **error);
/* A file in the run directory: the caller frees the path. */
char        *ts_run_writer_path (const TsRunWriter *w, const char *name);
/* The run has ended: closes the CSVs and gives back the reserve; the folder
 * stays locked until the writer is freed. */
void         ts_run_writer_close (TsRunWriter *w);
/* Writes summary.json for a run that ends with nothing else to write
 * (failed, or interrupted while loading); on a full disk it first gives back
 * the space the writer kept in reserve for this. */
gboolean     ts_run_writer_write_summary (TsRunWriter *w, JsonNode *summary, GError **error);

/* ---- reading a run folder back (ts-rundir-read.c) ----------------------------
 * Each gives the whole rows (a row cut short at the end of the file is left
 * out; an empty or header-only file has none) or NULL with an error naming
 * the file, the line and what was expected. */
TsMetricLog *ts_run_dir_load_steps (const char *dir, GError **error);   /* TsStepRecord */
TsMetricLog *ts_run_dir_load_epochs (const char *dir, GError **error);  /* TsEpochRecord */
TsMetricLog *ts_run_dir_load_stats (const char *dir, GError **error);   /* TsStatsRecord */

typedef struct {
  char   *state;        /* done, stopped, diverged, failed or interrupted */
  char   *error;        /* why it failed or was interrupted, or NULL */
  double  best_val_acc; /* NaN when absent */
  double  test_acc;     /* NaN when absent */
  double  samples_per_second; /* NaN when missing */
} TsRunSummary;

/* summary.json: FALSE with the error when it is missing or malformed */
gboolean     ts_run_dir_load_summary (const char *dir, TsRunSummary *out, GError **error);
void         ts_run_summary_clear (TsRunSummary *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsRunWriter, ts_run_writer_free)

G_END_DECLS
