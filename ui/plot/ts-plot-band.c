/* The ±1 std band a series may carry (TsPlotSeries.spread): a seed
 * group's mean curve drawn with its spread, as TensorBoard users have long
 * asked for. Kept apart from the line painter: it only fills under it. */
#include "ts-plot-band-private.h"

#include <math.h>

static double
to_axis (double v, gboolean log_y)
{
  return log_y ? (v > 0 ? log10 (v) : NAN) : v;
}

void
_ts_plot_spread_extend (const TsPlotSeries *se, gsize i, gboolean log_y, double *lo, double *hi)
{
  double y = se->y[i], s = se->spread[i], a, b;

  if (!isfinite (y) || !isfinite (s))
    return;
  a = to_axis (y - s, log_y), b = to_axis (y + s, log_y);
  if (isfinite (a)) /* on a log axis a band reaching 0 or below keeps the axis */
    *lo = MIN (*lo, a);
  if (isfinite (b))
    *hi = MAX (*hi, b);
}

/* one series' band, its edges taken per pixel column (lowest low, highest
 * high) so a band of any length fills in time proportional to the width */
static void
fill_band (cairo_t *cr, const TsPlotSeries *se, const double *y, const double *s, gboolean log_y, double px,
           double py, double pw, double ph, double x0, double x1, double y0, double y1)
{
  guint columns = (guint) MAX (pw, 1) + 1, used = 0;
  g_autofree double *cx = g_new (double, columns), *top = g_new (double, columns), *bottom = g_new (double, columns);
  long last = G_MINLONG;
  double rgb[3];

  for (gsize i = 0; i < se->n; i++)
    {
      double a, b, xs;
      long col;
      if (!isfinite (se->x[i]) || !isfinite (y[i]) || !isfinite (s[i]))
        continue;
      a = to_axis (y[i] - s[i], log_y), b = to_axis (y[i] + s[i], log_y);
      if (!isfinite (b))
        continue;
      if (!isfinite (a))
        a = y0; /* below a log axis: to its bottom */
      xs = px + (se->x[i] - x0) / (x1 - x0) * pw;
      a = py + ph - (a - y0) / (y1 - y0) * ph;
      b = py + ph - (b - y0) / (y1 - y0) * ph;
      col = lround (xs);
      if (col != last && used < columns)
        {
          cx[used] = xs, top[used] = b, bottom[used] = a;
          used++;
          last = col;
        }
      else if (used > 0)
        top[used - 1] = MIN (top[used - 1], b), bottom[used - 1] = MAX (bottom[used - 1], a);
    }
  if (used == 0)
    return;
  if (used == 1) /* one point: a short bar, so a one-epoch band still shows */
    {
      cx[1] = cx[0] + 1, top[1] = top[0], bottom[1] = bottom[0];
      cx[0] -= 1, used = 2;
    }
  ts_plot_palette (se->colour, rgb);
  cairo_set_source_rgba (cr, rgb[0], rgb[1], rgb[2], 0.22);
  cairo_move_to (cr, cx[0], top[0]);
  for (guint c = 1; c < used; c++)
    cairo_line_to (cr, cx[c], top[c]);
  for (guint c = used; c-- > 0;)
    cairo_line_to (cr, cx[c], bottom[c]);
  cairo_close_path (cr);
  cairo_fill (cr);
}

void
_ts_plot_draw_spreads (cairo_t *cr, const TsPlotSeries *series, guint n_series, const TsPlotAxes *axes, double px,
                       double py, double pw, double ph, double x0, double x1, double y0, double y1)
{
  for (guint k = 0; k < n_series; k++)
    {
      const TsPlotSeries *se = &series[k];
      g_autofree double *y = NULL, *s = NULL;

      if (se->spread == NULL || se->n == 0)
        continue;
      if (se->smoothed && se->n > 1 && axes->smoothing > 0)
        {
          /* around the smoothed line: the EMA is linear, so EMA(y ± s) = EMA(y) ± EMA(s) */
          double w = MIN (axes->smoothing, 0.999);
          y = g_new (double, se->n), s = g_new (double, se->n);
          ts_plot_smooth (se->y, se->n, w, y);
          ts_plot_smooth (se->spread, se->n, w, s);
        }
      fill_band (cr, se, y ? y : se->y, s ? s : se->spread, axes->log_y, px, py, pw, ph, x0, x1, y0, y1);
    }
}
