/* ts-init-lab.h — the initialisation experiment as a page: choose depth,
 * width, activations and init schemes; a probe (forward and backward, no
 * training) fills a grid of cells with per-layer activation histograms and
 * dead/saturated shares, beside activation and gradient spread by depth.
 * Clicking a cell emits ::pick (init, activation) for a new experiment. */
#pragma once

#include <gtk/gtk.h>
#include <trainscope.h>

G_BEGIN_DECLS

#define TS_TYPE_INIT_LAB (ts_init_lab_get_type ())
G_DECLARE_FINAL_TYPE (TsInitLab, ts_init_lab, TS, INIT_LAB, GtkBox)

GtkWidget *ts_init_lab_new (void);
/* Runs the probe with the page's settings (in a worker thread). */
void       ts_init_lab_run (TsInitLab *self);
/* cells shown, once a probe has finished (for tests) */
guint      ts_init_lab_get_n_cells (TsInitLab *self);
/* Overrides the page's size settings (for tests and small machines). */
void       ts_init_lab_set_size (TsInitLab *self, guint layers, guint width, guint samples);

G_END_DECLS
