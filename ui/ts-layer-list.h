/* ts-layer-list.h — the hidden layers of a model as rows, every kind:
 * dense, conv, pool, global average pool and batch norm. Each row's title
 * sums its keys up ("Conv · 32 filters 5×5 · same"); expanded, it edits them
 * (spin buttons and drop-downs, and for a layer with parameters its
 * learning-rate scale, lr_scale); its buttons lock it ("trainable": false,
 * or held by model.freeze: the title ends "· frozen", its count ", frozen",
 * the total "N parameters · M trained"), move it up or down or remove it;
 * its subtitle gives its output shape and parameter count ("→ [32,14,14] ·
 * 832 parameters"), or the error of an entry that does not fit. A last row
 * adds a layer of any kind, then the output layer to the classes and the
 * total. ::changed fires on every edit; ts_layer_list_get_layers reads them
 * back; ts_layer_list_show_shapes fills in the shapes:
 *
 *   ts_layer_list_show_shapes (list, exp, &input, error);  // input NULL: unknown until loaded
 */
#pragma once

#include <adwaita.h>
#include <trainscope.h>

G_BEGIN_DECLS

#define TS_TYPE_LAYER_LIST (ts_layer_list_get_type ())
G_DECLARE_FINAL_TYPE (TsLayerList, ts_layer_list, TS, LAYER_LIST, AdwPreferencesGroup)

GtkWidget *ts_layer_list_new (void);
void       ts_layer_list_set_layers (TsLayerList *self, GArray *layers, gboolean editable);
/* a new array of TsLayerSpec */
GArray    *ts_layer_list_get_layers (TsLayerList *self);
/* Every row's shape and parameter count for exp (whose model.layers are the
 * rows') on input, through ts_experiment_layer_shapes; input NULL when the
 * source's shape is known only once its data are loaded. error: why exp was
 * refused, or NULL — shown on the row it names ("model.layers[2]: …").
 * FALSE when a row is in error (error's, or a shape that does not fit). */
gboolean   ts_layer_list_show_shapes (TsLayerList *self, const TsExperiment *exp, const TsShape *input,
                                      const GError *error);
/* the subtitle of row i (its shape, or its error), for tests */
const char *ts_layer_list_get_row_text (TsLayerList *self, guint i);
/* the row of entry i (an AdwExpanderRow, or an AdwActionRow for a global
 * average pool), for tests */
GtkWidget *ts_layer_list_get_row (TsLayerList *self, guint i);

/* "401,536" */
char      *ts_format_count (guint64 n);

G_END_DECLS
