/* IDX (the MNIST family's format), gzipped or raw.
 *
 * The whole file is inflated first, into a buffer that grows with what is
 * really there; the header's claims are then checked against that length,
 * so nothing is allocated on the say-so of a header. */
#include "ts-loaders.h"
#include "ts-error.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Checks the header of an IDX ubyte file with `ndim` dimensions and returns
 * a pointer to its data; dims[] receives the sizes. */
static const guint8 *
parse_idx_header (const char *path, GBytes *bytes, guint ndim, guint32 *dims, GError **error)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (bytes, &len);
  guint64 count = 1;

  if (len < 4)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: %zu bytes; an IDX file starts with a 4-byte magic number",
                   path, len);
      return NULL;
    }
  if (p[0] != 0 || p[1] != 0 || p[2] != 0x08 || p[3] != ndim)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                   "%s: offset 0: wrong magic number %02x %02x %02x %02x (expected 00 00 08 %02x: unsigned bytes, %u dimensions)",
                   path, p[0], p[1], p[2], p[3], ndim, ndim);
      return NULL;
    }
  if (len < 4 + 4 * (gsize) ndim)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: truncated header: %zu bytes (expected %u)",
                   path, len, 4 + 4 * ndim);
      return NULL;
    }
  for (guint i = 0; i < ndim; i++)
    {
      dims[i] = read_be32 (p + 4 + 4 * i);
      if (dims[i] == 0)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: offset %u: dimension %u is 0", path, 4 + 4 * i, i);
          return NULL;
        }
      count *= dims[i];
      if (count > TS_GZIP_MAX_BYTES)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: header claims more than 4 GiB of data", path);
          return NULL;
        }
    }
  if (len - 4 - 4 * ndim != count)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                   "%s: header says %" G_GUINT64_FORMAT " data bytes after offset %u, the file has %zu (%s)",
                   path, count, 4 + 4 * ndim, len - 4 - 4 * ndim,
                   len - 4 - 4 * ndim < count ? "truncated" : "trailing bytes");
      return NULL;
    }
  return p + 4 + 4 * ndim;
}

/* The labels number the classes: for a training part 0…N−1 with each
 * present (a stray 255 would make a 256-class model of empty classes); for
 * a test part, classes of the training part (n_train_classes > 0). */
static gboolean
check_labels (const char *path, const guint8 *label, guint n, guint n_train_classes, GError **error)
{
  guint count[256] = { 0 };
  guint max_label = 0, missing;

  for (guint i = 0; i < n; i++)
    {
      if (n_train_classes > 0 && label[i] >= n_train_classes)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                       "%s: item %u (offset %u): label %u is not a class of the training part (0–%u)", path, i,
                       8 + i, label[i], n_train_classes - 1);
          return FALSE;
        }
      count[label[i]]++;
      max_label = MAX (max_label, label[i]);
    }
  if (n_train_classes > 0)
    return TRUE;
  for (missing = 0; missing < max_label && count[missing] > 0; missing++)
    ;
  if (missing < max_label)
    for (guint i = 0; i < n; i++)
      if (label[i] > missing)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                       "%s: item %u (offset %u): label %u, but no item has label %u; expected labels numbering the "
                       "classes 0…N−1, each present", path, i, 8 + i, label[i], missing);
          return FALSE;
        }
  return TRUE;
}

static TsDataset *
idx_load (const char *images_path, const char *labels_path, const TsLoadContext *ctx, double lo, double hi,
          guint n_train_classes, GError **error)
{
  g_autoptr(GBytes) images = ts_read_maybe_gzipped (images_path, ctx, lo, lo + (hi - lo) * 0.95, error);
  g_autoptr(GBytes) labels = NULL;
  guint32 idims[3], ldims[1];
  const guint8 *pixels, *label;
  guint max_label = 0;
  TsDataset *ds;
  gsize per_image;

  if (images == NULL || (pixels = parse_idx_header (images_path, images, 3, idims, error)) == NULL)
    return NULL;
  labels = ts_read_maybe_gzipped (labels_path, ctx, lo + (hi - lo) * 0.95, hi, error);
  if (labels == NULL || (label = parse_idx_header (labels_path, labels, 1, ldims, error)) == NULL)
    return NULL;
  if (ldims[0] != idims[0])
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: %u labels, but %s has %u images",
                   labels_path, ldims[0], images_path, idims[0]);
      return NULL;
    }
  if (!check_labels (labels_path, label, ldims[0], n_train_classes, error))
    return NULL;
  for (guint i = 0; i < ldims[0]; i++)
    max_label = MAX (max_label, label[i]);
  ds = ts_dataset_new_image (idims[0], 1, idims[1], idims[2], max_label + 1);
  per_image = (gsize) idims[1] * idims[2];
  for (gsize i = 0; i < (gsize) idims[0] * per_image; i++)
    ds->x[i] = pixels[i] * (1.0f / 255.0f);
  for (guint i = 0; i < ldims[0]; i++)
    ds->y[i] = label[i];
  return ds;
}

TsDataset *
ts_idx_load (const char *images_path, const char *labels_path, GError **error)
{
  return idx_load (images_path, labels_path, NULL, 0, 1, 0, error);
}

typedef struct {
  char *images, *labels;
} IdxPair;

static void
classify_idx_file (const char *dir, const char *name, IdxPair *train, IdxPair *test)
{
  IdxPair *pair = (strstr (name, "t10k") || strstr (name, "test")) ? test : train;
  char **slot = NULL;

  if (strstr (name, "images") || strstr (name, "idx3"))
    slot = &pair->images;
  else if (strstr (name, "labels") || strstr (name, "idx1"))
    slot = &pair->labels;
  if (slot && *slot == NULL)
    *slot = g_build_filename (dir, name, NULL);
}

gboolean
ts_idx_load_dir (const char *dir, TsSourceData *out, const TsLoadContext *ctx, GError **error)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  IdxPair train = { 0 }, test = { 0 };
  const char *name;
  gboolean ok = FALSE;

  if (d == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: cannot open the folder", dir);
      return FALSE;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    classify_idx_file (dir, name, &train, &test);
  if (train.images == NULL || train.labels == NULL)
    g_set_error (error, TS_ERROR, TS_ERROR_IO,
                 "%s: expected train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]", dir);
  else if ((out->train = idx_load (train.images, train.labels, ctx, 0, test.images ? 0.85 : 1, 0, error)) != NULL)
    {
      ok = TRUE;
      if (test.images && test.labels)
        ok = (out->test = idx_load (test.images, test.labels, ctx, 0.85, 1, out->train->n_classes, error)) != NULL;
    }
  g_free (train.images);
  g_free (train.labels);
  g_free (test.images);
  g_free (test.labels);
  if (!ok)
    ts_source_data_clear (out);
  return ok;
}
