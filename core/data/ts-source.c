/* data.source → TsSourceData: the dispatch over loaders. */
#include "ts-source.h"
#include "ts-loaders.h"
#include "ts-error.h"
#include "ts-task.h"

#include <string.h>

static const char *const fashion_mnist_classes[] = {
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot", NULL
};

static gboolean
load_fashion_mnist (TsSourceData *out, const TsLoadContext *ctx, GError **error)
{
  g_autofree char *probe = g_build_filename (TS_FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz", NULL);

  if (!g_file_test (probe, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_IO,
                   "data.source: fashion-mnist: %s is missing; install it with: apt-get install dataset-fashion-mnist",
                   probe);
      return FALSE;
    }
  if (!ts_idx_load_dir (TS_FASHION_MNIST_DIR, out, ctx, error))
    return FALSE;
  out->train->n_classes = out->test->n_classes = 10;
  ts_dataset_set_class_names (out->train, fashion_mnist_classes);
  ts_dataset_set_class_names (out->test, fashion_mnist_classes);
  return TRUE;
}

/* Train and test parts must agree on shape and classes. */
static gboolean
reconcile_parts (const char *source, TsSourceData *out, GError **error)
{
  TsDataset *train = out->train, *test = out->test;

  if (test == NULL)
    return TRUE;
  if (test->dim != train->dim || test->channels != train->channels)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                   "%s: the test part has %u features per sample, the training part %u", source, test->dim,
                   train->dim);
      return FALSE;
    }
  train->n_classes = test->n_classes = MAX (train->n_classes, test->n_classes);
  if (test->class_names == NULL && train->class_names != NULL)
    ts_dataset_set_class_names (test, (const char *const *) train->class_names);
  return TRUE;
}

static void
ensure_class_names (TsDataset *ds)
{
  if (ds == NULL || (ds->class_names && g_strv_length (ds->class_names) == ds->n_classes))
    return;
  g_strfreev (ds->class_names);
  ds->class_names = g_new0 (char *, ds->n_classes + 1);
  for (guint c = 0; c < ds->n_classes; c++)
    ds->class_names[c] = g_strdup_printf ("%u", c);
}

/* One class is nothing to classify: it trains to "100%" and says nothing. */
static gboolean
check_two_classes (const char *source, const TsDataset *train, GError **error)
{
  guint32 first = train->y[0];

  for (guint i = 1; i < train->n; i++)
    if (train->y[i] != first)
      return TRUE;
  g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
               "%s: every sample (%u) has the same class (“%s”); expected at least two classes", source, train->n,
               train->class_names && first < g_strv_length (train->class_names) ? train->class_names[first] : "?");
  return FALSE;
}

gboolean
ts_source_load (const TsDataSpec *spec, guint64 seed, TsSourceData *out,
                const TsLoadContext *ctx, GError **error)
{
  const char *source = spec->source;
  gboolean ok;

  memset (out, 0, sizeof *out);
  out->warnings = g_ptr_array_new_with_free_func (g_free);
  if (strcmp (source, "builtin:shapes") == 0)
    ok = (out->train = ts_shapes_generate (spec->samples, spec->classes, spec->noise, seed, error)) != NULL;
  else if (g_str_has_prefix (source, "builtin:"))
    ok = (out->train = ts_builtin_generate (source + 8, spec->samples, spec->classes, spec->noise, seed, error)) != NULL;
  else if (strcmp (source, "fashion-mnist") == 0)
    ok = load_fashion_mnist (out, ctx, error);
  else if (g_str_has_prefix (source, "idx:"))
    ok = ts_idx_load_dir (source + 4, out, ctx, error);
  else if (g_str_has_prefix (source, "cifar10:"))
    ok = ts_cifar_load_dir (source + 8, FALSE, out, ctx, error);
  else if (g_str_has_prefix (source, "cifar100:"))
    ok = ts_cifar_load_dir (source + 9, TRUE, out, ctx, error);
  else if (g_str_has_prefix (source, "folder:"))
    ok = ts_folder_load (source + 7, spec->image_size, out, ctx, error);
  else if (g_str_has_prefix (source, "csv:"))
    ok = ts_csv_load (source + 4, spec->label_column, out, error)
         && (spec->image_shape->len == 0 || ts_dataset_set_image_shape (out->train, spec->image_shape, source, error));
  else
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "data.source: \"%s\" is not a source (expected builtin:NAME, fashion-mnist, idx:DIR, "
                   "cifar10:DIR, cifar100:DIR, folder:DIR or csv:FILE)",
                   source);
      ok = FALSE;
    }
  if (ok && out->train->n == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: has no samples", source);
      ok = FALSE;
    }
  ok = ok && check_two_classes (source, out->train, error);
  ok = ok && ts_load_step (ctx, 1.0, error);
  ok = ok && reconcile_parts (source, out, error);
  if (!ok)
    {
      GPtrArray *keep = g_steal_pointer (&out->warnings);
      ts_source_data_clear (out);
      out->warnings = keep;
      return FALSE;
    }
  ensure_class_names (out->train);
  ensure_class_names (out->test);
  return TRUE;
}
