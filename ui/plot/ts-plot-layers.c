#include "ts-plot-layers.h"
#include "ts-plot-conv.h"
#include "ts-plot-image.h"
#include "ts-plot-private.h"

#include <math.h>

static const TsStatsRecord *
record (const TsRunStats *run, gsize i)
{
  return ts_metric_log_get (run->stats, i);
}

static char *
layer_name (guint layer, guint n_layers)
{
  return layer + 1 == n_layers ? g_strdup ("output") : g_strdup_printf ("layer %u", layer + 1);
}

/* ---- histograms over time ------------------------------------------------- */

/* which measurements to draw: all when few, else TS_HIST_MAX_RIDGES evenly, the last included */
static guint
pick_records (gsize n, gsize *picked)
{
  guint k = (guint) MIN (n, TS_HIST_MAX_RIDGES);
  for (guint r = 0; r < k; r++)
    picked[r] = k == 1 ? n - 1 : (gsize) llround ((double) r * (n - 1) / (k - 1));
  return k;
}

static gboolean
has_layer (const TsRunStats *run, guint layer)
{
  return run->n > 0 && layer < record (run, run->n - 1)->n_layers;
}

static void
value_range (const TsRunStats *runs, guint n_runs, guint layer, TsHistKind kind, double *lo, double *hi)
{
  *lo = G_MAXDOUBLE, *hi = -G_MAXDOUBLE;
  for (guint r = 0; r < n_runs; r++)
    if (has_layer (&runs[r], layer))
      for (gsize i = 0; i < runs[r].n; i++)
        {
          const TsHistogram *h = &record (&runs[r], i)->layers[layer].hist[kind];
          *lo = MIN (*lo, h->edges[0]), *hi = MAX (*hi, h->edges[TS_HISTOGRAM_BINS]);
        }
  if (*lo > *hi)
    *lo = -1, *hi = 1;
}

/* the histogram's outline as exact steps, bin edge to bin edge, its peak
 * `tall` pixels above baseline y */
static void
ridge_path (cairo_t *cr, const TsHistogram *h, double px, double pw, double lo, double hi, double y, double tall)
{
  guint peak = 1;

  for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
    peak = MAX (peak, h->counts[b]);
  cairo_move_to (cr, px + (h->edges[0] - lo) / (hi - lo) * pw, y);
  for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
    {
      double top = y - tall * h->counts[b] / peak;
      cairo_line_to (cr, px + (h->edges[b] - lo) / (hi - lo) * pw, top);
      cairo_line_to (cr, px + (h->edges[b + 1] - lo) / (hi - lo) * pw, top);
    }
  cairo_line_to (cr, px + (h->edges[TS_HISTOGRAM_BINS] - lo) / (hi - lo) * pw, y);
}

static void
draw_value_axis (cairo_t *cr, const TsPlotStyle *style, double px, double pw, double y, double lo, double hi,
                 const char *label, double height)
{
  double raw = (hi - lo) / 6, mag = pow (10, floor (log10 (raw))), f = raw / mag;
  double step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
  char buf[32];

  ts_plot_set_rgb (cr, style->foreground);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, px, y + 0.5), cairo_line_to (cr, px + pw, y + 0.5), cairo_stroke (cr);
  for (double v = ceil (lo / step) * step; v <= hi + 1e-12 * fabs (hi); v += step)
    {
      double cx = round (px + (v - lo) / (hi - lo) * pw) + 0.5;
      cairo_move_to (cr, cx, y), cairo_line_to (cr, cx, y + 4), cairo_stroke (cr);
      g_snprintf (buf, sizeof buf, "%.3g", fabs (v) < step * 1e-6 ? 0.0 : v);
      ts_plot_text (cr, buf, cx, y + 13, 11, 0.5, 0.5);
    }
  ts_plot_text (cr, label, px + pw / 2, height - 10, 12, 0.5, 0.5);
}

void
ts_plot_layer_histograms (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                          const TsRunStats *runs, guint n_runs, guint layer, TsHistKind kind, TsHistMode mode,
                          const char *caption)
{
  double px = 24, pw = width - px - 86, top = 40, bottom = height - 44, lo, hi;
  gsize slots = 0;
  char title[128];

  cairo_save (cr);
  ts_plot_set_rgb (cr, style->background);
  cairo_paint (cr);
  value_range (runs, n_runs, layer, kind, &lo, &hi);
  for (guint r = 0; r < n_runs; r++)
    if (has_layer (&runs[r], layer))
      slots = MAX (slots, MIN (runs[r].n, TS_HIST_MAX_RIDGES));
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (gsize slot = 0; slot < slots; slot++)
    for (guint r = n_runs; r-- > 0;) /* the first run in front */
      {
        gsize picked[TS_HIST_MAX_RIDGES];
        guint k;
        const TsStatsRecord *rec;
        double rgb[3], age, base, tall;
        if (!has_layer (&runs[r], layer))
          continue;
        k = pick_records (runs[r].n, picked);
        if (slot >= k)
          continue;
        rec = record (&runs[r], picked[slot]);
        age = k > 1 ? (double) slot / (k - 1) : 1; /* 0 oldest … 1 newest */
        ts_plot_palette (runs[r].colour, rgb);
        if (mode == TS_HIST_OFFSET)
          {
            double spacing = k > 1 ? (bottom - top) * 0.7 / (k - 1) : 0;
            base = bottom - (k - 1 - slot) * spacing, tall = (bottom - top) * 0.3;
          }
        else
          base = bottom, tall = bottom - top;
        ridge_path (cr, &rec->layers[layer].hist[kind], px, pw, lo, hi, base, tall);
        if (mode == TS_HIST_OFFSET) /* ridges in front hide those behind */
          {
            cairo_close_path (cr);
            cairo_set_source_rgba (cr, style->background[0], style->background[1], style->background[2], 1);
            cairo_fill_preserve (cr);
            cairo_set_source_rgba (cr, rgb[0], rgb[1], rgb[2], 0.12 + 0.2 * age);
            cairo_fill_preserve (cr);
          }
        cairo_set_source_rgba (cr, rgb[0], rgb[1], rgb[2], mode == TS_HIST_OFFSET ? 0.45 + 0.55 * age
                                                                                      : 0.08 + 0.92 * pow (age, 2));
        cairo_set_line_width (cr, slot + 1 == k ? 1.8 : 1);
        cairo_stroke (cr);
        if (mode == TS_HIST_OFFSET && r == 0 && (slot % MAX (k / 6, 1) == 0 || slot + 1 == k))
          {
            char label[32];
            g_snprintf (label, sizeof label, "step %" G_GUINT64_FORMAT, rec->step);
            ts_plot_set_rgb (cr, style->foreground);
            ts_plot_text (cr, label, px + pw + 6, base, 10, 0, 0.5);
          }
      }
  {
    g_autofree char *name = NULL;
    guint n_layers = n_runs && runs[0].n ? record (&runs[0], runs[0].n - 1)->n_layers : 0; /* as the first run counts */
    name = layer_name (layer, n_layers);
    draw_value_axis (cr, style, px, pw, bottom, lo, hi, ts_hist_kind_name (kind), height);
    g_snprintf (title, sizeof title, "%s · %s over time%s", name, ts_hist_kind_name (kind),
                mode == TS_HIST_OVERLAY ? " (overlaid, newest strongest)" : "");
    ts_plot_set_rgb (cr, style->foreground);
    ts_plot_text (cr, caption ? caption : title, px, 14, 12, 0, 0.5);
    if (slots == 0)
      ts_plot_text (cr, "No measurements yet: they come as it trains", width / 2, height / 2, 12, 0.5, 0.5);
  }
  for (guint r = 0, x = 0; r < n_runs && n_runs > 1; r++) /* which colour is which run */
    {
      double rgb[3];
      ts_plot_palette (runs[r].colour, rgb);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_rectangle (cr, width - 12 - x - 10, 8, 10, 10);
      cairo_fill (cr);
      x += 16;
    }
  cairo_restore (cr);
}

char *
ts_plot_layer_histograms_csv (const TsRunStats *runs, guint n_runs, guint layer, TsHistKind kind)
{
  GString *csv = g_string_new ("run,step,layer,kind,bin_lo,bin_hi,count\n");

  for (guint r = 0; r < n_runs; r++)
    if (has_layer (&runs[r], layer))
      for (gsize i = 0; i < runs[r].n; i++)
        {
          const TsStatsRecord *rec = record (&runs[r], i);
          const TsHistogram *h = &rec->layers[layer].hist[kind];
          for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
            g_string_append_printf (csv, "%s,%" G_GUINT64_FORMAT ",%u,%s,%.9g,%.9g,%u\n", runs[r].name, rec->step,
                                    layer + 1, ts_hist_kind_name (kind), h->edges[b], h->edges[b + 1], h->counts[b]);
        }
  return g_string_free (csv, FALSE);
}

/* ---- per-layer curves ------------------------------------------------------- */

const char *
ts_layer_metric_name (TsLayerMetric metric)
{
  static const char *names[] = { "update-ratio", "grad-norm", "dead-saturated" };
  return metric < TS_LAYER_N_METRICS ? names[metric] : "?";
}

static double
metric_value (const TsLayerStats *s, TsLayerMetric metric)
{
  switch (metric)
    {
    case TS_LAYER_UPDATE_RATIO:
      return s->update_ratio;
    case TS_LAYER_GRAD_NORM:
      return s->grad_norm;
    default:
      return s->dead_fraction + s->saturated_fraction; /* one of them is 0 for any activation */
    }
}

typedef struct {
  GPtrArray    *names;
  GArray       *series; /* TsPlotSeries */
  GPtrArray    *columns; /* double arrays the series point into */
} MetricSeries;

/* A pool or global average pool layer has no weights: its weights'
 * histogram counts nothing and their RMS is 0 (any other layer's counts its
 * finite weights), and it has no update ratio, gradient or activation of
 * its own to draw. */
static gboolean
has_weights (const TsStatsRecord *rec, guint layer)
{
  const TsHistogram *h = &rec->layers[layer].hist[TS_HIST_WEIGHTS];

  for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
    if (h->counts[b])
      return TRUE;
  return rec->layers[layer].weight_rms != 0; /* NaN: a diverged layer's weights, not counted */
}

static void
metric_series (const TsRunStats *runs, guint n_runs, TsLayerMetric metric, MetricSeries *out)
{
  out->names = g_ptr_array_new_with_free_func (g_free);
  out->series = g_array_new (FALSE, TRUE, sizeof (TsPlotSeries));
  out->columns = g_ptr_array_new_with_free_func (g_free);
  for (guint r = 0; r < n_runs; r++)
    {
      guint n_layers = runs[r].n ? record (&runs[r], runs[r].n - 1)->n_layers : 0;
      /* the output layer has no dead or saturated units to speak of */
      guint shown = metric == TS_LAYER_UNHEALTHY && n_layers > 1 ? n_layers - 1 : n_layers;
      for (guint l = 0; l < shown; l++)
        {
          double *x, *y;
          if (!has_weights (record (&runs[r], runs[r].n - 1), l))
            continue;
          x = g_new (double, runs[r].n), y = g_new (double, runs[r].n);
          g_autofree char *layer = layer_name (l, n_layers);
          char *name = n_runs > 1 ? g_strdup_printf ("%s · %s", runs[r].name, layer) : g_strdup (layer);
          TsPlotSeries s = { name, n_runs > 1 ? runs[r].colour : l, x, y, runs[r].n, FALSE, n_runs > 1 && l % 2 };
          for (gsize i = 0; i < runs[r].n; i++)
            {
              const TsStatsRecord *rec = record (&runs[r], i);
              x[i] = (double) rec->step;
              y[i] = metric_value (&rec->layers[l], metric);
            }
          g_ptr_array_add (out->names, name);
          g_ptr_array_add (out->columns, x);
          g_ptr_array_add (out->columns, y);
          g_array_append_val (out->series, s);
        }
    }
}

static void
metric_series_clear (MetricSeries *m)
{
  g_ptr_array_unref (m->names);
  g_array_unref (m->series);
  g_ptr_array_unref (m->columns);
}

void
ts_plot_layer_metric (cairo_t *cr, double width, double height, const TsPlotStyle *style, const TsRunStats *runs,
                      guint n_runs, TsLayerMetric metric, const char *caption)
{
  static const char *titles[] = { "Update / weight ratio per layer", "Gradient norm per layer",
                                   "Dead or saturated units per layer" };
  static const char *y_labels[] = { "‖ΔW‖ / ‖W‖", "‖∂L/∂W‖", "share of units" };
  MetricSeries m;
  TsPlotAxes axes = { "step", y_labels[metric], metric != TS_LAYER_UNHEALTHY };

  if (metric == TS_LAYER_UPDATE_RATIO)
    axes.band_lo = 3e-4, axes.band_hi = 3e-3, axes.band_label = "healthy ≈ 1e-3";
  if (metric == TS_LAYER_UNHEALTHY)
    axes.y_min = 0, axes.y_max = 1;
  metric_series (runs, n_runs, metric, &m);
  ts_plot_curves (cr, width, height, style, (TsPlotSeries *) m.series->data, m.series->len, &axes,
                  caption ? caption : titles[metric]);
  metric_series_clear (&m);
}

char *
ts_plot_layer_metric_csv (const TsRunStats *runs, guint n_runs, TsLayerMetric metric)
{
  GString *csv = g_string_new ("series,step,");
  MetricSeries m;

  g_string_append_printf (csv, "%s\n", ts_layer_metric_name (metric));
  metric_series (runs, n_runs, metric, &m);
  for (guint s = 0; s < m.series->len; s++)
    {
      const TsPlotSeries *se = &g_array_index (m.series, TsPlotSeries, s);
      for (gsize i = 0; i < se->n; i++)
        g_string_append_printf (csv, "%s,%.0f,%.9g\n", se->name, se->x[i], se->y[i]);
    }
  metric_series_clear (&m);
  return g_string_free (csv, FALSE);
}

/* ---- first-layer weights ---------------------------------------------------- */

#define MAX_FILTERS 100

void
ts_plot_filters (cairo_t *cr, double width, double height, const TsPlotStyle *style, const TsNet *net, guint C,
                 guint H, guint W, const char *caption)
{
  TsShape shape; /* [out, in], or a conv layer's [out, in, kh, kw] */
  const float *w = ts_net_layer_weights (net, 0, &shape);
  guint units = (guint) shape.dims[0], in = shape.ndim == 2 ? (guint) shape.dims[1] : 0;
  guint n = MIN (units, MAX_FILTERS), cols = 1;
  double top = 28, gap = 2, tile;
  char title[160];

  if (shape.ndim == 4)
    {
      ts_plot_conv_filters (cr, width, height, style, w, units, (guint) shape.dims[1], (guint) shape.dims[2],
                            (guint) shape.dims[3], caption);
      return;
    }
  cairo_save (cr);
  ts_plot_set_rgb (cr, style->background);
  cairo_paint (cr);
  if (in == (gsize) C * H * W && C > 0)
    {
      /* as many columns as make the tiles largest */
      double best = 0;
      for (guint c = 1; c <= n; c++)
        {
          guint r = (n + c - 1) / c;
          double t = MIN ((width - gap * (c + 1)) / c, (height - top - gap * (r + 1)) / r);
          if (t > best)
            best = t, cols = c;
        }
      tile = best;
      for (guint u = 0; u < n; u++)
        ts_plot_image (cr, w + (gsize) u * in, C, H, W, TS_PIXELS_SIGNED,
                       gap + (u % cols) * (tile + gap), top + gap + (u / cols) * (tile + gap), tile, tile);
      g_snprintf (title, sizeof title, "First-layer weights · %u of %u units · each to its own range", n, units);
    }
  else
    g_snprintf (title, sizeof title, "The first layer reads %u values, not a %u×%u×%u image", in, C, H, W);
  ts_plot_set_rgb (cr, style->foreground);
  ts_plot_text (cr, caption ? caption : title, gap, 13, 12, 0, 0.5);
  cairo_restore (cr);
}

char *
ts_plot_filters_csv (const TsNet *net, guint max_units)
{
  TsShape shape; /* [out, in], or a conv layer's [out, in, kh, kw] */
  const float *w = ts_net_layer_weights (net, 0, &shape);
  guint units = (guint) shape.dims[0], in = shape.ndim == 2 ? (guint) shape.dims[1] : 1;
  GString *csv;

  if (shape.ndim == 4)
    return ts_plot_conv_filters_csv (w, units, (guint) shape.dims[1], (guint) shape.dims[2], (guint) shape.dims[3],
                                     max_units);
  csv = g_string_new ("unit,input,weight\n");

  for (guint u = 0; u < MIN (units, max_units); u++)
    for (guint i = 0; i < in; i++)
      g_string_append_printf (csv, "%u,%u,%.9g\n", u, i, w[(gsize) u * in + i]);
  return g_string_free (csv, FALSE);
}

/* ---- a batch-norm layer's parameters ---------------------------------------- */

static const char *const bn_names[TS_BN_N_SERIES] = { "γ (scale)", "β (shift)", "running mean", "running variance" };

/* the four per-unit (per-channel) vectors of batchnorm layer l; FALSE for another kind */
static gboolean
bn_series (const TsNet *net, guint layer, const float *out[TS_BN_N_SERIES], guint *units)
{
  if (layer >= ts_net_n_layers (net) || ts_net_layer_kind (net, layer) != TS_LAYER_BATCHNORM)
    return FALSE;
  out[0] = ts_net_layer_weights (net, layer, NULL);
  out[1] = ts_net_layer_bias (net, layer);
  *units = ts_net_layer_channels (net, layer); /* per channel after a conv */
  return ts_net_layer_running_stats (net, layer, &out[2], &out[3]);
}

void
ts_plot_batchnorm (cairo_t *cr, double width, double height, const TsPlotStyle *style, const TsNet *net, guint layer,
                   const char *caption)
{
  const float *v[TS_BN_N_SERIES];
  guint units, cols;
  g_autofree double *x = NULL, *y = NULL;
  double pw, ph;

  if (!bn_series (net, layer, v, &units))
    {
      ts_plot_message (cr, width, height, style, "Batch norm", "This layer is not a batch norm");
      return;
    }
  /* a wide figure puts the four panels in a row, a squarer one two by two */
  cols = width > 2.5 * height ? TS_BN_N_SERIES : 2;
  pw = width / cols, ph = height / (TS_BN_N_SERIES / cols);
  x = g_new (double, units), y = g_new (double, units);
  for (guint u = 0; u < units; u++)
    x[u] = u;
  for (guint k = 0; k < TS_BN_N_SERIES; k++)
    {
      g_autofree char *title = k == 0 && caption ? g_strdup_printf ("%s · %s", caption, bn_names[k])
                                                 : g_strdup (bn_names[k]);
      TsPlotSeries series = { NULL, k, x, y, units };
      /* a level with a little noise (γ near 1 early on) is not blown up to fill the panel */
      TsPlotAxes axes = { "unit", NULL, .min_span = 0.02 };

      for (guint u = 0; u < units; u++)
        y[u] = v[k][u];
      cairo_save (cr);
      cairo_translate (cr, (k % cols) * pw, (k / cols) * ph);
      cairo_rectangle (cr, 0, 0, pw, ph);
      cairo_clip (cr);
      ts_plot_curves (cr, pw, ph, style, &series, 1, &axes, title);
      cairo_restore (cr);
    }
}

char *
ts_plot_batchnorm_csv (const TsNet *net, guint layer)
{
  const float *v[TS_BN_N_SERIES];
  guint units;
  GString *csv;

  if (!bn_series (net, layer, v, &units))
    return NULL;
  csv = g_string_new ("unit,gamma,beta,running_mean,running_var\n");
  for (guint u = 0; u < units; u++)
    g_string_append_printf (csv, "%u,%.9g,%.9g,%.9g,%.9g\n", u, v[0][u], v[1][u], v[2][u], v[3][u]);
  return g_string_free (csv, FALSE);
}

/* ---- decision boundary ------------------------------------------------------ */

void
ts_plot_decision (cairo_t *cr, double width, double height, const TsPlotStyle *style, const TsDecisionGrid *grid,
                  const TsDataset *ds, const char *caption)
{
  _ts_plot_scatter_over (cr, width, height, style, ds, grid, caption);
}

char *
ts_plot_decision_csv (const TsDecisionGrid *grid)
{
  GString *csv = g_string_new ("x,y,class,confidence\n");

  for (guint j = 0; j < grid->ny; j++)
    for (guint i = 0; i < grid->nx; i++)
      {
        gsize at = (gsize) j * grid->nx + i;
        g_string_append_printf (csv, "%.6g,%.6g,%u,%.6g\n", grid->x0 + (i + 0.5) * (grid->x1 - grid->x0) / grid->nx,
                                grid->y0 + (j + 0.5) * (grid->y1 - grid->y0) / grid->ny, grid->classes[at],
                                grid->confidence[at]);
      }
  return g_string_free (csv, FALSE);
}
