/* ts-probe.h — the initialisation experiment (CS231n): push data through a
 * deep, wide net without training it and watch what each init scheme and
 * activation does to the activations and the gradients, layer by layer.
 *
 *   TsProbeSpec spec = { .layers = 10, .width = 500, .samples = 1000, .init_scale = 0.01 };
 *   TsProbeCell *cell = ts_probe_run (&spec, TS_INIT_XAVIER, TS_ACT_TANH, NULL, 0, &error);
 *   cell->layers[9].act_std;   // still about 0.2: xavier keeps tanh in a band
 *   spec.batchnorm = TRUE;     // small init too: batch norm keeps the spread
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
  TsHistogram weight_hist;  /* empty (no counts) for layers without weights: pools */
  TsLayerKind kind;         /* dense in the MLP probe; any in a stack's (ts-probe-stack.h) */
  TsShape     shape;        /* its output: [units] or [C,H,W] */
} TsProbeLayer;

typedef struct {
  guint   layers;     /* hidden layers; default 10 */
  guint   width;      /* units per layer; default 500 */
  guint   samples;    /* rows of Gaussian input; default 1000 */
  double  init_scale; /* σ of the small init; default 0.01 */
  guint64 seed;
  /* each hidden layer's pre-activations normalised over the probe batch
   * (per unit to mean 0, variance 1, eps 1e-5: batch norm in training mode
   * with γ = 1, β = 0) before the activation — what keeps the spread alive
   * through depth under a small init (Ioffe & Szegedy, 2015) */
  gboolean batchnorm;
} TsProbeSpec;

typedef struct {
  TsInit        init;
  TsActivation  activation;
  gboolean      batchnorm; /* probed with batch norm (the spec's) */
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

/* What a grid holds at its largest (orthogonal inits among the cells), in
 * bytes: the shared draws and each of `threads` workers' buffers.
 * in_dim: of the data input, 0 for noise (as wide as the layers). */
double       ts_probe_bytes (const TsProbeSpec *spec, guint in_dim, gboolean orthogonal, guint threads);
/* the probe's refusal when that is over the machine's share (ts-limits.h):
 * "probe: 15 layers of 10000 units over 100000 samples, on 2 threads, need
 * about 504.0 GB; …". ts_probe_grid_new checks it before it allocates. */
gboolean     ts_probe_check_memory (const TsProbeSpec *spec, guint in_dim, guint n_inits, guint n_acts,
                                    guint threads, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsProbeCell, ts_probe_cell_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsProbeGrid, ts_probe_grid_free)

G_END_DECLS
