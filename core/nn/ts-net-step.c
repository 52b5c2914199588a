/* The training step as one team job. Each layer kind says how a team
 * shares it (TsLayerOps.split): dense and batchnorm layers by units — every
 * thread owns some columns and does all the work on them, its GEMM
 * columns, bias and activation, dropout, gradients and the optimizer
 * update of its weight rows, while they are still in cache — and conv and
 * pool layers by samples, each thread unfolding only its own. Threads meet
 * at a barrier where the next piece of work reads what another thread
 * wrote: between layers whose shares differ, and once per layer backward
 * (before its weights may change). */
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
  guint               first;    /* the lowest layer that trains: nothing below it needs a gradient */
  float              *velocity; /* the fused momentum step's buffer, or NULL */
  guint               n;        /* threads */
  gboolean           *forward_barrier;  /* [l]: after layer l's forward */
  gboolean           *backward_barrier; /* [l]: after layer l's input gradients, before l−1's backward block */
  float              *partials[TS_TEAM_MAX];
  double              loss[TS_TEAM_MAX];    /* per thread, over its rows */
  guint               correct[TS_TEAM_MAX];
} StepJob;

/* Shares of units are cut at whole cache lines (16 floats), so a layer of
 * fewer than 16 units per thread — the output layer of a classifier —
 * would leave all of it to one thread while the others wait. That layer
 * is shared by batch rows in the forward pass (it has no dropout or
 * activation noise) and by input columns for its weights. */
static gboolean
narrow_output (const TsNet *net, guint n)
{
  return n > 1 && net->layers[net->n_layers - 1].out < 16 * n;
}

static TsSplit
split_of (const StepJob *job, guint l)
{
  if (l + 1 == job->net->n_layers && job->narrow)
    return TS_SPLIT_ROWS;
  return job->net->layers[l].ops->split;
}

/* the block of layer l's activations that thread t computes forward, and
 * whose d it takes from ∂L/∂y to ∂L/∂z backward */
static TsBlock
layer_block (const StepJob *job, guint l, guint t)
{
  const TsNet *net = job->net;
  const TsNetLayer *layer = &net->layers[l];
  TsBlock b = { 0, job->B, 0, layer->out, 0, layer->in, net->thread_ws[t], job->partials[t] };

  if (split_of (job, l) == TS_SPLIT_ROWS)
    b.r0 = job->B * t / job->n, b.r1 = job->B * (t + 1) / job->n;
  else
    ts_team_share_grain (layer->out, layer->grain, t, job->n, &b.lo, &b.hi);
  return b;
}

/* the block of d[l-1] that thread t's input gradients of layer l write:
 * its samples (conv, pool), its channels (batchnorm: whole channels'
 * sums), or whatever block the layer below takes next (dense) */
static TsBlock
input_block (const StepJob *job, guint l, guint t)
{
  const TsNetLayer *layer = &job->net->layers[l];
  TsBlock b;

  if (layer->ops->split == TS_SPLIT_ROWS)
    {
      b = layer_block (job, l, t);
      b.lo = 0, b.hi = layer->in;
    }
  else if (layer->kind == TS_LAYER_BATCHNORM)
    b = layer_block (job, l, t);
  else
    b = layer_block (job, l - 1, t);
  return b;
}

static gboolean
same_rows_and_units (const TsBlock *a, const TsBlock *b)
{
  return a->r0 == b->r0 && a->r1 == b->r1 && a->lo == b->lo && a->hi == b->hi;
}

/* whether some thread reads, next, what another wrote: decided the same
 * way by every thread (over all of them) */
static void
plan_barriers (StepJob *job)
{
  const TsNet *net = job->net;
  guint L = net->n_layers;

  job->forward_barrier = g_new0 (gboolean, L);
  job->backward_barrier = g_new0 (gboolean, L);
  for (guint l = 0; l < L; l++)
    {
      /* a row-split layer reads whole rows of y[l]: its own rows if l went by rows too */
      job->forward_barrier[l] = l + 1 == L ? split_of (job, l) != TS_SPLIT_ROWS
                                           : !(split_of (job, l) == TS_SPLIT_ROWS && split_of (job, l + 1) == TS_SPLIT_ROWS);
      if (l > 0)
        for (guint t = 0; t < job->n; t++)
          {
            TsBlock in = input_block (job, l, t), below = layer_block (job, l - 1, t);
            if (!same_rows_and_units (&in, &below))
              job->backward_barrier[l] = TRUE;
          }
    }
}

static TsBlock
weight_block (const StepJob *job, guint l, guint t)
{
  const TsNetLayer *layer = &job->net->layers[l];
  TsBlock block = layer_block (job, l, t);

  if (job->narrow && l + 1 == job->net->n_layers)
    {
      block.r0 = 0, block.r1 = job->B, block.lo = 0, block.hi = layer->out;
      ts_team_share (layer->in, t, job->n, &block.c0, &block.c1);
    }
  return block;
}

static void
update_layer (TsNet *net, const StepJob *job, guint l, guint t)
{
  const TsNetLayer *layer = &net->layers[l];
  TsBlock block = weight_block (job, l, t);
  TsUpdate u = { job->cfg, job->velocity, NULL, 0 };

  if (layer->ops->split == TS_SPLIT_ROWS)
    {
      /* its filters' share, summed over every thread's samples */
      ts_team_share_grain (layer->channels, 1, t, job->n, &block.lo, &block.hi);
      u.partials = job->partials, u.n_partials = job->n;
    }
  layer->ops->update (net, l, &block, &u);
}

static void
forward (TsTeam *team, StepJob *job, guint t)
{
  TsNet *net = job->net;

  for (guint l = 0; l < net->n_layers; l++)
    {
      TsBlock block = layer_block (job, l, t);
      _ts_net_forward_block (net, l, _ts_net_layer_input (net, l, job->x), job->B, &block, job->train,
                             job->noise_key);
      if (job->forward_barrier[l])
        ts_team_barrier (team); /* layer l+1 (or the loss) reads what others wrote */
    }
}

static void
backward (TsTeam *team, StepJob *job, guint t)
{
  TsNet *net = job->net;
  guint L = net->n_layers, first = job->first;

  for (guint l = L; l-- > first;)
    {
      const TsLayerOps *ops = net->layers[l].ops;
      TsBlock block = weight_block (job, l, t);

      if (l + 1 < L)
        {
          TsBlock own = layer_block (job, l, t);
          if (job->backward_barrier[l + 1])
            ts_team_barrier (team); /* d[l] came in other shares */
          _ts_net_backward_block (net, l, job->B, &own);
          ts_team_barrier (team); /* everyone has read W[l+1] and summed its share: it may change now */
          update_layer (net, job, l + 1, t);
        }
      if (l > first)
        {
          TsBlock in = input_block (job, l, t);
          ops->input_gradients (net, l, job->B, &in);
        }
      if (!net->layers[l].frozen)
        ops->weight_gradients (net, l, _ts_net_layer_input (net, l, job->x), job->B, &block, job->velocity,
                               job->cfg->opt->momentum);
    }
  /* nobody reads W[first] in the backward pass: only partial sums need waiting for */
  if (net->layers[first].partial != TS_NO_PARAM)
    ts_team_barrier (team);
  update_layer (net, job, first, t);
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
  forward (team, job, t);
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
  backward (team, job, t);
}

static void
job_begin (StepJob *job, TsNet *net, TsTeam *team)
{
  job->net = net;
  job->n = ts_team_size (team);
  job->narrow = narrow_output (net, job->n);
  job->first = _ts_net_first_trained_layer (net);
  _ts_net_reserve_threads (net, job->n);
  for (guint t = 0; t < job->n; t++)
    job->partials[t] = net->partial_floats ? net->thread_ws[t] + net->scratch_floats : NULL;
  plan_barriers (job);
}

static void
job_end (StepJob *job)
{
  g_free (job->forward_barrier);
  g_free (job->backward_barrier);
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
  StepJob job = { .cfg = cfg, .batch = batch->fill ? batch : NULL, .x = batch->x, .labels = batch->labels,
                  .B = B, .noise_key = noise_key, .train = TRUE };
  guint L = net->n_layers;
  double loss = 0.0;

  g_return_val_if_fail (ts_team_size (team) <= TS_TEAM_MAX, NAN);
  if (!cfg->keep_gradients && ts_optimizer_can_fuse (cfg->opt, cfg->l1))
    job.velocity = cfg->opt->m;

  _ts_net_prepare (net, B, TRUE);
  job_begin (&job, net, team);
  ts_optimizer_begin_step (cfg->opt);
  ts_team_run (team, step_thread, &job);
  job_end (&job);
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
  StepJob job = { .x = x, .B = B, .train = FALSE };

  _ts_net_prepare (net, B, FALSE);
  job_begin (&job, net, team);
  ts_team_run (team, step_thread, &job);
  job_end (&job);
  return net->y[net->n_layers - 1];
}
