#include "ts-probe.h"
#include "ts-error.h"
#include "ts-net.h"
#include "ts-stats.h"

#include <math.h>
#include <string.h>

void
ts_probe_cell_free (TsProbeCell *cell)
{
  if (cell == NULL)
    return;
  g_free (cell->layers);
  g_free (cell);
}

static float
std_of (const float *v, gsize n)
{
  double s = 0, sq = 0;
  for (gsize i = 0; i < n; i++)
    s += v[i], sq += (double) v[i] * v[i];
  return (float) sqrt (MAX (sq / n - pow (s / n, 2), 0));
}

TsProbeCell *
ts_probe_run (const TsProbeSpec *spec, TsInit init, TsActivation act, const float *input, guint in_dim, GError **error)
{
  guint layers = spec->layers ? spec->layers : 10, width = spec->width ? spec->width : 500;
  guint samples = spec->samples ? spec->samples : 1000;
  g_autofree TsLayerSpec *hidden = g_new (TsLayerSpec, layers);
  g_autofree float *x = NULL;
  g_autoptr(TsNet) net = NULL;
  TsStatsRecord stats;
  TsProbeCell *cell;
  TsRng rng;

  if (layers > TS_STATS_MAX_LAYERS - 1 || width > 10000 || samples > 100000)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "probe: at most %d layers of 10000 units and 100000 samples",
                   TS_STATS_MAX_LAYERS - 1);
      return NULL;
    }
  for (guint l = 0; l < layers; l++)
    hidden[l] = (TsLayerSpec) { width, act };
  in_dim = input ? in_dim : width;
  net = ts_net_new (in_dim, hidden, layers, act, 0.01f, 0.f, 10, samples);
  ts_rng_init (&rng, spec->seed, TS_STREAM_INIT);
  ts_net_init_fast (net, init, spec->init_scale > 0 ? spec->init_scale : 0.01, &rng);
  if (input == NULL)
    {
      x = g_new (float, (gsize) samples * in_dim);
      ts_rng_normal_fill (&rng, x, (gsize) samples * in_dim, 1.f);
    }
  /* forward; then a random gradient at the logits, pushed back to the input */
  ts_net_forward (net, input ? input : x, samples, FALSE, 0);
  ts_rng_normal_fill (&rng, ts_net_dlogits (net), (gsize) samples * 10, 1.f / samples);
  ts_net_backward_signal (net, input ? input : x, samples);
  ts_stats_measure (net, samples, NULL, 0, &stats);

  cell = g_new0 (TsProbeCell, 1);
  cell->init = init;
  cell->activation = act;
  cell->n_layers = layers;
  cell->layers = g_new0 (TsProbeLayer, layers);
  for (guint l = 0; l < layers; l++)
    {
      TsProbeLayer *p = &cell->layers[l];
      gsize n = (gsize) samples * width;
      p->act_mean = stats.layers[l].act_mean;
      p->act_std = stats.layers[l].act_std;
      p->dead_fraction = stats.layers[l].dead_fraction;
      p->saturated_fraction = stats.layers[l].saturated_fraction;
      p->grad_std = std_of (net->d[l], n);
      p->act_hist = stats.layers[l].hist[TS_HIST_ACTIVATIONS];
      p->weight_hist = stats.layers[l].hist[TS_HIST_WEIGHTS];
    }
  return cell;
}
