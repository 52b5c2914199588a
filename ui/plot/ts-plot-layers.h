/* ts-plot-layers.h — inside a training net, from its stats log: per-layer
 * histograms over time (ridges offset by step, or overlaid), per-layer
 * curves (update/weight ratio with its healthy band, gradient norm, dead or
 * saturated share), first-layer weights as images, a batch-norm layer's
 * γ, β and running statistics per unit, and the decision
 * boundary of a 2-D model under its training points.
 *
 *   TsRunStats runs[] = { { "spiral", 0, stats_log, ts_metric_log_length (stats_log) } };
 *   ts_plot_layer_histograms (cr, 640, 360, &style, runs, 1, 0, TS_HIST_WEIGHTS, TS_HIST_OFFSET, NULL);
 *   ts_plot_layer_metric (cr, 640, 360, &style, runs, 1, TS_LAYER_UPDATE_RATIO, NULL);
 */
#pragma once

#include "ts-plot-curves.h"

G_BEGIN_DECLS

typedef struct {
  const char        *name;
  guint              colour;
  const TsMetricLog *stats; /* TsStatsRecord */
  gsize              n;     /* records to draw: a length this thread has read */
} TsRunStats;

typedef enum {
  TS_HIST_OFFSET,  /* one ridge per measurement, later ones lower and in front */
  TS_HIST_OVERLAY, /* all on one axis, later ones stronger */
} TsHistMode;

#define TS_HIST_MAX_RIDGES 24 /* measurements drawn; evenly picked when there are more */

/* layer: 0-based, the output layer is the last; the first run is drawn in
 * front and names the layers */
void  ts_plot_layer_histograms (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                                const TsRunStats *runs, guint n_runs, guint layer, TsHistKind kind, TsHistMode mode,
                                const char *caption);
/* run,step,layer,kind,bin_lo,bin_hi,count — every measurement, exact bins */
char *ts_plot_layer_histograms_csv (const TsRunStats *runs, guint n_runs, guint layer, TsHistKind kind);

typedef enum {
  TS_LAYER_UPDATE_RATIO, /* ‖ΔW‖/‖W‖ per step, log axis, the ~1e-3 band */
  TS_LAYER_GRAD_NORM,
  TS_LAYER_UNHEALTHY,    /* the share of dead (ReLU family) or saturated (tanh, sigmoid) units */
  TS_LAYER_N_METRICS,
} TsLayerMetric;

const char *ts_layer_metric_name (TsLayerMetric metric); /* "update-ratio", "grad-norm", "dead-saturated" */
/* a line per layer (per run and layer when several runs are given) against the step */
void  ts_plot_layer_metric (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                            const TsRunStats *runs, guint n_runs, TsLayerMetric metric, const char *caption);
char *ts_plot_layer_metric_csv (const TsRunStats *runs, guint n_runs, TsLayerMetric metric);

/* the first layer's incoming weights, one tile per unit shaped as the
 * C × H × W input, each scaled to its own largest |w| (grey is 0); a conv
 * first layer's filters as ts_plot_conv_filters draws them (and its CSV) */
void  ts_plot_filters (cairo_t *cr, double width, double height, const TsPlotStyle *style, const TsNet *net,
                       guint channels, guint image_height, guint image_width, const char *caption);
char *ts_plot_filters_csv (const TsNet *net, guint max_units);

/* a batchnorm layer's γ, β, running mean and running variance against the
 * unit index, one small panel each in palette colours 0–3 (a row when the
 * figure is wide, else two by two); another kind of layer: a message */
#define TS_BN_N_SERIES 4
void  ts_plot_batchnorm (cairo_t *cr, double width, double height, const TsPlotStyle *style, const TsNet *net,
                         guint layer, const char *caption);
/* unit,gamma,beta,running_mean,running_var; NULL for another kind of layer */
char *ts_plot_batchnorm_csv (const TsNet *net, guint layer);

/* the grid's classes shaded by confidence, the data's points on top */
void  ts_plot_decision (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                        const TsDecisionGrid *grid, const TsDataset *ds, const char *caption);
char *ts_plot_decision_csv (const TsDecisionGrid *grid);

G_END_DECLS
