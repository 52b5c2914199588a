/* ts-layer-list.h — the hidden layers of a model as rows: units, an
 * activation (or the model's), remove; and a row to add one. ::changed
 * fires on every edit; ts_layer_list_get_layers reads them back. */
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

G_END_DECLS
