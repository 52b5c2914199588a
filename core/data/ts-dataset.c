#include "ts-dataset.h"
#include "ts-rng.h"

#include <string.h>

TsDataset *
ts_dataset_new (guint n, guint dim, guint n_classes)
{
  TsDataset *ds = g_new0 (TsDataset, 1);

  ds->n = n;
  ds->dim = dim;
  ds->n_classes = n_classes;
  /* never NULL, even when empty: memcpy of 0 bytes from NULL is undefined */
  ds->x = g_new0 (float, MAX ((gsize) n * dim, 1));
  ds->y = g_new0 (guint32, MAX (n, 1));
  return ds;
}

TsDataset *
ts_dataset_new_image (guint n, guint channels, guint height, guint width, guint n_classes)
{
  TsDataset *ds = ts_dataset_new (n, channels * height * width, n_classes);

  ds->channels = channels;
  ds->height = height;
  ds->width = width;
  return ds;
}

void
ts_dataset_free (TsDataset *ds)
{
  if (ds == NULL)
    return;
  g_free (ds->x);
  g_free (ds->y);
  g_strfreev (ds->class_names);
  g_free (ds);
}

gboolean
ts_dataset_is_image (const TsDataset *ds)
{
  return ds->channels > 0;
}

void
ts_dataset_set_class_names (TsDataset *ds, const char *const *names)
{
  g_strfreev (ds->class_names);
  ds->class_names = g_strdupv ((char **) names);
}

static TsDataset *
new_like (const TsDataset *ds, guint n)
{
  TsDataset *out = ts_dataset_new (n, ds->dim, ds->n_classes);

  out->channels = ds->channels;
  out->height = ds->height;
  out->width = ds->width;
  out->class_names = g_strdupv (ds->class_names);
  return out;
}

TsDataset *
ts_dataset_copy (const TsDataset *ds)
{
  TsDataset *out = new_like (ds, ds->n);

  memcpy (out->x, ds->x, sizeof (float) * ds->n * ds->dim);
  memcpy (out->y, ds->y, sizeof (guint32) * ds->n);
  return out;
}

TsDataset *
ts_dataset_subset (const TsDataset *ds, const guint32 *indices, guint n)
{
  TsDataset *out = new_like (ds, n);

  for (guint i = 0; i < n; i++)
    {
      memcpy (out->x + (gsize) i * ds->dim, ds->x + (gsize) indices[i] * ds->dim, sizeof (float) * ds->dim);
      out->y[i] = ds->y[indices[i]];
    }
  return out;
}

void
ts_dataset_class_counts (const TsDataset *ds, guint *counts)
{
  memset (counts, 0, sizeof (guint) * ds->n_classes);
  for (guint i = 0; i < ds->n; i++)
    counts[ds->y[i]]++;
}

/* Indices grouped by class, each group shuffled: the basis of every split. */
static guint32 *
shuffled_by_class (const TsDataset *ds, guint64 seed, guint *starts)
{
  guint32 *order = g_new (guint32, MAX (ds->n, 1));
  g_autofree guint *fill = g_new0 (guint, ds->n_classes + 1);
  TsRng rng;

  memset (starts, 0, sizeof (guint) * (ds->n_classes + 1));
  for (guint i = 0; i < ds->n; i++)
    starts[ds->y[i] + 1]++;
  for (guint c = 0; c < ds->n_classes; c++)
    starts[c + 1] += starts[c];
  for (guint i = 0; i < ds->n; i++)
    order[starts[ds->y[i]] + fill[ds->y[i]]++] = i;
  ts_rng_init (&rng, seed, TS_STREAM_SPLIT);
  for (guint c = 0; c < ds->n_classes; c++)
    ts_rng_shuffle (&rng, order + starts[c], starts[c + 1] - starts[c]);
  return order;
}

static int
compare_u32 (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

void
ts_dataset_take_stratified (const TsDataset *ds, guint count, guint64 seed,
                            TsDataset **taken, TsDataset **rest)
{
  g_autofree guint *starts = g_new (guint, ds->n_classes + 1);
  g_autofree guint32 *order = shuffled_by_class (ds, seed, starts);
  g_autofree guint32 *take_idx = g_new (guint32, MAX (ds->n, 1));
  g_autofree guint32 *rest_idx = g_new (guint32, MAX (ds->n, 1));
  guint n_take = 0, n_rest = 0;
  double share = ds->n ? (double) MIN (count, ds->n) / ds->n : 0.0;

  for (guint c = 0; c < ds->n_classes; c++)
    {
      guint size = starts[c + 1] - starts[c];
      guint k = (guint) (size * share + 0.5);
      for (guint j = 0; j < size; j++)
        {
          guint32 idx = order[starts[c] + j];
          if (j < k)
            take_idx[n_take++] = idx;
          else
            rest_idx[n_rest++] = idx;
        }
    }
  /* keep the source's order inside each part: reproducible and cache-friendly */
  qsort (take_idx, n_take, sizeof (guint32), compare_u32);
  qsort (rest_idx, n_rest, sizeof (guint32), compare_u32);
  if (taken)
    *taken = ts_dataset_subset (ds, take_idx, n_take);
  if (rest)
    *rest = ts_dataset_subset (ds, rest_idx, n_rest);
}

guint32 *
ts_dataset_kfold_indices (const TsDataset *ds, guint k, guint fold, guint64 seed, guint *n_val)
{
  g_autofree guint *starts = g_new (guint, ds->n_classes + 1);
  g_autofree guint32 *order = shuffled_by_class (ds, seed, starts);
  guint32 *val = g_new (guint32, MAX (ds->n, 1));
  guint n = 0;

  g_return_val_if_fail (k >= 2 && fold < k, val);
  /* dealing each class round-robin into k folds keeps them stratified */
  for (guint c = 0; c < ds->n_classes; c++)
    for (guint j = starts[c]; j < starts[c + 1]; j++)
      if ((j - starts[c]) % k == fold)
        val[n++] = order[j];
  qsort (val, n, sizeof (guint32), compare_u32);
  *n_val = n;
  return val;
}

void
ts_source_data_clear (TsSourceData *data)
{
  g_clear_pointer (&data->train, ts_dataset_free);
  g_clear_pointer (&data->test, ts_dataset_free);
  g_clear_pointer (&data->warnings, g_ptr_array_unref);
}
