/* The fast convolution: im2col + sgemm, a few samples at a time.
 *
 * A group of n samples is unfolded side by side into col (K, n·P): row
 * (c, i, j) holds, for every output position of every sample, the input
 * value that tap (i, j) of channel c sees. Then
 *
 *   forward          Z (F, n·P)  = W (F, K) · col
 *   weight gradient  dW (F, K)  += dZ (F, n·P) · colᵀ
 *   input gradient   dcol (K, n·P) = Wᵀ · dZ, folded back (col2im)
 *
 * so every GEMM is at least as wide as a group's positions, and W is read
 * as stored (no transposed copies). For one sample (F, P) is exactly the
 * sample's NCHW output; a group's is scattered into its samples' rows
 * (gathered for the gradients), a copy of F·n·P floats beside the GEMM's
 * F·K·n·P multiply-adds. A 1×1 convolution of stride 1 without padding
 * needs no unfolding: a sample's (C, H·W) is its own col. */
#include "ts-conv.h"
#include "ts-blas.h"

#include <string.h>

/* a sample's channels with their zero padding around: (C, Hp, Wp) */
static gsize
padded_size (const TsConvGeom *g)
{
  return (gsize) g->C * (g->H + 2 * g->pad) * (g->W + 2 * g->pad);
}

/* Winograd where it fits and pays: from 8 input channels and 8 filters.
 * Measured single-threaded on 14×14 maps, batch 64, the three passes
 * against im2col's (2026-11-29, AMD EPYC, loaded machine, thread CPU
 * time): k 5 with C/F 4/4 1.08× faster, 8/8 1.45×, 16/16 1.70×, 32/64
 * 1.65×, 64/64 1.97×, 32/8 2.3×, but 8/32 only 1.07× and 3/16 0.69×
 * (slower: with few channels the transforms, a² values per tile and
 * channel, cost as much as the GEMMs they save); k 3 with 8/8 1.07×, 16/16
 * 1.33×, 32/32 1.46×, 64/64 1.65×. The CNN's first conv (C 1) stays on
 * im2col: 2.7× slower as Winograd. */
gboolean
ts_conv_winograd_pays (const TsConvGeom *g)
{
  return ts_conv_winograd_fits (g) && g->C >= 8 && g->F >= 8;
}

gsize
ts_conv_im2col_scratch_floats (const TsConvGeom *g, guint group)
{
  gsize wide = (gsize) group * g->P;
  return (gsize) g->K * wide + (group > 1 ? (gsize) g->F * wide : 0) + padded_size (g);
}

gsize
ts_conv_scratch_floats (const TsConvGeom *g, guint group)
{
  if (ts_conv_winograd_pays (g))
    return ts_conv_winograd_scratch_floats (g, group);
  return ts_conv_im2col_scratch_floats (g, group);
}

/* as many samples as fit this many floats (1 MB) of a group's columns and
 * outputs (im2col) or transformed tiles (Winograd), so that a thread's
 * buffer stays about the size of a core's L2 cache whatever the batch: the
 * CNN of issue #13 unfolds 5 samples at a time in its first conv (K 25,
 * GEMMs 3920 wide) and transforms one in its second (36·96 rows of 49
 * tiles, 0.68 MB; measured as fast as 2 or 4 together, 8 and 16 slower) */
#define TS_CONV_BUDGET (1u << 18)
#define TS_CONV_MAX_GROUP 16

guint
ts_conv_group (const TsConvGeom *g)
{
  gsize per_sample = ((gsize) g->K + g->F) * g->P;
  if (ts_conv_winograd_pays (g))
    per_sample = ts_conv_winograd_scratch_floats (g, 2) - ts_conv_winograd_scratch_floats (g, 1);
  return (guint) CLAMP (TS_CONV_BUDGET / MAX (per_sample, 1), 1, TS_CONV_MAX_GROUP);
}

static gboolean
pointwise (const TsConvGeom *g)
{
  return g->k == 1 && g->stride == 1 && g->pad == 0;
}

/* x (C, H, W) into the middle of xp (C, Hp, Wp), zeros around */
static void
pad_sample (const TsConvGeom *g, const float *x, float *xp)
{
  guint Hp = g->H + 2 * g->pad, Wp = g->W + 2 * g->pad;

  memset (xp, 0, sizeof (float) * padded_size (g));
  for (guint c = 0; c < g->C; c++)
    for (guint h = 0; h < g->H; h++)
      memcpy (xp + ((gsize) c * Hp + h + g->pad) * Wp + g->pad, x + ((gsize) c * g->H + h) * g->W,
              sizeof (float) * g->W);
}

/* One sample into columns [0, P) of col, whose rows are ld apart. The
 * padding is made once (xp, a padded copy), so every row of col is runs of
 * Wo values read at a stride, without bounds to test: plain loops the
 * compiler vectorises, no library call per run (those cost more than the
 * copying on a 14-wide map). */
static void
im2col (const TsConvGeom *g, const float *x, float *col, gsize ld, float *xp)
{
  const float *src = x;
  guint Hp = g->H, Wp = g->W, s = g->stride, Wo = g->Wo;

  if (g->pad > 0)
    {
      pad_sample (g, x, xp);
      src = xp, Hp += 2 * g->pad, Wp += 2 * g->pad;
    }
  for (guint c = 0; c < g->C; c++)
    for (guint i = 0; i < g->k; i++)
      for (guint j = 0; j < g->k; j++)
        {
          float *restrict row = col + ((gsize) (c * g->k + i) * g->k + j) * ld;
          const float *restrict plane = src + (gsize) c * Hp * Wp + (gsize) i * Wp + j;

          for (guint oh = 0; oh < g->Ho; oh++)
            {
              float *restrict dst = row + (gsize) oh * Wo;
              const float *restrict in = plane + (gsize) oh * s * Wp;
              if (s == 1)
                for (guint ow = 0; ow < Wo; ow++)
                  dst[ow] = in[ow];
              else
                for (guint ow = 0; ow < Wo; ow++)
                  dst[ow] = in[(gsize) ow * s];
            }
        }
}

/* dx (C, H, W) = the columns [0, P) of dcol folded back, the adjoint of
 * im2col: summed into a padded plane (no bounds to test), whose middle is dx */
static void
col2im (const TsConvGeom *g, const float *dcol, gsize ld, float *dx, float *xp)
{
  guint Hp = g->H + 2 * g->pad, Wp = g->W + 2 * g->pad, s = g->stride, Wo = g->Wo;
  float *dst = g->pad > 0 ? xp : dx;

  memset (dst, 0, sizeof (float) * g->C * Hp * Wp);
  for (guint c = 0; c < g->C; c++)
    for (guint i = 0; i < g->k; i++)
      for (guint j = 0; j < g->k; j++)
        {
          const float *restrict row = dcol + ((gsize) (c * g->k + i) * g->k + j) * ld;
          float *restrict plane = dst + (gsize) c * Hp * Wp + (gsize) i * Wp + j;

          for (guint oh = 0; oh < g->Ho; oh++)
            {
              const float *restrict from = row + (gsize) oh * Wo;
              float *restrict out = plane + (gsize) oh * s * Wp;
              if (s == 1)
                for (guint ow = 0; ow < Wo; ow++)
                  out[ow] += from[ow];
              else
                for (guint ow = 0; ow < Wo; ow++)
                  out[(gsize) ow * s] += from[ow];
            }
        }
  if (g->pad > 0)
    for (guint c = 0; c < g->C; c++)
      for (guint h = 0; h < g->H; h++)
        memcpy (dx + ((gsize) c * g->H + h) * g->W, xp + ((gsize) c * Hp + h + g->pad) * Wp + g->pad,
                sizeof (float) * g->W);
}

static gsize
in_size (const TsConvGeom *g)
{
  return (gsize) g->C * g->H * g->W;
}

static gsize
out_size (const TsConvGeom *g)
{
  return (gsize) g->F * g->P;
}

/* the scratch: columns (K, group·P), a group's outputs (F, group·P), a padded sample */
static void
carve (const TsConvGeom *g, guint group, float *scratch, float **col, float **wide, float **xp)
{
  *col = scratch;
  *wide = scratch + (gsize) g->K * group * g->P;
  *xp = *wide + (group > 1 ? (gsize) g->F * group * g->P : 0);
}

void
ts_conv_im2col_forward (const TsConvGeom *g, guint group, float *z, const float *x, const float *w, const float *b,
                 guint r0, guint r1, float *scratch)
{
  float *col, *wide, *xp;

  carve (g, group, scratch, &col, &wide, &xp);
  for (guint s0 = r0; s0 < r1;)
    {
      guint n = pointwise (g) ? 1 : MIN (group, r1 - s0);
      gsize ld = (gsize) n * g->P;
      float *zs = z + s0 * out_size (g);

      if (pointwise (g))
        ts_sgemm (FALSE, FALSE, g->F, g->P, g->K, 1.f, w, g->K, x + s0 * in_size (g), g->P, 0.f, zs, g->P);
      else
        {
          for (guint j = 0; j < n; j++)
            im2col (g, x + (s0 + j) * in_size (g), col + (gsize) j * g->P, ld, xp);
          ts_sgemm (FALSE, FALSE, g->F, ld, g->K, 1.f, w, g->K, col, ld, 0.f, n == 1 ? zs : wide, ld);
        }
      /* the bias, and a group's (F, n·P) into its samples' (F, P) rows */
      for (guint j = 0; j < n; j++)
        for (guint f = 0; f < g->F; f++)
          {
            float *dst = zs + j * out_size (g) + (gsize) f * g->P;
            const float *src = n == 1 ? dst : wide + (gsize) f * ld + (gsize) j * g->P;
            for (guint p = 0; p < g->P; p++)
              dst[p] = src[p] + b[f];
          }
      s0 += n;
    }
}

/* dZ of a group as one (F, n·P) matrix: the samples' own rows for one */
static const float *
gather (const TsConvGeom *g, const float *dz, guint n, float *wide)
{
  gsize ld = (gsize) n * g->P;
  if (n == 1)
    return dz;
  for (guint j = 0; j < n; j++)
    for (guint f = 0; f < g->F; f++)
      memcpy (wide + (gsize) f * ld + (gsize) j * g->P, dz + j * out_size (g) + (gsize) f * g->P,
              sizeof (float) * g->P);
  return wide;
}

void
ts_conv_im2col_weight_gradients (const TsConvGeom *g, guint group, float *dw, float *db, const float *dz, const float *x,
                          guint r0, guint r1, float *scratch)
{
  float *col, *wide, *xp;
  float beta = 0.f;

  carve (g, group, scratch, &col, &wide, &xp);
  memset (db, 0, sizeof (float) * g->F);
  if (r1 <= r0)
    memset (dw, 0, sizeof (float) * g->F * g->K);
  for (guint s0 = r0; s0 < r1;)
    {
      guint n = pointwise (g) ? 1 : MIN (group, r1 - s0);
      gsize ld = (gsize) n * g->P;
      const float *dzs = dz + s0 * out_size (g), *a = gather (g, dzs, n, wide), *cols = col;

      if (pointwise (g))
        cols = x + s0 * in_size (g);
      else
        for (guint j = 0; j < n; j++)
          im2col (g, x + (s0 + j) * in_size (g), col + (gsize) j * g->P, ld, xp);
      ts_sgemm (FALSE, TRUE, g->F, g->K, ld, 1.f, a, ld, cols, ld, beta, dw, g->K);
      beta = 1.f;
      for (guint f = 0; f < g->F; f++)
        {
          const float *row = a + (gsize) f * ld;
          float acc = 0.f;
          for (gsize p = 0; p < ld; p++)
            acc += row[p];
          db[f] += acc;
        }
      s0 += n;
    }
}

void
ts_conv_im2col_input_gradients (const TsConvGeom *g, guint group, float *dx, const float *dz, const float *w, guint r0,
                         guint r1, float *scratch)
{
  float *col, *wide, *xp;

  carve (g, group, scratch, &col, &wide, &xp);
  for (guint s0 = r0; s0 < r1;)
    {
      guint n = pointwise (g) ? 1 : MIN (group, r1 - s0);
      gsize ld = (gsize) n * g->P;
      const float *a = gather (g, dz + s0 * out_size (g), n, wide);
      float *dxs = dx + s0 * in_size (g);

      if (pointwise (g))
        ts_sgemm (TRUE, FALSE, g->K, g->P, g->F, 1.f, w, g->K, a, g->P, 0.f, dxs, g->P);
      else
        {
          ts_sgemm (TRUE, FALSE, g->K, ld, g->F, 1.f, w, g->K, a, ld, 0.f, col, ld);
          for (guint j = 0; j < n; j++)
            col2im (g, col + (gsize) j * g->P, ld, dxs + j * in_size (g), xp);
        }
      s0 += n;
    }
}

/* ---- the dispatch ---------------------------------------------------------- */

void
ts_conv_forward (const TsConvGeom *g, guint group, float *z, const float *x, const float *w, const float *b,
                 guint r0, guint r1, float *scratch)
{
  if (ts_conv_winograd_pays (g))
    ts_conv_winograd_forward (g, group, z, x, w, b, r0, r1, scratch);
  else
    ts_conv_im2col_forward (g, group, z, x, w, b, r0, r1, scratch);
}

void
ts_conv_weight_gradients (const TsConvGeom *g, guint group, float *dw, float *db, const float *dz, const float *x,
                          guint r0, guint r1, float *scratch)
{
  if (ts_conv_winograd_pays (g))
    ts_conv_winograd_weight_gradients (g, group, dw, db, dz, x, r0, r1, scratch);
  else
    ts_conv_im2col_weight_gradients (g, group, dw, db, dz, x, r0, r1, scratch);
}

void
ts_conv_input_gradients (const TsConvGeom *g, guint group, float *dx, const float *dz, const float *w, guint r0,
                         guint r1, float *scratch)
{
  if (ts_conv_winograd_pays (g))
    ts_conv_winograd_input_gradients (g, group, dx, dz, w, r0, r1, scratch);
  else
    ts_conv_im2col_input_gradients (g, group, dx, dz, w, r0, r1, scratch);
}
