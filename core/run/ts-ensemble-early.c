/* Early fusion: the members' penultimate features side by side, and one
 * softmax classifier on them, fitted on the training split only. */
#include "ts-ensemble-private.h"
#include "ts-error.h"
#include "ts-linear-probe.h"

#include <math.h>
#include <string.h>

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

/* the last fifth of the work; a cancel leaves r without early fusion */
static gboolean
fit_progress (double fraction, gpointer data)
{
  return _ts_ensemble_progress (data, 0.8 + 0.2 * fraction, NULL);
}

void
_ts_ensemble_fit_early (TsEnsembleResult *r, const float *train, const guint32 *labels, guint n,
                        const float *eval, const guint32 *eval_labels, guint n_eval, guint F, guint C,
                        guint epochs, guint64 seed, const TsEnsembleOptions *opts)
{
  TsLinearProbe *p = ts_linear_probe_fit (train, labels, n, F, C, epochs, TS_LINEAR_PROBE_LR, seed, fit_progress, (gpointer) opts);

  if (p == NULL)
    return;
  ts_linear_probe_evaluate (p, eval, eval_labels, n_eval, &r->early_acc, &r->early_loss);
  r->has_early = TRUE;
  r->early_features = F;
  ts_net_free (r->early_net);
  r->early_net = g_steal_pointer (&p->net);
  ts_linear_probe_free (p);
}
