/* ts-pipeline.h — from an experiment's `data` section to the splits the net
 * trains on: load the source, apply `limit`, hold out a stratified
 * validation split, fit preprocessing on the training split, apply it to all.
 *
 *   TsSplits s = { 0 };
 *   if (!ts_splits_load (exp, &s, load_context, &error)) ...;
 *   if (!ts_splits_preprocess (&s, exp, &error)) ...;
 *   ts_splits_clear (&s);
 */
#pragma once

#include "ts-dataset.h"
#include "ts-source.h"
#include "ts-experiment.h"
#include "ts-preprocess.h"

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  TsDataset    *train;
  TsDataset    *val;   /* empty (n == 0) when val_fraction is 0 */
  TsDataset    *test;  /* the source's test part, or NULL */
  TsPreprocess *preprocess; /* set by ts_splits_preprocess */
  GPtrArray    *warnings;   /* of char*: what the loader skipped */
} TsSplits;

gboolean ts_splits_load (const TsExperiment *exp, TsSplits *out, const TsLoadContext *ctx, GError **error);
/* Fits on train; replaces val and test — and train unless keep_train_raw,
 * when batches are augmented first and preprocessed as they are made —
 * with their preprocessed copies. */
gboolean ts_splits_preprocess (TsSplits *splits, const TsExperiment *exp, gboolean keep_train_raw, GError **error);
/* Applies an already fitted preprocessing (from a checkpoint) instead. */
void     ts_splits_apply (TsSplits *splits, TsPreprocess *preprocess, gboolean keep_train_raw);
void     ts_splits_clear (TsSplits *splits);

G_END_DECLS
