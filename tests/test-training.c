/* The training loop: it learns, it is deterministic, it notices divergence,
 * and its schedules do what the experiment file says. */
#include "test-util.h"

static const TsEpochRecord *
final_epoch (TsTraining *t)
{
  return ts_metric_log_epoch (t->epochs, ts_metric_log_length (t->epochs) - 1);
}

static void
test_default_learns_spiral (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(TsTraining) t = train_to_end (exp);

  g_assert_cmpuint (ts_metric_log_length (t->epochs), ==, exp->train.epochs);
  g_assert_cmpfloat (final_epoch (t)->train_acc, >=, 0.97);
  g_assert_cmpfloat (final_epoch (t)->val_acc, >=, 0.95);
  /* softmax with He init starts near ln 3 */
  g_assert_cmpfloat (fabs (t->first_loss - log (3.0)), <, 0.6);
}

static void
test_every_builtin_learns (void)
{
  const char *sources[] = { "builtin:circles", "builtin:xor", "builtin:gaussians", "builtin:moons" };

  for (gsize i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      g_autoptr(TsExperiment) exp = quick_experiment (sources[i], 30);
      g_autoptr(TsTraining) t = train_to_end (exp);
      if (final_epoch (t)->train_acc < 0.9)
        g_error ("%s: train accuracy %.3f", sources[i], final_epoch (t)->train_acc);
    }
}

static char *
metrics_without_time (TsTraining *t)
{
  GString *s = g_string_new (NULL);
  for (gsize i = 0; i < ts_metric_log_length (t->epochs); i++)
    {
      const TsEpochRecord *e = ts_metric_log_epoch (t->epochs, i);
      g_string_append_printf (s, "%u %.9g %.9g %.9g %.9g %.9g\n", e->epoch, e->lr, e->train_loss, e->train_acc,
                              e->val_loss, e->val_acc);
    }
  return g_string_free (s, FALSE);
}

static void
test_deterministic (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 5);
  g_autoptr(TsTraining) a = NULL, b = NULL, c = NULL;
  g_autofree char *ma = NULL, *mb = NULL, *mc = NULL;

  exp->model.dropout = 0.2;           /* noise streams are seeded too */
  exp->model.activation = TS_ACT_RRELU;
  a = train_to_end (exp);
  b = train_to_end (exp);
  ma = metrics_without_time (a);
  mb = metrics_without_time (b);
  g_assert_cmpstr (ma, ==, mb);
  g_assert_cmpmem (a->net->params, a->net->n_params * 4, b->net->params, b->net->n_params * 4);
  exp->seed++;
  c = train_to_end (exp);
  mc = metrics_without_time (c);
  g_assert_cmpstr (ma, !=, mc);
}

static void
test_divergence_is_caught (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 20);
  g_autoptr(TsTraining) t = NULL;

  exp->train.lr = 1e6;
  exp->train.optimizer = TS_OPT_SGD;
  exp->data.preprocess = TS_PRE_NONE;
  t = train_to_end (exp);
  g_assert_true (t->diverged);
  g_assert_cmpuint (t->epoch, <, 20);
  g_assert_false (ts_training_step (t)); /* nothing more happens */
}

static void
test_step_schedule (void)
{
  TsTrainSpec train = { .epochs = 20, .schedule = { TS_SCHED_STEP, 5, 2.0, 3, 0 } };

  g_assert_cmpfloat (ts_schedule_lr (&train, 0.1, 0, 0.5, 0), ==, 0.1);
  g_assert_cmpfloat (ts_schedule_lr (&train, 0.1, 4, 0.9, 0), ==, 0.1);
  g_assert_cmpfloat (fabs (ts_schedule_lr (&train, 0.1, 5, 0, 0) - 0.05), <, 1e-12);
  g_assert_cmpfloat (fabs (ts_schedule_lr (&train, 0.1, 12, 0, 0) - 0.025), <, 1e-12);
  train.schedule.factor = 5;
  g_assert_cmpfloat (fabs (ts_schedule_lr (&train, 0.1, 10, 0, 0) - 0.004), <, 1e-12);
  train.schedule.type = TS_SCHED_COSINE;
  g_assert_cmpfloat (fabs (ts_schedule_lr (&train, 0.1, 10, 0, 0) - 0.05), <, 1e-12);
  train.schedule.type = TS_SCHED_EXP;
  g_assert_cmpfloat (fabs (ts_schedule_lr (&train, 0.1, 5, 0, 0) - 0.02), <, 1e-12);
  train.schedule = (TsScheduleSpec) { TS_SCHED_NONE, 5, 2, 3, 4 };
  g_assert_cmpfloat (fabs (ts_schedule_lr (&train, 0.1, 1, 0, 0) - 0.025), <, 1e-12);
  g_assert_cmpfloat (ts_schedule_lr (&train, 0.1, 4, 0, 0), ==, 0.1);
}

static void
test_plateau_decays_in_training (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:gaussians", 30);
  g_autoptr(TsTraining) t = NULL;

  exp->data.noise = 1.0; /* overlapping blobs: val loss stalls early */
  exp->train.schedule.type = TS_SCHED_PLATEAU;
  exp->train.schedule.patience = 2;
  exp->train.schedule.factor = 5;
  t = train_to_end (exp);
  g_assert_cmpuint (t->plateau.decays, >, 0);
  g_assert_cmpfloat (final_epoch (t)->lr, <, exp->train.lr / 4);
}

static void
test_every_optimizer_learns (void)
{
  for (int o = TS_OPT_SGD; o <= TS_OPT_RMSPROP; o++)
    {
      g_autoptr(TsExperiment) exp = quick_experiment ("builtin:moons", 20);
      g_autoptr(TsTraining) t = NULL;
      exp->train.optimizer = o;
      exp->train.lr = o >= TS_OPT_ADAM ? 0.01 : 0.1;
      t = train_to_end (exp);
      if (final_epoch (t)->train_acc < 0.9)
        g_error ("%s: train accuracy %.3f", ts_optimizer_name (o), final_epoch (t)->train_acc);
    }
}

static void
test_every_init_runs (void)
{
  for (int i = TS_INIT_ZERO; i <= TS_INIT_ORTHOGONAL; i++)
    {
      g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 2);
      g_autoptr(TsTraining) t = NULL;
      exp->model.init = i;
      t = train_to_end (exp);
      g_assert_false (t->diverged);
    }
}

static void
test_orthogonal_rows (void)
{
  TsLayerSpec hidden[1] = { { 8, TS_ACT_TANH } };
  g_autoptr(TsNet) net = ts_net_new (20, hidden, 1, TS_ACT_TANH, 0, 0, 30, 1);
  const float *w = net->params + net->layers[0].w; /* 8×20: rows orthonormal */
  TsRng rng;

  ts_rng_init (&rng, 1, 1);
  ts_net_init (net, TS_INIT_ORTHOGONAL, 0, &rng);
  for (int a = 0; a < 8; a++)
    for (int b = 0; b < 8; b++)
      {
        double dot = 0;
        for (int j = 0; j < 20; j++)
          dot += (double) w[a * 20 + j] * w[b * 20 + j];
        g_assert_cmpfloat (fabs (dot - (a == b)), <, 1e-5);
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/training/default-learns-spiral", test_default_learns_spiral);
  g_test_add_func ("/core/training/builtins-learn", test_every_builtin_learns);
  g_test_add_func ("/core/training/deterministic", test_deterministic);
  g_test_add_func ("/core/training/divergence", test_divergence_is_caught);
  g_test_add_func ("/core/training/step-schedule", test_step_schedule);
  g_test_add_func ("/core/training/plateau", test_plateau_decays_in_training);
  g_test_add_func ("/core/training/optimizers-learn", test_every_optimizer_learns);
  g_test_add_func ("/core/training/inits-run", test_every_init_runs);
  g_test_add_func ("/core/init/orthogonal", test_orthogonal_rows);
  return g_test_run ();
}
