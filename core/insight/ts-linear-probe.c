#include "ts-linear-probe.h"
#include "ts-optim.h"

#include <math.h>
#include <string.h>

/* per-column mean and std of x (n, F); a constant column keeps std 1 */
static void
fit_standardise (const float *x, guint n, guint F, float *mean, float *std)
{
  g_autofree double *sum = g_new0 (double, F), *ss = g_new0 (double, F);

  for (guint i = 0; i < n; i++)
    for (guint f = 0; f < F; f++)
      sum[f] += x[(gsize) i * F + f];
  for (guint f = 0; f < F; f++)
    mean[f] = n ? (float) (sum[f] / n) : 0.f;
  for (guint i = 0; i < n; i++)
    for (guint f = 0; f < F; f++)
      {
        double d = x[(gsize) i * F + f] - mean[f];
        ss[f] += d * d;
      }
  for (guint f = 0; f < F; f++)
    {
      double sd = n ? sqrt (ss[f] / n) : 0;
      std[f] = sd > 1e-6 ? (float) sd : 1.f;
    }
}

static void
standardise_rows (const float *x, guint rows, guint F, const float *mean, const float *std, float *out)
{
  for (guint i = 0; i < rows; i++)
    for (guint f = 0; f < F; f++)
      out[(gsize) i * F + f] = (x[(gsize) i * F + f] - mean[f]) / std[f];
}

void
ts_linear_probe_free (TsLinearProbe *p)
{
  if (p == NULL)
    return;
  g_free (p->mean);
  g_free (p->std);
  ts_net_free (p->net);
  g_free (p);
}

guint
ts_linear_probe_epochs (guint n, guint min_epochs, guint min_steps)
{
  guint per_epoch = MAX ((n + TS_LINEAR_PROBE_BATCH - 1) / TS_LINEAR_PROBE_BATCH, 1);
  return MAX (min_epochs, (min_steps + per_epoch - 1) / per_epoch);
}

TsLinearProbe *
ts_linear_probe_fit (const float *train, const guint32 *labels, guint n, guint F, guint C, guint epochs,
                     double lr, guint64 seed, TsLinearProbeProgress progress, gpointer data)
{
  g_autoptr(TsLinearProbe) p = g_new0 (TsLinearProbe, 1);
  g_autofree float *xb = g_new (float, (gsize) TS_LINEAR_PROBE_BATCH * F);
  g_autofree guint32 *yb = g_new (guint32, TS_LINEAR_PROBE_BATCH), *order = g_new (guint32, MAX (n, 1));
  g_autoptr(TsOptimizer) opt = NULL;

  p->F = F;
  p->C = C;
  p->mean = g_new (float, F);
  p->std = g_new (float, F);
  p->net = ts_net_new (F, NULL, 0, TS_ACT_RELU, 0.f, 0.f, C, TS_LINEAR_PROBE_BATCH);
  opt = ts_optimizer_new (TS_OPT_ADAM, ts_net_n_params (p->net), 0.9);
  /* softmax regression is convex: a zero start is as good as any, and
   * leaves nothing to chance but the shuffles */
  memset (ts_net_params (p->net), 0, sizeof (float) * ts_net_n_params (p->net));
  fit_standardise (train, n, F, p->mean, p->std);
  for (guint epoch = 0; epoch < epochs; epoch++)
    {
      TsRng rng;
      if (progress && !progress ((double) epoch / epochs, data))
        return NULL;
      for (guint i = 0; i < n; i++)
        order[i] = i;
      ts_rng_init (&rng, seed, TS_STREAM_SHUFFLE + epoch);
      ts_rng_shuffle (&rng, order, n);
      for (guint start = 0; start < n; start += TS_LINEAR_PROBE_BATCH)
        {
          guint rows = MIN (TS_LINEAR_PROBE_BATCH, n - start);
          guint ignored = 0;

          for (guint i = 0; i < rows; i++)
            {
              standardise_rows (train + (gsize) order[start + i] * F, 1, F, p->mean, p->std, xb + (gsize) i * F);
              yb[i] = labels[order[start + i]];
            }
          const float *logits = ts_net_forward (p->net, xb, rows, TRUE, 0);
          ts_loss_forward_backward (TS_LOSS_SOFTMAX, logits, yb, rows, C, ts_net_dlogits (p->net), &ignored);
          ts_net_backward (p->net, xb, rows);
          ts_net_update (p->net, &(TsStepConfig) { opt, TS_LOSS_SOFTMAX, (float) lr, TS_LINEAR_PROBE_L2 });
        }
    }
  return g_steal_pointer (&p);
}

void
ts_linear_probe_evaluate (TsLinearProbe *p, const float *x, const guint32 *labels, guint n, double *acc,
                          double *loss)
{
  g_autofree float *xb = g_new (float, (gsize) TS_LINEAR_PROBE_BATCH * p->F);
  double sum = 0;
  guint correct = 0;

  for (guint start = 0; start < n; start += TS_LINEAR_PROBE_BATCH)
    {
      guint rows = MIN (TS_LINEAR_PROBE_BATCH, n - start);
      const float *logits;
      standardise_rows (x + (gsize) start * p->F, rows, p->F, p->mean, p->std, xb);
      logits = ts_net_forward (p->net, xb, rows, FALSE, 0);
      sum += rows * ts_loss_forward_backward (TS_LOSS_SOFTMAX, logits, labels + start, rows, p->C, NULL, &correct);
    }
  *acc = n ? (double) correct / n : NAN;
  if (loss)
    *loss = n ? sum / n : NAN;
}
