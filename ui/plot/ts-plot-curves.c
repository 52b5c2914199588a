#include "ts-plot-curves.h"
#include "ts-plot-band-private.h"
#include "ts-plot-labels.h"
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

/* A diverged series sets the range only when nothing else is shown, and
 * then only up to ten times its first value: the climb to 1e9 before NaN
 * would flatten every other curve. */
static gboolean
counts_for_y (const TsPlotSeries *se, gboolean any_sane, double first, double y)
{
  if (!se->diverged)
    return TRUE;
  return !any_sane && fabs (y) <= 10 * fabs (first);
}

/* pads [*lo, *hi] (data units) so curves do not touch the frame, at least
 * min_span wide, never below 0 for data that is not, inside [0, 1] for shares */
static void
pad_y (const TsPlotAxes *axes, double data_lo, double *lo, double *hi)
{
  double span = *hi - *lo;

  if (!axes->log_y && axes->min_span > 0 && span < axes->min_span)
    {
      double mid = (*hi + *lo) / 2;
      *lo = mid - axes->min_span / 2, *hi = mid + axes->min_span / 2;
      if (axes->unit_range && *lo < 0)
        *hi -= *lo, *lo = 0;
      if (axes->unit_range && *hi > 1)
        *lo -= *hi - 1, *hi = 1;
      span = *hi - *lo;
    }
  if (span < 1e-12) /* a constant: a tenth of its size either side (a decade's tenth on log) */
    {
      double pad = axes->log_y ? 0.1 : fabs (*lo) > 0 ? fabs (*lo) * 0.1 : 0.5;
      *lo -= pad, *hi += pad;
    }
  else
    *lo -= span * 0.05, *hi += span * 0.05;
  if (!axes->log_y && data_lo >= 0 && *lo < 0) /* a rate or a loss never goes below 0: nor does its axis */
    *lo = 0;
}

void
ts_plot_curves_ranges (const TsPlotSeries *series, guint n_series, const TsPlotAxes *axes, double *x0, double *x1,
                       double *y0, double *y1)
{
  double lx = G_MAXDOUBLE, hx = -G_MAXDOUBLE, ly = G_MAXDOUBLE, hy = -G_MAXDOUBLE, data_lo;
  gboolean any_sane = FALSE;

  for (guint s = 0; s < n_series; s++)
    any_sane |= !series[s].diverged && series[s].n > 0;
  for (guint s = 0; s < n_series; s++)
    {
      double first = NAN;
      for (gsize i = 0; i < series[s].n; i++)
        {
          double v = value (series[s].y[i], axes->log_y);
          if (!isfinite (v) || !isfinite (series[s].x[i]))
            continue;
          if (isnan (first))
            first = series[s].y[i];
          lx = MIN (lx, series[s].x[i]), hx = MAX (hx, series[s].x[i]);
          if (counts_for_y (&series[s], any_sane, first, series[s].y[i]))
            ly = MIN (ly, v), hy = MAX (hy, v);
          if (series[s].spread)
            _ts_plot_spread_extend (&series[s], i, axes->log_y, &ly, &hy);
        }
    }
  if (lx > hx)
    lx = 0, hx = 1;
  if (ly > hy)
    ly = 0, hy = 1;
  data_lo = axes->log_y ? 0 : ly;
  if (axes->band_hi > axes->band_lo) /* the healthy range stays in view, to show how far off a curve is */
    ly = MIN (ly, value (axes->band_lo, axes->log_y)), hy = MAX (hy, value (axes->band_hi, axes->log_y));
  if (axes->x_min != axes->x_max)
    lx = axes->x_min, hx = axes->x_max;
  if (axes->y_min != axes->y_max)
    ly = value (axes->y_min, axes->log_y), hy = value (axes->y_max, axes->log_y), data_lo = -1;
  if (hx - lx < 1e-12)
    hx = lx + 1;
  pad_y (axes, data_lo, &ly, &hy);
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

double
ts_plot_x_step (double x0, double x1, gboolean whole)
{
  double step = nice_step (x1 - x0, 6);
  return whole ? MAX (step, 1) : step;
}

guint
ts_plot_y_ticks (double y0, double y1, gboolean log_y, double *ticks, guint max)
{
  guint n = 0;
  double step;

  if (!(y1 > y0) || !isfinite (y0) || !isfinite (y1))
    return 0;
  if (log_y)
    {
      static const double mults[] = { 1, 2, 5 };
      int per = y1 - y0 < 2 ? 3 : 1, every = MAX (1, (int) ceil ((y1 - y0) / 8));
      for (double v = floor (y0); v <= y1 + 1e-12 && n < max; v += every)
        for (int m = 0; m < per && n < max; m++)
          {
            double t = v + log10 (mults[m]);
            if (t >= y0 - 1e-12 && t <= y1 + 1e-12)
              ticks[n++] = t;
          }
      if (n >= 2)
        return n;
      /* within a decade (2.26 … 2.36): evenly spaced values, placed on the log axis */
      n = 0;
      {
        double lo = pow (10, y0), hi = pow (10, y1);
        step = nice_step (hi - lo, 4);
        for (double v = ceil (lo / step) * step; v <= hi * (1 + 1e-12) && n < max; v += step)
          ticks[n++] = log10 (v);
      }
      return n;
    }
  step = nice_step (y1 - y0, 5);
  for (double v = ceil (y0 / step) * step; v <= y1 + 1e-12 && n < max; v += step)
    ticks[n++] = fabs (v) < step * 1e-6 ? 0.0 : v;
  return n;
}

static void
draw_axes (cairo_t *cr, const TsPlotStyle *style, const TsPlotAxes *axes, double px, double py, double pw,
           double ph, double x0, double x1, double y0, double y1, double width, double height)
{
  double step, ticks[64];
  guint n_ticks = ts_plot_y_ticks (y0, y1, axes->log_y, ticks, G_N_ELEMENTS (ticks));
  char buf[32];

  cairo_set_line_width (cr, 1);
  for (guint t = 0; t < n_ticks; t++)
    {
      double cy = round (py + ph - (ticks[t] - y0) / (y1 - y0) * ph) + 0.5;
      ts_plot_set_rgb (cr, style->grid);
      cairo_move_to (cr, px, cy), cairo_line_to (cr, px + pw, cy), cairo_stroke (cr);
      g_snprintf (buf, sizeof buf, axes->log_y ? "%.4g" : "%.3g", axes->log_y ? pow (10, ticks[t]) : ticks[t]);
      ts_plot_set_rgb (cr, style->foreground);
      ts_plot_text (cr, buf, px - 6, cy, 11, 1.0, 0.5);
    }
  step = ts_plot_x_step (x0, x1, axes->whole_x);
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

/* name, cut in the middle to max characters: the start and the end are
 * where runs' names usually differ */
static char *
shorten (const char *name, guint max)
{
  glong len = g_utf8_strlen (name, -1);
  g_autofree char *head = NULL, *tail = NULL;

  if (len <= (glong) max)
    return g_strdup (name);
  head = g_utf8_substring (name, 0, (max - 1) / 2);
  tail = g_utf8_substring (name, len - (max - 1 - (max - 1) / 2), len);
  return g_strconcat (head, "…", tail, NULL);
}

typedef struct {
  char  **labels;  /* per series (NULL: not in the legend) */
  char   *common;  /* the words every run's name shares, when abbreviated */
  double  size;
  gboolean boxed;  /* in rows inside the plot, not one line above it */
} Legend;

static double
entry_width (cairo_t *cr, const char *label, double size)
{
  return ts_plot_text_width (cr, label, size) + 26;
}

static double
line_width (cairo_t *cr, const Legend *lg, guint n)
{
  double total = 0;
  for (guint s = 0; s < n; s++)
    if (lg->labels[s])
      total += entry_width (cr, lg->labels[s], lg->size);
  return total;
}

/* Full names on one line when they fit; else names cut to what differs
 * between the runs (ts_plot_distinct_labels), on one line or in rows. */
static void
legend_layout (cairo_t *cr, const TsPlotSeries *series, guint n, double pw, Legend *lg)
{
  g_autofree const char **names = g_new0 (const char *, n + 1);
  g_autofree guint *which = g_new0 (guint, n + 1);
  g_auto(GStrv) short_names = NULL;
  guint runs = 0;

  lg->labels = g_new0 (char *, n + 1);
  for (guint s = 0; s < n; s++)
    if (series[s].name)
      {
        lg->labels[s] = g_strdup (series[s].name);
        if (!series[s].neutral)
          which[runs] = s, names[runs++] = series[s].name;
      }
  for (lg->size = 11; lg->size >= 9.5; lg->size -= 1.5)
    if (line_width (cr, lg, n) <= pw * 0.8)
      return;
  short_names = ts_plot_distinct_labels (names, runs, &lg->common);
  for (guint r = 0; r < runs; r++)
    {
      g_free (lg->labels[which[r]]);
      lg->labels[which[r]] = shorten (short_names[r], 48);
    }
  for (lg->size = 11; lg->size >= 9.5; lg->size -= 1.5)
    if (line_width (cr, lg, n) + (*lg->common ? ts_plot_text_width (cr, lg->common, lg->size) + 12 : 0) <= pw * 0.8)
      return;
  lg->size = 9.5;
  lg->boxed = TRUE;
}

char **
_ts_plot_legend_labels (cairo_t *cr, const TsPlotSeries *series, guint n, double width, gboolean *boxed)
{
  Legend lg = { 0 };
  double px, py, pw, ph;
  char **labels = g_new0 (char *, n + 1);

  ts_plot_curves_area (width, 300, &px, &py, &pw, &ph);
  legend_layout (cr, series, n, pw, &lg);
  for (guint s = 0, k = 0; s < n; s++)
    if (lg.labels[s])
      labels[k++] = g_steal_pointer (&lg.labels[s]);
  *boxed = lg.boxed;
  g_free (lg.labels);
  g_free (lg.common);
  return labels;
}

static void
legend_clear (Legend *lg, guint n)
{
  for (guint s = 0; s < n; s++)
    g_free (lg->labels[s]);
  g_free (lg->labels);
  g_free (lg->common);
}

static void
draw_entry (cairo_t *cr, const TsPlotStyle *style, const TsPlotSeries *se, const char *label, double x, double y,
            double size)
{
  double rgb[3];

  ts_plot_palette (se->colour, rgb);
  if (se->neutral)
    memcpy (rgb, style->foreground, sizeof rgb);
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_set_line_width (cr, 2.5);
  if (se->dashed)
    cairo_set_dash (cr, (double[]) { 4, 3 }, 2, 0);
  cairo_move_to (cr, x, y), cairo_line_to (cr, x + 16, y), cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  ts_plot_set_rgb (cr, style->foreground);
  ts_plot_text (cr, label, x + 20, y, size, 0, 0.5);
}

/* where each entry goes when the legend takes rows: at_x from the rows'
 * left edge, at_row from the top; the common words take the first row.
 * Returns the number of rows, and the widest row in *widest. */
static guint
legend_rows (cairo_t *cr, const Legend *lg, guint n, double room, double *at_x, guint *at_row, double *widest)
{
  guint rows = 1;
  double x = 0;

  *widest = 0;
  if (lg->common && *lg->common)
    *widest = ts_plot_text_width (cr, lg->common, lg->size), rows = 2;
  for (guint s = 0; s < n; s++)
    {
      double w;
      if (lg->labels[s] == NULL)
        continue;
      w = entry_width (cr, lg->labels[s], lg->size);
      if (x > 0 && x + w > room)
        rows++, x = 0;
      at_x[s] = x, at_row[s] = rows - 1;
      x += w;
      *widest = MAX (*widest, x);
    }
  return rows;
}

#define LEGEND_ROW 15

/* How much lower the plot starts for a legend in rows (0: one line). */
static double
legend_extra_height (cairo_t *cr, const Legend *lg, guint n, double pw)
{
  g_autofree double *at_x = g_new0 (double, n + 1);
  g_autofree guint *at_row = g_new0 (guint, n + 1);
  double widest;

  if (!lg->boxed)
    return 0;
  return (legend_rows (cr, lg, n, MAX (pw * 0.8, 120), at_x, at_row, &widest) - 1) * LEGEND_ROW;
}

/* rows above the plot, right-aligned as a block, below the caption's line */
static void
draw_legend_rows (cairo_t *cr, const TsPlotStyle *style, const TsPlotSeries *series, guint n, const Legend *lg,
                  double px, double py, double pw)
{
  g_autofree double *at_x = g_new0 (double, n + 1);
  g_autofree guint *at_row = g_new0 (guint, n + 1);
  double widest;
  guint rows = legend_rows (cr, lg, n, MAX (pw * 0.8, 120), at_x, at_row, &widest);
  double left = px + pw - 8 - widest, top = py - 11 - (rows - 1) * LEGEND_ROW;

  if (lg->common && *lg->common)
    {
      g_autofree char *text = g_strconcat (lg->common, ":", NULL);
      cairo_set_source_rgba (cr, style->foreground[0], style->foreground[1], style->foreground[2], 0.7);
      ts_plot_text (cr, text, left, top, lg->size, 0, 0.5);
    }
  for (guint s = 0; s < n; s++)
    if (lg->labels[s])
      draw_entry (cr, style, &series[s], lg->labels[s], left + at_x[s], top + at_row[s] * LEGEND_ROW, lg->size);
}

/* one line above the plot, right-aligned; names cut to what differs, or
 * rows (the plot starts lower), when crowded */
static void
draw_legend (cairo_t *cr, const TsPlotStyle *style, const TsPlotSeries *series, guint n, const Legend *lg,
             double px, double py, double pw)
{
  double x = px + pw - 8;

  if (lg->boxed)
    {
      draw_legend_rows (cr, style, series, n, lg, px, py, pw);
      return;
    }
  for (guint s = n; s-- > 0;)
    if (lg->labels[s])
      {
        x -= entry_width (cr, lg->labels[s], lg->size);
        draw_entry (cr, style, &series[s], lg->labels[s], x, py - 11, lg->size);
      }
  if (lg->common && *lg->common)
    {
      g_autofree char *text = g_strconcat (lg->common, ":", NULL);
      cairo_set_source_rgba (cr, style->foreground[0], style->foreground[1], style->foreground[2], 0.7);
      ts_plot_text (cr, text, x - 6, py - 11, lg->size, 1, 0.5);
    }
}

/* where a diverged curve leaves the plot (or ends in NaN): a cross and
 * "diverged" in its colour */
static void
mark_divergence (cairo_t *cr, const TsPlotSeries *se, const TsPlotAxes *axes, double px, double py, double pw,
                 double ph, double x0, double x1, double y0, double y1)
{
  double cx = NAN, cy = NAN, rgb[3];

  for (gsize i = 0; i < se->n; i++)
    {
      double v = value (se->y[i], axes->log_y);
      if (!isfinite (se->x[i]))
        continue;
      if (isfinite (v) && v <= y1)
        {
          cx = px + (se->x[i] - x0) / (x1 - x0) * pw;
          cy = py + ph - (v - y0) / (y1 - y0) * ph;
          continue;
        }
      cx = px + (se->x[i] - x0) / (x1 - x0) * pw;
      cy = isfinite (v) ? py : (isnan (cy) ? py : cy);
      break;
    }
  if (isnan (cx) || cx < px || cx > px + pw)
    return;
  cy = CLAMP (cy, py + 6, py + ph - 6);
  ts_plot_palette (se->colour, rgb);
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_set_line_width (cr, 2);
  cairo_move_to (cr, cx - 4, cy - 4), cairo_line_to (cr, cx + 4, cy + 4);
  cairo_move_to (cr, cx - 4, cy + 4), cairo_line_to (cr, cx + 4, cy - 4);
  cairo_stroke (cr);
  ts_plot_text (cr, "diverged", cx > px + pw - 70 ? cx - 8 : cx + 8, cy + 10, 10, cx > px + pw - 70 ? 1 : 0, 0.5);
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
  double px, py, pw, ph, x0, x1, y0, y1, extra;
  Legend lg = { 0 };

  cairo_save (cr);
  ts_plot_set_rgb (cr, style->background);
  cairo_paint (cr);
  ts_plot_curves_area (width, height, &px, &py, &pw, &ph);
  /* a legend in rows moves the plot's top down, never its x axis (which
   * hit-testing maps from ts_plot_curves_area) */
  legend_layout (cr, series, n_series, pw, &lg);
  extra = MIN (legend_extra_height (cr, &lg, n_series, pw), ph / 3);
  py += extra, ph -= extra;
  ts_plot_curves_ranges (series, n_series, axes, &x0, &x1, &y0, &y1);
  draw_axes (cr, style, axes, px, py, pw, ph, x0, x1, y0, y1, width, height);
  cairo_save (cr);
  cairo_rectangle (cr, px, py, pw, ph);
  cairo_clip (cr);
  ts_plot_curve_quality (cr, style);
  if (axes->band_hi > axes->band_lo)
    draw_band (cr, axes, px, py, pw, ph, y0, y1);
  _ts_plot_draw_spreads (cr, series, n_series, axes, px, py, pw, ph, x0, x1, y0, y1);
  for (guint s = 0; s < n_series; s++)
    {
      const TsPlotSeries *se = &series[s];
      double rgb[3];
      ts_plot_palette (se->colour, rgb);
      if (se->dashed)
        cairo_set_dash (cr, (double[]) { 5, 3 }, 2, 0);
      if (se->smoothed && se->n > 1 && axes->smoothing > 0)
        {
          g_autofree double *smooth = g_new (double, se->n);
          cairo_set_source_rgba (cr, rgb[0], rgb[1], rgb[2], 0.25);
          cairo_set_line_width (cr, 1);
          stroke_decimated (cr, se->x, se->y, se->n, axes->log_y, px, pw, py, ph, x0, x1, y0, y1);
          ts_plot_smooth (se->y, se->n, MIN (axes->smoothing, 0.999), smooth);
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
  for (guint s = 0; s < n_series; s++)
    if (series[s].diverged)
      mark_divergence (cr, &series[s], axes, px, py, pw, ph, x0, x1, y0, y1);
  cairo_restore (cr);
  draw_legend (cr, style, series, n_series, &lg, px, py, pw);
  legend_clear (&lg, n_series);
  if (caption)
    {
      ts_plot_set_rgb (cr, style->foreground);
      ts_plot_text (cr, caption, px, 13, 12, 0, 0.5);
    }
  cairo_restore (cr);
}
