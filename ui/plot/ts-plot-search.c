#include "ts-plot-search.h"
#include "ts-plot-private.h"

#include <math.h>

#define LEFT 64.0
#define RIGHT 16.0
#define TOP 30.0
#define BOTTOM 44.0

static double
nice_step (double span, int target)
{
  double raw = span / target, mag = pow (10, floor (log10 (raw))), f = raw / mag;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

/* the y range: every bar inside, in percent */
static void
y_range (const TsSearchPoint *p, guint n, double *lo, double *hi)
{
  *lo = INFINITY, *hi = -INFINITY;
  for (guint i = 0; i < n; i++)
    if (isfinite (p[i].mean))
      {
        double s = isfinite (p[i].std) ? p[i].std : 0;
        *lo = MIN (*lo, 100 * (p[i].mean - s));
        *hi = MAX (*hi, 100 * (p[i].mean + s));
      }
  if (!isfinite (*lo))
    *lo = 0, *hi = 100;
  if (*hi - *lo < 1)
    *lo -= 0.5, *hi += 0.5;
  *lo -= 0.05 * (*hi - *lo), *hi += 0.05 * (*hi - *lo);
}

static void
x_range (const TsSearchPoint *p, guint n, gboolean log_x, const char *const *choices, double *lo, double *hi)
{
  if (choices)
    {
      *lo = -0.5, *hi = g_strv_length ((char **) choices) - 0.5;
      return;
    }
  *lo = INFINITY, *hi = -INFINITY;
  for (guint i = 0; i < n; i++)
    {
      double x = log_x ? log10 (p[i].x) : p[i].x;
      if (isfinite (x))
        *lo = MIN (*lo, x), *hi = MAX (*hi, x);
    }
  if (!isfinite (*lo))
    *lo = 0, *hi = 1;
  if (*hi - *lo < 1e-9)
    *lo -= 0.5, *hi += 0.5;
  *lo -= 0.05 * (*hi - *lo), *hi += 0.05 * (*hi - *lo);
}

static void
draw_x_ticks (cairo_t *cr, const TsPlotStyle *style, gboolean log_x, const char *const *choices, double px,
              double pw, double py, double ph, double x0, double x1)
{
  char buf[32];

  if (choices)
    {
      for (guint i = 0; choices[i]; i++)
        {
          double cx = px + (i - x0) / (x1 - x0) * pw;
          ts_plot_set_rgb (cr, style->foreground);
          ts_plot_text (cr, choices[i], cx, py + ph + 12, 11, 0.5, 0.5);
        }
      return;
    }
  for (double v = log_x ? floor (x0) : ceil (x0 / nice_step (x1 - x0, 6)) * nice_step (x1 - x0, 6); v <= x1 + 1e-12;
       v += log_x ? 1 : nice_step (x1 - x0, 6))
    for (int m = 0; m < (log_x && x1 - x0 < 2 ? 3 : 1); m++)
      {
        double tick = log_x ? v + log10 ((double[]) { 1, 2, 5 }[m]) : v;
        double cx = round (px + (tick - x0) / (x1 - x0) * pw) + 0.5;
        if (tick < x0 || tick > x1)
          continue;
        ts_plot_set_rgb (cr, style->grid);
        cairo_move_to (cr, cx, py), cairo_line_to (cr, cx, py + ph), cairo_stroke (cr);
        g_snprintf (buf, sizeof buf, "%.3g", log_x ? pow (10, tick) : tick);
        ts_plot_set_rgb (cr, style->foreground);
        ts_plot_text (cr, buf, cx, py + ph + 12, 11, 0.5, 0.5);
      }
}

void
ts_plot_search_key (cairo_t *cr, double width, double height, const TsPlotStyle *style, const TsSearchPoint *points,
                    guint n, gboolean log_x, const char *const *choices, const char *key, const char *caption)
{
  double px = LEFT, py = TOP, pw = width - LEFT - RIGHT, ph = height - TOP - BOTTOM;
  double x0, x1, y0, y1, step, rgb[3];
  char buf[32];

  cairo_save (cr);
  ts_plot_set_rgb (cr, style->background);
  cairo_paint (cr);
  x_range (points, n, log_x, choices, &x0, &x1);
  y_range (points, n, &y0, &y1);
  cairo_set_line_width (cr, 1);
  step = nice_step (y1 - y0, 5);
  for (double v = ceil (y0 / step) * step; v <= y1 + 1e-12; v += step)
    {
      double cy = round (py + ph - (v - y0) / (y1 - y0) * ph) + 0.5;
      ts_plot_set_rgb (cr, style->grid);
      cairo_move_to (cr, px, cy), cairo_line_to (cr, px + pw, cy), cairo_stroke (cr);
      g_snprintf (buf, sizeof buf, "%.3g", v);
      ts_plot_set_rgb (cr, style->foreground);
      ts_plot_text (cr, buf, px - 6, cy, 11, 1.0, 0.5);
    }
  draw_x_ticks (cr, style, log_x, choices, px, pw, py, ph, x0, x1);
  ts_plot_set_rgb (cr, style->foreground);
  cairo_rectangle (cr, px + 0.5, py + 0.5, pw - 1, ph - 1);
  cairo_stroke (cr);
  ts_plot_palette (0, rgb);
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_set_line_width (cr, 1.5);
  for (guint i = 0; i < n; i++)
    {
      double x = choices ? points[i].x : log_x ? log10 (points[i].x) : points[i].x;
      double cx = px + (x - x0) / (x1 - x0) * pw;
      double cy = py + ph - (100 * points[i].mean - y0) / (y1 - y0) * ph;
      if (!isfinite (cx) || !isfinite (points[i].mean))
        continue;
      if (isfinite (points[i].std) && points[i].std > 0)
        {
          double d = 100 * points[i].std / (y1 - y0) * ph;
          cairo_move_to (cr, cx, cy - d), cairo_line_to (cr, cx, cy + d);
          cairo_move_to (cr, cx - 3, cy - d), cairo_line_to (cr, cx + 3, cy - d);
          cairo_move_to (cr, cx - 3, cy + d), cairo_line_to (cr, cx + 3, cy + d);
          cairo_stroke (cr);
        }
      cairo_arc (cr, cx, cy, 3.5, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  ts_plot_set_rgb (cr, style->foreground);
  ts_plot_text (cr, key, px + pw / 2, height - 10, 12, 0.5, 0.5);
  cairo_save (cr);
  cairo_translate (cr, 12, py + ph / 2);
  cairo_rotate (cr, -G_PI / 2);
  ts_plot_text (cr, "CV accuracy (%), ±1 std over folds", 0, 0, 12, 0.5, 0.5);
  cairo_restore (cr);
  if (caption)
    ts_plot_text (cr, caption, px, 13, 12, 0, 0.5);
  cairo_restore (cr);
}
