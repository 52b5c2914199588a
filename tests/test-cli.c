/* trainscope-cli as a user runs it: exit codes, files, messages. */
#include "test-util.h"

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
  const char *files[] = { "experiment.json", "metrics.csv", "steps.csv", "advice.json", "summary.json",
                          "model.safetensors" };
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/cli/run-and-eval", test_run_and_eval);
  g_test_add_func ("/app/cli/bad-input", test_bad_input_exits_2);
  g_test_add_func ("/app/cli/diverged", test_diverged_exits_1);
  g_test_add_func ("/app/cli/version", test_version_reports_kernel);
  return g_test_run ();
}
