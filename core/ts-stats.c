#include "ts-stats.h"
#include "ts-team.h"

#include <math.h>
#include <string.h>

/* the finite values' range; NaN fails both comparisons, ±Inf the bound */
static void
finite_range (const float *v, gsize n, float *lo_out, float *hi_out)
{
  float lo = G_MAXFLOAT, hi = -G_MAXFLOAT;

  for (gsize i = 0; i < n; i++)
    {
      float x = fabsf (v[i]) <= G_MAXFLOAT ? v[i] : lo; /* non-finite: a value that changes nothing */
      lo = x < lo ? x : lo;
      hi = x > hi && fabsf (v[i]) <= G_MAXFLOAT ? x : hi;
    }
  *lo_out = lo, *hi_out = hi;
}

/* Bins are computed a block at a time (a loop the compiler vectorises),
 * then counted into four partial histograms, so runs of equal bins do not
 * wait on one another's increments. Non-finite values go to a spare bin
 * that is dropped. The arithmetic is float unless the range is too wide
 * for it (a diverged net's ±1e38). */
#define BLOCK 256

static void
count_bins (guint counts[TS_HISTOGRAM_BINS], const float *v, gsize n, float lo, float hi)
{
  guint part[4][TS_HISTOGRAM_BINS + 1] = { { 0 } };
  const double span = (double) hi - lo;
  const gboolean wide = span > G_MAXFLOAT / 4;
  const float base = lo, scale = (float) (TS_HISTOGRAM_BINS / span), last = TS_HISTOGRAM_BINS - 1;
  int bins[BLOCK];

  for (gsize start = 0; start < n; start += BLOCK)
    {
      int m = (int) MIN (BLOCK, n - start);
      const float *x = v + start;
      if (wide)
        for (int k = 0; k < m; k++)
          {
            double f = ((double) x[k] - lo) * (TS_HISTOGRAM_BINS / span);
            bins[k] = !(fabsf (x[k]) <= G_MAXFLOAT) ? TS_HISTOGRAM_BINS : f > 0 ? (int) MIN (f, last) : 0;
          }
      else
        for (int k = 0; k < m; k++)
          {
            float f = (x[k] - base) * scale;
            f = f > 0.f ? f : 0.f; /* clamped before the cast */
            f = f < last ? f : last;
            bins[k] = fabsf (x[k]) <= G_MAXFLOAT ? (int) f : TS_HISTOGRAM_BINS;
          }
      for (int k = 0; k < m; k++)
        part[k & 3][bins[k]]++;
    }
  for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
    counts[b] = part[0][b] + part[1][b] + part[2][b] + part[3][b];
}

void
ts_histogram_fill (TsHistogram *h, const float *v, gsize n, float lo, float hi)
{
  if (lo >= hi)
    {
      finite_range (v, n, &lo, &hi);
      if (lo > hi) /* nothing finite */
        lo = hi = 0;
      if (!(hi > lo))
        {
          float pad = MAX (fabsf (lo) * 0.05f, 1e-6f);
          lo -= pad, hi += pad;
        }
    }
  ts_histogram_set_range (h, lo, hi);
  count_bins (h->counts, v, n, lo, hi);
}

void
ts_histogram_set_range (TsHistogram *h, float lo, float hi)
{
  for (int b = 0; b <= TS_HISTOGRAM_BINS; b++)
    h->edges[b] = (float) (lo + ((double) hi - lo) * b / TS_HISTOGRAM_BINS);
}

const char *
ts_hist_kind_name (TsHistKind kind)
{
  static const char *names[] = { "weights", "activations", "gradients" };
  return kind < TS_HIST_N_KINDS ? names[kind] : "?";
}

static void
plain_range (const float *v, gsize n, float *lo_out, float *hi_out)
{
  float lo = G_MAXFLOAT, hi = -G_MAXFLOAT;

  for (gsize i = 0; i < n; i++)
    lo = v[i] < lo ? v[i] : lo, hi = v[i] > hi ? v[i] : hi;
  *lo_out = lo, *hi_out = hi;
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

/* a histogram over the data's range; finite sums mean finite values, whose
 * range is a plain (vectorised) min/max */
static void
fill_from_data (TsHistogram *h, const float *v, gsize n, double sum_of_squares)
{
  float lo = 0, hi = 0;

  if (isfinite (sum_of_squares))
    plain_range (v, n, &lo, &hi);
  ts_histogram_fill (h, v, n, lo, hi); /* lo >= hi: found again, skipping non-finite values */
}

static void
weight_stats (const TsNet *net, guint l, const float *before, TsLayerStats *s)
{
  const TsNetLayer *layer = &net->layers[l];
  gsize n = (gsize) layer->in * layer->out;
  const float *w = net->params + layer->w;
  double ww = 0, dd = 0;

  for (gsize i = 0; i < n; i++)
    {
      ww += (double) w[i] * w[i];
      if (before)
        dd += pow ((double) w[i] - before[layer->w + i], 2);
    }
  s->weight_rms = (float) sqrt (ww / MAX (n, 1));
  s->update_ratio = before && ww > 0 ? (float) sqrt (dd / ww) : NAN;
  fill_from_data (&s->hist[TS_HIST_WEIGHTS], w, n, ww);
}

static void
gradient_stats (const TsNet *net, guint l, TsLayerStats *s)
{
  const TsNetLayer *layer = &net->layers[l];
  gsize n = (gsize) layer->in * layer->out;
  const float *g = net->grads + layer->w;
  double gg = 0;

  for (gsize i = 0; i < n; i++)
    gg += (double) g[i] * g[i];
  s->grad_norm = (float) sqrt (gg);
  fill_from_data (&s->hist[TS_HIST_GRADIENTS], g, n, gg);
}

/* ---- the measurement, as tasks spread over a team ------------------------------ */

typedef enum { TASK_ACTIVATIONS, TASK_WEIGHTS, TASK_GRADIENTS, N_TASK_KINDS } TaskKind;

typedef struct {
  const TsNet   *net;
  guint          B;
  const float   *before;
  TsStatsRecord *out;
  gboolean       gradients; /* FALSE: the net ran forward only */
  guint          n_tasks;
  guint8         owner[TS_STATS_MAX_LAYERS * N_TASK_KINDS]; /* task → thread */
} Measure;

static void
run_task (Measure *m, guint task)
{
  guint l = task / N_TASK_KINDS;
  TsLayerStats *s = &m->out->layers[l];

  switch ((TaskKind) (task % N_TASK_KINDS))
    {
    case TASK_ACTIVATIONS: activation_stats (m->net, l, m->B, s); break;
    case TASK_WEIGHTS: weight_stats (m->net, l, m->before, s); break;
    default: gradient_stats (m->net, l, s); break;
    }
}

static void
measure_share (TsTeam *team, guint t, guint n_threads, gpointer data)
{
  Measure *m = data;
  for (guint task = 0; task < m->n_tasks; task++)
    if (m->owner[task] == t && (m->gradients || task % N_TASK_KINDS != TASK_GRADIENTS))
      run_task (m, task);
}

/* each task to the thread with the least work so far, largest first: a
 * fixed plan, so the same net is always measured the same way */
static void
plan (Measure *m, guint n_threads)
{
  gsize load[TS_TEAM_MAX] = { 0 }, size[TS_STATS_MAX_LAYERS * N_TASK_KINDS];
  gboolean placed[TS_STATS_MAX_LAYERS * N_TASK_KINDS] = { FALSE };

  for (guint task = 0; task < m->n_tasks; task++)
    {
      const TsNetLayer *layer = &m->net->layers[task / N_TASK_KINDS];
      size[task] = task % N_TASK_KINDS == TASK_ACTIVATIONS ? (gsize) m->B * layer->out : (gsize) layer->in * layer->out;
    }
  for (guint k = 0; k < m->n_tasks; k++)
    {
      guint biggest = 0, least = 0;
      while (placed[biggest])
        biggest++;
      for (guint task = biggest + 1; task < m->n_tasks; task++)
        if (!placed[task] && size[task] > size[biggest])
          biggest = task;
      for (guint t = 1; t < n_threads; t++)
        if (load[t] < load[least])
          least = t;
      m->owner[biggest] = (guint8) least;
      load[least] += size[biggest];
      placed[biggest] = TRUE;
    }
}

static void
measure (const TsNet *net, TsTeam *team, guint B, const float *before, gboolean gradients, guint64 step,
         TsStatsRecord *out)
{
  Measure m = { net, B, before, out, gradients };
  guint threads = team ? ts_team_size (team) : 1;

  out->step = step;
  out->n_layers = MIN (net->n_layers, TS_STATS_MAX_LAYERS);
  m.n_tasks = out->n_layers * N_TASK_KINDS;
  plan (&m, MIN (threads, TS_TEAM_MAX));
  if (team && threads > 1)
    ts_team_run (team, measure_share, &m);
  else
    measure_share (NULL, 0, 1, &m);
}

void
ts_stats_measure (const TsNet *net, guint B, const float *before, guint64 step, TsStatsRecord *out)
{
  measure (net, NULL, B, before, TRUE, step, out);
}

void
ts_stats_measure_team (const TsNet *net, TsTeam *team, guint B, const float *before, guint64 step,
                       TsStatsRecord *out)
{
  measure (net, team, B, before, TRUE, step, out);
}

void
ts_stats_measure_forward (const TsNet *net, guint B, TsStatsRecord *out)
{
  memset (out, 0, sizeof *out);
  measure (net, NULL, B, NULL, FALSE, 0, out);
}
