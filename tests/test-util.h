/* Helpers shared by the GTest suites. */
#pragma once

#include <trainscope.h>
#include "ts-net-private.h" /* the tests look inside the net */

#include <math.h>

/* One float32 tensor of a fixture file (shape may be NULL); the test fails
 * if it is missing. */
static inline float *
fixture_tensor (TsSafetensors *st, const char *name, TsShape *shape)
{
  g_autoptr(GError) error = NULL;
  float *data = ts_safetensors_get_f32 (st, name, shape, &error);
  g_assert_no_error (error);
  return data;
}

/* |a − b| ≤ rel·|b| + abs for every element; reports the worst one. */
static inline void
assert_close_array (const char *what, const float *a, const float *b, gsize n, double rel, double abs_tol)
{
  gsize worst = 0;
  double worst_excess = -1;

  for (gsize i = 0; i < n; i++)
    {
      double excess = fabs ((double) a[i] - b[i]) - (rel * fabs (b[i]) + abs_tol);
      if (excess > worst_excess)
        {
          worst_excess = excess;
          worst = i;
        }
    }
  if (worst_excess > 0)
    g_error ("%s[%zu]: got %.9g, expected %.9g (tolerance %g relative + %g)", what, worst, a[worst], b[worst],
             rel, abs_tol);
}

static inline char *
fixture_path (const char *name)
{
  return g_build_filename (g_getenv ("TS_SOURCE_DIR") ? g_getenv ("TS_SOURCE_DIR") : SOURCE_DIR,
                           "tests", "fixtures", name, NULL);
}

static inline char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("trainscope-test-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

/* A tiny experiment that trains in milliseconds. */
static inline TsExperiment *
quick_experiment (const char *source, guint epochs)
{
  TsExperiment *exp = ts_experiment_new_default ();
  g_free (exp->data.source);
  exp->data.source = g_strdup (source);
  exp->train.epochs = epochs;
  return exp;
}

/* The transfer tests' pre-trained model: an MLP [24, 12] trained on 4
 * Gaussian classes into DIR/source (returned). */
static inline char *
train_transfer_source (const char *dir, guint epochs)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:gaussians", epochs);
  g_autoptr(GError) error = NULL;
  char *run = g_build_filename (dir, "source", NULL);
  g_autoptr(TsTrainer) tr = NULL;

  exp->data.classes = 4;
  exp->data.samples = 800;
  g_assert_true (ts_experiment_set (exp, "model.layers", "[24, 12]", &error));
  g_assert_no_error (error);
  tr = ts_trainer_new (exp, run);
  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  return run;
}

/* Trains exp synchronously to its last epoch. */
static inline TsTraining *
train_to_end (const TsExperiment *exp)
{
  g_autoptr(GError) error = NULL;
  TsTraining *t = ts_training_new (exp, NULL, &error);

  g_assert_no_error (error);
  while (!ts_training_done (t))
    ts_training_step (t);
  return t;
}
