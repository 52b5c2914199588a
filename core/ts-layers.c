#include "ts-layers.h"
#include "ts-blas.h"

#include <math.h>
#include <string.h>

void
ts_dense_forward (float *z, const float *x, const float *w, const float *b, int B, int in, int out)
{
  /* bias first, then one GEMM accumulates onto it: z = x·wᵀ + z */
  for (int r = 0; r < B; r++)
    memcpy (z + (gsize) r * out, b, sizeof (float) * out);
  ts_sgemm (FALSE, TRUE, B, out, in, 1.f, x, in, w, in, 1.f, z, out);
}

void
ts_dense_backward (float *dx, float *dw, float *db, const float *dz, const float *x,
                   const float *w, int B, int in, int out)
{
  /* dw (out,in) = dzᵀ (out,B) · x (B,in) */
  ts_sgemm (TRUE, FALSE, out, in, B, 1.f, dz, out, x, in, 0.f, dw, in);
  memset (db, 0, sizeof (float) * out);
  for (int r = 0; r < B; r++)
    {
      const float *row = dz + (gsize) r * out;
      for (int j = 0; j < out; j++)
        db[j] += row[j];
    }
  /* dx (B,in) = dz (B,out) · w (out,in) */
  if (dx)
    ts_sgemm (FALSE, FALSE, B, in, out, 1.f, dz, out, w, in, 0.f, dx, in);
}

void
ts_activation_forward (float *a, const float *z, int B, int units, const TsActParams *p)
{
  gsize n = (gsize) B * units;

  switch (p->kind)
    {
    case TS_ACT_SIGMOID:
      for (gsize i = 0; i < n; i++)
        a[i] = 1.f / (1.f + expf (-z[i]));
      break;
    case TS_ACT_TANH:
      for (gsize i = 0; i < n; i++)
        a[i] = tanhf (z[i]);
      break;
    case TS_ACT_RELU:
      for (gsize i = 0; i < n; i++)
        a[i] = z[i] > 0.f ? z[i] : 0.f;
      break;
    case TS_ACT_LEAKY_RELU:
      for (gsize i = 0; i < n; i++)
        a[i] = z[i] > 0.f ? z[i] : p->slope * z[i];
      break;
    case TS_ACT_PRELU:
      for (gsize i = 0; i < n; i++)
        a[i] = z[i] > 0.f ? z[i] : p->unit_slope[i % units] * z[i];
      break;
    case TS_ACT_RRELU:
      for (gsize i = 0; i < n; i++)
        a[i] = z[i] > 0.f ? z[i] : (p->sample_slope ? p->sample_slope[i] : p->slope) * z[i];
      break;
    case TS_ACT_ELU:
      for (gsize i = 0; i < n; i++)
        a[i] = z[i] > 0.f ? z[i] : TS_ELU_ALPHA * expm1f (z[i]);
      break;
    case TS_ACT_IDENTITY:
      if (a != z)
        memcpy (a, z, sizeof (float) * n);
      break;
    }
}

static void
prelu_slope_gradient (float *dslope, const float *da, const float *z, int B, int units)
{
  /* ∂L/∂α_j = Σ_b da · z where z < 0 */
  memset (dslope, 0, sizeof (float) * units);
  for (int r = 0; r < B; r++)
    for (int j = 0; j < units; j++)
      {
        gsize i = (gsize) r * units + j;
        if (z[i] <= 0.f)
          dslope[j] += da[i] * z[i];
      }
}

void
ts_activation_backward (float *dz, float *dslope, const float *da, const float *z,
                        const float *a, int B, int units, const TsActParams *p)
{
  gsize n = (gsize) B * units;

  if (p->kind == TS_ACT_PRELU && dslope)
    prelu_slope_gradient (dslope, da, z, B, units); /* before dz may overwrite da */
  switch (p->kind)
    {
    case TS_ACT_SIGMOID:
      for (gsize i = 0; i < n; i++)
        dz[i] = da[i] * a[i] * (1.f - a[i]);
      break;
    case TS_ACT_TANH:
      for (gsize i = 0; i < n; i++)
        dz[i] = da[i] * (1.f - a[i] * a[i]);
      break;
    case TS_ACT_RELU:
      for (gsize i = 0; i < n; i++)
        dz[i] = z[i] > 0.f ? da[i] : 0.f;
      break;
    case TS_ACT_LEAKY_RELU:
      for (gsize i = 0; i < n; i++)
        dz[i] = z[i] > 0.f ? da[i] : p->slope * da[i];
      break;
    case TS_ACT_PRELU:
      for (gsize i = 0; i < n; i++)
        dz[i] = z[i] > 0.f ? da[i] : p->unit_slope[i % units] * da[i];
      break;
    case TS_ACT_RRELU:
      for (gsize i = 0; i < n; i++)
        dz[i] = z[i] > 0.f ? da[i] : (p->sample_slope ? p->sample_slope[i] : p->slope) * da[i];
      break;
    case TS_ACT_ELU:
      /* for z ≤ 0: a = α(eᶻ − 1), so f'(z) = a + α */
      for (gsize i = 0; i < n; i++)
        dz[i] = z[i] > 0.f ? da[i] : da[i] * (a[i] + TS_ELU_ALPHA);
      break;
    case TS_ACT_IDENTITY:
      if (dz != da)
        memcpy (dz, da, sizeof (float) * n);
      break;
    }
}

static guint
arg_max (const float *row, int C)
{
  guint best = 0;
  for (int j = 1; j < C; j++)
    if (row[j] > row[best])
      best = j;
  return best;
}

/* L = −log softmax(s)_y;  ∂L/∂s = (p − onehot(y)) / B */
static double
softmax_row (const float *s, guint y, int C, float *ds, float scale)
{
  float max = s[0];
  double sum = 0.0;

  for (int j = 1; j < C; j++)
    max = MAX (max, s[j]);
  for (int j = 0; j < C; j++)
    sum += exp ((double) s[j] - max);
  if (ds)
    for (int j = 0; j < C; j++)
      ds[j] = (float) (exp ((double) s[j] - max) / sum) * scale - (j == (int) y ? scale : 0.f);
  return log (sum) + max - s[y];
}

/* L = Σ_{j≠y} max(0, s_j − s_y + 1) (CS231n's multiclass SVM, margin 1) */
static double
svm_row (const float *s, guint y, int C, float *ds, float scale)
{
  double loss = 0.0;
  int violations = 0;

  for (int j = 0; j < C; j++)
    {
      float margin = s[j] - s[y] + 1.f;
      gboolean active = j != (int) y && margin > 0.f;
      if (active)
        {
          loss += margin;
          violations++;
        }
      if (ds)
        ds[j] = active ? scale : 0.f;
    }
  if (ds)
    ds[y] = -scale * violations;
  return loss;
}

double
ts_loss_forward_backward (TsLossKind kind, const float *logits, const guint32 *labels,
                          int B, int C, float *dlogits, guint *correct)
{
  double total = 0.0;
  float scale = 1.f / B;

  for (int r = 0; r < B; r++)
    {
      const float *s = logits + (gsize) r * C;
      float *ds = dlogits ? dlogits + (gsize) r * C : NULL;
      total += kind == TS_LOSS_SVM ? svm_row (s, labels[r], C, ds, scale)
                                   : softmax_row (s, labels[r], C, ds, scale);
      if (correct && arg_max (s, C) == labels[r])
        (*correct)++;
    }
  return total / B;
}
