/* ts-stats.h — what the layers are doing: activation mean and spread, the
 * share of dead or saturated units, gradient norms and update/weight ratios.
 * The trainer measures them every few steps on the batch it just trained:
 *
 *   TsStatsRecord rec;
 *   ts_stats_measure (net, B, params_before_step, step, &rec);
 */
#pragma once

#include "ts-net.h"

G_BEGIN_DECLS

#define TS_STATS_MAX_LAYERS 16
#define TS_STATS_EVERY 50 /* steps between two measurements */

typedef struct {
  float act_mean;
  float act_std;
  float dead_fraction;      /* ReLU family: units not active for any sample */
  float saturated_fraction; /* sigmoid/tanh: outputs within 1% of a limit */
  float weight_rms;
  float grad_norm;
  float update_ratio;       /* ‖ΔW‖ / ‖W‖ of the last step; NaN if unknown */
} TsLayerStats;

typedef struct {
  guint64      step;
  guint        n_layers; /* hidden layers measured, then the output layer */
  TsLayerStats layers[TS_STATS_MAX_LAYERS];
} TsStatsRecord;

/* From the net's last training forward and backward pass over B rows.
 * before: the parameters before the last update (NULL: no update ratios). */
void ts_stats_measure (const TsNet *net, guint B, const float *before, guint64 step, TsStatsRecord *out);

G_END_DECLS
