/* Every source type on small well-formed inputs made here. */
#include "test-util.h"

#include <gdk-pixbuf/gdk-pixbuf.h>

static void
write_file (const char *dir, const char *name, const void *data, gsize len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_mkdir_with_parents (parent, 0755);
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
}

static void
test_cifar10 (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *source = g_strdup_printf ("cifar10:%s", dir);
  g_autoptr(TsExperiment) exp = quick_experiment (source, 1);
  g_autofree guint8 *records = g_new0 (guint8, 4 * 3073);
  const char *names = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n";
  TsSourceData data = { 0 };
  g_autoptr(GError) error = NULL;

  for (int r = 0; r < 4; r++)
    {
      records[r * 3073] = (guint8) (r * 3);
      records[r * 3073 + 1] = 255;           /* R plane, first pixel */
      records[r * 3073 + 1 + 2048] = 51;     /* B plane, first pixel */
    }
  for (int b = 1; b <= 5; b++)
    {
      g_autofree char *name = g_strdup_printf ("data_batch_%d.bin", b);
      write_file (dir, name, records, 4 * 3073);
    }
  write_file (dir, "test_batch.bin", records, 2 * 3073);
  write_file (dir, "batches.meta.txt", names, strlen (names));
  g_assert_true (ts_source_load (&exp->data, 1, &data, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (data.train->n, ==, 20);
  g_assert_cmpuint (data.test->n, ==, 2);
  g_assert_cmpuint (data.train->channels, ==, 3);
  g_assert_cmpuint (data.train->y[3], ==, 9);
  g_assert_cmpfloat (data.train->x[0], ==, 1.0f);
  g_assert_cmpfloat (fabsf (data.train->x[2048] - 0.2f), <, 1e-6);
  g_assert_cmpstr (data.train->class_names[9], ==, "truck");
  ts_source_data_clear (&data);
}

static void
test_csv (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "iris.csv", NULL);
  const char *text = "species,sepal,petal\nsetosa,5.1,1.4\nvirginica,6.3,6.0\n\"setosa\",4.9, 1.3\nversicolor,6.1,4.2\n";
  g_autofree char *source = g_strdup_printf ("csv:%s", path);
  g_autoptr(TsExperiment) exp = quick_experiment (source, 1);
  TsSourceData data = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_free (exp->data.label_column);
  exp->data.label_column = g_strdup ("species");
  g_assert_true (ts_source_load (&exp->data, 1, &data, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (data.train->n, ==, 4);
  g_assert_cmpuint (data.train->dim, ==, 2);
  g_assert_cmpuint (data.train->n_classes, ==, 3);
  g_assert_cmpstr (data.train->class_names[0], ==, "setosa");
  g_assert_cmpuint (data.train->y[1], ==, 2);        /* virginica, sorted last */
  g_assert_cmpfloat (data.train->x[5], ==, 1.3f);
  ts_source_data_clear (&data);

  /* no header, numeric labels in column 0 */
  g_assert_true (g_file_set_contents (path, "1,0.5,0.25\n0,1.5,2.5\n2,3,4\n", -1, NULL));
  g_free (exp->data.label_column);
  exp->data.label_column = g_strdup ("0");
  g_assert_true (ts_source_load (&exp->data, 1, &data, NULL, &error));
  g_assert_cmpuint (data.train->n, ==, 3);
  g_assert_cmpuint (data.train->n_classes, ==, 3);
  g_assert_cmpuint (data.train->y[0], ==, 1);
  g_assert_cmpfloat (data.train->x[1], ==, 0.25f);
  ts_source_data_clear (&data);

  /* a huge numeric label is a name, not an index (and not undefined behaviour) */
  g_assert_true (g_file_set_contents (path, "1,2\n3,1e10\n4,9\n", -1, NULL));
  g_free (exp->data.label_column);
  exp->data.label_column = g_strdup ("");
  g_assert_true (ts_source_load (&exp->data, 1, &data, NULL, &error));
  g_assert_cmpuint (data.train->n_classes, ==, 3);
  g_assert_cmpstr (data.train->class_names[0], ==, "1e10");
  ts_source_data_clear (&data);

  g_free (exp->data.label_column);
  exp->data.label_column = g_strdup ("kind");
  g_assert_false (ts_source_load (&exp->data, 1, &data, NULL, &error));
  g_assert_nonnull (strstr (error->message, "data.label_column"));
  ts_source_data_clear (&data);
}

static void
save_png (const char *dir, const char *name, guint8 r, guint8 g, guint8 b)
{
  g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 12, 9);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  gdk_pixbuf_fill (pb, ((guint32) r << 24) | ((guint32) g << 16) | ((guint32) b << 8) | 0xff);
  g_mkdir_with_parents (parent, 0755);
  g_assert_true (gdk_pixbuf_save (pb, path, "png", NULL, NULL));
}

static void
test_folder_grey_and_size (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *source = g_strdup_printf ("folder:%s", dir);
  g_autoptr(TsExperiment) exp = quick_experiment (source, 1);
  TsSourceData data = { 0 };
  g_autoptr(GError) error = NULL;

  save_png (dir, "dark/1.png", 20, 20, 20);
  save_png (dir, "dark/2.png", 30, 30, 30);
  save_png (dir, "light/1.png", 220, 220, 220);
  exp->data.image_size = 16;
  g_assert_true (ts_source_load (&exp->data, 1, &data, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (data.train->channels, ==, 1);
  g_assert_cmpuint (data.train->height, ==, 16);
  g_assert_cmpuint (data.train->n, ==, 3);
  g_assert_cmpuint (data.warnings->len, ==, 0);
  g_assert_cmpfloat (fabsf (data.train->x[2 * 256] - 220 / 255.f), <, 1e-6);
  ts_source_data_clear (&data);
}

static void
test_shapes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsDataset) a = ts_shapes_generate (64, 8, 0.1, 5, &error);
  g_autoptr(TsDataset) b = ts_shapes_generate (64, 8, 0.1, 5, &error);
  g_autoptr(TsDataset) c = ts_shapes_generate (64, 8, 0.1, 6, &error);
  guint counts[8];

  g_assert_no_error (error);
  g_assert_cmpuint (a->channels, ==, 3);
  g_assert_cmpuint (a->height, ==, 32);
  g_assert_cmpmem (a->x, a->n * a->dim * 4, b->x, b->n * b->dim * 4);
  g_assert_true (memcmp (a->x, c->x, a->n * a->dim * 4) != 0);
  ts_dataset_class_counts (a, counts);
  for (int k = 0; k < 8; k++)
    g_assert_cmpuint (counts[k], ==, 8);
  g_assert_cmpstr (a->class_names[5], ==, "ring");
}

static void
test_limit_and_val_split (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 1);
  g_autoptr(GError) error = NULL;
  TsSplits s = { 0 };

  exp->data.limit = 600;
  exp->data.val_fraction = 0.25;
  g_assert_true (ts_splits_load (exp, &s, NULL, &error));
  g_assert_cmpuint (s.train->n + s.val->n, ==, 600);
  g_assert_cmpuint (s.val->n, ==, 150);
  ts_splits_clear (&s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/loaders/cifar10", test_cifar10);
  g_test_add_func ("/data/loaders/csv", test_csv);
  g_test_add_func ("/data/loaders/folder", test_folder_grey_and_size);
  g_test_add_func ("/data/loaders/shapes", test_shapes);
  g_test_add_func ("/data/loaders/limit-and-split", test_limit_and_val_split);
  return g_test_run ();
}
