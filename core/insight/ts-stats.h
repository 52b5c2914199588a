/* ts-stats.h — what the layers are doing: activation mean and spread, the
 * share of dead or saturated units, gradient norms, update/weight ratios and
 * histograms of weights, activations and weight gradients. The trainer
 * measures them every few steps on the batch it just trained:
 *
 *   g_autofree TsStatsRecord *rec = ts_stats_record_new (net->n_layers);
 *   ts_stats_measure_team (net, team, B, params_before_step, step, rec);  // team may be NULL
 */
#pragma once

#include "ts-experiment.h"
#include "ts-net.h"

G_BEGIN_DECLS

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
  float dead_fraction;      /* ReLU family: units (conv: channels) not active for any sample */
  float saturated_fraction; /* sigmoid/tanh: outputs within 1% of a limit */
  float weight_rms;
  float grad_norm;
  float update_ratio;       /* ‖ΔW‖ / ‖W‖ of the last step; NaN if unknown */
  TsHistogram hist[TS_HIST_N_KINDS];
} TsLayerStats;

/* Sized to the net: a log of them (ts-metrics.h) is made with
 * ts_stats_record_size (layers), and a record to measure into with
 * ts_stats_record_new (layers), freed with g_free. */
typedef struct {
  guint64      step;
  guint        n_layers; /* hidden layers measured, then the output layer */
  TsLayerStats layers[]; /* n_layers */
} TsStatsRecord;

static inline gsize
ts_stats_record_size (guint n_layers)
{
  return sizeof (TsStatsRecord) + (gsize) n_layers * sizeof (TsLayerStats);
}

TsStatsRecord *ts_stats_record_new (guint n_layers);

/* From the net's last training forward and backward pass over B rows, into
 * a record of net->n_layers layers.
 * before: the parameters before the last update (NULL: no update ratios).
 * The layers' activations, weights and gradients are measured by the team's
 * threads side by side (the training step's idle team; NULL: this thread). */
void ts_stats_measure_team (const TsNet *net, TsTeam *team, guint B, const float *before, guint64 step,
                            TsStatsRecord *out);
/* Activations, and weights when asked, for a net that has not been trained
 * (no gradients, no update: what is not measured stays zero). */
void ts_stats_measure_forward (const TsNet *net, guint B, gboolean weights, TsStatsRecord *out);

/* One layer measured from its buffers, for passes outside a TsNet (the
 * probe): the activation statistics of a and z (B, units) — z, the
 * activation's input, tells PReLU's dead units — and the weights' RMS and
 * histogram (no update ratio). */
void ts_stats_activations (TsLayerStats *s, const float *a, const float *z, guint B, guint units, TsActivation act);
/* The same for a conv layer's output, (B, channels · plane) in NCHW rows:
 * the dead share counts channels, a channel dead when no position of any
 * sample is active; the saturated share is of values, as for units. */
void ts_stats_activations_planes (TsLayerStats *s, const float *a, const float *z, guint B, guint channels,
                                  guint plane, TsActivation act);
void ts_stats_weights (TsLayerStats *s, const float *w, gsize n);

/* Statistics are measured every this many steps: about TS_STATS_POINTS
 * measurements over a run, but a measurement costs about a step, so a
 * large net not too often. */
guint       ts_stats_every (guint64 steps, double n_params);

/* The statistics log of a run of `steps` steps, in bytes: what the
 * trainer adds to the experiment's footprint before it allocates. */
double      ts_stats_log_bytes (guint64 steps, guint n_layers, double n_params);

G_END_DECLS
