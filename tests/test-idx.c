/* IDX loading: real Fashion-MNIST, and every way a file can be wrong. */
#include "test-util.h"

#include <zlib.h>

static GByteArray *
idx_bytes (guint8 ndim, const guint32 *dims, guint64 payload, guint8 fill)
{
  GByteArray *b = g_byte_array_new ();
  guint8 magic[4] = { 0, 0, 8, ndim };

  g_byte_array_append (b, magic, 4);
  for (guint i = 0; i < ndim; i++)
    {
      guint8 be[4] = { dims[i] >> 24, dims[i] >> 16, dims[i] >> 8, dims[i] };
      g_byte_array_append (b, be, 4);
    }
  for (guint64 i = 0; i < payload; i++)
    {
      guint8 v = (guint8) (fill == 0xff ? i % 3 : fill);
      g_byte_array_append (b, &v, 1);
    }
  return b;
}

static char *
save (const char *dir, const char *name, GByteArray *b)
{
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, (const char *) b->data, b->len, NULL));
  g_byte_array_unref (b);
  return path;
}

static char *
save_gz (const char *dir, const char *name, GByteArray *b, gsize keep)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *tmp = g_strconcat (path, ".full", NULL);
  gzFile f = gzopen (tmp, "wb");
  g_autofree char *all = NULL;
  gsize len;

  gzwrite (f, b->data, b->len);
  gzclose (f);
  g_byte_array_unref (b);
  g_assert_true (g_file_get_contents (tmp, &all, &len, NULL));
  g_assert_true (g_file_set_contents (path, all, (gssize) MIN (keep, len), NULL));
  return path;
}

static void
expect_error (const char *images, const char *labels, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsDataset) ds = ts_idx_load (images, labels, &error);

  g_assert_null (ds);
  g_assert_nonnull (error);
  if (strstr (error->message, message) == NULL)
    g_error ("expected \"%s\" in \"%s\"", message, error->message);
}

static void
test_small_files (void)
{
  g_autofree char *dir = make_temp_dir ();
  guint32 idims[3] = { 4, 3, 2 }, ldims[1] = { 4 };
  g_autofree char *images = save (dir, "train-images-idx3-ubyte", idx_bytes (3, idims, 24, 0xff));
  g_autofree char *labels = save_gz (dir, "train-labels-idx1-ubyte.gz", idx_bytes (1, ldims, 4, 0xff), 1 << 20);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsDataset) ds = ts_idx_load (images, labels, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ds->n, ==, 4);
  g_assert_cmpuint (ds->channels, ==, 1);
  g_assert_cmpuint (ds->height, ==, 3);
  g_assert_cmpuint (ds->width, ==, 2);
  g_assert_cmpuint (ds->n_classes, ==, 3);
  g_assert_cmpfloat (ds->x[1], ==, 1.0f / 255);
  g_assert_cmpuint (ds->y[2], ==, 2);
}

static void
test_bad_files (void)
{
  g_autofree char *dir = make_temp_dir ();
  guint32 idims[3] = { 4, 3, 2 }, ldims[1] = { 4 }, ldims5[1] = { 5 };
  g_autofree char *labels = save (dir, "labels", idx_bytes (1, ldims, 4, 0xff));
  g_autofree char *images = save (dir, "images", idx_bytes (3, idims, 24, 0xff));
  g_autofree char *empty = save (dir, "empty", g_byte_array_new ());
  g_autofree char *truncated = save (dir, "truncated", idx_bytes (3, idims, 20, 1));
  g_autofree char *trailing = save (dir, "trailing", idx_bytes (3, idims, 30, 1));
  g_autofree char *labels5 = save (dir, "labels5", idx_bytes (1, ldims5, 5, 1));
  g_autofree char *gz_cut = save_gz (dir, "cut.gz", idx_bytes (3, idims, 2400, 0xff), 30);
  GByteArray *wrong = idx_bytes (3, idims, 24, 1);
  g_autofree char *magic = NULL;
  guint32 huge[3] = { 0x7fffffff, 0x7fffffff, 0x7fffffff };
  g_autofree char *claims = save (dir, "claims", idx_bytes (3, huge, 10, 1));
  guint32 zero[3] = { 0, 3, 2 };
  g_autofree char *zeros = save (dir, "zeros", idx_bytes (3, zero, 0, 1));

  wrong->data[2] = 0x0d; /* float data */
  magic = save (dir, "magic", wrong);
  expect_error (empty, labels, "4-byte magic number");
  expect_error (magic, labels, "wrong magic number");
  expect_error (truncated, labels, "truncated");
  expect_error (trailing, labels, "trailing bytes");
  expect_error (images, labels5, "5 labels, but");
  expect_error (gz_cut, labels, "truncated compressed data");
  expect_error (claims, labels, "more than 4 GiB");
  expect_error (zeros, labels, "dimension 0 is 0");
  expect_error ("/nonexistent/images", labels, "/nonexistent/images");
  expect_error (images, images, "wrong magic number"); /* a 3-D file where labels belong */
}

static void
test_folder_without_files (void)
{
  g_autofree char *dir = make_temp_dir ();
  TsSourceData data = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (ts_idx_load_dir (dir, &data, NULL, &error));
  g_assert_nonnull (strstr (error->message, "train-images-idx3-ubyte"));
}

static void
test_fashion_mnist (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("fashion-mnist", 1);
  TsSourceData data = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  guint counts[10];

  g_assert_true (ts_source_load (&exp->data, 1, &data, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("loaded Fashion-MNIST (70000 images) in %.0f ms", (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_cmpuint (data.train->n, ==, 60000);
  g_assert_cmpuint (data.test->n, ==, 10000);
  g_assert_cmpuint (data.train->dim, ==, 784);
  g_assert_cmpuint (data.train->n_classes, ==, 10);
  g_assert_cmpstr (data.train->class_names[9], ==, "Ankle boot");
  ts_dataset_class_counts (data.train, counts);
  for (int c = 0; c < 10; c++)
    g_assert_cmpuint (counts[c], ==, 6000);
  ts_source_data_clear (&data);
}

static void
test_stratified_split (void)
{
  g_autoptr(TsDataset) ds = ts_builtin_generate ("spiral", 3000, 3, 0.1, 1, NULL);
  g_autoptr(TsDataset) val = NULL, train = NULL;
  guint counts[3];
  guint32 *fold;
  guint n_fold;

  ts_dataset_take_stratified (ds, 600, 9, &val, &train);
  g_assert_cmpuint (val->n + train->n, ==, 3000);
  ts_dataset_class_counts (val, counts);
  for (int c = 0; c < 3; c++)
    g_assert_cmpuint (counts[c], ==, 200);
  fold = ts_dataset_kfold_indices (ds, 5, 2, 9, &n_fold);
  g_assert_cmpuint (n_fold, ==, 600);
  g_free (fold);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/idx/small", test_small_files);
  g_test_add_func ("/data/idx/bad-files", test_bad_files);
  g_test_add_func ("/data/idx/folder-without-files", test_folder_without_files);
  g_test_add_func ("/data/idx/fashion-mnist", test_fashion_mnist);
  g_test_add_func ("/data/split/stratified", test_stratified_split);
  return g_test_run ();
}
