/* The batch-normalisation kind, as PyTorch's BatchNorm1d:
 *
 *   training:   x̂ = (x − μ_B) / √(σ²_B + ε),  z = γ·x̂ + β
 *               running ← (1 − m)·running + m·(μ_B, σ²_B·B/(B−1))
 *   evaluation: the same with the running mean and variance
 *
 * σ²_B is the biased variance of the batch, computed in two passes (never
 * E[x²] − E[x]², which cancels). Every statistic is per unit over the
 * whole batch, so a team that splits the layer by units needs no reduction
 * between threads: each owns its columns' statistics. γ and β train without
 * weight decay; the running statistics live in the net's buffer block. */
#include "ts-net-private.h"

#include <math.h>
#include <string.h>

/* aux: x̂ (B, out), then four rows of out: mean, 1/σ, Σd, Σd·x̂ */
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
  return 2 * (gsize) layer->out;
}

static gsize
bn_buffered (const TsNetLayer *layer)
{
  return 2 * (gsize) layer->out + 1;
}

static void
bn_place (TsNet *net, guint l, gsize *decay_at, gsize *trained_at, gsize *buffer_at)
{
  TsNetLayer *layer = &net->layers[l];
  layer->w = *trained_at, *trained_at += layer->out;
  layer->b = *trained_at, *trained_at += layer->out;
  layer->running = *buffer_at, *buffer_at += bn_buffered (layer);
}

static void
bn_add_tensors (TsNet *net, guint l, guint k)
{
  const TsNetLayer *layer = &net->layers[l];
  gsize running = net->n_params + layer->running;
  _ts_net_add_tensor (net, k, "weight", TS_TENSOR_PARAM, TS_DTYPE_F32, layer->w, 1, layer->out, 0);
  _ts_net_add_tensor (net, k, "bias", TS_TENSOR_PARAM, TS_DTYPE_F32, layer->b, 1, layer->out, 0);
  _ts_net_add_tensor (net, k, "running_mean", TS_TENSOR_BUFFER, TS_DTYPE_F32, running, 1, layer->out, 0);
  _ts_net_add_tensor (net, k, "running_var", TS_TENSOR_BUFFER, TS_DTYPE_F32, running + layer->out, 1, layer->out, 0);
  _ts_net_add_tensor (net, k, "num_batches_tracked", TS_TENSOR_BUFFER, TS_DTYPE_I64, running + 2 * layer->out, 0, 0,
                      0);
}

static void
bn_init (TsNet *net, guint l, TsInit init, double scale, TsRng *rng)
{
  TsNetLayer *layer = &net->layers[l];
  float *running = net->buffers + layer->running;

  for (guint j = 0; j < layer->out; j++)
    {
      net->params[layer->w + j] = 1.f; /* γ */
      net->params[layer->b + j] = 0.f; /* β */
      running[j] = 0.f;                /* mean */
      running[layer->out + j] = 1.f;   /* variance */
    }
  running[2 * layer->out] = 0.f; /* batches tracked */
}

static gboolean
batch_mode (const TsNetLayer *layer, gboolean training)
{
  return training && !layer->frozen;
}

/* mean and 1/σ of units [lo, hi) from the batch, updating the running statistics */
static void
batch_statistics (TsNet *net, guint l, const float *in, guint B, guint lo, guint hi)
{
  TsNetLayer *layer = &net->layers[l];
  guint out = layer->out;
  float *mean = aux_row (net, l, B, ROW_MEAN), *invstd = aux_row (net, l, B, ROW_INVSTD);
  float *rmean = net->buffers + layer->running, *rvar = rmean + out, m = layer->momentum;

  memset (mean + lo, 0, sizeof (float) * (hi - lo));
  memset (invstd + lo, 0, sizeof (float) * (hi - lo));
  for (guint r = 0; r < B; r++) /* row by row: the batch is row-major */
    for (guint j = lo; j < hi; j++)
      mean[j] += in[(gsize) r * out + j];
  for (guint j = lo; j < hi; j++)
    mean[j] /= (float) B;
  for (guint r = 0; r < B; r++) /* second pass: Σ (x − μ)², invstd holds it meanwhile */
    for (guint j = lo; j < hi; j++)
      {
        float c = in[(gsize) r * out + j] - mean[j];
        invstd[j] += c * c;
      }
  for (guint j = lo; j < hi; j++)
    {
      float var = invstd[j] / (float) B;
      /* PyTorch keeps the unbiased variance; a batch of one has none */
      float unbiased = B > 1 ? invstd[j] / (float) (B - 1) : var;
      invstd[j] = 1.f / sqrtf (var + layer->eps);
      rmean[j] = (1.f - m) * rmean[j] + m * mean[j];
      rvar[j] = (1.f - m) * rvar[j] + m * unbiased;
    }
  if (lo == 0 && hi > lo) /* one thread counts the batch */
    rmean[2 * out] += 1.f;
}

static void
bn_forward (TsNet *net, guint l, const float *in, guint B, guint lo, guint hi, gboolean training)
{
  TsNetLayer *layer = &net->layers[l];
  guint out = layer->out;
  float *mean = aux_row (net, l, B, ROW_MEAN), *invstd = aux_row (net, l, B, ROW_INVSTD), *xhat = net->aux[l];
  const float *gamma = net->params + layer->w, *beta = net->params + layer->b;
  const float *rmean = net->buffers + layer->running, *rvar = rmean + out;

  if (batch_mode (layer, training))
    batch_statistics (net, l, in, B, lo, hi);
  else
    for (guint j = lo; j < hi; j++)
      mean[j] = rmean[j], invstd[j] = 1.f / sqrtf (rvar[j] + layer->eps);
  for (guint r = 0; r < B; r++)
    for (guint j = lo; j < hi; j++)
      {
        gsize i = (gsize) r * out + j;
        xhat[i] = (in[i] - mean[j]) * invstd[j];
        net->z[l][i] = gamma[j] * xhat[i] + beta[j];
      }
}

/* Σd and Σd·x̂ of units [lo, hi), over the batch */
static void
gradient_sums (TsNet *net, guint l, guint B, guint lo, guint hi)
{
  guint out = net->layers[l].out;
  float *sd = aux_row (net, l, B, ROW_SUM_D), *sdx = aux_row (net, l, B, ROW_SUM_DX);
  const float *d = net->d[l], *xhat = net->aux[l];

  memset (sd + lo, 0, sizeof (float) * (hi - lo));
  memset (sdx + lo, 0, sizeof (float) * (hi - lo));
  for (guint r = 0; r < B; r++)
    for (guint j = lo; j < hi; j++)
      {
        gsize i = (gsize) r * out + j;
        sd[j] += d[i];
        sdx[j] += d[i] * xhat[i];
      }
}

static void
bn_weight_gradients (TsNet *net, guint l, const float *in, guint B, const TsWeightBlock *block, float *velocity,
                     float mu)
{
  TsNetLayer *layer = &net->layers[l];

  if (block->c0 != 0 || block->c1 == 0 || block->hi <= block->lo)
    return;
  gradient_sums (net, l, B, block->lo, block->hi);
  /* dγ = Σ d·x̂, dβ = Σ d */
  memcpy (net->grads + layer->w + block->lo, aux_row (net, l, B, ROW_SUM_DX) + block->lo,
          sizeof (float) * (block->hi - block->lo));
  memcpy (net->grads + layer->b + block->lo, aux_row (net, l, B, ROW_SUM_D) + block->lo,
          sizeof (float) * (block->hi - block->lo));
}

static void
bn_input_gradients (TsNet *net, guint l, guint B, guint lo, guint hi)
{
  TsNetLayer *layer = &net->layers[l];
  guint out = layer->out;
  const float *gamma = net->params + layer->w, *invstd = aux_row (net, l, B, ROW_INVSTD);
  const float *sd = aux_row (net, l, B, ROW_SUM_D), *sdx = aux_row (net, l, B, ROW_SUM_DX);
  const float *d = net->d[l], *xhat = net->aux[l];
  float *dx = l > 0 ? net->d[l - 1] : NULL;

  if (dx == NULL || hi <= lo)
    return;
  if (!batch_mode (layer, net->last_training))
    {
      /* the statistics are constants: dx = d·γ/σ */
      for (guint r = 0; r < B; r++)
        for (guint j = lo; j < hi; j++)
          dx[(gsize) r * out + j] = d[(gsize) r * out + j] * gamma[j] * invstd[j];
      return;
    }
  /* dx = γ/(σB) · (B·d − Σd − x̂·Σd·x̂) */
  gradient_sums (net, l, B, lo, hi);
  for (guint r = 0; r < B; r++)
    for (guint j = lo; j < hi; j++)
      {
        gsize i = (gsize) r * out + j;
        dx[i] = gamma[j] * invstd[j] / (float) B * ((float) B * d[i] - sd[j] - xhat[i] * sdx[j]);
      }
}

static void
bn_update (TsNet *net, guint l, const TsWeightBlock *block, const TsUpdate *u)
{
  const TsStepConfig *cfg = u->cfg;
  const TsNetLayer *layer = &net->layers[l];
  guint lo = block->lo, hi = block->hi;

  if (hi <= lo || block->c0 != 0 || block->c1 == 0)
    return;
  if (layer->frozen) /* nothing of it moves, the slopes of the activation it applies included */
    return;
  /* γ and β: no L2, L1 or max-norm */
  ts_optimizer_update (cfg->opt, net->params, net->grads, layer->w + lo, hi - lo, cfg->lr * layer->lr_scale, 0.f, 0.f);
  ts_optimizer_update (cfg->opt, net->params, net->grads, layer->b + lo, hi - lo, cfg->lr * layer->lr_scale, 0.f, 0.f);
  _ts_net_update_prelu (net, l, lo, hi, u);
}

const TsLayerOps _ts_layer_batchnorm_ops = {
  .name = "batchnorm",
  .grain = 16, /* per unit, but threads must not share a cache line of a row */
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
