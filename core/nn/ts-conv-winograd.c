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
 * and odd columns apart, so the tiles (2 apart) of a row read unit-stride. */
#include "ts-conv.h"
#include "ts-blas.h"

#include <string.h>

typedef struct {
  guint k, a;         /* kernel; tile side a = k + 1 */
  guint th, tw;       /* tiles down and across a sample's output */
  guint tiles;        /* th·tw */
  guint Hp, We;       /* the padded plane: rows, columns of each parity */
} Tiling;

static void
tiling_init (const TsConvGeom *g, Tiling *t)
{
  t->k = g->k;
  t->a = g->k + 1;
  t->th = (g->Ho + 1) / 2;
  t->tw = (g->Wo + 1) / 2;
  t->tiles = t->th * t->tw;
  t->Hp = 2 * t->th + g->k - 1; /* ≥ H + 2·pad: the last tiles may reach past it, into zeros */
  t->We = t->tw + (g->k - 1) / 2;
}

/* ---- the 1-D transforms, over n tiles side by side ------------------------ */

/* v = Bᵀ d, 6 rows of n */
static void
bt6 (const float *const d[], float *const v[], guint n)
{
  const float *restrict d0 = d[0], *restrict d1 = d[1], *restrict d2 = d[2], *restrict d3 = d[3];
  const float *restrict d4 = d[4], *restrict d5 = d[5];
  float *restrict v0 = v[0], *restrict v1 = v[1], *restrict v2 = v[2], *restrict v3 = v[3];
  float *restrict v4 = v[4], *restrict v5 = v[5];

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

static void
bt4 (const float *const d[], float *const v[], guint n)
{
  const float *restrict d0 = d[0], *restrict d1 = d[1], *restrict d2 = d[2], *restrict d3 = d[3];
  float *restrict v0 = v[0], *restrict v1 = v[1], *restrict v2 = v[2], *restrict v3 = v[3];

  for (guint t = 0; t < n; t++)
    {
      v0[t] = d0[t] - d2[t];
      v1[t] = d1[t] + d2[t];
      v2[t] = d2[t] - d1[t];
      v3[t] = d3[t] - d1[t];
    }
}

/* y = Aᵀ m: a rows into 2 */
static void
at6 (const float *const m[], float *const y[], guint n)
{
  const float *restrict m0 = m[0], *restrict m1 = m[1], *restrict m2 = m[2], *restrict m3 = m[3];
  const float *restrict m4 = m[4], *restrict m5 = m[5];
  float *restrict y0 = y[0], *restrict y1 = y[1];

  for (guint t = 0; t < n; t++)
    {
      y0[t] = (m0[t] + (m1[t] + m2[t])) + (m3[t] + m4[t]);
      y1[t] = 0.5f * (m1[t] - m2[t]) + 2.f * (m3[t] - m4[t]) + m5[t];
    }
}

static void
at4 (const float *const m[], float *const y[], guint n)
{
  const float *restrict m0 = m[0], *restrict m1 = m[1], *restrict m2 = m[2], *restrict m3 = m[3];
  float *restrict y0 = y[0], *restrict y1 = y[1];

  for (guint t = 0; t < n; t++)
    {
      y0[t] = m0[t] + m1[t] + m2[t];
      y1[t] = m1[t] - m2[t] + m3[t];
    }
}

/* D = A e: 2 rows into a (Aᵀ's transpose: an output gradient's spread) */
static void
ae6 (const float *const e[], float *const o[], guint n)
{
  const float *restrict e0 = e[0], *restrict e1 = e[1];
  float *restrict o0 = o[0], *restrict o1 = o[1], *restrict o2 = o[2], *restrict o3 = o[3];
  float *restrict o4 = o[4], *restrict o5 = o[5];

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

static void
ae4 (const float *const e[], float *const o[], guint n)
{
  const float *restrict e0 = e[0], *restrict e1 = e[1];
  float *restrict o0 = o[0], *restrict o1 = o[1], *restrict o2 = o[2], *restrict o3 = o[3];

  for (guint t = 0; t < n; t++)
    {
      o0[t] = e0[t];
      o1[t] = e0[t] + e1[t];
      o2[t] = e0[t] - e1[t];
      o3[t] = e1[t];
    }
}

typedef void (*Transform1D) (const float *const in[], float *const out[], guint n);

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

static const double *
g_matrix (guint k)
{
  return k == 5 ? G5 : G3;
}

/* ---- filters ---------------------------------------------------------------- */

/* U[ξ] = G g Gᵀ of every filter, as (F, C) matrices, or with flip the
 * rotated filters as (C, F) ones: the input gradient's. In double: the
 * fractions are not exact in float, and it is F·C small transforms. */
static void
transform_filters (const TsConvGeom *g, const float *w, gboolean flip, float *U)
{
  guint k = g->k, a = k + 1, F = g->F, C = g->C;
  const double *G = g_matrix (k);
  gsize plane = (gsize) F * C;

  for (guint f = 0; f < F; f++)
    for (guint c = 0; c < C; c++)
      {
        const float *src = w + ((gsize) f * C + c) * k * k;
        double gg[6 * 5];
        gsize at = flip ? (gsize) c * F + f : (gsize) f * C + c;

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
              U[(gsize) (i * a + j) * plane + at] = (float) s;
            }
      }
}

/* dW = Gᵀ Ŵ G of every (filter, channel): the weight gradient back from
 * the transformed domain */
static void
untransform_gradients (const TsConvGeom *g, const float *Wh, float *dw)
{
  guint k = g->k, a = k + 1, F = g->F, C = g->C;
  const double *G = g_matrix (k);
  gsize plane = (gsize) F * C;

  for (gsize fc = 0; fc < plane; fc++)
    {
      double h[6 * 6], hg[6 * 5];
      for (guint x = 0; x < a * a; x++)
        h[x] = Wh[x * plane + fc];
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
            dw[fc * k * k + i * k + j] = (float) s;
          }
    }
}

/* ---- tiles ------------------------------------------------------------------ */

static Transform1D
bt_of (guint k)
{
  return k == 5 ? bt6 : bt4;
}

/* channel c of x (H, W) into the plane (Hp, 2·We), zero-padded, each row
 * its even columns then its odd ones */
static void
fill_plane (const TsConvGeom *g, const Tiling *t, const float *x, float *plane)
{
  guint ld = 2 * t->We, p = g->pad;

  memset (plane, 0, sizeof (float) * t->Hp * ld);
  for (guint h = 0; h < g->H; h++)
    {
      const float *row = x + (gsize) h * g->W;
      float *even = plane + (gsize) (h + p) * ld, *odd = even + t->We;
      for (guint w = p & 1; w < g->W; w += 2) /* (w + p) even */
        even[(w + p) / 2] = row[w];
      for (guint w = 1 - (p & 1); w < g->W; w += 2)
        odd[(w + p) / 2] = row[w];
    }
}

/* V[ξ][c][t0 + tile] = Bᵀ d B of every tile of one sample x (C, H, W);
 * V's rows are ldv long */
static void
transform_input (const TsConvGeom *g, const Tiling *t, const float *x, float *V, gsize ldv, gsize t0, float *plane,
                 float *tmp)
{
  guint a = t->a, ld = 2 * t->We;
  Transform1D bt = bt_of (t->k);

  for (guint c = 0; c < g->C; c++)
    {
      fill_plane (g, t, x + (gsize) c * g->H * g->W, plane);
      for (guint ty = 0; ty < t->th; ty++)
        {
          const float *rows[6];
          float *cols[6];

          /* down: a rows of the plane into a rows of tmp, whole rows at once */
          for (guint i = 0; i < a; i++)
            rows[i] = plane + (gsize) (2 * ty + i) * ld, cols[i] = tmp + (gsize) i * ld;
          bt (rows, cols, ld);
          /* across: tile tx's j-th column is tmp[2·tx + j], in the (j mod 2) half */
          for (guint i = 0; i < a; i++)
            {
              for (guint j = 0; j < a; j++)
                rows[j] = tmp + (gsize) i * ld + (j & 1) * t->We + j / 2;
              for (guint j = 0; j < a; j++)
                cols[j] = V + ((gsize) (i * a + j) * g->C + c) * ldv + t0 + (gsize) ty * t->tw;
              bt (rows, cols, t->tw);
            }
        }
    }
}

/* one sample's z (F, Ho, Wo) = Aᵀ M A of its tiles, plus the bias (may be NULL) */
static void
transform_output (const TsConvGeom *g, const Tiling *t, const float *M, gsize ldm, gsize t0, float *z,
                  const float *b, float *r, float *y)
{
  guint a = t->a, tw = t->tw;
  Transform1D at = t->k == 5 ? at6 : at4;

  for (guint f = 0; f < g->F; f++)
    for (guint ty = 0; ty < t->th; ty++)
      {
        const float *in[6];
        float *out[2];
        float bias = b ? b[f] : 0.f;

        /* across: row i of each tile into its two columns, r[i] = (q 0 | q 1) */
        for (guint i = 0; i < a; i++)
          {
            for (guint j = 0; j < a; j++)
              in[j] = M + ((gsize) (i * a + j) * g->F + f) * ldm + t0 + (gsize) ty * tw;
            out[0] = r + (gsize) i * 2 * tw, out[1] = out[0] + tw;
            at (in, out, tw);
          }
        /* down: both columns at once */
        for (guint i = 0; i < a; i++)
          in[i] = r + (gsize) i * 2 * tw;
        out[0] = y, out[1] = y + 2 * tw;
        at (in, out, 2 * tw);
        for (guint p = 0; p < 2 && 2 * ty + p < g->Ho; p++)
          {
            float *dst = z + ((gsize) f * g->Ho + 2 * ty + p) * g->Wo;
            const float *q0 = y + (gsize) p * 2 * tw, *q1 = q0 + tw;
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

/* D[ξ][f][t0 + tile] = A e Aᵀ of one sample's output gradient dz (F, Ho,
 * Wo), each tile its 2×2 block e (zeros past the edges) */
static void
transform_output_gradient (const TsConvGeom *g, const Tiling *t, const float *dz, float *D, gsize ldd, gsize t0,
                           float *e, float *s)
{
  guint a = t->a, tw = t->tw;
  Transform1D ae = t->k == 5 ? ae6 : ae4;

  for (guint f = 0; f < g->F; f++)
    for (guint ty = 0; ty < t->th; ty++)
      {
        const float *in[2];
        float *out[6];

        /* e[p] = (even columns | odd columns) of output row 2·ty + p */
        memset (e, 0, sizeof (float) * 4 * tw);
        for (guint p = 0; p < 2 && 2 * ty + p < g->Ho; p++)
          {
            const float *src = dz + ((gsize) f * g->Ho + 2 * ty + p) * g->Wo;
            float *q0 = e + (gsize) p * 2 * tw, *q1 = q0 + tw;
            for (guint tx = 0; tx < g->Wo / 2; tx++)
              {
                q0[tx] = src[2 * tx];
                q1[tx] = src[2 * tx + 1];
              }
            if (g->Wo & 1)
              q0[tw - 1] = src[g->Wo - 1];
          }
        /* down: 2 rows into a, both halves at once */
        in[0] = e, in[1] = e + 2 * tw;
        for (guint i = 0; i < a; i++)
          out[i] = s + (gsize) i * 2 * tw;
        ae (in, out, 2 * tw);
        /* across */
        for (guint i = 0; i < a; i++)
          {
            in[0] = s + (gsize) i * 2 * tw, in[1] = in[0] + tw;
            for (guint j = 0; j < a; j++)
              out[j] = D + ((gsize) (i * a + j) * g->F + f) * ldd + t0 + (gsize) ty * tw;
            ae (in, out, tw);
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
  gsize T = (gsize) group * t.tiles, a2 = (gsize) t.a * t.a;
  return a2 * (g->C + g->F) * T + (gsize) t.Hp * 2 * t.We + (gsize) t.a * 2 * t.We + (gsize) (t.a + 4) * 2 * t.tw;
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
  float *tmp = plane + (gsize) t.Hp * 2 * t.We, *r = tmp + (gsize) t.a * 2 * t.We, *y = r + (gsize) t.a * 2 * t.tw;

  for (guint s0 = r0; s0 < r1;)
    {
      guint n = MIN (group, r1 - s0);
      gsize T = (gsize) n * t.tiles;

      for (guint j = 0; j < n; j++)
        transform_input (g, &t, x + (s0 + j) * in, V, T, (gsize) j * t.tiles, plane, tmp);
      for (gsize xi = 0; xi < a2; xi++)
        ts_sgemm (FALSE, FALSE, g->F, T, g->C, 1.f, U + xi * g->F * g->C, g->C, V + xi * g->C * T, T, 0.f,
                  M + xi * g->F * T, T);
      for (guint j = 0; j < n; j++)
        transform_output (g, &t, M, T, (gsize) j * t.tiles, z + (s0 + j) * out, b, r, y);
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
  float *tmp = plane + (gsize) t.Hp * 2 * t.We, *e = tmp + (gsize) t.a * 2 * t.We, *s = e + (gsize) 4 * t.tw;
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
          transform_input (g, &t, x + (s0 + j) * in, V, T, (gsize) j * t.tiles, plane, tmp);
          transform_output_gradient (g, &t, dzj, D, T, (gsize) j * t.tiles, e, s);
          for (guint f = 0; f < g->F; f++)
            {
              const float *row = dzj + (gsize) f * g->P;
              float acc = 0.f;
              for (guint p = 0; p < g->P; p++)
                acc += row[p];
              db[f] += acc;
            }
        }
      for (gsize xi = 0; xi < a2; xi++)
        ts_sgemm (FALSE, TRUE, g->F, g->C, T, 1.f, D + xi * g->F * T, T, V + xi * g->C * T, T, beta,
                  Wh + xi * g->F * g->C, g->C);
      beta = 1.f;
      s0 += n;
    }
  untransform_gradients (g, Wh, dw);
}
