/* ts-probe-stack.h — the initialisation probe (ts-probe.h) on an
 * experiment's own layer stack — conv, pool, batch norm, dense, as
 * model.layers lists them — fed a batch of its own data after its
 * preprocessing, instead of an MLP on Gaussian noise. Each cell is the
 * stack under one init scheme (fan_in = C·k·k for a conv layer) and one
 * activation (for every layer: per-layer overrides give way), forward and
 * backward from the softmax loss of the batch's labels, untrained.
 *
 *   g_autoptr(TsProbeBatch) batch = ts_probe_batch_load (exp, 256, ctx, &error);
 *   g_autoptr(TsProbeGrid) grid = ts_probe_stack_new (exp, batch, inits, 2, acts, 1, threads, &error);
 *   grid->cells[0]->layers[2].act_std;   // model.layers[2]'s output spread
 */
#pragma once

#include "ts-dataset.h"
#include "ts-experiment.h"
#include "ts-load-context.h"
#include "ts-probe.h"

G_BEGIN_DECLS

#define TS_PROBE_STACK_SAMPLES 256 /* rows of data by default: a conv layer's maps are large */

typedef struct {
  TsDataset *rows;      /* (n, in_dim) preprocessed rows spread over the training split, their labels */
  TsShape    input;     /* as the net sees a row: [C,H,W] or [D] */
  guint      n_classes;
  char      *source;    /* data.source, for messages */
} TsProbeBatch;

/* Loads data.source (progress and cancelling through ctx), holds out the
 * validation split and fits the preprocessing on the rest as a run would
 * (augmentation left out), checks every layer against the data's shape
 * (the error names the entry, e.g. conv layers on 2-D points) and keeps
 * `samples` rows spread evenly over the training split. */
TsProbeBatch *ts_probe_batch_load (const TsExperiment *exp, guint samples, const TsLoadContext *ctx,
                                   GError **error);
void          ts_probe_batch_free (TsProbeBatch *batch);

/* Every init × activation cell, `threads` at a time, each a net of its own
 * built from exp's model.layers (model.init_from and dropout left out),
 * initialised from the same stream. A cell's layers are model.layers'
 * entries in order (the output layer left out); pools have no weight
 * histogram. Refused with the estimate when the nets would not fit in
 * memory. */
TsProbeGrid  *ts_probe_stack_new (const TsExperiment *exp, const TsProbeBatch *batch, const TsInit *inits,
                                  guint n_inits, const TsActivation *acts, guint n_acts, guint threads,
                                  GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsProbeBatch, ts_probe_batch_free)

G_END_DECLS
