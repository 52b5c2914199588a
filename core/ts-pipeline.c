#include "ts-pipeline.h"
#include "ts-loaders.h"
#include "ts-error.h"
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

/* data.view: every sample of both parts cut to the view */
static gboolean
view_source (TsView view, TsSourceData *data, GError **error)
{
  TsDataset *train = ts_view_dataset (view, data->train, error), *test = NULL;

  if (train == NULL)
    return FALSE;
  if (data->test && (test = ts_view_dataset (view, data->test, error)) == NULL)
    {
      ts_dataset_free (train);
      return FALSE;
    }
  ts_dataset_free (data->train);
  data->train = train;
  if (test)
    {
      ts_dataset_free (data->test);
      data->test = test;
    }
  return TRUE;
}

gboolean
ts_splits_load (const TsExperiment *exp, TsSplits *out, const TsLoadContext *ctx, GError **error)
{
  TsSourceData data = { 0 };
  TsDataset *pool;
  guint n_val;

  if (!ts_source_load (&exp->data, exp->seed, &data, ctx, error))
    {
      ts_source_data_clear (&data);
      return FALSE;
    }
  if (exp->data.view != TS_VIEW_ALL && !view_source (exp->data.view, &data, error))
    {
      ts_source_data_clear (&data);
      return FALSE;
    }
  out->warnings = g_steal_pointer (&data.warnings);
  pool = g_steal_pointer (&data.train);
  if (exp->data.limit > 0 && exp->data.limit < pool->n)
    {
      TsDataset *limited = NULL;
      ts_dataset_take_stratified (pool, exp->data.limit, exp->seed + 1, &limited, NULL);
      ts_dataset_free (pool);
      pool = limited;
    }
  if (exp->data.folds >= 2)
    split_fold (pool, exp, out);
  else
    {
      n_val = (guint) floor (pool->n * exp->data.val_fraction + 0.5);
      ts_dataset_take_stratified (pool, n_val, exp->seed, &out->val, &out->train);
    }
  out->test = g_steal_pointer (&data.test);
  if (out->train->n == 0)
    {
      /* blame the key that did it, not the first step to notice */
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "data.val_fraction: %g of %u samples leaves none for training; lower it", exp->data.val_fraction,
                   pool->n);
      ts_dataset_free (pool);
      ts_splits_clear (out);
      return FALSE;
    }
  ts_dataset_free (pool);
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
