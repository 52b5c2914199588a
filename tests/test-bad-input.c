/* The committed corpus of malformed inputs (tests/fixtures/make_bad_corpus.py):
 * each must fail with a message that names the file and says what was
 * expected — never crash, never allocate what a header merely claims. */
#include "test-util.h"

static gboolean
load (const char *kind, const char *path, GError **error)
{
  TsSourceData data = { .warnings = g_ptr_array_new_with_free_func (g_free) };
  g_autofree char *dir = g_path_get_dirname (path);
  gboolean ok = FALSE;

  if (strcmp (kind, "idx-images") == 0 || strcmp (kind, "idx-labels") == 0)
    {
      g_autofree char *labels = g_build_filename (dir, "labels-idx1-ubyte", NULL);
      g_autofree char *images = g_build_filename (dir, "images-idx3-ubyte", NULL);
      gboolean bad_images = strcmp (kind, "idx-images") == 0;
      ok = (data.train = ts_idx_load (bad_images ? path : images, bad_images ? labels : path, error)) != NULL;
    }
  else if (strcmp (kind, "cifar10") == 0)
    ok = ts_cifar_load_dir (path, FALSE, &data, NULL, error);
  else if (strcmp (kind, "idx") == 0)
    ok = ts_idx_load_dir (path, &data, NULL, error);
  else if (strcmp (kind, "csv") == 0 || strcmp (kind, "folder") == 0)
    {
      /* through the source, as a run loads it: its checks on the classes too */
      g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
      g_autofree char *source = g_strdup_printf ("%s:%s", kind, path);
      g_assert_true (ts_experiment_set (exp, "data.source", source, NULL));
      exp->data.image_size = 8;
      ts_source_data_clear (&data);
      ok = ts_source_load (&exp->data, 1, &data, NULL, error);
    }
  else if (strcmp (kind, "steps") == 0 || strcmp (kind, "metrics") == 0)
    {
      TsMetricLog *log = kind[0] == 's' ? ts_run_dir_load_steps (path, error) : ts_run_dir_load_epochs (path, error);
      ok = log != NULL;
      ts_metric_log_free (log);
    }
  else if (strcmp (kind, "summary") == 0)
    {
      TsRunSummary summary;
      ok = ts_run_dir_load_summary (path, &summary, error);
      ts_run_summary_clear (&summary);
    }
  else if (strcmp (kind, "advice") == 0)
    {
      GPtrArray *advice = ts_advice_load (path, error);
      ok = advice != NULL;
      g_clear_pointer (&advice, g_ptr_array_unref);
    }
  else if (strcmp (kind, "safetensors") == 0)
    {
      TsSafetensors *st = ts_safetensors_load (path, error);
      ok = st != NULL;
      ts_safetensors_free (st);
    }
  else if (strcmp (kind, "model") == 0)
    {
      TsModel *model = ts_model_load (path, error);
      ok = model != NULL;
      ts_model_free (model);
    }
  else if (strcmp (kind, "experiment") == 0)
    {
      TsExperiment *exp = ts_experiment_load_file (path, error);
      ok = exp != NULL;
      ts_experiment_free (exp);
    }
  else
    g_error ("manifest: unknown kind %s", kind);
  ts_source_data_clear (&data);
  return ok;
}

static void
test_corpus (void)
{
  g_autofree char *manifest = fixture_path ("bad/manifest.txt");
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint cases = 0;

  g_assert_true (g_file_get_contents (manifest, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i]; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", 3);
      g_autofree char *rel = NULL, *path = NULL;
      g_autoptr(GError) error = NULL;

      if (g_strv_length (f) < 3)
        continue;
      rel = g_build_filename ("bad", f[1], NULL);
      path = fixture_path (rel);
      if (load (f[0], path, &error))
        g_error ("%s %s: loaded, but it is malformed", f[0], f[1]);
      g_assert_nonnull (error);
      if (strstr (error->message, f[2]) == NULL)
        g_error ("%s: \"%s\" does not say \"%s\"", f[1], error->message, f[2]);
      /* the message names what was read (the file, or the folder's file) */
      if (strstr (error->message, f[1]) == NULL && strcmp (f[0], "experiment") != 0)
        {
          g_autofree char *base = g_path_get_basename (f[1]);
          if (strstr (error->message, base) == NULL)
            g_error ("%s: \"%s\" does not name the file", f[1], error->message);
        }
      cases++;
    }
  g_test_message ("%u malformed inputs refused", cases);
  g_assert_cmpuint (cases, >=, 25);
}

static void
test_broken_images_are_skipped_by_name (void)
{
  g_autofree char *dir = fixture_path ("bad/folder-some-broken");
  TsSourceData data = { .warnings = g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(GError) error = NULL;

  g_assert_true (ts_folder_load (dir, 8, &data, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (data.train->n, ==, 3);
  g_assert_cmpuint (data.train->channels, ==, 3);
  g_assert_cmpuint (data.train->n_classes, ==, 2);
  g_assert_cmpstr (data.train->class_names[0], ==, "blue");
  g_assert_cmpuint (data.warnings->len, ==, 4);
  g_assert_nonnull (strstr (data.warnings->pdata[0], "corrupt.png"));
  /* a PNG cut short: gdk-pixbuf returns the rows it decoded and no error */
  g_assert_nonnull (strstr (data.warnings->pdata[1], "half.png: skipped: truncated: "));
  g_assert_nonnull (strstr (data.warnings->pdata[2], "notes.png"));
  g_assert_nonnull (strstr (data.warnings->pdata[3], "zero.png"));
  /* red is red: the first red image's R plane is bright */
  g_assert_cmpfloat (data.train->x[data.train->dim + 0], >, 0.7);
  ts_source_data_clear (&data);
}

/* what a run killed at any moment leaves reads as what is whole */
static void
test_partial_run_folder (void)
{
  g_autofree char *dir = fixture_path ("bad/run-partial");
  g_autoptr(GError) error = NULL;
  g_autoptr(TsMetricLog) steps = ts_run_dir_load_steps (dir, &error);
  g_autoptr(TsMetricLog) epochs = ts_run_dir_load_epochs (dir, &error);
  g_autoptr(TsMetricLog) stats = ts_run_dir_load_stats (dir, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ts_metric_log_length (steps), ==, 2); /* the third row was cut short */
  g_assert_cmpfloat (ts_metric_log_step (steps, 1)->loss, ==, 2.2f);
  g_assert_cmpuint (ts_metric_log_length (epochs), ==, 0);
  g_assert_cmpuint (ts_metric_log_length (stats), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/bad-input/corpus", test_corpus);
  g_test_add_func ("/data/bad-input/broken-images-skipped", test_broken_images_are_skipped_by_name);
  g_test_add_func ("/data/bad-input/partial-run-folder", test_partial_run_folder);
  return g_test_run ();
}
