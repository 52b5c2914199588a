#include "ts-preprocess.h"
#include "ts-blas.h"
#include "ts-error.h"

#include <lapacke.h>
#include <math.h>
#include <string.h>

#define CHUNK_ROWS 4096

void
ts_preprocess_free (TsPreprocess *pp)
{
  if (pp == NULL)
    return;
  g_free (pp->mean);
  g_free (pp->std);
  g_free (pp->projection);
  g_free (pp->eigenvalues);
  g_free (pp->eigenvectors);
  g_free (pp);
}

static void
fit_mean (const TsDataset *ds, float *mean)
{
  g_autofree double *acc = g_new0 (double, ds->dim);

  for (guint i = 0; i < ds->n; i++)
    for (guint j = 0; j < ds->dim; j++)
      acc[j] += ds->x[(gsize) i * ds->dim + j];
  for (guint j = 0; j < ds->dim; j++)
    mean[j] = ds->n ? (float) (acc[j] / ds->n) : 0.f;
}

/* per feature for vectors; per channel for images (then spread per pixel) */
static void
fit_std (const TsDataset *ds, float *mean, float *std)
{
  guint groups = ts_dataset_is_image (ds) ? ds->channels : ds->dim;
  guint per_group = ds->dim / groups;
  g_autofree double *sum = g_new0 (double, groups);
  g_autofree double *sq = g_new0 (double, groups);

  for (guint i = 0; i < ds->n; i++)
    for (guint j = 0; j < ds->dim; j++)
      {
        double v = ds->x[(gsize) i * ds->dim + j];
        sum[j / per_group] += v;
        sq[j / per_group] += v * v;
      }
  for (guint j = 0; j < ds->dim; j++)
    {
      double count = MAX (1.0, (double) ds->n * per_group);
      double m = sum[j / per_group] / count;
      double var = MAX (0.0, sq[j / per_group] / count - m * m);
      mean[j] = (float) m;
      std[j] = var > 1e-12 ? (float) sqrt (var) : 1.f; /* a constant feature stays as is */
    }
}

/* eigen-decomposition of the training covariance, largest first */
static gboolean
fit_eigen (TsPreprocess *pp, const TsDataset *ds, GError **error)
{
  guint d = ds->dim;
  g_autofree float *centred = g_new (float, (gsize) ds->n * d);
  g_autofree float *cov = g_new0 (float, (gsize) d * d);
  g_autofree float *w = g_new (float, d);
  lapack_int info;

  for (gsize i = 0; i < (gsize) ds->n * d; i++)
    centred[i] = ds->x[i] - pp->mean[i % d];
  /* cov (d×d) = Xcᵀ · Xc / n */
  ts_sgemm (TRUE, FALSE, d, d, ds->n, 1.f / MAX (ds->n, 1), centred, d, centred, d, 0.f, cov, d);
  info = LAPACKE_ssyevd (LAPACK_ROW_MAJOR, 'V', 'U', d, cov, d, w);
  if (info != 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "data.preprocess: the eigen-decomposition of the covariance failed (LAPACK info %d)", (int) info);
      return FALSE;
    }
  pp->eigenvalues = g_new (float, d);
  pp->eigenvectors = g_new (float, (gsize) d * d);
  for (guint k = 0; k < d; k++)
    {
      guint src = d - 1 - k; /* ssyevd sorts ascending; eigenvectors are columns */
      pp->eigenvalues[k] = MAX (w[src], 0.f);
      for (guint j = 0; j < d; j++)
        pp->eigenvectors[(gsize) k * d + j] = cov[(gsize) j * d + src];
    }
  return TRUE;
}

static void
build_projection (TsPreprocess *pp, double epsilon)
{
  guint d = pp->in_dim, k = pp->out_dim;

  if (pp->kind == TS_PRE_ZCA)
    {
      /* P = U · diag(1/sqrt(λ+ε)) · Uᵀ: whiten, then rotate back */
      g_autofree float *scaled = g_new (float, (gsize) d * d);
      for (guint r = 0; r < d; r++)
        {
          float s = (float) (1.0 / sqrt (pp->eigenvalues[r] + epsilon));
          for (guint j = 0; j < d; j++)
            scaled[(gsize) r * d + j] = pp->eigenvectors[(gsize) r * d + j] * s;
        }
      pp->projection = g_new (float, (gsize) d * d);
      ts_sgemm (TRUE, FALSE, d, d, d, 1.f, pp->eigenvectors, d, scaled, d, 0.f, pp->projection, d);
      return;
    }
  pp->projection = g_memdup2 (pp->eigenvectors, sizeof (float) * k * d);
  if (pp->kind == TS_PRE_PCA_WHITEN)
    for (guint r = 0; r < k; r++)
      {
        float s = (float) (1.0 / sqrt (pp->eigenvalues[r] + epsilon));
        for (guint j = 0; j < d; j++)
          pp->projection[(gsize) r * d + j] *= s;
      }
}

TsPreprocess *
ts_preprocess_fit (TsPreprocessKind kind, const TsDataset *train, guint components,
                   double epsilon, GError **error)
{
  g_autoptr(TsPreprocess) pp = g_new0 (TsPreprocess, 1);
  gboolean pca_family = kind == TS_PRE_PCA || kind == TS_PRE_PCA_WHITEN || kind == TS_PRE_ZCA;

  pp->kind = kind;
  pp->in_dim = pp->out_dim = train->dim;
  pp->mean = g_new0 (float, train->dim);
  if (train->n == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "data.preprocess: the training split is empty");
      return NULL;
    }
  if (pca_family && train->dim > 4096)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_UNSUPPORTED,
                   "data.preprocess: %s needs a %u×%u covariance; at most 4096 features are supported",
                   ts_preprocess_name (kind), train->dim, train->dim);
      return NULL;
    }
  if (components > train->dim)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "data.pca_components: must be <= %u, the input size (got %u)",
                   train->dim, components);
      return NULL;
    }
  if (kind == TS_PRE_NONE)
    return g_steal_pointer (&pp);
  if (kind == TS_PRE_STANDARDIZE)
    {
      pp->std = g_new (float, train->dim);
      fit_std (train, pp->mean, pp->std);
      return g_steal_pointer (&pp);
    }
  fit_mean (train, pp->mean);
  if (!pca_family)
    return g_steal_pointer (&pp);
  if (!fit_eigen (pp, train, error))
    return NULL;
  if (kind != TS_PRE_ZCA && components > 0)
    pp->out_dim = components;
  build_projection (pp, epsilon);
  return g_steal_pointer (&pp);
}

TsPreprocess *
ts_preprocess_new_from_parts (TsPreprocessKind kind, guint in_dim, guint out_dim,
                              const float *mean, const float *std, const float *projection)
{
  TsPreprocess *pp = g_new0 (TsPreprocess, 1);

  pp->kind = kind;
  pp->in_dim = in_dim;
  pp->out_dim = out_dim;
  pp->mean = mean ? g_memdup2 (mean, sizeof (float) * in_dim) : g_new0 (float, in_dim);
  pp->std = std ? g_memdup2 (std, sizeof (float) * in_dim) : NULL;
  pp->projection = projection ? g_memdup2 (projection, sizeof (float) * in_dim * out_dim) : NULL;
  return pp;
}

void
ts_preprocess_apply_rows (const TsPreprocess *pp, const float *x, guint n, float *out)
{
  guint d = pp->in_dim;
  g_autofree float *tmp = pp->projection ? g_new (float, (gsize) MIN (n, CHUNK_ROWS) * d) : NULL;

  for (guint start = 0; start < n; start += CHUNK_ROWS)
    {
      guint rows = MIN (CHUNK_ROWS, n - start);
      const float *src = x + (gsize) start * d;
      float *dst = pp->projection ? tmp : out + (gsize) start * d;

      /* row by row, no index arithmetic in the inner loop: it vectorises
       * (this runs per batch when augmenting) */
      for (guint r = 0; r < rows; r++)
        {
          const float *restrict s = src + (gsize) r * d, *restrict mean = pp->mean, *restrict std = pp->std;
          float *restrict o = dst + (gsize) r * d;
          if (std)
            for (guint j = 0; j < d; j++)
              o[j] = (s[j] - mean[j]) / std[j];
          else
            for (guint j = 0; j < d; j++)
              o[j] = s[j] - mean[j];
        }
      /* out (rows×k) = centred (rows×d) · Pᵀ */
      if (pp->projection)
        ts_sgemm (FALSE, TRUE, rows, pp->out_dim, d, 1.f, tmp, d, pp->projection, d, 0.f,
                  out + (gsize) start * pp->out_dim, pp->out_dim);
    }
}

TsDataset *
ts_preprocess_apply (const TsPreprocess *pp, const TsDataset *ds)
{
  TsDataset *out;

  if (pp->out_dim == ds->dim && pp->kind != TS_PRE_PCA && pp->kind != TS_PRE_PCA_WHITEN)
    out = ts_dataset_copy (ds); /* keeps the image shape: centred or ZCA images are still images */
  else
    {
      out = ts_dataset_new (ds->n, pp->out_dim, ds->n_classes);
      memcpy (out->y, ds->y, sizeof (guint32) * ds->n);
      out->class_names = g_strdupv (ds->class_names);
    }
  ts_preprocess_apply_rows (pp, ds->x, ds->n, out->x);
  return out;
}
