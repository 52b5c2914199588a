/* ts-pretrained-group.h — "Start from a pre-trained model" on the
 * Experiment page: model.init_from chosen among the sidebar's finished
 * runs, or a .safetensors file or a run folder picked in a dialog, cleared
 * with one button; what was chosen (its name, what it was trained on, its
 * layers' tensors and their shapes) and whether it fits this experiment's
 * model — checked by the core's own loader (ts_net_init_from), so a misfit
 * reads as the message a run would fail with, before anything starts. The
 * editor adds the rows of model.reinit_head and model.freeze below.
 *
 *   g_signal_connect (group, "chosen", G_CALLBACK (on_chosen), editor);  // (path), "" for none
 *   ts_pretrained_group_set_init_from (group, exp->model.init_from, TRUE);
 *   fits = ts_pretrained_group_check (group, exp, &input, n_classes);
 */
#pragma once

#include <adwaita.h>
#include <trainscope.h>

G_BEGIN_DECLS

#define TS_TYPE_PRETRAINED_GROUP (ts_pretrained_group_get_type ())
G_DECLARE_FINAL_TYPE (TsPretrainedGroup, ts_pretrained_group, TS, PRETRAINED_GROUP, AdwPreferencesGroup)

GtkWidget  *ts_pretrained_group_new (void);
/* the sidebar's runs (TsRun): the finished ones with a model file are
 * offered; ts_pretrained_group_refresh_runs after a run ends */
void        ts_pretrained_group_set_runs (TsPretrainedGroup *self, GListModel *runs);
void        ts_pretrained_group_refresh_runs (TsPretrainedGroup *self);
/* shows model.init_from ("" none); editable FALSE: a started run's */
void        ts_pretrained_group_set_init_from (TsPretrainedGroup *self, const char *path, gboolean editable);
/* Whether exp's model.init_from fits exp's model on input with n_classes
 * (input NULL or n_classes 0: known once the data are loaded, then TRUE);
 * the verdict is shown. TRUE when there is no model to start from. */
gboolean    ts_pretrained_group_check (TsPretrainedGroup *self, const TsExperiment *exp, const TsShape *input,
                                       guint n_classes);
/* what the group says of the match (its error, or how it fits), for tests */
const char *ts_pretrained_group_get_verdict (TsPretrainedGroup *self);
/* the choice's row (an AdwComboRow), for tests */
GtkWidget  *ts_pretrained_group_get_choice_row (TsPretrainedGroup *self);

G_END_DECLS
