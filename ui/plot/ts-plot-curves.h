/* ts-plot-curves.h — line charts of training curves: loss per iteration
 * (raw and smoothed), accuracy per epoch, learning rate; several runs
 * overlaid in their colours, with axes, legend and caption.
 *
 *   TsPlotSeries s = { "spiral", 0, steps, losses, n, TRUE };
 *   TsPlotAxes axes = { "step", "loss", .log_y = TRUE };
 *   ts_plot_curves (cr, 640, 360, &style, &s, 1, &axes, "seed 7");
 *
 * A series of any length draws in time proportional to its length and the
 * plot's width: points that share a pixel column become one vertical span. */
#pragma once

#include "ts-plot.h"

G_BEGIN_DECLS

typedef struct {
  const char   *name;
  guint         colour;    /* palette index */
  const double *x;
  const double *y;         /* NaN: a gap */
  gsize         n;
  gboolean      smoothed;  /* draw raw faintly, an EMA strongly */
  gboolean      dashed;
  gboolean      neutral;   /* legend swatch in the text colour: a key, not a run */
  gboolean      diverged;  /* its run diverged: left out of the y range when others
                            * are shown, marked where it leaves the plot */
  const double *spread;    /* (n) a band y ± spread under the line, e.g. ±1 std of
                            * a seed group's mean (NULL: none; ts-plot-band.c) */
} TsPlotSeries;

typedef struct {
  const char *x_label;
  const char *y_label;
  gboolean    log_y;
  double      x_min, x_max; /* both 0: fit the data */
  double      y_min, y_max;
  double      band_lo, band_hi; /* a shaded horizontal band (a healthy range); both 0: none */
  const char *band_label;       /* written inside the band, or NULL */
  double      min_span;         /* a linear y axis spans at least this, so noise
                                 * around a level is not blown up to fill it */
  gboolean    unit_range;       /* y values are shares: the axis stays in [0, 1] */
  double      smoothing;        /* EMA weight for series marked smoothed (0: raw only) */
  gboolean    whole_x;          /* x counts things (layers, epochs): ticks only at whole numbers */
} TsPlotAxes;

/* TensorBoard's default smoothing weight */
#define TS_PLOT_DEFAULT_SMOOTHING 0.6

/* The plotting area inside a width × height plot, for hit-testing. */
void ts_plot_curves_area (double width, double height, double *x, double *y, double *w, double *h);
/* Data ranges the plot would use (after padding, log applied to y). */
void ts_plot_curves_ranges (const TsPlotSeries *series, guint n_series, const TsPlotAxes *axes,
                            double *x0, double *x1, double *y0, double *y1);
void ts_plot_curves (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                     const TsPlotSeries *series, guint n_series, const TsPlotAxes *axes, const char *caption);

/* The y values ticked and labelled on [y0, y1] (log10 units when log_y):
 * decades, with 2× and 5× under two decades, and evenly spaced values
 * when that leaves fewer than two inside. Returns how many (≤ max). */
guint ts_plot_y_ticks (double y0, double y1, gboolean log_y, double *ticks, guint max);

/* The spacing of the x labels on [x0, x1]: about six of them, and never
 * less than 1 when whole (no "layer 2.5") */
double ts_plot_x_step (double x0, double x1, gboolean whole);

/* Exponential moving average with bias correction, as TensorBoard smooths:
 * ema_i = w·ema_{i-1} + (1−w)·y_i, shown as ema_i / (1 − w^k) after k
 * finite values; non-finite values are skipped. */
void ts_plot_smooth (const double *y, gsize n, double weight, double *out);

G_END_DECLS
