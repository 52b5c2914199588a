/* Ensembles: late fusion, early fusion on the training split only, members
 * that do not fit together, snapshot members. */
#include "test-util.h"

#include <string.h>

/* trains exp into DIR/name and returns the run folder */
static char *
train_run (const char *dir, const char *name, TsExperiment *exp)
{
  char *run = g_build_filename (dir, name, NULL);
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, run);

  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  return run;
}

static TsExperiment *
moons (guint64 seed)
{
  TsExperiment *exp = quick_experiment ("builtin:moons", 6);
  exp->seed = seed;
  exp->data.noise = 0.3; /* overlapping: members disagree somewhere */
  return exp;
}

static TsSplits
load_raw (TsEnsemble *e)
{
  TsSplits raw = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (ts_splits_load (ts_ensemble_experiment (e), &raw, NULL, &error));
  g_assert_no_error (error);
  return raw;
}

static void
test_identical_members_equal_one (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(TsExperiment) exp = moons (3);
  g_autofree char *run = train_run (dir, "a", exp);
  g_autoptr(TsEnsemble) e = ts_ensemble_new (NULL);
  g_autoptr(TsEnsembleResult) r = NULL;
  g_autoptr(GError) error = NULL;
  TsEnsembleOptions opts = { .late = TRUE };
  TsSplits raw;

  for (int i = 0; i < 3; i++)
    g_assert_true (ts_ensemble_add (e, run, FALSE, &error));
  raw = load_raw (e);
  r = ts_ensemble_evaluate (e, &raw, &opts, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r->split, ==, "val");
  for (int rule = 0; rule < TS_N_LATE_RULES; rule++)
    g_assert_cmpfloat (r->late_acc[rule], ==, r->member_acc[0]);
  g_assert_cmpfloat (fabs (r->late_loss[TS_LATE_MEAN] - r->member_loss[0]), <, 1e-9);
  g_assert_cmpfloat (fabs (r->late_loss[TS_LATE_GEOMETRIC] - r->member_loss[0]), <, 1e-6);
  g_assert_cmpfloat (r->disagreement, ==, 0.0);
  g_assert_cmpfloat (r->curve_acc[2], ==, r->member_acc[0]);
  g_assert_cmpfloat (r->member_acc[0], >, 0.7); /* a member that learned something */
  ts_splits_clear (&raw);
}

static void
test_different_members (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(TsEnsemble) e = ts_ensemble_new (NULL);
  g_autoptr(TsEnsembleResult) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;
  TsEnsembleOptions opts = { .late = TRUE, .early = TRUE };
  TsSplits raw;
  double mean = 0;

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(TsExperiment) exp = moons (3);
      g_autofree char *name = g_strdup_printf ("m%u", i);
      g_autofree char *run = NULL;
      /* the same data and split; members differ in width and init draws */
      g_array_index (exp->model.layers, TsLayerSpec, 0).units = 4 + 4 * i;
      exp->model.init = i % 2 ? TS_INIT_XAVIER : TS_INIT_HE;
      run = train_run (dir, name, exp);
      g_assert_true (ts_ensemble_add (e, run, FALSE, &error));
    }
  raw = load_raw (e);
  r = ts_ensemble_evaluate (e, &raw, &opts, &error);
  g_assert_no_error (error);
  for (guint m = 0; m < 4; m++)
    mean += r->member_acc[m] / 4;
  g_assert_cmpfloat (fabs (r->mean_member_acc - mean), <, 1e-12);
  g_assert_cmpfloat (r->disagreement, >, 0.0);
  g_assert_cmpfloat (r->disagreement, <, 0.5);
  g_assert_cmpuint (r->early_features, ==, 4 + 8 + 12 + 16);
  g_assert_cmpfloat (r->early_acc, >, 0.7);
  /* the curve starts at the member best on the selection split */
  g_assert_cmpfloat (r->curve_acc[0], ==, r->member_acc[r->curve_order[0]]);
  json = ts_ensemble_result_to_json (r);
  text = ts_json_to_string (json, FALSE);
  for (const char *const *key = (const char *const[]) { "\"members\"", "\"late\"", "\"early\"", "\"best_member_acc\"",
                                                       "\"mean_member_acc\"", "\"disagreement\"", "\"curve\"", NULL };
       *key; key++)
    g_assert_nonnull (strstr (text, *key));
  ts_splits_clear (&raw);
}

static float *
early_weights (TsEnsemble *e, const TsSplits *raw, gsize *n)
{
  TsEnsembleOptions opts = { .early = TRUE, .seed = 5 };
  g_autoptr(GError) error = NULL;
  g_autoptr(TsEnsembleResult) r = ts_ensemble_evaluate (e, raw, &opts, &error);

  g_assert_no_error (error);
  *n = r->early_net->n_params;
  return g_memdup2 (r->early_net->params, sizeof (float) * *n);
}

/* The early-fusion classifier is the same whatever the validation and test
 * labels say: it never reads them. Poisoning the training labels does
 * change it, so the comparison can tell. */
static void
test_early_fusion_never_sees_val_or_test (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(TsEnsemble) e = ts_ensemble_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree float *clean = NULL, *poisoned = NULL, *train_poisoned = NULL;
  gsize n_clean, n_poisoned, n_train;
  TsSplits raw;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(TsExperiment) exp = moons (3 + i);
      g_autofree char *name = g_strdup_printf ("m%u", i);
      g_autofree char *run = train_run (dir, name, exp);
      g_assert_true (ts_ensemble_add (e, run, FALSE, &error));
    }
  raw = load_raw (e);
  raw.test = ts_dataset_copy (raw.val); /* a test part too, to poison */
  clean = early_weights (e, &raw, &n_clean);
  for (guint i = 0; i < raw.val->n; i++)
    raw.val->y[i] = 1 - raw.val->y[i];
  for (guint i = 0; i < raw.test->n; i++)
    raw.test->y[i] = 1 - raw.test->y[i];
  poisoned = early_weights (e, &raw, &n_poisoned);
  g_assert_cmpuint (n_clean, ==, n_poisoned);
  g_assert_cmpmem (clean, n_clean * sizeof (float), poisoned, n_poisoned * sizeof (float));
  for (guint i = 0; i < raw.train->n; i += 7)
    raw.train->y[i] = 1 - raw.train->y[i];
  train_poisoned = early_weights (e, &raw, &n_train);
  g_assert_true (memcmp (clean, train_poisoned, n_clean * sizeof (float)) != 0);
  ts_splits_clear (&raw);
}

/* a model file whose net takes in_dim inputs and predicts classes */
static char *
save_model (const char *dir, const char *name, guint in_dim, guint classes)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(TsNet) net = NULL;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  TsRng rng;

  exp->data.preprocess = TS_PRE_NONE;
  net = ts_net_new_from_experiment (exp, &(TsShape) { 1, { in_dim } }, classes, 16);
  ts_rng_init (&rng, 1, TS_STREAM_INIT);
  ts_net_init (net, TS_INIT_HE, 0.01, &rng);
  g_assert_true (ts_model_save (path, net, NULL, exp, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_mismatched_members_refused (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *a = save_model (dir, "a.safetensors", 2, 3);
  g_autofree char *wide = save_model (dir, "wide.safetensors", 5, 3);
  g_autofree char *four = save_model (dir, "four.safetensors", 2, 4);
  g_autoptr(TsEnsemble) e = ts_ensemble_new (NULL);
  g_autoptr(GError) error = NULL;
  TsSplits raw;
  g_autoptr(TsEnsembleResult) r = NULL;

  g_assert_true (ts_ensemble_add (e, a, FALSE, &error));
  g_assert_false (ts_ensemble_add (e, wide, FALSE, &error));
  g_assert_nonnull (strstr (error->message, wide));
  g_assert_nonnull (strstr (error->message, "takes 5 inputs per sample, but"));
  g_clear_error (&error);
  g_assert_false (ts_ensemble_add (e, four, FALSE, &error));
  g_assert_nonnull (strstr (error->message, four));
  g_assert_nonnull (strstr (error->message, "predicts 4 classes, but"));
  g_clear_error (&error);
  g_assert_cmpuint (ts_ensemble_size (e), ==, 1);
  /* and a member against data of another class count */
  raw = load_raw (e); /* the default spiral: 3 classes, 2-D */
  raw.train->n_classes = 5;
  r = ts_ensemble_evaluate (e, &raw, &(TsEnsembleOptions) { .late = TRUE }, &error);
  g_assert_null (r);
  g_assert_nonnull (strstr (error->message, a));
  g_assert_nonnull (strstr (error->message, "predicts 3 classes, but the data"));
  ts_splits_clear (&raw);
}

static void
test_missing_members_refused (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *missing = g_build_filename (dir, "nope.safetensors", NULL);
  g_autoptr(TsEnsemble) e = ts_ensemble_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (ts_ensemble_add (e, missing, FALSE, &error));
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);
  g_assert_false (ts_ensemble_add (e, dir, FALSE, &error)); /* a folder with no model */
  g_assert_nonnull (strstr (error->message, "no model.safetensors"));
  g_clear_error (&error);
  g_assert_false (ts_ensemble_add (e, dir, TRUE, &error)); /* nor checkpoints */
  g_assert_nonnull (strstr (error->message, "no checkpoints"));
}

static void
test_snapshot_members (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(TsExperiment) exp = moons (3);
  g_autofree char *run = NULL;
  g_autoptr(TsEnsemble) e = ts_ensemble_new (NULL);
  g_autoptr(GError) error = NULL;

  exp->train.schedule.type = TS_SCHED_COSINE_RESTARTS;
  exp->train.schedule.cycles = 3;
  run = train_run (dir, "sgdr", exp);
  g_assert_true (ts_ensemble_add (e, run, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ts_ensemble_size (e), ==, 3);
}

static void
test_view_cuts (void)
{
  g_autoptr(TsDataset) ds = ts_dataset_new_image (2, 1, 4, 3, 2);
  g_autoptr(GError) error = NULL;
  const float top[] = { 0, 1, 2, 3, 4, 5 }, bottom[] = { 6, 7, 8, 9, 10, 11 };
  const float left[] = { 0, 3, 6, 9 }, right[] = { 1, 2, 4, 5, 7, 8, 10, 11 };
  struct { TsView view; const float *expected; guint h, w; } cases[] = {
    { TS_VIEW_TOP, top, 2, 3 }, { TS_VIEW_BOTTOM, bottom, 2, 3 }, { TS_VIEW_LEFT, left, 4, 1 }, { TS_VIEW_RIGHT, right, 4, 2 },
  };
  g_autoptr(TsDataset) flat = ts_dataset_new (3, 5, 2);

  for (guint i = 0; i < 24; i++)
    ds->x[i] = (float) (i % 12) + (i >= 12 ? 100 : 0); /* pixel index; +100 for the second sample */
  ds->y[1] = 1;
  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(TsDataset) v = ts_view_dataset (cases[c].view, ds, &error);
      guint n = cases[c].h * cases[c].w;
      g_assert_no_error (error);
      g_assert_cmpuint (v->height, ==, cases[c].h);
      g_assert_cmpuint (v->width, ==, cases[c].w);
      g_assert_cmpuint (v->dim, ==, n);
      g_assert_cmpmem (v->x, n * sizeof (float), cases[c].expected, n * sizeof (float));
      g_assert_cmpfloat (v->x[n], ==, cases[c].expected[0] + 100);
      g_assert_cmpuint (v->y[1], ==, 1);
    }
  g_assert_null (ts_view_dataset (TS_VIEW_TOP, flat, &error));
  g_assert_nonnull (strstr (error->message, "data.view"));
}

/* a net per half of the images, fused late: each member, cut to its own
 * view by the ensemble, scores what its own run measured */
static void
test_view_members (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(TsEnsemble) e = ts_ensemble_new (NULL);
  g_autoptr(TsEnsembleResult) r = NULL;
  g_autoptr(GError) error = NULL;
  TsSplits raw = { 0 };
  g_autoptr(TsExperiment) whole = NULL;
  double own[2];

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(TsExperiment) exp = quick_experiment ("builtin:shapes", 3);
      g_autofree char *run = NULL, *summary_path = NULL, *text = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      exp->data.samples = 400;
      exp->data.view = i == 0 ? TS_VIEW_TOP : TS_VIEW_BOTTOM;
      run = train_run (dir, i == 0 ? "top" : "bottom", exp);
      summary_path = g_build_filename (run, "summary.json", NULL);
      g_assert_true (json_parser_load_from_file (parser, summary_path, NULL));
      own[i] = json_object_get_double_member (json_node_get_object (json_parser_get_root (parser)), "val_acc");
      g_assert_true (ts_ensemble_add (e, run, FALSE, &error));
      g_assert_no_error (error);
    }
  whole = ts_experiment_copy (ts_ensemble_experiment (e));
  whole->data.view = TS_VIEW_ALL;
  g_assert_true (ts_splits_load (whole, &raw, NULL, &error));
  r = ts_ensemble_evaluate (e, &raw, &(TsEnsembleOptions) { .late = TRUE, .early = TRUE }, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (fabs (r->member_acc[0] - own[0]), <, 1e-9);
  g_assert_cmpfloat (fabs (r->member_acc[1] - own[1]), <, 1e-9);
  g_assert_cmpuint (r->early_features, ==, 200);
  ts_splits_clear (&raw);
}

typedef struct {
  GArray       *seen;       /* double: every fraction told */
  GCancellable *cancel_at_early; /* cancelled once early fusion begins (0.6) */
} ProgressLog;

static void
log_progress (double fraction, gpointer data)
{
  ProgressLog *log = data;

  g_array_append_val (log->seen, fraction);
  if (log->cancel_at_early && fraction >= 0.6)
    g_cancellable_cancel (log->cancel_at_early);
}

/* the window's worker: progress from 0 to 1, never back; a cancel ends it */
static void
test_progress_and_cancel (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(TsEnsemble) e = ts_ensemble_new (NULL);
  g_autoptr(TsEnsembleResult) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  ProgressLog log = { seen, NULL };
  TsSplits raw = { 0 };

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(TsExperiment) exp = moons (3 + i);
      g_autofree char *name = g_strdup_printf ("m%u", i);
      g_autofree char *run = train_run (dir, name, exp);
      g_assert_true (ts_ensemble_add (e, run, FALSE, &error));
    }
  g_assert_true (ts_ensemble_load_splits (e, &raw, &error));
  r = ts_ensemble_evaluate (e, &raw, &(TsEnsembleOptions) { .late = TRUE, .early = TRUE, .cancellable = cancellable,
                                                            .progress = log_progress, .progress_data = &log }, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_cmpuint (seen->len, >, 4);
  for (guint i = 1; i < seen->len; i++)
    g_assert_cmpfloat (g_array_index (seen, double, i), >=, g_array_index (seen, double, i - 1));
  g_assert_cmpfloat (g_array_index (seen, double, seen->len - 1), ==, 1.0);
  g_clear_pointer (&r, ts_ensemble_result_free);
  log.cancel_at_early = cancellable;
  r = ts_ensemble_evaluate (e, &raw, &(TsEnsembleOptions) { .late = TRUE, .early = TRUE, .cancellable = cancellable,
                                                            .progress = log_progress, .progress_data = &log }, &error);
  g_assert_null (r);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  ts_splits_clear (&raw);
}

/* a group folder: its seed-S/ runs by seed (10 after 9), told from a run folder */
static void
test_seed_group_folder (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) base = moons (9);
  g_autofree char *group_json = g_build_filename (dir, "group.json", NULL);
  g_autoptr(JsonNode) root = NULL;

  g_assert_false (ts_seed_group_is_dir (dir));
  g_assert_null (ts_seed_group_list (dir, &error));
  g_assert_nonnull (strstr (error->message, "no seed-S run folders"));
  g_clear_error (&error);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(TsExperiment) exp = ts_seed_variant (base, i);
      g_autofree char *name = g_strdup_printf ("seed-%u", 9 + i);
      g_ptr_array_add (runs, train_run (dir, name, exp));
    }
  g_assert_true (ts_seed_group_is_dir (dir));
  g_assert_false (ts_seed_group_is_dir (runs->pdata[0]));
  /* more members, only begun (an experiment.json): the folder's order is the
   * file system's, the list's by seed */
  for (guint seed = 7; seed <= 12; seed += seed == 8 ? 3 : 1)
    {
      g_autofree char *name = g_strdup_printf ("seed-%u", seed);
      g_autofree char *sub = g_build_filename (dir, name, NULL);
      g_autofree char *exp_path = g_build_filename (sub, "experiment.json", NULL);
      g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
      g_assert_true (g_file_set_contents (exp_path, "{}", -1, NULL));
    }
  listed = ts_seed_group_list (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 6);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("seed-%u", 7 + i);
      g_autofree char *want = g_build_filename (dir, name, NULL);
      g_assert_cmpstr (listed->pdata[i], ==, want); /* seed-10 after seed-9 */
    }
  g_assert_true (ts_seed_group_write (dir, base, 2, (char *const *) runs->pdata, runs->len, &error));
  g_assert_no_error (error);
  root = ts_json_load_file (group_json, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "first_seed"), ==, 9);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_object_get_object_member (
                     json_node_get_object (root), "metrics"), "val_acc"), "n"), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/ensemble/identical-members", test_identical_members_equal_one);
  g_test_add_func ("/core/ensemble/different-members", test_different_members);
  g_test_add_func ("/core/ensemble/early-never-sees-val-test", test_early_fusion_never_sees_val_or_test);
  g_test_add_func ("/core/ensemble/mismatched-members", test_mismatched_members_refused);
  g_test_add_func ("/core/ensemble/missing-members", test_missing_members_refused);
  g_test_add_func ("/core/ensemble/snapshot-members", test_snapshot_members);
  g_test_add_func ("/core/ensemble/view-cuts", test_view_cuts);
  g_test_add_func ("/core/ensemble/view-members", test_view_members);
  g_test_add_func ("/core/ensemble/progress-and-cancel", test_progress_and_cancel);
  g_test_add_func ("/core/seeds/group-folder", test_seed_group_folder);
  return g_test_run ();
}
