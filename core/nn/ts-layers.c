#include "ts-layers.h"
#include "ts-blas.h"
#include "ts-simd.h"

#include <math.h>
#include <string.h>
#ifdef TS_HAVE_LIBMVEC
#include <emmintrin.h>

/* glibc's libmvec: four floats a call, within a few ulp of the scalar
 * functions, and the same on the same CPU (it picks its variant once) */
extern __m128 _ZGVbN4v_tanhf (__m128 x);
extern __m128 _ZGVbN4v_expf (__m128 x);
#endif

/* A per-thread scratch buffer for the transposed GEMM results below. */
typedef struct {
  gsize  size;
  float *data;
} Scratch;

static void
scratch_free (gpointer p)
{
  Scratch *s = p;
  g_free (s->data);
  g_free (s);
}

static GPrivate scratch_key = G_PRIVATE_INIT (scratch_free);

static float *
scratch (gsize n)
{
  Scratch *s = g_private_get (&scratch_key);

  if (s == NULL)
    {
      s = g_new0 (Scratch, 1);
      g_private_set (&scratch_key, s);
    }
  if (s->size < n)
    {
      g_free (s->data);
      s->data = g_new (float, n);
      s->size = n;
    }
  return s->data;
}

#ifdef __SSE__
#include <xmmintrin.h>

/* one 4 × 4 block: four units' values for four samples, plus the bias */
static inline void
transpose_block4 (float *dst, int ld, const float *src, int B, const float *bias)
{
  __m128 r0 = _mm_loadu_ps (src), r1 = _mm_loadu_ps (src + B), r2 = _mm_loadu_ps (src + 2 * B),
         r3 = _mm_loadu_ps (src + 3 * B), b = _mm_loadu_ps (bias);
  _MM_TRANSPOSE4_PS (r0, r1, r2, r3);
  _mm_storeu_ps (dst, _mm_add_ps (r0, b));
  _mm_storeu_ps (dst + ld, _mm_add_ps (r1, b));
  _mm_storeu_ps (dst + 2 * ld, _mm_add_ps (r2, b));
  _mm_storeu_ps (dst + 3 * ld, _mm_add_ps (r3, b));
}
#endif

/* dst[r, lo + j] = src[j, r] + bias[lo + j] for r < B, j < cols: the
 * transposed (feature-major) GEMM result back into batch-major rows, in
 * tiles so both sides stay in cache, and (with SSE) by 4 × 4 blocks */
static void
transpose_into (float *restrict dst, int ld, const float *restrict src, int B, int lo, int cols,
                const float *restrict bias)
{
  enum { TILE = 64 };
  for (int j0 = 0; j0 < cols; j0 += TILE)
    for (int r0 = 0; r0 < B; r0 += TILE)
      {
        int j_end = MIN (j0 + TILE, cols), r_end = MIN (r0 + TILE, B), r = r0;
#ifdef __SSE__
        for (; r + 4 <= r_end; r += 4)
          {
            int j = j0;
            for (; j + 4 <= j_end; j += 4)
              transpose_block4 (dst + (gsize) r * ld + lo + j, ld, src + (gsize) j * B + r, B, bias + lo + j);
            for (; j < j_end; j++)
              for (int i = r; i < r + 4; i++)
                dst[(gsize) i * ld + lo + j] = src[(gsize) j * B + i] + bias[lo + j];
          }
#endif
        for (; r < r_end; r++)
          for (int j = j0; j < j_end; j++)
            dst[(gsize) r * ld + lo + j] = src[(gsize) j * B + r] + bias[lo + j];
      }
}

/* A product with an all-zero factor is all zeros, exactly, when the other
 * factor is finite (0·Inf is NaN): zero-initialised layers — the init lab's
 * whole first row, the hidden layers of a zero-init ReLU net, which never
 * learn — need no GEMM. A weight matrix that is not zero is found so at its
 * first non-zero value. Columns [lo, hi) of w (rows × ld), for the backward
 * product: */
static gboolean
columns_zero (const float *w, int rows, int ld, int lo, int hi)
{
  for (int r = 0; r < rows; r++)
    if (!ts_all_zero (w + (gsize) r * ld + lo, hi - lo))
      return FALSE;
  return TRUE;
}

/* From this batch size on, z = x·wᵀ runs as fast as the transposed
 * product (measured single-threaded: 256 × 784 × 256 and larger), which
 * then needs no transpose: the probe's 1000-sample batches. */
#define TS_DIRECT_FORWARD_BATCH 256

void
ts_dense_forward (float *z, const float *x, const float *w, const float *b, int B, int in, int out, int lo, int hi)
{
  float *t;

  if (hi <= lo)
    return;
  gboolean zero = ts_all_zero (w + (gsize) lo * in, (gsize) (hi - lo) * in) && ts_all_finite (x, (gsize) B * in);

  if (zero || B >= TS_DIRECT_FORWARD_BATCH)
    {
      /* the bias in every row, then (unless w is zero) z[:, lo:hi] += x · w[lo:hi]ᵀ */
      for (int r = 0; r < B; r++)
        memcpy (z + (gsize) r * out + lo, b + lo, sizeof (float) * (hi - lo));
      if (!zero)
        ts_sgemm (FALSE, TRUE, B, hi - lo, in, 1.f, x, in, w + (gsize) lo * in, in, 1.f, z + lo, out);
      return;
    }
  /* zᵀ[lo:hi] (hi−lo, B) = w[lo:hi] (hi−lo, in) · xᵀ (in, B): at small
   * batches, with the units as GEMM rows OpenBLAS runs faster (7% for a
   * 128 × 784 × 512 layer here); the transpose back adds the bias */
  t = scratch ((gsize) (hi - lo) * B);
  ts_sgemm (FALSE, TRUE, hi - lo, B, in, 1.f, w + (gsize) lo * in, in, x, in, 0.f, t, B);
  transpose_into (z, out, t, B, lo, hi - lo, b);
}

void
ts_dense_backward_bias (float *db, const float *dz, int B, int out, int lo, int hi)
{
  if (hi <= lo)
    return;
  memset (db + lo, 0, sizeof (float) * (hi - lo));
  for (int r = 0; r < B; r++)
    {
      const float *row = dz + (gsize) r * out;
      for (int j = lo; j < hi; j++)
        db[j] += row[j];
    }
}

void
ts_dense_accumulate_weights (float *v, float mu, const float *dz, const float *x, int B, int in, int out, int lo,
                             int hi, int c0, int c1)
{
  /* v[lo:hi, c0:c1] (hi−lo, c1−c0) = dz[:, lo:hi]ᵀ · x[:, c0:c1] (B, c1−c0) + μ·v[lo:hi, c0:c1] */
  if (hi > lo && c1 > c0)
    ts_sgemm (TRUE, FALSE, hi - lo, c1 - c0, B, 1.f, dz + lo, out, x + c0, in, mu, v + (gsize) lo * in + c0, in);
}

void
ts_dense_backward_input (float *dx, const float *dz, const float *w, int B, int in, int out, int lo, int hi)
{
  if (hi <= lo)
    return;
  if (columns_zero (w, out, in, lo, hi) && ts_all_finite (dz, (gsize) B * out))
    {
      for (int r = 0; r < B; r++)
        memset (dx + (gsize) r * in + lo, 0, sizeof (float) * (hi - lo));
      return;
    }
  /* dx[:, lo:hi] (B, hi−lo) = dz (B, out) · w[:, lo:hi] (out, hi−lo); the
   * transposed form that helps the forward pass measured no better here */
  ts_sgemm (FALSE, FALSE, B, hi - lo, out, 1.f, dz, out, w + lo, in, 0.f, dx + lo, in);
}

static void
tanh_row (float *a, const float *z, int n)
{
  int i = 0;
#ifdef TS_HAVE_LIBMVEC
  for (; i + 4 <= n; i += 4)
    _mm_storeu_ps (a + i, _ZGVbN4v_tanhf (_mm_loadu_ps (z + i)));
#endif
  for (; i < n; i++)
    a[i] = tanhf (z[i]);
}

static void
sigmoid_row (float *a, const float *z, int n)
{
  int i = 0;
#ifdef TS_HAVE_LIBMVEC
  const __m128 one = _mm_set1_ps (1.f), zero = _mm_setzero_ps ();
  for (; i + 4 <= n; i += 4)
    _mm_storeu_ps (a + i, _mm_div_ps (one, _mm_add_ps (one, _ZGVbN4v_expf (_mm_sub_ps (zero, _mm_loadu_ps (z + i))))));
#endif
  for (; i < n; i++)
    a[i] = 1.f / (1.f + expf (-z[i]));
}

/* One row segment of n units; slopes are per unit (prelu) or per element
 * (rrelu in training), both already offset to the segment. Vectorised as
 * backward_row is. */
static void
forward_row (float *restrict a, const float *restrict z, int n, const TsActParams *p,
             const float *restrict unit_slope, const float *restrict sample_slope)
{
  const float slope = p->slope; /* a local: a store through a cannot change it, so the loops vectorise */

  switch (p->kind)
    {
    case TS_ACT_SIGMOID:
      sigmoid_row (a, z, n);
      break;
    case TS_ACT_TANH:
      tanh_row (a, z, n);
      break;
    case TS_ACT_RELU:
      for (int i = 0; i < n; i++)
        a[i] = z[i] > 0.f ? z[i] : 0.f;
      break;
    case TS_ACT_LEAKY_RELU:
      for (int i = 0; i < n; i++)
        a[i] = z[i] > 0.f ? z[i] : slope * z[i];
      break;
    case TS_ACT_PRELU:
      for (int i = 0; i < n; i++)
        a[i] = z[i] > 0.f ? z[i] : unit_slope[i] * z[i];
      break;
    case TS_ACT_RRELU:
      if (sample_slope)
        for (int i = 0; i < n; i++)
          a[i] = z[i] > 0.f ? z[i] : sample_slope[i] * z[i];
      else
        for (int i = 0; i < n; i++)
          a[i] = z[i] > 0.f ? z[i] : slope * z[i];
      break;
    case TS_ACT_ELU:
      for (int i = 0; i < n; i++)
        a[i] = z[i] > 0.f ? z[i] : TS_ELU_ALPHA * expm1f (z[i]);
      break;
    case TS_ACT_IDENTITY:
      if (a != z)
        memcpy (a, z, sizeof (float) * n);
      break;
    }
}

void
ts_activation_forward (float *a, const float *z, int rows, int cols, int ld, const TsActParams *p)
{
  for (int r = 0; r < rows; r++)
    forward_row (a + (gsize) r * ld, z + (gsize) r * ld, cols, p, p->unit_slope,
                 p->sample_slope ? p->sample_slope + (gsize) r * ld : NULL);
}

/* In place, d: ∂L/∂a → ∂L/∂z. Loads are unconditional, no pointer may
 * alias another (the slope is a local) and the build says float operations
 * do not trap (-fno-trapping-math): so the selects are branch-free and the
 * loops vectorise. ReLU's mask is random; a branch on it would mispredict
 * half the time. */
static void
backward_row (float *restrict d, const float *restrict z, const float *restrict a, int n, const TsActParams *p,
              const float *restrict unit_slope, const float *restrict sample_slope)
{
  const float slope = p->slope;

  switch (p->kind)
    {
    case TS_ACT_SIGMOID:
      for (int i = 0; i < n; i++)
        d[i] *= a[i] * (1.f - a[i]);
      break;
    case TS_ACT_TANH:
      for (int i = 0; i < n; i++)
        d[i] *= 1.f - a[i] * a[i];
      break;
    case TS_ACT_RELU:
      for (int i = 0; i < n; i++)
        d[i] = z[i] > 0.f ? d[i] : 0.f;
      break;
    case TS_ACT_LEAKY_RELU:
      for (int i = 0; i < n; i++)
        d[i] = z[i] > 0.f ? d[i] : slope * d[i];
      break;
    case TS_ACT_PRELU:
      for (int i = 0; i < n; i++)
        d[i] = z[i] > 0.f ? d[i] : unit_slope[i] * d[i];
      break;
    case TS_ACT_RRELU:
      if (sample_slope)
        for (int i = 0; i < n; i++)
          d[i] = z[i] > 0.f ? d[i] : sample_slope[i] * d[i];
      else
        for (int i = 0; i < n; i++)
          d[i] = z[i] > 0.f ? d[i] : slope * d[i];
      break;
    case TS_ACT_ELU:
      /* for z ≤ 0: a = α(eᶻ − 1), so f'(z) = a + α */
      for (int i = 0; i < n; i++)
        d[i] = z[i] > 0.f ? d[i] : d[i] * (a[i] + TS_ELU_ALPHA);
      break;
    case TS_ACT_IDENTITY:
      break;
    }
}

void
ts_activation_backward (float *d, float *dslope, const float *z, const float *a, int rows, int cols, int ld,
                        const TsActParams *p)
{
  if (p->kind == TS_ACT_PRELU && dslope)
    {
      /* ∂L/∂α_j = Σ_rows (∂L/∂a) · z where z ≤ 0; before d becomes ∂L/∂z */
      memset (dslope, 0, sizeof (float) * cols);
      for (int r = 0; r < rows; r++)
        for (int j = 0; j < cols; j++)
          {
            gsize i = (gsize) r * ld + j;
            if (z[i] <= 0.f)
              dslope[j] += d[i] * z[i];
          }
    }
  for (int r = 0; r < rows; r++)
    {
      gsize at = (gsize) r * ld;
      backward_row (d + at, z + at, a + at, cols, p, p->unit_slope, p->sample_slope ? p->sample_slope + at : NULL);
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
  return ts_loss_forward_backward_scaled (kind, logits, labels, B, C, 1.f / B, dlogits, correct) / B;
}

double
ts_loss_forward_backward_scaled (TsLossKind kind, const float *logits, const guint32 *labels,
                                 int B, int C, float scale, float *dlogits, guint *correct)
{
  double total = 0.0;

  for (int r = 0; r < B; r++)
    {
      const float *s = logits + (gsize) r * C;
      float *ds = dlogits ? dlogits + (gsize) r * C : NULL;
      total += kind == TS_LOSS_SVM ? svm_row (s, labels[r], C, ds, scale)
                                   : softmax_row (s, labels[r], C, ds, scale);
      if (correct && arg_max (s, C) == labels[r])
        (*correct)++;
    }
  return total;
}
