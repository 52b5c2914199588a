/* ts-dataset.h — samples in memory: features (N×D, float) and labels.
 *
 * Images are stored channel-major (N×C×H×W) with pixels in [0, 1]; feature
 * vectors have channels == 0. Splits are stratified by class:
 *
 *   TsDataset *val = NULL, *train = NULL;
 *   ts_dataset_take_stratified (all, n_val, seed, &val, &train);
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint    n;          /* samples */
  guint    dim;        /* features per sample */
  guint    channels;   /* 0 for feature vectors */
  guint    height;
  guint    width;
  float   *x;          /* (n, dim) */
  guint32 *y;          /* (n) */
  guint    n_classes;
  char   **class_names; /* n_classes entries, NULL-terminated; may be NULL */
} TsDataset;

/* What one data source yields: its training part, its test part (NULL when
 * it has none) and what the loader skipped, naming each file. */
typedef struct {
  TsDataset *train;
  TsDataset *test;     /* NULL when the source has no test part */
  GPtrArray *warnings; /* of char* */
} TsSourceData;

void       ts_source_data_clear (TsSourceData *data);

TsDataset *ts_dataset_new (guint n, guint dim, guint n_classes);
TsDataset *ts_dataset_new_image (guint n, guint channels, guint height, guint width, guint n_classes);
void       ts_dataset_free (TsDataset *ds);
TsDataset *ts_dataset_copy (const TsDataset *ds);
TsDataset *ts_dataset_subset (const TsDataset *ds, const guint32 *indices, guint n);
gboolean   ts_dataset_is_image (const TsDataset *ds);
void       ts_dataset_set_class_names (TsDataset *ds, const char *const *names);
/* Per-class counts into counts[n_classes]. */
void       ts_dataset_class_counts (const TsDataset *ds, guint *counts);

/* Splits ds into `taken` (about `count` samples, each class in proportion)
 * and `rest`; either out pointer may be NULL. Deterministic in seed. */
void       ts_dataset_take_stratified (const TsDataset *ds, guint count, guint64 seed,
                                       TsDataset **taken, TsDataset **rest);

/* k-fold index sets: fold f's validation indices into *val (caller frees). */
guint32   *ts_dataset_kfold_indices (const TsDataset *ds, guint k, guint fold, guint64 seed,
                                     guint *n_val);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsDataset, ts_dataset_free)

G_END_DECLS
