/* ts-plot-band-private.h — the ±1 std bands of series with a spread, for
 * ts_plot_curves (ts-plot-band.c). */
#pragma once

#include "ts-plot-private.h"

/* widens [*lo, *hi] (axis units) to take in point i's band */
void _ts_plot_spread_extend (const TsPlotSeries *se, gsize i, gboolean log_y, double *lo, double *hi);
/* fills every band under the lines, in the series' colours, faintly */
void _ts_plot_draw_spreads (cairo_t *cr, const TsPlotSeries *series, guint n_series, const TsPlotAxes *axes,
                            double px, double py, double pw, double ph, double x0, double x1, double y0, double y1);
