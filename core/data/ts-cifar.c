/* CIFAR-10 and CIFAR-100, the official binary versions.
 *
 * A file is a run of fixed-size records (label bytes, then 3×32×32 pixels,
 * one colour plane after another): the record count comes from the file's
 * size, which must be a whole number of records. */
#include "ts-loaders.h"
#include "ts-error.h"

#include <string.h>

#define PIXELS (3 * 32 * 32)

typedef struct {
  const char *const *train_files;
  const char        *test_file;
  guint              label_bytes; /* 1 for CIFAR-10; coarse + fine for CIFAR-100 */
  guint              classes;
  const char        *names_file;
} CifarLayout;

static const char *const cifar10_train[] = { "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                             "data_batch_4.bin", "data_batch_5.bin", NULL };
static const char *const cifar100_train[] = { "train.bin", NULL };
static const CifarLayout cifar10 = { cifar10_train, "test_batch.bin", 1, 10, "batches.meta.txt" };
static const CifarLayout cifar100 = { cifar100_train, "test.bin", 2, 100, "fine_label_names.txt" };

/* Appends the records of one file to bytes, checking size and labels. */
static gboolean
read_records (const char *path, const CifarLayout *layout, GByteArray *records, GError **error)
{
  g_autofree char *data = NULL;
  gsize len, record = layout->label_bytes + PIXELS;
  GError *inner = NULL;

  if (!g_file_get_contents (path, &data, &len, &inner))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s", inner->message);
      g_error_free (inner);
      return FALSE;
    }
  if (len == 0 || len % record != 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                   "%s: %zu bytes is not a whole number of %zu-byte records (%zu bytes left over)", path, len, record,
                   len % record);
      return FALSE;
    }
  for (gsize i = 0; i < len / record; i++)
    {
      guint8 label = (guint8) data[i * record + layout->label_bytes - 1];
      if (label >= layout->classes)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: record %zu (offset %zu): label %u, expected < %u", path,
                       i, i * record + layout->label_bytes - 1, label, layout->classes);
          return FALSE;
        }
    }
  g_byte_array_append (records, (const guint8 *) data, (guint) len);
  return TRUE;
}

static TsDataset *
records_to_dataset (GByteArray *records, const CifarLayout *layout)
{
  gsize record = layout->label_bytes + PIXELS, n = records->len / record;
  TsDataset *ds = ts_dataset_new_image ((guint) n, 3, 32, 32, layout->classes);

  for (gsize i = 0; i < n; i++)
    {
      const guint8 *r = records->data + i * record;
      ds->y[i] = r[layout->label_bytes - 1];
      for (gsize p = 0; p < PIXELS; p++)
        ds->x[i * PIXELS + p] = r[layout->label_bytes + p] * (1.0f / 255.0f);
    }
  return ds;
}

/* one name per line; blank lines skipped */
static char **
read_class_names (const char *dir, const CifarLayout *layout)
{
  g_autofree char *path = g_build_filename (dir, layout->names_file, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *names = g_ptr_array_new ();

  if (!g_file_get_contents (path, &text, NULL, NULL))
    {
      g_ptr_array_free (names, TRUE);
      return NULL;
    }
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i]; i++)
    if (*g_strstrip (lines[i]))
      g_ptr_array_add (names, g_strdup (lines[i]));
  if (names->len != layout->classes)
    {
      g_ptr_array_set_free_func (names, g_free);
      g_ptr_array_free (names, TRUE);
      return NULL;
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

gboolean
ts_cifar_load_dir (const char *dir, gboolean hundred, TsSourceData *out, const TsLoadContext *ctx, GError **error)
{
  const CifarLayout *layout = hundred ? &cifar100 : &cifar10;
  g_autoptr(GByteArray) train = g_byte_array_new ();
  g_autoptr(GByteArray) test = g_byte_array_new ();
  g_autofree char *test_path = g_build_filename (dir, layout->test_file, NULL);
  char **names;

  for (int i = 0; layout->train_files[i]; i++)
    {
      g_autofree char *path = g_build_filename (dir, layout->train_files[i], NULL);
      if (!ts_load_step (ctx, i / 6.0, error) || !read_records (path, layout, train, error))
        return FALSE;
    }
  if (g_file_test (test_path, G_FILE_TEST_EXISTS) && !read_records (test_path, layout, test, error))
    return FALSE;
  out->train = records_to_dataset (train, layout);
  if (test->len > 0)
    out->test = records_to_dataset (test, layout);
  if ((names = read_class_names (dir, layout)) != NULL)
    {
      out->train->class_names = names;
      if (out->test)
        out->test->class_names = g_strdupv (names);
    }
  return TRUE;
}
