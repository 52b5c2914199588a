/* The pooling kinds, without parameters: pool (MaxPool2d / AvgPool2d, a
 * size × size window every stride, no padding) and global_avg_pool
 * (AdaptiveAvgPool2d(1) + flatten: [C,H,W] → [C]). A team shares them by
 * samples, as it does the conv layers around them, so a conv → pool → conv
 * stack passes forward without a barrier between them.
 *
 * Max pooling keeps, for each output, the index of the input it took: the
 * first maximum of its window in row-major order, which is the one
 * PyTorch's MaxPool2d sends the gradient to when values tie (the last NaN
 * wins, as there). */
#include "ts-net-private.h"

#include <math.h>
#include <string.h>

static gsize
no_params (const TsNetLayer *layer)
{
  return 0;
}

static void
pool_place (TsNet *net, guint l, gsize *decay_at, gsize *trained_at, gsize *buffer_at)
{
  net->layers[l].w = net->layers[l].b = 0; /* nothing there: ts_net_layer_weights gives [0] */
}

static void
pool_init (TsNet *net, guint l, TsInit init, double scale, TsRng *rng)
{
}

static void
pool_weight_gradients (TsNet *net, guint l, const float *in, guint B, const TsBlock *block, float *velocity,
                       float mu)
{
}

static void
pool_update (TsNet *net, guint l, const TsBlock *block, const TsUpdate *u)
{
}

static void
max_window (const float *x, guint W, guint k, gsize at, float *best, guint *where)
{
  float m = x[at];
  guint arg = (guint) at;

  for (guint i = 0; i < k; i++)
    for (guint j = 0; j < k; j++)
      {
        gsize idx = at + (gsize) i * W + j;
        if (x[idx] > m || isnan (x[idx]))
          {
            m = x[idx];
            arg = (guint) idx;
          }
      }
  *best = m;
  *where = arg;
}

static void
pool_forward (TsNet *net, guint l, const float *in, guint B, const TsBlock *blk, gboolean training)
{
  const TsNetLayer *layer = &net->layers[l];
  guint C = layer->channels, H = (guint) layer->in_shape.dims[1], W = (guint) layer->in_shape.dims[2];
  guint Ho = (guint) layer->out_shape.dims[1], Wo = (guint) layer->out_shape.dims[2], k = layer->kernel, s = layer->stride;
  gboolean max = layer->spec.pool == TS_POOL_MAX;
  float inv = 1.f / (float) (k * k);

  for (guint r = blk->r0; r < blk->r1; r++)
    {
      const float *x = in + (gsize) r * layer->in;
      float *z = net->z[l] + (gsize) r * layer->out, *arg = net->aux[l] + (gsize) r * layer->out;

      for (guint c = 0; c < C; c++)
        for (guint oh = 0; oh < Ho; oh++)
          for (guint ow = 0; ow < Wo; ow++)
            {
              gsize o = ((gsize) c * Ho + oh) * Wo + ow, at = ((gsize) c * H + oh * s) * W + ow * s;
              if (max)
                {
                  guint where;
                  max_window (x, W, k, at, &z[o], &where);
                  arg[o] = (float) where; /* exact: a sample has far fewer than 2²⁴ values */
                }
              else
                {
                  float sum = 0.f;
                  for (guint i = 0; i < k; i++)
                    for (guint j = 0; j < k; j++)
                      sum += x[at + (gsize) i * W + j];
                  z[o] = sum * inv;
                }
            }
    }
}

static void
pool_input_gradients (TsNet *net, guint l, guint B, const TsBlock *blk)
{
  const TsNetLayer *layer = &net->layers[l];
  guint C = layer->channels, H = (guint) layer->in_shape.dims[1], W = (guint) layer->in_shape.dims[2];
  guint Ho = (guint) layer->out_shape.dims[1], Wo = (guint) layer->out_shape.dims[2], k = layer->kernel, s = layer->stride;
  gboolean max = layer->spec.pool == TS_POOL_MAX;
  float inv = 1.f / (float) (k * k);

  for (guint r = blk->r0; r < blk->r1; r++)
    {
      float *dx = net->d[l - 1] + (gsize) r * layer->in;
      const float *d = net->d[l] + (gsize) r * layer->out, *arg = net->aux[l] + (gsize) r * layer->out;

      memset (dx, 0, sizeof (float) * layer->in);
      if (max)
        for (guint o = 0; o < layer->out; o++)
          dx[(gsize) arg[o]] += d[o];
      else
        for (guint c = 0; c < C; c++)
          for (guint oh = 0; oh < Ho; oh++)
            for (guint ow = 0; ow < Wo; ow++)
              {
                float g = d[((gsize) c * Ho + oh) * Wo + ow] * inv;
                gsize at = ((gsize) c * H + oh * s) * W + ow * s;
                for (guint i = 0; i < k; i++)
                  for (guint j = 0; j < k; j++)
                    dx[at + (gsize) i * W + j] += g;
              }
    }
}

const TsLayerOps _ts_layer_pool_ops = {
  .name = "pool",
  .split = TS_SPLIT_ROWS,
  .decayed = no_params,
  .trained = no_params,
  .buffered = no_params,
  .aux_rows = 1, /* max: the index each output took */
  .place = pool_place,
  .add_tensors = NULL,
  .init = pool_init,
  .forward = pool_forward,
  .weight_gradients = pool_weight_gradients,
  .input_gradients = pool_input_gradients,
  .update = pool_update,
  .max_norm_rows = NULL,
};

/* ---- global average pooling ---------------------------------------------- */

static guint
in_spatial (const TsNetLayer *layer)
{
  return (guint) (layer->in_shape.dims[1] * layer->in_shape.dims[2]);
}

static void
gap_forward (TsNet *net, guint l, const float *in, guint B, const TsBlock *blk, gboolean training)
{
  const TsNetLayer *layer = &net->layers[l];
  guint S = in_spatial (layer);

  for (guint r = blk->r0; r < blk->r1; r++)
    for (guint c = 0; c < layer->channels; c++)
      {
        const float *x = in + (gsize) r * layer->in + (gsize) c * S;
        float sum = 0.f;
        for (guint p = 0; p < S; p++)
          sum += x[p];
        net->z[l][(gsize) r * layer->out + c] = sum / (float) S;
      }
}

static void
gap_input_gradients (TsNet *net, guint l, guint B, const TsBlock *blk)
{
  const TsNetLayer *layer = &net->layers[l];
  guint S = in_spatial (layer);

  for (guint r = blk->r0; r < blk->r1; r++)
    for (guint c = 0; c < layer->channels; c++)
      {
        float g = net->d[l][(gsize) r * layer->out + c] / (float) S;
        float *dx = net->d[l - 1] + (gsize) r * layer->in + (gsize) c * S;
        for (guint p = 0; p < S; p++)
          dx[p] = g;
      }
}

const TsLayerOps _ts_layer_gap_ops = {
  .name = "global_avg_pool",
  .split = TS_SPLIT_ROWS,
  .decayed = no_params,
  .trained = no_params,
  .buffered = no_params,
  .aux_rows = 0,
  .place = pool_place,
  .add_tensors = NULL,
  .init = pool_init,
  .forward = gap_forward,
  .weight_gradients = pool_weight_gradients,
  .input_gradients = gap_input_gradients,
  .update = pool_update,
  .max_norm_rows = NULL,
};
