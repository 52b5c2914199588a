/* ts-layers.h — the maths of one layer, as pairs of free functions.
 *
 * Outputs come first, then inputs, then sizes. Buffers are row-major; the
 * shape of each is in a comment. Backward functions overwrite the
 * gradients (one step's worth); the weights' can instead be added into a
 * momentum buffer (μ ≠ 0).
 *
 *   ts_dense_forward (z, x, w, b, B, in, out, 0, out);       // z = x·wᵀ + b
 *   ts_activation_forward (a, z, B, out, out, &act);
 *   ...
 *   ts_activation_backward (d, dslope, z, a, B, out, out, &act);     // d: ∂L/∂a in, ∂L/∂z out
 *   ts_dense_accumulate_weights (dw, 0.f, dz, x, B, in, out, 0, out, 0, in);
 *   ts_dense_backward_bias (db, dz, B, out, 0, out);
 *   ts_dense_backward_input (dx, dz, w, B, in, out, 0, in);
 */
#pragma once

#include <glib.h>

#include "ts-types.h"

G_BEGIN_DECLS

/* RReLU draws its negative slope from U(1/8, 1/3); evaluation uses the mean. */
#define TS_RRELU_LOWER (1.0f / 8.0f)
#define TS_RRELU_UPPER (1.0f / 3.0f)
#define TS_ELU_ALPHA 1.0f

typedef struct {
  TsActivation kind;
  float        slope;        /* leaky_relu; rrelu at evaluation */
  const float *unit_slope;   /* prelu: (units) learned slopes */
  const float *sample_slope; /* rrelu in training: (B, units) drawn slopes */
} TsActParams;

/* The dense layer works on a range [lo, hi) of its output units, so the
 * threads of a team can each take a share; [0, out) is the whole layer. */

/* z[:, lo:hi] = x (B,in) · w[lo:hi]ᵀ + b[lo:hi];  w is (out,in) as in PyTorch; z is (B,out) */
void ts_dense_forward (float *z, const float *x, const float *w, const float *b,
                       int B, int in, int out, int lo, int hi);
/* db[lo:hi] = Σ_b dz[:, lo:hi] (overwritten) */
void ts_dense_backward_bias (float *db, const float *dz, int B, int out, int lo, int hi);
/* v[lo:hi, c0:c1] = μ·v[lo:hi, c0:c1] + dz[:, lo:hi]ᵀ · x[:, c0:c1]: the
 * weight gradient of a block of rows and columns (μ = 0: overwritten), or
 * added straight into a momentum buffer (ts_optimizer_finish_momentum) */
void ts_dense_accumulate_weights (float *v, float mu, const float *dz, const float *x,
                                  int B, int in, int out, int lo, int hi, int c0, int c1);
/* dx[:, lo:hi] = dz (B,out) · w[:, lo:hi]; here [lo, hi) ranges over the inputs */
void ts_dense_backward_input (float *dx, const float *dz, const float *w,
                              int B, int in, int out, int lo, int hi);

/* a = f(z) on a (rows, cols) block of matrices whose rows are ld apart
 * (a column range of a (B, units) matrix); a may equal z. p->unit_slope
 * and p->sample_slope point at the block's first column. */
void ts_activation_forward (float *a, const float *z, int rows, int cols, int ld, const TsActParams *p);
/* d ⊙= f'(z) on the same kind of block, in place: ∂L/∂a becomes ∂L/∂z.
 * dslope (cols) is overwritten with ∂L/∂slope for prelu and may be NULL
 * otherwise. */
void ts_activation_backward (float *d, float *dslope, const float *z, const float *a, int rows, int cols, int ld,
                             const TsActParams *p);

/* Mean loss over the batch; dlogits (B,C) = ∂loss/∂logits when non-NULL;
 * *correct += the number of rows whose arg-max is the label. */
double ts_loss_forward_backward (TsLossKind kind, const float *logits, const guint32 *labels,
                                 int B, int C, float *dlogits, guint *correct);
/* The same over some rows of a larger batch: returns the rows' summed loss
 * and writes dlogits scaled by `scale` (1/the whole batch's size). */
double ts_loss_forward_backward_scaled (TsLossKind kind, const float *logits, const guint32 *labels,
                                        int rows, int C, float scale, float *dlogits, guint *correct);

G_END_DECLS
