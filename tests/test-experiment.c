/* The experiment file: defaults, round trips and messages that name the key. */
#include "test-util.h"

#include <sys/stat.h>

static void
expect_error (const char *json, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) exp = ts_experiment_from_json (json, -1, &error);

  g_assert_null (exp);
  g_assert_error (error, TS_ERROR, TS_ERROR_INVALID);
  if (strstr (error->message, message) == NULL)
    g_error ("expected \"%s\" in \"%s\"", message, error->message);
}

static void
test_defaults_round_trip (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autofree char *json = ts_experiment_to_json (exp);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) back = ts_experiment_from_json (json, -1, &error);
  g_autofree char *again = NULL;
  guint n_docs;
  const TsExperimentKeyDoc *docs = ts_experiment_key_docs (&n_docs);

  g_assert_no_error (error);
  again = ts_experiment_to_json (back);
  g_assert_cmpstr (json, ==, again);
  /* every documented key is in the resolved file */
  for (guint i = 0; i < n_docs; i++)
    {
      g_autofree char *leaf = g_strdup_printf ("\"%s\"", strrchr (docs[i].key, '.') ? strrchr (docs[i].key, '.') + 1
                                                                                  : docs[i].key);
      g_assert_nonnull (strstr (json, leaf));
    }
}

static void
test_partial_file_gets_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) exp = ts_experiment_from_json (
    "{\"train\": {\"lr\": 0.5, \"schedule\": {\"type\": \"step\"}},"
    " \"model\": {\"layers\": [{\"type\": \"dense\", \"units\": 7, \"activation\": \"tanh\"}, {\"type\": \"dense\", \"units\": 3}]}}",
    -1, &error);

  g_assert_no_error (error);
  g_assert_cmpfloat (exp->train.lr, ==, 0.5);
  g_assert_cmpint (exp->train.schedule.type, ==, TS_SCHED_STEP);
  g_assert_cmpuint (exp->train.schedule.every_epochs, ==, 10);
  g_assert_cmpuint (exp->train.batch_size, ==, 64);
  g_assert_cmpuint (exp->model.layers->len, ==, 2);
  g_assert_cmpint (ts_experiment_layer_activation (exp, 0), ==, TS_ACT_TANH);
  g_assert_cmpint (ts_experiment_layer_activation (exp, 1), ==, TS_ACT_RELU);
}

static void
test_bad_values_name_the_key (void)
{
  expect_error ("{\"train\": {\"lr\": -1}}", "train.lr: must be > 0 (got -1)");
  expect_error ("{\"train\": {\"lr\": \"fast\"}}", "train.lr: must be a number");
  expect_error ("{\"train\": {\"learning_rate\": 1}}", "train.learning_rate: unknown key");
  expect_error ("{\"data\": {\"val_fraction\": 1.5}}", "data.val_fraction: must be in [0, 1) (got 1.5)");
  expect_error ("{\"model\": {\"activation\": \"swish\"}}", "model.activation: must be one of sigmoid, tanh");
  expect_error ("{\"train\": {\"batch_size\": 0}}", "train.batch_size: must be a whole number in [1, 65536] (got 0)");
  /* json-glib reads an integer beyond 64 bits as -1: ts_json_parse reads it as the double it is */
  expect_error ("{\"train\": {\"epochs\": 99999999999999999999999}}",
                "train.epochs: must be a whole number in [1, 1000000] (got 1e+23)");
  expect_error ("{\"seed\": 18446744073709551615}", "seed: must be a whole number in [0, 9007199254740992] (got 1.84467e+19)");
  expect_error ("{\"data\": {\"image_size\": 100000}}", "data.image_size: must be a whole number in [1, 1024] (got 100000)");
  expect_error ("{\"train\": {\"epochs\": 2.5}}", "train.epochs: must be a whole number");
  expect_error ("{\"model\": {\"layers\": [{\"units\": 0}]}}", "model.layers[0].units");
  expect_error ("{\"model\": {\"layers\": [{\"units\": 4, \"kind\": 1}]}}", "model.layers[0].kind: unknown key");
  expect_error ("{\"model\": {\"layers\": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}}", "model.layers[0]: must be an object");
  {
    g_autoptr(TsExperiment) deep = ts_experiment_new_default ();
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) list = g_string_new ("8");
    for (int l = 1; l < 64; l++) /* 64 layers validate: the old cap of 15 is gone */
      g_string_append (list, ",8");
    g_assert_true (ts_experiment_set (deep, "model.layers", list->str, NULL));
    g_assert_true (ts_experiment_validate (deep, NULL));
    for (int l = 64; l < 257; l++)
      g_string_append (list, ",8");
    g_assert_true (ts_experiment_set (deep, "model.layers", list->str, NULL));
    g_assert_false (ts_experiment_validate (deep, &error));
    g_assert_cmpstr (error->message, ==, "model.layers: at most 256 hidden layers (got 257)");
  }
  expect_error ("{\"train\": {\"schedule\": 3}}", "train.schedule: must be an object");
  expect_error ("[1, 2]", "must be a JSON object");
  expect_error ("{\"train\": {\"lr\": 6e166}}", "train.lr: must be below 1e15"); /* found by fuzz-experiment */
}

static void
test_not_json (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) exp = ts_experiment_from_json ("{\"train\": ", -1, &error);
  g_assert_null (exp);
  g_assert_nonnull (error);
}

static void
test_load_file_names_the_file (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "bad.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) exp = NULL;

  g_assert_true (g_file_set_contents (path, "{\"train\": {\"lr\": -1}}", -1, NULL));
  exp = ts_experiment_load_file (path, &error);
  g_assert_null (exp);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "train.lr: must be > 0 (got -1)"));
  g_clear_error (&error);
  g_assert_null (ts_experiment_load_file ("/nonexistent/exp.json", &error));
  g_assert_error (error, TS_ERROR, TS_ERROR_IO);
}

static void
test_set_from_text (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ts_experiment_set (exp, "train.optimizer", "adam", &error));
  g_assert_cmpint (exp->train.optimizer, ==, TS_OPT_ADAM);
  g_assert_true (ts_experiment_set (exp, "model.layers", "512,256", &error));
  g_assert_cmpuint (exp->model.layers->len, ==, 2);
  /* a layer's own activation after a colon; a bad one names the layer and changes nothing */
  g_assert_true (ts_experiment_set (exp, "model.layers", "64:tanh, 32", &error));
  g_assert_cmpuint (g_array_index (exp->model.layers, TsLayerSpec, 0).activation, ==, TS_ACT_TANH);
  g_assert_cmpint (g_array_index (exp->model.layers, TsLayerSpec, 1).activation, ==, TS_INHERIT_ACTIVATION);
  g_assert_false (ts_experiment_set (exp, "model.layers", "8,16:swish", &error));
  g_assert_nonnull (strstr (error->message, "model.layers[1].activation: must be one of"));
  g_clear_error (&error);
  g_assert_cmpuint (exp->model.layers->len, ==, 2);
  g_assert_cmpuint (g_array_index (exp->model.layers, TsLayerSpec, 0).units, ==, 64);
  g_assert_false (ts_experiment_set (exp, "train.l2", "-3", &error));
  g_assert_cmpstr (error->message, ==, "train.l2: must be >= 0 (got -3)");
  g_clear_error (&error);
  g_assert_false (ts_experiment_set (exp, "train.lr", "1e-3x", &error));
  g_assert_nonnull (strstr (error->message, "train.lr"));
}

/* --set's texts: the whole text a decimal number, in range; lists without
 * holes; strings valid UTF-8 — each refusal names the key and changes nothing */
static void
test_set_is_strict (void)
{
  static const struct { const char *key, *value, *message; } cases[] = {
    { "train.lr", "0x10", "train.lr: must be a decimal number like 0.3 or 1e-4 (got \"0x10\")" },
    { "train.lr", "inf", "train.lr: must be a decimal number like 0.3 or 1e-4 (got \"inf\")" },
    { "train.lr", "nan", "train.lr: must be a decimal number like 0.3 or 1e-4 (got \"nan\")" },
    { "train.lr", " 0.1", "train.lr: must be a decimal number like 0.3 or 1e-4 (got \" 0.1\")" },
    { "train.lr", "", "train.lr: must be a decimal number like 0.3 or 1e-4 (got \"\")" },
    { "train.lr", "1e999", "train.lr: must be a finite number (got 1e999)" },
    { "train.epochs", "-1", "train.epochs: must be a whole number in [1, 1000000] (got -1)" },
    { "train.epochs", "2.5", "train.epochs: must be a whole number in [1, 1000000] (got 2.5)" },
    { "train.epochs", "4294967297", "train.epochs: must be a whole number in [1, 1000000] (got 4294967297)" },
    { "train.batch_size", "100000", "train.batch_size: must be a whole number in [1, 65536] (got 100000)" },
    { "seed", "-1", "seed: must be a whole number in [0, 9007199254740992] (got -1)" },
    { "model.layers", "512,,256", "model.layers[1]: empty entry in \"512,,256\"" },
    { "model.layers", ",", "model.layers[0]: empty entry in \",\"" },
    { "model.layers", "", "model.layers: empty; expected unit counts like 512,256" },
    { "model.layers", "512,0", "model.layers[1]: units must be a whole number in [1, 1000000] (got \"0\")" },
    { "model.layers", "[[[", "model.layers: not JSON" },
    { "model.layers", "[8,\"x\"]", "model.layers[1]: must be an object" },
    { "name", "caf\xe9", "name: not valid UTF-8 (byte 3 is 0xe9)" },
    { "data.source", "folder:/tmp/\xff", "data.source: not valid UTF-8 (byte 12 is 0xff)" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
      g_autofree char *before = ts_experiment_to_json (exp), *after = NULL;
      g_autoptr(GError) error = NULL;

      if (ts_experiment_set (exp, cases[i].key, cases[i].value, &error))
        g_error ("%s=%s: accepted", cases[i].key, cases[i].value);
      g_assert_true (error->domain == TS_ERROR);
      if (!g_str_has_prefix (error->message, cases[i].message))
        g_error ("%s=%s: expected \"%s\", got \"%s\"", cases[i].key, cases[i].value, cases[i].message, error->message);
      after = ts_experiment_to_json (exp);
      g_assert_cmpstr (before, ==, after);
    }
}

static void
test_set_override (void)
{
  static const struct { const char *text, *message; } cases[] = {
    { "", "--set \"\": no '='; expected KEY=VALUE" },
    { "train.lr", "--set \"train.lr\": no '='; expected KEY=VALUE" },
    { "=5", "--set \"=5\": the key before '=' is empty" },
    { "train.speed=5", "train.speed: unknown key" },
  };
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_false (ts_experiment_set_override (exp, cases[i].text, &error));
      g_assert_nonnull (error);
      if (!g_str_has_prefix (error->message, cases[i].message))
        g_error ("\"%s\": expected \"%s\", got \"%s\"", cases[i].text, cases[i].message, error->message);
    }
  g_assert_true (ts_experiment_set_override (exp, "train.lr=0.5", NULL));
  g_assert_cmpfloat (exp->train.lr, ==, 0.5);
  /* the value may hold '=' */
  g_assert_true (ts_experiment_set_override (exp, "name=a=b", NULL));
  g_assert_cmpstr (exp->name, ==, "a=b");
}

/* no hidden layer is said as [] (the JSON form), which get_text gives back */
static void
test_layers_json_form (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autofree char *text = NULL;

  g_assert_true (ts_experiment_set (exp, "model.layers", "[64,{\"units\":8,\"activation\":\"tanh\"}]", NULL));
  g_assert_cmpuint (exp->model.layers->len, ==, 2);
  g_assert_cmpuint (g_array_index (exp->model.layers, TsLayerSpec, 0).units, ==, 64);
  g_assert_cmpint (g_array_index (exp->model.layers, TsLayerSpec, 1).activation, ==, TS_ACT_TANH);
  g_assert_true (ts_experiment_set (exp, "model.layers", "[]", NULL));
  g_assert_cmpuint (exp->model.layers->len, ==, 0);
  text = ts_experiment_get_text (exp, "model.layers");
  g_assert_cmpstr (text, ==, "[]");
  g_assert_true (ts_experiment_set (exp, "model.layers", text, NULL));
  /* a value that "%.6g" would round out of its range keeps its digits */
  g_assert_true (ts_experiment_set (exp, "train.momentum", "0.9999999", NULL));
  g_free (text);
  text = ts_experiment_get_text (exp, "train.momentum");
  g_assert_true (ts_experiment_set (exp, "train.momentum", text, NULL));
  g_assert_cmpfloat (exp->train.momentum, ==, 0.9999999);
}

/* /dev/zero and a FIFO are refused at once, not read until memory runs out
 * or waited on; a nested file is refused before json-glib recurses */
static void
test_load_unbounded_files (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *fifo = g_build_filename (dir, "exp.fifo", NULL);
  g_autofree char *nested = g_build_filename (dir, "nested.json", NULL);
  g_autofree char *text = g_strnfill (200000, '[');
  g_autoptr(GError) error = NULL;

  g_assert_null (ts_experiment_load_file ("/dev/zero", &error));
  g_assert_nonnull (strstr (error->message, "/dev/zero: is a character device; expected a regular file"));
  g_clear_error (&error);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_null (ts_experiment_load_file (fifo, &error));
  g_assert_nonnull (strstr (error->message, "is a FIFO; expected a regular file"));
  g_clear_error (&error);
  memset (text + 100000, ']', 100000);
  g_assert_true (g_file_set_contents (nested, text, -1, NULL));
  g_assert_null (ts_experiment_load_file (nested, &error));
  g_assert_nonnull (strstr (error->message, "nested.json: byte 64: nested deeper than 64 levels"));
}

static void
test_get_text_round_trips (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(TsExperiment) copy = ts_experiment_new_default ();
  g_autofree char *a = NULL, *b = NULL;
  guint n;
  const TsExperimentKeyDoc *docs = ts_experiment_key_docs (&n);

  g_assert_true (ts_experiment_set (exp, "model.layers", "64,32:elu", NULL));
  g_assert_true (ts_experiment_set (exp, "train.lr", "0.0123", NULL));
  g_assert_true (ts_experiment_set (exp, "data.augment.pad_mode", "reflect", NULL));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = ts_experiment_get_text (exp, docs[i].key);
      g_autoptr(GError) error = NULL;
      if (!ts_experiment_set (copy, docs[i].key, text, &error))
        g_error ("%s: %s", docs[i].key, error->message);
    }
  a = ts_experiment_to_json (exp);
  b = ts_experiment_to_json (copy);
  g_assert_cmpstr (a, ==, b);
  g_free (a);
  a = ts_experiment_get_text (exp, "model.layers");
  g_assert_cmpstr (a, ==, "64,32:elu"); /* the per-layer activation survives the text */
}

static char *
fork_named (const TsExperiment *parent, const char *key, const char *value, const char *key2, const char *value2)
{
  g_autoptr(TsExperiment) fork = ts_experiment_copy (parent);

  g_assert_true (ts_experiment_set (fork, key, value, NULL));
  if (key2)
    g_assert_true (ts_experiment_set (fork, key2, value2, NULL));
  return ts_experiment_fork_name (parent, fork);
}

/* a part of the name that spells the old value takes the new one; other
 * changes are appended, choices by value, numbers with their key */
static void
test_fork_name_follows_changes (void)
{
  g_autoptr(TsExperiment) parent = ts_experiment_new_default ();
  g_autoptr(TsExperiment) same = ts_experiment_copy (parent);
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL;

  g_assert_cmpstr (parent->name, ==, "Spiral · ReLU · He");
  a = ts_experiment_fork_name (parent, same);
  g_assert_cmpstr (a, ==, "Spiral · ReLU · He (fork)");
  b = fork_named (parent, "model.init", "xavier", NULL, NULL);
  g_assert_cmpstr (b, ==, "Spiral · ReLU · xavier");
  c = fork_named (parent, "model.activation", "tanh", "model.init", "xavier");
  g_assert_cmpstr (c, ==, "Spiral · tanh · xavier");
  d = fork_named (parent, "train.lr", "0.03", "data.augment.hflip", "0.5");
  g_assert_cmpstr (d, ==, "Spiral · ReLU · He · hflip 0.5 · lr 0.03");
  e = fork_named (parent, "data.source", "builtin:moons", "model.dropout", "0.5");
  g_assert_cmpstr (e, ==, "moons · ReLU · He · dropout 0.5");
  f = fork_named (parent, "data.source", "folder:/srv/pets", "train.optimizer", "adam");
  g_assert_cmpstr (f, ==, "pets · ReLU · He · adam");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/experiment/defaults-round-trip", test_defaults_round_trip);
  g_test_add_func ("/core/experiment/partial-file", test_partial_file_gets_defaults);
  g_test_add_func ("/core/experiment/bad-values", test_bad_values_name_the_key);
  g_test_add_func ("/core/experiment/not-json", test_not_json);
  g_test_add_func ("/core/experiment/load-file", test_load_file_names_the_file);
  g_test_add_func ("/core/experiment/set", test_set_from_text);
  g_test_add_func ("/core/experiment/get-text", test_get_text_round_trips);
  g_test_add_func ("/core/experiment/set-strict", test_set_is_strict);
  g_test_add_func ("/core/experiment/set-override", test_set_override);
  g_test_add_func ("/core/experiment/layers-json-form", test_layers_json_form);
  g_test_add_func ("/core/experiment/unbounded-files", test_load_unbounded_files);
  g_test_add_func ("/core/experiment/fork-name", test_fork_name_follows_changes);
  return g_test_run ();
}
