#include "ts-training.h"
#include "ts-blas.h"
#include "ts-error.h"
#include "ts-limits.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#define EVAL_ROWS 1024

static gboolean
has_image_layers (const TsExperiment *exp)
{
  for (guint i = 0; i < exp->model.layers->len; i++)
    {
      TsLayerKind kind = g_array_index (exp->model.layers, TsLayerSpec, i).kind;
      if (kind == TS_LAYER_CONV || kind == TS_LAYER_POOL || kind == TS_LAYER_GLOBAL_AVG_POOL)
        return TRUE;
    }
  return FALSE;
}

/* What the net's first layer receives: the images' [C,H,W] when the data
 * are images and preprocessing keeps them in pixel space (center,
 * standardize and ZCA do; PCA's components are not pixels), else a vector
 * of the preprocessed width. Every layer is checked against it here,
 * before the net is allocated, the error naming the entry. */
gboolean
ts_training_input_shape (const TsExperiment *exp, const TsShape *raw, const TsPreprocess *pp, guint n_classes,
                 TsShape *input, GError **error)
{
  TsPreprocessKind kind = exp->data.preprocess;
  gboolean image = raw->ndim == 3 && pp->out_dim == ts_shape_numel (raw);

  if (image && kind != TS_PRE_PCA && kind != TS_PRE_PCA_WHITEN)
    *input = *raw;
  else
    *input = (TsShape) { 1, { pp->out_dim } };
  if (raw->ndim == 3 && input->ndim == 1 && has_image_layers (exp))
    {
      g_autofree char *text = ts_shape_text (raw);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "data.preprocess: %s turns the %s images into %u components, which conv and pool layers "
                   "cannot slide over; use center, standardize or zca (they keep the pixels), or dense layers only",
                   ts_preprocess_name (kind), text, pp->out_dim);
      return FALSE;
    }
  {
    g_autofree TsShape *shapes = g_new (TsShape, exp->model.layers->len + 1);
    return ts_experiment_layer_shapes_for (exp, input, n_classes, shapes, NULL, error);
  }
}

TsTraining *
ts_training_new (const TsExperiment *exp, const TsLoadContext *ctx, GError **error)
{
  g_autoptr(TsTraining) t = g_new0 (TsTraining, 1);
  guint batch = exp->train.batch_size;
  TsRng rng;
  guint in_dim;
  TsShape raw = { 0 }, input;

  ts_blas_single_threaded ();
  t->exp = ts_experiment_copy (exp);
  t->steps = ts_metric_log_new (sizeof (TsStepRecord));
  t->epochs = ts_metric_log_new (sizeof (TsEpochRecord));
  gboolean augmenting = ts_augment_spec_enabled (&exp->data.augment);

  if (!ts_experiment_validate (exp, error) || !ts_splits_load (exp, &t->data, ctx, error))
    return NULL;
  if (t->data.train->channels > 0)
    raw = (TsShape) { 3, { t->data.train->channels, t->data.train->height, t->data.train->width } };
  if (augmenting && (t->augment = ts_augment_new (&exp->data.augment, t->data.train, error)) == NULL)
    return NULL;
  if (!ts_splits_preprocess (&t->data, exp, augmenting, error))
    return NULL;
  if (t->data.train->n == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "data: the training split of %s is empty", exp->data.source);
      return NULL;
    }
  in_dim = t->data.preprocess->out_dim;
  if (!ts_training_input_shape (exp, &raw, t->data.preprocess, t->data.train->n_classes, &input, error))
    return NULL;
  /* the estimate again, now that the data's shape, classes and size are known */
  {
    guint batches = (t->data.train->n + batch - 1) / batch;
    TsFootprint f = ts_experiment_footprint_shaped (exp, &input, t->data.train->n_classes);

    f.stats_bytes = ts_stats_log_bytes ((guint64) batches * exp->train.epochs, exp->model.layers->len + 1, f.params);
    f.bytes += f.stats_bytes;
    if (!ts_experiment_check_footprint (exp, &f, error))
      return NULL;
  }
  t->net = ts_net_new_from_experiment (exp, &input, t->data.train->n_classes, batch);
  t->stats = ts_metric_log_new (ts_stats_record_size (ts_net_n_layers (t->net)));
  t->measured = ts_stats_record_new (ts_net_n_layers (t->net));
  ts_rng_init (&rng, exp->seed, TS_STREAM_INIT);
  ts_net_init (t->net, exp->model.init, exp->model.init_scale, &rng);
  /* a fine-tuned run: the init drew what the model does not give (a new head) */
  if (exp->model.init_from[0] && (t->init_from = ts_net_init_from (t->net, exp, error)) == NULL)
    return NULL;
  t->opt = ts_optimizer_new (exp->train.optimizer, ts_net_n_params (t->net), exp->train.momentum);
  t->team = ts_team_new (ts_blas_threads ());
  t->before = g_new (float, ts_net_n_params (t->net));
  t->snapshot = ts_snapshot_new (ts_net_state_size (t->net));
  ts_snapshot_publish (t->snapshot, ts_net_state (t->net), 0);
  t->order = g_new (guint32, t->data.train->n);
  t->xb = g_new (float, (gsize) batch * in_dim);
  if (t->augment)
    t->xb_raw = g_new (float, (gsize) batch * t->data.train->dim);
  t->yb = g_new (guint32, batch);
  t->n_batches = (t->data.train->n + batch - 1) / batch;
  /* a short run is measured more often, so its layer views have ~100 points */
  t->stats_every = ts_stats_every ((guint64) t->n_batches * exp->train.epochs, (double) ts_net_n_params (t->net));
  t->base_lr = t->lr = exp->train.lr;
  t->lr_override = NAN;
  ts_plateau_init (&t->plateau);
  t->lr_changes = g_array_new (FALSE, FALSE, sizeof (TsLrChange));
  t->first_loss = NAN;
  t->start_time = g_get_monotonic_time ();
  return g_steal_pointer (&t);
}

void
ts_training_free (TsTraining *t)
{
  if (t == NULL)
    return;
  ts_experiment_free (t->exp);
  ts_splits_clear (&t->data);
  ts_net_free (t->net);
  ts_init_report_free (t->init_from);
  ts_optimizer_free (t->opt);
  ts_team_free (t->team);
  ts_metric_log_free (t->steps);
  ts_metric_log_free (t->epochs);
  ts_metric_log_free (t->stats);
  g_free (t->measured);
  g_free (t->before);
  ts_snapshot_free (t->snapshot);
  g_free (t->order);
  g_free (t->xb);
  g_free (t->xb_raw);
  ts_augment_free (t->augment);
  g_free (t->yb);
  if (t->lr_changes)
    g_array_unref (t->lr_changes);
  g_free (t);
}

gboolean
ts_training_done (const TsTraining *t)
{
  return t->diverged || t->epoch >= t->exp->train.epochs;
}

void
ts_training_set_base_lr (TsTraining *t, double lr)
{
  TsLrChange change = { t->step, t->base_lr, lr };

  if (!(lr > 0) || !isfinite (lr) || lr == t->base_lr)
    return;
  g_array_append_val (t->lr_changes, change);
  t->base_lr = lr;
}

double
ts_training_samples_per_second (const TsTraining *t)
{
  return t->step_seconds > 0 ? t->samples_trained / t->step_seconds : 0.0;
}

/* model.unfreeze_after: the body frozen for its first epochs (as the net
 * was built), then every layer at its discriminative rate */
static void
unfreeze_when_due (TsTraining *t)
{
  if (t->exp->model.unfreeze_after == 0 || t->epoch != t->exp->model.unfreeze_after)
    return;
  g_autoptr(GArray) layers = ts_experiment_layers_at_epoch (t->exp, t->epoch);
  ts_net_set_trainable (t->net, (const TsLayerSpec *) layers->data, layers->len, t->opt);
}

static void
begin_epoch (TsTraining *t)
{
  TsRng rng;

  unfreeze_when_due (t);

  for (guint i = 0; i < t->data.train->n; i++)
    t->order[i] = i;
  ts_rng_init (&rng, t->exp->seed, TS_STREAM_SHUFFLE + t->epoch);
  ts_rng_shuffle (&rng, t->order, t->data.train->n);
  t->augment_key = ts_rng_key (t->exp->seed, TS_STREAM_AUGMENT + t->epoch);
  t->loss_sum = 0.0;
  t->correct = t->seen = 0;
}

/* The same rows of the next batch, fetched into cache while this step
 * computes (its GEMMs leave memory idle): the next gather reads them from
 * cache rather than from wherever in a 188 MB data set they lie. */
static void
prefetch_next_rows (const TsTraining *t, guint lo, guint hi)
{
  const TsDataset *train = t->data.train;
  guint batch = t->exp->train.batch_size;
  gsize next_start = (gsize) (t->batch + 1) * batch, bytes = sizeof (float) * train->dim;

  if (t->batch + 1 >= t->n_batches)
    return;
  hi = (guint) MIN (hi, train->n - next_start);
  for (guint r = lo; r < hi; r++)
    {
      const char *row = (const char *) (train->x + (gsize) t->order[next_start + r] * train->dim);
      for (gsize at = 0; at < bytes; at += 64)
        __builtin_prefetch (row + at, 0, 1);
    }
}

/* TsBatchFill: rows [lo, hi) of the current batch, from the epoch's order;
 * when augmenting: raw sample → augmented → preprocessed, row by row */
static void
gather_rows (gpointer data, float *x, guint32 *labels, guint lo, guint hi)
{
  TsTraining *t = data;
  const TsDataset *train = t->data.train;
  const guint32 *order = t->order + (gsize) t->batch * t->exp->train.batch_size;
  gsize dim = train->dim;

  for (guint r = lo; r < hi; r++)
    {
      const float *src = train->x + (gsize) order[r] * dim;
      labels[r] = train->y[order[r]];
      if (t->augment)
        ts_augment_sample (t->augment, src, t->xb_raw + r * dim, t->augment_key, order[r]);
      else
        memcpy (x + r * dim, src, sizeof (float) * dim);
    }
  if (t->augment && hi > lo)
    ts_preprocess_apply_rows (t->data.preprocess, t->xb_raw + lo * dim, hi - lo,
                              x + (gsize) lo * t->data.preprocess->out_dim);
  prefetch_next_rows (t, lo, hi);
}

gboolean
ts_training_evaluate (TsTraining *t, const TsDataset *ds, double *loss, double *acc)
{
  double total = 0.0;
  guint correct = 0;

  for (guint start = 0; start < ds->n; start += EVAL_ROWS)
    {
      guint rows = MIN (EVAL_ROWS, ds->n - start);
      const float *logits;

      if (t->stop && g_atomic_int_get (t->stop))
        return FALSE;
      logits = ts_net_forward_team (t->net, t->team, ds->x + (gsize) start * ds->dim, rows);
      total += rows * ts_loss_forward_backward (t->exp->train.loss, logits, ds->y + start, rows,
                                                ts_net_n_classes (t->net), NULL, &correct);
    }
  *loss = ds->n ? total / ds->n : NAN;
  *acc = ds->n ? (double) correct / ds->n : NAN;
  return TRUE;
}

static void
end_epoch (TsTraining *t)
{
  TsEpochRecord rec = {
    .epoch = t->epoch + 1,
    .step = t->step,
    .lr = t->lr,
    .train_loss = t->loss_sum / MAX (t->seen, 1),
    .train_acc = (double) t->correct / MAX (t->seen, 1),
    .val_loss = NAN,
    .val_acc = NAN,
  };

  if (t->data.val->n > 0 && !ts_training_evaluate (t, t->data.val, &rec.val_loss, &rec.val_acc))
    return; /* stopped mid-evaluation: the epoch is not recorded */
  rec.seconds = (g_get_monotonic_time () - t->start_time) * 1e-6;
  ts_metric_log_append (t->epochs, &rec);
  ts_snapshot_publish (t->snapshot, ts_net_state (t->net), t->step);
  ts_plateau_observe (&t->plateau, isnan (rec.val_loss) ? rec.train_loss : rec.val_loss,
                      t->exp->train.schedule.patience);
  t->epoch++;
  t->batch = 0;
}

gboolean
ts_training_step (TsTraining *t)
{
  const TsTrainSpec *train = &t->exp->train;
  gint64 t0 = g_get_monotonic_time ();
  TsStepConfig cfg;
  TsStepRecord rec;
  TsBatch batch = { gather_rows, t, t->xb, t->yb };
  gboolean measure;
  guint rows;
  double loss;

  if (ts_training_done (t))
    return !t->diverged;
  if (t->batch == t->n_batches)
    {
      end_epoch (t); /* an evaluation that was interrupted */
      return TRUE;
    }
  if (t->batch == 0)
    begin_epoch (t);
  rows = MIN (train->batch_size, t->data.train->n - t->batch * train->batch_size);
  t->lr = isnan (t->lr_override)
            ? ts_schedule_lr (train, t->base_lr, t->epoch, (double) t->batch / t->n_batches, t->plateau.decays)
            : t->lr_override;
  measure = t->step % t->stats_every == 0;
  cfg = (TsStepConfig) { t->opt, train->loss, (float) t->lr, (float) train->l2, (float) train->l1,
                         (float) train->max_norm, .keep_gradients = measure };
  if (measure)
    memcpy (t->before, ts_net_params (t->net), sizeof (float) * ts_net_n_params (t->net));
  loss = ts_net_train_batch (t->net, t->team, &cfg, &batch, rows,
                             ts_rng_key (t->exp->seed, TS_STREAM_NOISE + t->step), &t->correct);
  if (measure)
    {
      ts_stats_measure_team (t->net, t->team, rows, t->before, t->step + 1, t->measured);
      ts_metric_log_append (t->stats, t->measured);
      ts_snapshot_publish (t->snapshot, ts_net_state (t->net), t->step + 1);
    }

  t->step++;
  t->batch++;
  t->seen += rows;
  t->loss_sum += loss * rows;
  t->samples_trained += rows;
  t->step_seconds += (g_get_monotonic_time () - t0) * 1e-6;
  if (t->step == 1)
    t->first_loss = loss;
  rec = (TsStepRecord) { t->step, t->epoch + 1, (float) t->lr, (float) loss };
  ts_metric_log_append (t->steps, &rec);
  if (!isfinite (loss))
    {
      t->diverged = TRUE;
      return FALSE;
    }
  if (t->batch == t->n_batches)
    end_epoch (t);
  return TRUE;
}
