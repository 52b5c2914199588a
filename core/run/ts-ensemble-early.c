/* Early fusion: the members' penultimate features side by side, and one
 * softmax classifier on them, fitted on the training split only. */
#include "ts-ensemble-private.h"
#include "ts-error.h"
#include "ts-optim.h"
#include "ts-rng.h"

#include <math.h>
#include <string.h>

#define EARLY_BATCH 128
#define EARLY_LR 1e-3   /* Adam on standardised features */
#define EARLY_L2 1e-4

typedef struct {
  float *out;    /* (n, F) */
  guint  F;
  guint  offset; /* this member's first column */
  guint  width;  /* its penultimate layer's units */
} FeatureJob;

static void
copy_penultimate (const TsNet *net, const float *logits, guint start, guint rows, gpointer data)
{
  FeatureJob *job = data;
  const float *y = ts_net_layer_y (net, ts_net_n_layers (net) - 2); /* (rows, width): what the output layer reads */

  for (guint r = 0; r < rows; r++)
    memcpy (job->out + (gsize) (start + r) * job->F + job->offset, y + (gsize) r * job->width,
            sizeof (float) * job->width);
}

float *
ts_ensemble_features (TsEnsemble *e, const TsDataset *ds, guint *n_features, GError **error)
{
  guint F = 0, offset = 0;
  float *out;

  for (guint m = 0; m < e->models->len; m++)
    {
      const TsNet *net = ((TsModel *) e->models->pdata[m])->net;
      if (ts_net_n_layers (net) < 2)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                       "%s: has no hidden layer, so no penultimate features for early fusion",
                       (char *) e->paths->pdata[m]);
          return NULL;
        }
      F += ts_net_layer_units (net, ts_net_n_layers (net) - 2);
    }
  out = g_new (float, MAX ((gsize) ds->n * F, 1));
  for (guint m = 0; m < e->models->len; m++)
    {
      const TsNet *net = ((TsModel *) e->models->pdata[m])->net;
      FeatureJob job = { out, F, offset, ts_net_layer_units (net, ts_net_n_layers (net) - 2) };
      _ts_ensemble_forward (e, m, ds, copy_penultimate, &job);
      offset += job.width;
    }
  *n_features = F;
  return out;
}

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
_ts_ensemble_fit_early (TsEnsembleResult *r, const float *train, const guint32 *labels, guint n,
                        const float *eval, const guint32 *eval_labels, guint n_eval, guint F, guint C,
                        guint epochs, guint64 seed, const TsEnsembleOptions *opts)
{
  g_autofree float *mean = g_new (float, F), *std = g_new (float, F);
  g_autofree float *xb = g_new (float, (gsize) EARLY_BATCH * F);
  g_autofree guint32 *yb = g_new (guint32, EARLY_BATCH), *order = g_new (guint32, MAX (n, 1));
  TsNet *net = ts_net_new (F, NULL, 0, TS_ACT_RELU, 0.f, 0.f, C, EARLY_BATCH);
  g_autoptr(TsOptimizer) opt = ts_optimizer_new (TS_OPT_ADAM, ts_net_n_params (net), 0.9);
  double loss = 0;
  guint correct = 0;

  /* softmax regression is convex: a zero start is as good as any, and
   * leaves nothing to chance but the shuffles */
  memset (ts_net_params (net), 0, sizeof (float) * ts_net_n_params (net));
  fit_standardise (train, n, F, mean, std);
  for (guint epoch = 0; epoch < epochs; epoch++)
    {
      TsRng rng;
      /* the last fifth of the work; a cancel leaves r without early fusion */
      if (!_ts_ensemble_progress (opts, 0.8 + 0.2 * epoch / epochs, NULL))
        {
          ts_net_free (net);
          return;
        }
      for (guint i = 0; i < n; i++)
        order[i] = i;
      ts_rng_init (&rng, seed, TS_STREAM_SHUFFLE + epoch);
      ts_rng_shuffle (&rng, order, n);
      for (guint start = 0; start < n; start += EARLY_BATCH)
        {
          guint rows = MIN (EARLY_BATCH, n - start);
          guint ignored = 0;

          for (guint i = 0; i < rows; i++)
            {
              standardise_rows (train + (gsize) order[start + i] * F, 1, F, mean, std, xb + (gsize) i * F);
              yb[i] = labels[order[start + i]];
            }
          const float *logits = ts_net_forward (net, xb, rows, TRUE, 0);
          ts_loss_forward_backward (TS_LOSS_SOFTMAX, logits, yb, rows, C, ts_net_dlogits (net), &ignored);
          ts_net_backward (net, xb, rows);
          ts_optimizer_step (opt, ts_net_params (net), ts_net_grads (net), ts_net_n_decay (net), EARLY_LR, EARLY_L2, 0.f);
        }
    }
  for (guint start = 0; start < n_eval; start += EARLY_BATCH)
    {
      guint rows = MIN (EARLY_BATCH, n_eval - start);
      const float *logits;
      standardise_rows (eval + (gsize) start * F, rows, F, mean, std, xb);
      logits = ts_net_forward (net, xb, rows, FALSE, 0);
      loss += rows * ts_loss_forward_backward (TS_LOSS_SOFTMAX, logits, eval_labels + start, rows, C, NULL, &correct);
    }
  r->has_early = TRUE;
  r->early_features = F;
  r->early_acc = n_eval ? (double) correct / n_eval : NAN;
  r->early_loss = n_eval ? loss / n_eval : NAN;
  ts_net_free (r->early_net);
  r->early_net = net;
}
