/* trainscope-cli as a user runs it: exit codes, files, messages. */
#include "test-util.h"

#include <gdk-pixbuf/gdk-pixbuf.h>

static int
run_cli (char **out, char **err, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;
  int status;

  g_clear_pointer (out, g_free); /* callers reuse their buffers */
  g_clear_pointer (err, g_free);
  g_ptr_array_add (argv, (gpointer) g_getenv ("TS_CLI"));
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status,
                               &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_run_and_eval (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *model = g_build_filename (run, "model.safetensors", NULL);
  g_autofree char *out = NULL, *err = NULL, *json = NULL;
  const char *files[] = { "experiment.json", "metrics.csv", "steps.csv", "layers.csv", "advice.json",
                          "summary.json", "model.safetensors" };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--epochs", "30", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "done after 30 epochs"));
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (run, files[i], NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
  g_assert_cmpint (run_cli (&json, &err, "eval", model, "--data", "builtin:spiral", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "split"), ==, "val");
  g_assert_cmpint (json_object_get_int_member (o, "count"), ==, 300);
  g_assert_cmpfloat (json_object_get_double_member (o, "accuracy"), >=, 0.95);
  g_assert_cmpfloat (json_object_get_double_member (o, "loss"), <, 0.2);
}

static void
test_bad_input_exits_2 (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *exp = g_build_filename (dir, "bad.json", NULL);
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *out = NULL, *err = NULL;

  g_assert_true (g_file_set_contents (exp, "{\"train\": {\"lr\": -1}}", -1, NULL));
  g_assert_cmpint (run_cli (&out, &err, "run", exp, "--out", run, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "train.lr: must be > 0 (got -1)"));
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--set", "data.source=idx:/nope", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "/nope"));
  g_assert_cmpint (run_cli (&out, &err, "run", "/nonexistent.json", "--out", run, NULL), ==, 2);
  g_assert_cmpint (run_cli (&out, &err, "eval", exp, "--data", "builtin:spiral", NULL), ==, 2);
  g_assert_nonnull (strstr (err, exp));
  g_assert_cmpint (run_cli (&out, &err, "frobnicate", NULL), ==, 2);
}

static void
test_diverged_exits_1 (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", dir, "--set", "train.lr=1e6", "--set",
                            "train.optimizer=sgd", "--set", "data.preprocess=none", NULL), ==, 1);
  g_assert_nonnull (strstr (out, "diverged"));
}

static void
test_version_reports_kernel (void)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_cli (&out, &err, "--version", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "OpenBLAS kernel"));
}

static void
test_data_info (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  g_assert_cmpint (run_cli (&out, &err, "data", "info", "fashion-mnist", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (o, "count"), ==, 60000);
  g_assert_cmpint (json_object_get_int_member (o, "test_count"), ==, 10000);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (o, "shape"), 1), ==, 28);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (o, "classes")), ==, 10);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (o, "class_counts"), 3), ==, 6000);
  g_assert_cmpint (run_cli (&out, &err, "data", "info", "builtin:moons", "--set", "data.samples=200", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "samples   200"));
  g_assert_cmpint (run_cli (&out, &err, "data", "info", "idx:/nonexistent", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "/nonexistent"));
}

static gboolean
is_png (const char *path, int *width)
{
  g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new_from_file (path, NULL);
  if (pb && width)
    *width = gdk_pixbuf_get_width (pb);
  return pb != NULL;
}

/* --plots: the curves, the layers and (2-D data) the decision boundary, in each format */
static void
test_run_plots (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *stems[] = { "loss", "accuracy", "lr", "weights", "update-ratio", "grad-norm", "dead-saturated",
                          "decision-boundary" };

  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--epochs", "5", "--plots", "png,pdf", NULL),
                   ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (stems); i++)
    {
      g_autofree char *png = g_strdup_printf ("%s/%s.png", run, stems[i]);
      g_autofree char *pdf = g_strdup_printf ("%s/%s.pdf", run, stems[i]);
      int width = 0;
      g_assert_true (is_png (png, &width));
      g_assert_cmpint (width, ==, 1440); /* 720 points at 2× */
      g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
    }
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--plots", "bmp", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--plots: expected png, svg or pdf (got \"bmp\")"));
}

static void
test_data_preview (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *grid = g_build_filename (dir, "grid.png", NULL);
  g_autofree char *points = g_build_filename (dir, "points.png", NULL);
  g_autofree char *out = NULL, *err = NULL;
  int width = 0;

  g_assert_cmpint (run_cli (&out, &err, "data", "preview", "builtin:shapes", "--set", "data.samples=64", "--augment",
                            "{\"hflip\": 0.5, \"crop_pad\": 4, \"fancy_pca\": 0.3}", "--out", grid, NULL), ==, 0);
  g_assert_true (is_png (grid, &width));
  g_assert_cmpint (width, ==, 6 * (96 + 1) + 1); /* original + five augmented, 3× scale */
  g_assert_cmpint (run_cli (&out, &err, "data", "preview", "builtin:spiral", "--preprocess", "pca_whiten", "--out",
                            points, NULL), ==, 0);
  g_assert_true (is_png (points, NULL));
  g_assert_cmpint (run_cli (&out, &err, "data", "preview", "builtin:shapes", "--augment", "{\"flip\": 1}", "--out",
                            grid, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "data.augment.flip: unknown key"));
}

static void
test_probe_and_lr_find (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *json = g_build_filename (dir, "probe.json", NULL);
  g_autofree char *suggestion = g_build_filename (dir, "suggestion.json", NULL);
  g_autofree char *out = NULL, *err = NULL, *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *cells, *layers;

  g_assert_cmpint (run_cli (&out, &err, "probe", "--layers", "4", "--width", "64", "--samples", "128", "--activation",
                            "tanh,relu", "--init", "small,he", "--out", dir, NULL), ==, 0);
  g_assert_true (json_parser_load_from_file (parser, json, NULL));
  cells = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "cells");
  g_assert_cmpuint (json_array_get_length (cells), ==, 4);
  layers = json_object_get_array_member (json_array_get_object_element (cells, 0), "layers");
  g_assert_cmpuint (json_array_get_length (layers), ==, 4);
  g_assert_true (json_object_has_member (json_array_get_object_element (layers, 0), "act_hist"));
  for (int k = 0; k < 3; k++)
    {
      const char *names[] = { "probe-activation-mean.png", "probe-activation-std.png", "probe-gradient-std.png" };
      g_autofree char *png = g_build_filename (dir, names[k], NULL);
      g_assert_true (is_png (png, NULL));
    }
  g_assert_cmpint (run_cli (&out, &err, "probe", "--init", "magic", "--out", dir, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--init: unknown name \"magic\""));
  g_assert_cmpint (run_cli (&out, &err, "lr-find", "default", "--iterations", "60", "--sweeps", "2", "--out", dir, NULL), ==, 0);
  g_assert_true (g_file_get_contents (suggestion, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"suggested\""));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/cli/run-and-eval", test_run_and_eval);
  g_test_add_func ("/app/cli/bad-input", test_bad_input_exits_2);
  g_test_add_func ("/app/cli/diverged", test_diverged_exits_1);
  g_test_add_func ("/app/cli/version", test_version_reports_kernel);
  g_test_add_func ("/app/cli/data-info", test_data_info);
  g_test_add_func ("/app/cli/run-plots", test_run_plots);
  g_test_add_func ("/app/cli/data-preview", test_data_preview);
  g_test_add_func ("/app/cli/probe-and-lr-find", test_probe_and_lr_find);
  return g_test_run ();
}
