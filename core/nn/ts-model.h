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
/* The same for a model to run on data.source `source` (eval, transfer and
 * ensemble take --data): when the file does not give the input's shape
 * (__metadata__.input_shape) and its tensors cannot (a global average
 * pool forgets the image size), the data's shape is the input's. NULL
 * source: as ts_model_load, which then tries the data.source its
 * experiment names and fails with a message saying what to add. */
TsModel *ts_model_load_for (const char *path, const char *source, GError **error);
void     ts_model_free (TsModel *model);

/* model.init_from, applied to a net built (and initialised) from exp:
 * every tensor of the net is taken from the model, by name, with its
 * shape — except the output layer's when it is re-initialised
 * (model.reinit_head; auto: when the model's output layer is not one of
 * the same shape, as with another class count or a model cut short). A
 * missing tensor, another shape, another input or another preprocessing
 * (when the file's experiment says) is an error naming the tensor and both
 * shapes, or what differs:
 *
 *   g_autoptr(TsInitReport) r = ts_net_init_from (net, exp, &error);
 *   // r->loaded tensors; r->head_reinitialised */
typedef struct {
  char    *path;        /* the .safetensors read (a run folder's model.safetensors) */
  char    *parent_name; /* its experiment's name, or NULL (PyTorch-made) */
  guint    loaded;      /* tensors loaded */
  guint    unused;      /* layers.* tensors of the file left out (a deeper model's rest, the old head) */
  gboolean head_reinitialised;
} TsInitReport;

TsInitReport *ts_net_init_from (TsNet *net, const TsExperiment *exp, GError **error);
/* model.init_from's file: PATH, or PATH/model.safetensors for a run folder */
char         *ts_init_from_resolve (const char *path, GError **error);
void          ts_init_report_free (TsInitReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsModel, ts_model_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsInitReport, ts_init_report_free)

G_END_DECLS
