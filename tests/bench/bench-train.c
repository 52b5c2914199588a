/* Training throughput on Fashion-MNIST, MLP 784-512-256-10, momentum SGD,
 * beside PyTorch (tests/bench/torch_reference.py) in the same run.
 *
 *   build/tests/bench/bench-train [--samples N] [--no-torch]
 *
 * Prints samples/s per batch size, the ratio to PyTorch's best thread count,
 * achieved GFLOP/s as a share of the sgemm peak measured here, and what
 * augmentation costs at batch 128. */
#include <trainscope.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const guint batch_sizes[] = { 64, 128, 256 };

/* forward 2·B·Σ in·out; backward twice that, less the input layer's dx */
static double
flops_per_sample (void)
{
  double fwd = 2.0 * (784 * 512 + 512 * 256 + 256 * 10);
  return 3.0 * fwd - 2.0 * 784 * 512;
}

static TsExperiment *
bench_experiment (guint batch, gboolean augment)
{
  TsExperiment *exp = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;
  char text[32];

  g_snprintf (text, sizeof text, "%u", batch);
  if (!ts_experiment_set (exp, "data.source", "fashion-mnist", &error)
      || !ts_experiment_set (exp, "model.layers", "512,256", &error)
      || !ts_experiment_set (exp, "data.val_fraction", "0", &error)
      || !ts_experiment_set (exp, "train.lr", "0.01", &error)
      || !ts_experiment_set (exp, "train.l2", "0", &error)
      || !ts_experiment_set (exp, "train.epochs", "1000", &error)
      || !ts_experiment_set (exp, "train.batch_size", text, &error)
      || (augment && (!ts_experiment_set (exp, "data.augment.hflip", "0.5", &error)
                      || !ts_experiment_set (exp, "data.augment.crop_pad", "2", &error)
                      || !ts_experiment_set (exp, "data.augment.brightness", "0.2", &error)
                      || !ts_experiment_set (exp, "data.augment.contrast", "0.2", &error))))
    g_printerr ("bench: %s\n", error->message);
  return exp;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* the median of three windows of `samples` each: this machine is noisy */
static double
measure (TsTraining *t, guint samples)
{
  double rates[3];

  for (int i = 0; i < 20; i++) /* warm caches and threads */
    ts_training_step (t);
  for (int w = 0; w < 3; w++)
    {
      guint64 start_samples = t->samples_trained;
      double start_seconds = t->step_seconds;
      while (t->samples_trained - start_samples < samples / 3)
        ts_training_step (t);
      rates[w] = (t->samples_trained - start_samples) / (t->step_seconds - start_seconds);
    }
  qsort (rates, 3, sizeof (double), compare_double);
  return rates[1];
}

/* batch 128 with and without augmentation, in alternating windows so the
 * machine's drift hits both alike; medians of five windows each */
static gboolean
augmentation_cost (guint samples, double *plain, double *augmented)
{
  g_autoptr(TsExperiment) a = bench_experiment (128, FALSE);
  g_autoptr(TsExperiment) b = bench_experiment (128, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTraining) ta = ts_training_new (a, NULL, &error);
  g_autoptr(TsTraining) tb = ta ? ts_training_new (b, NULL, &error) : NULL;
  double ra[5], rb[5];

  if (tb == NULL)
    {
      g_printerr ("bench: %s\n", error->message);
      return FALSE;
    }
  for (int i = 0; i < 20; i++)
    ts_training_step (ta), ts_training_step (tb);
  for (int w = 0; w < 5; w++)
    {
      TsTraining *both[2] = { ta, tb };
      double *rates[2] = { ra, rb };
      for (int k = 0; k < 2; k++)
        {
          guint64 s0 = both[k]->samples_trained;
          double t0 = both[k]->step_seconds;
          while (both[k]->samples_trained - s0 < samples / 5)
            ts_training_step (both[k]);
          rates[k][w] = (both[k]->samples_trained - s0) / (both[k]->step_seconds - t0);
        }
    }
  qsort (ra, 5, sizeof (double), compare_double);
  qsort (rb, 5, sizeof (double), compare_double);
  *plain = ra[2];
  *augmented = rb[2];
  return TRUE;
}

/* "batch samples_per_second" lines from the PyTorch script, by batch size */
static gboolean
run_torch (guint samples, double *torch_sps, int *torch_threads)
{
  g_autofree char *out = NULL;
  g_autofree char *cmd = g_strdup_printf ("/usr/bin/python3 %s/torch_reference.py --samples %u",
                                          BENCH_SOURCE_DIR, samples);
  g_auto(GStrv) lines = NULL;
  int status;

  if (!g_spawn_command_line_sync (cmd, &out, NULL, &status, NULL) || !g_spawn_check_wait_status (status, NULL))
    return FALSE;
  lines = g_strsplit (out, "\n", -1);
  for (int i = 0; lines[i]; i++)
    {
      guint batch;
      int threads;
      double sps;
      if (sscanf (lines[i], "torch batch=%u threads=%d samples_per_second=%lf", &batch, &threads, &sps) != 3)
        continue;
      for (gsize b = 0; b < G_N_ELEMENTS (batch_sizes); b++)
        if (batch_sizes[b] == batch && sps > torch_sps[b])
          {
            torch_sps[b] = sps;
            torch_threads[b] = threads;
          }
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  guint samples = 60000;
  gboolean with_torch = TRUE;
  double peak, plain_sps = 0, augmented_sps = 0, sps[G_N_ELEMENTS (batch_sizes)] = { 0 };
  double torch_sps[G_N_ELEMENTS (batch_sizes)] = { 0 };
  int torch_threads[G_N_ELEMENTS (batch_sizes)] = { 0 };

  ts_blas_ensure_kernel (argv);
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--samples") == 0 && i + 1 < argc)
      samples = (guint) atoi (argv[++i]);
    else if (strcmp (argv[i], "--no-torch") == 0)
      with_torch = FALSE;
  ts_blas_set_threads (0);
  peak = ts_blas_peak_gflops (1536, 5);
  printf ("OpenBLAS kernel %s (detected %s), %d threads, sgemm peak %.1f GFLOP/s\n", ts_blas_core (),
          ts_blas_detected_core (), ts_blas_threads (), peak);
  for (gsize b = 0; b < G_N_ELEMENTS (batch_sizes); b++)
    {
      g_autoptr(TsExperiment) exp = bench_experiment (batch_sizes[b], FALSE);
      g_autoptr(GError) error = NULL;
      g_autoptr(TsTraining) t = ts_training_new (exp, NULL, &error);
      if (t == NULL)
        {
          g_printerr ("bench: %s\n", error->message);
          return 1;
        }
      sps[b] = measure (t, samples);
    }
  if (!augmentation_cost (samples, &plain_sps, &augmented_sps))
    return 1;
  if (with_torch && !run_torch (samples, torch_sps, torch_threads))
    g_printerr ("bench: the PyTorch reference did not run; is python3-torch installed?\n");
  printf ("\n| batch | Trainscope samples/s | GFLOP/s | of peak | PyTorch samples/s (threads) | ratio |\n");
  printf ("|---|---|---|---|---|---|\n");
  for (gsize b = 0; b < G_N_ELEMENTS (batch_sizes); b++)
    {
      double gflops = sps[b] * flops_per_sample () * 1e-9;
      printf ("| %u | %.0f | %.1f | %.0f%% | ", batch_sizes[b], sps[b], gflops, 100 * gflops / peak);
      if (torch_sps[b] > 0)
        printf ("%.0f (%d) | %.2f× |\n", torch_sps[b], torch_threads[b], sps[b] / torch_sps[b]);
      else
        printf ("– | – |\n");
    }
  printf ("\nbatch 128 with augmentation (flip 0.5, crop pad 2, brightness and contrast 0.2): %.0f samples/s, "
          "%.1f%% below the plain run (%.0f samples/s, measured in turns with it)\n", augmented_sps,
          100 * (1 - augmented_sps / plain_sps), plain_sps);
  return 0;
}
