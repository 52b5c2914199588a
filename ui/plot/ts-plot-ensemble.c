#include "ts-plot-ensemble.h"

void
ts_plot_ensemble_curve (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                        const TsEnsembleResult *r, const char *caption)
{
  guint M = r->n_members;
  g_autofree double *x = g_new (double, M), *acc = g_new (double, M);
  g_autofree double *best = g_new (double, M), *mean = g_new (double, M);
  g_autofree char *y_label = g_strdup_printf ("%s accuracy (%%)", r->split);
  TsPlotAxes axes = { "members (greedy order)", y_label };

  for (guint k = 0; k < M; k++)
    {
      x[k] = k + 1;
      acc[k] = 100 * r->curve_acc[k];
      best[k] = 100 * r->best_member_acc;
      mean[k] = 100 * r->mean_member_acc;
    }
  if (M == 1)
    axes.x_min = 0.5, axes.x_max = 1.5;
  ts_plot_curves (cr, width, height, style,
                  (TsPlotSeries[]) { { "ensemble (late, mean)", 0, x, acc, M },
                                     { "best member", 1, x, best, M, .dashed = TRUE },
                                     { "mean member", 2, x, mean, M, .dashed = TRUE } },
                  3, &axes, caption);
}

char *
ts_plot_ensemble_curve_csv (const TsEnsembleResult *r)
{
  GString *csv = g_string_new ("members,added,test_acc\n");

  for (guint k = 0; k < r->n_members; k++)
    {
      char acc[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append_printf (csv, "%u,\"%s\",%s\n", k + 1, r->paths[r->curve_order[k]],
                              g_ascii_dtostr (acc, sizeof acc, r->curve_acc[k]));
    }
  return g_string_free (csv, FALSE);
}
