/* ts-conv.h — 2-D convolution of NCHW samples, two ways:
 *
 * - the fast path: im2col + sgemm over a few samples at a time (`group`),
 *   its unfolded columns in a buffer of the caller's (a team thread's own,
 *   ts_conv_scratch_floats of them), never the whole batch unfolded;
 * - for stride 1 and kernels 3 and 5 with enough channels, Winograd's
 *   F(2×2, k×k) in the same per-thread buffer (ts-conv-winograd.c), which
 *   the three passes below dispatch to where it pays;
 * - the reference: the textbook sums in plain loops, kept beside both for
 *   the tests to compare with.
 *
 * Weights are [F, C, k, k] as PyTorch's Conv2d; rows of x, z, dx, dz are
 * whole samples (C·H·W and F·Ho·Wo floats). Functions take sample range
 * [r0, r1) of a batch so a team's threads can each take some.
 *
 *   TsConvGeom g;
 *   ts_conv_geom_init (&g, 1, 28, 28, 32, 5, 1, 2);
 *   float *scratch = g_new (float, ts_conv_scratch_floats (&g, 4));
 *   ts_conv_forward (&g, 4, z, x, w, b, 0, B, scratch);
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint C, H, W;     /* input */
  guint F, k, stride, pad;
  guint Ho, Wo;      /* output */
  guint K;           /* C·k·k: a filter's length, the GEMM's inner dimension */
  guint P;           /* Ho·Wo: output positions of a sample */
} TsConvGeom;

void  ts_conv_geom_init (TsConvGeom *g, guint C, guint H, guint W, guint F, guint k, guint stride, guint pad);
gsize ts_conv_scratch_floats (const TsConvGeom *g, guint group);
/* samples a thread transforms at once (`group` above): as many as keep its
 * scratch about the size of a core's L2 cache */
guint ts_conv_group (const TsConvGeom *g);

/* z[r] = w ⊛ x[r] + b for samples [r0, r1) */
void ts_conv_forward (const TsConvGeom *g, guint group, float *z, const float *x, const float *w, const float *b,
                      guint r0, guint r1, float *scratch);
/* dw = Σ_r dz[r] ⋆ x[r], db = Σ_r Σ_p dz[r] over samples [r0, r1) (overwritten) */
void ts_conv_weight_gradients (const TsConvGeom *g, guint group, float *dw, float *db, const float *dz,
                               const float *x, guint r0, guint r1, float *scratch);
/* dx[r] = wᵀ ⊛ dz[r] for samples [r0, r1) (overwritten) */
void ts_conv_input_gradients (const TsConvGeom *g, guint group, float *dx, const float *dz, const float *w,
                              guint r0, guint r1, float *scratch);

/* The im2col path alone, whatever the geometry (the three above take it
 * where Winograd does not pay): for benchmarks and tests */
gsize ts_conv_im2col_scratch_floats (const TsConvGeom *g, guint group);
void  ts_conv_im2col_forward (const TsConvGeom *g, guint group, float *z, const float *x, const float *w,
                              const float *b, guint r0, guint r1, float *scratch);
void  ts_conv_im2col_weight_gradients (const TsConvGeom *g, guint group, float *dw, float *db, const float *dz,
                                       const float *x, guint r0, guint r1, float *scratch);
void  ts_conv_im2col_input_gradients (const TsConvGeom *g, guint group, float *dx, const float *dz, const float *w,
                                      guint r0, guint r1, float *scratch);

/* The Winograd convolution (ts-conv-winograd.c): stride 1, kernel 3 or 5,
 * F(2×2, k×k) on (k+1)² tiles; the same contracts as the three above.
 * ts_conv_winograd_fits says whether it can run on g, ts_conv_winograd_pays
 * whether the dispatch above takes it. */
gboolean ts_conv_winograd_fits (const TsConvGeom *g);
gboolean ts_conv_winograd_pays (const TsConvGeom *g);
gsize    ts_conv_winograd_scratch_floats (const TsConvGeom *g, guint group);
void     ts_conv_winograd_forward (const TsConvGeom *g, guint group, float *z, const float *x, const float *w,
                                   const float *b, guint r0, guint r1, float *scratch);
void     ts_conv_winograd_weight_gradients (const TsConvGeom *g, guint group, float *dw, float *db, const float *dz,
                                            const float *x, guint r0, guint r1, float *scratch);
void     ts_conv_winograd_input_gradients (const TsConvGeom *g, guint group, float *dx, const float *dz,
                                           const float *w, guint r0, guint r1, float *scratch);

/* The reference: one sample, direct sums. b and db may be NULL. */
void ts_conv_reference_forward (const TsConvGeom *g, float *z, const float *x, const float *w, const float *b);
void ts_conv_reference_input_gradients (const TsConvGeom *g, float *dx, const float *dz, const float *w);
/* dw and db accumulate (+=): sum a batch by calling once per sample */
void ts_conv_reference_weight_gradients (const TsConvGeom *g, float *dw, float *db, const float *dz, const float *x);

G_END_DECLS
