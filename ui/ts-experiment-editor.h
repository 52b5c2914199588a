/* ts-experiment-editor.h — every key of the experiment file as a control,
 * titled in words with the key as its subtitle: choices as combo rows, the
 * data source as a choice of the generated sets, Fashion-MNIST when it is
 * installed, and a file or folder picked in a dialog; everything else as
 * entries validated as you type with the CLI's own messages ("train.lr:
 * must be > 0 (got -1)"). Rows that do not apply to the source are hidden
 * (data.samples/classes/noise: generated sets only). Emits ::changed with
 * each valid edit. The hidden layers' list shows each layer's output shape
 * and parameter count, and an entry that does not fit on its row. A group
 * chooses a pre-trained model to start from (ts-pretrained-group.h); a
 * model that does not fit the layers keeps Start waiting, as a refused
 * layer stack does.
 */
#pragma once

#include <gtk/gtk.h>
#include <trainscope.h>

G_BEGIN_DECLS

#define TS_TYPE_EXPERIMENT_EDITOR (ts_experiment_editor_get_type ())
G_DECLARE_FINAL_TYPE (TsExperimentEditor, ts_experiment_editor, TS, EXPERIMENT_EDITOR, GtkBox)

GtkWidget          *ts_experiment_editor_new (void);
/* editable FALSE: a started run, shown but locked (fork it to change it) */
void                ts_experiment_editor_set_experiment (TsExperimentEditor *self, const TsExperiment *exp,
                                                         gboolean editable);
const TsExperiment *ts_experiment_editor_get_experiment (TsExperimentEditor *self);
/* a fork's name that followed its changes (not an edit: no ::changed) */
void                ts_experiment_editor_set_name (TsExperimentEditor *self, const char *name);
/* the row of a key (an AdwActionRow or AdwComboRow), for tests */
GtkWidget          *ts_experiment_editor_get_row (TsExperimentEditor *self, const char *key);
/* the message of the last rejected edit, or NULL */
const char         *ts_experiment_editor_get_error (TsExperimentEditor *self);
/* Sets one key as the user would (for tests and drops); FALSE if refused. */
gboolean            ts_experiment_editor_edit (TsExperimentEditor *self, const char *key, const char *text);

/* FALSE while the layer list shows a stack that is refused (the error on
 * its row): the experiment keeps its last valid layers and Start waits.
 * Notified as the "valid" property. */
gboolean            ts_experiment_editor_is_valid (TsExperimentEditor *self);
/* The shape of the loaded samples of source ([C,H,W] or [n], before
 * data.view and preprocessing) and their class count, for the layer
 * shapes of a source whose files alone describe it and for matching a
 * pre-trained model to it; NULL: none loaded. */
void                ts_experiment_editor_set_data_shape (TsExperimentEditor *self, const char *source,
                                                         const TsShape *shape, guint n_classes);
/* The sidebar's runs (TsRun): its finished ones are offered as the model
 * to start from (model.init_from); refresh after a run ends. */
void                ts_experiment_editor_set_runs (TsExperimentEditor *self, GListModel *runs);
void                ts_experiment_editor_refresh_runs (TsExperimentEditor *self);
/* the TsPretrainedGroup, for tests */
GtkWidget          *ts_experiment_editor_get_pretrained (TsExperimentEditor *self);

/* The next value on a 1–3–10 log scale above or below value. */
double              ts_log_step (double value, gboolean up);

G_END_DECLS
