/* ts-figure.h — any picture a page draws, as a widget that exports: the
 * same Cairo function paints the screen (in the light or dark palette) and
 * the files. Right-click (or Shift+F10 / the Menu key) offers Export as
 * PNG, SVG, PDF, the data as CSV when the view has some, and Copy.
 *
 *   GtkWidget *f = ts_figure_new ("decision-boundary", draw, csv, page);
 *   gtk_widget_set_size_request (f, -1, 360);
 *   ts_figure_export (TS_FIGURE (f), "boundary.svg", 2, &error);
 */
#pragma once

#include <gtk/gtk.h>

#include "ts-plot.h"

G_BEGIN_DECLS

typedef void  (*TsFigureDraw) (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data);
/* the view's data as CSV, or NULL when it has none (yet) */
typedef char *(*TsFigureCsv) (gpointer data);

#define TS_TYPE_FIGURE (ts_figure_get_type ())
G_DECLARE_FINAL_TYPE (TsFigure, ts_figure, TS, FIGURE, GtkWidget)

/* name: the suggested file name's stem; data must outlive the figure */
GtkWidget  *ts_figure_new (const char *name, TsFigureDraw draw, TsFigureCsv csv, gpointer data);
const char *ts_figure_get_name (TsFigure *self);
/* .png (at scale), .svg, .pdf: the picture at the widget's aspect, 960 points
 * wide, light palette; .csv: the data */
gboolean    ts_figure_export (TsFigure *self, const char *path, double scale, GError **error);

G_END_DECLS
