#include "ts-plot-lr.h"

#include <math.h>

void
ts_plot_lr_finder (cairo_t *cr, double width, double height, const TsPlotStyle *style, const TsLrFinderResult *r,
                   const char *caption)
{
  g_autofree double *x = g_new (double, r->n);
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
  double marks[3][2], marks_y[3][2];
  const double picks[3] = { r->valley, r->steepest, r->min_over_10 };
  static const char *const names[3] = { "valley (suggested)", "steepest", "minimum ÷ 10" };
  TsPlotSeries series[6];
  TsPlotAxes axes = { "log₁₀ learning rate", "smoothed loss", FALSE };

  for (guint i = 0; i < r->n; i++)
    {
      x[i] = log10 (r->lr[i]);
      lo = MIN (lo, r->loss_lo[i]);
      hi = MAX (hi, r->loss_hi[i]);
    }
  series[0] = (TsPlotSeries) { NULL, 8, x, r->loss_lo, r->n, FALSE, TRUE };
  series[1] = (TsPlotSeries) { NULL, 8, x, r->loss_hi, r->n, FALSE, TRUE };
  series[2] = (TsPlotSeries) { "mean of the sweeps", 0, x, r->loss, r->n };
  for (int k = 0; k < 3; k++)
    {
      marks[k][0] = marks[k][1] = log10 (picks[k]);
      marks_y[k][0] = lo, marks_y[k][1] = hi;
      series[3 + k] = (TsPlotSeries) { names[k], 1 + k, marks[k], marks_y[k], 2, FALSE, k > 0 };
    }
  ts_plot_curves (cr, width, height, style, series, G_N_ELEMENTS (series), &axes, caption);
}
