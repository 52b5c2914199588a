/* ts-limits.h — what an experiment or a probe will hold in memory, estimated
 * before any of it is allocated, and refused with the estimate when it does
 * not fit: an allocation that fails aborts the process (g_malloc), so a size
 * nobody checked is a crash, not an error.
 *
 *   TsFootprint f = ts_experiment_footprint (exp, in_dim, n_classes);
 *   if (!ts_experiment_check_memory (exp, in_dim, n_classes, &error))
 *     // error->message: "model.layers: 1000009000003 parameters … need about
 *     //                  24002.3 GB; this machine has 25.3 GB (a run may use half)"
 *
 * The arithmetic is in doubles, so no product of sizes can wrap around. */
#pragma once

#include "ts-experiment.h"

G_BEGIN_DECLS

/* A run's share of the machine: half its physical memory (the rest is the
 * GUI's, the data's and the other runs'). */
#define TS_MEMORY_SHARE 0.5

typedef struct {
  double params;      /* trained parameters (weights, biases, PReLU slopes, γ and β) */
  double param_bytes; /* parameters, gradients, optimizer state, the update
                       * copy and the published snapshot */
  double act_bytes;   /* per batch row every layer's buffers, at the larger of
                       * batch_size and the evaluation chunk */
  double stats_bytes; /* the layer-statistics log over the whole run */
  double bytes;       /* all of it */
} TsFootprint;

/* Physical memory in bytes (0 when the system does not say). */
double      ts_memory_physical (void);

/* in_dim, n_classes: of the data (before loading, 1 and 2 give a lower
 * bound). stats_bytes is left 0: the statistics log depends on the run's
 * length, which the trainer adds (ts_stats_log_bytes) once the data is in. */
TsFootprint ts_experiment_footprint (const TsExperiment *exp, guint in_dim, guint n_classes);
/* The same for samples of that shape ([C,H,W] images or [n] vectors):
 * conv and pool activations are C·H·W floats per row for z, a, the
 * output and its gradient; conv weights [out,in,k,k]; batch norm per
 * channel; and per thread im2col columns of 8 samples (and their
 * gradient) for the widest conv. Layers whose shape does not work out
 * (an image layer on a vector) end the count: a lower bound. */
TsFootprint ts_experiment_footprint_shaped (const TsExperiment *exp, const TsShape *input, guint n_classes);

/* FALSE and an error naming the key that makes it large (model.layers, or
 * train.batch_size when the activations outweigh the parameters) when the
 * footprint is over TS_MEMORY_SHARE of the machine. */
gboolean    ts_experiment_check_memory (const TsExperiment *exp, guint in_dim, guint n_classes, GError **error);
/* The same for a footprint the caller completed (with its statistics log). */
gboolean    ts_experiment_check_footprint (const TsExperiment *exp, const TsFootprint *footprint, GError **error);

/* The same refusal for any other estimate: "KEY: WHAT need about X GB;
 * this machine has Y GB (a run may use half)". */
gboolean    ts_check_memory (const char *key, const char *what, double bytes, GError **error);

G_END_DECLS
