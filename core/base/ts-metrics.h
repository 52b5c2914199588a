/* ts-metrics.h — what a run publishes while it trains.
 *
 * An append-only log with one writer (the trainer thread) and any number of
 * readers that never block it: records live in fixed chunks that never move,
 * and the length is published with release/acquire ordering.
 *
 *   gsize n = ts_metric_log_length (log);           // any thread
 *   for (gsize i = seen; i < n; i++)
 *     draw (ts_metric_log_get (log, i));
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint64 step;  /* 1-based count of optimizer steps */
  guint   epoch; /* 1-based */
  float   lr;
  float   loss;
} TsStepRecord;

typedef struct {
  guint   epoch; /* 1-based */
  guint64 step;
  double  lr;
  double  train_loss;
  double  train_acc;
  double  val_loss;  /* NaN when there is no validation split */
  double  val_acc;
  double  seconds;   /* wall time since the run started */
} TsEpochRecord;

typedef struct _TsMetricLog TsMetricLog;

TsMetricLog *ts_metric_log_new (gsize record_size);
void         ts_metric_log_free (TsMetricLog *log);
/* Writer only. Returns FALSE (and drops the record) when the log is full. */
gboolean     ts_metric_log_append (TsMetricLog *log, const void *record);
gsize        ts_metric_log_length (const TsMetricLog *log);
/* Valid for i < a length this thread has read. */
const void  *ts_metric_log_get (const TsMetricLog *log, gsize i);

#define ts_metric_log_step(log, i) ((const TsStepRecord *) ts_metric_log_get ((log), (i)))
#define ts_metric_log_epoch(log, i) ((const TsEpochRecord *) ts_metric_log_get ((log), (i)))

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsMetricLog, ts_metric_log_free)

G_END_DECLS
