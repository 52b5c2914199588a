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
} TsPlotSeries;

typedef struct {
  const char *x_label;
  const char *y_label;
  gboolean    log_y;
  double      x_min, x_max; /* both 0: fit the data */
  double      y_min, y_max;
  double      band_lo, band_hi; /* a shaded horizontal band (a healthy range); both 0: none */
  const char *band_label;       /* written inside the band, or NULL */
} TsPlotAxes;

/* The plotting area inside a width × height plot, for hit-testing. */
void ts_plot_curves_area (double width, double height, double *x, double *y, double *w, double *h);
/* Data ranges the plot would use (after padding, log applied to y). */
void ts_plot_curves_ranges (const TsPlotSeries *series, guint n_series, const TsPlotAxes *axes,
                            double *x0, double *x1, double *y0, double *y1);
void ts_plot_curves (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                     const TsPlotSeries *series, guint n_series, const TsPlotAxes *axes, const char *caption);

/* Exponential moving average with bias correction, as TensorBoard smooths. */
void ts_plot_smooth (const double *y, gsize n, double weight, double *out);

G_END_DECLS
