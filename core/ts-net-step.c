/* The training step as one team job: every thread owns a share of each
 * layer's units and does all the work on it — its GEMM columns, bias and
 * activation, dropout, gradients and the optimizer update of its weight
 * rows, while they are still in cache — meeting the others at one barrier
 * per layer and pass. */
#include "ts-net.h"
#include "ts-net-private.h"

#include <math.h>

typedef struct {
  TsNet              *net;
  const TsStepConfig *cfg;
  const TsBatch      *batch;   /* NULL: x is ready */
  const float        *x;
  const guint32      *labels;
  guint               B;
  guint64             noise_key;
  gboolean            train;   /* FALSE: forward only, in evaluation mode */
  double              loss[TS_TEAM_MAX];    /* per thread, over its rows */
  guint               correct[TS_TEAM_MAX];
} StepJob;

static void
update_rows (TsNet *net, const TsStepConfig *cfg, guint l, guint t, guint n)
{
  const TsNetLayer *layer = &net->layers[l];
  float lr = cfg->lr;
  guint lo, hi;

  ts_team_share (layer->out, t, n, &lo, &hi);
  if (hi <= lo)
    return;
  ts_optimizer_update (cfg->opt, net->params, net->grads, layer->w + (gsize) lo * layer->in,
                       (gsize) (hi - lo) * layer->in, lr, cfg->l2, cfg->l1);
  ts_optimizer_update (cfg->opt, net->params, net->grads, layer->b + lo, hi - lo, lr, 0.f, 0.f);
  if (layer->prelu != TS_NO_PARAM)
    ts_optimizer_update (cfg->opt, net->params, net->grads, layer->prelu + lo, hi - lo, lr, 0.f, 0.f);
  if (cfg->max_norm > 0.f)
    _ts_net_max_norm_rows (net, l, lo, hi, cfg->max_norm);
}

static void
step_thread (TsTeam *team, guint t, guint n, gpointer data)
{
  StepJob *job = data;
  TsNet *net = job->net;
  guint L = net->n_layers, B = job->B, lo, hi;

  if (job->batch)
    {
      /* rows, not units: gathering (and augmenting) samples splits by row */
      job->batch->fill (job->batch->data, job->batch->x, job->batch->labels, B * t / n, B * (t + 1) / n);
      ts_team_barrier (team);
    }
  for (guint l = 0; l < L; l++)
    {
      ts_team_share (net->layers[l].out, t, n, &lo, &hi);
      _ts_net_forward_block (net, l, l > 0 ? net->y[l - 1] : job->x, B, lo, hi, job->train, job->noise_key);
      ts_team_barrier (team); /* layer l+1 reads all of y[l] */
    }
  if (!job->train)
    return;
  {
    /* the loss by rows; its gradient is scaled by the whole batch's size */
    guint r0 = B * t / n, r1 = B * (t + 1) / n, C = net->n_classes;
    if (r1 > r0)
      job->loss[t] = ts_loss_forward_backward_scaled (job->cfg->loss, net->y[L - 1] + (gsize) r0 * C,
                                                      job->labels + r0, r1 - r0, C, 1.f / B,
                                                      ts_net_dlogits (net) + (gsize) r0 * C, &job->correct[t]);
  }
  ts_team_barrier (team);
  for (guint l = L; l-- > 0;)
    {
      ts_team_share (net->layers[l].out, t, n, &lo, &hi);
      if (l + 1 < L)
        {
          /* my columns of d[l] came from my share of layer l+1's input gradients */
          _ts_net_backward_block (net, l, B, lo, hi);
          ts_team_barrier (team); /* everyone has read W[l+1]: it may change now */
          update_rows (net, job->cfg, l + 1, t, n);
        }
      {
        guint in_lo, in_hi;
        ts_team_share (net->layers[l].in, t, n, &in_lo, &in_hi);
        _ts_net_input_gradients (net, l, B, in_lo, in_hi);
      }
      _ts_net_weight_gradients (net, l, job->x, B, lo, hi);
    }
  /* nobody reads W[0] in the backward pass: no barrier needed before this */
  update_rows (net, job->cfg, 0, t, n);
}

double
ts_net_train_step (TsNet *net, TsTeam *team, const TsStepConfig *cfg, const float *x, const guint32 *labels,
                   guint B, guint64 noise_key, guint *correct)
{
  TsBatch ready = { NULL, NULL, (float *) x, (guint32 *) labels };
  return ts_net_train_batch (net, team, cfg, &ready, B, noise_key, correct);
}

double
ts_net_train_batch (TsNet *net, TsTeam *team, const TsStepConfig *cfg, const TsBatch *batch, guint B,
                    guint64 noise_key, guint *correct)
{
  StepJob job = { net, cfg, batch->fill ? batch : NULL, batch->x, batch->labels, B, noise_key, TRUE };
  double loss = 0.0;

  g_return_val_if_fail (ts_team_size (team) <= TS_TEAM_MAX, NAN);
  _ts_net_prepare (net, B, TRUE);
  ts_optimizer_begin_step (cfg->opt);
  ts_team_run (team, step_thread, &job);
  for (guint t = 0; t < ts_team_size (team); t++)
    {
      loss += job.loss[t];
      if (correct)
        *correct += job.correct[t];
    }
  return loss / B;
}

const float *
ts_net_forward_team (TsNet *net, TsTeam *team, const float *x, guint B)
{
  StepJob job = { net, NULL, NULL, x, NULL, B, 0, FALSE };

  _ts_net_prepare (net, B, FALSE);
  ts_team_run (team, step_thread, &job);
  return net->y[net->n_layers - 1];
}
