#include "ts-net-private.h"
#include "ts-experiment.h"

#include <lapacke.h>
#include <math.h>
#include <string.h>

static gboolean
layer_has_dropout (const TsNet *net, guint l)
{
  return net->layers[l].dropout;
}

static gsize
aux_size (const TsNet *net, guint l, guint batch)
{
  guint rows = net->layers[l].ops->aux_rows;
  return rows ? ((gsize) rows * batch + 4) * net->layers[l].out : 0;
}

static void
reserve_workspace (TsNet *net, guint batch)
{
  gsize total = 0, at = 0;

  if (batch <= net->batch_cap && net->workspace)
    return;
  for (guint l = 0; l < net->n_layers; l++)
    {
      guint buffers = 3 + (layer_has_dropout (net, l) ? 2 : 0) + (net->layers[l].act == TS_ACT_RRELU);
      total += (gsize) buffers * batch * net->layers[l].out + aux_size (net, l, batch);
    }
  g_free (net->workspace);
  net->workspace = g_new0 (float, total);
  net->batch_cap = batch;
  for (guint l = 0; l < net->n_layers; l++)
    {
      gsize size = (gsize) batch * net->layers[l].out;
      net->z[l] = net->workspace + at, at += size;
      net->a[l] = net->workspace + at, at += size;
      net->d[l] = net->workspace + at, at += size;
      net->y[l] = net->a[l];
      net->noise[l] = net->rslope[l] = NULL;
      if (layer_has_dropout (net, l))
        {
          net->y[l] = net->workspace + at, at += size;
          net->noise[l] = net->workspace + at, at += size;
        }
      if (net->layers[l].act == TS_ACT_RRELU)
        net->rslope[l] = net->workspace + at, at += size;
      net->aux[l] = aux_size (net, l, batch) ? net->workspace + at : NULL;
      at += aux_size (net, l, batch);
    }
}

TsNet *
ts_net_new (guint in_dim, const TsLayerSpec *hidden, guint n_hidden, TsActivation default_act,
            float leaky_slope, float dropout, guint n_classes, guint batch_cap)
{
  TsNet *net = g_new0 (TsNet, 1);

  net->n_layers = n_hidden + 1;
  net->layers = g_new0 (TsNetLayer, net->n_layers);
  net->in_dim = in_dim;
  net->n_classes = n_classes;
  net->dropout = dropout;
  net->tensors = g_array_new (FALSE, FALSE, sizeof (TsNetTensor));
  _ts_net_layout (net, hidden, n_hidden, default_act, leaky_slope);
  net->params = g_new0 (float, net->n_params + net->n_buffers);
  net->buffers = net->params + net->n_params;
  net->grads = g_new0 (float, net->n_params);
  for (guint l = 0; l < net->n_layers; l++)
    if (net->layers[l].prelu != TS_NO_PARAM)
      for (guint j = 0; j < net->layers[l].out; j++)
        net->params[net->layers[l].prelu + j] = leaky_slope;
  net->z = g_new0 (float *, net->n_layers);
  net->a = g_new0 (float *, net->n_layers);
  net->y = g_new0 (float *, net->n_layers);
  net->d = g_new0 (float *, net->n_layers);
  net->noise = g_new0 (float *, net->n_layers);
  net->rslope = g_new0 (float *, net->n_layers);
  net->aux = g_new0 (float *, net->n_layers);
  reserve_workspace (net, MAX (batch_cap, 1));
  /* batch-norm layers start as the identity even before ts_net_init */
  for (guint l = 0; l < net->n_layers; l++)
    if (net->layers[l].kind == TS_LAYER_BATCHNORM)
      net->layers[l].ops->init (net, l, TS_INIT_ZERO, 0.0, NULL);
  return net;
}

TsNet *
ts_net_new_from_experiment (const TsExperiment *exp, guint in_dim, guint n_classes, guint batch_cap)
{
  /* model.freeze folded into the entries' own "trainable" */
  g_autoptr(GArray) layers = ts_experiment_resolved_layers (exp);
  return ts_net_new (in_dim, (const TsLayerSpec *) layers->data, layers->len, exp->model.activation,
                     (float) exp->model.leaky_slope, (float) exp->model.dropout, n_classes, batch_cap);
}

void
ts_net_free (TsNet *net)
{
  if (net == NULL)
    return;
  g_free (net->layers);
  g_free (net->params);
  g_free (net->grads);
  g_array_unref (net->tensors);
  g_free (net->workspace);
  g_free (net->z);
  g_free (net->a);
  g_free (net->y);
  g_free (net->d);
  g_free (net->noise);
  g_free (net->rslope);
  g_free (net->aux);
  g_free (net);
}

static gboolean
changes_layout (TsActivation act)
{
  return act == TS_ACT_PRELU || act == TS_ACT_RRELU;
}

gboolean
_ts_net_set_hidden_activation (TsNet *net, TsActivation act, float slope)
{
  if (changes_layout (act))
    return FALSE;
  for (guint l = 0; l + 1 < net->n_layers; l++)
    if (changes_layout (net->layers[l].act) || net->layers[l].kind != TS_LAYER_DENSE)
      return FALSE;
  for (guint l = 0; l + 1 < net->n_layers; l++)
    net->layers[l].act = act, net->layers[l].slope = slope;
  return TRUE;
}

TsNet *
ts_net_copy (const TsNet *net)
{
  g_autofree TsLayerSpec *hidden = g_new0 (TsLayerSpec, net->n_layers);
  TsNet *copy;

  for (guint l = 0; l + 1 < net->n_layers; l++)
    {
      const TsNetLayer *layer = &net->layers[l];
      hidden[l] = (TsLayerSpec) { layer->out, layer->act, layer->kind, layer->momentum, layer->eps, layer->frozen,
                                  .lr_scale = layer->lr_scale };
      /* the activation a batchnorm applies was its dense layer's */
      if (layer->kind == TS_LAYER_BATCHNORM && l > 0)
        hidden[l - 1].activation = layer->act;
    }
  copy = ts_net_new (net->in_dim, hidden, net->n_layers - 1, TS_ACT_RELU, 0.f, net->dropout,
                     net->n_classes, net->batch_cap);
  for (guint l = 0; l < net->n_layers; l++)
    copy->layers[l].slope = net->layers[l].slope;
  memcpy (copy->params, net->params, sizeof (float) * (net->n_params + net->n_buffers));
  return copy;
}

/* ---- initialisation ----------------------------------------------------- */

/* Orthonormal rows (or columns, when out > in): the Q of a QR factorisation
 * (LAPACK) of a Gaussian matrix, as Saxe et al. and torch.nn.init do.
 * q: (max(out,in), min(out,in)) N(0,1) values, overwritten. */
void
_ts_net_orthonormalize (float *w, guint out, guint in, float *q)
{
  guint count = MIN (out, in), len = MAX (out, in);
  g_autofree float *tau = g_new (float, count);

  if (LAPACKE_sgeqrf (LAPACK_ROW_MAJOR, len, count, q, count, tau) != 0
      || LAPACKE_sorgqr (LAPACK_ROW_MAJOR, len, count, count, q, count, tau) != 0)
    return; /* cannot happen for a finite matrix; leaves w as it was */
  for (guint j = 0; j < len; j++)
    for (guint r = 0; r < count; r++)
      {
        /* out <= in: W's rows are the vectors; else its columns */
        gsize at = out <= in ? (gsize) r * in + j : (gsize) j * in + r;
        w[at] = q[(gsize) j * count + r];
      }
}

double
ts_init_sigma (TsInit init, guint fan_in, double scale)
{
  switch (init)
    {
    case TS_INIT_SMALL: return scale;                   /* w ~ N(0, σ²) */
    case TS_INIT_XAVIER: return 1.0 / sqrt (fan_in);    /* w ~ N(0, 1/fan_in) */
    case TS_INIT_HE: return sqrt (2.0 / fan_in);        /* w ~ N(0, 2/fan_in) */
    default: return 0.0;                                /* zero; orthogonal is not Gaussian */
    }
}

void
ts_net_init (TsNet *net, TsInit init, double scale, TsRng *rng)
{
  for (guint l = 0; l < net->n_layers; l++)
    net->layers[l].ops->init (net, l, init, scale, rng);
}

/* ---- forward and backward, by blocks of units --------------------------- */

static TsActParams
act_params (const TsNet *net, guint l, guint lo, gboolean training)
{
  const TsNetLayer *layer = &net->layers[l];
  return (TsActParams) {
    .kind = layer->act,
    .slope = layer->slope,
    .unit_slope = layer->prelu != TS_NO_PARAM ? net->params + layer->prelu + lo : NULL,
    .sample_slope = training && net->rslope[l] ? net->rslope[l] + lo : NULL,
  };
}

/* rrelu slopes and dropout scales for units [lo, hi): counter-based, so
 * every split of the units between threads draws the same numbers */
static void
draw_noise (TsNet *net, guint l, guint B, guint lo, guint hi, guint64 noise_key)
{
  guint out = net->layers[l].out;
  guint64 key = noise_key ^ ((l + 1) * 0x632be59bd9b4e019ull);
  float keep = 1.f - net->dropout, scale = 1.f / keep;

  for (guint r = 0; r < B; r++)
    for (guint j = lo; j < hi; j++)
      {
        gsize i = (gsize) r * out + j;
        if (net->rslope[l])
          net->rslope[l][i] = TS_RRELU_LOWER + (TS_RRELU_UPPER - TS_RRELU_LOWER) * ts_rng_hash_uniform (key, 2 * i);
        if (net->noise[l]) /* inverted dropout: keep with probability p, scale by 1/p */
          net->noise[l][i] = ts_rng_hash_uniform (key, 2 * i + 1) < keep ? scale : 0.f;
      }
}

void
_ts_net_forward_block (TsNet *net, guint l, const float *in, guint B, guint lo, guint hi, gboolean training,
                       guint64 noise_key)
{
  TsNetLayer *layer = &net->layers[l];
  guint out = layer->out;
  TsActParams act;

  if (hi <= lo)
    return;
  layer->ops->forward (net, l, in, B, lo, hi, training);
  if (training)
    draw_noise (net, l, B, lo, hi, noise_key);
  act = act_params (net, l, lo, training);
  ts_activation_forward (net->a[l] + lo, net->z[l] + lo, B, hi - lo, out, &act);
  if (net->noise[l])
    for (guint r = 0; r < B; r++)
      for (guint j = lo; j < hi; j++)
        {
          gsize i = (gsize) r * out + j;
          net->y[l][i] = training ? net->a[l][i] * net->noise[l][i] : net->a[l][i];
        }
}

void
_ts_net_backward_block (TsNet *net, guint l, guint B, guint lo, guint hi)
{
  TsNetLayer *layer = &net->layers[l];
  guint out = layer->out;
  TsActParams act = act_params (net, l, lo, net->last_training);
  float *d = net->d[l];

  if (hi <= lo)
    return;
  if (net->noise[l] && net->last_training)
    for (guint r = 0; r < B; r++)
      for (guint j = lo; j < hi; j++)
        d[(gsize) r * out + j] *= net->noise[l][(gsize) r * out + j];
  /* d: ∂L/∂y → ∂L/∂z, in place */
  ts_activation_backward (d + lo, layer->prelu != TS_NO_PARAM ? net->grads + layer->prelu + lo : NULL,
                          net->z[l] + lo, net->a[l] + lo, B, hi - lo, out, &act);
}

void
_ts_net_update_prelu (TsNet *net, guint l, guint lo, guint hi, const TsUpdate *u)
{
  const TsNetLayer *layer = &net->layers[l];
  if (layer->prelu != TS_NO_PARAM)
    ts_optimizer_update (u->cfg->opt, net->params, net->grads, layer->prelu + lo, hi - lo, u->cfg->lr * layer->lr_scale, 0.f, 0.f);
}

void
_ts_net_prepare (TsNet *net, guint B, gboolean training)
{
  reserve_workspace (net, B);
  net->last_training = training;
}

const float *
ts_net_forward (TsNet *net, const float *x, guint B, gboolean training, guint64 noise_key)
{
  _ts_net_prepare (net, B, training);
  for (guint l = 0; l < net->n_layers; l++)
    _ts_net_forward_block (net, l, l > 0 ? net->y[l - 1] : x, B, 0, net->layers[l].out, training, noise_key);
  return net->y[net->n_layers - 1];
}

float *
ts_net_dlogits (TsNet *net)
{
  return net->d[net->n_layers - 1];
}

static void
backward (TsNet *net, const float *x, guint B, gboolean weights)
{
  for (guint l = net->n_layers; l-- > 0;)
    {
      const TsNetLayer *layer = &net->layers[l];
      _ts_net_backward_block (net, l, B, 0, layer->out);
      if (weights)
        {
          TsWeightBlock all = { 0, layer->out, 0, layer->in };
          layer->ops->weight_gradients (net, l, _ts_net_layer_input (net, l, x), B, &all, NULL, 0.f);
        }
      layer->ops->input_gradients (net, l, B, 0, layer->in);
    }
}

void
ts_net_backward (TsNet *net, const float *x, guint B)
{
  backward (net, x, B, TRUE);
}

void
ts_net_backward_signal (TsNet *net, const float *x, guint B)
{
  backward (net, x, B, FALSE);
}

double
ts_net_regularization (const TsNet *net, double l2, double l1)
{
  double sq = 0.0, abs_sum = 0.0;

  for (gsize i = 0; i < net->n_decay; i++)
    {
      sq += (double) net->params[i] * net->params[i];
      abs_sum += fabs (net->params[i]);
    }
  return 0.5 * l2 * sq + l1 * abs_sum;
}

void
ts_net_max_norm (TsNet *net, float c)
{
  for (guint l = 0; l < net->n_layers; l++)
    if (net->layers[l].ops->max_norm_rows && !net->layers[l].frozen)
      net->layers[l].ops->max_norm_rows (net, l, 0, net->layers[l].out, c);
}
