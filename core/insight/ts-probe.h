/* ts-probe.h — the initialisation experiment (CS231n): push data through a
 * deep, wide net without training it and watch what each init scheme and
 * activation does to the activations and the gradients, layer by layer.
 *
 *   TsProbeSpec spec = { .layers = 10, .width = 500, .samples = 1000, .init_scale = 0.01 };
 *   TsProbeCell *cell = ts_probe_run (&spec, TS_INIT_XAVIER, TS_ACT_TANH, NULL, 0, &error);
 *   cell->layers[9].act_std;   // still about 0.2: xavier keeps tanh in a band
 */
#pragma once

#include "ts-experiment.h"
#include "ts-stats.h"

G_BEGIN_DECLS

typedef struct {
  float       act_mean;
  float       act_std;
  float       dead_fraction;
  float       saturated_fraction;
  float       grad_std;     /* of ∂L/∂z, the gradient reaching this layer */
  TsHistogram act_hist;
  TsHistogram weight_hist;
} TsProbeLayer;

typedef struct {
  guint   layers;     /* hidden layers; default 10 */
  guint   width;      /* units per layer; default 500 */
  guint   samples;    /* rows of Gaussian input; default 1000 */
  double  init_scale; /* σ of the small init; default 0.01 */
  guint64 seed;
} TsProbeSpec;

typedef struct {
  TsInit        init;
  TsActivation  activation;
  guint         n_layers;
  TsProbeLayer *layers; /* from the input */
} TsProbeCell;

typedef struct {
  guint         n_cells;
  guint         n_acts;
  TsProbeCell **cells; /* [init * n_acts + activation] */
} TsProbeGrid;

/* Every init × activation cell, spread over `threads` threads (the caller's
 * among them). The cells share their random draws: the same input, the
 * same N(0, 1) matrices under every init (scaled by its σ, or
 * orthonormalised), the same gradient at the logits.
 * input: samples × in_dim rows of data, or NULL for N(0, 1) noise of width dims. */
TsProbeGrid *ts_probe_grid_new (const TsProbeSpec *spec, const TsInit *inits, guint n_inits,
                                const TsActivation *acts, guint n_acts, const float *input, guint in_dim,
                                guint threads, GError **error);
void         ts_probe_grid_free (TsProbeGrid *grid);
/* one cell: a grid of one */
TsProbeCell *ts_probe_run (const TsProbeSpec *spec, TsInit init, TsActivation act, const float *input, guint in_dim,
                           GError **error);
void         ts_probe_cell_free (TsProbeCell *cell);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsProbeCell, ts_probe_cell_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsProbeGrid, ts_probe_grid_free)

G_END_DECLS
