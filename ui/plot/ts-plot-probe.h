/* ts-plot-probe.h — the init probe's pictures: spread against depth for a
 * grid of cells, and one cell's per-layer histograms as small multiples. */
#pragma once

#include "ts-plot-curves.h"

G_BEGIN_DECLS

typedef enum {
  TS_PROBE_ACT_MEAN,  /* mean of the activations, linear axis */
  TS_PROBE_ACT_STD,   /* their spread, log axis */
  TS_PROBE_GRAD_STD,  /* the spread of the gradient reaching each layer, log axis */
  TS_PROBE_N_DEPTH_PLOTS,
} TsProbeDepthKind;

/* "activation-mean", "activation-std", "gradient-std" */
const char *ts_probe_depth_name (TsProbeDepthKind kind);
/* the kind against depth, a line per cell */
void ts_plot_probe_depth (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                          TsProbeCell *const *cells, guint n_cells, TsProbeDepthKind kind);
/* the cell's activation (or weight) histograms, one per layer, side by
 * side, with its name and the last layer's dead and saturated shares */
void ts_plot_probe_cell (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                         const TsProbeCell *cell, gboolean weights);
/* layer,kind,bin_lo,bin_hi,count for both kinds */
char *ts_plot_probe_cell_csv (const TsProbeCell *cell);

G_END_DECLS
