/* The transfer lab: LogME against numpy, the linear probe, stages of a
 * model's layers, the analysis of a pre-trained model on a target and its
 * refusals. */
#include "test-util.h"

#include <string.h>

/* ---- LogME against the numpy reference (tests/fixtures/make_logme_fixture.py) */

static void
test_logme_numpy (void)
{
  g_autofree char *path = fixture_path ("logme.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = ts_json_load_file (path, &error);
  JsonArray *cases;

  g_assert_no_error (error);
  cases = json_object_get_array_member (json_node_get_object (root), "cases");
  g_assert_cmpuint (json_array_get_length (cases), ==, 3);
  for (guint c = 0; c < json_array_get_length (cases); c++)
    {
      JsonObject *o = json_array_get_object_element (cases, c);
      guint n = json_object_get_int_member (o, "n"), dim = json_object_get_int_member (o, "dim");
      guint C = json_object_get_int_member (o, "classes");
      JsonArray *fx = json_object_get_array_member (o, "features"), *fy = json_object_get_array_member (o, "labels");
      JsonArray *ev = json_object_get_array_member (o, "evidence"), *al = json_object_get_array_member (o, "alpha");
      JsonArray *be = json_object_get_array_member (o, "beta");
      g_autofree float *x = g_new (float, (gsize) n * dim);
      g_autofree guint32 *y = g_new (guint32, n);
      TsLogme r;

      for (guint i = 0; i < n * dim; i++)
        x[i] = (float) json_array_get_double_element (fx, i);
      for (guint i = 0; i < n; i++)
        y[i] = json_array_get_int_element (fy, i);
      g_assert_true (ts_logme (x, n, dim, y, C, &r, &error));
      g_assert_no_error (error);
      g_test_message ("%s: %.9f vs numpy %.9f", json_object_get_string_member (o, "name"), r.score,
                      json_object_get_double_member (o, "score"));
      g_assert_cmpfloat_with_epsilon (r.score, json_object_get_double_member (o, "score"), 1e-6);
      for (guint k = 0; k < C; k++)
        {
          double a = json_array_get_double_element (al, k), b = json_array_get_double_element (be, k);
          g_assert_cmpfloat_with_epsilon (r.evidence[k], json_array_get_double_element (ev, k), 1e-6);
          g_assert_cmpfloat (fabs (r.alpha[k] - a), <, 1e-5 * a);
          g_assert_cmpfloat (fabs (r.beta[k] - b), <, 1e-5 * b);
        }
      ts_logme_clear (&r);
    }
}

static void
test_logme_refuses (void)
{
  float x[6] = { 0, 1, 2, 3, 4, 5 };
  guint32 bad[3] = { 0, 1, 7 }, one[1] = { 0 };
  g_autoptr(GError) error = NULL;
  TsLogme r;

  g_assert_false (ts_logme (x, 3, 2, bad, 2, &r, &error));
  g_assert_error (error, TS_ERROR, TS_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "sample 2 has label 7"));
  g_clear_error (&error);
  g_assert_false (ts_logme (x, 1, 2, one, 2, &r, &error));
  g_assert_nonnull (strstr (error->message, "at least 2 samples"));
}

/* informative features score higher than noise for the same labels */
static void
test_logme_orders_features (void)
{
  guint n = 400, dim = 8;
  g_autofree float *good = g_new (float, (gsize) n * dim), *noise = g_new (float, (gsize) n * dim);
  g_autofree guint32 *y = g_new (guint32, n);
  g_autoptr(GError) error = NULL;
  TsLogme a, b;
  TsRng rng;

  ts_rng_init (&rng, 5, 0);
  for (guint i = 0; i < n; i++)
    {
      y[i] = i % 4;
      for (guint d = 0; d < dim; d++)
        {
          noise[i * dim + d] = (float) ts_rng_normal (&rng);
          good[i * dim + d] = (float) ts_rng_normal (&rng) * 0.3f + (d == y[i] ? 2.f : 0.f);
        }
    }
  g_assert_true (ts_logme (good, n, dim, y, 4, &a, &error));
  g_assert_true (ts_logme (noise, n, dim, y, 4, &b, &error));
  g_assert_cmpfloat (a.score, >, b.score + 0.2);
  ts_logme_clear (&a);
  ts_logme_clear (&b);
}

/* ---- the linear probe ---------------------------------------------------- */

static void
test_linear_probe_separable (void)
{
  guint n = 300, F = 5, C = 3;
  g_autofree float *x = g_new (float, (gsize) n * F);
  g_autofree guint32 *y = g_new (guint32, n);
  g_autoptr(TsLinearProbe) p = NULL;
  double acc, loss;
  TsRng rng;

  ts_rng_init (&rng, 1, 0);
  for (guint i = 0; i < n; i++)
    {
      y[i] = i % C;
      for (guint f = 0; f < F; f++)
        x[i * F + f] = 100.f + (float) ts_rng_normal (&rng) * 0.2f + (f == y[i] ? 1.f : 0.f); /* offset: standardised */
    }
  p = ts_linear_probe_fit (x, y, n, F, C, ts_linear_probe_epochs (n, 10, 500), TS_LINEAR_PROBE_LR, 3, NULL, NULL);
  ts_linear_probe_evaluate (p, x, y, n, &acc, &loss);
  g_assert_cmpfloat (acc, >, 0.98);
  g_assert_cmpfloat (loss, <, 0.5);
  g_assert_cmpuint (ts_linear_probe_epochs (100, 10, 500), ==, 500);
  g_assert_cmpuint (ts_linear_probe_epochs (128 * 100, 10, 500), ==, 10);
}

/* ---- stages -------------------------------------------------------------- */

static void
test_stages_of (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;
  guint firsts[8], lasts[8];

  g_assert_true (ts_experiment_set (exp, "model.layers",
                                    "[{\"type\":\"dense\",\"units\":8},{\"type\":\"batchnorm\"},"
                                    "{\"type\":\"dense\",\"units\":4},{\"type\":\"dense\",\"units\":3}]",
                                    &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ts_transfer_stages_of (exp, firsts, lasts), ==, 3);
  g_assert_cmpuint (firsts[0], ==, 0);
  g_assert_cmpuint (lasts[0], ==, 1); /* the batch norm belongs to the dense layer before it */
  g_assert_cmpuint (firsts[1], ==, 2);
  g_assert_cmpuint (lasts[1], ==, 2);
  g_assert_cmpuint (firsts[2], ==, 3);
}

/* ---- the analysis -------------------------------------------------------- */

static void
test_analyse (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = train_transfer_source (dir, 8);
  g_autoptr(TsTransfer) t = ts_transfer_new (run, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;
  char *set[] = { "data.classes=3", "data.samples=600", NULL };
  const TsTransferReport *r;

  g_assert_nonnull (t);
  g_assert_true (ts_transfer_set_target (t, "builtin:spiral", set, &error));
  g_assert_no_error (error);
  g_assert_true (ts_transfer_analyse (t, &(TsTransferOptions) { 0 }, &error));
  g_assert_no_error (error);
  r = ts_transfer_report (t);
  g_assert_cmpuint (r->n_stages, ==, 2);
  g_assert_cmpuint (r->stages[0].width, ==, 24);
  g_assert_cmpuint (r->stages[1].width, ==, 12);
  g_assert_cmpstr (r->stages[0].name, ==, "dense 24");
  g_assert_cmpuint (r->n_classes, ==, 3);
  g_assert_cmpuint (r->train_count + r->val_count, ==, 600);
  for (guint s = 0; s < 2; s++)
    {
      g_assert_cmpfloat (r->stages[s].probe_val_acc, >, 0.34); /* better than chance on a spiral */
      g_assert_true (isfinite (r->stages[s].logme));
      g_assert_true (isfinite (r->stages[s].source_logme));
    }
  g_assert_cmpuint (r->source_count, >, 0);
  /* 480 samples of 3 classes = 160 a class ≥ 13 parameters per class */
  g_assert_true (r->lots);
  g_assert_cmpuint (r->params_per_class, ==, 13);
  g_assert_cmpuint (r->params_few, ==, 24 * 12 + 12 + 13 * 3);
  g_assert_cmpuint (r->params_many, ==, 2 * 24 + 24 + 24 * 12 + 12 + 13 * 3);
  json = ts_transfer_to_json (t);
  text = ts_json_to_string (json, FALSE);
  for (const char *const *key = (const char *const[]) { "\"stages\"", "\"layer\"", "\"probe_val_acc\"",
                                                       "\"similarity\"", "\"method\":\"logme\"", "\"evidence\"",
                                                       "\"size\"", "\"train_count\"", "\"verdict\":\"a lot\"",
                                                       "\"cell\":\"lots-", "\"recommendation\":\"finetune-",
                                                       "\"strategies\":[]", "\"winner\":null", NULL };
       *key; key++)
    if (strstr (text, *key) == NULL)
      g_error ("transfer.json lacks %s: %s", *key, text);
}

/* the source's own held-out data: the top stage suits it best, so the
 * lab calls the source similar to itself */
static void
test_source_is_similar_to_itself (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = train_transfer_source (dir, 8);
  g_autoptr(TsTransfer) t = ts_transfer_new (run, NULL);
  g_autoptr(GError) error = NULL;
  char *set[] = { "data.limit=40", NULL };
  const TsTransferReport *r;

  g_assert_true (ts_transfer_set_target (t, "builtin:gaussians", set, &error));
  g_assert_true (ts_transfer_analyse (t, &(TsTransferOptions) { 0 }, &error));
  g_assert_no_error (error);
  r = ts_transfer_report (t);
  g_assert_cmpuint (r->train_count, <=, 40);
  g_assert_false (r->lots); /* 8 a class < 13 */
  g_assert_cmpfloat (r->stages[1].probe_val_acc, >, 0.8);
}

static void
test_refusals (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = train_transfer_source (dir, 8);
  g_autofree char *missing = g_build_filename (dir, "nothing", NULL);
  g_autoptr(TsTransfer) t = NULL;
  g_autoptr(GError) error = NULL;
  char *bad_key[] = { "train.lr=-1", NULL };

  g_assert_null (ts_transfer_new (missing, &error));
  g_assert_nonnull (strstr (error->message, "no such model file or run folder"));
  g_clear_error (&error);
  g_assert_null (ts_transfer_new (dir, &error)); /* a folder without model.safetensors */
  g_assert_nonnull (strstr (error->message, "no model.safetensors"));
  g_clear_error (&error);
  t = ts_transfer_new (run, &error);
  g_assert_false (ts_transfer_set_target (t, "builtin:spiral", bad_key, &error));
  g_assert_nonnull (strstr (error->message, "train.lr"));
  g_clear_error (&error);
  /* images where the model takes 2-D points: the tensor and both shapes */
  g_assert_true (ts_transfer_set_target (t, "builtin:shapes", NULL, &error));
  g_assert_false (ts_transfer_analyse (t, &(TsTransferOptions) { 0 }, &error));
  g_assert_error (error, TS_ERROR, TS_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "layers.0.weight is [24,2]"));
  g_assert_nonnull (strstr (error->message, "takes 2 values"));
}

static void
cancel_at_probe (double fraction, const char *what, gpointer data)
{
  if (g_str_has_prefix (what, "probing"))
    g_cancellable_cancel (data);
}

static void
test_cancel (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = train_transfer_source (dir, 8);
  g_autoptr(TsTransfer) t = ts_transfer_new (run, NULL);
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ts_transfer_set_target (t, "builtin:gaussians", NULL, &error));
  g_assert_false (ts_transfer_analyse (t, &(TsTransferOptions) { cancel, cancel_at_probe, cancel }, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/logme/numpy", test_logme_numpy);
  g_test_add_func ("/core/logme/refuses", test_logme_refuses);
  g_test_add_func ("/core/logme/orders-features", test_logme_orders_features);
  g_test_add_func ("/core/linear-probe/separable", test_linear_probe_separable);
  g_test_add_func ("/core/transfer/stages", test_stages_of);
  g_test_add_func ("/core/transfer/analyse", test_analyse);
  g_test_add_func ("/core/transfer/source-itself", test_source_is_similar_to_itself);
  g_test_add_func ("/core/transfer/refusals", test_refusals);
  g_test_add_func ("/core/transfer/cancel", test_cancel);
  return g_test_run ();
}
