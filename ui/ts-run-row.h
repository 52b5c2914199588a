/* ts-run-row.h — a run in the sidebar: its colour, name, status, best
 * validation accuracy, a sparkline of its loss, and the overlay toggle; a
 * fine-tuned run also its parent ("fine-tuned from RUN", data "parent"). */
#pragma once

#include <gtk/gtk.h>

#include "ts-run.h"

G_BEGIN_DECLS

GtkWidget *ts_run_row_new (TsRun *run);
/* redraws the sparkline if the run has new loss points since it last did */
void       ts_run_row_refresh (GtkWidget *row);
/* the run's smoothed loss as a line filling width × height */
void       ts_run_draw_loss (TsRun *run, cairo_t *cr, int width, int height, gboolean log_scale);

G_END_DECLS
