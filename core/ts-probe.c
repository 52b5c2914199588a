#include "ts-probe.h"
#include "ts-blas.h"
#include "ts-error.h"
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

static void
set_weights (TsNet *net, const Shared *s, TsInit init)
{
  for (guint l = 0; l < ts_net_n_layers (net); l++)
    {
      TsShape shape;
      float *w = ts_net_layer_weights_mut (net, l, &shape);
      gsize n = ts_shape_numel (&shape);
      float sigma = (float) ts_init_sigma (init, ts_net_layer_inputs (net, l), s->spec.init_scale);

      if (init == TS_INIT_ORTHOGONAL)
        memcpy (w, s->ortho[l], sizeof (float) * n);
      else
        for (gsize i = 0; i < n; i++)
          w[i] = sigma * s->unit[l][i]; /* σ = 0 (zero init) gives zeros */
      memset (ts_net_layer_bias_mut (net, l), 0, sizeof (float) * ts_net_layer_units (net, l));
    }
}

static TsNet *
probe_net (const Shared *s, TsActivation act)
{
  g_autofree TsLayerSpec *hidden = g_new (TsLayerSpec, s->spec.layers);

  for (guint l = 0; l < s->spec.layers; l++)
    hidden[l] = (TsLayerSpec) { s->spec.width, act };
  return ts_net_new (s->in_dim, hidden, s->spec.layers, act, PROBE_SLOPE, 0.f, PROBE_CLASSES, s->spec.samples);
}

/* net: for this cell's activation; its weights are set here. The weights
 * are measured in one cell per init (weights): they are the same under
 * every activation. */
static TsProbeCell *
probe_cell (const Shared *s, TsNet *net, TsInit init, TsActivation act, gboolean weights)
{
  guint L = s->spec.layers, B = s->spec.samples;
  TsStatsRecord stats;
  TsProbeCell *cell;

  set_weights (net, s, init);
  /* forward; then a random gradient at the logits, pushed back to the input */
  ts_net_forward (net, s->x, B, FALSE, 0);
  memcpy (ts_net_dlogits (net), s->dlogits, sizeof (float) * B * PROBE_CLASSES);
  ts_net_backward_signal (net, s->x, B);
  ts_stats_measure_forward (net, B, weights, &stats);

  cell = g_new0 (TsProbeCell, 1);
  cell->init = init;
  cell->activation = act;
  cell->n_layers = L;
  cell->layers = g_new0 (TsProbeLayer, L);
  for (guint l = 0; l < L; l++)
    {
      TsProbeLayer *p = &cell->layers[l];
      p->act_mean = stats.layers[l].act_mean;
      p->act_std = stats.layers[l].act_std;
      p->dead_fraction = stats.layers[l].dead_fraction;
      p->saturated_fraction = stats.layers[l].saturated_fraction;
      p->grad_std = (float) ts_moments (ts_net_layer_d (net, l), (gsize) B * s->spec.width).std;
      p->act_hist = stats.layers[l].hist[TS_HIST_ACTIVATIONS];
      p->weight_hist = stats.layers[l].hist[TS_HIST_WEIGHTS];
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

/* Workers take the next cell from a shared counter and keep their net when
 * the activation changes (a new one only for PReLU or RReLU layers): a
 * 10 × 500 net over 1000 samples is ~80 MB of workspace to fault in. */
static gpointer
probe_cells (gpointer data)
{
  Shared *s = data;
  g_autoptr(TsNet) net = NULL;
  int act = -1;
  guint k;

  while ((k = (guint) g_atomic_int_add (&s->next, 1)) < s->grid->n_cells)
    {
      guint a = s->order[k] % s->n_acts, i = s->order[k] / s->n_acts;
      if ((int) s->acts[a] != act)
        {
          if (net == NULL || !_ts_net_set_hidden_activation (net, s->acts[a], PROBE_SLOPE))
            {
              g_clear_pointer (&net, ts_net_free);
              net = probe_net (s, s->acts[a]);
            }
          act = (int) s->acts[a];
        }
      s->grid->cells[s->order[k]] = probe_cell (s, net, s->inits[i], s->acts[a], a == 0);
    }
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

TsProbeGrid *
ts_probe_grid_new (const TsProbeSpec *spec, const TsInit *inits, guint n_inits, const TsActivation *acts,
                   guint n_acts, const float *input, guint in_dim, guint threads, GError **error)
{
  Shared s = { *spec, 0 };
  gboolean orthogonal = FALSE;

  s.spec.layers = spec->layers ? spec->layers : 10;
  s.spec.width = spec->width ? spec->width : 500;
  s.spec.samples = spec->samples ? spec->samples : 1000;
  s.spec.init_scale = spec->init_scale > 0 ? spec->init_scale : 0.01;
  if (s.spec.layers > TS_STATS_MAX_LAYERS - 1 || s.spec.width > 10000 || s.spec.samples > 100000
      || (input && in_dim == 0))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "probe: at most %d layers of 10000 units and 100000 samples",
                   TS_STATS_MAX_LAYERS - 1);
      return NULL;
    }
  s.in_dim = input ? in_dim : s.spec.width;
  for (guint i = 0; i < n_inits; i++)
    orthogonal |= inits[i] == TS_INIT_ORTHOGONAL;
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
