/* The training step as one team job: every thread owns a share of each
 * layer's units and does all the work on it — its GEMM columns, bias and
 * activation, dropout, gradients and the optimizer update of its weight
 * rows, while they are still in cache — meeting the others at one barrier
 * per layer and pass. */
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
  gboolean            train;    /* FALSE: forward only, in evaluation mode */
  gboolean            narrow;   /* the output layer is shared by rows and columns */
  float              *velocity; /* the fused momentum step's buffer, or NULL */
  double              loss[TS_TEAM_MAX];    /* per thread, over its rows */
  guint               correct[TS_TEAM_MAX];
} StepJob;

/* Shares of units are cut at whole cache lines (16 floats), so a layer of
 * fewer than 16 units per thread — the output layer of a classifier —
 * would leave all of it to one thread while the others wait. That layer
 * is shared by batch rows in the forward pass (it has no dropout or
 * activation noise, which are drawn by unit) and by input columns for its
 * weights. */
static gboolean
narrow_output (const TsNet *net, guint n)
{
  return n > 1 && net->layers[net->n_layers - 1].out < 16 * n;
}

/* thread t's share of layer l's units, cut at its kind's grain */
static void
share_units (const TsNet *net, guint l, guint t, guint n, guint *lo, guint *hi)
{
  ts_team_share_grain (net->layers[l].out, net->layers[l].ops->grain, t, n, lo, hi);
}

static TsWeightBlock
weight_block (const StepJob *job, guint l, guint t, guint n)
{
  const TsNetLayer *layer = &job->net->layers[l];
  TsWeightBlock block = { 0, layer->out, 0, layer->in };

  if (job->narrow && l + 1 == job->net->n_layers)
    ts_team_share (layer->in, t, n, &block.c0, &block.c1);
  else
    share_units (job->net, l, t, n, &block.lo, &block.hi);
  return block;
}

static void
update_layer (TsNet *net, const StepJob *job, guint l, guint t, guint n)
{
  TsWeightBlock block = weight_block (job, l, t, n);
  TsUpdate u = { job->cfg, job->velocity };
  net->layers[l].ops->update (net, l, &block, &u);
}

static void
forward (TsTeam *team, StepJob *job, guint t, guint n)
{
  TsNet *net = job->net;
  guint L = net->n_layers, lo, hi;

  for (guint l = 0; l < L; l++)
    {
      const float *in = l > 0 ? net->y[l - 1] : job->x;
      if (l + 1 == L && job->narrow)
        {
          /* by rows, the ones this thread's loss reads: nobody need wait */
          _ts_net_forward_output_rows (net, in, job->B * t / n, job->B * (t + 1) / n);
          return;
        }
      share_units (net, l, t, n, &lo, &hi);
      _ts_net_forward_block (net, l, in, job->B, lo, hi, job->train, job->noise_key);
      ts_team_barrier (team); /* layer l+1 (and the loss) reads all of y[l] */
    }
}

static void
step_thread (TsTeam *team, guint t, guint n, gpointer data)
{
  StepJob *job = data;
  TsNet *net = job->net;
  guint L = net->n_layers, B = job->B;

  if (job->batch)
    {
      /* rows, not units: gathering (and augmenting) samples splits by row */
      job->batch->fill (job->batch->data, job->batch->x, job->batch->labels, B * t / n, B * (t + 1) / n);
      ts_team_barrier (team);
    }
  forward (team, job, t, n);
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
      const TsLayerOps *ops = net->layers[l].ops;
      TsWeightBlock block = weight_block (job, l, t, n);
      guint in_lo, in_hi;

      if (l + 1 < L)
        {
          /* my columns of d[l] came from my share of layer l+1's input gradients */
          _ts_net_backward_block (net, l, B, block.lo, block.hi);
          ts_team_barrier (team); /* everyone has read W[l+1]: it may change now */
          update_layer (net, job, l + 1, t, n);
        }
      /* my columns of d[l-1]: my share of layer l-1's units, what its backward block takes next */
      if (l > 0)
        share_units (net, l - 1, t, n, &in_lo, &in_hi);
      else
        in_lo = in_hi = 0;
      ops->input_gradients (net, l, B, in_lo, in_hi);
      ops->weight_gradients (net, l, _ts_net_layer_input (net, l, job->x), B, &block, job->velocity,
                             job->cfg->opt->momentum);
    }
  /* nobody reads W[0] in the backward pass: no barrier needed before this */
  update_layer (net, job, 0, t, n);
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
  guint L = net->n_layers;
  double loss = 0.0;

  g_return_val_if_fail (ts_team_size (team) <= TS_TEAM_MAX, NAN);
  job.narrow = narrow_output (net, ts_team_size (team));
  if (!cfg->keep_gradients && ts_optimizer_can_fuse (cfg->opt, cfg->l1))
    job.velocity = cfg->opt->m;

  _ts_net_prepare (net, B, TRUE);
  ts_optimizer_begin_step (cfg->opt);
  ts_team_run (team, step_thread, &job);
  if (job.narrow && cfg->max_norm > 0.f && net->layers[L - 1].ops->max_norm_rows)
    net->layers[L - 1].ops->max_norm_rows (net, L - 1, 0, net->layers[L - 1].out, cfg->max_norm);
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
  StepJob job = { net, NULL, NULL, x, NULL, B, 0, FALSE, narrow_output (net, ts_team_size (team)) };

  _ts_net_prepare (net, B, FALSE);
  ts_team_run (team, step_thread, &job);
  return net->y[net->n_layers - 1];
}
