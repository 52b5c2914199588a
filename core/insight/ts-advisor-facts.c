/* What the advisor measures of a run before any rule reads it: the loss
 * curve's shape per epoch and per step, and the layers at step 0 and
 * lately. Numbers are taken from the same records the plots draw. */
#include "ts-advisor-private.h"

#include <math.h>
#include <string.h>

static void
epoch_curve (TsAdvisorFacts *f)
{
  const TsMetricLog *log = f->in->epochs;
  guint n = log ? (guint) ts_metric_log_length (log) : 0;

  f->n_epochs = n;
  f->last = n ? ts_metric_log_epoch (log, n - 1) : NULL;
  f->loss_min = INFINITY;
  if (n == 0)
    return;
  f->loss_first = ts_metric_log_epoch (log, 0)->train_loss;
  f->loss_last = f->last->train_loss;
  for (guint i = 0; i < n; i++)
    {
      double v = ts_metric_log_epoch (log, i)->train_loss, prev;
      f->loss_min = MIN (f->loss_min, v);
      if (i == 0)
        continue;
      prev = ts_metric_log_epoch (log, i - 1)->train_loss;
      if (v < prev)
        f->falls++;
      else if (v > prev * 1.01)
        {
          f->rises++;
          f->biggest_rise = MAX (f->biggest_rise, v / prev - 1);
        }
    }
  f->flat = fabs (f->loss_last - f->loss_first) <= 0.02 * f->loss_first;
  f->falling = !f->flat && f->loss_last < f->loss_first && f->falls >= 2 * f->rises && f->falls * 3 >= (n - 1) * 2;
  if (n >= 3)
    {
      double late;
      f->late_epoch = MIN (n * 3 / 4, n - 2);
      late = ts_metric_log_epoch (log, f->late_epoch)->train_loss;
      f->still_falling = f->falling && late - f->loss_last > 0.03 * late;
    }
}

static void
step_curve (TsAdvisorFacts *f)
{
  const TsMetricLog *log = f->in->steps;
  gsize n = ts_metric_log_length (log), from = n * 7 / 10;
  double ema = 0, norm = 0, w, mean = 0, sq = 0;
  g_autofree double *s = NULL;

  f->n_steps = n;
  /* the loss at step 0: the first batch's mean, when it holds at least 16
   * samples (fewer say little, and the steps after them already move) */
  f->first_loss = n && f->in->exp->train.batch_size >= 16 ? ts_metric_log_step (log, 0)->loss : NAN;
  f->lr_now = n ? ts_metric_log_step (log, n - 1)->lr : f->in->exp->train.lr;
  if (n == 0)
    return;
  s = g_new (double, n);
  w = 1.0 - 1.0 / MAX (n / 20.0, 1.0);
  for (gsize i = 0; i < n; i++)
    {
      double v = ts_metric_log_step (log, i)->loss;
      if (isfinite (v))
        {
          ema = w * ema + (1 - w) * v;
          norm = w * norm + (1 - w);
        }
      s[i] = norm > 0 ? ema / norm : NAN;
    }
  f->step_first = s[n / 20];
  f->step_mid = s[n / 2];
  f->step_last = s[n - 1];
  f->step_min = INFINITY;
  for (gsize i = n / 10; i < n; i++)
    f->step_min = MIN (f->step_min, s[i]);
  for (gsize i = from; i < n; i++)
    {
      double v = ts_metric_log_step (log, i)->loss;
      mean += v / (n - from);
      sq += v * v / (n - from);
    }
  f->tail_spread = mean > 0 ? sqrt (MAX (sq - mean * mean, 0)) / mean : 0;
}

/* the mean of one field over the last few measurements, per layer */
static void
recent_means (const TsMetricLog *stats, guint layers, gsize offset, double *means)
{
  gsize n = ts_metric_log_length (stats), from = n > 4 ? n - 4 : 0;

  for (guint l = 0; l < layers; l++)
    {
      double sum = 0;
      guint count = 0;
      for (gsize i = from; i < n; i++)
        {
          const TsStatsRecord *r = ts_metric_log_get (stats, i);
          double v = G_STRUCT_MEMBER (float, &r->layers[l], offset);
          if (isfinite (v))
            sum += v, count++;
        }
      means[l] = count ? sum / count : NAN;
    }
}

static gboolean
weighted (TsLayerKind kind)
{
  return kind == TS_LAYER_DENSE || kind == TS_LAYER_CONV;
}

/* the activation the net applies at layer l (ts-net-layout.c): a dense or
 * conv layer's own unless a batch norm follows it, which then applies it;
 * pool and global average pool apply none */
static TsActivation
applied_activation (const TsExperiment *exp, guint l)
{
  const GArray *layers = exp->model.layers;
  TsLayerKind kind;

  if (l >= layers->len)
    return TS_ACT_IDENTITY;
  kind = g_array_index (layers, TsLayerSpec, l).kind;
  if (kind == TS_LAYER_BATCHNORM)
    return l > 0 && weighted (g_array_index (layers, TsLayerSpec, l - 1).kind)
             ? ts_experiment_layer_activation (exp, l - 1) : TS_ACT_IDENTITY;
  if (!weighted (kind))
    return TS_ACT_IDENTITY;
  if (l + 1 < layers->len && g_array_index (layers, TsLayerSpec, l + 1).kind == TS_LAYER_BATCHNORM)
    return TS_ACT_IDENTITY;
  return ts_experiment_layer_activation (exp, l);
}

static void
layer_kinds (TsAdvisorFacts *f, guint size)
{
  const TsExperiment *exp = f->in->exp;

  f->act = g_new0 (TsActivation, size);
  f->kind = g_new0 (TsLayerKind, size);
  f->first_weighted = f->last_weighted = G_MAXUINT;
  for (guint l = 0; l < size; l++)
    {
      f->kind[l] = l < exp->model.layers->len ? g_array_index (exp->model.layers, TsLayerSpec, l).kind
                                              : TS_LAYER_DENSE;
      f->act[l] = applied_activation (exp, l);
      f->n_conv += f->kind[l] == TS_LAYER_CONV;
      f->conv = f->n_conv > 0;
      f->n_weighted += l < exp->model.layers->len && weighted (f->kind[l]);
      if (l < exp->model.layers->len && (weighted (f->kind[l]) || f->kind[l] == TS_LAYER_BATCHNORM))
        {
          if (f->first_weighted == G_MAXUINT)
            f->first_weighted = l;
          f->last_weighted = l;
        }
    }
}

static void
layer_facts (TsAdvisorFacts *f)
{
  const TsMetricLog *stats = f->in->stats;
  const TsModelSpec *model = &f->in->exp->model;
  const TsStatsRecord *first;
  double logs = 0;
  guint count = 0;

  gsize size;

  f->ratio_max = f->ratio_mean = NAN;
  f->ratio_worst = G_MAXUINT;
  first = stats && ts_metric_log_length (stats) > 0 ? ts_metric_log_get (stats, 0) : NULL;
  /* sized to the net, zero where nothing was measured; the activations are
   * the experiment's, which rules read before the first measurement too */
  size = MAX (first ? first->n_layers : 0, model->layers->len + 1);
  layer_kinds (f, size);
  f->init_std = g_new0 (double, size), f->init_dead = g_new0 (double, size);
  f->init_sat = g_new0 (double, size), f->now_std = g_new0 (double, size);
  f->now_dead = g_new0 (double, size), f->now_sat = g_new0 (double, size);
  f->ratio = g_new (double, size);
  for (guint l = 0; l < size; l++)
    f->ratio[l] = NAN;
  if (first == NULL)
    return;
  f->n_layers = first->n_layers;
  f->n_hidden = f->n_layers - 1;
  for (guint l = 0; l < f->n_layers; l++)
    {
      f->init_std[l] = first->layers[l].act_std;
      f->init_dead[l] = first->layers[l].dead_fraction;
      f->init_sat[l] = first->layers[l].saturated_fraction;
    }
  recent_means (stats, f->n_layers, G_STRUCT_OFFSET (TsLayerStats, act_std), f->now_std);
  recent_means (stats, f->n_layers, G_STRUCT_OFFSET (TsLayerStats, dead_fraction), f->now_dead);
  recent_means (stats, f->n_layers, G_STRUCT_OFFSET (TsLayerStats, saturated_fraction), f->now_sat);
  recent_means (stats, f->n_layers, G_STRUCT_OFFSET (TsLayerStats, update_ratio), f->ratio);
  for (guint l = 0; l < f->n_layers; l++)
    {
      /* pool and global average pool have no weights to move: whatever a
       * record holds for them is no update ratio */
      if (f->kind[l] == TS_LAYER_POOL || f->kind[l] == TS_LAYER_GLOBAL_AVG_POOL)
        f->ratio[l] = NAN;
      if (isfinite (f->ratio[l]) && f->ratio[l] > 0)
        {
          if (isnan (f->ratio_max) || f->ratio[l] > f->ratio_max)
            f->ratio_max = f->ratio[l], f->ratio_worst = l;
          logs += log10 (f->ratio[l]), count++;
        }
    }
  if (count)
    f->ratio_mean = pow (10, logs / count);
}

gboolean
_ts_layer_is_maps (const TsAdvisorFacts *f, guint l)
{
  if (l >= f->in->exp->model.layers->len)
    return FALSE;
  return f->kind[l] == TS_LAYER_CONV || (f->kind[l] == TS_LAYER_BATCHNORM && l > 0 && f->kind[l - 1] == TS_LAYER_CONV);
}

const char *
_ts_layer_units (const TsAdvisorFacts *f, guint l, const char *dense_noun)
{
  return _ts_layer_is_maps (f, l) ? "channels" : dense_noun;
}

char *
_ts_layer_title (const TsAdvisorFacts *f, guint l)
{
  /* the window's layer menu counts every entry of model.layers from 1 */
  if (l >= f->in->exp->model.layers->len)
    return g_strdup ("the output layer");
  switch (f->kind[l])
    {
    case TS_LAYER_CONV:
      return g_strdup_printf ("conv layer %u", l + 1);
    case TS_LAYER_BATCHNORM:
      return g_strdup_printf ("layer %u (the batch norm after %s layer %u)", l + 1,
                              l > 0 && f->kind[l - 1] == TS_LAYER_CONV ? "conv" : "hidden", l);
    case TS_LAYER_POOL:
      return g_strdup_printf ("layer %u (a pool)", l + 1);
    case TS_LAYER_GLOBAL_AVG_POOL:
      return g_strdup_printf ("layer %u (the global average pool)", l + 1);
    default:
      return g_strdup_printf ("hidden layer %u", l + 1);
    }
}

void
_ts_advisor_facts_init (TsAdvisorFacts *f, const TsAdvisorInput *in)
{
  memset (f, 0, sizeof *f);
  f->in = in;
  f->expected = log (MAX (in->n_classes, 2));
  epoch_curve (f);
  step_curve (f);
  layer_facts (f);
}

void
_ts_advisor_facts_clear (TsAdvisorFacts *f)
{
  g_clear_pointer (&f->act, g_free);
  g_clear_pointer (&f->kind, g_free);
  g_clear_pointer (&f->ratio, g_free);
  g_clear_pointer (&f->init_std, g_free);
  g_clear_pointer (&f->init_dead, g_free);
  g_clear_pointer (&f->init_sat, g_free);
  g_clear_pointer (&f->now_std, g_free);
  g_clear_pointer (&f->now_dead, g_free);
  g_clear_pointer (&f->now_sat, g_free);
}
