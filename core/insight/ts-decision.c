#include "ts-decision.h"
#include "ts-error.h"

#include <math.h>

static void
classify_rows (TsNet *net, const float *x, guint B, guint8 *classes, float *confidence)
{
  const float *logits = ts_net_forward (net, x, B, FALSE, 0);
  guint C = ts_net_n_classes (net);

  for (guint r = 0; r < B; r++)
    {
      const float *z = logits + (gsize) r * C;
      guint best = 0;
      double sum = 0;
      for (guint c = 1; c < C; c++)
        if (z[c] > z[best])
          best = c;
      for (guint c = 0; c < C; c++)
        sum += exp ((double) z[c] - z[best]);
      classes[r] = (guint8) MIN (best, 255);
      confidence[r] = (float) (1.0 / sum);
    }
}

TsDecisionGrid *
ts_decision_grid_new (TsModel *model, double x0, double x1, double y0, double y1, guint nx, guint ny,
                      GError **error)
{
  TsNet *net = model->net;
  guint chunk = ts_net_batch_cap (net), n = nx * ny;
  g_autofree float *raw = NULL, *x = NULL;
  TsDecisionGrid *g;

  if (model->preprocess->in_dim != 2)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "decision boundary: the model takes %u inputs, not 2",
                   model->preprocess->in_dim);
      return NULL;
    }
  g = g_new0 (TsDecisionGrid, 1);
  *g = (TsDecisionGrid) { nx, ny, x0, x1, y0, y1, ts_net_n_classes (net), g_new (guint8, n), g_new (float, n) };
  raw = g_new (float, (gsize) chunk * 2);
  x = g_new (float, (gsize) chunk * ts_net_in_dim (net));
  for (guint start = 0; start < n; start += chunk)
    {
      guint B = MIN (chunk, n - start);
      for (guint r = 0; r < B; r++)
        {
          guint i = (start + r) % nx, j = (start + r) / nx;
          raw[2 * r] = (float) (x0 + (i + 0.5) * (x1 - x0) / nx);
          raw[2 * r + 1] = (float) (y0 + (j + 0.5) * (y1 - y0) / ny);
        }
      ts_preprocess_apply_rows (model->preprocess, raw, B, x);
      classify_rows (net, x, B, g->classes + start, g->confidence + start);
    }
  return g;
}

void
ts_decision_grid_free (TsDecisionGrid *grid)
{
  if (grid == NULL)
    return;
  g_free (grid->classes);
  g_free (grid->confidence);
  g_free (grid);
}

void
ts_decision_bounds (const TsDataset *ds, double pad, double *x0, double *x1, double *y0, double *y1)
{
  double lo[2] = { G_MAXDOUBLE, G_MAXDOUBLE }, hi[2] = { -G_MAXDOUBLE, -G_MAXDOUBLE };

  for (gsize i = 0; i < ds->n; i++)
    for (int k = 0; k < 2; k++)
      {
        double v = ds->x[i * ds->dim + k];
        lo[k] = MIN (lo[k], v), hi[k] = MAX (hi[k], v);
      }
  for (int k = 0; k < 2; k++)
    {
      double span = hi[k] > lo[k] ? hi[k] - lo[k] : 1;
      if (ds->n == 0)
        lo[k] = -1, hi[k] = 1, span = 2;
      lo[k] -= pad * span, hi[k] += pad * span;
    }
  *x0 = lo[0], *x1 = hi[0], *y0 = lo[1], *y1 = hi[1];
}
