/* ts-stats.h — what the layers are doing: activation mean and spread, the
 * share of dead or saturated units, gradient norms, update/weight ratios and
 * histograms of weights, activations and weight gradients. The trainer
 * measures them every few steps on the batch it just trained:
 *
 *   TsStatsRecord rec;
 *   ts_stats_measure_team (net, team, B, params_before_step, step, &rec);  // team may be NULL
 */
#pragma once

#include "ts-experiment.h"
#include "ts-net.h"

G_BEGIN_DECLS

#define TS_STATS_MAX_LAYERS (TS_MAX_HIDDEN_LAYERS + 1)
#define TS_STATS_EVERY 50   /* steps between two measurements, at most */
#define TS_STATS_POINTS 100 /* measurements a shorter run aims for */
#define TS_HISTOGRAM_BINS 40

/* exact counts over equal bins; edges[0] and edges[BINS] are the data's
 * range unless a range was given */
typedef struct {
  float edges[TS_HISTOGRAM_BINS + 1];
  guint counts[TS_HISTOGRAM_BINS];
} TsHistogram;

typedef struct {
  double mean, std;
  float  min, max; /* of the values that are not NaN */
} TsMoments;

/* mean, (population) standard deviation and range of v in one vectorised
 * pass; mean and std are NaN or infinite when a value is not finite */
TsMoments ts_moments (const float *v, gsize n);

/* counts of v over bins spanning [lo, hi] (lo >= hi: the data's range);
 * values outside go to the end bins, NaN and Inf are not counted */
void ts_histogram_fill (TsHistogram *h, const float *v, gsize n, float lo, float hi);
/* the equal bin edges from lo to hi (what fill sets; counts untouched) */
void ts_histogram_set_range (TsHistogram *h, float lo, float hi);

typedef enum {
  TS_HIST_WEIGHTS,
  TS_HIST_ACTIVATIONS,
  TS_HIST_GRADIENTS, /* of the weights */
  TS_HIST_N_KINDS,
} TsHistKind;

const char *ts_hist_kind_name (TsHistKind kind); /* "weights", "activations", "gradients" */

typedef struct {
  float act_mean;
  float act_std;
  float dead_fraction;      /* ReLU family: units not active for any sample */
  float saturated_fraction; /* sigmoid/tanh: outputs within 1% of a limit */
  float weight_rms;
  float grad_norm;
  float update_ratio;       /* ‖ΔW‖ / ‖W‖ of the last step; NaN if unknown */
  TsHistogram hist[TS_HIST_N_KINDS];
} TsLayerStats;

typedef struct {
  guint64      step;
  guint        n_layers; /* hidden layers measured, then the output layer */
  TsLayerStats layers[TS_STATS_MAX_LAYERS];
} TsStatsRecord;

/* From the net's last training forward and backward pass over B rows.
 * before: the parameters before the last update (NULL: no update ratios).
 * The layers' activations, weights and gradients are measured by the team's
 * threads side by side (the training step's idle team; NULL: this thread). */
void ts_stats_measure_team (const TsNet *net, TsTeam *team, guint B, const float *before, guint64 step,
                            TsStatsRecord *out);
/* Activations, and weights when asked, for a net that has not been trained
 * (no gradients, no update: what is not measured stays zero). */
void ts_stats_measure_forward (const TsNet *net, guint B, gboolean weights, TsStatsRecord *out);

G_END_DECLS
