/* Drawing helpers shared by the renderers in ui/plot. */
#pragma once

#include <cairo.h>
#include <glib.h>
#include <trainscope.h>

#include "ts-plot.h"
#include "ts-plot-curves.h"

/* text at (x, y), aligned by fractions of its size (0 left/top … 1 right/bottom) */
void   ts_plot_text (cairo_t *cr, const char *text, double x, double y, double size, double align_x, double align_y);
double ts_plot_text_width (cairo_t *cr, const char *text, double size);

static inline void
ts_plot_set_rgb (cairo_t *cr, const double *rgb)
{
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
}

/* how curves are stroked from here on (inside the caller's save/restore):
 * on screen cheaply (style->screen), else at full quality */
static inline void
ts_plot_curve_quality (cairo_t *cr, const TsPlotStyle *style)
{
  cairo_set_line_join (cr, style->screen ? CAIRO_LINE_JOIN_BEVEL : CAIRO_LINE_JOIN_ROUND);
  if (style->screen)
    cairo_set_antialias (cr, CAIRO_ANTIALIAS_FAST);
}

/* ts_plot_scatter, over a decision grid (NULL: none) whose bounds it then uses */
void   _ts_plot_scatter_over (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                              const TsDataset *ds, const TsDecisionGrid *grid, const char *caption);

/* the legend's labels for series in a plot width wide, in order (those
 * with a name); *boxed: in rows inside the plot rather than one line */
char **_ts_plot_legend_labels (cairo_t *cr, const TsPlotSeries *series, guint n, double width, gboolean *boxed);
