#include "ts-optim.h"
#include "ts-experiment.h"

#include <math.h>

TsOptimizer *
ts_optimizer_new (TsOptimizerKind kind, gsize n_params, double momentum)
{
  TsOptimizer *opt = g_new0 (TsOptimizer, 1);

  opt->kind = kind;
  opt->momentum = (float) momentum;
  opt->n = n_params;
  if (kind != TS_OPT_SGD)
    opt->m = g_new0 (float, n_params);
  if (kind == TS_OPT_ADAM)
    opt->v = g_new0 (float, n_params);
  return opt;
}

void
ts_optimizer_free (TsOptimizer *opt)
{
  if (opt == NULL)
    return;
  g_free (opt->m);
  g_free (opt->v);
  g_free (opt);
}

void
ts_optimizer_begin_step (TsOptimizer *opt)
{
  opt->t++;
}

/* The penalty's gradient joins the data gradient as PyTorch's weight_decay
 * does: g' = g + λ₂w + λ₁·sign(w). It is folded into each update loop so
 * the step is one pass over memory; update() is inlined twice, with and
 * without the L1 term, so the usual run without it skips the sign. */
#define PENALISED(i) (g[i] + l2 * w[i] + (with_l1 ? l1 * (float) ((w[i] > 0.f) - (w[i] < 0.f)) : 0.f))

static inline __attribute__ ((always_inline)) void
update (TsOptimizer *opt, float *params, float *grads, gsize offset, gsize count, float lr, float l2, float l1,
        guint64 t, const gboolean with_l1)
{
  float *restrict w = params + offset;
  const float *restrict g = grads + offset;
  float *restrict m = opt->m ? opt->m + offset : NULL, *restrict v = opt->v ? opt->v + offset : NULL;
  float mu = opt->momentum;

  switch (opt->kind)
    {
    case TS_OPT_SGD:
      for (gsize i = 0; i < count; i++)
        w[i] -= lr * PENALISED (i);
      break;
    case TS_OPT_MOMENTUM:
      /* v = μv + g;  w -= lr·v */
      for (gsize i = 0; i < count; i++)
        {
          m[i] = mu * m[i] + PENALISED (i);
          w[i] -= lr * m[i];
        }
      break;
    case TS_OPT_NESTEROV:
      /* v = μv + g;  w -= lr·(g + μv) */
      for (gsize i = 0; i < count; i++)
        {
          float gi = PENALISED (i);
          m[i] = mu * m[i] + gi;
          w[i] -= lr * (gi + mu * m[i]);
        }
      break;
    case TS_OPT_ADAM:
      {
        /* m = β₁m + (1−β₁)g;  v = β₂v + (1−β₂)g²;  w -= lr·m̂ / (√v̂ + ε) */
        float c1 = 1.f - powf (TS_ADAM_BETA1, (float) t);
        float c2 = sqrtf (1.f - powf (TS_ADAM_BETA2, (float) t));
        float step = lr / c1;
        for (gsize i = 0; i < count; i++)
          {
            float gi = PENALISED (i);
            m[i] = TS_ADAM_BETA1 * m[i] + (1.f - TS_ADAM_BETA1) * gi;
            v[i] = TS_ADAM_BETA2 * v[i] + (1.f - TS_ADAM_BETA2) * gi * gi;
            w[i] -= step * m[i] / (sqrtf (v[i]) / c2 + TS_ADAM_EPS);
          }
        break;
      }
    case TS_OPT_RMSPROP:
      /* s = αs + (1−α)g²;  w -= lr·g / (√s + ε) */
      for (gsize i = 0; i < count; i++)
        {
          float gi = PENALISED (i);
          m[i] = TS_RMSPROP_ALPHA * m[i] + (1.f - TS_RMSPROP_ALPHA) * gi * gi;
          w[i] -= lr * gi / (sqrtf (m[i]) + TS_RMSPROP_EPS);
        }
      break;
    }
}

void
ts_optimizer_update (TsOptimizer *opt, float *params, float *grads, gsize offset, gsize count,
                     float lr, float l2, float l1)
{
  ts_optimizer_update_since (opt, params, grads, offset, count, lr, l2, l1, 0);
}

void
ts_optimizer_update_since (TsOptimizer *opt, float *params, float *grads, gsize offset, gsize count, float lr,
                           float l2, float l1, guint64 t0)
{
  guint64 t = opt->t > t0 ? opt->t - t0 : 1;

  if (l1 != 0.f)
    update (opt, params, grads, offset, count, lr, l2, l1, t, TRUE);
  else
    update (opt, params, grads, offset, count, lr, l2, 0.f, t, FALSE);
}

gboolean
ts_optimizer_can_fuse (const TsOptimizer *opt, float l1)
{
  return opt->kind == TS_OPT_MOMENTUM && l1 == 0.f;
}

void
ts_optimizer_finish_momentum (TsOptimizer *opt, float *params, gsize offset, gsize count, float lr, float l2)
{
  float *restrict w = params + offset, *restrict m = opt->m + offset;

  g_return_if_fail (opt->kind == TS_OPT_MOMENTUM);
  if (l2 != 0.f)
    for (gsize i = 0; i < count; i++)
      {
        m[i] += l2 * w[i];
        w[i] -= lr * m[i];
      }
  else
    for (gsize i = 0; i < count; i++)
      w[i] -= lr * m[i];
}

void
ts_plateau_init (TsPlateau *p)
{
  *p = (TsPlateau) { INFINITY, 0, 0 };
}

gboolean
ts_plateau_observe (TsPlateau *p, double loss, guint patience)
{
  /* PyTorch's is_better for rel/min: a < best·(1 − threshold). The old
   * test, best − 1e-4·|best|, is ∞ − ∞ = NaN while best is +∞, so no
   * epoch ever improved and the LR fell every `patience` epochs. */
  if (loss < p->best * (1.0 - TS_PLATEAU_THRESHOLD))
    {
      p->best = loss;
      p->bad_epochs = 0;
      return FALSE;
    }
  if (++p->bad_epochs <= patience)
    return FALSE;
  p->decays++;
  p->bad_epochs = 0;
  return TRUE;
}

double
ts_schedule_lr (const TsTrainSpec *train, double base_lr, guint epoch, double epoch_fraction,
                guint plateau_decays)
{
  const TsScheduleSpec *s = &train->schedule;
  double t = epoch + epoch_fraction;
  double lr = base_lr;

  switch (s->type)
    {
    case TS_SCHED_NONE:
      break;
    case TS_SCHED_STEP:
      lr = base_lr / pow (s->factor, epoch / s->every_epochs);
      break;
    case TS_SCHED_PLATEAU:
      lr = base_lr / pow (s->factor, plateau_decays);
      break;
    case TS_SCHED_EXP:
      lr = base_lr / pow (s->factor, t / s->every_epochs);
      break;
    case TS_SCHED_COSINE:
      lr = base_lr * 0.5 * (1.0 + cos (G_PI * MIN (t / train->epochs, 1.0)));
      break;
    case TS_SCHED_COSINE_RESTARTS:
      {
        /* SGDR (Loshchilov & Hutter 2017, as snapshot ensembles use it):
         * lr = ½·base·(1 + cos(π·(t mod L)/L)), L = epochs/cycles; it
         * restarts at base at the start of every cycle */
        double cycle = (double) train->epochs / MAX (s->cycles, 1);
        lr = base_lr * 0.5 * (1.0 + cos (G_PI * fmod (t, cycle) / cycle));
        break;
      }
    }
  if (s->warmup_epochs > 0 && t < s->warmup_epochs)
    lr *= MAX (t, 1e-3) / s->warmup_epochs;
  return lr;
}

gboolean
ts_schedule_checkpoint_due (const TsTrainSpec *train, guint epochs_completed)
{
  const TsScheduleSpec *s = &train->schedule;

  if (epochs_completed == 0)
    return FALSE;
  if (train->checkpoint_every > 0 && epochs_completed % train->checkpoint_every == 0)
    return TRUE;
  return s->type == TS_SCHED_COSINE_RESTARTS && s->cycles > 0 && train->epochs % s->cycles == 0
         && epochs_completed % (train->epochs / s->cycles) == 0;
}
