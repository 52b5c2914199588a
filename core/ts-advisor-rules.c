/* The advisor's rules. Each reads the run (curves, statistics) and adds at
 * most one advice with its evidence. Thresholds are the classic rules of
 * thumb (CS231n): the first softmax loss near ln C, update/weight ratios
 * near 1e-3, activations that neither die out nor blow up with depth. */
#include "ts-advisor-private.h"
#include "ts-stats.h"

#include <math.h>

static guint recent_layer_means (const TsAdvisorInput *in, gsize offset, double *means);

/* the largest update/weight ratio of any layer lately; NaN if unmeasured */
static double
largest_update_ratio (const TsAdvisorInput *in)
{
  double ratio[TS_STATS_MAX_LAYERS], best = NAN;
  guint layers = recent_layer_means (in, G_STRUCT_OFFSET (TsLayerStats, update_ratio), ratio);

  for (guint l = 0; l < layers; l++)
    if (isfinite (ratio[l]))
      best = isnan (best) ? ratio[l] : MAX (best, ratio[l]);
  return best;
}

/* ---- curve shape ----------------------------------------------------------- */

/* the loss smoothed over a window of about a twentieth of the run */
static double *
smoothed_loss (const TsAdvisorInput *in, gsize *n_out)
{
  gsize n = ts_metric_log_length (in->steps);
  double *out = g_new (double, MAX (n, 1)), ema = 0, norm = 0, w = 1.0 - 1.0 / MAX (n / 20.0, 1.0);

  for (gsize i = 0; i < n; i++)
    {
      double v = ts_metric_log_step (in->steps, i)->loss;
      if (isfinite (v))
        {
          ema = w * ema + (1 - w) * v;
          norm = w * norm + (1 - w);
        }
      out[i] = norm > 0 ? ema / norm : NAN;
    }
  *n_out = n;
  return out;
}

/* a slow, steady, linear fall that has not levelled off: raise the LR */
void
_ts_rule_lr_too_low (const TsAdvisorInput *in, GPtrArray *out)
{
  gsize n;
  g_autofree double *s = smoothed_loss (in, &n);
  double first, last, mid, expected = log (MAX (in->n_classes, 2));
  double drop, second_half;
  JsonObject *ev;
  g_autofree char *action = NULL;

  if (in->diverged || n < 40)
    return;
  first = s[n / 20], mid = s[n / 2], last = s[n - 1];
  drop = (first - last) / first;
  second_half = (mid - last) / MAX (first - last, 1e-12);
  /* still far above a good loss and still falling: either it has fallen
   * little, steadily, or every layer moves far less than the healthy ~1e-3
   * of its size per step — the LR holds it back */
  if (!(last > 0.3 * expected && drop > 0.0 && second_half > 0.1
        && ((drop < 0.5 && second_half > 0.15) || largest_update_ratio (in) < 5e-4)))
    return;
  action = g_strdup_printf ("train.lr=%.2g", in->exp->train.lr * 10);
  ev = _ts_advice_add (out, "lr_too_low", TS_SEVERITY_WARNING, CLAMP (0.5 + second_half, 0, 0.95), action,
                       "The loss falls slowly and steadily (%.3g → %.3g, %.0f%% of it in the second half): "
                       "raise the learning rate 3–10×.", first, last, 100 * second_half);
  json_object_set_double_member (ev, "loss_start", first);
  json_object_set_double_member (ev, "loss_end", last);
  json_object_set_int_member (ev, "steps", (gint64) n);
}

/* a fast drop, then a level well above what the model can do, or a loss
 * that climbs back up, or jumps around: lower the LR */
void
_ts_rule_lr_too_high (const TsAdvisorInput *in, GPtrArray *out)
{
  gsize n, tail;
  g_autofree double *s = smoothed_loss (in, &n);
  double lo = G_MAXDOUBLE, last, mean = 0, sq = 0, expected = log (MAX (in->n_classes, 2));
  const char *what = NULL;
  JsonObject *ev;
  g_autofree char *action = NULL;

  if (in->diverged || n < 40)
    return;
  for (gsize i = n / 10; i < n; i++)
    lo = MIN (lo, s[i]);
  last = s[n - 1];
  tail = n - n * 7 / 10;
  for (gsize i = n * 7 / 10; i < n; i++)
    {
      double v = ts_metric_log_step (in->steps, i)->loss;
      mean += v / tail;
      sq += v * v / tail;
    }
  if (last > 2.0 * lo && last > 0.1 * expected)
    what = "climbs back up";
  else if (last > 0.5 * expected && sqrt (MAX (sq - mean * mean, 0)) > 0.6 * mean)
    what = "stays high and jumps around";
  else if (last > 1.05 * expected && s[n / 10] < s[0])
    what = "stays at chance level after a first drop";
  if (what == NULL)
    return;
  action = g_strdup_printf ("train.lr=%.2g", in->exp->train.lr / 5);
  ev = _ts_advice_add (out, "lr_too_high", TS_SEVERITY_WARNING, 0.7, action,
                       "The loss %s (lowest %.3g, now %.3g): divide the learning rate by 2 or 5.", what, lo, last);
  json_object_set_double_member (ev, "loss_min", lo);
  json_object_set_double_member (ev, "loss_end", last);
}

/* validation loss that stopped improving with no schedule to lower the LR */
void
_ts_rule_plateau_decay (const TsAdvisorInput *in, GPtrArray *out)
{
  gsize n = ts_metric_log_length (in->epochs), since = 0;
  double best = G_MAXDOUBLE;
  guint patience;
  JsonObject *ev;
  g_autofree char *action = NULL;

  if (in->diverged || n < 8 || in->exp->train.schedule.type != TS_SCHED_NONE)
    return;
  for (gsize i = 0; i < n; i++)
    {
      double v = ts_metric_log_epoch (in->epochs, i)->val_loss;
      if (!isfinite (v))
        return;
      if (v < best * 0.995)
        best = v, since = 0;
      else
        since++;
    }
  patience = MAX (3, (guint) (n / 4));
  if (since < patience)
    return;
  action = g_strdup ("train.schedule.type=plateau");
  ev = _ts_advice_add (out, "plateau_decay", TS_SEVERITY_INFO, 0.6, action,
                       "Validation loss has not improved for %zu epochs: divide the learning rate by 2 or 5 "
                       "when it stalls (a plateau schedule does this).", since);
  json_object_set_int_member (ev, "epochs_without_improvement", (gint64) since);
  json_object_set_double_member (ev, "best_val_loss", best);
}

/* ---- statistics ---------------------------------------------------------------- */

/* the mean of one field over the last few measurements, per layer */
static guint
recent_layer_means (const TsAdvisorInput *in, gsize offset, double *means)
{
  gsize n = in->stats ? ts_metric_log_length (in->stats) : 0, from = n > 4 ? n - 4 : 0;
  const TsStatsRecord *last;
  guint layers;

  if (n == 0)
    return 0;
  last = ts_metric_log_get (in->stats, n - 1);
  layers = last->n_layers;
  for (guint l = 0; l < layers; l++)
    {
      double sum = 0;
      guint count = 0;
      for (gsize i = from; i < n; i++)
        {
          const TsStatsRecord *r = ts_metric_log_get (in->stats, i);
          double v = G_STRUCT_MEMBER (float, &r->layers[l], offset);
          if (isfinite (v))
            sum += v, count++;
        }
      means[l] = count ? sum / count : NAN;
    }
  return layers;
}

void
_ts_rule_dead_units (const TsAdvisorInput *in, GPtrArray *out)
{
  double dead[TS_STATS_MAX_LAYERS];
  guint layers = recent_layer_means (in, G_STRUCT_OFFSET (TsLayerStats, dead_fraction), dead), worst = 0;
  JsonObject *ev;
  g_autofree char *action = NULL;

  for (guint l = 1; l + 1 < layers; l++)
    if (dead[l] > dead[worst])
      worst = l;
  if (layers < 2 || !(dead[worst] > 0.4))
    return;
  action = g_strdup_printf ("train.lr=%.2g", in->exp->train.lr / 3);
  ev = _ts_advice_add (out, "dead_units", dead[worst] > 0.8 ? TS_SEVERITY_CRITICAL : TS_SEVERITY_WARNING,
                       MIN (1.0, dead[worst] + 0.2), action,
                       "%.0f%% of the units of hidden layer %u never activate on a batch: a learning rate "
                       "that is too high killed them; lower it, or use leaky ReLU.", 100 * dead[worst], worst + 1);
  json_object_set_int_member (ev, "layer", worst + 1);
  json_object_set_double_member (ev, "dead_fraction", dead[worst]);
}

void
_ts_rule_saturated_units (const TsAdvisorInput *in, GPtrArray *out)
{
  double sat[TS_STATS_MAX_LAYERS];
  guint layers = recent_layer_means (in, G_STRUCT_OFFSET (TsLayerStats, saturated_fraction), sat), worst = 0;
  JsonObject *ev;

  for (guint l = 1; l + 1 < layers; l++)
    if (sat[l] > sat[worst])
      worst = l;
  if (layers < 2 || !(sat[worst] > 0.3))
    return;
  ev = _ts_advice_add (out, "saturated_units", TS_SEVERITY_WARNING, MIN (1.0, sat[worst] + 0.3), "model.init=xavier",
                       "%.0f%% of the outputs of hidden layer %u sit at the limits of their activation, where "
                       "its gradient is almost zero: the weights start too large; use xavier.",
                       100 * sat[worst], worst + 1);
  json_object_set_int_member (ev, "layer", worst + 1);
  json_object_set_double_member (ev, "saturated_fraction", sat[worst]);
}

/* activation spread across depth: dying out, or blowing up */
void
_ts_rule_activation_scale (const TsAdvisorInput *in, GPtrArray *out)
{
  double std[TS_STATS_MAX_LAYERS];
  guint layers = recent_layer_means (in, G_STRUCT_OFFSET (TsLayerStats, act_std), std), hidden;
  JsonObject *ev;

  if (layers < 3)
    return;
  hidden = layers - 1; /* the output layer's logits are not activations */
  if (std[hidden - 1] < 0.02 && std[hidden - 1] < 0.1 * std[0])
    {
      gboolean relu = in->exp->model.activation != TS_ACT_TANH && in->exp->model.activation != TS_ACT_SIGMOID;
      ev = _ts_advice_add (out, "vanishing_activations", TS_SEVERITY_WARNING, 0.8,
                           relu ? "model.init=he" : "model.init=xavier",
                           "Activations shrink with depth (std %.3g in the first hidden layer, %.3g in the last): "
                           "the signal dies out; initialise with xavier (tanh) or he (ReLU).",
                           std[0], std[hidden - 1]);
      json_object_set_double_member (ev, "first_std", std[0]);
      json_object_set_double_member (ev, "last_std", std[hidden - 1]);
    }
  else if (std[hidden - 1] > 50 && std[hidden - 1] > 10 * std[0])
    {
      ev = _ts_advice_add (out, "exploding_activations", TS_SEVERITY_WARNING, 0.8, "model.init=he",
                           "Activations grow with depth (std %.3g in the first hidden layer, %.3g in the last): "
                           "the weights are too large; use he or xavier.", std[0], std[hidden - 1]);
      json_object_set_double_member (ev, "first_std", std[0]);
      json_object_set_double_member (ev, "last_std", std[hidden - 1]);
    }
}

/* ‖ΔW‖/‖W‖ per step should be near 1e-3 */
void
_ts_rule_update_ratio (const TsAdvisorInput *in, GPtrArray *out)
{
  double ratio[TS_STATS_MAX_LAYERS], logs = 0, median;
  guint layers = recent_layer_means (in, G_STRUCT_OFFSET (TsLayerStats, update_ratio), ratio), count = 0;
  g_autofree char *action = NULL;
  JsonObject *ev;

  for (guint l = 0; l < layers; l++)
    if (isfinite (ratio[l]) && ratio[l] > 0)
      logs += log10 (ratio[l]), count++;
  if (count == 0 || in->diverged)
    return;
  median = pow (10, logs / count); /* geometric mean over the layers */
  if (largest_update_ratio (in) < 1e-4)
    {
      action = g_strdup_printf ("train.lr=%.2g", in->exp->train.lr * 10);
      ev = _ts_advice_add (out, "update_ratio_low", TS_SEVERITY_WARNING, 0.7, action,
                           "Each step changes the weights by at most %.1e of their size, far below the ~1e-3 of a "
                           "healthy run: raise the learning rate.", largest_update_ratio (in));
    }
  else if (median > 3e-2)
    {
      action = g_strdup_printf ("train.lr=%.2g", in->exp->train.lr / 10);
      ev = _ts_advice_add (out, "update_ratio_high", TS_SEVERITY_WARNING, 0.7, action,
                           "Each step changes the weights by %.1e of their size, far above the ~1e-3 of a healthy "
                           "run: lower the learning rate.", median);
    }
  else
    return;
  json_object_set_double_member (ev, "update_ratio", median);
}
