/* LogME (You et al., ICML 2021), as the authors' reference implementation
 * computes it: the same fixed point (at most 11 rounds, stopping when
 * λ = α/β moves by less than 1%), the same 1e-5 guards, so a numpy check
 * (tests/fixtures/make-logme.py) can compare to 1e-6. */
#include "ts-logme.h"
#include "ts-blas.h"
#include "ts-error.h"

#include <lapacke.h>
#include <math.h>
#include <string.h>

#define LOGME_ROUNDS 11

void
ts_logme_clear (TsLogme *r)
{
  g_clear_pointer (&r->evidence, g_free);
  g_clear_pointer (&r->alpha, g_free);
  g_clear_pointer (&r->beta, g_free);
}

/* The spectrum of F (n, dim): K = min(n, dim) eigenvalues s (of FᵀF, the
 * same non-zero ones as FFᵀ) and, per class c, t[k,c] = v_kᵀ Fᵀ y_c — the
 * target's correlation with each eigendirection, all the evidence needs. */
static gboolean
spectrum (const float *f, guint n, guint dim, const guint32 *labels, guint C, double *s, double *t, GError **error)
{
  gboolean by_features = dim <= n; /* decompose the smaller Gram matrix */
  guint K = MIN (n, dim);
  g_autofree double *fd = g_new (double, (gsize) n * dim);
  g_autofree double *g = g_new (double, (gsize) K * K);
  g_autofree double *w = g_new (double, K);
  int info;

  for (gsize i = 0; i < (gsize) n * dim; i++)
    fd[i] = f[i];
  ts_dgram (by_features, K, by_features ? n : dim, fd, dim, g, K); /* FᵀF (dim²) or FFᵀ (n²) */
  info = LAPACKE_dsyevd (LAPACK_ROW_MAJOR, 'V', 'U', K, g, K, w);
  if (info != 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "LogME: the eigen-decomposition of the features' Gram matrix failed (LAPACK info %d)", info);
      return FALSE;
    }
  memset (t, 0, sizeof (double) * K * C);
  for (guint k = 0; k < K; k++)
    s[k] = MAX (w[k], 0.0);
  if (by_features)
    {
      /* t[:,c] = Vᵀ (Fᵀ y_c), Fᵀ y_c the sum of class c's rows */
      g_autofree double *p = g_new0 (double, (gsize) dim * C);
      for (guint i = 0; i < n; i++)
        for (guint d = 0; d < dim; d++)
          p[(gsize) d * C + labels[i]] += fd[(gsize) i * dim + d];
      for (guint k = 0; k < K; k++)
        for (guint d = 0; d < dim; d++)
          for (guint c = 0; c < C; c++)
            t[(gsize) k * C + c] += g[(gsize) d * K + k] * p[(gsize) d * C + c];
    }
  else
    /* FFᵀ = U S Uᵀ and F = U S½ Vᵀ, so v_kᵀ Fᵀ y = √s_k · u_kᵀ y */
    for (guint k = 0; k < K; k++)
      {
        for (guint i = 0; i < n; i++)
          t[(gsize) k * C + labels[i]] += g[(gsize) i * K + k];
        for (guint c = 0; c < C; c++)
          t[(gsize) k * C + c] *= sqrt (s[k]);
      }
  return TRUE;
}

/* One class: t (K) with stride C, yy = ‖y‖², the evidence / n; α, β out */
static double
class_evidence (const double *s, const double *t, guint stride, guint K, guint n, guint dim, double yy,
                double *alpha_out, double *beta_out)
{
  double alpha = 1.0, beta = 1.0, lam = 1.0, alpha_de = 0, beta_de = 0, logdet = 0;

  for (int round = 0; round < LOGME_ROUNDS; round++)
    {
      double gamma = 0, fy = 0, mfm = 0, new_lam;
      alpha_de = 0;
      for (guint k = 0; k < K; k++)
        {
          double tk = t[(gsize) k * stride], mk = tk * beta / (alpha + beta * s[k]); /* m = V (β t / (α + β s)) */
          gamma += s[k] / (s[k] + lam);
          alpha_de += mk * mk;
          fy += tk * mk;         /* yᵀ F m */
          mfm += s[k] * mk * mk; /* ‖F m‖² */
        }
      beta_de = MAX (yy - 2 * fy + mfm, 0.0); /* ‖y − F m‖² */
      alpha = gamma / (alpha_de + 1e-5);
      beta = (n - gamma) / (beta_de + 1e-5);
      new_lam = alpha / beta;
      if (fabs (new_lam - lam) / lam < 0.01)
        break;
      lam = new_lam;
    }
  for (guint k = 0; k < K; k++)
    logdet += log (alpha + beta * s[k]);
  logdet += (double) (dim - K) * log (alpha); /* the zero eigenvalues when n < dim */
  *alpha_out = alpha;
  *beta_out = beta;
  return (dim / 2.0 * log (alpha) + n / 2.0 * log (beta) - 0.5 * logdet - beta / 2.0 * beta_de
          - alpha / 2.0 * alpha_de - n / 2.0 * log (2 * G_PI))
         / n;
}

gboolean
ts_logme (const float *features, guint n, guint dim, const guint32 *labels, guint n_classes, TsLogme *out,
          GError **error)
{
  guint K = MIN (n, dim);
  g_autofree double *s = NULL, *t = NULL;
  g_autofree guint *counts = NULL;

  memset (out, 0, sizeof *out);
  if (n < 2 || dim == 0 || n_classes < 2 || n_classes > TS_LOGME_MAX_CLASSES)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "LogME: needs at least 2 samples of at least 1 feature and 2–%u classes (got %u samples, %u "
                   "features, %u classes)", TS_LOGME_MAX_CLASSES, n, dim, n_classes);
      return FALSE;
    }
  counts = g_new0 (guint, n_classes);
  for (guint i = 0; i < n; i++)
    {
      if (labels[i] >= n_classes)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "LogME: sample %u has label %u, beyond the %u classes", i,
                       labels[i], n_classes);
          return FALSE;
        }
      counts[labels[i]]++;
    }
  s = g_new (double, K);
  t = g_new (double, (gsize) K * n_classes);
  if (!spectrum (features, n, dim, labels, n_classes, s, t, error))
    return FALSE;
  out->n_classes = n_classes;
  out->evidence = g_new (double, n_classes);
  out->alpha = g_new (double, n_classes);
  out->beta = g_new (double, n_classes);
  for (guint c = 0; c < n_classes; c++)
    {
      out->evidence[c] = class_evidence (s, t + c, n_classes, K, n, dim, counts[c], &out->alpha[c], &out->beta[c]);
      out->score += out->evidence[c] / n_classes;
    }
  return TRUE;
}
