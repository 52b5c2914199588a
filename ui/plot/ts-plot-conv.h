/* ts-plot-conv.h — what a conv net sees: its first layer's filters as
 * small images (RGB when they read three channels) and the feature maps one
 * sample makes in each conv layer, stacked. Both paint through the one image
 * painter (ts-plot-image.h) from plain arrays.
 *
 *   ts_plot_conv_filters (cr, 640, 360, &style, w, 32, 3, 5, 5, NULL);  // w [out,in,kh,kw]
 *   ts_plot_feature_maps (cr, 720, 560, &style, fm, NULL);              // ts-feature-maps.h
 */
#pragma once

#include "ts-plot.h"

G_BEGIN_DECLS

#define TS_PLOT_MAX_FILTERS 128 /* filters drawn, the first ones */
#define TS_PLOT_MAX_MAPS 64     /* feature maps drawn per layer, the first ones */
#define TS_PLOT_TILE_GAP 2      /* pixels between two tiles */
#define TS_PLOT_CAPTION 24      /* the caption's band above the tiles */
#define TS_PLOT_BACKDROP 0x30   /* the dark grey around and between tiles */

/* w [out, in, kh, kw]: a tile per filter, in colour when in == 3 (channels
 * as R, G, B) and grey when in == 1; any other count, a grey tile per
 * filter and channel. Each filter is scaled to its own largest |w| over all
 * its channels (grey is 0, ± that white / black), so a weak filter's shape
 * shows and a colour filter keeps the balance of its channels. */
void  ts_plot_conv_filters (cairo_t *cr, double width, double height, const TsPlotStyle *style, const float *w,
                            guint out, guint in, guint kh, guint kw, const char *caption);
/* where tile i goes in that figure (the tiles are i = filter · tiles-per-
 * filter + channel; one per filter for 1 or 3 channels): its box in pixels;
 * FALSE past the last tile drawn */
gboolean ts_plot_conv_filters_tile (guint out, guint in, guint kh, guint kw, double width, double height, guint i,
                                    double box[4]);
/* filter,channel,row,col,weight — every weight of the first max_filters */
char *ts_plot_conv_filters_csv (const float *w, guint out, guint in, guint kh, guint kw, guint max_filters);

/* The sample at the left, each conv layer's maps as a band of grey tiles to
 * its right, the first layer on top. A layer's maps share one range, so its
 * channels compare: 0 black … its largest value white when none is
 * negative (ReLU), else grey 0 and ± its largest |value|; a dead channel is
 * black. */
void  ts_plot_feature_maps (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                            const TsFeatureMaps *fm, const char *caption);
/* where a layer's channel goes (layer G_MAXUINT: the sample): its box in
 * pixels; FALSE when it is not drawn */
gboolean ts_plot_feature_maps_tile (const TsFeatureMaps *fm, double width, double height, guint layer,
                                    guint channel, double box[4]);
/* layer,channel,row,col,value — every value drawn */
char *ts_plot_feature_maps_csv (const TsFeatureMaps *fm);
/* the range one layer's maps are shown in (lo black, hi white) */
void  ts_plot_feature_map_range (const TsFeatureMap *map, float *lo, float *hi);

G_END_DECLS
