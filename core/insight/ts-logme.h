/* ts-logme.h — how well a set of features suits a labelled target, without
 * training anything: LogME (You, Liu, Wang, Long, "LogME: Practical
 * Assessment of Pre-trained Models for Transfer Learning", ICML 2021).
 *
 * Per class c, a Bayesian linear model y_c = F·m + ε with m ~ N(0, α⁻¹ I)
 * and ε ~ N(0, β⁻¹ I) on the one-vs-rest target y_c ∈ {0,1}ⁿ; α and β are
 * set by MacKay's fixed-point iteration, and the score is the log marginal
 * evidence log p(y_c | F, α, β) divided by n, averaged over the classes.
 * Higher is better; it is comparable between feature sets for one target.
 * The spectrum of F (eigenvalues of FᵀF, or of FFᵀ when there are fewer
 * samples than features) is computed once and serves every class.
 *
 *   TsLogme r;
 *   if (!ts_logme (features, n, dim, labels, n_classes, &r, &error)) ...;
 *   // r.score: mean evidence per sample; r.alpha[c], r.beta[c] per class
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TS_LOGME_MAX_CLASSES 1024

typedef struct {
  double score;      /* mean over classes of the evidence / n */
  guint  n_classes;
  double *evidence;  /* (n_classes) each class's evidence / n */
  double *alpha;     /* (n_classes) the prior precision it settled on */
  double *beta;      /* (n_classes) the noise precision */
} TsLogme;

/* features (n, dim) row-major; labels in [0, n_classes). Refuses (with the
 * reason) fewer than two samples, a label out of range, or a spectrum
 * LAPACK could not compute. The work is min(n, dim)³ plus n·dim·min(n, dim). */
gboolean ts_logme (const float *features, guint n, guint dim, const guint32 *labels, guint n_classes,
                   TsLogme *out, GError **error);
void     ts_logme_clear (TsLogme *r);

G_END_DECLS
