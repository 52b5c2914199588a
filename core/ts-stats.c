#include "ts-stats.h"

#include <math.h>
#include <string.h>

void
ts_histogram_fill (TsHistogram *h, const float *v, gsize n, float lo, float hi)
{
  memset (h->counts, 0, sizeof h->counts);
  if (lo >= hi)
    {
      lo = G_MAXFLOAT, hi = -G_MAXFLOAT;
      for (gsize i = 0; i < n; i++)
        if (isfinite (v[i]))
          lo = MIN (lo, v[i]), hi = MAX (hi, v[i]);
      if (lo > hi) /* nothing finite */
        lo = hi = 0;
      if (!(hi > lo))
        {
          float pad = MAX (fabsf (lo) * 0.05f, 1e-6f);
          lo -= pad, hi += pad;
        }
    }
  for (int b = 0; b <= TS_HISTOGRAM_BINS; b++)
    h->edges[b] = (float) (lo + ((double) hi - lo) * b / TS_HISTOGRAM_BINS);
  {
    /* in double: float ranges near ±FLT_MAX do not overflow; clamped before the cast */
    const double base = lo, scale = TS_HISTOGRAM_BINS / ((double) hi - lo);
    for (gsize i = 0; i < n; i++)
      if (isfinite (v[i]))
        {
          double f = ((double) v[i] - base) * scale;
          h->counts[f > 0 ? (int) MIN (f, TS_HISTOGRAM_BINS - 1.0) : 0]++;
        }
  }
}

const char *
ts_hist_kind_name (TsHistKind kind)
{
  static const char *names[] = { "weights", "activations", "gradients" };
  return kind < TS_HIST_N_KINDS ? names[kind] : "?";
}

static gboolean
is_relu_family (TsActivation act)
{
  return act == TS_ACT_RELU || act == TS_ACT_LEAKY_RELU || act == TS_ACT_PRELU || act == TS_ACT_RRELU
         || act == TS_ACT_ELU;
}

static void
activation_stats (const TsNet *net, guint l, guint B, TsLayerStats *s)
{
  const TsNetLayer *layer = &net->layers[l];
  const float *a = net->a[l], *z = net->z[l];
  double sum = 0, sq = 0;
  guint dead = 0, saturated = 0;
  gsize n = (gsize) B * layer->out;

  for (gsize i = 0; i < n; i++)
    {
      sum += a[i];
      sq += (double) a[i] * a[i];
      if ((layer->act == TS_ACT_TANH && fabsf (a[i]) > 0.99f)
          || (layer->act == TS_ACT_SIGMOID && (a[i] < 0.01f || a[i] > 0.99f)))
        saturated++;
    }
  /* a ReLU unit is dead on this batch when no sample makes it positive;
   * rows outer, so the scan reads memory in order */
  if (is_relu_family (layer->act))
    {
      g_autofree guint8 *alive = g_new0 (guint8, layer->out);
      for (guint r = 0; r < B; r++)
        for (guint j = 0; j < layer->out; j++)
          alive[j] |= z[(gsize) r * layer->out + j] > 0.f;
      for (guint j = 0; j < layer->out; j++)
        dead += !alive[j];
    }
  s->act_mean = (float) (sum / MAX (n, 1));
  s->act_std = (float) sqrt (MAX (sq / MAX (n, 1) - pow (sum / MAX (n, 1), 2), 0));
  s->dead_fraction = (float) dead / layer->out;
  s->saturated_fraction = (float) saturated / MAX (n, 1);
  /* bounded activations on their whole range, so saturation shows at the ends */
  ts_histogram_fill (&s->hist[TS_HIST_ACTIVATIONS], a, n, layer->act == TS_ACT_TANH ? -1.f : 0.f,
                     layer->act == TS_ACT_TANH || layer->act == TS_ACT_SIGMOID ? 1.f : 0.f);
}

static void
weight_stats (const TsNet *net, guint l, const float *before, TsLayerStats *s)
{
  const TsNetLayer *layer = &net->layers[l];
  gsize n = (gsize) layer->in * layer->out;
  const float *w = net->params + layer->w, *g = net->grads + layer->w;
  double ww = 0, gg = 0, dd = 0;

  for (gsize i = 0; i < n; i++)
    {
      ww += (double) w[i] * w[i];
      gg += (double) g[i] * g[i];
      if (before)
        dd += pow ((double) w[i] - before[layer->w + i], 2);
    }
  s->weight_rms = (float) sqrt (ww / MAX (n, 1));
  s->grad_norm = (float) sqrt (gg);
  s->update_ratio = before && ww > 0 ? (float) sqrt (dd / ww) : NAN;
  ts_histogram_fill (&s->hist[TS_HIST_WEIGHTS], w, n, 0, 0);
  ts_histogram_fill (&s->hist[TS_HIST_GRADIENTS], g, n, 0, 0);
}

void
ts_stats_measure (const TsNet *net, guint B, const float *before, guint64 step, TsStatsRecord *out)
{
  out->step = step;
  out->n_layers = MIN (net->n_layers, TS_STATS_MAX_LAYERS);
  for (guint l = 0; l < out->n_layers; l++)
    {
      TsLayerStats *s = &out->layers[l];
      activation_stats (net, l, B, s);
      weight_stats (net, l, before, s);
    }
}
