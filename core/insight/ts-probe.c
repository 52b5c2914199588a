#include "ts-probe.h"
#include "ts-blas.h"
#include "ts-error.h"
#include "ts-limits.h"
#include "ts-net-private.h"
#include "ts-stats.h"

#include <math.h>
#include <string.h>

void
ts_probe_cell_free (TsProbeCell *cell)
{
  if (cell == NULL)
    return;
  g_free (cell->layers);
  g_free (cell);
}

void
ts_probe_grid_free (TsProbeGrid *grid)
{
  if (grid == NULL)
    return;
  for (guint c = 0; c < grid->n_cells; c++)
    ts_probe_cell_free (grid->cells[c]);
  g_free (grid->cells);
  g_free (grid);
}

/* What every cell shares: the input, the gradient pushed in at the logits,
 * and per layer (the output layer too) one matrix of N(0, 1) draws — scaled
 * by σ for the Gaussian inits, orthonormalised once for orthogonal — so
 * cells differ only in their init and activation, and nothing is drawn
 * twenty times. */
typedef struct {
  TsProbeSpec  spec;
  guint        in_dim;
  const float *x;         /* (samples, in_dim) */
  float       *own_x;
  float       *dlogits;   /* (samples, 10) */
  float      **unit;      /* [layer] (units, fan_in) N(0, 1); layers + 1 of them */
  float      **ortho;     /* [layer] orthonormal, or NULL when no cell needs it */
  const TsInit       *inits;
  const TsActivation *acts;
  guint        n_acts;
  TsProbeGrid *grid;
  guint        stride;
  guint       *order;     /* the cells (init × n_acts + activation) in the order they are taken */
  gint         next;      /* the next set-up task, then the next cell, to take */
} Shared;

#define PROBE_CLASSES 10 /* the output layer the gradient enters by */
#define PROBE_SLOPE 0.01f /* leaky ReLU's, and PReLU's to start with */

static guint
fan_in (const Shared *s, guint l)
{
  return l == 0 ? s->in_dim : s->spec.width;
}

static guint
units (const Shared *s, guint l)
{
  return l < s->spec.layers ? s->spec.width : PROBE_CLASSES;
}

/* The set-up, as tasks the threads share: first the input and the logit
 * gradient, then one per layer (its draws, from a stream of its own, and
 * their orthonormal version when a cell needs it — a QR factorisation: the
 * slow part). */
static void
set_up_task (Shared *s, guint task)
{
  guint B = s->spec.samples, l = task - 1; /* task 0: the input; task l + 1: layer l */
  TsRng rng;

  if (task > 0)
    {
      gsize n = (gsize) units (s, l) * fan_in (s, l);
      ts_rng_init (&rng, s->spec.seed, TS_STREAM_PROBE + l);
      ts_rng_normal_fill (&rng, s->unit[l], n, 1.f);
      if (s->ortho[l])
        {
          g_autofree float *q = g_memdup2 (s->unit[l], sizeof (float) * n);
          _ts_net_orthonormalize (s->ortho[l], units (s, l), fan_in (s, l), q);
        }
      return;
    }
  ts_rng_init (&rng, s->spec.seed, TS_STREAM_DATA);
  if (s->own_x)
    ts_rng_normal_fill (&rng, s->own_x, (gsize) B * s->in_dim, 1.f);
  ts_rng_normal_fill (&rng, s->dlogits, (gsize) B * PROBE_CLASSES, 1.f / B);
}

static void
shared_init (Shared *s, const float *input, gboolean orthogonal)
{
  guint L = s->spec.layers, B = s->spec.samples;

  s->unit = g_new0 (float *, L + 1);
  s->ortho = g_new0 (float *, L + 1);
  for (guint l = 0; l <= L; l++)
    {
      s->unit[l] = g_new (float, (gsize) units (s, l) * fan_in (s, l));
      s->ortho[l] = orthogonal ? g_new0 (float, (gsize) units (s, l) * fan_in (s, l)) : NULL;
    }
  s->own_x = input ? NULL : g_new (float, (gsize) B * s->in_dim);
  s->x = input ? input : s->own_x;
  s->dlogits = g_new (float, (gsize) B * PROBE_CLASSES);
}

static void
shared_clear (Shared *s)
{
  for (guint l = 0; l <= s->spec.layers; l++)
    {
      g_free (s->unit[l]);
      g_free (s->ortho[l]);
    }
  g_free (s->unit);
  g_free (s->ortho);
  g_free (s->own_x);
  g_free (s->dlogits);
  g_free (s->order);
}

/* ---- one worker's own forward and backward pass ------------------------------
 * The probe is not a trained net: no biases (zero), no dropout, no optimizer,
 * and weights that are σ times the shared draws, so each layer is one GEMM
 * with alpha = σ straight from the draws — no copy of the weights per cell.
 * With batch norm each hidden layer's pre-activations are normalised over
 * the probe batch before the activation (training mode, γ = 1, β = 0). */

#define PROBE_BN_EPS 1e-5f /* PyTorch's BatchNorm1d default */

typedef struct {
  const Shared *s;
  float **z;        /* [l] (B, units) pre-activation; normalised in place with batch norm */
  float **a;        /* [l] (B, units) activation */
  float **d;        /* [l] (B, units) ∂L/∂a, then ∂L/∂z */
  float **inv_std;  /* [l] (units) 1/√(var + eps) of the batch norm, or NULL without it */
  float  *slopes;   /* (width) PReLU's starting slopes */
  float  *dslope;   /* (width) its slope gradients, unused */
  float  *weights;  /* (width, max fan_in) one layer's weights, for their histogram */
} Worker;

static void
worker_init (Worker *w, const Shared *s)
{
  guint L = s->spec.layers, B = s->spec.samples;

  w->s = s;
  w->z = g_new0 (float *, L + 1), w->a = g_new0 (float *, L + 1), w->d = g_new0 (float *, L + 1);
  w->inv_std = g_new0 (float *, L + 1);
  for (guint l = 0; l <= L; l++)
    {
      gsize n = (gsize) B * units (s, l);
      w->z[l] = g_new (float, n), w->a[l] = g_new (float, n), w->d[l] = g_new (float, n);
      w->inv_std[l] = s->spec.batchnorm && l < L ? g_new (float, units (s, l)) : NULL;
    }
  w->slopes = g_new (float, s->spec.width);
  w->dslope = g_new (float, s->spec.width);
  for (guint j = 0; j < s->spec.width; j++)
    w->slopes[j] = PROBE_SLOPE;
  w->weights = g_new (float, (gsize) s->spec.width * MAX (s->in_dim, s->spec.width));
}

static void
worker_clear (Worker *w)
{
  for (guint l = 0; l <= w->s->spec.layers; l++)
    {
      g_free (w->z[l]), g_free (w->a[l]), g_free (w->d[l]);
      g_free (w->inv_std[l]);
    }
  g_free (w->z), g_free (w->a), g_free (w->d), g_free (w->inv_std);
  g_free (w->slopes), g_free (w->dslope), g_free (w->weights);
}

static TsActParams
probe_act (const Worker *w, guint l, TsActivation act)
{
  if (l == w->s->spec.layers)
    return (TsActParams) { .kind = TS_ACT_IDENTITY };
  return (TsActParams) {
    .kind = act,
    .slope = act == TS_ACT_RRELU ? (TS_RRELU_LOWER + TS_RRELU_UPPER) / 2 : PROBE_SLOPE, /* rrelu: evaluation */
    .unit_slope = act == TS_ACT_PRELU ? w->slopes : NULL,
  };
}

/* the layer's weights: the draws and the factor they are scaled by */
static const float *
layer_draws (const Shared *s, guint l, TsInit init, float *sigma)
{
  *sigma = init == TS_INIT_ORTHOGONAL ? 1.f : (float) ts_init_sigma (init, fan_in (s, l), s->spec.init_scale);
  return init == TS_INIT_ORTHOGONAL ? s->ortho[l] : s->unit[l];
}

/* z (B, n) to mean 0 and variance 1 per column over the rows, two passes
 * (never E[z²] − E[z]²); inv_std (n) keeps 1/√(var + eps) for the backward */
static void
batchnorm_forward (float *z, float *inv_std, guint B, guint n)
{
  g_autofree double *mean = g_new0 (double, n), *var = g_new0 (double, n);

  for (guint r = 0; r < B; r++)
    for (guint j = 0; j < n; j++)
      mean[j] += z[(gsize) r * n + j];
  for (guint j = 0; j < n; j++)
    mean[j] /= B;
  for (guint r = 0; r < B; r++)
    for (guint j = 0; j < n; j++)
      {
        double c = z[(gsize) r * n + j] - mean[j];
        var[j] += c * c;
      }
  for (guint j = 0; j < n; j++)
    inv_std[j] = (float) (1.0 / sqrt (var[j] / B + PROBE_BN_EPS)); /* biased variance, as training mode */
  for (guint r = 0; r < B; r++)
    for (guint j = 0; j < n; j++)
      z[(gsize) r * n + j] = (float) ((z[(gsize) r * n + j] - mean[j]) * inv_std[j]);
}

/* d: ∂L/∂ẑ in, ∂L/∂z out, with ẑ the normalised z (in place):
 * dz = inv_std · (dẑ − mean(dẑ) − ẑ · mean(dẑ · ẑ)) per column */
static void
batchnorm_backward (float *d, const float *zhat, const float *inv_std, guint B, guint n)
{
  g_autofree double *sum = g_new0 (double, n), *dot = g_new0 (double, n);

  for (guint r = 0; r < B; r++)
    for (guint j = 0; j < n; j++)
      {
        gsize i = (gsize) r * n + j;
        sum[j] += d[i], dot[j] += (double) d[i] * zhat[i];
      }
  for (guint r = 0; r < B; r++)
    for (guint j = 0; j < n; j++)
      {
        gsize i = (gsize) r * n + j;
        d[i] = (float) (inv_std[j] * (d[i] - sum[j] / B - zhat[i] * dot[j] / B));
      }
}

static void
forward (Worker *w, TsInit init, TsActivation act)
{
  const Shared *s = w->s;
  guint B = s->spec.samples;

  for (guint l = 0; l <= s->spec.layers; l++)
    {
      float sigma;
      const float *u = layer_draws (s, l, init, &sigma);
      const float *in = l > 0 ? w->a[l - 1] : s->x;
      TsActParams p = probe_act (w, l, act);
      /* z (B, out) = σ · in (B, fan_in) · uᵀ; the biases are zero */
      ts_sgemm (FALSE, TRUE, B, units (s, l), fan_in (s, l), sigma, in, fan_in (s, l), u, fan_in (s, l), 0.f, w->z[l],
                units (s, l));
      if (w->inv_std[l])
        batchnorm_forward (w->z[l], w->inv_std[l], B, units (s, l));
      ts_activation_forward (w->a[l], w->z[l], B, units (s, l), units (s, l), &p);
    }
}

/* the shared gradient at the logits, pushed back to the first layer */
static void
backward (Worker *w, TsInit init, TsActivation act)
{
  const Shared *s = w->s;
  guint B = s->spec.samples;

  memcpy (w->d[s->spec.layers], s->dlogits, sizeof (float) * B * PROBE_CLASSES);
  for (guint l = s->spec.layers + 1; l-- > 0;)
    {
      float sigma;
      const float *u = layer_draws (s, l, init, &sigma);
      TsActParams p = probe_act (w, l, act);
      ts_activation_backward (w->d[l], p.kind == TS_ACT_PRELU ? w->dslope : NULL, w->z[l], w->a[l], B, units (s, l),
                              units (s, l), &p);
      if (w->inv_std[l])
        batchnorm_backward (w->d[l], w->z[l], w->inv_std[l], B, units (s, l));
      /* d[l-1] (B, fan_in) = σ · d[l] (B, out) · u (out, fan_in) */
      if (l > 0)
        ts_sgemm (FALSE, FALSE, B, fan_in (s, l), units (s, l), sigma, w->d[l], units (s, l), u, fan_in (s, l), 0.f,
                  w->d[l - 1], fan_in (s, l));
    }
}

/* The weights are measured in one cell per init (weights): they are the
 * same under every activation. */
static TsProbeCell *
probe_cell (Worker *w, TsInit init, TsActivation act, gboolean weights)
{
  const Shared *s = w->s;
  guint L = s->spec.layers, B = s->spec.samples;
  TsProbeCell *cell;

  forward (w, init, act);
  backward (w, init, act);
  cell = g_new0 (TsProbeCell, 1);
  cell->init = init;
  cell->activation = act;
  cell->batchnorm = s->spec.batchnorm;
  cell->n_layers = L;
  cell->layers = g_new0 (TsProbeLayer, L);
  for (guint l = 0; l < L; l++)
    {
      TsProbeLayer *p = &cell->layers[l];
      TsLayerStats stats = { 0 };
      ts_stats_activations (&stats, w->a[l], w->z[l], B, units (s, l), act);
      if (weights)
        {
          float sigma;
          const float *u = layer_draws (s, l, init, &sigma);
          gsize n = (gsize) units (s, l) * fan_in (s, l);
          for (gsize i = 0; i < n; i++)
            w->weights[i] = sigma * u[i]; /* σ = 0 (zero init) gives zeros */
          ts_stats_weights (&stats, w->weights, n);
        }
      p->act_mean = stats.act_mean;
      p->act_std = stats.act_std;
      p->dead_fraction = stats.dead_fraction;
      p->saturated_fraction = stats.saturated_fraction;
      p->grad_std = (float) ts_moments (w->d[l], (gsize) B * units (s, l)).std;
      p->act_hist = stats.hist[TS_HIST_ACTIVATIONS];
      p->weight_hist = stats.hist[TS_HIST_WEIGHTS];
      p->kind = TS_LAYER_DENSE;
      p->shape = (TsShape) { 1, { units (s, l) } };
    }
  return cell;
}

static gpointer
set_up_tasks (gpointer data)
{
  Shared *s = data;
  guint k;

  while ((k = (guint) g_atomic_int_add (&s->next, 1)) < s->spec.layers + 2)
    set_up_task (s, k);
  return NULL;
}

/* Cells activation by activation, the zero-init ones (no products: quick)
 * last, so the threads finish together */
static void
plan_cells (Shared *s, guint n_inits)
{
  guint k = 0;

  s->order = g_new (guint, MAX (n_inits * s->n_acts, 1));
  for (int zero = 0; zero < 2; zero++)
    for (guint a = 0; a < s->n_acts; a++)
      for (guint i = 0; i < n_inits; i++)
        if ((s->inits[i] == TS_INIT_ZERO) == zero)
          s->order[k++] = i * s->n_acts + a;
}

/* Workers take the next cell from a shared counter, each with buffers of
 * its own: a 10 × 500 probe over 1000 samples is ~60 MB to fault in once. */
static gpointer
probe_cells (gpointer data)
{
  Shared *s = data;
  Worker w;
  guint k;

  worker_init (&w, s);
  while ((k = (guint) g_atomic_int_add (&s->next, 1)) < s->grid->n_cells)
    {
      guint a = s->order[k] % s->n_acts, i = s->order[k] / s->n_acts;
      s->grid->cells[s->order[k]] = probe_cell (&w, s->inits[i], s->acts[a], a == 0);
    }
  worker_clear (&w);
  return NULL;
}

/* work, from a fresh queue, on the caller's thread and stride − 1 more */
static void
run_on_threads (GThreadFunc work, Shared *s)
{
  GThread *workers[TS_TEAM_MAX] = { NULL };

  s->next = 0;
  for (guint t = 1; t < s->stride; t++)
    workers[t] = g_thread_new ("probe", work, s);
  work (s);
  for (guint t = 1; t < s->stride; t++)
    g_thread_join (workers[t]);
}

static gboolean
needs_orthogonal (const TsInit *inits, guint n_inits)
{
  for (guint i = 0; i < n_inits; i++)
    if (inits[i] == TS_INIT_ORTHOGONAL)
      return TRUE;
  return FALSE;
}

static void
spec_defaults (TsProbeSpec *spec)
{
  spec->layers = spec->layers ? spec->layers : 10;
  spec->width = spec->width ? spec->width : 500;
  spec->samples = spec->samples ? spec->samples : 1000;
  spec->init_scale = spec->init_scale > 0 ? spec->init_scale : 0.01;
}

double
ts_probe_bytes (const TsProbeSpec *spec, guint in_dim, gboolean orthogonal, guint threads)
{
  TsProbeSpec sp = *spec;
  double L, W, B, in, shared, worker;

  spec_defaults (&sp);
  L = sp.layers, W = sp.width, B = sp.samples, in = in_dim ? in_dim : sp.width;
  /* the draws (orthonormalised too), the input and the logit gradient */
  shared = (W * in + (L - 1) * W * W + PROBE_CLASSES * W) * (orthogonal ? 2 : 1) + B * (in + PROBE_CLASSES);
  /* z, a and ∂ of every layer, batch norm's scales, one layer's weights */
  worker = 3 * B * (L * W + PROBE_CLASSES) + L * W + W * MAX (in, W) + 2 * W;
  return sizeof (float) * (shared + worker * CLAMP (threads, 1, TS_TEAM_MAX));
}

gboolean
ts_probe_check_memory (const TsProbeSpec *spec, guint in_dim, guint n_inits, guint n_acts, guint threads,
                       GError **error)
{
  TsProbeSpec sp = *spec;
  g_autofree char *what = NULL;

  spec_defaults (&sp);
  what = g_strdup_printf ("%u layers of %u units over %u samples, on %u threads,", sp.layers, sp.width, sp.samples,
                          MIN (CLAMP (threads, 1, TS_TEAM_MAX), MAX (n_inits * n_acts, 1)));
  /* orthogonal or not: the larger, so the refusal does not depend on the inits chosen */
  return ts_check_memory ("probe", what,
                          ts_probe_bytes (&sp, in_dim, TRUE, MIN (threads, MAX (n_inits * n_acts, 1))), error);
}

TsProbeGrid *
ts_probe_grid_new (const TsProbeSpec *spec, const TsInit *inits, guint n_inits, const TsActivation *acts,
                   guint n_acts, const float *input, guint in_dim, guint threads, GError **error)
{
  Shared s = { *spec, 0 };
  gboolean orthogonal = FALSE;

  spec_defaults (&s.spec);
  if (s.spec.layers > TS_MAX_HIDDEN_LAYERS || s.spec.width > 10000 || s.spec.samples > 100000
      || (input && in_dim == 0))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "probe: at most %d layers of 10000 units and 100000 samples",
                   TS_MAX_HIDDEN_LAYERS);
      return NULL;
    }
  if (!ts_probe_check_memory (&s.spec, input ? in_dim : 0, n_inits, n_acts, threads, error))
    return NULL;
  s.in_dim = input ? in_dim : s.spec.width;
  orthogonal = needs_orthogonal (inits, n_inits);
  shared_init (&s, input, orthogonal);
  s.inits = inits, s.acts = acts, s.n_acts = n_acts;
  s.grid = g_new0 (TsProbeGrid, 1);
  s.grid->n_cells = n_inits * n_acts;
  s.grid->n_acts = n_acts;
  s.grid->cells = g_new0 (TsProbeCell *, MAX (s.grid->n_cells, 1));
  s.stride = CLAMP (threads, 1, MIN (TS_TEAM_MAX, MAX (s.grid->n_cells, 1)));
  plan_cells (&s, n_inits);
  ts_blas_single_threaded ();
  run_on_threads (set_up_tasks, &s);
  run_on_threads (probe_cells, &s);
  for (guint c = 0; c < s.grid->n_cells; c++) /* the weights measured in each row's first cell */
    for (guint l = 0; l < s.spec.layers; l++)
      s.grid->cells[c]->layers[l].weight_hist = s.grid->cells[c - c % n_acts]->layers[l].weight_hist;
  shared_clear (&s);
  return s.grid;
}

TsProbeCell *
ts_probe_run (const TsProbeSpec *spec, TsInit init, TsActivation act, const float *input, guint in_dim, GError **error)
{
  TsProbeGrid *grid = ts_probe_grid_new (spec, &init, 1, &act, 1, input, in_dim, 1, error);
  TsProbeCell *cell = grid ? g_steal_pointer (&grid->cells[0]) : NULL;

  ts_probe_grid_free (grid);
  return cell;
}
