#include "ts-stats.h"
#include "ts-simd.h"
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
#define PARTS 4

/* the bins of m finite values, four at a time */
static void
bins_of_finite (int *bins, const float *x, int m, float base, float scale, float last)
{
  const TsF4 base4 = { base, base, base, base }, scale4 = { scale, scale, scale, scale },
             last4 = { last, last, last, last }, zero4 = { 0 };
  int k = 0;

  for (; k + 4 <= m; k += 4)
    {
      TsF4 f = ts_min4 (ts_max4 ((ts_load4 (x + k) - base4) * scale4, zero4), last4); /* clamped before the cast */
      TsI4 b = __builtin_convertvector (f, TsI4);
      memcpy (bins + k, &b, sizeof b);
    }
  for (; k < m; k++)
    bins[k] = (int) MIN (MAX ((x[k] - base) * scale, 0.f), last);
}

static void
count_bins (guint counts[TS_HISTOGRAM_BINS], const float *v, gsize n, float lo, float hi)
{
  guint part[PARTS][TS_HISTOGRAM_BINS + 1] = { { 0 } };
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
      else if (ts_all_finite (x, m))
        bins_of_finite (bins, x, m, base, scale, last);
      else
        for (int k = 0; k < m; k++)
          {
            float f = (x[k] - base) * scale;
            f = f > 0.f ? f : 0.f; /* clamped before the cast */
            f = f < last ? f : last;
            bins[k] = fabsf (x[k]) <= G_MAXFLOAT ? (int) f : TS_HISTOGRAM_BINS;
          }
      int k = 0;
      for (; k + PARTS <= m; k += PARTS) /* unrolled: an address, a load and an add each */
        for (int p = 0; p < PARTS; p++)
          part[p][bins[k + p]]++;
      for (; k < m; k++)
        part[0][bins[k]]++;
    }
  for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
    {
      counts[b] = 0;
      for (int p = 0; p < PARTS; p++)
        counts[b] += part[p][b];
    }
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

/* ---- sums in SIMD lanes ------------------------------------------------------
 * C does not let a compiler reorder a float sum, so a plain loop adds one
 * value after another (four cycles each). Here 16 floats a step go into four
 * independent vector sums (ts-simd.h), and each block of values is added
 * into doubles. Moments are of (x − shift), shift the first value: a tight
 * spread around a large mean (sigmoid near ½) keeps its digits. */
#define STEP 16
#define SUM_BLOCK 1024

static inline double
lanes_total (TsF4 a, TsF4 b, TsF4 c, TsF4 d)
{
  TsF4 t = (a + b) + (c + d);
  return (double) t[0] + t[1] + t[2] + t[3];
}

/* What a pass over rows × cols values finds besides their moments: each
 * column's largest value (top: cols of them, updated), and how many values
 * lie outside [lo, hi]. */
typedef struct {
  float *top;
  float  lo, hi;
  gsize  outside;
} Extra;

/* inlined with the extras a caller wants, so each variant is its own loop */
static inline __attribute__ ((always_inline)) TsMoments
scan (const float *v, gsize rows, gsize cols, Extra *extra, const gboolean with_top, const gboolean with_outside)
{
  const gsize n = rows * cols;
  const float shift = n ? v[0] : 0.f, out_lo = extra ? extra->lo : 0.f, out_hi = extra ? extra->hi : 0.f;
  const TsF4 sh = { shift, shift, shift, shift }, max4 = { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT },
             lo4 = { out_lo, out_lo, out_lo, out_lo }, hi4 = { out_hi, out_hi, out_hi, out_hi };
  TsF4 lo[4] = { max4, max4, max4, max4 }, hi[4] = { -max4, -max4, -max4, -max4 };
  TsI4 outside = { 0 };
  double sum = 0, sq = 0;
  TsMoments m = { 0, 0, 0, 0 };

  for (gsize r = 0; r < rows; r++)
    for (gsize start = 0; start < cols; start += SUM_BLOCK)
      {
        const float *row = v + r * cols;
        TsF4 s[4] = { { 0 } }, q[4] = { { 0 } };
        gsize end = MIN (start + SUM_BLOCK, cols), j = start;
        for (; j + STEP <= end; j += STEP)
          for (int k = 0; k < 4; k++)
            {
              TsF4 x = ts_load4 (row + j + 4 * k), d = x - sh;
              s[k] += d, q[k] += d * d;
              lo[k] = ts_min4 (x, lo[k]); /* x < lo ? x : lo — NaN is never picked */
              hi[k] = ts_max4 (x, hi[k]);
              if (with_top)
                {
                  TsF4 t = ts_max4 (x, ts_load4 (extra->top + j + 4 * k));
                  memcpy (extra->top + j + 4 * k, &t, sizeof t);
                }
              if (with_outside)
                outside -= (x < lo4) | (x > hi4);
            }
        sum += lanes_total (s[0], s[1], s[2], s[3]);
        sq += lanes_total (q[0], q[1], q[2], q[3]);
        for (; j < end; j++)
          {
            float x = row[j];
            sum += x - shift, sq += (double) (x - shift) * (x - shift);
            lo[0][0] = x < lo[0][0] ? x : lo[0][0];
            hi[0][0] = x > hi[0][0] ? x : hi[0][0];
            if (with_top)
              extra->top[j] = x > extra->top[j] ? x : extra->top[j];
            if (with_outside)
              outside[0] += (x < out_lo) | (x > out_hi);
          }
      }
  if (with_outside)
    extra->outside = (gsize) outside[0] + (gsize) outside[1] + (gsize) outside[2] + (gsize) outside[3];
  if (n == 0)
    return m;
  m.mean = shift + sum / n;
  m.std = sq / n - (sum / n) * (sum / n); /* the variance; rounding can take a zero one below 0, NaN stays */
  m.std = m.std < 0 ? 0 : sqrt (m.std);
  lo[0] = ts_min4 (ts_min4 (lo[0], lo[1]), ts_min4 (lo[2], lo[3]));
  hi[0] = ts_max4 (ts_max4 (hi[0], hi[1]), ts_max4 (hi[2], hi[3]));
  m.min = MIN (MIN (lo[0][0], lo[0][1]), MIN (lo[0][2], lo[0][3]));
  m.max = MAX (MAX (hi[0][0], hi[0][1]), MAX (hi[0][2], hi[0][3]));
  return m;
}

TsMoments
ts_moments (const float *v, gsize n)
{
  return scan (v, 1, n, NULL, FALSE, FALSE);
}

/* Σ (a − b)² */
static double
squared_distance (const float *a, const float *b, gsize n)
{
  double total = 0;

  for (gsize start = 0; start < n; start += SUM_BLOCK)
    {
      TsF4 q[4] = { { 0 } };
      gsize end = MIN (start + SUM_BLOCK, n), i = start;
      for (; i + STEP <= end; i += STEP)
        for (int k = 0; k < 4; k++)
          {
            TsF4 d = ts_load4 (a + i + 4 * k) - ts_load4 (b + i + 4 * k);
            q[k] += d * d;
          }
      total += lanes_total (q[0], q[1], q[2], q[3]);
      for (; i < end; i++)
        total += (double) (a[i] - b[i]) * (a[i] - b[i]);
    }
  return total;
}

/* a histogram over the data's range: when the moments are finite, so are
 * the values, and their range is the moments' */
static void
fill_from_data (TsHistogram *h, const float *v, gsize n, const TsMoments *m)
{
  gboolean finite = isfinite (m->mean) && isfinite (m->std);
  ts_histogram_fill (h, v, n, finite ? m->min : 0, finite ? m->max : 0); /* lo >= hi: found again, skipping
                                                                             non-finite values */
}

static gboolean
is_relu_family (TsActivation act)
{
  return act == TS_ACT_RELU || act == TS_ACT_LEAKY_RELU || act == TS_ACT_PRELU || act == TS_ACT_RRELU
         || act == TS_ACT_ELU;
}

/* A ReLU-like unit is dead on this batch when no sample makes its z
 * positive; its largest z tells. Where a > 0 exactly when z > 0 — every
 * kind but PReLU, whose learned slope may turn negative — the largest a
 * does, found in the pass that takes the moments. NaN is never the
 * largest, and never positive. A conv channel is dead when none of its
 * plane's positions is: top holds channels × plane columns. */
static guint
count_dead (const float *top, guint channels, guint plane)
{
  guint dead = 0;
  for (guint c = 0; c < channels; c++)
    {
      gboolean alive = FALSE;
      for (guint p = 0; p < plane && !alive; p++)
        alive = top[(gsize) c * plane + p] > 0.f;
      dead += !alive;
    }
  return dead;
}

void
ts_stats_activations (TsLayerStats *s, const float *a, const float *z, guint B, guint out, TsActivation act)
{
  ts_stats_activations_planes (s, a, z, B, out, 1, act);
}

void
ts_stats_activations_planes (TsLayerStats *s, const float *a, const float *z, guint B, guint channels, guint plane,
                             TsActivation act)
{
  guint dead = 0, out = channels * plane;
  gsize n = (gsize) B * out;
  g_autofree float *top = NULL;
  Extra extra = { NULL, 0, 0, 0 };
  TsMoments m;

  if (is_relu_family (act))
    {
      extra.top = top = g_new (float, out);
      for (guint j = 0; j < out; j++)
        top[j] = -G_MAXFLOAT;
    }
  if (act == TS_ACT_TANH || act == TS_ACT_SIGMOID)
    {
      extra.lo = act == TS_ACT_TANH ? -0.99f : 0.01f, extra.hi = 0.99f;
      m = scan (a, 1, n, &extra, FALSE, TRUE);
    }
  else if (act == TS_ACT_PRELU)
    {
      m = ts_moments (a, n);
      scan (z, B, out, &extra, TRUE, FALSE);
    }
  else if (top)
    m = scan (a, B, out, &extra, TRUE, FALSE);
  else
    m = ts_moments (a, n);
  if (top)
    dead = count_dead (top, channels, plane);
  s->act_mean = (float) m.mean;
  s->act_std = (float) m.std;
  s->dead_fraction = (float) dead / MAX (channels, 1);
  s->saturated_fraction = (float) extra.outside / MAX (n, 1);
  /* bounded activations on their whole range, so saturation shows at the ends */
  if (act == TS_ACT_TANH || act == TS_ACT_SIGMOID)
    ts_histogram_fill (&s->hist[TS_HIST_ACTIVATIONS], a, n, act == TS_ACT_TANH ? -1.f : 0.f, 1.f);
  else
    fill_from_data (&s->hist[TS_HIST_ACTIVATIONS], a, n, &m);
}

/* a layer whose output is [C,H,W] maps (conv, and the batch norm or pool
 * after one) is dead by channel */
static void
activation_stats (const TsNet *net, guint l, guint B, TsLayerStats *s)
{
  TsShape shape;
  guint plane;

  ts_net_layer_out_shape (net, l, &shape);
  plane = shape.ndim == 3 ? (guint) (shape.dims[1] * shape.dims[2]) : 1;
  ts_stats_activations_planes (s, ts_net_layer_a (net, l), ts_net_layer_z (net, l), B,
                               ts_net_layer_units (net, l) / plane, plane, ts_net_layer_activation (net, l));
}

/* Σ x² over n values from their moments */
static double
sum_of_squares_of (const TsMoments *m, gsize n)
{
  return n * (m->std * m->std + m->mean * m->mean);
}

static void
weights_of (TsLayerStats *s, const float *w, gsize n, const float *before)
{
  TsMoments m = ts_moments (w, n);
  double ww = sum_of_squares_of (&m, n), dd = before ? squared_distance (w, before, n) : 0;

  s->weight_rms = (float) sqrt (ww / MAX (n, 1));
  s->update_ratio = before && ww > 0 ? (float) sqrt (dd / ww) : NAN;
  fill_from_data (&s->hist[TS_HIST_WEIGHTS], w, n, &m);
}

void
ts_stats_weights (TsLayerStats *s, const float *w, gsize n)
{
  weights_of (s, w, n, NULL);
}

static void
weight_stats (const TsNet *net, guint l, const float *before, TsLayerStats *s)
{
  TsShape shape;
  const float *w = ts_net_layer_weights (net, l, &shape);

  weights_of (s, w, ts_shape_numel (&shape), before ? before + ts_net_layer_weights_offset (net, l) : NULL);
}

static void
gradient_stats (const TsNet *net, guint l, TsLayerStats *s)
{
  TsShape shape;
  const float *g = ts_net_layer_weight_grads (net, l, &shape);
  gsize n = ts_shape_numel (&shape);
  TsMoments m = ts_moments (g, n);

  s->grad_norm = (float) sqrt (sum_of_squares_of (&m, n));
  fill_from_data (&s->hist[TS_HIST_GRADIENTS], g, n, &m);
}

TsStatsRecord *
ts_stats_record_new (guint n_layers)
{
  TsStatsRecord *rec = g_malloc0 (ts_stats_record_size (n_layers));
  rec->n_layers = n_layers;
  return rec;
}

/* ---- the measurement, as tasks spread over a team ------------------------------ */

typedef enum { TASK_ACTIVATIONS, TASK_WEIGHTS, TASK_GRADIENTS, N_TASK_KINDS } TaskKind;

typedef struct {
  const TsNet   *net;
  guint          B;
  const float   *before;
  TsStatsRecord *out;
  guint          kinds;     /* 1 << TaskKind for each kind measured */
  guint          n_tasks;
  guint8        *owner;     /* (n_tasks) task → thread */
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
    if (m->owner[task] == t && (m->kinds & (1u << (task % N_TASK_KINDS))))
      run_task (m, task);
}

/* each task to the thread with the least work so far, largest first: a
 * fixed plan, so the same net is always measured the same way */
static void
plan (Measure *m, guint n_threads)
{
  gsize load[TS_TEAM_MAX] = { 0 };
  g_autofree gsize *size = g_new (gsize, m->n_tasks);
  g_autofree gboolean *placed = g_new0 (gboolean, m->n_tasks);

  for (guint task = 0; task < m->n_tasks; task++)
    {
      guint l = task / N_TASK_KINDS, units = ts_net_layer_units (m->net, l);
      TsShape shape;
      ts_net_layer_weights (m->net, l, &shape);
      size[task] = task % N_TASK_KINDS == TASK_ACTIVATIONS ? (gsize) m->B * units : ts_shape_numel (&shape);
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
measure (const TsNet *net, TsTeam *team, guint B, const float *before, guint kinds, guint64 step,
         TsStatsRecord *out)
{
  Measure m = { net, B, before, out, kinds };
  guint threads = team ? ts_team_size (team) : 1;
  g_autofree guint8 *owner = NULL;

  out->step = step;
  out->n_layers = ts_net_n_layers (net);
  m.n_tasks = out->n_layers * N_TASK_KINDS;
  m.owner = owner = g_new (guint8, m.n_tasks);
  plan (&m, MIN (threads, TS_TEAM_MAX));
  if (team && threads > 1)
    ts_team_run (team, measure_share, &m);
  else
    measure_share (NULL, 0, 1, &m);
}

#define ALL_KINDS ((1u << N_TASK_KINDS) - 1)

void
ts_stats_measure_team (const TsNet *net, TsTeam *team, guint B, const float *before, guint64 step,
                       TsStatsRecord *out)
{
  measure (net, team, B, before, ALL_KINDS, step, out);
}

void
ts_stats_measure_forward (const TsNet *net, guint B, gboolean weights, TsStatsRecord *out)
{
  memset (out, 0, ts_stats_record_size (ts_net_n_layers (net)));
  measure (net, NULL, B, NULL, 1u << TASK_ACTIVATIONS | (weights ? 1u << TASK_WEIGHTS : 0), 0, out);
}

guint
ts_stats_every (guint64 steps, double n_params)
{
  guint64 wanted = steps / TS_STATS_POINTS;
  double least = CLAMP (n_params / 20000, 1, TS_STATS_EVERY);

  return (guint) CLAMP (wanted, (guint64) least, TS_STATS_EVERY);
}

double
ts_stats_log_bytes (guint64 steps, guint n_layers, double n_params)
{
  double records = (double) steps / ts_stats_every (steps, n_params) + 1;

  return records * ts_stats_record_size (n_layers);
}
