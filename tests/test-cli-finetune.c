/* trainscope-cli run with the fine-tuning keys as a user gives them:
 * model.init_from a run folder, model.freeze, the list keys' two forms,
 * and exit 2 with a message for what does not fit. */
#include "test-util.h"
#include "cli-util.h"

#include <string.h>

static JsonObject *
read_summary (const char *run, JsonParser *parser)
{
  g_autofree char *path = g_build_filename (run, "summary.json", NULL);
  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_finetune_run (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *parent = g_build_filename (dir, "parent", NULL), *child = g_build_filename (dir, "child", NULL);
  g_autofree char *init = g_strdup_printf ("model.init_from=%s", parent);
  g_autofree char *out = NULL, *err = NULL, *exp_path = g_build_filename (child, "experiment.json", NULL);
  g_autofree char *exp_json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *summary, *from;

  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", parent, "--epochs", "2", "--set",
                            "model.layers=32,16", NULL), ==, 0);
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", child, "--epochs", "2", "--set", init, "--set",
                            "model.freeze=1", "--set", "model.layers=32,16:lr=0.5", NULL), ==, 0);
  summary = read_summary (child, parser);
  from = json_object_get_object_member (summary, "init_from");
  g_assert_nonnull (from);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (from, "path"), "parent/model.safetensors"));
  g_assert_cmpstr (json_object_get_string_member (from, "parent"), ==, "Spiral · ReLU · He");
  g_assert_cmpint (json_object_get_int_member (from, "tensors_loaded"), ==, 6);
  g_assert_false (json_object_get_boolean_member (from, "head_reinitialised"));
  g_assert_true (g_file_get_contents (exp_path, &exp_json, NULL, NULL));
  g_assert_nonnull (strstr (exp_json, "\"freeze\" : 1"));
  g_assert_nonnull (strstr (exp_json, "\"lr_scale\" : 0.5"));
  g_assert_nonnull (strstr (exp_json, parent));
}

static void
expect_exit_2 (const char *dir, const char *message, ...)
{
  static guint n;
  g_autofree char *name = g_strdup_printf ("bad-%u", n++); /* a failed run keeps its folder */
  g_autofree char *run = g_build_filename (dir, name, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("TS_CLI"));
  g_ptr_array_add (argv, "run");
  g_ptr_array_add (argv, "default");
  g_ptr_array_add (argv, "--out");
  g_ptr_array_add (argv, run);
  va_start (args, message);
  while ((arg = va_arg (args, const char *)) != NULL)
    {
      g_ptr_array_add (argv, "--set");
      g_ptr_array_add (argv, (gpointer) arg);
    }
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_cmpint (spawn_cli ((char **) argv->pdata, &out, &err), ==, 2);
  if (strstr (err, message) == NULL)
    g_error ("expected \"%s\" in \"%s\"", message, err);
}

static void
test_finetune_bad_input (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *parent = g_build_filename (dir, "parent", NULL);
  g_autofree char *init = g_strdup_printf ("model.init_from=%s", parent);
  g_autofree char *missing = g_strdup_printf ("model.init_from=%s/none", dir);
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", parent, "--epochs", "1", NULL), ==, 0);
  expect_exit_2 (dir, "model.init_from: tensor layers.0.weight is [100, 2] in", init, "model.layers=50", NULL);
  expect_exit_2 (dir, "another preprocessing; set data.preprocess=standardize", init, "data.preprocess=center", NULL);
  expect_exit_2 (dir, "no such file or folder", missing, NULL);
  expect_exit_2 (dir, "model.reinit_head: false, but", init, "data.classes=5", "model.reinit_head=false", NULL);
  expect_exit_2 (dir, "model.freeze: 2 is more than model.layers holds (1 entries", "model.freeze=2", NULL);
  expect_exit_2 (dir, "data.class_subset[1]: class 3 is not in builtin:spiral", "data.class_subset=0,3", NULL);
  expect_exit_2 (dir, "data.class_subset[0]: \"a\" is not a number", "data.class_subset=[a]", NULL);
  expect_exit_2 (dir, "data.resize: builtin:spiral holds feature vectors", "data.resize=28,28", NULL);
  expect_exit_2 (dir, "model.layers[0].lr_scale: must be in (0, 1000]", "model.layers=8:lr=-1", NULL);
}

/* A PyTorch-made CNN ending in a global average pool, saved without
 * __metadata__.input_shape: eval takes the input's shape from --data,
 * and fine-tuning from it (model.init_from) from the run's own data */
static void
test_torch_gap_model (void)
{
  g_autofree char *model = fixture_path ("torch/model-from-torch-gap.safetensors");
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = g_build_filename (dir, "tuned", NULL);
  g_autofree char *init = g_strdup_printf ("model.init_from=%s", model);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *result, *summary;

  if (!g_file_test (TS_FASHION_MNIST_DIR, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no Fashion-MNIST in " TS_FASHION_MNIST_DIR);
      return;
    }
  g_assert_cmpint (run_cli (&out, &err, "eval", model, "--data", "fashion-mnist", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  result = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (result, "count"), ==, 10000);
  g_assert_cmpfloat (json_object_get_double_member (result, "accuracy"), >, 0.5);
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--epochs", "1", "--set", "data.source=fashion-mnist",
                            "--set", "data.limit=500", "--set", init, "--set",
                            "model.layers=conv8x3/same,maxpool2,conv16x3/same,gap,16", NULL), ==, 0);
  summary = read_summary (run, parser);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (summary, "init_from"), "tensors_loaded"),
                   ==, 8);
  /* data its filters do not fit: exit 2 naming the tensor */
  g_assert_cmpint (run_cli (&out, &err, "eval", model, "--data", "builtin:shapes", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "layers.0.weight"));
}

/* The same model given to transfer and ensemble: each loads it for the
 * data it is given (--data; for ensemble without it, the first member's
 * data.source), as eval does, and without data says what to add */
static void
test_torch_gap_transfer_ensemble (void)
{
  g_autofree char *model = fixture_path ("torch/model-from-torch-gap.safetensors");
  g_autofree char *named = fixture_path ("torch/model-from-torch-gap-fashion.safetensors");
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *transfer = g_build_filename (dir, "transfer", NULL), *ens = g_build_filename (dir, "ens", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *result;

  if (!g_file_test (TS_FASHION_MNIST_DIR, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no Fashion-MNIST in " TS_FASHION_MNIST_DIR);
      return;
    }
  /* its experiment names data on another machine: --data gives the shape */
  g_assert_cmpint (run_cli (&out, &err, "transfer", model, "--data", "fashion-mnist", "--set", "data.limit=300",
                            "--strategies", "none", "--out", transfer, "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  result = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (result, "stages")), ==, 3);
  g_assert_cmpint (run_cli (&out, &err, "ensemble", model, "--data", "fashion-mnist", "--fusion", "late", "--out", ens,
                            "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  result = json_node_get_object (json_parser_get_root (parser));
  g_test_message ("ensemble of the one model on fashion-mnist: %s", out);
  g_assert_cmpint (json_object_get_int_member (result, "count"), ==, 10000);
  /* no --data: the first member's data.source is the data, for the second too */
  g_assert_cmpint (run_cli (&out, &err, "ensemble", named, model, "--fusion", "late", "--out", ens, NULL), ==, 0);
  /* nor any readable data.source: exit 2 asking for input_shape or --data */
  g_assert_cmpint (run_cli (&out, &err, "ensemble", model, "--out", ens, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "add __metadata__.input_shape"));
  g_assert_nonnull (strstr (err, "(--data SOURCE)"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/cli/finetune-run", test_finetune_run);
  g_test_add_func ("/app/cli/finetune-bad-input", test_finetune_bad_input);
  g_test_add_func ("/app/cli/torch-gap-model", test_torch_gap_model);
  g_test_add_func ("/app/cli/torch-gap-transfer-ensemble", test_torch_gap_transfer_ensemble);
  return g_test_run ();
}
