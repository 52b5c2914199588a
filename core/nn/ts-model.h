/* ts-model.h — a trained model on disk: weights, the experiment that made
 * it and its fitted preprocessing, in one safetensors file (README, "`trainscope-cli`").
 *
 *   ts_model_save ("run/model.safetensors", net, preprocess, exp, &error);
 *   TsModel *m = ts_model_load ("run/model.safetensors", &error);
 *   // m->net predicts; m->preprocess prepares raw samples; m->experiment
 */
#pragma once

#include "ts-experiment.h"
#include "ts-net.h"
#include "ts-preprocess.h"

G_BEGIN_DECLS

typedef struct {
  TsExperiment *experiment;
  TsNet        *net;
  TsPreprocess *preprocess; /* never NULL; kind none when nothing was fitted */
} TsModel;

gboolean ts_model_save (const char *path, const TsNet *net, const TsPreprocess *preprocess,
                        const TsExperiment *exp, GError **error);
TsModel *ts_model_load (const char *path, GError **error);
void     ts_model_free (TsModel *model);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsModel, ts_model_free)

G_END_DECLS
