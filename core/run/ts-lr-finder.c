#include "ts-lr-finder.h"
#include "ts-error.h"
#include "ts-training.h"

#include <math.h>
#include <string.h>

/* One sweep from a fresh initialisation: smoothed loss per step (NaN once
 * it has blown up past four times its best). */
static void
sweep (TsTraining *t, const TsLrFinderOptions *o, guint index, double *smoothed)
{
  double ema = 0, norm = 0, best = G_MAXDOUBLE;
  gboolean blown = FALSE;
  TsRng rng;

  ts_rng_init (&rng, t->exp->seed + index, TS_STREAM_INIT);
  ts_net_init (t->net, t->exp->model.init, t->exp->model.init_scale, &rng);
  ts_optimizer_free (t->opt);
  t->opt = ts_optimizer_new (t->exp->train.optimizer, ts_net_n_params (t->net), t->exp->train.momentum);
  for (guint i = 0; i < o->iterations; i++)
    {
      double lr = o->lr_min * pow (o->lr_max / o->lr_min, (double) i / MAX (o->iterations - 1, 1));
      double loss;

      smoothed[i] = NAN;
      if (blown)
        continue;
      t->lr_override = lr;
      if (!ts_training_step (t))
        {
          blown = TRUE; /* NaN: the LR is far too high from here on */
          t->diverged = FALSE;
          continue;
        }
      loss = ts_metric_log_step (t->steps, ts_metric_log_length (t->steps) - 1)->loss;
      ema = 0.95 * ema + 0.05 * loss;
      norm = 0.95 * norm + 0.05;
      smoothed[i] = ema / norm;
      best = MIN (best, smoothed[i]);
      if (smoothed[i] > 4 * best && i > o->iterations / 10)
        blown = TRUE;
    }
}

static void
suggest (TsLrFinderResult *r)
{
  guint lowest = 0, start = 0, steep = 0;
  double slope = G_MAXDOUBLE;

  for (guint i = 1; i < r->n; i++)
    if (r->loss[i] < r->loss[lowest])
      lowest = i;
  /* steepest: the most negative slope against log LR before the lowest,
   * over ±5 points, past the first tenth where the smoothing settles */
  for (guint i = MAX (r->n / 10, 5); i + 5 <= lowest; i++)
    {
      double s = (r->loss[i + 5] - r->loss[i - 5]) / (log (r->lr[i + 5]) - log (r->lr[i - 5]));
      if (s < slope)
        slope = s, steep = i;
    }
  /* the valley: where the last descent into the lowest loss began, then
   * two thirds of the way down it */
  for (guint i = lowest; i > 0; i--)
    if (r->loss[i - 1] >= r->loss[0] * 0.98)
      {
        start = i - 1;
        break;
      }
  r->steepest = r->lr[steep];
  r->valley = r->lr[start + (lowest - start) * 2 / 3];
  r->min_over_10 = r->lr[lowest] / 10;
  r->suggested = r->valley;
}

TsLrFinderResult *
ts_lr_find (const TsExperiment *exp, const TsLrFinderOptions *options, const TsLoadContext *ctx, GError **error)
{
  TsLrFinderOptions o = options ? *options : (TsLrFinderOptions) { 0 };
  g_autoptr(TsExperiment) copy = ts_experiment_copy (exp);
  g_autoptr(TsTraining) t = NULL;
  g_autofree double *curves = NULL;
  TsLrFinderResult *r;

  o.lr_min = o.lr_min > 0 ? o.lr_min : 1e-6;
  o.lr_max = o.lr_max > o.lr_min ? o.lr_max : 10;
  o.iterations = o.iterations >= 20 ? o.iterations : 200;
  o.sweeps = o.sweeps > 0 ? o.sweeps : 3;
  copy->train.epochs = 100000; /* the sweeps decide when to stop */
  copy->train.schedule.type = TS_SCHED_NONE;
  copy->data.val_fraction = 0; /* no evaluations between the steps */
  if ((t = ts_training_new (copy, ctx, error)) == NULL)
    return NULL;
  curves = g_new (double, (gsize) o.sweeps * o.iterations);
  for (guint s = 0; s < o.sweeps; s++)
    {
      if (!ts_load_step (ctx, (double) s / o.sweeps, error))
        return NULL;
      sweep (t, &o, s, curves + (gsize) s * o.iterations);
    }
  r = g_new0 (TsLrFinderResult, 1);
  r->lr = g_new (double, o.iterations);
  r->loss = g_new (double, o.iterations);
  r->loss_lo = g_new (double, o.iterations);
  r->loss_hi = g_new (double, o.iterations);
  for (guint i = 0; i < o.iterations; i++)
    {
      double sum = 0, lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
      gboolean all = TRUE;
      for (guint s = 0; s < o.sweeps; s++)
        {
          double v = curves[(gsize) s * o.iterations + i];
          all = all && isfinite (v);
          sum += v, lo = MIN (lo, v), hi = MAX (hi, v);
        }
      if (!all)
        break;
      r->lr[r->n] = o.lr_min * pow (o.lr_max / o.lr_min, (double) i / (o.iterations - 1));
      r->loss[r->n] = sum / o.sweeps;
      r->loss_lo[r->n] = lo;
      r->loss_hi[r->n] = hi;
      r->n++;
    }
  if (r->n < 5)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_DIVERGED,
                   "lr-find: the loss blew up from the first steps even at %g; lower the starting LR", o.lr_min);
      ts_lr_finder_result_free (r);
      return NULL;
    }
  suggest (r);
  return r;
}
