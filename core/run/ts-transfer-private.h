/* Shared by ts-transfer.c (the measurements) and ts-transfer-plan.c (the
 * verdicts, the strategies' experiments, their results, transfer.json). */
#pragma once

#include "ts-transfer.h"

struct _TsTransfer {
  TsModel          *model;
  char             *model_path;
  TsExperiment     *target;
  TsTransferReport  report;
};

/* Every stage's features of one split: x[s] (n, stages[s].width) */
typedef struct {
  guint    n;
  guint    n_stages;
  float  **x;
  guint32 *y; /* (n) */
} TsFeatures;

void _ts_features_clear (TsFeatures *f);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TsFeatures, _ts_features_clear)

/* The similarity verdict from the stages' scores (README states the rule). */
gboolean _ts_transfer_similar (const TsTransferReport *r);
/* The model.layers index of parameterised layer K (layers.K.*);
 * model.layers->len for the output layer. */
guint    _ts_transfer_tensor_layer (const TsTransfer *t, guint k);
/* data.class_subset and the like: how the source carved its data */
void     _ts_transfer_clear_data_carving (TsExperiment *exp);
/* finetune-many's per-layer rates: stage k of K learns at
 * 1 / DISCRIMINATIVE_FACTOR^(K − k) of the rate, the head at the full rate */
void     _ts_transfer_discriminative_rates (const TsTransfer *t, TsExperiment *exp);
