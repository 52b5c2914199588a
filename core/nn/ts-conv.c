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

gsize
ts_conv_scratch_floats (const TsConvGeom *g, guint group)
{
  gsize wide = (gsize) group * g->P;
  return (gsize) g->K * wide + (group > 1 ? (gsize) g->F * wide : 0);
}

static gboolean
pointwise (const TsConvGeom *g)
{
  return g->k == 1 && g->stride == 1 && g->pad == 0;
}

/* output columns [lo, hi) whose tap j reads inside the row (not padding) */
static void
valid_columns (const TsConvGeom *g, guint j, guint *lo, guint *hi)
{
  int first = (int) g->pad - (int) j, last = (int) g->W - 1 + (int) g->pad - (int) j;

  *lo = first > 0 ? (guint) ((first + (int) g->stride - 1) / (int) g->stride) : 0;
  *hi = last < 0 ? 0 : MIN (g->Wo, (guint) (last / (int) g->stride) + 1);
  *lo = MIN (*lo, *hi);
}

/* one sample x (C, H, W) into columns [0, P) of col, whose rows are ld apart */
static void
im2col (const TsConvGeom *g, const float *x, float *col, gsize ld)
{
  for (guint c = 0; c < g->C; c++)
    for (guint i = 0; i < g->k; i++)
      for (guint j = 0; j < g->k; j++)
        {
          float *row = col + ((gsize) (c * g->k + i) * g->k + j) * ld;
          const float *xc = x + (gsize) c * g->H * g->W;
          guint lo, hi;

          valid_columns (g, j, &lo, &hi);
          for (guint oh = 0; oh < g->Ho; oh++)
            {
              int ih = (int) (oh * g->stride + i) - (int) g->pad;
              float *dst = row + (gsize) oh * g->Wo;
              gssize at; /* of tap (i, j) for output column ow: at + ow·stride */

              if (ih < 0 || ih >= (int) g->H || hi == lo)
                {
                  memset (dst, 0, sizeof (float) * g->Wo);
                  continue;
                }
              at = (gssize) ih * g->W + (gssize) j - (gssize) g->pad;
              memset (dst, 0, sizeof (float) * lo);
              if (g->stride == 1)
                memcpy (dst + lo, xc + at + lo, sizeof (float) * (hi - lo));
              else
                for (guint ow = lo; ow < hi; ow++)
                  dst[ow] = xc[at + (gssize) ow * g->stride];
              memset (dst + hi, 0, sizeof (float) * (g->Wo - hi));
            }
        }
}

/* dx (C, H, W) += the columns [0, P) of dcol folded back: the adjoint of im2col */
static void
col2im (const TsConvGeom *g, const float *dcol, gsize ld, float *dx)
{
  for (guint c = 0; c < g->C; c++)
    for (guint i = 0; i < g->k; i++)
      for (guint j = 0; j < g->k; j++)
        {
          const float *row = dcol + ((gsize) (c * g->k + i) * g->k + j) * ld;
          float *xc = dx + (gsize) c * g->H * g->W;
          guint lo, hi;

          valid_columns (g, j, &lo, &hi);
          for (guint oh = 0; oh < g->Ho; oh++)
            {
              int ih = (int) (oh * g->stride + i) - (int) g->pad;
              const float *src = row + (gsize) oh * g->Wo;
              gssize at;

              if (ih < 0 || ih >= (int) g->H)
                continue;
              at = (gssize) ih * g->W + (gssize) j - (gssize) g->pad;
              for (guint ow = lo; ow < hi; ow++)
                xc[at + (gssize) ow * g->stride] += src[ow];
            }
        }
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

void
ts_conv_forward (const TsConvGeom *g, guint group, float *z, const float *x, const float *w, const float *b,
                 guint r0, guint r1, float *scratch)
{
  float *col = scratch, *wide = scratch + (gsize) g->K * group * g->P;

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
            im2col (g, x + (s0 + j) * in_size (g), col + (gsize) j * g->P, ld);
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
ts_conv_weight_gradients (const TsConvGeom *g, guint group, float *dw, float *db, const float *dz, const float *x,
                          guint r0, guint r1, float *scratch)
{
  float *col = scratch, *wide = scratch + (gsize) g->K * group * g->P;
  float beta = 0.f;

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
          im2col (g, x + (s0 + j) * in_size (g), col + (gsize) j * g->P, ld);
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
ts_conv_input_gradients (const TsConvGeom *g, guint group, float *dx, const float *dz, const float *w, guint r0,
                         guint r1, float *scratch)
{
  float *col = scratch, *wide = scratch + (gsize) g->K * group * g->P;

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
          memset (dxs, 0, sizeof (float) * n * in_size (g));
          for (guint j = 0; j < n; j++)
            col2im (g, col + (gsize) j * g->P, ld, dxs + j * in_size (g));
        }
      s0 += n;
    }
}
