/* ts-augment.h — training-time augmentation of image samples.
 *
 * Random crop (with zero or reflected padding), horizontal flip, colour
 * jitter (brightness, contrast, saturation), AlexNet "fancy PCA" lighting and
 * random erasing, in that order. Every choice is a counter-based draw from
 * (key, sample), so a sample's augmentation depends only on the seed, the
 * epoch and the sample, never on which thread or batch it lands in:
 *
 *   TsAugment *aug = ts_augment_new (&exp->data.augment, train, &error);
 *   guint64 key = ts_rng_key (seed, TS_STREAM_AUGMENT + epoch);
 *   ts_augment_sample (aug, train->x + i * dim, out, key, i);
 */
#pragma once

#include "ts-dataset.h"
#include "ts-experiment.h"

G_BEGIN_DECLS

typedef struct {
  TsAugmentSpec spec;
  guint         channels;
  guint         height;
  guint         width;
  float         eigenvalues[3];     /* of the training set's RGB pixel covariance */
  float         eigenvectors[3][3]; /* [k] is the k-th eigenvector, largest first */
} TsAugment;

gboolean   ts_augment_spec_enabled (const TsAugmentSpec *spec);
/* NULL with an error naming the key when augmentation needs images and ds
 * holds feature vectors. */
TsAugment *ts_augment_new (const TsAugmentSpec *spec, const TsDataset *train, GError **error);
void       ts_augment_free (TsAugment *aug);
/* out (dim) = an augmented copy of in (dim); out must not alias in. */
void       ts_augment_sample (const TsAugment *aug, const float *in, float *out, guint64 key, guint64 sample);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsAugment, ts_augment_free)

G_END_DECLS
