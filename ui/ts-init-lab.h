/* ts-init-lab.h — the initialisation experiment as a page: choose depth,
 * width, activations and init schemes; a probe (forward and backward, no
 * training) fills a grid of cells with per-layer activation histograms and
 * dead/saturated shares, beside activation and gradient spread by depth;
 * a toggle adds batch norm before every activation (the BN rescue).
 * The input is Gaussian noise or a standardised batch of the selected data;
 * or the net is the selected experiment's own stack (conv layers too) on a
 * batch of its data (ts-probe-stack.h);
 * cells show activation or weight histograms and export like every view.
 * Clicking a cell emits ::pick (init, activation) for a new experiment of
 * the probed net; Train All emits ::train-all, for the window to race every
 * cell, each at a learning rate of its own (ts-race.h). */
#pragma once

#include <gtk/gtk.h>
#include <trainscope.h>

#include "ts-run.h"

G_BEGIN_DECLS

#define TS_TYPE_INIT_LAB (ts_init_lab_get_type ())
G_DECLARE_FINAL_TYPE (TsInitLab, ts_init_lab, TS, INIT_LAB, GtkBox)

GtkWidget *ts_init_lab_new (void);
/* Runs the probe with the page's settings (in a worker thread). */
void       ts_init_lab_run (TsInitLab *self);
/* cells shown, once a probe has finished (for tests) */
guint      ts_init_lab_get_n_cells (TsInitLab *self);
/* the selected experiment's data, before preprocessing (borrowed; NULL: none) */
void       ts_init_lab_set_dataset (TsInitLab *self, const TsDataset *ds);
/* probe with a batch of the data (TRUE) or with Gaussian noise */
void       ts_init_lab_use_data (TsInitLab *self, gboolean data);
/* The selected experiment's run (a ref is kept): "Stack: This experiment's
 * layers" probes its model.layers on a batch of its data, loaded (with a
 * progress bar) and preprocessed as a run would. */
void       ts_init_lab_set_run (TsInitLab *self, TsRun *run);
/* probe the experiment's own layers (TRUE) or an MLP of layers × width */
void       ts_init_lab_use_stack (TsInitLab *self, gboolean stack);
/* whether the cells shown are of the experiment's own layers */
gboolean   ts_init_lab_probed_stack (TsInitLab *self);
/* cell i of the grid shown (NULL past the end) and the spec it was probed with */
const TsProbeCell *ts_init_lab_get_cell (TsInitLab *self, guint i, TsProbeSpec *spec);
/* whether the cells shown were probed with the data */
gboolean   ts_init_lab_probed_data (TsInitLab *self);
/* while the race's learning rates are being found: Train All waits */
void       ts_init_lab_set_racing (TsInitLab *self, gboolean racing);
/* The Batch norm toggle: each layer's pre-activations normalised over the
 * probe batch before the activation; a probe shown runs again with it. */
void       ts_init_lab_set_batchnorm (TsInitLab *self, gboolean batchnorm);
/* Overrides the page's size settings (for tests and small machines). */
void       ts_init_lab_set_size (TsInitLab *self, guint layers, guint width, guint samples);

G_END_DECLS
