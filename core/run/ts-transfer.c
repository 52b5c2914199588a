/* The transfer lab's measurements: the target's splits through the
 * pre-trained model once, every stage's features kept, a linear probe and
 * LogME per stage, and the verdicts the 2×2 table reads. */
#include "ts-transfer-private.h"
#include "ts-error.h"
#include "ts-limits.h"
#include "ts-linear-probe.h"
#include "ts-logme.h"
#include "ts-rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PROBE_MIN_EPOCHS 10
#define PROBE_MIN_STEPS 1000 /* a 100-sample target is one batch an epoch */
#define PROBE_LR 1e-2        /* Adam: converged in those steps (1e-3 left a moons probe 9 points under linear-top) */
#define LOGME_MAX_SAMPLES 3000
#define SOURCE_MAX_SAMPLES 2000

static const char *const strategy_names[] = { "linear-top", "linear-stages", "finetune-few", "finetune-many",
                                              "scratch", NULL };

const char *
ts_strategy_name (TsStrategy s)
{
  return strategy_names[s];
}

gboolean
ts_strategy_from_name (const char *name, TsStrategy *out)
{
  for (int i = 0; strategy_names[i]; i++)
    if (g_strcmp0 (strategy_names[i], name) == 0)
      {
        *out = (TsStrategy) i;
        return TRUE;
      }
  return FALSE;
}

static void
report_clear (TsTransferReport *r)
{
  for (guint s = 0; s < r->n_stages; s++)
    g_free (r->stages[s].name);
  g_free (r->stages);
  for (guint i = 0; i < TS_N_STRATEGIES; i++)
    g_free (r->results[i].run);
  g_free (r->pretrained);
  g_free (r->source);
  memset (r, 0, sizeof *r);
}

void
ts_transfer_free (TsTransfer *t)
{
  if (t == NULL)
    return;
  report_clear (&t->report);
  ts_model_free (t->model);
  ts_experiment_free (t->target);
  g_free (t->model_path);
  g_free (t);
}

TsTransfer *
ts_transfer_new (const char *pretrained, GError **error)
{
  g_autoptr(TsTransfer) t = g_new0 (TsTransfer, 1);
  g_autofree char *path = NULL;

  if (g_file_test (pretrained, G_FILE_TEST_IS_DIR))
    {
      path = g_build_filename (pretrained, "model.safetensors", NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: no model.safetensors in this run folder", pretrained);
          return NULL;
        }
    }
  else if (!g_file_test (pretrained, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: no such model file or run folder", pretrained);
      return NULL;
    }
  else
    path = g_strdup (pretrained);
  t->model_path = g_steal_pointer (&path);
  return g_steal_pointer (&t);
}

const TsModel *
ts_transfer_model (const TsTransfer *t)
{
  return t->model;
}

const TsExperiment *
ts_transfer_target (const TsTransfer *t)
{
  return t->target;
}

const TsTransferReport *
ts_transfer_report (const TsTransfer *t)
{
  return &t->report;
}

gboolean
ts_transfer_set_target (TsTransfer *t, const char *source, char **overrides, GError **error)
{
  g_autoptr(TsModel) model = NULL;
  g_autoptr(TsExperiment) exp = NULL;

  /* loaded for the target's data, as eval loads a model for --data: a
   * file that does not say its input's shape (a global average pool
   * forgets the image size) takes the target's */
  if ((model = ts_model_load_for (t->model_path, source, error)) == NULL)
    return FALSE;
  if (ts_net_n_layers (model->net) < 2)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: has no hidden layer, so no features to transfer",
                   t->model_path);
      return FALSE;
    }
  exp = ts_experiment_copy (model->experiment);
  g_free (exp->data.source);
  exp->data.source = g_strdup (source);
  /* the source's own carving of its data says nothing about the target's */
  exp->data.limit = 0;
  _ts_transfer_clear_data_carving (exp);
  exp->model.unfreeze_after = 0; /* nor its recipe about the target's */
  for (int i = 0; overrides && overrides[i]; i++)
    if (!ts_experiment_set_override (exp, overrides[i], error))
      return FALSE;
  if (!ts_experiment_validate (exp, error))
    return FALSE;
  ts_model_free (t->model);
  t->model = g_steal_pointer (&model);
  ts_experiment_free (t->target);
  t->target = g_steal_pointer (&exp);
  return TRUE;
}

/* ---- stages --------------------------------------------------------------- */

guint
ts_transfer_stages_of (const TsExperiment *exp, guint *firsts, guint *lasts)
{
  const GArray *layers = exp->model.layers;
  guint n = 0;

  /* a stage starts at each dense or conv entry; batch norm, pools and the
   * global average pool after it belong to it (what the next stage reads) */
  for (guint i = 0; i < layers->len; i++)
    {
      const TsLayerSpec *spec = &g_array_index (layers, TsLayerSpec, i);
      if (spec->kind == TS_LAYER_DENSE || spec->kind == TS_LAYER_CONV || n == 0)
        {
          firsts[n] = i;
          lasts[n++] = i;
        }
      else
        lasts[n - 1] = i;
    }
  return n;
}

static char *
stage_name (const TsExperiment *exp, guint first, guint last)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = first; i <= last; i++)
    {
      const TsLayerSpec *spec = &g_array_index (exp->model.layers, TsLayerSpec, i);
      if (s->len)
        g_string_append (s, " · ");
      switch (spec->kind)
        {
        case TS_LAYER_DENSE: g_string_append_printf (s, "dense %u", spec->units); break;
        case TS_LAYER_CONV: g_string_append_printf (s, "conv %u", spec->units); break;
        case TS_LAYER_BATCHNORM: g_string_append (s, "batchnorm"); break;
        case TS_LAYER_POOL: g_string_append (s, spec->pool == TS_POOL_MAX ? "max pool" : "avg pool"); break;
        case TS_LAYER_GLOBAL_AVG_POOL: g_string_append (s, "global avg pool"); break;
        }
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* ---- features ------------------------------------------------------------- */

void
_ts_features_clear (TsFeatures *f)
{
  for (guint s = 0; f->x && s < f->n_stages; s++)
    g_free (f->x[s]);
  g_free (f->x);
  g_free (f->y);
  memset (f, 0, sizeof *f);
}

/* Every stage's output for every sample of ds, one forward pass per chunk
 * of rows, after the preprocessing pp. */
static void
extract (TsTransfer *t, const TsPreprocess *pp, const TsDataset *ds, TsFeatures *f)
{
  TsNet *net = t->model->net;
  const TsTransferReport *r = &t->report;
  guint cap = ts_net_batch_cap (net);
  g_autofree float *x = g_new (float, (gsize) cap * pp->out_dim);

  f->n = ds->n;
  f->n_stages = r->n_stages;
  f->x = g_new0 (float *, r->n_stages);
  f->y = g_memdup2 (ds->y, sizeof (guint32) * MAX (ds->n, 1));
  for (guint s = 0; s < r->n_stages; s++)
    f->x[s] = g_new (float, (gsize) MAX (ds->n, 1) * r->stages[s].width);
  for (guint start = 0; start < ds->n; start += cap)
    {
      guint rows = MIN (cap, ds->n - start);
      ts_preprocess_apply_rows (pp, ds->x + (gsize) start * ds->dim, rows, x);
      ts_net_forward (net, x, rows, FALSE, 0);
      for (guint s = 0; s < r->n_stages; s++)
        {
          guint w = r->stages[s].width;
          memcpy (f->x[s] + (gsize) start * w, ts_net_layer_y (net, r->stages[s].layer), sizeof (float) * rows * w);
        }
    }
}

static gboolean
check_input (TsTransfer *t, const TsDataset *ds, GError **error)
{
  const TsNetTensor *first = &g_array_index (ts_net_tensors (t->model->net), TsNetTensor, 0);
  g_autofree char *shape = ts_shape_text (&first->shape);
  guint want = t->model->preprocess->in_dim;

  if (ds->dim == want)
    return TRUE;
  if (ts_dataset_is_image (ds))
    g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                 "%s: its samples are %u×%u×%u images (%u values), but the pre-trained model %s takes %u values "
                 "(%s is %s)", t->target->data.source, ds->channels, ds->height, ds->width, ds->dim, t->model_path,
                 want, first->name, shape);
  else
    g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                 "%s: its samples have %u values, but the pre-trained model %s takes %u (%s is %s)",
                 t->target->data.source, ds->dim, t->model_path, want, first->name, shape);
  return FALSE;
}

/* PCA to fewer components than the target's samples allow */
static gboolean
check_pca (TsTransfer *t, const TsPreprocess *pp, GError **error)
{
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
               "%s: preprocessed with %s it gives %u values per sample, but the pre-trained model %s takes %u",
               t->target->data.source, ts_preprocess_name (pp->kind), pp->out_dim, t->model_path,
               t->model->preprocess->out_dim);
  return FALSE;
}

static gboolean
check_memory (TsTransfer *t, guint n_samples, GError **error)
{
  double total = 0;

  for (guint s = 0; s < t->report.n_stages; s++)
    {
      double bytes = (double) n_samples * t->report.stages[s].width * sizeof (float);
      g_autofree char *what = g_strdup_printf ("the features of stage %u (%s: %u values) for %u samples", s + 1,
                                               t->report.stages[s].name, t->report.stages[s].width, n_samples);
      if (!ts_check_memory ("transfer", what, bytes, error))
        return FALSE;
      total += bytes;
    }
  return ts_check_memory ("transfer", "the features of every stage", total, error);
}

/* ---- the measurements ----------------------------------------------------- */

typedef struct {
  const TsTransferOptions *opts;
  double                   from, span;
  const char              *what;
} Step;

static gboolean
step_progress (double fraction, gpointer data)
{
  Step *st = data;
  if (st->opts->progress)
    st->opts->progress (st->from + st->span * fraction, st->what, st->opts->progress_data);
  return !g_cancellable_is_cancelled (st->opts->cancellable);
}

static gboolean
progress (const TsTransferOptions *opts, double fraction, const char *what, GError **error)
{
  Step st = { opts, fraction, 0, what };
  if (step_progress (0, &st))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "transfer: cancelled while %s", what);
  return FALSE;
}

/* at most max rows of f at stage s, a random choice (seeded) when there are more */
static float *
sample_rows (const TsFeatures *f, guint s, guint width, guint max, guint64 seed, guint32 *labels, guint *n)
{
  g_autofree guint32 *order = g_new (guint32, MAX (f->n, 1));
  float *out;
  TsRng rng;

  *n = MIN (f->n, max);
  for (guint i = 0; i < f->n; i++)
    order[i] = i;
  ts_rng_init (&rng, seed, TS_STREAM_SPLIT);
  if (f->n > max)
    ts_rng_shuffle (&rng, order, f->n);
  out = g_new (float, (gsize) MAX (*n, 1) * width);
  for (guint i = 0; i < *n; i++)
    {
      memcpy (out + (gsize) i * width, f->x[s] + (gsize) order[i] * width, sizeof (float) * width);
      labels[i] = f->y[order[i]];
    }
  return out;
}

static double
stage_logme (const TsFeatures *f, guint s, guint width, guint n_classes, guint max, guint64 seed, GError **error)
{
  g_autofree guint32 *labels = g_new (guint32, MAX (MIN (f->n, max), 1));
  g_autofree float *x = NULL;
  TsLogme lm;
  guint n;
  double score;

  x = sample_rows (f, s, width, max, seed, labels, &n);
  if (!ts_logme (x, n, width, labels, n_classes, &lm, error))
    return NAN;
  score = lm.score;
  ts_logme_clear (&lm);
  return score;
}

/* The source's own held-out samples (its test part, else validation), at
 * most SOURCE_MAX_SAMPLES: what LogME gives data the model was made for. */
static gboolean
source_features (TsTransfer *t, TsFeatures *f, GError **error)
{
  TsSplits raw = { 0 };
  const TsDataset *held;
  g_autoptr(TsDataset) taken = NULL;

  if (!ts_splits_load (t->model->experiment, &raw, NULL, error))
    return FALSE;
  held = raw.test && raw.test->n ? raw.test : raw.val;
  if (held->n > SOURCE_MAX_SAMPLES)
    ts_dataset_take_stratified (held, SOURCE_MAX_SAMPLES, t->model->experiment->seed, &taken, NULL);
  if (held->dim == t->model->preprocess->in_dim)
    extract (t, t->model->preprocess, taken ? taken : held, f);
  ts_splits_clear (&raw);
  return f->n > 0;
}

static guint
argmax_stage (const TsTransferStage *stages, guint n, gsize offset)
{
  guint best = 0;
  for (guint s = 1; s < n; s++)
    if (G_STRUCT_MEMBER (double, &stages[s], offset) > G_STRUCT_MEMBER (double, &stages[best], offset))
      best = s;
  return best;
}

static void
decide (TsTransfer *t)
{
  TsTransferReport *r = &t->report;
  guint top = r->n_stages - 1;

  r->best_probe = argmax_stage (r->stages, r->n_stages, G_STRUCT_OFFSET (TsTransferStage, probe_val_acc));
  r->best_logme = argmax_stage (r->stages, r->n_stages, G_STRUCT_OFFSET (TsTransferStage, logme));
  r->source_best_logme = argmax_stage (r->stages, r->n_stages, G_STRUCT_OFFSET (TsTransferStage, source_logme));
  r->similarity = r->stages[top].logme;
  r->source_similarity = r->stages[top].source_logme;
  r->similar = _ts_transfer_similar (r);
  r->params_per_class = r->stages[top].width + 1;
  r->lots = r->n_classes && (double) r->train_count / r->n_classes >= r->params_per_class;
  r->recommended = r->lots ? (r->similar ? TS_STRATEGY_FINETUNE_FEW : TS_STRATEGY_FINETUNE_MANY)
                           : (r->similar ? TS_STRATEGY_LINEAR_TOP : TS_STRATEGY_LINEAR_STAGES);
}

static void
count_params (TsTransfer *t)
{
  TsTransferReport *r = &t->report;
  const GArray *tensors = ts_net_tensors (t->model->net);
  guint top_first = r->stages[r->n_stages - 1].first;

  r->params_few = r->params_many = 0;
  for (guint i = 0; i < tensors->len; i++)
    {
      const TsNetTensor *tensor = &g_array_index (tensors, TsNetTensor, i);
      guint k;
      guint64 numel = ts_shape_numel (&tensor->shape);
      if (tensor->role != TS_TENSOR_PARAM || sscanf (tensor->name, "layers.%u.", &k) != 1)
        continue;
      r->params_many += numel;
      /* the head: the last parameterised layer; the top stage's layers are
       * numbered from top_first's own K */
      if (_ts_transfer_tensor_layer (t, k) >= top_first)
        r->params_few += numel;
    }
  /* the head trained on the target's classes, not the source's */
  {
    guint64 source_head = (guint64) (r->stages[r->n_stages - 1].width + 1) * ts_net_n_classes (t->model->net);
    guint64 target_head = (guint64) (r->stages[r->n_stages - 1].width + 1) * r->n_classes;
    r->params_few = r->params_few - source_head + target_head;
    r->params_many = r->params_many - source_head + target_head;
  }
}

/* raw: the target's splits as loaded; pp: the preprocessing the
 * strategies' runs will use (the model's kind, fitted on the target's
 * training split), so a probe sees the features linear-top trains on */
static gboolean
measure (TsTransfer *t, const TsSplits *raw, const TsPreprocess *pp, const TsTransferOptions *opts, GError **error)
{
  TsTransferReport *r = &t->report;
  g_auto (TsFeatures) train = { 0 }, val = { 0 }, test = { 0 }, source = { 0 };
  guint max = opts->logme_max_samples ? opts->logme_max_samples : LOGME_MAX_SAMPLES;
  g_autoptr(GError) source_error = NULL;

  if (!check_memory (t, raw->train->n + raw->val->n + (raw->test ? raw->test->n : 0) + SOURCE_MAX_SAMPLES, error))
    return FALSE;
  if (!progress (opts, 0.2, "extracting features", error))
    return FALSE;
  extract (t, pp, raw->train, &train);
  extract (t, pp, raw->val, &val);
  if (raw->test)
    extract (t, pp, raw->test, &test);
  if (!progress (opts, 0.3, "scoring the source's own held-out data", error))
    return FALSE;
  /* a source that cannot be read now (moved, or made elsewhere) leaves the
   * source's column empty; the verdict reads the target's own stages */
  if (source_features (t, &source, &source_error))
    r->source_count = source.n;
  for (guint s = 0; s < r->n_stages; s++)
    {
      TsTransferStage *st = &r->stages[s];
      guint epochs = ts_linear_probe_epochs (train.n, PROBE_MIN_EPOCHS, PROBE_MIN_STEPS);
      g_autofree char *what = g_strdup_printf ("probing stage %u of %u (%s)", s + 1, r->n_stages, st->name);
      Step step = { opts, 0.4 + 0.6 * s / r->n_stages, 0.5 / r->n_stages, what };
      g_autoptr(TsLinearProbe) p = NULL;

      if (!progress (opts, step.from, what, error))
        return FALSE;
      p = ts_linear_probe_fit (train.x[s], train.y, train.n, st->width, r->n_classes, epochs, PROBE_LR, t->target->seed,
                               step_progress, &step);
      if (p == NULL)
        return progress (opts, step.from, what, error);
      ts_linear_probe_evaluate (p, val.x[s], val.y, val.n, &st->probe_val_acc, NULL);
      ts_linear_probe_evaluate (p, test.x ? test.x[s] : NULL, test.y, test.n, &st->probe_test_acc, NULL);
      if (!progress (opts, step.from + step.span, what, error))
        return FALSE;
      st->logme = stage_logme (&train, s, st->width, r->n_classes, max, t->target->seed, error);
      if (isnan (st->logme))
        return FALSE;
      st->source_logme = source.n ? stage_logme (&source, s, st->width, ts_net_n_classes (t->model->net), max,
                                                 t->target->seed, NULL)
                                  : NAN;
    }
  return TRUE;
}

gboolean
ts_transfer_analyse (TsTransfer *t, const TsTransferOptions *opts, GError **error)
{
  TsTransferReport *r = &t->report;
  g_autofree guint *firsts = NULL, *lasts = NULL;
  TsSplits raw = { 0 };
  TsLoadContext ctx = { opts->cancellable, NULL, NULL };
  TsPreprocess *pp;
  gint64 start = g_get_monotonic_time ();
  gboolean ok;

  g_return_val_if_fail (t->model != NULL, FALSE); /* ts_transfer_set_target loads it */
  report_clear (r);
  r->pretrained = g_strdup (t->model_path);
  r->source = g_strdup (t->target->data.source);
  firsts = g_new (guint, MAX (t->target->model.layers->len, 1));
  lasts = g_new (guint, MAX (t->target->model.layers->len, 1));
  r->n_stages = ts_transfer_stages_of (t->target, firsts, lasts);
  r->stages = g_new0 (TsTransferStage, r->n_stages);
  for (guint s = 0; s < r->n_stages; s++)
    {
      r->stages[s].first = firsts[s];
      r->stages[s].layer = lasts[s];
      r->stages[s].name = stage_name (t->target, firsts[s], lasts[s]);
      r->stages[s].width = ts_net_layer_units (t->model->net, lasts[s]);
      r->stages[s].probe_test_acc = r->stages[s].source_logme = NAN;
    }
  for (guint i = 0; i < TS_N_STRATEGIES; i++)
    r->results[i].val_acc = r->results[i].test_acc = r->results[i].seconds = NAN;
  if (!progress (opts, 0, "loading the target", error) || !ts_splits_load (t->target, &raw, &ctx, error))
    return FALSE;
  if (!check_input (t, raw.train, error))
    {
      ts_splits_clear (&raw);
      return FALSE;
    }
  r->train_count = raw.train->n;
  r->val_count = raw.val->n;
  r->test_count = raw.test ? raw.test->n : 0;
  r->n_classes = raw.train->n_classes;
  /* fitted on the training split only, as a run fits it */
  pp = ts_preprocess_fit (t->target->data.preprocess, raw.train, t->target->data.pca_components,
                          t->target->data.whiten_epsilon, error);
  ok = pp && (pp->out_dim == t->model->preprocess->out_dim || check_pca (t, pp, error))
       && measure (t, &raw, pp, opts, error);
  ts_preprocess_free (pp);
  ts_splits_clear (&raw);
  if (!ok)
    return FALSE;
  decide (t);
  count_params (t);
  r->seconds = (g_get_monotonic_time () - start) / 1e6;
  if (opts->progress)
    opts->progress (1.0, "done", opts->progress_data);
  return TRUE;
}
