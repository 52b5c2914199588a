/* Reading a net from outside it: sizes, blocks, and each layer's tensors
 * and last activations, so no code outside the net touches its struct. */
#include "ts-net-private.h"

#include <string.h>

guint
ts_net_n_layers (const TsNet *net)
{
  return net->n_layers;
}

guint
ts_net_in_dim (const TsNet *net)
{
  return net->in_dim;
}

void
ts_net_in_shape (const TsNet *net, TsShape *shape)
{
  *shape = net->in_shape;
}

guint
ts_net_n_classes (const TsNet *net)
{
  return net->n_classes;
}

guint
ts_net_batch_cap (const TsNet *net)
{
  return net->batch_cap;
}

gsize
ts_net_n_params (const TsNet *net)
{
  return net->n_params;
}

gsize
ts_net_n_decay (const TsNet *net)
{
  return net->n_decay;
}

float *
ts_net_params (TsNet *net)
{
  return net->params;
}

float *
ts_net_grads (TsNet *net)
{
  return net->grads;
}

float *
ts_net_state (TsNet *net)
{
  return net->params;
}

gsize
ts_net_state_size (const TsNet *net)
{
  return net->n_params + net->n_buffers;
}

const GArray *
ts_net_tensors (const TsNet *net)
{
  return net->tensors;
}

TsLayerKind
ts_net_layer_kind (const TsNet *net, guint l)
{
  g_return_val_if_fail (l < net->n_layers, TS_LAYER_DENSE);
  return net->layers[l].kind;
}

guint
ts_net_layer_units (const TsNet *net, guint l)
{
  g_return_val_if_fail (l < net->n_layers, 0);
  return net->layers[l].out;
}

guint
ts_net_layer_inputs (const TsNet *net, guint l)
{
  g_return_val_if_fail (l < net->n_layers, 0);
  return net->layers[l].in;
}

void
ts_net_layer_out_shape (const TsNet *net, guint l, TsShape *shape)
{
  g_return_if_fail (l < net->n_layers);
  *shape = net->layers[l].out_shape;
}

void
ts_net_layer_in_shape (const TsNet *net, guint l, TsShape *shape)
{
  g_return_if_fail (l < net->n_layers);
  *shape = net->layers[l].in_shape;
}

guint
ts_net_layer_channels (const TsNet *net, guint l)
{
  g_return_val_if_fail (l < net->n_layers, 0);
  return net->layers[l].channels;
}

TsActivation
ts_net_layer_activation (const TsNet *net, guint l)
{
  g_return_val_if_fail (l < net->n_layers, TS_ACT_IDENTITY);
  return net->layers[l].act;
}

static void
weight_shape (const TsNetLayer *layer, TsShape *shape)
{
  if (shape == NULL)
    return;
  if (layer->kind == TS_LAYER_CONV)
    *shape = (TsShape) { 4, { layer->channels, layer->in_shape.dims[0], layer->kernel, layer->kernel } };
  else if (layer->ops->decayed (layer) > 0)
    *shape = (TsShape) { 2, { layer->out, layer->in } };
  else if (layer->ops->trained (layer) > 0)
    *shape = (TsShape) { 1, { layer->channels } };
  else
    *shape = (TsShape) { 1, { 0 } }; /* a pool: no weights */
}

const float *
ts_net_layer_weights (const TsNet *net, guint l, TsShape *shape)
{
  g_return_val_if_fail (l < net->n_layers, NULL);
  weight_shape (&net->layers[l], shape);
  return net->params + net->layers[l].w;
}

gsize
ts_net_layer_weights_offset (const TsNet *net, guint l)
{
  g_return_val_if_fail (l < net->n_layers, 0);
  return net->layers[l].w;
}

const float *
ts_net_layer_weight_grads (const TsNet *net, guint l, TsShape *shape)
{
  g_return_val_if_fail (l < net->n_layers, NULL);
  weight_shape (&net->layers[l], shape);
  return net->grads + net->layers[l].w;
}

const float *
ts_net_layer_bias (const TsNet *net, guint l)
{
  g_return_val_if_fail (l < net->n_layers, NULL);
  return net->params + net->layers[l].b;
}

float *
ts_net_layer_weights_mut (TsNet *net, guint l, TsShape *shape)
{
  return (float *) ts_net_layer_weights (net, l, shape);
}

float *
ts_net_layer_bias_mut (TsNet *net, guint l)
{
  return (float *) ts_net_layer_bias (net, l);
}

gboolean
ts_net_layer_running_stats (const TsNet *net, guint l, const float **mean, const float **var)
{
  g_return_val_if_fail (l < net->n_layers, FALSE);
  if (net->layers[l].running == TS_NO_PARAM)
    return FALSE;
  if (mean)
    *mean = net->buffers + net->layers[l].running;
  if (var)
    *var = net->buffers + net->layers[l].running + net->layers[l].channels;
  return TRUE;
}

const float *
ts_net_layer_z (const TsNet *net, guint l)
{
  return l < net->n_layers ? net->z[l] : NULL;
}

const float *
ts_net_layer_a (const TsNet *net, guint l)
{
  return l < net->n_layers ? net->a[l] : NULL;
}

const float *
ts_net_layer_y (const TsNet *net, guint l)
{
  return l < net->n_layers ? net->y[l] : NULL;
}

const float *
ts_net_layer_d (const TsNet *net, guint l)
{
  return l < net->n_layers ? net->d[l] : NULL;
}

gboolean
ts_net_layer_frozen (const TsNet *net, guint l)
{
  return net->layers[l].frozen;
}

float
ts_net_layer_lr_scale (const TsNet *net, guint l)
{
  return net->layers[l].lr_scale;
}

static void
zero_state (TsOptimizer *opt, gsize offset, gsize count)
{
  if (opt->m)
    memset (opt->m + offset, 0, sizeof (float) * count);
  if (opt->v)
    memset (opt->v + offset, 0, sizeof (float) * count);
}

/* a layer's optimizer state from zero: its weights (a batch norm's γ),
 * biases (β) and PReLU slopes; its steps counted from now */
static void
restart_state (TsNet *net, guint l, TsOptimizer *opt)
{
  TsNetLayer *layer = &net->layers[l];
  gsize weights = layer->ops->decayed (layer), others = layer->ops->trained (layer);

  if (weights + others == 0)
    return;
  zero_state (opt, layer->w, weights ? weights : layer->channels);
  zero_state (opt, layer->b, layer->channels);
  if (layer->prelu != TS_NO_PARAM)
    zero_state (opt, layer->prelu, layer->channels);
  layer->steps_before = opt->t;
}

void
ts_net_set_trainable (TsNet *net, const TsLayerSpec *hidden, guint n_hidden, TsOptimizer *opt)
{
  g_return_if_fail (n_hidden + 1 == net->n_layers);
  for (guint l = 0; l < n_hidden; l++)
    {
      TsNetLayer *layer = &net->layers[l];
      if (layer->frozen && !hidden[l].frozen && opt)
        restart_state (net, l, opt);
      layer->frozen = hidden[l].frozen;
      layer->lr_scale = ts_layer_lr_scale (&hidden[l]);
      layer->spec.frozen = hidden[l].frozen;
      layer->spec.lr_scale = hidden[l].lr_scale;
    }
}
