/* bench-train's CNN: conv 5×5 32 same (ReLU) → max pool 2 → conv 5×5 64
 * same (ReLU) → max pool 2 → dense 128 (ReLU) → 10 on Fashion-MNIST,
 * momentum SGD, beside PyTorch's best thread count in the same run; the
 * sgemm peak of the same rounds; the conv layers' share of it; the peak
 * RSS of each side. */
#include "bench-train.h"

#include <stdio.h>
#include <string.h>

static const char cnn_layers[] =
  "[{\"type\": \"conv\", \"filters\": 32, \"kernel\": 5, \"stride\": 1, \"padding\": \"same\"},"
  " {\"type\": \"pool\", \"kind\": \"max\", \"size\": 2, \"stride\": 2},"
  " {\"type\": \"conv\", \"filters\": 64, \"kernel\": 5, \"stride\": 1, \"padding\": \"same\"},"
  " {\"type\": \"pool\", \"kind\": \"max\", \"size\": 2, \"stride\": 2},"
  " {\"type\": \"dense\", \"units\": 128}]";

static TsExperiment *
cnn_experiment (guint batch)
{
  g_autofree char *json = g_strdup_printf ("{\"data\": {\"source\": \"fashion-mnist\"}, "
                                           "\"model\": {\"layers\": %s, \"activation\": \"relu\"}}", cnn_layers);
  g_autoptr(GError) error = NULL;
  TsExperiment *exp = ts_experiment_from_json (json, -1, &error);

  if (exp == NULL || !bench_set_common (exp, batch, &error))
    g_printerr ("bench: %s\n", error->message);
  return exp;
}

/* FLOPs of one sample's training step, from the layers' shapes
 * (ts_layer_output_shape): a conv computes out_C·out_H·out_W·in_C·k·k
 * multiply-adds forward, as many for the weight gradient and for the input
 * gradient (none for the first layer: the input needs no gradient); a
 * dense in·out each. 2 FLOPs a multiply-add. Pools, activations, biases
 * and the loss are left out (they are not GEMM work). For this net:
 * conv1 2·627,200 = 1.25 MFLOP forward, ×2; conv2 2·10,035,200 = 20.07
 * MFLOP, ×3; dense 3136·128 and 128·10, ×3: 65.14 MFLOP in all, 62.72 of
 * it in the conv layers (96.3%). */
static void
cnn_flops (const TsExperiment *exp, double *total, double *conv)
{
  TsShape in = { 3, { 1, 28, 28 } }, out;
  *total = *conv = 0;

  for (guint i = 0; i <= exp->model.layers->len; i++)
    {
      TsLayerSpec output = { .units = 10, .kind = TS_LAYER_DENSE };
      const TsLayerSpec *spec = i < exp->model.layers->len ? &g_array_index (exp->model.layers, TsLayerSpec, i)
                                                           : &output;
      double macs = 0, passes = i == 0 ? 2 : 3;

      if (!ts_layer_output_shape (spec, &in, &out, NULL))
        g_error ("bench: the CNN does not fit [1,28,28]");
      if (spec->kind == TS_LAYER_CONV)
        macs = (double) ts_shape_numel (&out) * in.dims[0] * spec->kernel * spec->kernel;
      else if (spec->kind == TS_LAYER_DENSE)
        macs = (double) ts_shape_numel (&in) * spec->units;
      *total += 2 * macs * passes;
      if (spec->kind == TS_LAYER_CONV)
        *conv += 2 * macs * passes;
      in = out;
    }
}

/* VmHWM of this process, kB (0 if unknown) */
static guint64
peak_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) || !(line = strstr (status, "VmHWM:")))
    return 0;
  return g_ascii_strtoull (line + 6, NULL, 10);
}

/* "5" into clear_refs resets VmHWM (Linux ≥ 4.0); written in place, not
 * through a temporary file as g_file_set_contents would */
static gboolean
reset_peak_rss (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");
  gboolean ok = f != NULL && fputs ("5", f) >= 0;

  if (f != NULL && fclose (f) != 0)
    ok = FALSE;
  return ok;
}

/* The peak RSS of one training of the CNN at batch 256 (the largest
 * workspace), the dataset and its preprocessed copy included, as
 * PyTorch's script holds its data: measured after the three runs of the
 * table are freed and the high-water mark is reset (clear_refs 5; if that
 * is refused, the mark since start, which can only overstate it). */
static guint64
cnn_peak_rss (guint samples, gboolean *reset)
{
  g_autoptr(TsExperiment) exp = cnn_experiment (256);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTraining) t = NULL;

  *reset = reset_peak_rss ();
  t = ts_training_new (exp, NULL, &error);
  if (t == NULL)
    {
      g_printerr ("bench: %s\n", error->message);
      return 0;
    }
  window (t, samples);
  return peak_rss_kb ();
}

static void
print_cnn_row (guint batch, double sps, double peak, double flops, double conv_flops, double torch_sps,
               int torch_threads)
{
  double gflops = sps * flops * 1e-9, conv_gflops = sps * conv_flops * 1e-9;

  printf ("| %u | %.0f | %.1f | %.0f%% | %.0f%% | ", batch, sps, gflops, 100 * gflops / peak,
          100 * conv_gflops / peak);
  if (torch_sps > 0)
    printf ("%.0f (%d) | %.2f× |\n", torch_sps, torch_threads, sps / torch_sps);
  else
    printf ("– | – |\n");
}

gboolean
bench_cnn (guint samples, gboolean with_torch)
{
  g_autoptr(TsExperiment) exp = cnn_experiment (128);
  Rate peak, sps[N_BATCH_SIZES] = { { 0 } }, torch_sps[N_BATCH_SIZES] = { { 0 } };
  int torch_threads[N_BATCH_SIZES] = { 0 };
  guint64 ours_kb, torch_kb = 0;
  double flops, conv_flops;
  gboolean reset;

  if (exp == NULL)
    return FALSE;
  cnn_flops (exp, &flops, &conv_flops);
  if (!measure_all (cnn_experiment, samples, sps, &peak))
    return FALSE;
  ours_kb = cnn_peak_rss (samples / ROUNDS, &reset);
  if (with_torch && !run_torch ("cnn", samples, torch_sps, torch_threads, &torch_kb))
    g_printerr ("bench: the PyTorch reference did not run; is python3-torch installed?\n");
  printf ("\nCNN conv 5×5 32 same → max pool 2 → conv 5×5 64 same → max pool 2 → dense 128 → 10, momentum SGD: "
          "%.2f MFLOP a sample a step, %.2f of it in the conv layers; OpenBLAS kernel %s, %d threads, "
          "sgemm peak %.1f GFLOP/s (median round %.1f)\n", flops * 1e-6, conv_flops * 1e-6, ts_blas_core (),
          ts_blas_threads (), peak.best, peak.median);
  printf ("\n| batch | Trainscope samples/s | GFLOP/s | of peak | conv layers (at least) | "
          "PyTorch samples/s (threads) | ratio |\n|---|---|---|---|---|---|---|\n");
  for (gsize b = 0; b < N_BATCH_SIZES; b++)
    print_cnn_row (batch_sizes[b], sps[b].best, peak.best, flops, conv_flops, torch_sps[b].best, torch_threads[b]);
  printf ("\nthe median rounds (peak, Trainscope, PyTorch):\n\n");
  for (gsize b = 0; b < N_BATCH_SIZES; b++)
    print_cnn_row (batch_sizes[b], sps[b].median, peak.median, flops, conv_flops, torch_sps[b].median,
                   torch_threads[b]);
  printf ("\n\"conv layers\" is the conv layers' FLOPs at the whole step's rate: their own rate is at least this. "
          "FLOPs are the direct convolution's: the second conv runs as Winograd F(2×2, 5×5), 2.8× fewer multiplies, "
          "so its rate is effective and may pass 100%%.\n");
  printf ("peak RSS: Trainscope %.0f MB (one training at batch 256%s), PyTorch %.0f MB (its process, "
          "all its runs)\n", ours_kb / 1024.0, reset ? "" : "; the high-water mark could not be reset: since start",
          torch_kb / 1024.0);
  return TRUE;
}
