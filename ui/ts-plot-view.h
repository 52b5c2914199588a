/* ts-plot-view.h — a training plot as a widget: loss, accuracy or learning
 * rate for the runs it is given (those with overlay on), drawn by the same
 * Cairo renderer as the exports. Hover shows the nearest value; the scroll
 * wheel zooms the x axis around the pointer, dragging pans, a double click
 * resets; right-click (Shift+F10, the Menu key) offers the window's
 * exports of this plot. Redraws only when a run reports new data.
 */
#pragma once

#include <gtk/gtk.h>

#include "ts-plot-run.h"

G_BEGIN_DECLS

#define TS_TYPE_PLOT_VIEW (ts_plot_view_get_type ())
G_DECLARE_FINAL_TYPE (TsPlotView, ts_plot_view, TS, PLOT_VIEW, GtkWidget)

GtkWidget    *ts_plot_view_new (TsRunPlotKind kind);
/* how many times GTK has had it draw itself (tests, bench-gui) */
guint         ts_plot_view_get_draws (TsPlotView *self);
TsRunPlotKind ts_plot_view_get_kind (TsPlotView *self);
/* a GListModel of TsRun */
void          ts_plot_view_set_runs (TsPlotView *self, GListModel *runs);
void          ts_plot_view_set_log_y (TsPlotView *self, gboolean log_y);
gboolean      ts_plot_view_get_log_y (TsPlotView *self);
/* the loss's EMA weight, 0 … 0.99 (TensorBoard's smoothing; 0: raw only) */
void          ts_plot_view_set_smoothing (TsPlotView *self, double smoothing);
double        ts_plot_view_get_smoothing (TsPlotView *self);
/* Draws what the widget shows into any cairo_t (for exports). */
void          ts_plot_view_draw (TsPlotView *self, cairo_t *cr, double width, double height, gboolean dark);
char         *ts_plot_view_csv (TsPlotView *self);

G_END_DECLS
