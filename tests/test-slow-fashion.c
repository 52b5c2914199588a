/* The slow suite: Fashion-MNIST to ≥ 89% test accuracy with the classic
 * recipe (MLP 784-512-256-10, ReLU, He, standardize, momentum 0.9,
 * batch 128, step decay, L2 1e-4, 10 epochs); and the CNN of issue #13 to
 * ≥ 91.5% (its recipe below). */
#include "test-util.h"

#define CNN_AT_LEAST 0.915

static void
test_fashion_mlp (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTrainer) tr = NULL;
  g_autoptr(JsonNode) summary = NULL;
  JsonObject *o;

  g_assert_true (ts_experiment_set (exp, "data.source", "fashion-mnist", &error));
  g_assert_true (ts_experiment_set (exp, "data.val_fraction", "0.1", &error));
  g_assert_true (ts_experiment_set (exp, "model.layers", "512,256", &error));
  g_assert_true (ts_experiment_set (exp, "train.batch_size", "128", &error));
  g_assert_true (ts_experiment_set (exp, "train.lr", "0.05", &error));
  g_assert_true (ts_experiment_set (exp, "train.epochs", "10", &error));
  g_assert_true (ts_experiment_set (exp, "train.schedule.type", "step", &error));
  g_assert_true (ts_experiment_set (exp, "train.schedule.every_epochs", "3", &error));
  g_assert_true (ts_experiment_set (exp, "train.l2", "1e-4", &error));
  tr = ts_trainer_new (exp, NULL);
  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  summary = ts_trainer_dup_summary (tr);
  o = json_node_get_object (summary);
  g_test_message ("test accuracy %.4f, val accuracy %.4f, %.0f samples/s, %.1f s",
                  json_object_get_double_member (o, "test_acc"), json_object_get_double_member (o, "val_acc"),
                  json_object_get_double_member (o, "samples_per_second"),
                  json_object_get_double_member (o, "seconds"));
  g_assert_cmpfloat (json_object_get_double_member (o, "test_acc"), >=, 0.89);
}

/* trains exp to its end; the summary's test accuracy, after saying what it saw */
static double
train_test_accuracy (const TsExperiment *exp)
{
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, NULL);
  g_autoptr(JsonNode) summary = NULL;
  JsonObject *o;

  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  summary = ts_trainer_dup_summary (tr);
  o = json_node_get_object (summary);
  g_test_message ("test accuracy %.4f, %.0f samples/s, %.1f s", json_object_get_double_member (o, "test_acc"),
                  json_object_get_double_member (o, "samples_per_second"),
                  json_object_get_double_member (o, "seconds"));
  return json_object_get_double_member (o, "test_acc");
}

/* the example "Fashion-MNIST · CNN" (conv 5×5 32 same → max pool 2 → conv
 * 5×5 64 same → max pool 2 → dense 128 → 10, ReLU, He; momentum 0.9, batch
 * 128, lr 0.05, L2 5e-4, cosine decay, 12 epochs, raw pixels) on the whole
 * training part; README, "Convolutional nets" */
static void
test_fashion_cnn (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) exp = ts_experiment_new_example ("Fashion-MNIST · CNN");

  g_assert_nonnull (exp);
  g_assert_true (ts_experiment_set (exp, "data.val_fraction", "0", &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (train_test_accuracy (exp), >=, CNN_AT_LEAST);
}

int
main (int argc, char **argv)
{
  ts_blas_ensure_kernel (argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/slow/fashion-mnist/mlp", test_fashion_mlp);
  g_test_add_func ("/slow/fashion-mnist/cnn", test_fashion_cnn);
  return g_test_run ();
}
