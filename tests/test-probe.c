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
  return g_test_run ();
}
