/* The experiment file: defaults, round trips and messages that name the key. */
#include "test-util.h"

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
  expect_error ("{\"train\": {\"batch_size\": 0}}", "train.batch_size: must be >= 1 (got 0)");
  expect_error ("{\"train\": {\"epochs\": 2.5}}", "train.epochs: must be a whole number");
  expect_error ("{\"model\": {\"layers\": [{\"units\": 0}]}}", "model.layers[0].units");
  expect_error ("{\"model\": {\"layers\": [{\"units\": 4, \"kind\": 1}]}}", "model.layers[0].kind: unknown key");
  expect_error ("{\"model\": {\"layers\": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}}", "model.layers[0]: must be an object");
  {
    g_autoptr(TsExperiment) deep = ts_experiment_new_default ();
    g_autoptr(GError) error = NULL;
    g_assert_true (ts_experiment_set (deep, "model.layers", "8,8,8,8,8,8,8,8,8,8,8,8,8,8,8,8", NULL));
    g_assert_false (ts_experiment_validate (deep, &error));
    g_assert_cmpstr (error->message, ==, "model.layers: at most 15 hidden layers (got 16)");
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
  g_test_add_func ("/core/experiment/fork-name", test_fork_name_follows_changes);
  return g_test_run ();
}
