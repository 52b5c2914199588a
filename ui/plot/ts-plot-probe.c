#include "ts-plot-probe.h"
#include "ts-plot-private.h"

#include <math.h>

const char *
ts_probe_depth_name (TsProbeDepthKind kind)
{
  static const char *names[] = { "activation-mean", "activation-std", "gradient-std" };
  return kind < TS_PROBE_N_DEPTH_PLOTS ? names[kind] : "?";
}

static double
depth_value (const TsProbeLayer *p, TsProbeDepthKind kind)
{
  return kind == TS_PROBE_ACT_MEAN ? p->act_mean : kind == TS_PROBE_ACT_STD ? p->act_std : p->grad_std;
}

void
ts_plot_probe_depth (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                     TsProbeCell *const *cells, guint n_cells, TsProbeDepthKind kind)
{
  static const char *y_labels[] = { "mean of the activations", "std of the activations", "std of the gradient" };
  static const char *titles[] = { "Forward: activation mean by depth", "Forward: activation spread by depth",
                                  "Backward: gradient spread by depth" };
  guint depth = 1; /* the deepest cell's layers: every series' stride */
  g_autofree TsPlotSeries *series = g_new0 (TsPlotSeries, MAX (n_cells, 1));
  g_autofree double *xs = NULL, *ys = NULL;
  char **names = g_new0 (char *, n_cells + 1);
  TsPlotAxes axes = { "layer", y_labels[kind], kind != TS_PROBE_ACT_MEAN, .whole_x = TRUE };

  for (guint c = 0; c < n_cells; c++)
    depth = MAX (depth, cells[c]->n_layers);
  xs = g_new (double, depth);
  ys = g_new (double, (gsize) MAX (n_cells, 1) * depth);
  for (guint l = 0; l < depth; l++)
    xs[l] = l + 1;
  for (guint c = 0; c < n_cells; c++)
    {
      const TsProbeCell *cell = cells[c];
      for (guint l = 0; l < cell->n_layers; l++)
        ys[(gsize) c * depth + l] = depth_value (&cell->layers[l], kind);
      names[c] = g_strdup_printf ("%s · %s%s", ts_init_name (cell->init), ts_activation_name (cell->activation),
                                  cell->batchnorm ? " · BN" : "");
      series[c] = (TsPlotSeries) { names[c], c, xs, ys + (gsize) c * depth, cell->n_layers, FALSE, c % 2 == 1 };
    }
  ts_plot_curves (cr, width, height, style, series, n_cells, &axes, titles[kind]);
  g_strfreev (names);
}

/* a stack's layer under its bar: "conv", "pool", "gap", "bn", "dense" */
static const char *
kind_label (TsLayerKind kind)
{
  switch (kind)
    {
    case TS_LAYER_CONV: return "conv";
    case TS_LAYER_POOL: return "pool";
    case TS_LAYER_GLOBAL_AVG_POOL: return "gap";
    case TS_LAYER_BATCHNORM: return "bn";
    default: return "dense";
    }
}

static gboolean
is_stack (const TsProbeCell *cell)
{
  for (guint l = 0; l < cell->n_layers; l++)
    if (cell->layers[l].kind != TS_LAYER_DENSE)
      return TRUE;
  return FALSE;
}

void
ts_plot_probe_cell (cairo_t *cr, double width, double height, const TsPlotStyle *style, const TsProbeCell *cell,
                    gboolean weights)
{
  /* a deep net's layers side by side: the gaps shrink before the bars do,
   * and only every few layers is numbered */
  double top = 22, bottom = 16, gap = MIN (3, width * 0.25 / (cell->n_layers + 1));
  double w = (width - gap * (cell->n_layers + 1)) / MAX (cell->n_layers, 1), h = height - top - bottom;
  guint label_every = MAX (1, (guint) ceil (16 / MAX (w + gap, 1e-3)));
  /* a stack's layers by kind when there is room for the word */
  gboolean kinds = is_stack (cell) && w + gap >= 30;
  const TsProbeLayer *last = &cell->layers[cell->n_layers - 1];
  char title[96], badge[64];
  double rgb[3];

  cairo_save (cr);
  ts_plot_set_rgb (cr, style->background);
  cairo_paint (cr);
  ts_plot_set_rgb (cr, style->foreground);
  g_snprintf (title, sizeof title, "%s · %s%s%s", ts_init_name (cell->init), ts_activation_name (cell->activation),
              cell->batchnorm ? " · batch norm" : "", weights ? " · weights" : "");
  ts_plot_text (cr, title, gap, 10, 11, 0, 0.5);
  g_snprintf (badge, sizeof badge, "dead %.0f%% · saturated %.0f%%", 100 * last->dead_fraction,
              100 * last->saturated_fraction);
  ts_plot_text (cr, badge, width - gap, 10, 10, 1, 0.5);
  ts_plot_palette (cell->init, rgb);
  for (guint l = 0; l < cell->n_layers; l++)
    {
      const TsHistogram *hist = weights ? &cell->layers[l].weight_hist : &cell->layers[l].act_hist;
      double x0 = gap + l * (w + gap);
      guint peak = 1;
      for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
        peak = MAX (peak, hist->counts[b]);
      ts_plot_set_rgb (cr, style->grid);
      cairo_rectangle (cr, x0, top, w, h);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
        {
          double bh = h * hist->counts[b] / peak;
          cairo_rectangle (cr, x0 + w * b / TS_HISTOGRAM_BINS, top + h - bh, w / TS_HISTOGRAM_BINS, bh);
        }
      cairo_fill (cr);
      ts_plot_set_rgb (cr, style->foreground);
      if (kinds || l == 0 || (l + 1) % label_every == 0)
        {
          char label[16];
          if (kinds)
            g_snprintf (label, sizeof label, "%u %s", l + 1, kind_label (cell->layers[l].kind));
          else
            g_snprintf (label, sizeof label, "%u", l + 1);
          ts_plot_text (cr, label, x0 + w / 2, height - 7, 9, 0.5, 0.5);
        }
    }
  cairo_restore (cr);
}

char *
ts_plot_probe_cell_csv (const TsProbeCell *cell)
{
  GString *csv = g_string_new ("init,activation,layer,kind,bin_lo,bin_hi,count\n");

  for (guint l = 0; l < cell->n_layers; l++)
    for (int k = 0; k < 2; k++)
      {
        const TsHistogram *h = k ? &cell->layers[l].weight_hist : &cell->layers[l].act_hist;
        for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
          g_string_append_printf (csv, "%s,%s,%u,%s,%.9g,%.9g,%u\n", ts_init_name (cell->init),
                                  ts_activation_name (cell->activation), l + 1, k ? "weights" : "activations",
                                  h->edges[b], h->edges[b + 1], h->counts[b]);
      }
  return g_string_free (csv, FALSE);
}
