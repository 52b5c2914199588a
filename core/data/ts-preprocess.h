/* ts-preprocess.h — centre, standardise, PCA, PCA-whitening and ZCA.
 *
 * Fitted on the training split only, then applied to every split:
 *
 *   TsPreprocess *pp = ts_preprocess_fit (TS_PRE_ZCA, train, 0, 1e-5, &error);
 *   TsDataset *white = ts_preprocess_apply (pp, val);
 *
 * y = P · ((x − mean) / std), where std is 1 except for standardize and P is
 * the identity except for the PCA family (eigenvectors of the covariance).
 */
#pragma once

#include "ts-dataset.h"
#include "ts-experiment.h"

G_BEGIN_DECLS

typedef struct {
  TsPreprocessKind kind;
  guint  in_dim;
  guint  out_dim;
  float *mean;         /* (in_dim) */
  float *std;          /* (in_dim), or NULL for 1 */
  float *projection;   /* (out_dim, in_dim), or NULL for the identity */
  float *eigenvalues;  /* (in_dim) descending; PCA family only */
  float *eigenvectors; /* (in_dim, in_dim), one per row; PCA family only */
} TsPreprocess;

TsPreprocess *ts_preprocess_fit (TsPreprocessKind kind, const TsDataset *train, guint components,
                                 double epsilon, GError **error);
/* From the tensors a checkpoint stores; takes copies. */
TsPreprocess *ts_preprocess_new_from_parts (TsPreprocessKind kind, guint in_dim, guint out_dim,
                                            const float *mean, const float *std,
                                            const float *projection);
void          ts_preprocess_free (TsPreprocess *pp);

/* out (n, out_dim) from x (n, in_dim); out may equal x when dims agree. */
void          ts_preprocess_apply_rows (const TsPreprocess *pp, const float *x, guint n, float *out);
TsDataset    *ts_preprocess_apply (const TsPreprocess *pp, const TsDataset *ds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsPreprocess, ts_preprocess_free)

G_END_DECLS
