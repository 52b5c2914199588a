/* trainscope-cli's reuse commands as a user runs them: run --seeds,
 * ensemble and search — exit codes, files, messages. */
#include "test-util.h"

#include <string.h>

static int
run_cli (char **out, char **err, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;
  int status;

  g_clear_pointer (out, g_free);
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

static JsonNode *
read_json (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_seeds_group (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) group = NULL;
  JsonObject *o, *val;
  JsonArray *runs;
  double sum = 0, ss = 0, mean;

  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--seeds", "3", "--epochs", "4", "--set", "seed=20",
                            "--out", dir, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "group of 3 seeds"));
  group = read_json (dir, "group.json");
  o = json_node_get_object (group);
  runs = json_object_get_array_member (o, "runs");
  g_assert_cmpuint (json_array_get_length (runs), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *run = json_array_get_object_element (runs, i);
      g_autofree char *name = g_strdup_printf ("seed-%u", 20 + i);
      g_autofree char *run_dir = g_build_filename (dir, name, NULL);
      g_autoptr(JsonNode) summary = read_json (run_dir, "summary.json");
      double v = json_object_get_double_member (json_node_get_object (summary), "val_acc");

      g_assert_cmpint (json_object_get_int_member (run, "seed"), ==, 20 + i);
      g_assert_cmpfloat (json_object_get_double_member (run, "val_acc"), ==, v);
      sum += v;
    }
  /* mean and sample std of the runs' own summaries */
  mean = sum / 3;
  for (guint i = 0; i < 3; i++)
    {
      double v = json_object_get_double_member (json_array_get_object_element (runs, i), "val_acc");
      ss += (v - mean) * (v - mean);
    }
  val = json_object_get_object_member (json_object_get_object_member (o, "metrics"), "val_acc");
  g_assert_cmpfloat (fabs (json_object_get_double_member (val, "mean") - mean), <, 1e-12);
  g_assert_cmpfloat (fabs (json_object_get_double_member (val, "std") - sqrt (ss / 2)), <, 1e-12);
  g_assert_cmpint (json_object_get_int_member (val, "n"), ==, 3);
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--seeds", "0", "--out", dir, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--seeds: must be >= 1"));
}

static void
test_ensemble_command (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *group = g_build_filename (dir, "group", NULL);
  g_autofree char *ens = g_build_filename (dir, "ens", NULL);
  g_autofree char *a = g_build_filename (group, "seed-7", NULL), *b = g_build_filename (group, "seed-8", NULL);
  g_autofree char *png = g_build_filename (ens, "ensemble-curve.png", NULL);
  g_autofree char *circles = g_build_filename (dir, "circles", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--seeds", "2", "--epochs", "4", "--out", group, NULL), ==, 0);
  g_assert_cmpint (run_cli (&out, &err, "ensemble", a, b, "--data", "builtin:spiral", "--out", ens, "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  result = read_json (ens, "ensemble.json");
  o = json_node_get_object (result);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "members")), ==, 2);
  g_assert_true (json_object_has_member (json_object_get_object_member (o, "late"), "test_acc"));
  g_assert_true (json_object_has_member (json_object_get_object_member (o, "early"), "test_acc"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "curve")), ==, 2);
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
  /* late only: no early fusion in the file */
  g_assert_cmpint (run_cli (&out, &err, "ensemble", a, b, "--fusion", "late", "--rule", "vote", "--out", ens, NULL), ==, 0);
  g_clear_pointer (&result, json_node_unref);
  result = read_json (ens, "ensemble.json");
  o = json_node_get_object (result);
  g_assert_true (json_object_get_null_member (o, "early"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "late"), "rule"), ==, "vote");

  /* bad input, each named: a missing checkpoint, a member of another class
   * count, data of another shape, a bad option */
  g_assert_cmpint (run_cli (&out, &err, "ensemble", a, "--checkpoints", "--out", ens, NULL), ==, 2);
  g_assert_nonnull (strstr (err, a));
  g_assert_nonnull (strstr (err, "no checkpoints"));
  g_assert_cmpint (run_cli (&out, &err, "run", "default", "--epochs", "2", "--set", "data.source=builtin:circles",
                            "--set", "data.classes=2", "--out", circles, NULL), ==, 0);
  g_assert_cmpint (run_cli (&out, &err, "ensemble", a, circles, "--out", ens, NULL), ==, 2);
  g_assert_nonnull (strstr (err, circles));
  g_assert_nonnull (strstr (err, "predicts 2 classes, but"));
  g_assert_cmpint (run_cli (&out, &err, "ensemble", a, "--data", "builtin:shapes", "--out", ens, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "takes 2 inputs per sample, but the data (builtin:shapes) has 3072"));
  g_assert_cmpint (run_cli (&out, &err, "ensemble", a, "--fusion", "middle", "--out", ens, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--fusion"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/reuse/seeds-group", test_seeds_group);
  g_test_add_func ("/app/reuse/ensemble", test_ensemble_command);
  return g_test_run ();
}
