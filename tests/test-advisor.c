/* The advisor on real runs whose right diagnosis is known by construction,
 * and the LR finder. Prints the confusion table: expected code → codes. */
#include "test-util.h"

typedef struct {
  const char *name;
  const char *expected;          /* the code that must be named; "healthy": no warning at all */
  const char *settings[12];      /* KEY=VALUE over the default experiment */
} Scenario;

static const Scenario scenarios[] = {
  { "lr far too low (spiral, SGD 3e-4)", "lr_too_low",
    { "train.lr=0.0003", "train.optimizer=sgd", "train.epochs=30" } },
  { "lr far too low (Fashion-MNIST, SGD 1e-3)", "lr_too_low",
    { "data.source=fashion-mnist", "data.limit=6000", "model.layers=256", "train.lr=0.001", "train.optimizer=sgd",
      "train.epochs=5" } },
  { "lr far too high (spiral, momentum 1.0)", "lr_too_high", { "train.lr=1", "train.optimizer=momentum" } },
  { "divergence (lr 1e6)", "diverged", { "train.lr=1e6", "train.optimizer=sgd", "data.preprocess=none" } },
  { "tiny model (no hidden layer)", "underfitting", { "model.layers=[]" } },
  { "large model, small subset, no regularisation", "overfitting",
    { "data.source=builtin:gaussians", "data.noise=1.0", "data.samples=200", "model.layers=512,512", "train.l2=0",
      "train.epochs=300", "train.lr=0.05" } },
  { "deep tanh, small init", "vanishing_activations",
    { "model.layers=100,100,100,100,100,100,100,100", "model.activation=tanh", "model.init=small" } },
  { "saturating init (tanh, σ = 1)", "saturated_units",
    { "model.layers=256,256", "model.activation=tanh", "model.init=small", "model.init_scale=1" } },
  { "deep ReLU, weights too large (σ = 0.4)", "exploding_activations",
    { "model.layers=200,200,200,200,200,200", "model.init=small", "model.init_scale=0.4", "train.lr=0.0001",
      "train.epochs=5" } },
  { "tiny weights, large steps (σ = 0.001, SGD 0.5)", "update_ratio_high",
    { "model.init=small", "model.init_scale=0.001", "train.optimizer=sgd", "train.lr=0.5" } },
  { "a learning rate that kills ReLUs", "dead_units",
    { "train.lr=1", "train.optimizer=momentum", "model.layers=100,100" } },
  { "healthy: spiral default", "healthy", { NULL } },
  { "healthy: moons", "healthy", { "data.source=builtin:moons" } },
  { "healthy: circles", "healthy", { "data.source=builtin:circles" } },
  { "healthy: spiral with Adam", "healthy", { "train.optimizer=adam", "train.lr=0.003" } },
  { "healthy: Fashion-MNIST MLP, step decay", "healthy",
    { "data.source=fashion-mnist", "data.limit=10000", "model.layers=512,256", "train.epochs=6", "train.lr=0.01",
      "train.schedule.type=step", "train.schedule.every_epochs=3" } },
};

static GPtrArray *
diagnose (const Scenario *s)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTraining) t = NULL;
  TsAdvisorInput in;

  for (int i = 0; s->settings[i]; i++)
    {
      g_auto(GStrv) kv = g_strsplit (s->settings[i], "=", 2);
      g_assert_true (ts_experiment_set (exp, kv[0], kv[1], &error));
    }
  t = ts_training_new (exp, NULL, &error);
  g_assert_no_error (error);
  while (!ts_training_done (t))
    ts_training_step (t);
  in = (TsAdvisorInput) { t->exp, t->steps, t->epochs, t->stats, t->net->n_classes, t->diverged };
  return ts_advisor_diagnose (&in);
}

static void
test_scenarios (void)
{
  GString *table = g_string_new ("\n");
  guint right = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (scenarios); i++)
    {
      const Scenario *s = &scenarios[i];
      g_autoptr(GPtrArray) advice = diagnose (s);
      gboolean named = FALSE, worry = FALSE;
      GString *codes = g_string_new (NULL);

      for (guint k = 0; k < advice->len; k++)
        {
          const TsAdvice *a = advice->pdata[k];
          g_string_append_printf (codes, "%s%s", k ? ", " : "", a->code);
          named |= g_str_equal (a->code, s->expected);
          worry |= a->severity > TS_SEVERITY_INFO;
          g_assert_nonnull (a->message);
          g_assert_true (a->confidence > 0 && a->confidence <= 1);
        }
      if (g_str_equal (s->expected, "healthy"))
        named = named && !worry;
      right += named;
      g_string_append_printf (table, "%-46s expected %-22s got %s%s\n", s->name, s->expected, codes->str,
                              named ? "" : "   ← WRONG");
      g_string_free (codes, TRUE);
    }
  g_test_message ("%s%u of %zu right", table->str, right, G_N_ELEMENTS (scenarios));
  if (right != G_N_ELEMENTS (scenarios))
    g_error ("%s", table->str);
  g_string_free (table, TRUE);
}

/* "Add capacity" widens every layer and keeps what the user chose for
 * each: a per-layer activation survives the suggestion and its applying */
static void
test_wider_layers_keep_activations (void)
{
  const Scenario s = { "narrow leaky layer", "underfitting", { "model.layers=3:leaky_relu" } };
  g_autoptr(GPtrArray) advice = diagnose (&s);
  g_autoptr(TsExperiment) base = ts_experiment_new_default ();
  const TsAdvice *wider = NULL;

  for (guint k = 0; k < advice->len; k++)
    if (g_str_equal (((TsAdvice *) advice->pdata[k])->code, "underfitting"))
      wider = advice->pdata[k];
  g_assert_nonnull (wider);
  g_assert_cmpstr (wider->action, ==, "model.layers=6:leaky_relu");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(TsExperiment) next = ts_advice_apply (wider, base, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_array_index (next->model.layers, TsLayerSpec, 0).units, ==, 6);
    g_assert_cmpint (g_array_index (next->model.layers, TsLayerSpec, 0).activation, ==, TS_ACT_LEAKY_RELU);
  }
}

static void
test_lr_finder (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;
  TsLrFinderOptions o = { 1e-6, 10, 200, 3 };
  g_autoptr(TsLrFinderResult) r = ts_lr_find (exp, &o, NULL, &error);
  guint lowest = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (r->n, >, 100);
  for (guint i = 0; i < r->n; i++)
    {
      g_assert_cmpfloat (r->loss_lo[i], <=, r->loss[i] + 1e-9);
      g_assert_cmpfloat (r->loss_hi[i], >=, r->loss[i] - 1e-9);
      if (r->loss[i] < r->loss[lowest])
        lowest = i;
    }
  /* the loss falls from the start to the lowest point by a lot */
  g_assert_cmpfloat (r->loss[lowest], <, 0.6 * r->loss[0]);
  g_assert_cmpfloat (r->suggested, >, 1e-3);
  g_assert_cmpfloat (r->suggested, <, r->lr[lowest]);
  g_assert_cmpfloat (r->steepest, >, 1e-5);
  g_assert_cmpfloat (r->min_over_10, ==, r->lr[lowest] / 10);
  g_test_message ("suggested %.3g, steepest %.3g, min/10 %.3g", r->suggested, r->steepest, r->min_over_10);
}

int
main (int argc, char **argv)
{
  ts_blas_ensure_kernel (argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/slow/advisor/scenarios", test_scenarios);
  g_test_add_func ("/slow/advisor/lr-finder", test_lr_finder);
  g_test_add_func ("/slow/advisor/wider-layers-keep-activations", test_wider_layers_keep_activations);
  return g_test_run ();
}
