/* The conv kind: Conv2d + activation, weights [F, C, k, k] and bias [F] as
 * PyTorch's, NCHW rows. A team shares it by samples (batch rows): each
 * thread unfolds only its own samples, a group at a time into its own
 * buffer (ts-conv.c), and sums its samples' weight gradients into its own
 * partial sums, which the update reduces by filters after a barrier. */
#include "ts-net-private.h"
#include "ts-conv.h"

#include <math.h>
#include <string.h>

static void
geometry (const TsNetLayer *layer, TsConvGeom *g)
{
  ts_conv_geom_init (g, (guint) layer->in_shape.dims[0], (guint) layer->in_shape.dims[1],
                     (guint) layer->in_shape.dims[2], layer->channels, layer->kernel, layer->stride, layer->pad);
}

/* C·k·k: a filter's length, its fan-in */
static guint
filter_length (const TsNetLayer *layer)
{
  return (guint) layer->in_shape.dims[0] * layer->kernel * layer->kernel;
}

static gsize
conv_decayed (const TsNetLayer *layer)
{
  return (gsize) layer->channels * filter_length (layer);
}

static gsize
conv_trained (const TsNetLayer *layer)
{
  return layer->channels;
}

static gsize
conv_buffered (const TsNetLayer *layer)
{
  return 0;
}

static gsize
conv_scratch (const TsNetLayer *layer)
{
  TsConvGeom g;
  geometry (layer, &g);
  return ts_conv_scratch_floats (&g, layer->group);
}

static void
conv_place (TsNet *net, guint l, gsize *decay_at, gsize *trained_at, gsize *buffer_at)
{
  TsNetLayer *layer = &net->layers[l];
  layer->w = *decay_at, *decay_at += conv_decayed (layer);
  layer->b = *trained_at, *trained_at += layer->channels;
}

static void
conv_add_tensors (TsNet *net, guint l, guint k)
{
  const TsNetLayer *layer = &net->layers[l];
  TsShape weight = { 4, { layer->channels, layer->in_shape.dims[0], layer->kernel, layer->kernel } };
  TsShape bias = { 1, { layer->channels } };
  _ts_net_add_tensor (net, k, "weight", TS_TENSOR_PARAM, TS_DTYPE_F32, layer->w, &weight);
  _ts_net_add_tensor (net, k, "bias", TS_TENSOR_PARAM, TS_DTYPE_F32, layer->b, &bias);
}

/* fan_in = C·k·k; orthogonal on the flattened (F, C·k·k) filters */
static void
conv_init (TsNet *net, guint l, TsInit init, double scale, TsRng *rng)
{
  TsNetLayer *layer = &net->layers[l];
  memset (net->params + layer->b, 0, sizeof (float) * layer->channels);
  _ts_net_init_matrix (net->params + layer->w, layer->channels, filter_length (layer), init, scale, rng);
}

static void
conv_forward (TsNet *net, guint l, const float *in, guint B, const TsBlock *blk, gboolean training)
{
  TsNetLayer *layer = &net->layers[l];
  TsConvGeom g;

  geometry (layer, &g);
  ts_conv_forward (&g, layer->group, net->z[l], in, net->params + layer->w, net->params + layer->b, blk->r0,
                   blk->r1, blk->scratch);
}

/* the block's samples' weight and bias gradients: into the thread's
 * partial sums in a team, else (the plain passes) into the gradients */
static void
conv_weight_gradients (TsNet *net, guint l, const float *in, guint B, const TsBlock *blk, float *velocity,
                       float mu)
{
  TsNetLayer *layer = &net->layers[l];
  gsize n = conv_decayed (layer);
  float *dw = blk->partial ? blk->partial + layer->partial : net->grads + layer->w;
  float *db = blk->partial ? blk->partial + layer->partial + n : net->grads + layer->b;
  TsConvGeom g;

  geometry (layer, &g);
  ts_conv_weight_gradients (&g, layer->group, dw, db, net->d[l], in, blk->r0, blk->r1, blk->scratch);
  if (velocity && !blk->partial)
    for (gsize i = 0; i < n; i++)
      velocity[layer->w + i] = mu * velocity[layer->w + i] + dw[i];
}

static void
conv_input_gradients (TsNet *net, guint l, guint B, const TsBlock *blk)
{
  TsNetLayer *layer = &net->layers[l];
  TsConvGeom g;

  geometry (layer, &g);
  ts_conv_input_gradients (&g, layer->group, net->d[l - 1], net->d[l], net->params + layer->w, blk->r0, blk->r1,
                           blk->scratch);
}

static void
conv_max_norm_rows (TsNet *net, guint l, guint lo, guint hi, float c)
{
  TsNetLayer *layer = &net->layers[l];
  guint K = filter_length (layer);

  for (guint f = lo; f < hi; f++)
    {
      float *row = net->params + layer->w + (gsize) f * K;
      double norm = 0.0;
      for (guint j = 0; j < K; j++)
        norm += (double) row[j] * row[j];
      norm = sqrt (norm);
      if (norm > c)
        for (guint j = 0; j < K; j++)
          row[j] *= (float) (c / norm);
    }
}

/* Σ over the threads' partial sums of [at, at + count) of this layer's */
static void
reduce (const TsUpdate *u, gsize at, gsize count, float *dst, const float *velocity_mu)
{
  for (gsize i = 0; i < count; i++)
    {
      float sum = 0.f;
      for (guint t = 0; t < u->n_partials; t++)
        sum += u->partials[t][at + i];
      dst[i] = velocity_mu ? *velocity_mu * dst[i] + sum : sum;
    }
}

/* filters [lo, hi): their weights, biases and PReLU slopes, from every
 * thread's partial sums (a team) or the gradients (already summed) */
static void
conv_update (TsNet *net, guint l, const TsBlock *block, const TsUpdate *u)
{
  const TsStepConfig *cfg = u->cfg;
  const TsNetLayer *layer = &net->layers[l];
  guint lo = block->lo, hi = block->hi, K = filter_length (layer), F = layer->channels;
  gsize n = conv_decayed (layer);
  float lr = cfg->lr * layer->lr_scale; /* discriminative rates: a param group's lr in torch */

  if (hi <= lo || layer->frozen)
    return;
  if (u->partials)
    {
      float mu = cfg->opt->momentum;
      gsize at = layer->partial;
      reduce (u, at + (gsize) lo * K, (gsize) (hi - lo) * K,
              u->velocity ? u->velocity + layer->w + (gsize) lo * K : net->grads + layer->w + (gsize) lo * K,
              u->velocity ? &mu : NULL);
      reduce (u, at + n + lo, hi - lo, net->grads + layer->b + lo, NULL);
      if (layer->prelu != TS_NO_PARAM)
        reduce (u, at + n + F + lo, hi - lo, net->grads + layer->prelu + lo, NULL);
    }
  _ts_net_update_weights (net, l, u, layer->w + (gsize) lo * K, (gsize) (hi - lo) * K, lr);
  _ts_net_update_range (net, l, u, layer->b + lo, hi - lo, lr, 0.f, 0.f);
  _ts_net_update_prelu (net, l, lo, hi, u);
  if (cfg->max_norm > 0.f)
    conv_max_norm_rows (net, l, lo, hi, cfg->max_norm);
}

const TsLayerOps _ts_layer_conv_ops = {
  .name = "conv",
  .split = TS_SPLIT_ROWS,
  .decayed = conv_decayed,
  .trained = conv_trained,
  .buffered = conv_buffered,
  .aux_rows = 0,
  .scratch = conv_scratch,
  .place = conv_place,
  .add_tensors = conv_add_tensors,
  .init = conv_init,
  .forward = conv_forward,
  .weight_gradients = conv_weight_gradients,
  .input_gradients = conv_input_gradients,
  .update = conv_update,
  .max_norm_rows = conv_max_norm_rows,
};
