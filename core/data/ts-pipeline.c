#include "ts-pipeline.h"
#include "ts-loaders.h"
#include "ts-error.h"
#include "ts-task.h"
#include "ts-view.h"

#include <math.h>

void
ts_splits_clear (TsSplits *s)
{
  g_clear_pointer (&s->train, ts_dataset_free);
  g_clear_pointer (&s->val, ts_dataset_free);
  g_clear_pointer (&s->test, ts_dataset_free);
  g_clear_pointer (&s->preprocess, ts_preprocess_free);
  g_clear_pointer (&s->warnings, g_ptr_array_unref);
}

/* k-fold: fold `fold` of the training part validates, the other folds train
 * (the source's test part is never among them) */
static void
split_fold (const TsDataset *pool, const TsExperiment *exp, TsSplits *out)
{
  guint n_val = 0, n_train = 0;
  g_autofree guint32 *val = ts_dataset_kfold_indices (pool, exp->data.folds, exp->data.fold, exp->seed, &n_val);
  g_autofree guint32 *train = g_new (guint32, MAX (pool->n, 1));

  /* val is sorted: the rest is every index it skips */
  for (guint i = 0, j = 0; i < pool->n; i++)
    {
      if (j < n_val && val[j] == i)
        j++;
      else
        train[n_train++] = i;
    }
  out->val = ts_dataset_subset (pool, val, n_val);
  out->train = ts_dataset_subset (pool, train, n_train);
}

static GPtrArray *
copy_warnings (const GPtrArray *warnings)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; warnings && i < warnings->len; i++)
    g_ptr_array_add (out, g_strdup (warnings->pdata[i]));
  return out;
}

/* The loaded source is shared (ts_source_acquire) and stays as loaded: the
 * view, limit and split are new datasets made from it, and the test part is
 * a copy (preprocessing replaces it). */
/* A task carved from one part of the source (training or test):
 * data.class_subset, then data.resize. *part is replaced by a dataset
 * owned in *owned when anything changes it. */
static gboolean
carve_task (const TsDataSpec *spec, const TsDataset **part, TsDataset **owned, GError **error)
{
  TsDataset *next;

  if (*part == NULL)
    return TRUE;
  if (spec->class_subset->len)
    {
      next = ts_dataset_select_classes (*part, (const guint *) spec->class_subset->data, spec->class_subset->len,
                                        spec->source, error);
      if (next == NULL)
        return FALSE;
      g_clear_pointer (owned, ts_dataset_free);
      *part = *owned = next;
    }
  if (spec->resize->len)
    {
      next = ts_dataset_resize (*part, g_array_index (spec->resize, guint, 0), g_array_index (spec->resize, guint, 1),
                                spec->source, error);
      if (next == NULL)
        return FALSE;
      g_clear_pointer (owned, ts_dataset_free);
      *part = *owned = next;
    }
  return TRUE;
}

gboolean
ts_splits_load (const TsExperiment *exp, TsSplits *out, const TsLoadContext *ctx, GError **error)
{
  g_autoptr(TsSource) source = ts_source_acquire (&exp->data, exp->seed, ctx, error);
  g_autoptr(TsDataset) viewed = NULL, viewed_test = NULL, limited = NULL, task = NULL, task_test = NULL;
  const TsSourceData *data;
  const TsDataset *pool, *test;
  guint n_val;

  if (source == NULL)
    return FALSE;
  data = ts_source_get_data (source);
  pool = data->train;
  test = data->test;
  if (!carve_task (&exp->data, &pool, &task, error) || !carve_task (&exp->data, &test, &task_test, error))
    return FALSE;
  if (exp->data.view != TS_VIEW_ALL)
    {
      if ((viewed = ts_view_dataset (exp->data.view, pool, error)) == NULL
          || (test && (viewed_test = ts_view_dataset (exp->data.view, test, error)) == NULL))
        return FALSE;
      pool = viewed;
    }
  if (exp->data.limit > 0 && exp->data.limit < pool->n)
    {
      ts_dataset_take_stratified (pool, exp->data.limit, exp->seed + 1, &limited, NULL);
      pool = limited;
    }
  if (exp->data.folds >= 2)
    split_fold (pool, exp, out);
  else
    {
      n_val = (guint) floor (pool->n * exp->data.val_fraction + 0.5);
      ts_dataset_take_stratified (pool, n_val, exp->seed, &out->val, &out->train);
    }
  if (out->train->n == 0)
    {
      /* blame the key that did it, not the first step to notice */
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "data.val_fraction: %g of %u samples leaves none for training; lower it", exp->data.val_fraction,
                   pool->n);
      ts_splits_clear (out);
      return FALSE;
    }
  out->warnings = copy_warnings (data->warnings);
  if (viewed_test)
    out->test = g_steal_pointer (&viewed_test);
  else if (task_test)
    out->test = g_steal_pointer (&task_test);
  else if (test)
    out->test = ts_dataset_copy (test);
  return TRUE;
}

static void
replace (TsDataset **slot, const TsPreprocess *pp)
{
  TsDataset *next;

  if (*slot == NULL)
    return;
  next = ts_preprocess_apply (pp, *slot);
  ts_dataset_free (*slot);
  *slot = next;
}

void
ts_splits_apply (TsSplits *s, TsPreprocess *preprocess, gboolean keep_train_raw)
{
  g_clear_pointer (&s->preprocess, ts_preprocess_free);
  s->preprocess = preprocess;
  if (preprocess->kind == TS_PRE_NONE)
    return;
  if (!keep_train_raw)
    replace (&s->train, preprocess);
  replace (&s->val, preprocess);
  replace (&s->test, preprocess);
}

gboolean
ts_splits_preprocess (TsSplits *s, const TsExperiment *exp, gboolean keep_train_raw, GError **error)
{
  TsPreprocess *pp = ts_preprocess_fit (exp->data.preprocess, s->train, exp->data.pca_components,
                                        exp->data.whiten_epsilon, error);
  if (pp == NULL)
    return FALSE;
  ts_splits_apply (s, pp, keep_train_raw);
  return TRUE;
}
