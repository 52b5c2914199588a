/* ts-plot-lr.h — the LR finder's plot: smoothed loss against log10 LR,
 * the sweeps' spread as a faint band, and a line at each suggestion. */
#pragma once

#include "ts-plot-curves.h"

G_BEGIN_DECLS

void ts_plot_lr_finder (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                        const TsLrFinderResult *r, const char *caption);

G_END_DECLS
