/* ts-layer-views.h — the Training page's look inside the net while it
 * trains: a layer's weight, activation or gradient histograms over time
 * (offset or overlaid, every overlaid run), per-layer update/weight ratios
 * with the ~1e-3 band, gradient norms and dead or saturated shares, and for
 * the selected run the first layer's weights as images (image data; a conv
 * net's filters) or the decision boundary under the training points (2-D
 * data), a conv net's feature maps of a chosen sample, and while a
 * batchnorm layer is chosen its γ, β and running statistics per unit. Every
 * view is a TsFigure, so each exports; their names are "histograms",
 * "update-ratio", "grad-norm", "dead-saturated", "first-layer-weights",
 * "decision-boundary", "feature-maps", "batchnorm".
 */
#pragma once

#include <gtk/gtk.h>
#include <trainscope.h>

#include "ts-plot-layers.h"
#include "ts-run.h"

G_BEGIN_DECLS

#define TS_TYPE_LAYER_VIEWS (ts_layer_views_get_type ())
G_DECLARE_FINAL_TYPE (TsLayerViews, ts_layer_views, TS, LAYER_VIEWS, GtkBox)

GtkWidget *ts_layer_views_new (void);
/* a GListModel of TsRun: those with overlay on are drawn */
void       ts_layer_views_set_runs (TsLayerViews *self, GListModel *runs);
/* the run whose layers are listed and whose model is pictured */
void       ts_layer_views_set_run (TsLayerViews *self, TsRun *run);
/* the selected run's data before preprocessing (borrowed; NULL: none) */
void       ts_layer_views_set_dataset (TsLayerViews *self, const TsDataset *ds);
/* something new was published: redraw */
void       ts_layer_views_refresh (TsLayerViews *self);

/* which sample the feature maps drawn are of (G_MAXUINT: none drawn) */
guint      ts_layer_views_get_maps_sample (TsLayerViews *self);

/* the histogram kind and mode survive a restart */
void       ts_layer_views_bind_settings (TsLayerViews *self, GSettings *settings);
void       ts_layer_views_show (TsLayerViews *self, guint layer, TsHistKind kind, TsHistMode mode);
void       ts_layer_views_get_view (TsLayerViews *self, guint *layer, TsHistKind *kind, TsHistMode *mode);

G_END_DECLS
