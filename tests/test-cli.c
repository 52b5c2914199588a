/* trainscope-cli as a user runs it: exit codes, files, messages. */
#include "test-util.h"
#include "cli-util.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* issue 18: each bad argument exits 2 naming the flag, key or file; each
 * failed write exits 1 with the OS's reason; nothing crashes or hangs */
static void
test_hardening_exit_codes (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *nested = g_build_filename (dir, "nested.json", NULL);
  g_autofree char *huge_int = g_build_filename (dir, "huge-int.json", NULL);
  g_autofree char *csv = g_build_filename (dir, "big.csv", NULL);
  g_autofree char *csv_source = g_strconcat ("csv:", csv, NULL);
  g_autofree char *file = g_build_filename (dir, "a-file", NULL);
  g_autofree char *under_file = g_build_filename (file, "sub", NULL);
  g_autofree char *png_under_file = g_build_filename (file, "p.png", NULL);
  g_autofree char *fifo = g_build_filename (dir, "exp.fifo", NULL);
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *brackets = g_strnfill (100000, '[');
  g_autofree char *out = NULL, *err = NULL;
  const struct { int code; const char *message; const char *argv[12]; } cases[] = {
    { 2, "nested.json: byte 73: nested deeper than 64 levels", { "run", nested, "--out", run } },
    { 2, "nested.json: byte 73: nested deeper than 64 levels", { "lr-find", nested, "--out", run } },
    { 2, "--set \"\": no '='", { "run", "default", "--out", run, "--set", "" } },
    { 2, "--set \"=5\": the key before '=' is empty", { "run", "default", "--out", run, "--set", "=5" } },
    { 2, "model.layers[1]: empty entry in \"512,,256\"", { "run", "default", "--out", run, "--set", "model.layers=512,,256" } },
    { 2, "model.layers[0]: empty entry in \",\"", { "run", "default", "--out", run, "--set", "model.layers=," } },
    { 2, "model.layers: empty; expected", { "run", "default", "--out", run, "--set", "model.layers=" } },
    { 2, "big.csv:3:1: \"1e39\" is beyond the float range", { "data", "info", csv_source, "--json" } },
    { 2, "big.csv:3:1: \"1e39\" is beyond the float range", { "run", "default", "--out", run, "--set", "data.source=" } },
    { 2, "--epochs: train.epochs: must be a whole number in [1, 1000000] (got -1)", { "run", "default", "--out", run, "--epochs", "-1" } },
    { 2, "--seed: seed: must be a whole number in [0, 9007199254740992] (got -1)", { "run", "default", "--out", run, "--seed", "-1" } },
    { 2, "--threads: must be a whole number in [1, ", { "run", "default", "--out", run, "--threads", "10000" } },
    { 2, "--threads: must be a whole number in [1, ", { "run", "default", "--out", run, "--threads", "0x1" } },
    { 2, "train.lr: must be a decimal number like 0.3 or 1e-4 (got \"0x10\")", { "run", "default", "--out", run, "--set", "train.lr=0x10" } },
    { 2, "--set train.lr=1: does not apply here; only data.* keys and seed do", { "data", "info", "builtin:spiral", "--set", "train.lr=1" } },
    { 2, "--set model.layers=8: does not apply here", { "data", "preview", "builtin:spiral", "--out", run, "--set", "model.layers=8" } },
    { 2, "huge-int.json: train.epochs: must be a whole number in [1, 1000000] (got 1e+23)", { "run", huge_int, "--out", run } },
    { 2, "data.val_fraction: 0.999 of 1500 samples leaves none for training", { "run", "default", "--out", run, "--set", "data.val_fraction=0.999" } },
    { 2, "/dev/zero: is a character device; expected a regular file", { "run", "/dev/zero", "--out", run } },
    { 2, "exp.fifo: is a FIFO; expected a regular file", { "run", fifo, "--out", run } },
    { 2, "--iterations: must be a whole number in [20, 100000] (got \"2000000000\")", { "lr-find", "default", "--out", run, "--iterations", "2000000000" } },
    { 2, "--sweeps: must be a whole number in [1, 20] (got \"-1\")", { "lr-find", "default", "--out", run, "--sweeps", "-1" } },
    { 2, "--layers: must be a whole number in [1, 256] (got \"0x8\")", { "probe", "--out", run, "--layers", "0x8" } },
    { 2, "--init-scale: must be a decimal number > 0", { "probe", "--out", run, "--init-scale", "nan" } },
    { 2, "train.batch_size: must be a whole number in [1, 65536] (got 4000000000)",
      { "run", "default", "--out", run, "--set", "train.batch_size=4000000000" } },
    { 1, "a-file: cannot create the folder: Not a directory", { "run", "default", "--out", file, "--epochs", "1" } },
    { 1, "a-file/sub: cannot create the folder: Not a directory", { "run", "default", "--out", under_file, "--epochs", "1" } },
    { 1, "a-file/sub: cannot create the folder: Not a directory", { "lr-find", "default", "--out", under_file } },
    { 1, "a-file/sub: cannot create the folder: Not a directory", { "probe", "--out", under_file, "--layers", "1", "--width", "4" } },
    { 1, "a-file/p.png: cannot create a temporary file: Not a directory", { "data", "preview", "builtin:spiral", "--out", png_under_file } },
    { 1, "a-file/p.png: cannot create a temporary file: Not a directory", { "data", "preview", "builtin:shapes", "--out", png_under_file } },
  };
  g_autofree char *nested_text = g_strconcat ("{\"train\": ", brackets, NULL);

  g_assert_true (g_file_set_contents (nested, nested_text, -1, NULL));
  g_assert_true (g_file_set_contents (huge_int, "{\"train\": {\"epochs\": 99999999999999999999999}}", -1, NULL));
  g_assert_true (g_file_set_contents (csv, "a,b,label\n1,2,x\n1e39,2,y\n3,4,x\n5,6,y\n", -1, NULL));
  g_assert_true (g_file_set_contents (file, "", -1, NULL));
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *set_source = NULL;
      g_autofree char *case_run = g_strdup_printf ("%s-%zu", run, i); /* a run owns its folder */
      int code;

      g_ptr_array_add (argv, (gpointer) g_getenv ("TS_CLI"));
      for (int a = 0; cases[i].argv[a]; a++)
        {
          /* data.source= is completed with the CSV's path */
          if (strcmp (cases[i].argv[a], "data.source=") == 0)
            g_ptr_array_add (argv, set_source = g_strconcat ("data.source=", csv_source, NULL));
          else if (cases[i].argv[a] == run)
            g_ptr_array_add (argv, case_run);
          else
            g_ptr_array_add (argv, (gpointer) cases[i].argv[a]);
        }
      g_ptr_array_add (argv, NULL);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      code = spawn_cli ((char **) argv->pdata, &out, &err);
      if (code != cases[i].code || strstr (err, cases[i].message) == NULL)
        g_error ("%s %s: exit %d \"%s\", expected exit %d with \"%s\"", cases[i].argv[0], cases[i].argv[1], code,
                 err, cases[i].code, cases[i].message);
    }
}

/* issue 12: every command that would build a net too large for the machine
 * refuses it with exit 2, the key and the estimate, before it writes or
 * allocates anything (it used to abort in g_malloc, exit 133) */
static void
test_memory_limits (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *space = g_build_filename (dir, "space.json", NULL);
  g_autofree char *big_space = g_build_filename (dir, "big-space.json", NULL);
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *huge = "model.layers=1000000,1000000", *wide_batch = "train.batch_size=65536";
  const char *params = "model.layers: 1000007000003 parameters with their gradients and optimizer state, and the "
                       "activations at train.batch_size 64, need about 20024.7 GB; this machine has ";
  const struct { const char *message; const char *argv[12]; } cases[] = {
    { params, { "run", "default", "--out", run, "--set", huge } },
    { params, { "run", "default", "--seeds", "3", "--out", run, "--set", huge } },
    { params, { "lr-find", "default", "--out", run, "--set", huge } },
    { params, { "search", "default", "--space", space, "--trials", "2", "--out", run, "--set", huge } },
    /* a space whose draws are too large, from a base that fits */
    { "model.layers: ", { "search", "default", "--space", big_space, "--trials", "2", "--out", run } },
    /* activations that outweigh the parameters name the batch */
    { "train.batch_size: the activations of 2 layers at train.batch_size 65536, and 600003 parameters, need about "
      "78.7 GB; this machine has ", { "run", "default", "--out", run, "--set", "model.layers=100000", "--set", wide_batch } },
    { "probe: 15 layers of 10000 units over 100000 samples, on ",
      { "probe", "--out", run, "--layers", "15", "--width", "10000", "--samples", "100000" } },
  };

  g_assert_true (g_file_set_contents (space, "{\"train.lr\": {\"log_uniform\": [0.01, 0.1]}}", -1, NULL));
  g_assert_true (g_file_set_contents (big_space, "{\"model.layers\": {\"choice\": [\"8\", \"1000000,1000000\"]}}",
                                      -1, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      int code;

      g_ptr_array_add (argv, (gpointer) g_getenv ("TS_CLI"));
      for (int a = 0; cases[i].argv[a]; a++)
        g_ptr_array_add (argv, (gpointer) cases[i].argv[a]);
      g_ptr_array_add (argv, NULL);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      code = spawn_cli ((char **) argv->pdata, &out, &err);
      if (code != 2 || strstr (err, cases[i].message) == NULL || strstr (err, "GB (a run may use half)") == NULL)
        g_error ("%s %s: exit %d \"%s\", expected exit 2 with \"%s\"", cases[i].argv[0], cases[i].argv[1], code, err,
                 cases[i].message);
      /* refused before anything was written */
      g_assert_false (g_file_test (run, G_FILE_TEST_EXISTS));
    }
}

/* issue 12: a net of 64 hidden layers runs end to end — statistics of all
 * 65 layers in layers.csv, the advisor, every plot */
static void
test_deep_net (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *layers_csv = g_build_filename (dir, "layers.csv", NULL);
  g_autofree char *out = NULL, *err = NULL, *text = NULL;
  g_autoptr(GString) list = g_string_new ("16");
  g_autofree char *set = NULL;
  g_auto(GStrv) rows = NULL;
  guint deepest = 0;

  for (int l = 1; l < 64; l++)
    g_string_append (list, ",16");
  set = g_strconcat ("model.layers=", list->str, NULL);
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", dir, "--epochs", "1", "--set", set, "--plots", "png",
                            NULL), ==, 0);
  g_assert_true (g_file_get_contents (layers_csv, &text, NULL, NULL));
  rows = g_strsplit (text, "\n", -1);
  for (guint i = 1; rows[i] && *rows[i]; i++)
    {
      g_auto(GStrv) f = g_strsplit (rows[i], ",", 3);
      deepest = MAX (deepest, (guint) g_ascii_strtoull (f[1], NULL, 10));
    }
  g_assert_cmpuint (deepest, ==, 65);
  for (int k = 0; k < 4; k++)
    {
      const char *names[] = { "grad-norm.png", "update-ratio.png", "dead-saturated.png", "advice.json" };
      g_autofree char *path = g_build_filename (dir, names[k], NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
}

/* a copy of a model file without one tensor, or with it cut to 3 values */
static char *
doctored_model (const char *model, const char *dir, const char *victim, gboolean drop)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsModel) m = ts_model_load (model, &error);
  g_autoptr(TsSafetensors) st = ts_safetensors_load (model, &error);
  g_autoptr(TsSafetensorsWriter) w = ts_safetensors_writer_new ();
  const GArray *tensors;
  char *path = g_build_filename (dir, drop ? "dropped.safetensors" : "cut.safetensors", NULL);

  g_assert_no_error (error);
  tensors = ts_net_tensors (m->net);
  for (guint i = 0; i < tensors->len; i++)
    {
      const TsNetTensor *t = &g_array_index (tensors, TsNetTensor, i);
      TsShape shape;
      g_autofree float *data = ts_safetensors_get_f32 (st, t->name, &shape, &error);
      g_assert_no_error (error);
      if (strcmp (t->name, victim) == 0 && drop)
        continue;
      if (strcmp (t->name, victim) == 0)
        shape = (TsShape) { 1, { 3 } };
      ts_safetensors_writer_add (w, t->name, data, shape.ndim, shape.dims);
    }
  ts_safetensors_writer_set_metadata (w, "experiment", ts_safetensors_metadata (st, "experiment"));
  g_assert_true (ts_safetensors_writer_save (w, path, &error));
  return path;
}

/* issue 12: a batchnorm where there is nothing to normalise, twice in a
 * row, with eps <= 0 or momentum outside (0, 1]; a checkpoint whose batch-
 * norm tensors are missing or mis-shaped: exit 2 naming the key or tensor */
static void
test_batchnorm_bad_input (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *model = g_build_filename (run, "model.safetensors", NULL);
  g_autofree char *exp = g_build_filename (dir, "bn.json", NULL);
  g_autofree char *dropped = NULL, *cut = NULL, *out = NULL, *err = NULL;
  struct { const char *set, *message; } cases[] = {
    { "model.layers=bn,8", "model.layers[0]: a batchnorm must follow a dense or conv layer (it is the first entry" },
    { "model.layers=8,bn,bn", "model.layers[2]: a batchnorm must follow a dense or conv layer (two batchnorms in a row)" },
    { "model.layers=8,bn:eps=0", "model.layers[1].eps: must be > 0 (got 0)" },
    { "model.layers=8,bn:momentum=0", "model.layers[1].momentum: must be in (0, 1] (got 0)" },
    { "model.layers=8,bn:momentum=1.5", "model.layers[1].momentum: must be in (0, 1] (got 1.5)" },
    { "model.layers=8,bn:frozen:width=3", "model.layers[1]: \"width=3\" is not a batchnorm option" },
    { "model.layers=[{\"type\":\"dense\",\"units\":8},{\"type\":\"batchnorm\",\"eps\":-1}]",
      "model.layers[1].eps: must be > 0 (got -1)" },
    { "model.layers=[{\"type\":\"dense\",\"units\":8},{\"type\":\"batchnorm\",\"units\":8}]",
      "model.layers[1].units: unknown key for a batchnorm" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *case_run = g_strdup_printf ("%s-%zu", run, i);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      if (run_cli (&out, &err, "run", "default", "--out", case_run, "--set", cases[i].set, NULL) != 2
          || strstr (err, cases[i].message) == NULL)
        g_error ("--set %s: \"%s\", expected exit 2 with \"%s\"", cases[i].set, err, cases[i].message);
    }
  /* one sample has no statistics to normalise by */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--set", "model.layers=8,bn", "--set",
                            "train.batch_size=1", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "train.batch_size: must be >= 2 with a batchnorm (model.layers[1]) (got 1)"));
  /* the experiment file's form names the entry as well */
  g_assert_true (g_file_set_contents (exp, "{\"model\": {\"layers\": [{\"type\": \"batchnorm\"}]}}", -1, NULL));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&out, &err, "run", exp, "--out", run, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "model.layers[0]: a batchnorm must follow a dense or conv layer"));

  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--epochs", "1", "--set", "model.layers=8,bn",
                            NULL), ==, 0);
  dropped = doctored_model (model, dir, "layers.1.running_var", TRUE);
  cut = doctored_model (model, dir, "layers.1.running_mean", FALSE);
  g_clear_pointer (&err, g_free);
  if (run_cli (&out, &err, "eval", dropped, "--data", "builtin:spiral", NULL) != 2
      || strstr (err, "has no tensor \"layers.1.running_var\"") == NULL)
    g_error ("eval of a model without layers.1.running_var: \"%s\", expected exit 2 naming it", err);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&out, &err, "eval", cut, "--data", "builtin:spiral", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "tensor \"layers.1.running_mean\" has the wrong shape for the experiment (expected [8], got [3])"));
}

/* eval with nothing to evaluate: no test split, and val_fraction 0 */
static void
test_eval_empty_split (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *model = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", dir, "--epochs", "1", "--set", "data.val_fraction=0",
                            NULL), ==, 0);
  g_assert_cmpint (run_cli (&out, &err, "eval", model, "--data", "builtin:spiral", "--json", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "eval: nothing to evaluate: builtin:spiral has no test split, and the validation "
                                 "split is empty"));
  g_assert_nonnull (strstr (err, "data.val_fraction 0"));
  g_assert_cmpstr (out, ==, "");
}

/* data info --json is valid JSON whatever the labels' encoding */
static void
test_data_info_json_valid (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *csv = g_build_filename (dir, "latin1.csv", NULL);
  g_autofree char *source = g_strconcat ("csv:", csv, NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *classes;

  g_assert_true (g_file_set_contents (csv, "a,b,label\n1,2,caf\xe9\n3,4,tea\n5,6,tea\n", -1, NULL));
  g_assert_cmpint (run_cli (&out, &err, "data", "info", source, "--json", NULL), ==, 0);
  g_assert_true (g_utf8_validate (out, -1, NULL));
  root = ts_json_parse (out, -1, "data info --json", NULL);
  g_assert_nonnull (root);
  classes = json_object_get_array_member (json_node_get_object (root), "classes");
  g_assert_cmpstr (json_array_get_string_element (classes, 0), ==, "caf\uFFFD");
  g_assert_cmpstr (json_array_get_string_element (classes, 1), ==, "tea");
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

/* left to itself (no OPENBLAS_CORETYPE) on an AVX-512 CPU, the CLI runs an
 * AVX-512 kernel: OpenBLAS 0.3.21 detects Cooperlake on the AMD EPYC seen
 * here but Prescott on a Xeon, which the start-up check re-executes with
 * SkylakeX; Haswell there runs the sgemm at half the speed */
static void
test_kernel_uses_avx512 (void)
{
  g_autofree char *out = NULL, *err = NULL;
  const char *line;

  __builtin_cpu_init ();
  if (!(__builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw")
        && __builtin_cpu_supports ("avx512vl") && __builtin_cpu_supports ("avx512dq")))
    {
      g_test_skip ("this CPU has no AVX-512");
      return;
    }
  g_unsetenv ("OPENBLAS_CORETYPE");
  g_assert_cmpint (run_cli (&out, &err, "--version", NULL), ==, 0);
  line = strstr (out, "OpenBLAS kernel: ");
  g_assert_nonnull (line);
  line += strlen ("OpenBLAS kernel: ");
  if (!g_str_has_prefix (line, "SkylakeX") && !g_str_has_prefix (line, "Cooperlake")
      && !g_str_has_prefix (line, "SapphireRapids"))
    g_error ("an AVX-512 CPU runs a lesser kernel: %s", out);
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
  {
    g_autofree char *filters = g_strdup_printf ("%s/filters.png", run);
    g_assert_false (g_file_test (filters, G_FILE_TEST_EXISTS)); /* no conv layer */
  }
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--plots", "bmp", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--plots: expected png, svg or pdf (got \"bmp\")"));
}

/* colours in a PNG's pixels that are neither grey nor white: a picture in colour */
static guint
coloured_pixels (const char *path)
{
  g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new_from_file (path, NULL);
  int n = gdk_pixbuf_get_n_channels (pb), stride = gdk_pixbuf_get_rowstride (pb);
  const guint8 *px = gdk_pixbuf_read_pixels (pb);
  guint found = 0;

  for (int y = 0; y < gdk_pixbuf_get_height (pb); y++)
    for (int x = 0; x < gdk_pixbuf_get_width (pb); x++)
      {
        const guint8 *p = px + y * stride + x * n;
        found += abs (p[0] - p[1]) > 20 || abs (p[1] - p[2]) > 20;
      }
  return found;
}

/* --plots on a conv net: its filters (colour shapes: in colour) and a
 * sample's feature maps, in each format */
static void
test_run_plots_cnn (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *stems[] = { "filters", "feature-maps", "dead-saturated" };

  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--epochs", "1", "--set",
                            "data.source=builtin:shapes", "--set", "data.samples=200", "--set",
                            "model.layers=conv6x3/same,maxpool2,conv8x3,16", "--plots", "png,svg", NULL), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (stems); i++)
    {
      g_autofree char *png = g_strdup_printf ("%s/%s.png", run, stems[i]);
      g_autofree char *svg = g_strdup_printf ("%s/%s.svg", run, stems[i]);
      int width = 0;
      g_assert_true (is_png (png, &width));
      g_assert_cmpint (width, ==, 1440);
      g_assert_true (g_file_test (svg, G_FILE_TEST_IS_REGULAR));
    }
  {
    g_autofree char *filters = g_strdup_printf ("%s/filters.png", run);
    g_autofree char *maps = g_strdup_printf ("%s/feature-maps.png", run);
    g_assert_cmpuint (coloured_pixels (filters), >, 1000); /* six 3×3 RGB filters */
    g_assert_cmpuint (coloured_pixels (maps), >, 100);     /* the colour sample beside grey maps */
  }
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
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (cells, 0), "batchnorm"));
  /* --batchnorm (issue 12): 12 layers under the small init keep their spread */
  g_assert_cmpint (run_cli (&out, &err, "probe", "--layers", "12", "--width", "64", "--samples", "128", "--activation",
                            "tanh", "--init", "small", "--batchnorm", "--out", dir, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "with batch norm"));
  g_assert_true (json_parser_load_from_file (parser, json, NULL));
  cells = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "cells");
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (cells, 0), "batchnorm"));
  layers = json_object_get_array_member (json_array_get_object_element (cells, 0), "layers");
  g_assert_cmpuint (json_array_get_length (layers), ==, 12);
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (layers, 11), "act_std"), >, 0.55);
  g_assert_cmpint (run_cli (&out, &err, "probe", "--init", "magic", "--out", dir, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--init: unknown name \"magic\""));
  g_assert_cmpint (run_cli (&out, &err, "lr-find", "default", "--iterations", "60", "--sweeps", "2", "--out", dir, NULL), ==, 0);
  g_assert_true (g_file_get_contents (suggestion, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"suggested\""));
}

/* probe EXP.json: the experiment's conv stack on a batch of its images,
 * every entry of model.layers a layer of probe.json in order */
static void
test_probe_experiment (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *exp = g_build_filename (dir, "cnn.json", NULL);
  g_autofree char *json = g_build_filename (dir, "probe.json", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *kinds[] = { "conv", "pool", "conv", "global_avg_pool", "dense" };
  JsonArray *cells, *layers, *shape;
  double std[2];

  g_assert_true (g_file_set_contents (exp, "{\"data\": {\"source\": \"builtin:shapes\", \"samples\": 400},"
                                      " \"model\": {\"layers\": [{\"type\": \"conv\", \"filters\": 8, \"kernel\": 3,"
                                      " \"padding\": \"same\"}, {\"type\": \"pool\", \"kind\": \"max\"},"
                                      " {\"type\": \"conv\", \"filters\": 12, \"kernel\": 3},"
                                      " {\"type\": \"global_avg_pool\"}, {\"type\": \"dense\", \"units\": 16}]}}", -1,
                                      NULL));
  g_assert_cmpint (run_cli (&out, &err, "probe", exp, "--init", "small,he", "--activation", "relu", "--samples", "64",
                            "--out", dir, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "on 64 samples of builtin:shapes"));
  g_assert_true (json_parser_load_from_file (parser, json, NULL));
  cells = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "cells");
  g_assert_cmpuint (json_array_get_length (cells), ==, 2);
  for (guint c = 0; c < 2; c++)
    {
      JsonObject *cell = json_array_get_object_element (cells, c);
      g_assert_cmpstr (json_object_get_string_member (cell, "init"), ==, c ? "he" : "small");
      g_assert_cmpstr (json_object_get_string_member (cell, "activation"), ==, "relu");
      layers = json_object_get_array_member (cell, "layers");
      g_assert_cmpuint (json_array_get_length (layers), ==, 5);
      for (guint l = 0; l < 5; l++)
        {
          JsonObject *layer = json_array_get_object_element (layers, l);
          g_assert_cmpstr (json_object_get_string_member (layer, "kind"), ==, kinds[l]);
          g_assert_true (json_object_has_member (layer, "act_hist"));
          g_assert_true (json_object_has_member (layer, "weight_hist"));
          g_assert_true (json_object_has_member (layer, "grad_std"));
        }
      shape = json_object_get_array_member (json_array_get_object_element (layers, 2), "shape");
      g_assert_cmpuint (json_array_get_length (shape), ==, 3);
      g_assert_cmpint (json_array_get_int_element (shape, 0), ==, 12);
      g_assert_cmpint (json_array_get_int_element (shape, 1), ==, 14); /* 32 → pool 16 → 3×3 valid 14 */
      std[c] = json_object_get_double_member (json_array_get_object_element (layers, 2), "act_std");
    }
  g_assert_cmpfloat (std[0], <, 0.05 * std[1]); /* small's second conv layer: a whisper of He's */
  /* bad input: exit 2 naming the key */
  g_assert_cmpint (run_cli (&out, &err, "probe", exp, "--set", "data.source=builtin:spiral", "--out", dir, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "model.layers[0]: a conv layer needs an image input"));
  g_assert_cmpint (run_cli (&out, &err, "probe", exp, "--set", "model.init_scale=-1", "--out", dir, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "model.init_scale"));
  g_assert_cmpint (run_cli (&out, &err, "probe", exp, "--layers", "4", "--out", dir, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--layers is the MLP probe's"));
  g_assert_cmpint (run_cli (&out, &err, "probe", exp, "--activation", "relu,magic", "--out", dir, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--activation: unknown name \"magic\""));
  g_assert_cmpint (run_cli (&out, &err, "probe", "--set", "train.lr=1", "--out", dir, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--set changes an experiment's keys"));
}

static GPid
spawn_cli_async (const char *run, const char *const *extra)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_ptr_array_add (argv, (gpointer) g_getenv ("TS_CLI"));
  g_ptr_array_add (argv, "run");
  g_ptr_array_add (argv, "default");
  g_ptr_array_add (argv, "--out");
  g_ptr_array_add (argv, (gpointer) run);
  for (int i = 0; extra[i]; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_async (NULL, (char **) argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                                | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  return pid;
}

static gboolean
wait_for_file (const char *dir, const char *name, double seconds)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (2000);
    }
  return TRUE;
}

/* Two runs into one folder: the second is refused, naming the first; a
 * killed run leaves no lock behind (the kernel drops a flock with its
 * holder), only an unfinished run, refused as such. */
static void
test_run_folder_is_locked (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *out = NULL, *err = NULL, *pid_text = NULL;
  const char *long_run[] = { "--epochs", "100000", NULL };
  GPid pid = spawn_cli_async (run, long_run);
  int status;

  g_assert_true (wait_for_file (run, "steps.csv", 30));
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, NULL), ==, 2);
  pid_text = g_strdup_printf ("another run is writing this folder (pid %d on %s, started ", (int) pid,
                              g_get_host_name ());
  g_assert_nonnull (strstr (err, run));
  g_assert_nonnull (strstr (err, pid_text));
  kill (pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--epochs", "100000", NULL), ==, 2);
  g_assert_null (strstr (err, "another run"));
  g_assert_nonnull (strstr (err, "holds an unfinished run of this experiment (no readable summary.json"));
}

static gboolean
only_files (const char *dir, const char *const *names)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (!g_strv_contains (names, name))
        {
          g_test_message ("%s: unexpected %s", dir, name);
          return FALSE;
        }
      n++;
    }
  return n == g_strv_length ((char **) names);
}

/* A run owns its folder: a foreign folder or another experiment's run is
 * refused saying what is there; a finished run of the same experiment runs
 * again from nothing — no plot, model or temporary file of the last one left */
static void
test_run_folder_is_owned (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *div = g_build_filename (dir, "div", NULL);
  g_autofree char *notes = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *model = g_build_filename (run, "model.safetensors", NULL);
  g_autofree char *loss_png = g_build_filename (run, "loss.png", NULL);
  g_autofree char *temp = g_build_filename (run, "advice.json.Ab3xY9", NULL);
  g_autofree char *div_model = g_build_filename (div, "model.safetensors", NULL);
  g_autofree char *div_temp = g_build_filename (div, "summary.json.k2PqZ0", NULL);
  g_autofree char *out = NULL, *err = NULL, *text = NULL;
  const char *run_files[] = { ".trainscope.lock", "experiment.json", "metrics.csv", "steps.csv", "layers.csv",
                              "advice.json", "summary.json", "model.safetensors", NULL };
  const char *diverged_files[] = { ".trainscope.lock", "experiment.json", "metrics.csv", "steps.csv", "layers.csv",
                                   "advice.json", "summary.json", NULL };

  g_assert_true (g_file_set_contents (notes, "mine\n", -1, NULL));
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", dir, "--epochs", "2", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "not a run folder (it holds “notes.txt”); choose a new or empty folder"));
  g_assert_true (g_file_test (notes, G_FILE_TEST_EXISTS));

  /* the same run again: the last one's plots and a temporary file left by a kill are gone */
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--epochs", "2", NULL), ==, 0);
  g_assert_true (g_file_set_contents (loss_png, "as --plots png would write it", -1, NULL));
  g_assert_true (g_file_set_contents (temp, "{", -1, NULL));
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--epochs", "2", NULL), ==, 0);
  g_assert_true (only_files (run, run_files));

  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--epochs", "3", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "holds a run of another experiment (train.epochs is 2 there, 3 here); choose another "
                                 "folder, or delete this one"));
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--epochs", "2", "--set", "name=other", NULL),
                   ==, 2);
  g_assert_nonnull (strstr (err, "holds a run of another experiment (“Spiral · ReLU · He”)"));
  /* numbers as a person writes them, not JSON's 0.10000000000000001 */
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--epochs", "2", "--set", "train.lr=1e6",
                            NULL), ==, 2);
  g_assert_nonnull (strstr (err, "holds a run of another experiment (train.lr is 0.1 there, 1000000 here)"));

  /* a diverged run writes no model, and keeps none from the last run */
  g_assert_true (g_file_get_contents (model, &text, NULL, NULL));
  for (int k = 0; k < 2; k++)
    {
      g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", div, "--set", "train.lr=1e6", "--set",
                                "train.optimizer=sgd", "--set", "data.preprocess=none", NULL), ==, 1);
      g_assert_nonnull (strstr (out, "diverged"));
      g_assert_true (only_files (div, diverged_files));
      /* what an earlier run, and a kill -9 in an atomic write, would leave */
      g_assert_true (g_file_set_contents (div_model, text, -1, NULL));
      g_assert_true (g_file_set_contents (div_temp, "{", -1, NULL));
    }
}

/* Every file the run writes honours the umask (mkstemp's 0600 did not). */
static void
test_run_files_honour_umask (void)
{
  const char *files[] = { "experiment.json", "metrics.csv", "steps.csv", "layers.csv", "advice.json", "summary.json",
                          "model.safetensors" };
  const mode_t masks[] = { 022, 077 };

  for (gsize m = 0; m < G_N_ELEMENTS (masks); m++)
    {
      g_autofree char *dir = make_temp_dir ();
      g_autofree char *run = g_build_filename (dir, "run", NULL);
      g_autofree char *out = NULL, *err = NULL;
      mode_t old = umask (masks[m]);
      int code = run_cli (&out, &err, "run", "default", "--out", run, "--epochs", "1", NULL);
      umask (old);
      g_assert_cmpint (code, ==, 0);
      for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
        {
          g_autofree char *path = g_build_filename (run, files[i], NULL);
          GStatBuf st;
          g_assert_cmpint (g_stat (path, &st), ==, 0);
          if ((st.st_mode & 0777) != (0666 & ~masks[m]))
            g_error ("%s: mode %03o under umask %03o, expected %03o", files[i], st.st_mode & 0777, masks[m],
                     0666 & ~masks[m]);
        }
    }
}

/* A real full disk: a small tmpfs in a user namespace (skipped where the
 * system allows none). The run fails with 1 naming the file, every CSV
 * ends with a whole row, and summary.json says why. */
static void
test_disk_full (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *mnt = g_build_filename (dir, "mnt", NULL);
  g_autofree char *copy = g_build_filename (dir, "copy", NULL);
  g_autofree char *script = NULL, *out = NULL, *err = NULL, *summary = NULL;
  const char *csvs[] = { "metrics.csv", "steps.csv", "layers.csv" };
  int status;

  if (!g_spawn_command_line_sync ("unshare -rm true", NULL, NULL, &status, NULL) || !WIFEXITED (status)
      || WEXITSTATUS (status) != 0)
    {
      g_test_skip ("no user namespaces here: cannot mount a small tmpfs");
      return;
    }
  g_assert_cmpint (g_mkdir (mnt, 0755), ==, 0);
  /* 48 KiB fill up in the first epochs of the default, in layers.csv */
  script = g_strdup_printf ("mount -t tmpfs -o size=48k tmpfs '%s' && '%s' run default --out '%s/r' --epochs 100; "
                            "s=$?; cp -r '%s/r' '%s'; exit $s", mnt, g_getenv ("TS_CLI"), mnt, mnt, copy);
  {
    const char *argv[] = { "unshare", "-rm", "sh", "-c", script, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                                 NULL));
  }
  g_test_message ("%s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "/r/layers.csv: cannot write: No space left on device"));
  for (gsize i = 0; i < G_N_ELEMENTS (csvs); i++)
    {
      g_autofree char *path = g_build_filename (copy, csvs[i], NULL);
      g_autofree char *text = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (path, &text, &len, NULL));
      g_assert_cmpuint (len, >, 0);
      g_assert_cmpint (text[len - 1], ==, '\n'); /* whole rows only */
    }
  {
    g_autofree char *path = g_build_filename (copy, "summary.json", NULL);
    g_assert_true (g_file_get_contents (path, &summary, NULL, NULL));
    g_assert_nonnull (strstr (summary, "\"state\" : \"failed\""));
    g_assert_nonnull (strstr (summary, "layers.csv: cannot write: No space left on device"));
  }
}

/* Ctrl-C while the data loads: exit 1, said so, and summary.json says so */
static void
test_interrupted_while_loading (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *summary = g_build_filename (run, "summary.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { g_getenv ("TS_CLI"), "run", "default", "--out", run, "--set", "data.source=fashion-mnist",
                         NULL };
  GPid pid;
  int err_fd, status;
  char buf[4096];
  gssize n;

  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                                           NULL, NULL, &err_fd, &error));
  g_assert_true (wait_for_file (run, "steps.csv", 30)); /* the folder is claimed: loading starts */
  kill (pid, SIGINT);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  n = read (err_fd, buf, sizeof buf - 1);
  close (err_fd);
  buf[MAX (n, 0)] = '\0';
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (buf, "interrupted while loading the data; nothing was trained"));
  g_assert_true (g_file_get_contents (summary, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"state\" : \"interrupted\""));
  g_assert_nonnull (strstr (text, "\"error\" : \"interrupted while loading the data\""));
}

/* images the loader skipped are named on stderr and in summary.json, as
 * `data info` names them (run said nothing) */
static void
test_run_reports_skipped_images (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *folder = fixture_path ("bad/folder-some-broken");
  g_autofree char *source = g_strdup_printf ("data.source=folder:%s", folder);
  g_autofree char *summary_path = g_build_filename (run, "summary.json", NULL);
  g_autofree char *out = NULL, *err = NULL, *summary = NULL;
  const char *skipped[] = { "blue/corrupt.png: skipped: ", "blue/half.png: skipped: truncated: ",
                            "blue/notes.png: skipped: ", "red/zero.png: skipped: " };

  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run, "--epochs", "1", "--set", source, "--set",
                            "data.image_size=8", "--set", "data.val_fraction=0", NULL), ==, 0);
  g_assert_true (g_file_get_contents (summary_path, &summary, NULL, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (skipped); i++)
    {
      g_autofree char *line = g_strdup_printf ("trainscope-cli: warning: %s/%s", folder, skipped[i]);
      g_assert_nonnull (strstr (err, line));
      g_assert_nonnull (strstr (summary, skipped[i]));
    }
  /* a class with nothing readable is refused, naming its folder and why */
  {
    g_autofree char *bad = fixture_path ("bad/folder-truncated-class");
    g_autofree char *bad_source = g_strdup_printf ("data.source=folder:%s", bad);
    g_autofree char *run2 = g_build_filename (dir, "run2", NULL);
    g_assert_cmpint (run_cli (&out, &err, "run", "default", "--out", run2, "--set", bad_source, NULL), ==, 2);
    g_assert_nonnull (strstr (err, "folder-truncated-class/b: no readable images in this class folder"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/cli/run-and-eval", test_run_and_eval);
  g_test_add_func ("/app/cli/bad-input", test_bad_input_exits_2);
  g_test_add_func ("/app/cli/hardening", test_hardening_exit_codes);
  g_test_add_func ("/app/cli/memory-limits", test_memory_limits);
  g_test_add_func ("/app/cli/deep-net", test_deep_net);
  g_test_add_func ("/app/cli/batchnorm-bad-input", test_batchnorm_bad_input);
  g_test_add_func ("/app/cli/eval-empty-split", test_eval_empty_split);
  g_test_add_func ("/app/cli/data-info-json-valid", test_data_info_json_valid);
  g_test_add_func ("/app/cli/diverged", test_diverged_exits_1);
  g_test_add_func ("/app/cli/version", test_version_reports_kernel);
  g_test_add_func ("/app/cli/kernel-avx512", test_kernel_uses_avx512);
  g_test_add_func ("/app/cli/data-info", test_data_info);
  g_test_add_func ("/app/cli/run-plots", test_run_plots);
  g_test_add_func ("/app/cli/run-plots-cnn", test_run_plots_cnn);
  g_test_add_func ("/app/cli/data-preview", test_data_preview);
  g_test_add_func ("/app/cli/probe-and-lr-find", test_probe_and_lr_find);
  g_test_add_func ("/app/cli/probe-experiment", test_probe_experiment);
  g_test_add_func ("/app/cli/run-folder-locked", test_run_folder_is_locked);
  g_test_add_func ("/app/cli/run-folder-owned", test_run_folder_is_owned);
  g_test_add_func ("/app/cli/umask", test_run_files_honour_umask);
  g_test_add_func ("/app/cli/disk-full", test_disk_full);
  g_test_add_func ("/app/cli/interrupted-while-loading", test_interrupted_while_loading);
  g_test_add_func ("/app/cli/skipped-images", test_run_reports_skipped_images);
  return g_test_run ();
}
