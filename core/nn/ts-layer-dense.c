/* The dense layer kind: z = x·Wᵀ + b, W (out, in) as PyTorch's Linear.
 * Its team share is cut at 16 units (a cache line of a row). */
#include "ts-net-private.h"

#include <math.h>
#include <string.h>

static gsize
dense_decayed (const TsNetLayer *layer)
{
  return (gsize) layer->in * layer->out;
}

static gsize
dense_trained (const TsNetLayer *layer)
{
  return layer->out;
}

static gsize
dense_buffered (const TsNetLayer *layer)
{
  return 0;
}

static void
dense_place (TsNet *net, guint l, gsize *decay_at, gsize *trained_at, gsize *buffer_at)
{
  TsNetLayer *layer = &net->layers[l];
  layer->w = *decay_at, *decay_at += dense_decayed (layer);
  layer->b = *trained_at, *trained_at += layer->out;
}

static void
dense_add_tensors (TsNet *net, guint l, guint k)
{
  const TsNetLayer *layer = &net->layers[l];
  TsShape weight = { 2, { layer->out, layer->in } }, bias = { 1, { layer->out } };
  _ts_net_add_tensor (net, k, "weight", TS_TENSOR_PARAM, TS_DTYPE_F32, layer->w, &weight);
  _ts_net_add_tensor (net, k, "bias", TS_TENSOR_PARAM, TS_DTYPE_F32, layer->b, &bias);
}

static void
dense_init (TsNet *net, guint l, TsInit init, double scale, TsRng *rng)
{
  TsNetLayer *layer = &net->layers[l];
  memset (net->params + layer->b, 0, sizeof (float) * layer->out);
  _ts_net_init_matrix (net->params + layer->w, layer->out, layer->in, init, scale, rng);
}

/* z[r0:r1, lo:hi]: units by a team's share, or rows (the narrow output layer) */
static void
dense_forward (TsNet *net, guint l, const float *in, guint B, const TsBlock *blk, gboolean training)
{
  TsNetLayer *layer = &net->layers[l];
  ts_dense_forward (net->z[l] + (gsize) blk->r0 * layer->out, in + (gsize) blk->r0 * layer->in,
                    net->params + layer->w, net->params + layer->b, blk->r1 - blk->r0, layer->in, layer->out,
                    blk->lo, blk->hi);
}

static void
dense_weight_gradients (TsNet *net, guint l, const float *in, guint B, const TsBlock *block, float *velocity,
                        float mu)
{
  TsNetLayer *layer = &net->layers[l];
  float *dw = velocity ? velocity + layer->w : net->grads + layer->w;

  ts_dense_accumulate_weights (dw, velocity ? mu : 0.f, net->d[l], in, B, layer->in, layer->out, block->lo,
                               block->hi, block->c0, block->c1);
  if (block->c0 == 0 && block->c1 > 0) /* an empty block at column 0 has no bias */
    ts_dense_backward_bias (net->grads + layer->b, net->d[l], B, layer->out, block->lo, block->hi);
}

/* dx[r0:r1, lo:hi] = dz[r0:r1] · W[:, lo:hi] */
static void
dense_input_gradients (TsNet *net, guint l, guint B, const TsBlock *blk)
{
  TsNetLayer *layer = &net->layers[l];
  if (blk->r1 > blk->r0)
    ts_dense_backward_input (net->d[l - 1] + (gsize) blk->r0 * layer->in, net->d[l] + (gsize) blk->r0 * layer->out,
                             net->params + layer->w, blk->r1 - blk->r0, layer->in, layer->out, blk->lo, blk->hi);
}

static void
dense_max_norm_rows (TsNet *net, guint l, guint lo, guint hi, float c)
{
  TsNetLayer *layer = &net->layers[l];
  for (guint r = lo; r < hi; r++)
    {
      float *row = net->params + layer->w + (gsize) r * layer->in;
      double norm = 0.0;
      for (guint j = 0; j < layer->in; j++)
        norm += (double) row[j] * row[j];
      norm = sqrt (norm);
      if (norm > c)
        for (guint j = 0; j < layer->in; j++)
          row[j] *= (float) (c / norm);
    }
}

static void
dense_update (TsNet *net, guint l, const TsBlock *block, const TsUpdate *u)
{
  const TsStepConfig *cfg = u->cfg;
  const TsNetLayer *layer = &net->layers[l];
  guint lo = block->lo, hi = block->hi, width = block->c1 - block->c0;
  gboolean whole_rows = width == layer->in;
  float lr = cfg->lr * layer->lr_scale; /* discriminative rates: a param group's lr in torch */

  if (hi <= lo || width == 0 || layer->frozen)
    return;
  if (whole_rows)
    _ts_net_update_weights (net, l, u, layer->w + (gsize) lo * layer->in, (gsize) (hi - lo) * layer->in, lr);
  else
    for (guint r = lo; r < hi; r++)
      _ts_net_update_weights (net, l, u, layer->w + (gsize) r * layer->in + block->c0, width, lr);
  if (block->c0 == 0)
    {
      _ts_net_update_range (net, l, u, layer->b + lo, hi - lo, lr, 0.f, 0.f);
      _ts_net_update_prelu (net, l, lo, hi, u);
    }
  /* a narrow layer's rows are clipped once every column has moved */
  if (cfg->max_norm > 0.f && whole_rows)
    dense_max_norm_rows (net, l, lo, hi, cfg->max_norm);
}

const TsLayerOps _ts_layer_dense_ops = {
  .name = "dense",
  .split = TS_SPLIT_UNITS,
  .decayed = dense_decayed,
  .trained = dense_trained,
  .buffered = dense_buffered,
  .aux_rows = 0,
  .place = dense_place,
  .add_tensors = dense_add_tensors,
  .init = dense_init,
  .forward = dense_forward,
  .weight_gradients = dense_weight_gradients,
  .input_gradients = dense_input_gradients,
  .update = dense_update,
  .max_norm_rows = dense_max_norm_rows,
};
