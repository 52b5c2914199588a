#include "ts-plot-transfer.h"

#include <math.h>

void
ts_plot_transfer_stages (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                         const TsTransferReport *r, const char *caption)
{
  guint S = r->n_stages;
  g_autofree double *x = g_new (double, MAX (S, 1)), *val = g_new (double, MAX (S, 1));
  g_autofree double *test = g_new (double, MAX (S, 1));
  TsPlotAxes axes = { "stage (1 = nearest the input)", "linear-probe accuracy (%)", .min_span = 10 };
  TsPlotSeries series[2] = { { "validation", 0, x, val, S }, { "test", 1, x, test, S, .dashed = TRUE } };

  for (guint s = 0; s < S; s++)
    {
      x[s] = s + 1;
      val[s] = 100 * r->stages[s].probe_val_acc;
      test[s] = 100 * r->stages[s].probe_test_acc; /* NaN without a test part: a gap */
    }
  /* one stage is a point: give it room on both sides */
  axes.x_min = 0.8, axes.x_max = S + 0.2;
  ts_plot_curves (cr, width, height, style, series, r->test_count ? 2 : 1, &axes, caption);
}

char *
ts_plot_transfer_stages_csv (const TsTransferReport *r)
{
  GString *csv = g_string_new ("stage,name,features,probe_val_acc,probe_test_acc,logme\n");

  for (guint s = 0; s < r->n_stages; s++)
    {
      char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append_printf (csv, "%u,\"%s\",%u,%s,%s,%s\n", s + 1, r->stages[s].name, r->stages[s].width,
                              g_ascii_dtostr (a, sizeof a, r->stages[s].probe_val_acc),
                              isnan (r->stages[s].probe_test_acc) ? "" : g_ascii_dtostr (b, sizeof b, r->stages[s].probe_test_acc),
                              g_ascii_dtostr (c, sizeof c, r->stages[s].logme));
    }
  return g_string_free (csv, FALSE);
}
