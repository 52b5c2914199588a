/* The initialisation experiment pins the behaviour the CS231n notes show. */
#include "test-util.h"

static TsProbeCell *
probe (TsInit init, TsActivation act, double scale)
{
  TsProbeSpec spec = { 10, 200, 300, scale, 3 };
  g_autoptr(GError) error = NULL;
  TsProbeCell *cell = ts_probe_run (&spec, init, act, NULL, 0, &error);
  g_assert_no_error (error);
  return cell;
}

static void
test_tanh_small_collapses (void)
{
  g_autoptr(TsProbeCell) c = probe (TS_INIT_SMALL, TS_ACT_TANH, 0.01);
  for (guint l = 1; l < c->n_layers; l++)
    g_assert_cmpfloat (c->layers[l].act_std, <, 0.5 * c->layers[l - 1].act_std); /* shrinks layer by layer */
  g_assert_cmpfloat (c->layers[9].act_std, <, 1e-5);
}

static void
test_xavier_keeps_tanh_in_a_band (void)
{
  g_autoptr(TsProbeCell) c = probe (TS_INIT_XAVIER, TS_ACT_TANH, 0);
  for (guint l = 0; l < c->n_layers; l++)
    {
      g_assert_cmpfloat (c->layers[l].act_std, >, 0.15);
      g_assert_cmpfloat (c->layers[l].act_std, <, 0.8);
    }
}

static void
test_relu_he_keeps_scale (void)
{
  g_autoptr(TsProbeCell) c = probe (TS_INIT_HE, TS_ACT_RELU, 0);
  for (guint l = 1; l < c->n_layers; l++)
    g_assert_cmpfloat (fabs (c->layers[l].act_std / c->layers[0].act_std - 1.0), <, 0.35);
}

static void
test_relu_xavier_halves_variance (void)
{
  g_autoptr(TsProbeCell) c = probe (TS_INIT_XAVIER, TS_ACT_RELU, 0);
  double ratio = pow (c->layers[9].act_std / c->layers[0].act_std, 1.0 / 9); /* per layer */
  g_assert_cmpfloat (fabs (ratio * ratio - 0.5), <, 0.1); /* variance halves: std × 1/√2 */
}

static void
test_tanh_sigma_one_saturates (void)
{
  g_autoptr(TsProbeCell) c = probe (TS_INIT_SMALL, TS_ACT_TANH, 1.0);
  for (guint l = 1; l < c->n_layers; l++)
    g_assert_cmpfloat (c->layers[l].saturated_fraction, >, 0.6);
}

static void
test_histograms_and_gradients (void)
{
  g_autoptr(TsProbeCell) c = probe (TS_INIT_XAVIER, TS_ACT_TANH, 0);
  guint total = 0;

  for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
    total += c->layers[4].act_hist.counts[b];
  g_assert_cmpuint (total, ==, 300 * 200);
  g_assert_cmpfloat (c->layers[4].act_hist.edges[0], ==, -1.f);
  g_assert_cmpfloat (c->layers[4].weight_hist.edges[0], <, 0.f);
  for (guint l = 0; l < c->n_layers; l++)
    g_assert_cmpfloat (c->layers[l].grad_std, >, 0.f);
}

/* A grid on two threads gives each cell what a probe of that cell alone
 * gives: shared draws, weights measured once per init and copied along
 * the row, zero init's skipped products, any order of the work queue. */
static void
test_grid_cells_match_single_probes (void)
{
  const TsInit inits[] = { TS_INIT_ZERO, TS_INIT_XAVIER, TS_INIT_ORTHOGONAL };
  /* PReLU needs a net of its own; the others share one */
  const TsActivation acts[] = { TS_ACT_TANH, TS_ACT_RELU, TS_ACT_PRELU, TS_ACT_LEAKY_RELU };
  TsProbeSpec spec = { 4, 64, 200, 0.01, 9 };
  g_autoptr(GError) error = NULL;
  g_autoptr(TsProbeGrid) grid = ts_probe_grid_new (&spec, inits, 3, acts, 4, NULL, 0, 2, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (grid->n_cells, ==, 12);
  for (guint i = 0; i < 3; i++)
    for (guint a = 0; a < 4; a++)
      {
        const TsProbeCell *c = grid->cells[i * 4 + a];
        g_autoptr(TsProbeCell) alone = ts_probe_run (&spec, inits[i], acts[a], NULL, 0, &error);
        g_assert_no_error (error);
        g_assert_cmpint (c->init, ==, inits[i]);
        g_assert_cmpint (c->activation, ==, acts[a]);
        for (guint l = 0; l < spec.layers; l++)
          {
            g_assert_cmpfloat (c->layers[l].act_std, ==, alone->layers[l].act_std);
            g_assert_cmpfloat (c->layers[l].grad_std, ==, alone->layers[l].grad_std);
            g_assert_cmpfloat (c->layers[l].dead_fraction, ==, alone->layers[l].dead_fraction);
            g_assert_true (memcmp (&c->layers[l].act_hist, &alone->layers[l].act_hist, sizeof (TsHistogram)) == 0);
            g_assert_true (memcmp (&c->layers[l].weight_hist, &alone->layers[l].weight_hist, sizeof (TsHistogram))
                           == 0);
          }
      }
  /* zero init: every unit outputs act(0) — ReLU's are all dead, tanh's all 0 */
  g_assert_cmpfloat (grid->cells[1]->layers[2].dead_fraction, ==, 1.f);
  g_assert_cmpfloat (grid->cells[0]->layers[2].act_std, ==, 0.f);
}

/* The probe's Gaussian draws (eight at a time, then a scalar tail): mean,
 * spread, the share beyond 2σ and a lag-1 correlation (a cos/sin pair is
 * independent) as N(0, σ²) has them; every value finite */
static void
test_normal_draws (void)
{
  enum { N = 200003 };
  g_autofree float *v = g_new (float, N);
  double sum = 0, sq = 0, lag = 0, tail = 0;
  TsRng rng;

  ts_rng_init (&rng, 21, TS_STREAM_PROBE);
  ts_rng_normal_fill (&rng, v, N, 2.f);
  for (gsize i = 0; i < N; i++)
    {
      g_assert_true (isfinite (v[i]));
      sum += v[i], sq += (double) v[i] * v[i], tail += fabsf (v[i]) > 4.f;
      if (i > 0)
        lag += (double) v[i] * v[i - 1];
    }
  g_assert_cmpfloat (fabs (sum / N), <, 0.02);
  g_assert_cmpfloat (fabs (sqrt (sq / N) / 2.0 - 1.0), <, 0.01);
  g_assert_cmpfloat (fabs (tail / N - 0.0455), <, 0.003); /* P(|z| > 2) */
  g_assert_cmpfloat (fabs (lag / N / 4.0), <, 0.01);
}

/* Issue 12, the BN rescue: under the small init (σ = 0.01) the spread dies
 * out through 10 layers of 500 units; with each layer's pre-activations
 * normalised over the batch it stays what one layer of the activation
 * gives N(0, 1) (tanh: 0.627; ReLU: √(½ − 1/2π) = 0.584) down to layer 10.
 * Measured at the CLI's defaults (seed 7): tanh 0.2130 → 2.995e-7 without,
 * 0.6281 → 0.6295 with; ReLU 0.1302 → 7.70e-9 without, 0.5834 → 0.5861 with. */
static void
test_batchnorm_rescues_small_init (void)
{
  const TsActivation acts[] = { TS_ACT_TANH, TS_ACT_RELU };
  const double first_off[] = { 0.2130, 0.1302 }, last_off[] = { 2.995e-7, 7.70e-9 };
  const double first_on[] = { 0.6281, 0.5834 }, last_on[] = { 0.6295, 0.5861 };

  for (guint a = 0; a < G_N_ELEMENTS (acts); a++)
    {
      TsProbeSpec spec = { 10, 500, 1000, 0.01, 7, FALSE };
      g_autoptr(GError) error = NULL;
      g_autoptr(TsProbeCell) off = ts_probe_run (&spec, TS_INIT_SMALL, acts[a], NULL, 0, &error);
      g_autoptr(TsProbeCell) on = NULL, he_on = NULL;

      g_assert_no_error (error);
      spec.batchnorm = TRUE;
      on = ts_probe_run (&spec, TS_INIT_SMALL, acts[a], NULL, 0, &error);
      he_on = ts_probe_run (&spec, TS_INIT_HE, acts[a], NULL, 0, &error);
      g_assert_no_error (error);
      g_assert_false (off->batchnorm);
      g_assert_true (on->batchnorm);
      /* without: collapses, by about 5× (tanh) or 7× (ReLU) a layer */
      g_assert_cmpfloat (fabs (off->layers[0].act_std / first_off[a] - 1), <, 0.05);
      g_assert_cmpfloat (off->layers[9].act_std, <, 3 * last_off[a]);
      g_assert_cmpfloat (off->layers[9].act_std, <, 1e-5 * off->layers[0].act_std);
      /* with: layer 10 within 1% of layer 1, both at the pinned values */
      for (guint l = 0; l < 10; l++)
        g_assert_cmpfloat (fabs (on->layers[l].act_std / on->layers[0].act_std - 1), <, 0.01);
      g_assert_cmpfloat (fabs (on->layers[0].act_std - first_on[a]), <, 0.005);
      g_assert_cmpfloat (fabs (on->layers[9].act_std - last_on[a]), <, 0.005);
      g_assert_cmpfloat (fabs (on->layers[9].act_mean), <, acts[a] == TS_ACT_TANH ? 0.01 : 0.5);
      /* batch norm undoes the init's scale, forward and backward: the
       * small and the he cell see the same spreads and the same gradients */
      for (guint l = 0; l < 10; l++)
        {
          g_assert_cmpfloat (fabs (he_on->layers[l].act_std / on->layers[l].act_std - 1), <, 0.01);
          g_assert_cmpfloat (fabs (he_on->layers[l].grad_std / on->layers[l].grad_std - 1), <, 0.02);
          g_assert_cmpfloat (on->layers[l].grad_std, >, 1e-4); /* without: 4e-11 at layer 1 (tanh) */
        }
      g_assert_cmpfloat (off->layers[0].grad_std, <, 1e-9);
    }
}

/* The experiment's own conv stack on a batch of Fashion-MNIST (each
 * conv layer's fan_in C·k·k): He keeps the spread of ReLU conv layers about
 * constant with depth; small (σ = 0.01) shrinks it layer after layer */
static void
test_stack_conv_trend (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TsProbeBatch) batch = NULL;
  g_autoptr(TsProbeGrid) grid = NULL;
  const TsInit inits[] = { TS_INIT_SMALL, TS_INIT_HE };
  const TsActivation acts[] = { TS_ACT_RELU };
  const guint convs[] = { 0, 2, 3, 4 }; /* model.layers entries that are conv layers */

  if (!g_file_test (TS_FASHION_MNIST_DIR, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no Fashion-MNIST in " TS_FASHION_MNIST_DIR);
      return;
    }
  g_assert_true (ts_experiment_set (exp, "data.source", "fashion-mnist", &error));
  g_assert_true (ts_experiment_set (exp, "data.limit", "2000", &error));
  g_assert_true (ts_experiment_set (exp, "model.layers",
                                    "conv16x3/same,maxpool2,conv16x3/same,conv16x3/same,conv16x3/same,32", &error));
  g_assert_no_error (error);
  batch = ts_probe_batch_load (exp, 128, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (batch->rows->n, ==, 128);
  g_assert_cmpuint (batch->input.ndim, ==, 3);
  grid = ts_probe_stack_new (exp, batch, inits, 2, acts, 1, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (grid->n_cells, ==, 2);
  for (guint c = 0; c < 2; c++)
    {
      const TsProbeCell *cell = grid->cells[c];
      g_assert_cmpuint (cell->n_layers, ==, 6);
      g_assert_cmpint (cell->layers[0].kind, ==, TS_LAYER_CONV);
      g_assert_cmpint (cell->layers[1].kind, ==, TS_LAYER_POOL);
      g_assert_cmpint (cell->layers[5].kind, ==, TS_LAYER_DENSE);
      g_assert_cmpuint (cell->layers[2].shape.ndim, ==, 3);
      g_assert_cmpuint (cell->layers[2].shape.dims[0], ==, 16);
      g_assert_cmpuint (cell->layers[2].shape.dims[1], ==, 14);
      /* the weights drawn: 16 filters of 1·3·3 in the first conv, 16·3·3 after; a pool has none */
      {
        guint64 n0 = 0, n2 = 0, n1 = 0;
        for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
          n0 += cell->layers[0].weight_hist.counts[b], n1 += cell->layers[1].weight_hist.counts[b],
            n2 += cell->layers[2].weight_hist.counts[b];
        g_assert_cmpuint (n0, ==, 16 * 9);
        g_assert_cmpuint (n2, ==, 16 * 16 * 9);
        g_assert_cmpuint (n1, ==, 0);
      }
      for (guint k = 0; k < G_N_ELEMENTS (convs); k++)
        g_test_message ("%s: conv layer %u act std %.4g, grad std %.3g", ts_init_name (cell->init), convs[k] + 1,
                        cell->layers[convs[k]].act_std, cell->layers[convs[k]].grad_std);
    }
  {
    const TsProbeCell *small = grid->cells[0], *he = grid->cells[1];
    g_assert_cmpint (he->init, ==, TS_INIT_HE);
    /* He: each conv layer within a factor 1.5 of the one before */
    for (guint k = 1; k < G_N_ELEMENTS (convs); k++)
      {
        double ratio = he->layers[convs[k]].act_std / he->layers[convs[k - 1]].act_std;
        g_assert_cmpfloat (ratio, >, 1 / 1.5);
        g_assert_cmpfloat (ratio, <, 1.5);
      }
    /* small: every conv layer's spread under a fifth of the one before
     * (σ·√(fan_in/2) ≈ 0.01·√72 ≈ 0.085 a layer) */
    for (guint k = 2; k < G_N_ELEMENTS (convs); k++)
      g_assert_cmpfloat (small->layers[convs[k]].act_std, <, 0.2 * small->layers[convs[k - 1]].act_std);
    g_assert_cmpfloat (small->layers[convs[3]].act_std, <, 1e-3 * he->layers[convs[3]].act_std);
  }
}

/* conv layers on 2-D points: refused before anything is probed, naming the entry */
static void
test_stack_conv_on_points (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ts_experiment_set (exp, "model.layers", "conv8x3/same,16", &error));
  g_assert_null (ts_probe_batch_load (exp, 64, NULL, &error));
  g_assert_error (error, TS_ERROR, TS_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "model.layers[0]"));
  g_assert_nonnull (strstr (error->message, "2-D point data"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/probe/tanh-small-collapses", test_tanh_small_collapses);
  g_test_add_func ("/core/probe/xavier-tanh-band", test_xavier_keeps_tanh_in_a_band);
  g_test_add_func ("/core/probe/relu-he-keeps-scale", test_relu_he_keeps_scale);
  g_test_add_func ("/core/probe/relu-xavier-halves", test_relu_xavier_halves_variance);
  g_test_add_func ("/core/probe/tanh-sigma-one-saturates", test_tanh_sigma_one_saturates);
  g_test_add_func ("/core/probe/histograms", test_histograms_and_gradients);
  g_test_add_func ("/core/probe/grid-cells-match-single-probes", test_grid_cells_match_single_probes);
  g_test_add_func ("/core/probe/normal-draws", test_normal_draws);
  g_test_add_func ("/core/probe/batchnorm-rescues-small-init", test_batchnorm_rescues_small_init);
  g_test_add_func ("/core/probe/stack-conv-trend", test_stack_conv_trend);
  g_test_add_func ("/core/probe/stack-conv-on-points", test_stack_conv_on_points);
  return g_test_run ();
}
