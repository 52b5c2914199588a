#include "ts-probe-stack.h"
#include "ts-blas.h"
#include "ts-error.h"
#include "ts-limits.h"
#include "ts-net.h"
#include "ts-pipeline.h"
#include "ts-stats.h"
#include "ts-training.h"

#include <string.h>

void
ts_probe_batch_free (TsProbeBatch *batch)
{
  if (batch == NULL)
    return;
  ts_dataset_free (batch->rows);
  g_free (batch->source);
  g_free (batch);
}

/* the run's data without what only training does to it: no augmentation */
static TsExperiment *
data_experiment (const TsExperiment *exp)
{
  TsExperiment *copy = ts_experiment_copy (exp);

  memset (&copy->data.augment, 0, sizeof copy->data.augment);
  return copy;
}

TsProbeBatch *
ts_probe_batch_load (const TsExperiment *exp, guint samples, const TsLoadContext *ctx, GError **error)
{
  g_autoptr(TsExperiment) copy = NULL;
  g_autoptr(TsProbeBatch) batch = NULL;
  g_autofree guint32 *rows = NULL;
  TsSplits splits = { 0 };
  TsShape raw = { 0 };
  const TsDataset *train;
  gboolean ok;
  guint n;

  if (!ts_experiment_validate (exp, error))
    return NULL;
  copy = data_experiment (exp);
  if (!ts_splits_load (copy, &splits, ctx, error))
    return NULL;
  train = splits.train;
  if (train->channels > 0)
    raw = (TsShape) { 3, { train->channels, train->height, train->width } };
  batch = g_new0 (TsProbeBatch, 1);
  batch->source = g_strdup (exp->data.source);
  ok = ts_splits_preprocess (&splits, copy, FALSE, error)
       && ts_training_input_shape (copy, &raw, splits.preprocess, splits.train->n_classes, &batch->input, error);
  if (ok && splits.train->n == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "data: the training split of %s is empty", exp->data.source);
      ok = FALSE;
    }
  if (!ok)
    {
      ts_splits_clear (&splits);
      return NULL;
    }
  /* rows spread evenly over the split, so every class is in the batch */
  n = MIN (MAX (samples, 2), splits.train->n);
  rows = g_new (guint32, n);
  for (guint r = 0; r < n; r++)
    rows[r] = (guint32) ((guint64) r * splits.train->n / n);
  batch->rows = ts_dataset_subset (splits.train, rows, n);
  batch->n_classes = splits.train->n_classes;
  ts_splits_clear (&splits);
  return g_steal_pointer (&batch);
}

/* The cell's net: the stack under one init and one activation for every
 * layer, nothing loaded, no dropout */
static TsExperiment *
cell_experiment (const TsExperiment *exp, TsInit init, TsActivation act, guint B)
{
  TsExperiment *copy = ts_experiment_copy (exp);

  copy->model.init = init;
  copy->model.activation = act;
  copy->model.dropout = 0;
  g_free (copy->model.init_from);
  copy->model.init_from = g_strdup ("");
  copy->model.freeze = 0;
  copy->train.batch_size = B;
  for (guint i = 0; i < copy->model.layers->len; i++)
    {
      TsLayerSpec *spec = &g_array_index (copy->model.layers, TsLayerSpec, i);
      spec->activation = TS_INHERIT_ACTIVATION;
      spec->frozen = FALSE;
    }
  return copy;
}

typedef struct {
  const TsExperiment *exp;
  const TsProbeBatch *batch;
  const TsInit       *inits;
  const TsActivation *acts;
  guint               n_acts;
  TsProbeGrid        *grid;
  gint                next;
} Shared;

/* Forward in training mode (batch norm on the batch's statistics, as
 * training starts), the loss's gradient at the logits, and back: the
 * signal only, no weight gradients */
static TsProbeCell *
probe_cell (const Shared *s, TsInit init, TsActivation act)
{
  const TsProbeBatch *b = s->batch;
  guint B = b->rows->n, L = s->exp->model.layers->len;
  g_autoptr(TsExperiment) exp = cell_experiment (s->exp, init, act, B);
  g_autoptr(TsNet) net = ts_net_new_from_experiment (exp, &b->input, b->n_classes, B);
  g_autofree TsStatsRecord *rec = ts_stats_record_new (ts_net_n_layers (net));
  TsProbeCell *cell = g_new0 (TsProbeCell, 1);
  const float *logits;
  guint correct = 0;
  TsRng rng;

  /* one stream for every cell: the same N(0, 1) draws under each scheme */
  ts_rng_init (&rng, exp->seed, TS_STREAM_INIT);
  ts_net_init (net, init, exp->model.init_scale, &rng);
  logits = ts_net_forward (net, b->rows->x, B, TRUE, ts_rng_key (exp->seed, TS_STREAM_NOISE));
  ts_loss_forward_backward (TS_LOSS_SOFTMAX, logits, b->rows->y, B, b->n_classes, ts_net_dlogits (net), &correct);
  ts_net_backward_signal (net, b->rows->x, B);
  ts_stats_measure_forward (net, B, TRUE, rec);
  cell->init = init;
  cell->activation = act;
  cell->n_layers = L;
  cell->layers = g_new0 (TsProbeLayer, MAX (L, 1));
  for (guint l = 0; l < L; l++)
    {
      TsProbeLayer *p = &cell->layers[l];
      const TsLayerStats *st = &rec->layers[l];
      p->act_mean = st->act_mean;
      p->act_std = st->act_std;
      p->dead_fraction = st->dead_fraction;
      p->saturated_fraction = st->saturated_fraction;
      p->grad_std = (float) ts_moments (ts_net_layer_d (net, l), (gsize) B * ts_net_layer_units (net, l)).std;
      p->act_hist = st->hist[TS_HIST_ACTIVATIONS];
      p->weight_hist = st->hist[TS_HIST_WEIGHTS];
      p->kind = ts_net_layer_kind (net, l);
      ts_net_layer_out_shape (net, l, &p->shape);
    }
  return cell;
}

static gpointer
probe_cells (gpointer data)
{
  Shared *s = data;
  guint k;

  while ((k = (guint) g_atomic_int_add (&s->next, 1)) < s->grid->n_cells)
    s->grid->cells[k] = probe_cell (s, s->inits[k / s->n_acts], s->acts[k % s->n_acts]);
  return NULL;
}

TsProbeGrid *
ts_probe_stack_new (const TsExperiment *exp, const TsProbeBatch *batch, const TsInit *inits, guint n_inits,
                    const TsActivation *acts, guint n_acts, guint threads, GError **error)
{
  Shared s = { exp, batch, inits, acts, n_acts };
  GThread *workers[TS_TEAM_MAX] = { NULL };
  guint n_cells = n_inits * n_acts, stride;
  g_autofree TsShape *shapes = g_new (TsShape, exp->model.layers->len + 1);

  if (n_cells == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "probe: no init scheme or no activation to probe");
      return NULL;
    }
  if (!ts_experiment_layer_shapes_for (exp, &batch->input, batch->n_classes, shapes, NULL, error))
    return NULL;
  stride = CLAMP (threads, 1, MIN (TS_TEAM_MAX, n_cells));
  /* each thread holds one cell's net at a time: its parameters and every
   * layer's buffers over the batch */
  {
    g_autoptr(TsExperiment) one = cell_experiment (exp, inits[0], acts[0], batch->rows->n);
    TsFootprint f = ts_experiment_footprint_shaped (one, &batch->input, batch->n_classes);
    g_autofree char *what = g_strdup_printf ("%u layers over %u samples of %s, on %u threads,",
                                             exp->model.layers->len + 1, batch->rows->n, batch->source, stride);
    if (!ts_check_memory ("probe", what, f.bytes * stride, error))
      return NULL;
  }
  s.grid = g_new0 (TsProbeGrid, 1);
  s.grid->n_cells = n_cells;
  s.grid->n_acts = n_acts;
  s.grid->cells = g_new0 (TsProbeCell *, n_cells);
  ts_blas_single_threaded ();
  for (guint t = 1; t < stride; t++)
    workers[t] = g_thread_new ("probe", probe_cells, &s);
  probe_cells (&s);
  for (guint t = 1; t < stride; t++)
    g_thread_join (workers[t]);
  return s.grid;
}
