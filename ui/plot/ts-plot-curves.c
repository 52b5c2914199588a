#include "ts-plot-curves.h"
#include "ts-plot-private.h"

#include <math.h>
#include <string.h>

#define MARGIN_LEFT 74
#define MARGIN_RIGHT 16
#define MARGIN_TOP 48
#define MARGIN_BOTTOM 44

void
ts_plot_curves_area (double width, double height, double *x, double *y, double *w, double *h)
{
  *x = MARGIN_LEFT;
  *y = MARGIN_TOP;
  *w = MAX (width - MARGIN_LEFT - MARGIN_RIGHT, 10);
  *h = MAX (height - MARGIN_TOP - MARGIN_BOTTOM, 10);
}

static double
value (double v, gboolean log_y)
{
  return log_y ? (v > 0 ? log10 (v) : NAN) : v;
}

void
ts_plot_curves_ranges (const TsPlotSeries *series, guint n_series, const TsPlotAxes *axes, double *x0, double *x1,
                       double *y0, double *y1)
{
  double lx = G_MAXDOUBLE, hx = -G_MAXDOUBLE, ly = G_MAXDOUBLE, hy = -G_MAXDOUBLE;

  for (guint s = 0; s < n_series; s++)
    for (gsize i = 0; i < series[s].n; i++)
      {
        double v = value (series[s].y[i], axes->log_y);
        if (!isfinite (v) || !isfinite (series[s].x[i]))
          continue;
        lx = MIN (lx, series[s].x[i]), hx = MAX (hx, series[s].x[i]);
        ly = MIN (ly, v), hy = MAX (hy, v);
      }
  if (lx > hx)
    lx = 0, hx = 1, ly = 0, hy = 1;
  if (axes->band_hi > axes->band_lo) /* the healthy range stays in view, to show how far off a curve is */
    ly = MIN (ly, value (axes->band_lo, axes->log_y)), hy = MAX (hy, value (axes->band_hi, axes->log_y));
  if (axes->x_min != axes->x_max)
    lx = axes->x_min, hx = axes->x_max;
  if (axes->y_min != axes->y_max)
    ly = value (axes->y_min, axes->log_y), hy = value (axes->y_max, axes->log_y);
  if (hx - lx < 1e-12)
    hx = lx + 1;
  if (hy - ly < 1e-12)
    ly -= 0.5, hy += 0.5;
  else
    {
      double pad = (hy - ly) * 0.05;
      ly -= pad, hy += pad;
    }
  *x0 = lx, *x1 = hx, *y0 = ly, *y1 = hy;
}

void
ts_plot_smooth (const double *y, gsize n, double weight, double *out)
{
  double ema = 0, norm = 0;
  for (gsize i = 0; i < n; i++)
    {
      if (isfinite (y[i]))
        {
          ema = weight * ema + (1 - weight) * y[i];
          norm = weight * norm + (1 - weight);
        }
      out[i] = norm > 0 ? ema / norm : NAN;
    }
}

/* One pass: points falling in the same pixel column become a vertical span
 * from their min to their max, joined to the next column's first point. */
static void
stroke_decimated (cairo_t *cr, const double *x, const double *y, gsize n, gboolean log_y, double px0, double pw,
                  double py0, double ph, double x0, double x1, double y0, double y1)
{
  long column = G_MINLONG;
  double lo = 0, hi = 0;
  gboolean open = FALSE;

  for (gsize i = 0; i < n; i++)
    {
      double v = value (y[i], log_y), cx, cy;
      long c;
      if (!isfinite (v))
        {
          open = FALSE;
          continue;
        }
      cx = px0 + (x[i] - x0) / (x1 - x0) * pw;
      cy = py0 + ph - (v - y0) / (y1 - y0) * ph;
      c = (long) floor (cx);
      if (open && c == column)
        {
          lo = MIN (lo, cy), hi = MAX (hi, cy);
          continue;
        }
      if (open && hi > lo)
        {
          cairo_line_to (cr, column + 0.5, lo);
          cairo_line_to (cr, column + 0.5, hi);
        }
      if (open)
        cairo_line_to (cr, cx, cy);
      else
        cairo_move_to (cr, cx, cy);
      open = TRUE;
      column = c, lo = hi = cy;
    }
  if (open && hi > lo)
    {
      cairo_line_to (cr, column + 0.5, lo);
      cairo_line_to (cr, column + 0.5, hi);
    }
  cairo_stroke (cr);
}

static double
nice_step (double span, int target)
{
  double raw = span / target, mag = pow (10, floor (log10 (raw))), f = raw / mag;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

static void
draw_axes (cairo_t *cr, const TsPlotStyle *style, const TsPlotAxes *axes, double px, double py, double pw,
           double ph, double x0, double x1, double y0, double y1, double width, double height)
{
  double step;
  char buf[32];

  cairo_set_line_width (cr, 1);
  /* y grid and labels; a log axis spanning under two decades also gets
   * its 2× and 5× lines */
  step = axes->log_y ? 1 : nice_step (y1 - y0, 5);
  for (double v = (axes->log_y ? floor (y0) : ceil (y0 / step) * step); v <= y1 + 1e-12; v += step)
    for (int m = 0; m < (axes->log_y && y1 - y0 < 2 ? 3 : 1); m++)
    {
      double tick = axes->log_y ? v + log10 ((double[]) { 1, 2, 5 }[m]) : v;
      double cy = round (py + ph - (tick - y0) / (y1 - y0) * ph) + 0.5;
      if (tick < y0 - 1e-12 || tick > y1 + 1e-12)
        continue;
      ts_plot_set_rgb (cr, style->grid);
      cairo_move_to (cr, px, cy), cairo_line_to (cr, px + pw, cy), cairo_stroke (cr);
      if (axes->log_y)
        g_snprintf (buf, sizeof buf, "%g", pow (10, tick));
      else
        g_snprintf (buf, sizeof buf, "%.3g", fabs (v) < step * 1e-6 ? 0.0 : v);
      ts_plot_set_rgb (cr, style->foreground);
      ts_plot_text (cr, buf, px - 6, cy, 11, 1.0, 0.5);
    }
  step = nice_step (x1 - x0, 6);
  for (double v = ceil (x0 / step) * step; v <= x1 + 1e-12; v += step)
    {
      double cx = round (px + (v - x0) / (x1 - x0) * pw) + 0.5;
      ts_plot_set_rgb (cr, style->grid);
      cairo_move_to (cr, cx, py), cairo_line_to (cr, cx, py + ph), cairo_stroke (cr);
      g_snprintf (buf, sizeof buf, "%.4g", v);
      ts_plot_set_rgb (cr, style->foreground);
      ts_plot_text (cr, buf, cx, py + ph + 12, 11, 0.5, 0.5);
    }
  ts_plot_set_rgb (cr, style->foreground);
  cairo_rectangle (cr, px + 0.5, py + 0.5, pw - 1, ph - 1);
  cairo_stroke (cr);
  if (axes->x_label)
    ts_plot_text (cr, axes->x_label, px + pw / 2, height - 10, 12, 0.5, 0.5);
  if (axes->y_label)
    {
      cairo_save (cr);
      cairo_translate (cr, 12, py + ph / 2);
      cairo_rotate (cr, -G_PI / 2);
      ts_plot_text (cr, axes->y_label, 0, 0, 12, 0.5, 0.5);
      cairo_restore (cr);
    }
  (void) width;
}

/* name, cut to max characters with an ellipsis */
static char *
shorten (const char *name, guint max)
{
  g_autofree char *head = NULL;

  if ((guint) g_utf8_strlen (name, -1) <= max)
    return g_strdup (name);
  head = g_utf8_substring (name, 0, max - 1);
  return g_strconcat (head, "…", NULL);
}

static double
legend_width (cairo_t *cr, const TsPlotSeries *series, guint n, double size, guint max)
{
  double total = 0;
  for (guint s = 0; s < n; s++)
    if (series[s].name)
      {
        g_autofree char *name = shorten (series[s].name, max);
        total += ts_plot_text_width (cr, name, size) + 26;
      }
  return total;
}

/* one line above the plot, right-aligned; smaller, then cut, when crowded */
static void
draw_legend (cairo_t *cr, const TsPlotStyle *style, const TsPlotSeries *series, guint n, double px, double py,
             double pw)
{
  double x = px + pw - 8, size = 11, room = pw * 0.8;
  guint max = 200;

  if (legend_width (cr, series, n, size, max) > room)
    size = 9.5;
  while (legend_width (cr, series, n, size, max) > room && max > 8)
    max = MIN (max, 60) - 2;
  for (guint s = n; s-- > 0;)
    {
      g_autofree char *name = NULL;
      double rgb[3];
      if (series[s].name == NULL)
        continue;
      name = shorten (series[s].name, max);
      x -= ts_plot_text_width (cr, name, size) + 26;
      ts_plot_palette (series[s].colour, rgb);
      if (series[s].neutral)
        memcpy (rgb, style->foreground, sizeof rgb);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_set_line_width (cr, 2.5);
      if (series[s].dashed)
        cairo_set_dash (cr, (double[]) { 4, 3 }, 2, 0);
      cairo_move_to (cr, x, py - 11), cairo_line_to (cr, x + 16, py - 11), cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      ts_plot_set_rgb (cr, style->foreground);
      ts_plot_text (cr, name, x + 20, py - 11, size, 0, 0.5);
    }
}

static void
draw_band (cairo_t *cr, const TsPlotAxes *axes, double px, double py, double pw, double ph, double y0, double y1)
{
  double lo = value (axes->band_lo, axes->log_y), hi = value (axes->band_hi, axes->log_y);
  double top = py + ph - (hi - y0) / (y1 - y0) * ph, bottom = py + ph - (lo - y0) / (y1 - y0) * ph;

  cairo_set_source_rgba (cr, 0.0, 0.62, 0.45, 0.14); /* the palette's green, faint */
  cairo_rectangle (cr, px, top, pw, bottom - top);
  cairo_fill (cr);
  if (axes->band_label)
    {
      cairo_set_source_rgba (cr, 0.0, 0.5, 0.36, 0.9);
      ts_plot_text (cr, axes->band_label, px + 6, top + 8, 10, 0, 0.5);
    }
}

void
ts_plot_curves (cairo_t *cr, double width, double height, const TsPlotStyle *style, const TsPlotSeries *series,
                guint n_series, const TsPlotAxes *axes, const char *caption)
{
  double px, py, pw, ph, x0, x1, y0, y1;

  cairo_save (cr);
  ts_plot_set_rgb (cr, style->background);
  cairo_paint (cr);
  ts_plot_curves_area (width, height, &px, &py, &pw, &ph);
  ts_plot_curves_ranges (series, n_series, axes, &x0, &x1, &y0, &y1);
  draw_axes (cr, style, axes, px, py, pw, ph, x0, x1, y0, y1, width, height);
  cairo_save (cr);
  cairo_rectangle (cr, px, py, pw, ph);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  if (axes->band_hi > axes->band_lo)
    draw_band (cr, axes, px, py, pw, ph, y0, y1);
  for (guint s = 0; s < n_series; s++)
    {
      const TsPlotSeries *se = &series[s];
      double rgb[3];
      ts_plot_palette (se->colour, rgb);
      if (se->dashed)
        cairo_set_dash (cr, (double[]) { 5, 3 }, 2, 0);
      if (se->smoothed && se->n > 1)
        {
          g_autofree double *smooth = g_new (double, se->n);
          cairo_set_source_rgba (cr, rgb[0], rgb[1], rgb[2], 0.25);
          cairo_set_line_width (cr, 1);
          stroke_decimated (cr, se->x, se->y, se->n, axes->log_y, px, pw, py, ph, x0, x1, y0, y1);
          ts_plot_smooth (se->y, se->n, 0.9, smooth);
          cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
          cairo_set_line_width (cr, 2);
          stroke_decimated (cr, se->x, smooth, se->n, axes->log_y, px, pw, py, ph, x0, x1, y0, y1);
        }
      else
        {
          cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
          cairo_set_line_width (cr, 2);
          stroke_decimated (cr, se->x, se->y, se->n, axes->log_y, px, pw, py, ph, x0, x1, y0, y1);
          if (se->n == 1)
            {
              double v = value (se->y[0], axes->log_y);
              cairo_arc (cr, px + (se->x[0] - x0) / (x1 - x0) * pw, py + ph - (v - y0) / (y1 - y0) * ph, 3, 0, 2 * G_PI);
              cairo_fill (cr);
            }
        }
      cairo_set_dash (cr, NULL, 0, 0);
    }
  cairo_restore (cr);
  draw_legend (cr, style, series, n_series, px, py, pw);
  if (caption)
    {
      ts_plot_set_rgb (cr, style->foreground);
      ts_plot_text (cr, caption, px, 13, 12, 0, 0.5);
    }
  cairo_restore (cr);
}
