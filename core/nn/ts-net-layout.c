/* The one place a net's layout is derived from its spec and its input's
 * shape: which kind each layer is, its shapes (ts_layer_output_shape, the
 * derivation the experiment's validation uses too) and activation, where
 * its parameters and buffers sit in the blocks, and the checkpoint tensors
 * naming them. */
#include "ts-net-private.h"
#include "ts-error.h"
#include "ts-conv.h"

void
_ts_net_add_tensor (TsNet *net, guint k, const char *suffix, TsTensorRole role, TsDType dtype, gsize offset,
                    const TsShape *shape)
{
  TsNetTensor t = { .role = role, .dtype = dtype, .offset = offset, .shape = *shape };
  g_snprintf (t.name, sizeof t.name, "layers.%u.%s", k, suffix);
  g_array_append_val (net->tensors, t);
}

static const TsLayerOps *
kind_ops (TsLayerKind kind)
{
  switch (kind)
    {
    case TS_LAYER_BATCHNORM: return &_ts_layer_batchnorm_ops;
    case TS_LAYER_CONV: return &_ts_layer_conv_ops;
    case TS_LAYER_POOL: return &_ts_layer_pool_ops;
    case TS_LAYER_GLOBAL_AVG_POOL: return &_ts_layer_gap_ops;
    case TS_LAYER_DENSE: default: return &_ts_layer_dense_ops;
    }
}

static gboolean
has_activation (TsLayerKind kind)
{
  return kind == TS_LAYER_DENSE || kind == TS_LAYER_CONV;
}

static TsActivation
own_activation (const TsLayerSpec *spec, TsActivation default_act)
{
  return spec->activation == TS_INHERIT_ACTIVATION ? default_act : (TsActivation) spec->activation;
}

/* sizes of a layer from its shapes */
static void
set_shapes (TsNetLayer *layer, const TsShape *in, const TsShape *out)
{
  layer->in_shape = *in;
  layer->out_shape = *out;
  layer->in = (guint) ts_shape_numel (in);
  layer->out = (guint) ts_shape_numel (out);
  layer->channels = (guint) out->dims[0];
  layer->spatial = out->ndim == 3 ? (guint) (out->dims[1] * out->dims[2]) : 1;
  layer->kernel = layer->spec.kernel;
  layer->stride = layer->spec.stride;
  layer->pad = ts_layer_padding (&layer->spec);
  /* a batchnorm by whole channels; other unit splits at cache lines */
  layer->grain = layer->spatial > 1 ? layer->spatial : 16;
  if (layer->kind == TS_LAYER_CONV)
    {
      TsConvGeom g;
      ts_conv_geom_init (&g, (guint) in->dims[0], (guint) in->dims[1], (guint) in->dims[2], layer->channels,
                         layer->kernel, layer->stride, layer->pad);
      layer->group = ts_conv_group (&g);
    }
}

/* A batchnorm normalises the pre-activation of the dense or conv layer
 * before it, so that layer's activation (and dropout) move to the
 * batchnorm. Dropout is elementwise after every dense, conv and batchnorm
 * layer's activation (nn.Dropout, on conv outputs too), never after pools. */
static gboolean
resolve_layers (TsNet *net, const TsLayerSpec *hidden, guint n_hidden, TsActivation default_act, float leaky_slope,
                GError **error)
{
  TsShape shape = net->in_shape;

  for (guint l = 0; l < net->n_layers; l++)
    {
      TsNetLayer *layer = &net->layers[l];
      gboolean output = l == n_hidden;
      gboolean normalised = !output && l + 1 < n_hidden && hidden[l + 1].kind == TS_LAYER_BATCHNORM;
      TsShape out;
      GError *inner = NULL;

      layer->spec = output ? (TsLayerSpec) { net->n_classes, TS_ACT_IDENTITY, TS_LAYER_DENSE } : hidden[l];
      layer->kind = layer->spec.kind;
      layer->ops = kind_ops (layer->kind);
      if (!ts_layer_output_shape (&layer->spec, &shape, &out, &inner))
        {
          g_autofree char *text = ts_shape_text (&shape);
          if (output)
            g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "the output layer: %s (input %s)", inner->message,
                         text);
          else
            g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u]: %s (input %s)", l,
                         inner->message, text);
          g_error_free (inner);
          return FALSE;
        }
      set_shapes (layer, &shape, &out);
      if (output)
        layer->act = TS_ACT_IDENTITY;
      else if (layer->kind == TS_LAYER_BATCHNORM)
        {
          /* the activation of the dense or conv layer it follows */
          layer->act = l > 0 && has_activation (hidden[l - 1].kind) ? own_activation (&hidden[l - 1], default_act)
                                                                     : TS_ACT_IDENTITY;
          layer->momentum = layer->spec.momentum;
          layer->eps = layer->spec.eps;
        }
      else if (has_activation (layer->kind))
        layer->act = normalised ? TS_ACT_IDENTITY : own_activation (&layer->spec, default_act);
      else
        layer->act = TS_ACT_IDENTITY;
      layer->dropout = !output && !normalised && net->dropout > 0.f
                       && (has_activation (layer->kind) || layer->kind == TS_LAYER_BATCHNORM);
      /* "trainable": false and lr_scale, any kind (the output layer always trains at the step's LR) */
      layer->frozen = !output && layer->spec.frozen;
      layer->lr_scale = output ? 1.f : ts_layer_lr_scale (&layer->spec);
      layer->slope = layer->act == TS_ACT_RRELU ? (TS_RRELU_LOWER + TS_RRELU_UPPER) / 2 : leaky_slope;
      layer->prelu = layer->running = layer->partial = TS_NO_PARAM;
      shape = out;
    }
  return TRUE;
}

gboolean
_ts_net_layout (TsNet *net, const TsLayerSpec *hidden, guint n_hidden, TsActivation default_act, float leaky_slope,
                GError **error)
{
  gsize decay_at = 0, trained_at = 0, buffer_at = 0, partial_at = 0, scratch = 0;
  guint k = 0;

  if (!resolve_layers (net, hidden, n_hidden, default_act, leaky_slope, error))
    return FALSE;
  /* weights first (the decayed prefix), then biases and γ/β, then PReLU slopes */
  for (guint l = 0; l < net->n_layers; l++)
    trained_at += net->layers[l].ops->decayed (&net->layers[l]);
  net->n_decay = trained_at;
  for (guint l = 0; l < net->n_layers; l++)
    net->layers[l].ops->place (net, l, &decay_at, &trained_at, &buffer_at);
  for (guint l = 0; l < net->n_layers; l++)
    if (net->layers[l].act == TS_ACT_PRELU)
      {
        net->layers[l].prelu = trained_at; /* one slope per unit or channel, as nn.PReLU(C) */
        trained_at += net->layers[l].channels;
      }
  net->n_params = trained_at;
  net->n_buffers = buffer_at;
  for (guint l = 0; l < net->n_layers; l++)
    {
      TsNetLayer *layer = &net->layers[l];
      gsize own = layer->ops->decayed (layer) + layer->ops->trained (layer);

      if (layer->ops->split == TS_SPLIT_ROWS && own > 0)
        {
          /* weights, biases and PReLU slopes of this layer, in that order */
          layer->partial = partial_at;
          partial_at += own + (layer->prelu != TS_NO_PARAM ? layer->channels : 0);
        }
      if (layer->ops->scratch)
        scratch = MAX (scratch, layer->ops->scratch (layer));
    }
  net->partial_floats = partial_at;
  net->scratch_floats = scratch;
  for (guint l = 0; l < net->n_layers; l++)
    {
      TsShape slopes = { 1, { net->layers[l].channels } };
      if (net->layers[l].ops->add_tensors)
        net->layers[l].ops->add_tensors (net, l, k++);
      if (net->layers[l].prelu != TS_NO_PARAM)
        _ts_net_add_tensor (net, k++, "weight", TS_TENSOR_PARAM, TS_DTYPE_F32, net->layers[l].prelu, &slopes);
    }
  return TRUE;
}

gboolean
ts_net_check_shapes (const TsShape *input, const TsLayerSpec *hidden, guint n_hidden, guint n_classes,
                     GError **error)
{
  g_autoptr(GArray) tensors = ts_net_spec_tensors_shaped (input, hidden, n_hidden, TS_ACT_RELU, n_classes, NULL,
                                                          NULL, error);
  return tensors != NULL;
}

GArray *
ts_net_spec_tensors_shaped (const TsShape *input, const TsLayerSpec *hidden, guint n_hidden,
                            TsActivation default_act, guint n_classes, gsize *n_params, gsize *n_buffers,
                            GError **error)
{
  TsNet net = { .n_layers = n_hidden + 1, .in_shape = *input, .in_dim = (guint) ts_shape_numel (input),
                .n_classes = n_classes };
  gboolean ok;

  net.layers = g_new0 (TsNetLayer, net.n_layers);
  net.tensors = g_array_new (FALSE, FALSE, sizeof (TsNetTensor));
  ok = _ts_net_layout (&net, hidden, n_hidden, default_act, 0.f, error);
  if (n_params)
    *n_params = net.n_params;
  if (n_buffers)
    *n_buffers = net.n_buffers;
  g_free (net.layers);
  if (!ok)
    {
      g_array_unref (net.tensors);
      return NULL;
    }
  return net.tensors;
}

GArray *
ts_net_spec_tensors (guint in_dim, const TsLayerSpec *hidden, guint n_hidden, TsActivation default_act,
                     guint n_classes, gsize *n_params, gsize *n_buffers)
{
  TsShape input = { 1, { in_dim } };
  GArray *tensors = ts_net_spec_tensors_shaped (&input, hidden, n_hidden, default_act, n_classes, n_params,
                                                n_buffers, NULL);
  return tensors ? tensors : g_array_new (FALSE, FALSE, sizeof (TsNetTensor));
}
