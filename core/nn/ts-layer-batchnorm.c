/* The batch-normalisation kind, as PyTorch's BatchNorm1d on vectors and
 * BatchNorm2d on [C,H,W] (statistics per channel over N, H and W):
 *
 *   training:   x̂ = (x − μ_B) / √(σ²_B + ε),  z = γ·x̂ + β
 *               running ← (1 − m)·running + m·(μ_B, σ²_B·n/(n−1))
 *   evaluation: the same with the running mean and variance
 *
 * n = B·H·W values per channel; σ²_B is their biased variance, computed in
 * two passes (never E[x²] − E[x]², which cancels). Every statistic is per
 * channel over the whole batch, so a team that splits the layer by whole
 * channels (its grain is H·W columns) needs no reduction between threads.
 * γ and β train without weight decay; the running statistics live in the
 * net's buffer block. */
#include "ts-net-private.h"

#include <math.h>
#include <string.h>

/* aux: x̂ (B, out), then four rows indexed by channel: mean, 1/σ, Σd, Σd·x̂ */
enum { ROW_MEAN, ROW_INVSTD, ROW_SUM_D, ROW_SUM_DX };

static float *
aux_row (const TsNet *net, guint l, guint B, guint row)
{
  return net->aux[l] + ((gsize) B + row) * net->layers[l].out;
}

static gsize
bn_decayed (const TsNetLayer *layer)
{
  return 0;
}

static gsize
bn_trained (const TsNetLayer *layer)
{
  return 2 * (gsize) layer->channels;
}

static gsize
bn_buffered (const TsNetLayer *layer)
{
  return 2 * (gsize) layer->channels + 1;
}

static void
bn_place (TsNet *net, guint l, gsize *decay_at, gsize *trained_at, gsize *buffer_at)
{
  TsNetLayer *layer = &net->layers[l];
  layer->w = *trained_at, *trained_at += layer->channels;
  layer->b = *trained_at, *trained_at += layer->channels;
  layer->running = *buffer_at, *buffer_at += bn_buffered (layer);
}

static void
bn_add_tensors (TsNet *net, guint l, guint k)
{
  const TsNetLayer *layer = &net->layers[l];
  gsize running = net->n_params + layer->running;
  TsShape per_channel = { 1, { layer->channels } }, scalar = { 0 };
  _ts_net_add_tensor (net, k, "weight", TS_TENSOR_PARAM, TS_DTYPE_F32, layer->w, &per_channel);
  _ts_net_add_tensor (net, k, "bias", TS_TENSOR_PARAM, TS_DTYPE_F32, layer->b, &per_channel);
  _ts_net_add_tensor (net, k, "running_mean", TS_TENSOR_BUFFER, TS_DTYPE_F32, running, &per_channel);
  _ts_net_add_tensor (net, k, "running_var", TS_TENSOR_BUFFER, TS_DTYPE_F32, running + layer->channels,
                      &per_channel);
  _ts_net_add_tensor (net, k, "num_batches_tracked", TS_TENSOR_BUFFER, TS_DTYPE_I64, running + 2 * layer->channels,
                      &scalar);
}

static void
bn_init (TsNet *net, guint l, TsInit init, double scale, TsRng *rng)
{
  TsNetLayer *layer = &net->layers[l];
  float *running = net->buffers + layer->running;
  guint C = layer->channels;

  for (guint j = 0; j < C; j++)
    {
      net->params[layer->w + j] = 1.f; /* γ */
      net->params[layer->b + j] = 0.f; /* β */
      running[j] = 0.f;                /* mean */
      running[C + j] = 1.f;            /* variance */
    }
  running[2 * C] = 0.f; /* batches tracked */
}

static gboolean
batch_mode (const TsNetLayer *layer, gboolean training)
{
  return training && !layer->frozen;
}

/* the channels [c0, c1) of a block of columns (cut at whole channels) */
static void
block_channels (const TsNetLayer *layer, guint lo, guint hi, guint *c0, guint *c1)
{
  *c0 = lo / layer->spatial;
  *c1 = (hi + layer->spatial - 1) / layer->spatial;
}

/* Σ over rows and positions of f(x) for channel c: the batch is row-major,
 * a channel a run of S values in each row */
static void
channel_sums (const float *in, guint B, guint out, guint S, guint c0, guint c1, const float *shift, float *sum)
{
  for (guint c = c0; c < c1; c++)
    sum[c] = 0.f;
  for (guint r = 0; r < B; r++)
    for (guint c = c0; c < c1; c++)
      {
        const float *x = in + (gsize) r * out + (gsize) c * S;
        float acc = 0.f;
        if (shift)
          for (guint p = 0; p < S; p++)
            acc += (x[p] - shift[c]) * (x[p] - shift[c]);
        else
          for (guint p = 0; p < S; p++)
            acc += x[p];
        sum[c] += acc;
      }
}

/* mean and 1/σ of channels [c0, c1) from the batch, updating the running statistics */
static void
batch_statistics (TsNet *net, guint l, const float *in, guint B, guint c0, guint c1)
{
  TsNetLayer *layer = &net->layers[l];
  guint C = layer->channels, S = layer->spatial;
  float *mean = aux_row (net, l, B, ROW_MEAN), *invstd = aux_row (net, l, B, ROW_INVSTD);
  float *rmean = net->buffers + layer->running, *rvar = rmean + C, m = layer->momentum;
  float n = (float) B * S;

  channel_sums (in, B, layer->out, S, c0, c1, NULL, mean);
  for (guint c = c0; c < c1; c++)
    mean[c] /= n;
  /* second pass: Σ (x − μ)², invstd holds it meanwhile */
  channel_sums (in, B, layer->out, S, c0, c1, mean, invstd);
  for (guint c = c0; c < c1; c++)
    {
      float var = invstd[c] / n;
      /* PyTorch keeps the unbiased variance; one value has none */
      float unbiased = n > 1 ? invstd[c] / (n - 1) : var;
      invstd[c] = 1.f / sqrtf (var + layer->eps);
      rmean[c] = (1.f - m) * rmean[c] + m * mean[c];
      rvar[c] = (1.f - m) * rvar[c] + m * unbiased;
    }
  if (c0 == 0 && c1 > c0) /* one thread counts the batch */
    rmean[2 * C] += 1.f;
}

/* A batchnorm is shared by units (whole channels) over every row */
static void
bn_forward (TsNet *net, guint l, const float *in, guint B, const TsBlock *blk, gboolean training)
{
  TsNetLayer *layer = &net->layers[l];
  guint out = layer->out, C = layer->channels, S = layer->spatial, c0, c1;
  float *mean = aux_row (net, l, B, ROW_MEAN), *invstd = aux_row (net, l, B, ROW_INVSTD), *xhat = net->aux[l];
  const float *gamma = net->params + layer->w, *beta = net->params + layer->b;
  const float *rmean = net->buffers + layer->running, *rvar = rmean + C;

  block_channels (layer, blk->lo, blk->hi, &c0, &c1);
  if (batch_mode (layer, training))
    batch_statistics (net, l, in, B, c0, c1);
  else
    for (guint c = c0; c < c1; c++)
      mean[c] = rmean[c], invstd[c] = 1.f / sqrtf (rvar[c] + layer->eps);
  for (guint r = 0; r < B; r++)
    for (guint c = c0; c < c1; c++)
      {
        gsize at = (gsize) r * out + (gsize) c * S;
        float mu = mean[c], is = invstd[c], g = gamma[c], bt = beta[c];
        for (guint p = 0; p < S; p++)
          {
            xhat[at + p] = (in[at + p] - mu) * is;
            net->z[l][at + p] = g * xhat[at + p] + bt;
          }
      }
}

/* Σd and Σd·x̂ of channels [c0, c1), over the batch */
static void
gradient_sums (TsNet *net, guint l, guint B, guint c0, guint c1)
{
  const TsNetLayer *layer = &net->layers[l];
  guint out = layer->out, S = layer->spatial;
  float *sd = aux_row (net, l, B, ROW_SUM_D), *sdx = aux_row (net, l, B, ROW_SUM_DX);
  const float *d = net->d[l], *xhat = net->aux[l];

  for (guint c = c0; c < c1; c++)
    sd[c] = sdx[c] = 0.f;
  for (guint r = 0; r < B; r++)
    for (guint c = c0; c < c1; c++)
      {
        gsize at = (gsize) r * out + (gsize) c * S;
        float a = 0.f, ax = 0.f;
        for (guint p = 0; p < S; p++)
          {
            a += d[at + p];
            ax += d[at + p] * xhat[at + p];
          }
        sd[c] += a;
        sdx[c] += ax;
      }
}

static void
bn_weight_gradients (TsNet *net, guint l, const float *in, guint B, const TsBlock *block, float *velocity,
                     float mu)
{
  TsNetLayer *layer = &net->layers[l];
  guint c0, c1;

  if (block->c0 != 0 || block->c1 == 0 || block->hi <= block->lo)
    return;
  block_channels (layer, block->lo, block->hi, &c0, &c1);
  gradient_sums (net, l, B, c0, c1);
  /* dγ = Σ d·x̂, dβ = Σ d */
  memcpy (net->grads + layer->w + c0, aux_row (net, l, B, ROW_SUM_DX) + c0, sizeof (float) * (c1 - c0));
  memcpy (net->grads + layer->b + c0, aux_row (net, l, B, ROW_SUM_D) + c0, sizeof (float) * (c1 - c0));
}

/* d[l-1] of whole channels [lo, hi) of columns, every row */
static void
bn_input_gradients (TsNet *net, guint l, guint B, const TsBlock *blk)
{
  TsNetLayer *layer = &net->layers[l];
  guint out = layer->out, S = layer->spatial, c0, c1;
  const float *gamma = net->params + layer->w, *invstd = aux_row (net, l, B, ROW_INVSTD);
  const float *sd = aux_row (net, l, B, ROW_SUM_D), *sdx = aux_row (net, l, B, ROW_SUM_DX);
  const float *d = net->d[l], *xhat = net->aux[l];
  float *dx = net->d[l - 1], n = (float) B * S;
  gboolean batch = batch_mode (layer, net->last_training);

  if (blk->hi <= blk->lo)
    return;
  block_channels (layer, blk->lo, blk->hi, &c0, &c1);
  if (batch)
    gradient_sums (net, l, B, c0, c1);
  for (guint r = 0; r < B; r++)
    for (guint c = c0; c < c1; c++)
      {
        gsize at = (gsize) r * out + (gsize) c * S;
        float scale = gamma[c] * invstd[c];
        if (!batch) /* the statistics are constants: dx = d·γ/σ */
          for (guint p = 0; p < S; p++)
            dx[at + p] = d[at + p] * scale;
        else /* dx = γ/(σn) · (n·d − Σd − x̂·Σd·x̂) */
          for (guint p = 0; p < S; p++)
            dx[at + p] = scale / n * (n * d[at + p] - sd[c] - xhat[at + p] * sdx[c]);
      }
}

static void
bn_update (TsNet *net, guint l, const TsBlock *block, const TsUpdate *u)
{
  const TsStepConfig *cfg = u->cfg;
  const TsNetLayer *layer = &net->layers[l];
  guint c0, c1;

  if (block->hi <= block->lo || block->c0 != 0 || block->c1 == 0)
    return;
  if (layer->frozen) /* nothing of it moves, the slopes of the activation it applies included */
    return;
  block_channels (layer, block->lo, block->hi, &c0, &c1);
  /* γ and β: no L2, L1 or max-norm */
  _ts_net_update_range (net, l, u, layer->w + c0, c1 - c0, cfg->lr * layer->lr_scale, 0.f, 0.f);
  _ts_net_update_range (net, l, u, layer->b + c0, c1 - c0, cfg->lr * layer->lr_scale, 0.f, 0.f);
  _ts_net_update_prelu (net, l, c0, c1, u);
}

const TsLayerOps _ts_layer_batchnorm_ops = {
  .name = "batchnorm",
  .split = TS_SPLIT_UNITS, /* by whole channels (the layer's grain) */
  .decayed = bn_decayed,
  .trained = bn_trained,
  .buffered = bn_buffered,
  .aux_rows = 1,
  .place = bn_place,
  .add_tensors = bn_add_tensors,
  .init = bn_init,
  .forward = bn_forward,
  .weight_gradients = bn_weight_gradients,
  .input_gradients = bn_input_gradients,
  .update = bn_update,
  .max_norm_rows = NULL,
};
