/* The conv engine's own throughput on the CNN of issue #13 — conv 5×5 32
 * same → max pool 2 → conv 5×5 64 same → max pool 2 → dense 128 → 10 on
 * Fashion-MNIST [1,28,28], momentum SGD — through the team step directly
 * (no experiment file, no data pipeline: batches are consecutive samples),
 * with the sgemm peak measured in the same rounds; and with --profile the
 * single-threaded time of each conv GEMM pass, the shapes the speed work
 * is about. bench-train measures the same net through the trainer beside
 * PyTorch.
 *
 *   build/tests/bench/bench-conv [--batch B] [--seconds S] [--rounds R] [--profile]
 */
#include <trainscope.h>
#include "ts-net-private.h"
#include "ts-conv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const TsLayerSpec cnn[] = {
  { .kind = TS_LAYER_CONV, .units = 32, .kernel = 5, .stride = 1, .padding = TS_PADDING_SAME, .activation = TS_ACT_RELU },
  { .kind = TS_LAYER_POOL, .pool = TS_POOL_MAX, .kernel = 2, .stride = 2 },
  { .kind = TS_LAYER_CONV, .units = 64, .kernel = 5, .stride = 1, .padding = TS_PADDING_SAME, .activation = TS_ACT_RELU },
  { .kind = TS_LAYER_POOL, .pool = TS_POOL_MAX, .kernel = 2, .stride = 2 },
  { 128, TS_ACT_RELU },
};

/* multiply-adds ×2 per sample and step: forward, weight gradients, and
 * input gradients of every layer but the first; conv layers apart */
static void
flops_per_sample (const TsNet *net, double *all, double *conv)
{
  *all = *conv = 0;
  for (guint l = 0; l < net->n_layers; l++)
    {
      const TsNetLayer *layer = &net->layers[l];
      double fwd;
      if (layer->kind == TS_LAYER_CONV)
        fwd = 2.0 * layer->out * layer->in_shape.dims[0] * layer->kernel * layer->kernel;
      else if (layer->kind == TS_LAYER_DENSE)
        fwd = 2.0 * layer->out * layer->in;
      else
        continue;
      fwd *= l > 0 ? 3 : 2;
      *all += fwd;
      if (layer->kind == TS_LAYER_CONV)
        *conv += fwd;
    }
}

static double
now (void)
{
  return g_get_monotonic_time () * 1e-6;
}

/* this thread's CPU time: the single-threaded profile counts only the
 * time it ran, on a machine whose other jobs take the cores now and then */
static double
cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* sgemm 1024³ in this thread, best of three, GFLOP/s of CPU time */
static double
single_peak (void)
{
  enum { N = 1024 };
  float *a = g_new (float, N * N), *b = g_new (float, N * N), *c = g_new0 (float, N * N);
  double best = 0;

  for (gsize i = 0; i < (gsize) N * N; i++)
    a[i] = b[i] = (float) (i % 7) * 0.1f;
  for (int r = 0; r < 4; r++)
    {
      double t = cpu_now ();
      ts_sgemm (FALSE, FALSE, N, N, N, 1.f, a, N, b, N, 0.f, c, N);
      t = cpu_now () - t;
      if (r > 0)
        best = MAX (best, 2.0 * N * N * N / t * 1e-9);
    }
  g_free (a);
  g_free (b);
  g_free (c);
  return best;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

typedef struct {
  TsNet       *net;
  TsTeam      *team;
  TsOptimizer *opt;
  const TsDataset *data;
  guint        B;
  guint        next;
  guint32     *labels;
} Run;

static void
step (Run *r)
{
  TsStepConfig cfg = { r->opt, TS_LOSS_SOFTMAX, 0.01f, 0, 0, 0, FALSE };
  guint start = r->next;

  if (start + r->B > r->data->n)
    start = 0;
  r->next = start + r->B;
  ts_net_train_step (r->net, r->team, &cfg, r->data->x + (gsize) start * r->data->dim, r->data->y + start, r->B,
                     start, NULL);
}

static double
process_cpu (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* samples/s by the clock; *per_cpu: samples per CPU-second of the process
 * times the team's threads — what the team would do with its cores to
 * itself, on a machine shared with other jobs */
static double
window (Run *r, double seconds, double *per_cpu)
{
  guint steps = 0;
  double t0, c0;

  for (int i = 0; i < 3; i++)
    step (r);
  t0 = now ();
  c0 = process_cpu ();
  while (now () - t0 < seconds)
    step (r), steps++;
  *per_cpu = steps * r->B / (process_cpu () - c0) * ts_team_size (r->team);
  return steps * r->B / (now () - t0);
}

/* the best of five runs of one pass, in seconds */
typedef enum { PASS_FORWARD, PASS_WEIGHTS, PASS_INPUTS } Pass;

static double
time_pass (Pass pass, gboolean wino, const TsConvGeom *g, guint group, TsNet *net, guint l, const float *in, guint B,
           float *scratch, float *dw, float *db)
{
  const TsNetLayer *layer = &net->layers[l];
  double best = G_MAXDOUBLE;

  for (int rep = 0; rep < 5; rep++)
    {
      double t = cpu_now ();
      const float *w = net->params + layer->w;
      if (pass == PASS_FORWARD && wino)
        ts_conv_winograd_forward (g, group, net->z[l], in, w, net->params + layer->b, 0, B, scratch);
      else if (pass == PASS_FORWARD)
        ts_conv_im2col_forward (g, group, net->z[l], in, w, net->params + layer->b, 0, B, scratch);
      else if (pass == PASS_WEIGHTS && wino)
        ts_conv_winograd_weight_gradients (g, group, dw, db, net->d[l], in, 0, B, scratch);
      else if (pass == PASS_WEIGHTS)
        ts_conv_im2col_weight_gradients (g, group, dw, db, net->d[l], in, 0, B, scratch);
      else if (wino)
        ts_conv_winograd_input_gradients (g, group, net->d[l - 1], net->d[l], w, 0, B, scratch);
      else
        ts_conv_im2col_input_gradients (g, group, net->d[l - 1], net->d[l], w, 0, B, scratch);
      best = MIN (best, cpu_now () - t);
    }
  return best;
}

/* the GEMMs alone, as ts-conv.c calls them for B samples in groups of n:
 * what im2col, col2im and the copies add is the rest */
static void
gemm_only (const TsConvGeom *g, guint n, guint B, double peak1)
{
  gsize ld = (gsize) n * g->P;
  float *w = g_new0 (float, (gsize) g->F * g->K), *col = g_new0 (float, g->K * ld), *z = g_new0 (float, g->F * ld);
  double t[3];

  for (int pass = 0; pass < 3; pass++)
    {
      double best = G_MAXDOUBLE;
      for (int rep = 0; rep < 3; rep++)
        {
          double t0 = cpu_now ();
          for (guint s = 0; s < B; s += n)
            if (pass == 0)
              ts_sgemm (FALSE, FALSE, g->F, ld, g->K, 1.f, w, g->K, col, ld, 0.f, z, ld);
            else if (pass == 1)
              ts_sgemm (FALSE, TRUE, g->F, g->K, ld, 1.f, z, ld, col, ld, 1.f, w, g->K);
            else
              ts_sgemm (TRUE, FALSE, g->K, ld, g->F, 1.f, w, g->K, z, ld, 0.f, col, ld);
          best = MIN (best, cpu_now () - t0);
        }
      t[pass] = best;
    }
  printf ("        GEMMs alone, group %2u: forward %3.0f%%, weights %3.0f%%, inputs %3.0f%%\n", n,
          100 * 2.0 * g->F * g->K * g->P * B * 1e-9 / t[0] / peak1,
          100 * 2.0 * g->F * g->K * g->P * B * 1e-9 / t[1] / peak1,
          100 * 2.0 * g->F * g->K * g->P * B * 1e-9 / t[2] / peak1);
  g_free (w);
  g_free (col);
  g_free (z);
}

/* single-threaded: each conv layer's three passes on one batch, at several group sizes */
static void
profile (TsNet *net, const TsDataset *data, guint B)
{
  static const guint groups[] = { 1, 2, 4, 8, 16 };
  gsize most = 0;
  float *scratch, *dw = g_new (float, net->n_params), *db = g_new (float, 1024);
  double peak1;
  const float *x = data->x;

  for (guint l = 0; l < net->n_layers; l++)
    if (net->layers[l].kind == TS_LAYER_CONV)
      {
        TsConvGeom g;
        const TsNetLayer *layer = &net->layers[l];
        ts_conv_geom_init (&g, (guint) layer->in_shape.dims[0], (guint) layer->in_shape.dims[1],
                           (guint) layer->in_shape.dims[2], layer->channels, layer->kernel, layer->stride, layer->pad);
        most = MAX (most, ts_conv_im2col_scratch_floats (&g, 16));
        if (ts_conv_winograd_fits (&g))
          most = MAX (most, ts_conv_winograd_scratch_floats (&g, 16));
      }
  scratch = g_new0 (float, most);
  peak1 = single_peak ();
  printf ("single-thread sgemm peak %.1f GFLOP/s (thread CPU time); batch %u; %% of it counts the direct "
          "convolution's FLOPs, so Winograd's (2.8× fewer multiplies for 5×5) may pass 100%%\n", peak1, B);
  ts_net_forward (net, x, B, TRUE, 1);
  for (guint l = 0; l < net->n_layers; l++)
    {
      const TsNetLayer *layer = &net->layers[l];
      const float *in = l ? net->y[l - 1] : x;
      TsConvGeom g;
      double flops;

      if (layer->kind != TS_LAYER_CONV)
        continue;
      ts_conv_geom_init (&g, (guint) layer->in_shape.dims[0], (guint) layer->in_shape.dims[1],
                         (guint) layer->in_shape.dims[2], layer->channels, layer->kernel, layer->stride, layer->pad);
      flops = 2.0 * g.F * g.K * g.P * B * 1e-9;
      printf ("layer %u (F %u, K %u, P %u): the dispatch takes %s, group %u\n", l, g.F, g.K, g.P,
              ts_conv_winograd_pays (&g) ? "Winograd" : "im2col", layer->group);
      for (int wino = 0; wino <= (int) ts_conv_winograd_fits (&g); wino++)
        for (gsize gi = 0; gi < G_N_ELEMENTS (groups); gi++)
          {
            guint group = groups[gi];
            double f = time_pass (PASS_FORWARD, wino, &g, group, net, l, in, B, scratch, dw, db);
            double w = time_pass (PASS_WEIGHTS, wino, &g, group, net, l, in, B, scratch, dw, db);
            double i = l ? time_pass (PASS_INPUTS, wino, &g, group, net, l, in, B, scratch, dw, db) : 0;
            gsize floats = wino ? ts_conv_winograd_scratch_floats (&g, group) : ts_conv_im2col_scratch_floats (&g, group);
            printf ("  %-8s group %2u (%5.2f MB): forward %6.2f ms %3.0f%%, weights %6.2f ms %3.0f%%",
                    wino ? "Winograd" : "im2col", group, floats * 4e-6, f * 1e3, 100 * flops / f / peak1, w * 1e3,
                    100 * flops / w / peak1);
            if (l)
              printf (", inputs %6.2f ms %3.0f%%", i * 1e3, 100 * flops / i / peak1);
            printf ("\n");
            if (!wino)
              gemm_only (&g, group, B, peak1);
          }
    }
  g_free (scratch);
  g_free (dw);
  g_free (db);
}

int
main (int argc, char **argv)
{
  static const guint batches[] = { 64, 128, 256 };
  guint only = 0, rounds = 3;
  double seconds = 3;
  gboolean with_profile = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  TsSplits splits = { 0 };
  TsShape input = { 3, { 1, 28, 28 } };

  ts_blas_ensure_kernel (argv);
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--batch") == 0 && i + 1 < argc)
      only = (guint) atoi (argv[++i]);
    else if (strcmp (argv[i], "--seconds") == 0 && i + 1 < argc)
      seconds = atof (argv[++i]);
    else if (strcmp (argv[i], "--rounds") == 0 && i + 1 < argc)
      rounds = (guint) atoi (argv[++i]);
    else if (strcmp (argv[i], "--profile") == 0)
      with_profile = TRUE;
  if (!ts_experiment_set (exp, "data.source", "fashion-mnist", &error)
      || !ts_experiment_set (exp, "data.val_fraction", "0", &error) || !ts_splits_load (exp, &splits, NULL, &error))
    {
      g_printerr ("bench-conv: %s\n", error->message);
      return 1;
    }
  ts_blas_set_threads (0);
  for (gsize b = 0; b < G_N_ELEMENTS (batches); b++)
    {
      guint B = batches[b];
      g_autoptr(TsNet) net = NULL;
      g_autoptr(TsTeam) team = ts_team_new (ts_blas_threads ());
      g_autoptr(TsOptimizer) opt = NULL;
      double rates[16], peaks[16], cpu_rates[16], all, conv, peak1;
      TsRng rng;
      Run run;

      if (only && B != only)
        continue;
      net = ts_net_new_shaped (&input, cnn, G_N_ELEMENTS (cnn), TS_ACT_RELU, 0, 0, 10, B);
      opt = ts_optimizer_new (TS_OPT_MOMENTUM, ts_net_n_params (net), 0.9);
      ts_rng_init (&rng, 1, 1);
      ts_net_init (net, TS_INIT_HE, 0, &rng);
      flops_per_sample (net, &all, &conv);
      if (with_profile)
        profile (net, splits.train, B);
      run = (Run) { net, team, opt, splits.train, B, 0, NULL };
      rounds = MIN (rounds, 16);
      for (guint r = 0; r < rounds; r++)
        {
          peaks[r] = ts_blas_peak_gflops (1536, 3);
          g_usleep (300000);
          rates[r] = window (&run, seconds, &cpu_rates[r]);
        }
      qsort (rates, rounds, sizeof (double), compare_double);
      qsort (cpu_rates, rounds, sizeof (double), compare_double);
      peak1 = single_peak ();
      qsort (peaks, rounds, sizeof (double), compare_double);
      printf ("batch %u, %u threads: best %.0f samples/s (median %.0f); %.1f MFLOP/sample (conv %.1f); "
              "%.1f GFLOP/s = %.0f%% of the sgemm peak %.1f (conv layers' share of the time not separated); "
              "im2col buffer %.2f MB per thread, partial sums %.2f MB\n",
              B, ts_team_size (team), rates[rounds - 1], rates[rounds / 2], all * 1e-6, conv * 1e-6,
              rates[rounds - 1] * all * 1e-9, 100 * rates[rounds - 1] * all * 1e-9 / peaks[rounds - 1],
              peaks[rounds - 1], net->scratch_floats * 4e-6, net->partial_floats * 4e-6);
      printf ("  by CPU time: %.0f samples/s for %u cores to themselves (median %.0f) = %.0f%% of %u × the "
              "single-thread peak %.1f GFLOP/s\n", cpu_rates[rounds - 1], ts_team_size (team), cpu_rates[rounds / 2],
              100 * cpu_rates[rounds - 1] * all * 1e-9 / (peak1 * ts_team_size (team)), ts_team_size (team), peak1);
    }
  ts_splits_clear (&splits);
  return 0;
}
