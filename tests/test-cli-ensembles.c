/* trainscope-cli's reuse commands as a user runs them: run --seeds,
 * ensemble and search — exit codes, files, messages. */
#include "test-util.h"
#include "cli-util.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

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
  g_assert_nonnull (strstr (err, "--seeds: must be a whole number in [1, 1000] (got \"0\")"));
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
  {
    g_autofree char *csv = g_build_filename (dir, "three.csv", NULL);
    g_autofree char *source = g_strdup_printf ("csv:%s", csv);
    g_autofree char *expected = g_strdup_printf ("takes 2 inputs per sample, but the data (%s) has 3", source);
    GString *rows = g_string_new ("a,b,c,label\n");
    for (int i = 0; i < 60; i++)
      g_string_append_printf (rows, "%d,%d,%d,%d\n", i, i % 7, i % 5, i % 3);
    g_assert_true (g_file_set_contents (csv, rows->str, -1, NULL));
    g_string_free (rows, TRUE);
    g_assert_cmpint (run_cli (&out, &err, "ensemble", a, "--data", source, "--out", ens, NULL), ==, 2);
    g_assert_nonnull (strstr (err, expected));
  }
  g_assert_cmpint (run_cli (&out, &err, "ensemble", a, "--fusion", "middle", "--out", ens, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--fusion"));
}

static char *
write_text (const char *dir, const char *name, const char *text)
{
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_search_bad_input (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *out_dir = g_build_filename (dir, "s", NULL);
  g_autofree char *good = write_text (dir, "good.json", "{\"train.lr\": {\"log_uniform\": [0.01, 0.3]}}");
  g_autofree char *out = NULL, *err = NULL;
  struct { const char *space, *expected; } cases[] = {
    { "{\"train.lrr\": {\"uniform\": [0.1, 0.2]}}", "\"train.lrr\": not an experiment key" },
    { "{\"train.lr\": {\"uniform\": [0.2, 0.1]}}", "train.lr: the range [0.2, 0.1] is empty or inverted" },
    { "{\"train.lr\": {\"uniform\": [0.2, 0.2]}}", "train.lr: the range [0.2, 0.2] is empty or inverted" },
    { "{\"train.lr\": {\"uniform\": [-1, 0.2]}}", "train.lr: the value -1 is not allowed: train.lr: must be > 0" },
    { "{\"train.epochs\": {\"uniform\": [2, 9]}}", "train.epochs: the value" },
    { "{\"train.epochs\": {\"int\": [9, 2]}}", "train.epochs: the range [9, 2] is empty or inverted" },
    { "{\"train.lr\": {\"log_uniform\": [0, 0.2]}}", "log_uniform needs lo > 0" },
    { "{\"model.activation\": {\"choice\": []}}", "model.activation: choice must be a non-empty list" },
    { "{\"model.activation\": {\"choice\": [\"relu\", \"swish\"]}}", "model.activation: the value swish" },
    { "{\"train.lr\": {\"normal\": [0, 1]}}", "train.lr: expected one of" },
    { "{}", "the space has no keys" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *space = write_text (dir, "space.json", cases[i].space);
      g_assert_cmpint (run_cli (&out, &err, "search", "default", "--space", space, "--trials", "2", "--out", out_dir,
                                NULL), ==, 2);
      if (strstr (err, cases[i].expected) == NULL || strstr (err, space) == NULL)
        g_error ("%s: expected \"%s\" naming the file, got: %s", cases[i].space, cases[i].expected, err);
    }
  g_assert_cmpint (run_cli (&out, &err, "search", "default", "--space", good, "--trials", "2", "--folds", "1",
                            "--out", out_dir, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--folds: must be a whole number in [2, 100] (got \"1\")"));
  g_assert_cmpint (run_cli (&out, &err, "search", "default", "--space", good, "--trials", "0", "--out", out_dir, NULL),
                   ==, 2);
  g_assert_nonnull (strstr (err, "--trials: must be a whole number in [1, 100000] (got \"0\")"));
  g_assert_false (g_file_test (out_dir, G_FILE_TEST_EXISTS)); /* nothing started */
}

/* results.csv without its seconds column (the only thing that may differ),
 * found by its header */
static char *
results_without_seconds (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "results.csv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL, header = NULL;
  GString *s = g_string_new (NULL);
  guint seconds = G_MAXUINT;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  header = g_strsplit (lines[0], ",", -1);
  for (guint c = 0; header[c]; c++)
    if (strcmp (header[c], "seconds") == 0)
      seconds = c;
  g_assert_cmpuint (seconds, !=, G_MAXUINT);
  for (guint i = 0; lines[i] && lines[i][0]; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);
      for (guint c = 0; cells[c]; c++)
        if (c != seconds)
          g_string_append_printf (s, "%s%s", c ? "," : "", cells[c]);
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

static char *
file_text (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

static void
test_search_resume (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *a = g_build_filename (dir, "a", NULL), *b = g_build_filename (dir, "b", NULL);
  g_autofree char *space = write_text (dir, "space.json",
                                       "{\"train.lr\": {\"log_uniform\": [0.01, 0.3]},"
                                       " \"model.layers\": {\"choice\": [\"16\", [32, 32]]},"
                                       " \"model.activation\": {\"choice\": [\"relu\", \"tanh\"]}}");
  g_autofree char *other = write_text (dir, "other.json", "{\"train.lr\": {\"log_uniform\": [0.01, 0.2]}}");
  g_autofree char *out = NULL, *err = NULL, *ra = NULL, *rb = NULL, *ja = NULL, *jb = NULL;
  g_autofree char *marker = g_build_filename (b, "trials", "1", "fold-0", "summary.json", NULL);
  const char *args[] = { g_getenv ("TS_CLI"), "search", "default", "--space", space, "--trials", "3", "--folds", "2",
                         "--epochs", "10", "--out", b, NULL };
  g_autoptr(GHashTable) before = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  GPid pid;
  guint finished = 0;

  g_assert_cmpint (run_cli (&out, &err, "search", "default", "--space", space, "--trials", "3", "--folds", "2",
                            "--epochs", "10", "--out", a, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "6 tasks: 6 trained now, 0 finished before"));
  /* the same search killed mid-way (SIGKILL: no chance to tidy up) */
  g_assert_true (g_spawn_async (NULL, (char **) args, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_DO_NOT_REAP_CHILD,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  while (!g_file_test (marker, G_FILE_TEST_EXISTS))
    g_usleep (2000);
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
  for (guint t = 0; t < 3; t++)
    for (guint f = 0; f < 2; f++)
      {
        g_autofree char *name = g_strdup_printf ("trials/%u/fold-%u", t, f);
        g_autofree char *run = g_build_filename (b, name, NULL);
        char *summary = file_text (run, "summary.json");
        if (summary && strstr (summary, "\"state\" : \"done\""))
          {
            g_hash_table_insert (before, g_steal_pointer (&run), summary);
            finished++;
          }
        else
          g_free (summary);
      }
  g_assert_cmpuint (finished, >=, 2);
  g_assert_cmpuint (finished, <, 6);
  /* resumed: only what had not finished trains; finished runs are untouched */
  g_assert_cmpint (run_cli (&out, &err, "search", "default", "--space", space, "--trials", "3", "--folds", "2",
                            "--epochs", "10", "--out", b, "--resume", NULL), ==, 0);
  {
    g_autofree char *expected = g_strdup_printf ("6 tasks: %u trained now, %u finished before", 6 - finished, finished);
    g_assert_nonnull (strstr (out, expected));
  }
  {
    GHashTableIter iter;
    gpointer run, summary;
    g_hash_table_iter_init (&iter, before);
    while (g_hash_table_iter_next (&iter, &run, &summary))
      {
        g_autofree char *now = file_text (run, "summary.json");
        g_assert_cmpstr (now, ==, summary);
      }
  }
  /* identical to the search that was never interrupted */
  ra = results_without_seconds (a);
  rb = results_without_seconds (b);
  g_assert_cmpstr (ra, ==, rb);
  /* a second resume has nothing to do */
  g_assert_cmpint (run_cli (&out, &err, "search", "default", "--space", space, "--trials", "3", "--folds", "2",
                            "--epochs", "10", "--out", b, "--resume", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "6 tasks: 0 trained now, 6 finished before"));
  /* a search folder is not reused by accident, nor resumed with another space */
  g_assert_cmpint (run_cli (&out, &err, "search", "default", "--space", space, "--trials", "3", "--folds", "2",
                            "--epochs", "10", "--out", b, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "already holds a search"));
  g_assert_cmpint (run_cli (&out, &err, "search", "default", "--space", other, "--trials", "3", "--folds", "2",
                            "--epochs", "10", "--out", b, "--resume", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "another space"));
  /* the manifest: one row per trial × fold */
  ja = file_text (b, "tasks.csv");
  g_assert_true (g_str_has_prefix (ja, "task,trial,fold,experiment,out\n0,0,0,trials/0/fold-0.json,trials/0/fold-0\n"));
  g_assert_nonnull (strstr (ja, "5,2,1,trials/2/fold-1.json,trials/2/fold-1\n"));
  jb = file_text (b, "search.json");
  g_assert_nonnull (strstr (jb, "\"cv_mean\""));
  g_assert_nonnull (strstr (jb, "\"best\""));
}

static void
test_search_top (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *s = g_build_filename (dir, "s", NULL);
  g_autofree char *top = g_build_filename (s, "top", NULL);
  g_autofree char *space = write_text (dir, "space.json", "{\"train.lr\": {\"log_uniform\": [0.01, 0.3]}}");
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) search = NULL, ens = NULL;
  JsonObject *o, *e;
  JsonArray *top_trials;

  g_assert_cmpint (run_cli (&out, &err, "search", "default", "--space", space, "--trials", "3", "--folds", "2",
                            "--epochs", "4", "--top", "2", "--out", s, NULL), ==, 0);
  search = read_json (s, "search.json");
  o = json_node_get_object (search);
  top_trials = json_object_get_array_member (o, "top");
  g_assert_cmpuint (json_array_get_length (top_trials), ==, 2);
  g_assert_cmpint (json_object_get_int_member (o, "best"), ==, json_array_get_int_element (top_trials, 0));
  {
    g_autofree char *plot = g_build_filename (s, "search-train.lr.png", NULL);
    g_autofree char *curves = g_build_filename (s, "search-curves.png", NULL);
    g_assert_true (g_file_test (plot, G_FILE_TEST_IS_REGULAR));
    g_assert_true (g_file_test (curves, G_FILE_TEST_IS_REGULAR));
  }
  e = json_object_get_object_member (o, "top_ensemble");
  ens = read_json (top, "ensemble.json");
  g_assert_cmpfloat (json_object_get_double_member (e, "late_test_acc"), ==,
                     json_object_get_double_member (json_object_get_object_member (json_node_get_object (ens), "late"),
                                                    "test_acc"));
}

/* transfer: a toy source, two strategies trained as runs, transfer.json as
 * DESIGN.md says; a missing model and a target of another shape exit 2 */
static void
test_transfer_command (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *src = g_build_filename (dir, "src", NULL), *out = g_build_filename (dir, "t", NULL);
  g_autofree char *missing = g_build_filename (dir, "nope", NULL), *json_path = NULL, *text = NULL;
  g_autofree char *o1 = NULL, *e1 = NULL, *o2 = NULL, *e2 = NULL, *o3 = NULL, *e3 = NULL, *o4 = NULL, *e4 = NULL;

  g_assert_cmpint (run_cli (&o1, &e1, "run", "default", "--out", src, "--epochs", "3", "--set", "model.layers=[16,8]",
                            NULL), ==, 0);
  g_assert_cmpint (run_cli (&o2, &e2, "transfer", src, "--data", "builtin:moons", "--set", "train.epochs=2",
                            "--strategies", "linear-top,scratch", "--out", out, NULL), ==, 0);
  g_assert_nonnull (strstr (e2, "transfer: probing stage 2 of 2")); /* progress on stderr */
  g_assert_nonnull (strstr (o2, "winner: "));
  json_path = g_build_filename (out, "transfer.json", NULL);
  g_assert_true (g_file_get_contents (json_path, &text, NULL, NULL));
  for (const char *const *key = (const char *const[]) { "\"stages\"", "\"layer\"", "\"name\"", "\"probe_val_acc\"",
                                                       "\"similarity\"", "\"score\"", "\"method\"", "\"evidence\"",
                                                       "\"size\"", "\"train_count\"", "\"verdict\"", "\"cell\"",
                                                       "\"recommendation\"", "\"strategies\"", "\"val_acc\"",
                                                       "\"test_acc\"", "\"seconds\"", "\"run\"", "\"winner\"",
                                                       "\"linear-top\"", "\"scratch\"", NULL };
       *key; key++)
    if (strstr (text, *key) == NULL)
      g_error ("transfer.json lacks %s: %s", *key, text);
  g_assert_null (strstr (text, "\"finetune-few\"")); /* not asked for */
  {
    g_autofree char *run = g_build_filename (out, "linear-top", "summary.json", NULL);
    g_assert_true (g_file_test (run, G_FILE_TEST_IS_REGULAR));
  }
  g_assert_cmpint (run_cli (&o3, &e3, "transfer", missing, "--data", "builtin:moons", "--out", out, NULL), ==, 2);
  g_assert_nonnull (strstr (e3, "no such model file or run folder"));
  g_assert_cmpint (run_cli (&o4, &e4, "transfer", src, "--data", "builtin:shapes", "--out", out, NULL), ==, 2);
  g_assert_nonnull (strstr (e4, "layers.0.weight is [16,2]"));
  g_clear_pointer (&o4, g_free);
  g_clear_pointer (&e4, g_free);
  g_assert_cmpint (run_cli (&o4, &e4, "transfer", src, "--data", "builtin:moons", "--strategies", "best", "--out", out,
                            NULL), ==, 2);
  g_assert_nonnull (strstr (e4, "unknown strategy \"best\""));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/reuse/seeds-group", test_seeds_group);
  g_test_add_func ("/app/reuse/ensemble", test_ensemble_command);
  g_test_add_func ("/app/reuse/transfer", test_transfer_command);
  g_test_add_func ("/app/reuse/search-bad-input", test_search_bad_input);
  g_test_add_func ("/app/reuse/search-resume", test_search_resume);
  g_test_add_func ("/app/reuse/search-top", test_search_top);
  return g_test_run ();
}
