/* The one place a net's layout is derived from its spec: which kind each
 * layer is, its sizes and activation, where its parameters and buffers sit
 * in the blocks, and the checkpoint tensors naming them. */
#include "ts-net-private.h"

void
_ts_net_add_tensor (TsNet *net, guint k, const char *suffix, TsTensorRole role, TsDType dtype, gsize offset,
                    guint ndim, guint64 d0, guint64 d1)
{
  TsNetTensor t = { .role = role, .dtype = dtype, .offset = offset, .shape = { ndim, { d0, d1 } } };
  g_snprintf (t.name, sizeof t.name, "layers.%u.%s", k, suffix);
  g_array_append_val (net->tensors, t);
}

static const TsLayerOps *
kind_ops (TsLayerKind kind)
{
  return kind == TS_LAYER_BATCHNORM ? &_ts_layer_batchnorm_ops : &_ts_layer_dense_ops;
}

/* A batchnorm normalises the pre-activation of the dense layer before it,
 * so that layer's activation (and dropout) move to the batchnorm. */
static void
resolve_layers (TsNet *net, const TsLayerSpec *hidden, guint n_hidden, TsActivation default_act, float leaky_slope)
{
  guint fan_in = net->in_dim;

  for (guint l = 0; l < net->n_layers; l++)
    {
      TsNetLayer *layer = &net->layers[l];
      gboolean output = l == n_hidden;
      const TsLayerSpec *spec = output ? NULL : &hidden[l];
      gboolean normalised = !output && l + 1 < n_hidden && hidden[l + 1].kind == TS_LAYER_BATCHNORM;

      layer->kind = output ? TS_LAYER_DENSE : spec->kind;
      layer->ops = kind_ops (layer->kind);
      layer->in = fan_in;
      if (output)
        layer->out = net->n_classes, layer->act = TS_ACT_IDENTITY;
      else if (layer->kind == TS_LAYER_BATCHNORM)
        {
          /* the activation of the dense layer it follows */
          layer->out = fan_in;
          layer->act = l > 0 && hidden[l - 1].kind == TS_LAYER_DENSE
                         ? (hidden[l - 1].activation == TS_INHERIT_ACTIVATION ? default_act
                                                                               : (TsActivation) hidden[l - 1].activation)
                         : TS_ACT_IDENTITY;
          layer->momentum = spec->momentum;
          layer->eps = spec->eps;
        }
      else
        {
          layer->out = spec->units;
          layer->act = normalised ? TS_ACT_IDENTITY
                       : spec->activation == TS_INHERIT_ACTIVATION ? default_act
                                                                   : (TsActivation) spec->activation;
        }
      layer->frozen = !output && spec->frozen;
      layer->lr_scale = output ? 1.f : ts_layer_lr_scale (spec);
      layer->dropout = !output && !normalised && net->dropout > 0.f;
      layer->slope = layer->act == TS_ACT_RRELU ? (TS_RRELU_LOWER + TS_RRELU_UPPER) / 2 : leaky_slope;
      layer->prelu = layer->running = TS_NO_PARAM;
      fan_in = layer->out;
    }
}

void
_ts_net_layout (TsNet *net, const TsLayerSpec *hidden, guint n_hidden, TsActivation default_act, float leaky_slope)
{
  gsize decay_at = 0, trained_at = 0, buffer_at = 0;
  guint k = 0;

  resolve_layers (net, hidden, n_hidden, default_act, leaky_slope);
  /* weights first (the decayed prefix), then biases and γ/β, then PReLU slopes */
  for (guint l = 0; l < net->n_layers; l++)
    trained_at += net->layers[l].ops->decayed (&net->layers[l]);
  net->n_decay = trained_at;
  for (guint l = 0; l < net->n_layers; l++)
    net->layers[l].ops->place (net, l, &decay_at, &trained_at, &buffer_at);
  for (guint l = 0; l < net->n_layers; l++)
    if (net->layers[l].act == TS_ACT_PRELU)
      {
        net->layers[l].prelu = trained_at;
        trained_at += net->layers[l].out;
      }
  net->n_params = trained_at;
  net->n_buffers = buffer_at;
  for (guint l = 0; l < net->n_layers; l++)
    {
      net->layers[l].ops->add_tensors (net, l, k++);
      if (net->layers[l].prelu != TS_NO_PARAM)
        _ts_net_add_tensor (net, k++, "weight", TS_TENSOR_PARAM, TS_DTYPE_F32, net->layers[l].prelu, 1,
                            net->layers[l].out, 0);
    }
}

GArray *
ts_net_spec_tensors (guint in_dim, const TsLayerSpec *hidden, guint n_hidden, TsActivation default_act,
                     guint n_classes, gsize *n_params, gsize *n_buffers)
{
  TsNet net = { .n_layers = n_hidden + 1, .in_dim = in_dim, .n_classes = n_classes };

  net.layers = g_new0 (TsNetLayer, net.n_layers);
  net.tensors = g_array_new (FALSE, FALSE, sizeof (TsNetTensor));
  _ts_net_layout (&net, hidden, n_hidden, default_act, 0.f);
  if (n_params)
    *n_params = net.n_params;
  if (n_buffers)
    *n_buffers = net.n_buffers;
  g_free (net.layers);
  return net.tensors;
}
