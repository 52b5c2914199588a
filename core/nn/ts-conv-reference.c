/* The naive direct convolution: the definition, in plain loops, that the
 * fast path (ts-conv.c) is tested against. Sums in double. */
#include "ts-conv.h"

#include <string.h>

void
ts_conv_geom_init (TsConvGeom *g, guint C, guint H, guint W, guint F, guint k, guint stride, guint pad)
{
  *g = (TsConvGeom) { C, H, W, F, k, stride, pad };
  g->Ho = (H + 2 * pad - k) / stride + 1;
  g->Wo = (W + 2 * pad - k) / stride + 1;
  g->K = C * k * k;
  g->P = g->Ho * g->Wo;
}

/* x[c, oh·s − p + i, ow·s − p + j], or 0 in the padding */
static float
input_at (const TsConvGeom *g, const float *x, guint c, guint oh, guint ow, guint i, guint j)
{
  int h = (int) (oh * g->stride + i) - (int) g->pad, w = (int) (ow * g->stride + j) - (int) g->pad;
  if (h < 0 || w < 0 || h >= (int) g->H || w >= (int) g->W)
    return 0.f;
  return x[((gsize) c * g->H + h) * g->W + w];
}

void
ts_conv_reference_forward (const TsConvGeom *g, float *z, const float *x, const float *w, const float *b)
{
  for (guint f = 0; f < g->F; f++)
    for (guint oh = 0; oh < g->Ho; oh++)
      for (guint ow = 0; ow < g->Wo; ow++)
        {
          double acc = b ? b[f] : 0.0;
          for (guint c = 0; c < g->C; c++)
            for (guint i = 0; i < g->k; i++)
              for (guint j = 0; j < g->k; j++)
                acc += (double) w[(((gsize) f * g->C + c) * g->k + i) * g->k + j] * input_at (g, x, c, oh, ow, i, j);
          z[((gsize) f * g->Ho + oh) * g->Wo + ow] = (float) acc;
        }
}

void
ts_conv_reference_input_gradients (const TsConvGeom *g, float *dx, const float *dz, const float *w)
{
  for (guint c = 0; c < g->C; c++)
    for (guint h = 0; h < g->H; h++)
      for (guint x = 0; x < g->W; x++)
        {
          double acc = 0.0;
          /* every output whose window covers (h, x), and the tap it used */
          for (guint f = 0; f < g->F; f++)
            for (guint i = 0; i < g->k; i++)
              for (guint j = 0; j < g->k; j++)
                {
                  int sh = (int) (h + g->pad) - (int) i, sw = (int) (x + g->pad) - (int) j;
                  if (sh < 0 || sw < 0 || sh % g->stride || sw % g->stride)
                    continue;
                  guint oh = sh / g->stride, ow = sw / g->stride;
                  if (oh >= g->Ho || ow >= g->Wo)
                    continue;
                  acc += (double) w[(((gsize) f * g->C + c) * g->k + i) * g->k + j]
                         * dz[((gsize) f * g->Ho + oh) * g->Wo + ow];
                }
          dx[((gsize) c * g->H + h) * g->W + x] = (float) acc;
        }
}

void
ts_conv_reference_weight_gradients (const TsConvGeom *g, float *dw, float *db, const float *dz, const float *x)
{
  for (guint f = 0; f < g->F; f++)
    {
      const float *dzf = dz + (gsize) f * g->P;
      if (db)
        {
          double acc = 0.0;
          for (guint p = 0; p < g->P; p++)
            acc += dzf[p];
          db[f] += (float) acc;
        }
      for (guint c = 0; c < g->C; c++)
        for (guint i = 0; i < g->k; i++)
          for (guint j = 0; j < g->k; j++)
            {
              double acc = 0.0;
              for (guint oh = 0; oh < g->Ho; oh++)
                for (guint ow = 0; ow < g->Wo; ow++)
                  acc += (double) dzf[oh * g->Wo + ow] * input_at (g, x, c, oh, ow, i, j);
              dw[(((gsize) f * g->C + c) * g->k + i) * g->k + j] += (float) acc;
            }
    }
}
