/* The Winograd convolution for stride 1 and kernels 5 and 3: F(2×2, 5×5)
 * on 6×6 tiles and F(2×2, 3×3) on 4×4 (Lavin & Gray 2015). Per 2×2 block
 * of outputs, a tile d of input and a filter g,
 *
 *   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
 *
 * costs a² multiplies per (filter, channel) where the direct sums cost
 * 4·k² (36 against 100 for k 5: 2.8× fewer). The matrices are Toom-Cook's
 * for the points 0, ±½, ±2, ∞ (k 5) and 0, ±1, ∞ (k 3): Aᵀ the transposed
 * Vandermonde matrix of the two outputs, G that of the filter's k taps, Bᵀ
 * the transposed inverse of the a×a one; each row of Bᵀ is scaled to
 * integers and G takes the inverse scale, so the inputs are transformed
 * exactly up to rounding and the fractions fall on the weights. For k 5,
 * ±½ and ±2 rather than Lavin's ±1 and ±2: in float32 the worst error
 * (relative to Σ|terms|) is 2.4× smaller forward and 1.8× smaller for the
 * weight gradient (simulated over random data; the points ±1, ±2 made the
 * im2col test's 1e-4 fail on a weight gradient). The pairs ±p keep the
 * transforms' even/odd sums.
 *
 * Summed over channels, each of the a² products is a GEMM over a group of
 * samples' tiles (t), as im2col's are over their positions:
 *
 *   forward          M[ξ] (F, T) = U[ξ] (F, C) · V[ξ] (C, T)          U = G g Gᵀ, V = Bᵀ d B
 *   weight gradient  Ŵ[ξ] (F, C) += D[ξ] (F, T) · V[ξ]ᵀ                 D = A dz Aᵀ, then dW = Gᵀ Ŵ G
 *   input gradient   the forward of dz with the flipped filters
 *                    (C and F swapped, padding k − 1 − p): a full correlation
 *
 * The weight gradient is the same identity transposed (F(k×k, 2×2): the
 * 2×2 gradient block is the filter, the k×k gradient the output). A
 * group's transformed tiles (V and M, or V and D) and the transformed
 * filters are a thread's scratch, never a whole batch's.
 *
 * Transforms are separable: each 2-D one is a 1-D transform down the rows
 * and then along them, written as explicit sums over whole rows of tiles
 * so that they vectorise. The zero-padded input plane is kept with its even
 * and odd rows and columns apart, so the tiles (2 apart) read unit-stride
 * both ways. */
#include "ts-conv.h"
#include "ts-blas.h"

#include <string.h>

typedef struct {
  guint k, a;         /* kernel; tile side a = k + 1 */
  guint th, tw;       /* tiles down and across a sample's output */
  guint tiles;        /* th·tw */
  guint Hb, We;       /* the padded plane: rows and columns of each parity */
} Tiling;

static void
tiling_init (const TsConvGeom *g, Tiling *t)
{
  t->k = g->k;
  t->a = g->k + 1;
  t->th = (g->Ho + 1) / 2;
  t->tw = (g->Wo + 1) / 2;
  t->tiles = t->th * t->tw;
  /* 2·Hb ≥ H + 2·pad: the last tiles may reach past it, into zeros */
  t->Hb = t->th + (g->k - 1) / 2;
  t->We = t->tw + (g->k - 1) / 2;
}

/* ---- the 1-D transforms, over n tiles side by side ------------------------ */

/* v = Bᵀ d, 6 rows of n */
static inline void
bt6 (const float *const d[], float *const v[], guint n)
{
  const float *d0 = d[0], *d1 = d[1], *d2 = d[2], *d3 = d[3];
  const float *d4 = d[4], *d5 = d[5];
  float *v0 = v[0], *v1 = v[1], *v2 = v[2], *v3 = v[3];
  float *v4 = v[4], *v5 = v[5];

  /* the rows never overlap (restrict on these locals leaves GCC 12 unable to vectorise) */
#pragma GCC ivdep
  for (guint t = 0; t < n; t++)
    {
      /* the points ±½ and ±2 in pairs: even and odd parts */
      float e1 = 32.f * d2[t] - 8.f * d4[t], o1 = 16.f * d1[t] - 4.f * d3[t];
      float e2 = 4.f * d4[t] - d2[t], o2 = 8.f * d3[t] - 2.f * d1[t];
      v0[t] = 4.f * (d0[t] + d4[t]) - 17.f * d2[t];
      v1[t] = e1 + o1;
      v2[t] = e1 - o1;
      v3[t] = e2 + o2;
      v4[t] = e2 - o2;
      v5[t] = 4.f * (d1[t] + d5[t]) - 17.f * d3[t];
    }
}

static inline void
bt4 (const float *const d[], float *const v[], guint n)
{
  const float *d0 = d[0], *d1 = d[1], *d2 = d[2], *d3 = d[3];
  float *v0 = v[0], *v1 = v[1], *v2 = v[2], *v3 = v[3];

  /* the rows never overlap (restrict on these locals leaves GCC 12 unable to vectorise) */
#pragma GCC ivdep
  for (guint t = 0; t < n; t++)
    {
      v0[t] = d0[t] - d2[t];
      v1[t] = d1[t] + d2[t];
      v2[t] = d2[t] - d1[t];
      v3[t] = d3[t] - d1[t];
    }
}

/* y = Aᵀ m: a rows into 2 */
static inline void
at6 (const float *const m[], float *const y[], guint n)
{
  const float *m0 = m[0], *m1 = m[1], *m2 = m[2], *m3 = m[3];
  const float *m4 = m[4], *m5 = m[5];
  float *y0 = y[0], *y1 = y[1];

  /* the rows never overlap (restrict on these locals leaves GCC 12 unable to vectorise) */
#pragma GCC ivdep
  for (guint t = 0; t < n; t++)
    {
      y0[t] = (m0[t] + (m1[t] + m2[t])) + (m3[t] + m4[t]);
      y1[t] = 0.5f * (m1[t] - m2[t]) + 2.f * (m3[t] - m4[t]) + m5[t];
    }
}

static inline void
at4 (const float *const m[], float *const y[], guint n)
{
  const float *m0 = m[0], *m1 = m[1], *m2 = m[2], *m3 = m[3];
  float *y0 = y[0], *y1 = y[1];

  /* the rows never overlap (restrict on these locals leaves GCC 12 unable to vectorise) */
#pragma GCC ivdep
  for (guint t = 0; t < n; t++)
    {
      y0[t] = m0[t] + m1[t] + m2[t];
      y1[t] = m1[t] - m2[t] + m3[t];
    }
}

/* D = A e: 2 rows into a (Aᵀ's transpose: an output gradient's spread) */
static inline void
ae6 (const float *const e[], float *const o[], guint n)
{
  const float *e0 = e[0], *e1 = e[1];
  float *o0 = o[0], *o1 = o[1], *o2 = o[2], *o3 = o[3];
  float *o4 = o[4], *o5 = o[5];

  /* the rows never overlap (restrict on these locals leaves GCC 12 unable to vectorise) */
#pragma GCC ivdep
  for (guint t = 0; t < n; t++)
    {
      o0[t] = e0[t];
      o1[t] = e0[t] + 0.5f * e1[t];
      o2[t] = e0[t] - 0.5f * e1[t];
      o3[t] = e0[t] + 2.f * e1[t];
      o4[t] = e0[t] - 2.f * e1[t];
      o5[t] = e1[t];
    }
}

static inline void
ae4 (const float *const e[], float *const o[], guint n)
{
  const float *e0 = e[0], *e1 = e[1];
  float *o0 = o[0], *o1 = o[1], *o2 = o[2], *o3 = o[3];

  /* the rows never overlap (restrict on these locals leaves GCC 12 unable to vectorise) */
#pragma GCC ivdep
  for (guint t = 0; t < n; t++)
    {
      o0[t] = e0[t];
      o1[t] = e0[t] + e1[t];
      o2[t] = e0[t] - e1[t];
      o3[t] = e1[t];
    }
}

/* Where the CPU has AVX2 and FMA (x86-64-v3), the transforms run in a
 * clone built for it, picked when the library loads: the 1-D transforms
 * inline into their callers, so they are built for it too. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define VECTOR_CLONES __attribute__ ((target_clones ("arch=x86-64-v3", "default")))
#else
#define VECTOR_CLONES
#endif

static inline void
bt (guint k, const float *const in[], float *const out[], guint n)
{
  if (k == 5)
    bt6 (in, out, n);
  else
    bt4 (in, out, n);
}

static inline void
at (guint k, const float *const in[], float *const out[], guint n)
{
  if (k == 5)
    at6 (in, out, n);
  else
    at4 (in, out, n);
}

static inline void
ae (guint k, const float *const in[], float *const out[], guint n)
{
  if (k == 5)
    ae6 (in, out, n);
  else
    ae4 (in, out, n);
}

/* G (a × k), row-major: the filter's Vandermonde rows over Bᵀ's scales */
static const double G5[6 * 5] = {
  1. / 4,   0,        0,       0,        0,
  1. / 15,  1. / 30,  1. / 60, 1. / 120, 1. / 240,
  1. / 15,  -1. / 30, 1. / 60, -1. / 120, 1. / 240,
  1. / 120, 1. / 60,  1. / 30, 1. / 15,  2. / 15,
  1. / 120, -1. / 60, 1. / 30, -1. / 15, 2. / 15,
  0,        0,        0,       0,        1. / 4,
};
static const double G3[4 * 3] = {
  1,      0,       0,
  1. / 2, 1. / 2,  1. / 2,
  1. / 2, -1. / 2, 1. / 2,
  0,      0,       1,
};

/* ---- filters ---------------------------------------------------------------- */

/* G g Gᵀ of one filter (k×k, rotated with flip) into u (a×a). Inlined
 * with k a constant, so the loops unroll: F·C of them every call. */
static inline void
transform_filter (const double *G, guint k, const float *src, gboolean flip, double *u)
{
  guint a = k + 1;
  double gg[6 * 5];

  for (guint i = 0; i < a; i++)
    for (guint j = 0; j < k; j++)
      {
        double s = 0.0;
        for (guint l = 0; l < k; l++)
          s += G[i * k + l] * (flip ? src[(k - 1 - l) * k + (k - 1 - j)] : src[l * k + j]);
        gg[i * k + j] = s;
      }
  for (guint i = 0; i < a; i++)
    for (guint j = 0; j < a; j++)
      {
        double s = 0.0;
        for (guint l = 0; l < k; l++)
          s += gg[i * k + l] * G[j * k + l];
        u[i * a + j] = s;
      }
}

/* U[ξ] = G g Gᵀ of every filter, as (F, C) matrices, or with flip the
 * rotated filters as (C, F) ones: the input gradient's. In double: the
 * fractions are not exact in float. */
static void
transform_filters (const TsConvGeom *g, const float *w, gboolean flip, float *U)
{
  guint k = g->k, a = k + 1, F = g->F, C = g->C;
  gsize plane = (gsize) F * C;

  for (guint f = 0; f < F; f++)
    for (guint c = 0; c < C; c++)
      {
        const float *src = w + ((gsize) f * C + c) * k * k;
        gsize at = flip ? (gsize) c * F + f : (gsize) f * C + c;
        double u[6 * 6];

        if (k == 5)
          transform_filter (G5, 5, src, flip, u);
        else
          transform_filter (G3, 3, src, flip, u);
        for (guint x = 0; x < a * a; x++)
          U[x * plane + at] = (float) u[x];
      }
}

/* Gᵀ h G: one (filter, channel)'s gradient from a×a back to k×k */
static inline void
untransform_one (const double *G, guint k, const double *h, float *dw)
{
  guint a = k + 1;
  double hg[6 * 5];

  for (guint i = 0; i < a; i++)
    for (guint j = 0; j < k; j++)
      {
        double s = 0.0;
        for (guint l = 0; l < a; l++)
          s += h[i * a + l] * G[l * k + j];
        hg[i * k + j] = s;
      }
  for (guint i = 0; i < k; i++)
    for (guint j = 0; j < k; j++)
      {
        double s = 0.0;
        for (guint l = 0; l < a; l++)
          s += G[l * k + i] * hg[l * k + j];
        dw[i * k + j] = (float) s;
      }
}

/* dW = Gᵀ Ŵ G of every (filter, channel): the weight gradient back from
 * the transformed domain */
static void
untransform_gradients (const TsConvGeom *g, const float *Wh, float *dw)
{
  guint k = g->k, a = k + 1;
  gsize plane = (gsize) g->F * g->C;

  for (gsize fc = 0; fc < plane; fc++)
    {
      double h[6 * 6];
      for (guint x = 0; x < a * a; x++)
        h[x] = Wh[x * plane + fc];
      if (k == 5)
        untransform_one (G5, 5, h, dw + fc * 25);
      else
        untransform_one (G3, 3, h, dw + fc * 9);
    }
}

/* ---- tiles ------------------------------------------------------------------ */

/* one channel x (H, W) into the plane, zero-padded: four blocks (Hb, We)
 * of its even and odd rows × even and odd columns, so that a row of tiles
 * (2 apart) reads unit-stride, and so does a column of them */
static void
fill_plane (const TsConvGeom *g, const Tiling *t, const float *x, float *plane)
{
  guint p = g->pad;
  gsize block = (gsize) t->Hb * t->We;

  memset (plane, 0, sizeof (float) * 4 * block);
  for (guint h = 0; h < g->H; h++)
    {
      const float *row = x + (gsize) h * g->W;
      guint r = h + p;
      float *even = plane + (gsize) (r & 1) * 2 * block + (gsize) (r / 2) * t->We, *odd = even + block;
      for (guint w = p & 1; w < g->W; w += 2) /* (w + p) even */
        even[(w + p) / 2] = row[w];
      for (guint w = 1 - (p & 1); w < g->W; w += 2)
        odd[(w + p) / 2] = row[w];
    }
}

/* rows of tw floats, We apart in src, packed in dst. A row of tiles is
 * short (7 in a 14-wide map), so rows of 4–8 or 8–16 go as one vector of
 * 8 or 16, its tail overwritten by the next row (never past the block:
 * 2·tw ≥ the vector); the last row exactly. */
static inline void
pack_rows (float *dst, const float *src, guint rows, guint tw, guint We)
{
  guint last = rows - 1;

  if (tw >= 4 && tw <= 8)
    for (guint ty = 0; ty < last; ty++)
      memcpy (dst + (gsize) ty * tw, src + (gsize) ty * We, 8 * sizeof (float));
  else if (tw >= 8 && tw <= 16)
    for (guint ty = 0; ty < last; ty++)
      memcpy (dst + (gsize) ty * tw, src + (gsize) ty * We, 16 * sizeof (float));
  else
    last = 0;
  for (guint ty = last; ty < rows; ty++)
    memcpy (dst + (gsize) ty * tw, src + (gsize) ty * We, tw * sizeof (float));
}

/* V[ξ][c][t0 + tile] = Bᵀ d B of every tile of one sample x (C, H, W);
 * V's rows are ldv long. Down the rows for all tiles at once (each
 * column parity), then along them, into stage (a rows of Hb·We, tile
 * (ty, tx) at ty·We + tx) and packed into V. */
VECTOR_CLONES static void
transform_input (const TsConvGeom *g, const Tiling *t, const float *x, float *V, gsize ldv, gsize t0, float *plane,
                 float *tmp, float *stage)
{
  guint a = t->a, half = (t->k - 1) / 2;
  gsize block = (gsize) t->Hb * t->We, nb = (gsize) t->th * t->We;
  const float *in[6];
  float *out[6];

  for (guint c = 0; c < g->C; c++)
    {
      fill_plane (g, t, x + (gsize) c * g->H * g->W, plane);
      /* down: row 2·ty + j is row ty + j/2 of the (j mod 2) blocks */
      for (guint cp = 0; cp < 2; cp++)
        {
          for (guint j = 0; j < a; j++)
            in[j] = plane + ((j & 1) * 2 + cp) * block + (gsize) (j / 2) * t->We;
          for (guint i = 0; i < a; i++)
            out[i] = tmp + (gsize) (i * 2 + cp) * nb;
          bt (t->k, in, out, nb);
        }
      /* across: column 2·tx + j is column tx + j/2 of the (j mod 2) half */
      for (guint i = 0; i < a; i++)
        {
          for (guint j = 0; j < a; j++)
            in[j] = tmp + (gsize) (i * 2 + (j & 1)) * nb + j / 2;
          for (guint j = 0; j < a; j++)
            out[j] = stage + (gsize) j * nb;
          bt (t->k, in, out, nb - half);
          for (guint j = 0; j < a; j++)
            pack_rows (V + ((gsize) (i * a + j) * g->C + c) * ldv + t0, stage + (gsize) j * nb, t->th, t->tw,
                       t->We);
        }
    }
}

/* n samples' z (F, Ho, Wo) = Aᵀ M A of their tiles (M's rows T = n·tiles
 * long), plus the bias (may be NULL): each filter's tiles at once */
VECTOR_CLONES static void
transform_output (const TsConvGeom *g, const Tiling *t, const float *M, guint n, float *z, const float *b, float *r,
                  float *y)
{
  guint a = t->a, tw = t->tw;
  gsize T = (gsize) n * t->tiles, out_size = (gsize) g->F * g->P;
  const float *in[6];
  float *out[2];

  for (guint f = 0; f < g->F; f++)
    {
      float bias = b ? b[f] : 0.f;

      /* across: row i of each tile into its two columns, r[i] = (q 0 | q 1) */
      for (guint i = 0; i < a; i++)
        {
          for (guint j = 0; j < a; j++)
            in[j] = M + ((gsize) (i * a + j) * g->F + f) * T;
          out[0] = r + (gsize) i * 2 * T, out[1] = out[0] + T;
          at (t->k, in, out, T);
        }
      /* down: both columns at once; y = (p 0: q 0 | q 1, p 1: q 0 | q 1) */
      for (guint i = 0; i < a; i++)
        in[i] = r + (gsize) i * 2 * T;
      out[0] = y, out[1] = y + 2 * T;
      at (t->k, in, out, 2 * T);
      for (guint s = 0; s < n; s++)
        for (guint ty = 0; ty < t->th; ty++)
          for (guint p = 0; p < 2 && 2 * ty + p < g->Ho; p++)
            {
              float *dst = z + s * out_size + ((gsize) f * g->Ho + 2 * ty + p) * g->Wo;
              const float *q0 = y + (gsize) p * 2 * T + (gsize) s * t->tiles + (gsize) ty * tw, *q1 = q0 + T;
              for (guint tx = 0; tx < g->Wo / 2; tx++)
                {
                  dst[2 * tx] = q0[tx] + bias;
                  dst[2 * tx + 1] = q1[tx] + bias;
                }
              if (g->Wo & 1)
                dst[g->Wo - 1] = q0[tw - 1] + bias;
            }
    }
}

/* D[ξ][f][tile] = A e Aᵀ of n samples' output gradients dz (F, Ho, Wo),
 * each tile its 2×2 block e (zeros past the edges); D's rows T long */
VECTOR_CLONES static void
transform_output_gradient (const TsConvGeom *g, const Tiling *t, const float *dz, guint n, float *D, float *e,
                           float *s)
{
  guint a = t->a, tw = t->tw;
  gsize T = (gsize) n * t->tiles, out_size = (gsize) g->F * g->P;
  const float *in[2];
  float *out[6];

  for (guint f = 0; f < g->F; f++)
    {
      /* e = (p 0: q 0 | q 1, p 1: q 0 | q 1), each T long */
      memset (e, 0, sizeof (float) * 4 * T);
      for (guint sm = 0; sm < n; sm++)
        for (guint ty = 0; ty < t->th; ty++)
          for (guint p = 0; p < 2 && 2 * ty + p < g->Ho; p++)
            {
              const float *src = dz + sm * out_size + ((gsize) f * g->Ho + 2 * ty + p) * g->Wo;
              float *q0 = e + (gsize) p * 2 * T + (gsize) sm * t->tiles + (gsize) ty * tw, *q1 = q0 + T;
              for (guint tx = 0; tx < g->Wo / 2; tx++)
                {
                  q0[tx] = src[2 * tx];
                  q1[tx] = src[2 * tx + 1];
                }
              if (g->Wo & 1)
                q0[tw - 1] = src[g->Wo - 1];
            }
      /* down: 2 rows into a, both halves at once */
      in[0] = e, in[1] = e + 2 * T;
      for (guint i = 0; i < a; i++)
        out[i] = s + (gsize) i * 2 * T;
      ae (t->k, in, out, 2 * T);
      /* across */
      for (guint i = 0; i < a; i++)
        {
          in[0] = s + (gsize) i * 2 * T, in[1] = in[0] + T;
          for (guint j = 0; j < a; j++)
            out[j] = D + ((gsize) (i * a + j) * g->F + f) * T;
          ae (t->k, in, out, T);
        }
    }
}

/* ---- passes ----------------------------------------------------------------- */

/* the floats of one pass over geometry g in groups of `group` samples:
 * two blocks of transformed tiles, the plane and the rows between */
static gsize
pass_floats (const TsConvGeom *g, guint group)
{
  Tiling t;
  tiling_init (g, &t);
  gsize T = (gsize) group * t.tiles, a2 = (gsize) t.a * t.a, nb = (gsize) t.th * t.We;
  return a2 * (g->C + g->F) * T + 4 * (gsize) t.Hb * t.We + 3 * (gsize) t.a * nb + (gsize) (t.a + 2) * 2 * T;
}

/* the input gradient's geometry: dz (F, Ho, Wo) correlated with the
 * rotated filters, padded k − 1 − p, gives dx (C, H, W) */
static void
flipped_geometry (const TsConvGeom *g, TsConvGeom *flipped)
{
  ts_conv_geom_init (flipped, g->F, g->Ho, g->Wo, g->C, g->k, 1, g->k - 1 - g->pad);
}

gboolean
ts_conv_winograd_fits (const TsConvGeom *g)
{
  return g->stride == 1 && (g->k == 3 || g->k == 5) && g->pad < g->k && g->Ho > 0 && g->Wo > 0;
}

gsize
ts_conv_winograd_scratch_floats (const TsConvGeom *g, guint group)
{
  TsConvGeom flipped;
  gsize a2 = (gsize) (g->k + 1) * (g->k + 1);

  flipped_geometry (g, &flipped);
  return a2 * g->F * g->C + MAX (pass_floats (g, group), pass_floats (&flipped, group));
}

/* z = the correlation of x with the filters U holds, transformed */
static void
forward_pass (const TsConvGeom *g, guint group, float *z, const float *x, const float *U, const float *b, guint r0,
              guint r1, float *work)
{
  Tiling t;
  tiling_init (g, &t);
  gsize a2 = (gsize) t.a * t.a, most = (gsize) group * t.tiles;
  gsize in = (gsize) g->C * g->H * g->W, out = (gsize) g->F * g->P;
  float *V = work, *M = V + a2 * g->C * most, *plane = M + a2 * g->F * most;
  float *tmp = plane + 4 * (gsize) t.Hb * t.We, *stage = tmp + 2 * (gsize) t.a * t.th * t.We;
  float *r = stage + (gsize) t.a * t.th * t.We, *y = r + (gsize) t.a * 2 * most;

  for (guint s0 = r0; s0 < r1;)
    {
      guint n = MIN (group, r1 - s0);
      gsize T = (gsize) n * t.tiles;

      for (guint j = 0; j < n; j++)
        transform_input (g, &t, x + (s0 + j) * in, V, T, (gsize) j * t.tiles, plane, tmp, stage);
      for (gsize xi = 0; xi < a2; xi++)
        ts_sgemm (FALSE, FALSE, g->F, T, g->C, 1.f, U + xi * g->F * g->C, g->C, V + xi * g->C * T, T, 0.f,
                  M + xi * g->F * T, T);
      transform_output (g, &t, M, n, z + s0 * out, b, r, y);
      s0 += n;
    }
}

void
ts_conv_winograd_forward (const TsConvGeom *g, guint group, float *z, const float *x, const float *w, const float *b,
                          guint r0, guint r1, float *scratch)
{
  gsize a2 = (gsize) (g->k + 1) * (g->k + 1);

  if (r1 <= r0)
    return;
  transform_filters (g, w, FALSE, scratch);
  forward_pass (g, group, z, x, scratch, b, r0, r1, scratch + a2 * g->F * g->C);
}

void
ts_conv_winograd_input_gradients (const TsConvGeom *g, guint group, float *dx, const float *dz, const float *w,
                                  guint r0, guint r1, float *scratch)
{
  gsize a2 = (gsize) (g->k + 1) * (g->k + 1);
  TsConvGeom flipped;

  if (r1 <= r0)
    return;
  flipped_geometry (g, &flipped);
  transform_filters (g, w, TRUE, scratch);
  forward_pass (&flipped, group, dx, dz, scratch, NULL, r0, r1, scratch + a2 * g->F * g->C);
}

void
ts_conv_winograd_weight_gradients (const TsConvGeom *g, guint group, float *dw, float *db, const float *dz,
                                   const float *x, guint r0, guint r1, float *scratch)
{
  Tiling t;
  tiling_init (g, &t);
  gsize a2 = (gsize) t.a * t.a, most = (gsize) group * t.tiles;
  gsize in = (gsize) g->C * g->H * g->W, out = (gsize) g->F * g->P;
  float *Wh = scratch, *V = Wh + a2 * g->F * g->C, *D = V + a2 * g->C * most, *plane = D + a2 * g->F * most;
  float *tmp = plane + 4 * (gsize) t.Hb * t.We, *stage = tmp + 2 * (gsize) t.a * t.th * t.We;
  float *e = stage + (gsize) t.a * t.th * t.We, *s = e + 4 * most;
  float beta = 0.f;

  memset (db, 0, sizeof (float) * g->F);
  if (r1 <= r0)
    {
      memset (dw, 0, sizeof (float) * g->F * g->K);
      return;
    }
  for (guint s0 = r0; s0 < r1;)
    {
      guint n = MIN (group, r1 - s0);
      gsize T = (gsize) n * t.tiles;

      for (guint j = 0; j < n; j++)
        {
          const float *dzj = dz + (s0 + j) * out;
          transform_input (g, &t, x + (s0 + j) * in, V, T, (gsize) j * t.tiles, plane, tmp, stage);
          for (guint f = 0; f < g->F; f++)
            {
              const float *row = dzj + (gsize) f * g->P;
              float acc = 0.f;
              for (guint p = 0; p < g->P; p++)
                acc += row[p];
              db[f] += acc;
            }
        }
      transform_output_gradient (g, &t, dz + s0 * out, n, D, e, s);
      for (gsize xi = 0; xi < a2; xi++)
        ts_sgemm (FALSE, TRUE, g->F, g->C, T, 1.f, D + xi * g->F * T, T, V + xi * g->C * T, T, beta,
                  Wh + xi * g->F * g->C, g->C);
      beta = 1.f;
      s0 += n;
    }
  untransform_gradients (g, Wh, dw);
}
