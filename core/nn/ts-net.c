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

/* the per-thread blocks: the kinds' scratch, then the partial sums */
void
_ts_net_reserve_threads (TsNet *net, guint n)
{
  gsize size = net->scratch_floats + net->partial_floats;

  n = CLAMP (n, 1, TS_TEAM_MAX);
  if (size == 0 || n <= net->n_threads)
    return;
  for (guint t = net->n_threads; t < n; t++)
    net->thread_ws[t] = g_new0 (float, size);
  net->n_threads = n;
}

TsBlock
_ts_net_whole (const TsNet *net, guint l, guint B)
{
  const TsNetLayer *layer = &net->layers[l];
  return (TsBlock) { 0, B, 0, layer->out, 0, layer->in, net->thread_ws[0], NULL };
}

TsNet *
ts_net_new_shaped (const TsShape *input, const TsLayerSpec *hidden, guint n_hidden, TsActivation default_act,
                   float leaky_slope, float dropout, guint n_classes, guint batch_cap)
{
  g_autoptr(TsNet) net = g_new0 (TsNet, 1);

  net->n_layers = n_hidden + 1;
  net->layers = g_new0 (TsNetLayer, net->n_layers);
  net->in_shape = *input;
  net->in_dim = (guint) ts_shape_numel (input);
  net->n_classes = n_classes;
  net->dropout = dropout;
  net->default_act = default_act;
  net->leaky_slope = leaky_slope;
  net->tensors = g_array_new (FALSE, FALSE, sizeof (TsNetTensor));
  /* callers check the shapes first (ts_net_check_shapes) */
  g_return_val_if_fail (_ts_net_layout (net, hidden, n_hidden, default_act, leaky_slope, NULL), NULL);
  net->params = g_new0 (float, net->n_params + net->n_buffers);
  net->buffers = net->params + net->n_params;
  net->grads = g_new0 (float, net->n_params);
  for (guint l = 0; l < net->n_layers; l++)
    if (net->layers[l].prelu != TS_NO_PARAM)
      for (guint j = 0; j < net->layers[l].channels; j++)
        net->params[net->layers[l].prelu + j] = leaky_slope;
  net->z = g_new0 (float *, net->n_layers);
  net->a = g_new0 (float *, net->n_layers);
  net->y = g_new0 (float *, net->n_layers);
  net->d = g_new0 (float *, net->n_layers);
  net->noise = g_new0 (float *, net->n_layers);
  net->rslope = g_new0 (float *, net->n_layers);
  net->aux = g_new0 (float *, net->n_layers);
  reserve_workspace (net, MAX (batch_cap, 1));
  _ts_net_reserve_threads (net, 1);
  /* batch-norm layers start as the identity even before ts_net_init */
  for (guint l = 0; l < net->n_layers; l++)
    if (net->layers[l].kind == TS_LAYER_BATCHNORM)
      net->layers[l].ops->init (net, l, TS_INIT_ZERO, 0.0, NULL);
  return g_steal_pointer (&net);
}

TsNet *
ts_net_new (guint in_dim, const TsLayerSpec *hidden, guint n_hidden, TsActivation default_act,
            float leaky_slope, float dropout, guint n_classes, guint batch_cap)
{
  TsShape input = { 1, { in_dim } };
  return ts_net_new_shaped (&input, hidden, n_hidden, default_act, leaky_slope, dropout, n_classes, batch_cap);
}

TsNet *
ts_net_new_from_experiment (const TsExperiment *exp, const TsShape *input, guint n_classes, guint batch_cap)
{
  /* model.freeze folded into the entries' own "trainable" */
  g_autoptr(GArray) layers = ts_experiment_resolved_layers (exp);
  return ts_net_new_shaped (input, (const TsLayerSpec *) layers->data, layers->len, exp->model.activation,
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
  if (net->tensors)
    g_array_unref (net->tensors);
  g_free (net->workspace);
  g_free (net->z);
  g_free (net->a);
  g_free (net->y);
  g_free (net->d);
  g_free (net->noise);
  g_free (net->rslope);
  g_free (net->aux);
  for (guint t = 0; t < net->n_threads; t++)
    g_free (net->thread_ws[t]);
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
    hidden[l] = net->layers[l].spec;
  copy = ts_net_new_shaped (&net->in_shape, hidden, net->n_layers - 1, net->default_act, net->leaky_slope,
                            net->dropout, net->n_classes, net->batch_cap);
  /* activations changed in place since (_ts_net_set_hidden_activation) */
  for (guint l = 0; l < net->n_layers; l++)
    copy->layers[l].act = net->layers[l].act, copy->layers[l].slope = net->layers[l].slope;
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
_ts_net_init_matrix (float *w, guint rows, guint fan_in, TsInit init, double scale, TsRng *rng)
{
  gsize n = (gsize) rows * fan_in;
  double sigma = ts_init_sigma (init, fan_in, scale);

  if (init == TS_INIT_ORTHOGONAL)
    {
      g_autofree float *q = g_new (float, n);
      for (gsize i = 0; i < n; i++)
        q[i] = ts_rng_normal (rng);
      _ts_net_orthonormalize (w, rows, fan_in, q);
    }
  else if (sigma == 0.0)
    memset (w, 0, sizeof (float) * n);
  else
    for (gsize i = 0; i < n; i++)
      w[i] = (float) (ts_rng_normal (rng) * sigma);
}

void
ts_net_init (TsNet *net, TsInit init, double scale, TsRng *rng)
{
  for (guint l = 0; l < net->n_layers; l++)
    net->layers[l].ops->init (net, l, init, scale, rng);
}

/* ---- forward and backward, by blocks --------------------------------- */

static TsActParams
act_params (const TsNet *net, guint l, const TsBlock *b, gboolean training)
{
  const TsNetLayer *layer = &net->layers[l];
  gsize at = (gsize) b->r0 * layer->out + b->lo;
  return (TsActParams) {
    .kind = layer->act,
    .slope = layer->slope,
    .unit_slope = layer->prelu != TS_NO_PARAM ? net->params + layer->prelu + b->lo : NULL,
    .sample_slope = training && net->rslope[l] ? net->rslope[l] + at : NULL,
  };
}

/* rrelu slopes and dropout scales of the block: counter-based, so every
 * split of the work between threads draws the same numbers */
static void
draw_noise (TsNet *net, guint l, const TsBlock *b, guint64 noise_key)
{
  guint out = net->layers[l].out;
  guint64 key = noise_key ^ ((l + 1) * 0x632be59bd9b4e019ull);
  float keep = 1.f - net->dropout, scale = 1.f / keep;

  for (guint r = b->r0; r < b->r1; r++)
    for (guint j = b->lo; j < b->hi; j++)
      {
        gsize i = (gsize) r * out + j;
        if (net->rslope[l])
          net->rslope[l][i] = TS_RRELU_LOWER + (TS_RRELU_UPPER - TS_RRELU_LOWER) * ts_rng_hash_uniform (key, 2 * i);
        if (net->noise[l]) /* inverted dropout: keep with probability p, scale by 1/p */
          net->noise[l][i] = ts_rng_hash_uniform (key, 2 * i + 1) < keep ? scale : 0.f;
      }
}

/* PReLU of a layer with H·W > 1: one slope per channel (nn.PReLU(C)), so
 * the block goes by runs of one channel within a row */
typedef void (*ChannelRun) (TsNet *net, guint l, gsize at, guint len, guint c, gpointer data);

static void
for_channel_runs (TsNet *net, guint l, const TsBlock *b, ChannelRun run, gpointer data)
{
  const TsNetLayer *layer = &net->layers[l];
  guint S = layer->spatial;

  for (guint r = b->r0; r < b->r1; r++)
    for (guint j = b->lo; j < b->hi;)
      {
        guint c = j / S, end = MIN (b->hi, (c + 1) * S);
        run (net, l, (gsize) r * layer->out + j, end - j, c, data);
        j = end;
      }
}

static void
prelu_forward_run (TsNet *net, guint l, gsize at, guint len, guint c, gpointer data)
{
  TsActParams p = { .kind = TS_ACT_LEAKY_RELU, .slope = net->params[net->layers[l].prelu + c] };
  ts_activation_forward (net->a[l] + at, net->z[l] + at, 1, len, len, &p);
}

static void
prelu_backward_run (TsNet *net, guint l, gsize at, guint len, guint c, gpointer data)
{
  float *dslope = data, *d = net->d[l] + at, sum = 0.f;
  const float *z = net->z[l] + at;
  TsActParams p = { .kind = TS_ACT_LEAKY_RELU, .slope = net->params[net->layers[l].prelu + c] };

  for (guint i = 0; i < len; i++) /* ∂L/∂α = Σ (∂L/∂a) · z where z ≤ 0, before d becomes ∂L/∂z */
    sum += z[i] <= 0.f ? d[i] * z[i] : 0.f;
  dslope[c] += sum;
  ts_activation_backward (d, NULL, z, net->a[l] + at, 1, len, len, &p);
}

static gboolean
channel_prelu (const TsNetLayer *layer)
{
  return layer->prelu != TS_NO_PARAM && layer->spatial > 1;
}

void
_ts_net_forward_block (TsNet *net, guint l, const float *in, guint B, const TsBlock *b, gboolean training,
                       guint64 noise_key)
{
  TsNetLayer *layer = &net->layers[l];
  guint out = layer->out;

  if (b->hi <= b->lo || b->r1 <= b->r0)
    return;
  layer->ops->forward (net, l, in, B, b, training);
  if (training)
    draw_noise (net, l, b, noise_key);
  if (channel_prelu (layer))
    for_channel_runs (net, l, b, prelu_forward_run, NULL);
  else
    {
      TsActParams act = act_params (net, l, b, training);
      gsize at = (gsize) b->r0 * out + b->lo;
      ts_activation_forward (net->a[l] + at, net->z[l] + at, b->r1 - b->r0, b->hi - b->lo, out, &act);
    }
  if (net->noise[l])
    for (guint r = b->r0; r < b->r1; r++)
      for (guint j = b->lo; j < b->hi; j++)
        {
          gsize i = (gsize) r * out + j;
          net->y[l][i] = training ? net->a[l][i] * net->noise[l][i] : net->a[l][i];
        }
}

/* where a block's PReLU slope gradients go: a row-split layer's partial
 * sums (after its weights and biases), or the gradients */
static float *
slope_gradients (TsNet *net, guint l, const TsBlock *b)
{
  const TsNetLayer *layer = &net->layers[l];
  if (b->partial && layer->partial != TS_NO_PARAM)
    return b->partial + layer->partial + layer->ops->decayed (layer) + layer->ops->trained (layer);
  return net->grads + layer->prelu;
}

void
_ts_net_backward_block (TsNet *net, guint l, guint B, const TsBlock *b)
{
  TsNetLayer *layer = &net->layers[l];
  guint out = layer->out;
  float *d = net->d[l];

  if (b->hi <= b->lo || b->r1 <= b->r0)
    return;
  if (net->noise[l] && net->last_training)
    for (guint r = b->r0; r < b->r1; r++)
      for (guint j = b->lo; j < b->hi; j++)
        d[(gsize) r * out + j] *= net->noise[l][(gsize) r * out + j];
  /* d: ∂L/∂y → ∂L/∂z, in place */
  if (channel_prelu (layer))
    {
      float *dslope = slope_gradients (net, l, b);
      for (guint c = b->lo / layer->spatial; c < (b->hi + layer->spatial - 1) / layer->spatial; c++)
        dslope[c] = 0.f;
      for_channel_runs (net, l, b, prelu_backward_run, dslope);
    }
  else
    {
      TsActParams act = act_params (net, l, b, net->last_training);
      gsize at = (gsize) b->r0 * out + b->lo;
      ts_activation_backward (d + at, layer->prelu != TS_NO_PARAM ? net->grads + layer->prelu + b->lo : NULL,
                              net->z[l] + at, net->a[l] + at, b->r1 - b->r0, b->hi - b->lo, out, &act);
    }
}

void
_ts_net_update_prelu (TsNet *net, guint l, guint lo, guint hi, const TsUpdate *u)
{
  const TsNetLayer *layer = &net->layers[l];
  if (layer->prelu != TS_NO_PARAM && hi > lo)
    _ts_net_update_range (net, l, u, layer->prelu + lo, hi - lo, u->cfg->lr * layer->lr_scale, 0.f, 0.f);
}

void
_ts_net_update_range (TsNet *net, guint l, const TsUpdate *u, gsize offset, gsize count, float lr, float l2, float l1)
{
  ts_optimizer_update_since (u->cfg->opt, net->params, net->grads, offset, count, lr, l2, l1,
                             net->layers[l].steps_before);
}

void
_ts_net_update_weights (TsNet *net, guint l, const TsUpdate *u, gsize offset, gsize count, float lr)
{
  const TsStepConfig *cfg = u->cfg;

  /* momentum's velocity starts at zero whenever the layer does: no step count */
  if (u->velocity)
    ts_optimizer_finish_momentum (cfg->opt, net->params, offset, count, lr, cfg->l2);
  else
    _ts_net_update_range (net, l, u, offset, count, lr, cfg->l2, cfg->l1);
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
    {
      TsBlock all = _ts_net_whole (net, l, B);
      _ts_net_forward_block (net, l, l > 0 ? net->y[l - 1] : x, B, &all, training, noise_key);
    }
  return net->y[net->n_layers - 1];
}

float *
ts_net_dlogits (TsNet *net)
{
  return net->d[net->n_layers - 1];
}

gboolean
_ts_net_layer_trains (const TsNet *net, guint l)
{
  const TsNetLayer *layer = &net->layers[l];
  return !layer->frozen && (layer->ops->decayed (layer) + layer->ops->trained (layer) > 0 || layer->prelu != TS_NO_PARAM);
}

guint
_ts_net_first_trained_layer (const TsNet *net)
{
  guint l = 0;
  while (l + 1 < net->n_layers && !_ts_net_layer_trains (net, l))
    l++;
  return l;
}

/* training: as the team step does it — no weight gradients for a frozen
 * layer, nothing below the lowest layer that trains; the signal: every
 * layer's d, weights or not */
static void
backward (TsNet *net, const float *x, guint B, gboolean training)
{
  guint first = training ? _ts_net_first_trained_layer (net) : 0;

  for (guint l = net->n_layers; l-- > first;)
    {
      const TsNetLayer *layer = &net->layers[l];
      TsBlock all = _ts_net_whole (net, l, B), inputs = all;

      _ts_net_backward_block (net, l, B, &all);
      if (training && !layer->frozen)
        layer->ops->weight_gradients (net, l, _ts_net_layer_input (net, l, x), B, &all, NULL, 0.f);
      inputs.lo = 0, inputs.hi = layer->in;
      if (l > first)
        layer->ops->input_gradients (net, l, B, &inputs);
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

void
ts_net_update (TsNet *net, const TsStepConfig *cfg)
{
  TsUpdate u = { cfg, NULL, NULL, 0 };

  ts_optimizer_begin_step (cfg->opt);
  for (guint l = 0; l < net->n_layers; l++)
    {
      const TsNetLayer *layer = &net->layers[l];
      TsBlock all = _ts_net_whole (net, l, 1);
      /* a row-split kind's update block counts filters, not columns */
      if (layer->ops->split == TS_SPLIT_ROWS)
        all.hi = layer->channels;
      layer->ops->update (net, l, &all, &u);
    }
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
      net->layers[l].ops->max_norm_rows (net, l, 0, net->layers[l].channels, c);
}
