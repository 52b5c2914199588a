/* ts-layers.h — the maths of one layer, as pairs of free functions.
 *
 * Outputs come first, then inputs, then sizes. Buffers are row-major; the
 * shape of each is in a comment. Backward functions overwrite the weight
 * gradients (one step's worth); dx may be NULL for the first layer.
 *
 *   ts_dense_forward (z, x, w, b, B, in, out);           // z = x·wᵀ + b
 *   ts_activation_forward (a, z, B, out, &act);
 *   ...
 *   ts_activation_backward (dz, dslope, da, z, a, B, out, &act);
 *   ts_dense_backward (dx, dw, db, dz, x, w, B, in, out);
 */
#pragma once

#include <glib.h>

#include "ts-experiment.h"

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

/* z (B,out) = x (B,in) · wᵀ (in,out) + b (out);  w is (out,in) as in PyTorch */
void ts_dense_forward (float *z, const float *x, const float *w, const float *b,
                       int B, int in, int out);
/* dx (B,in) = dz · w;  dw (out,in) = dzᵀ · x;  db (out) = Σ_b dz */
void ts_dense_backward (float *dx, float *dw, float *db,
                        const float *dz, const float *x, const float *w,
                        int B, int in, int out);

/* a (B,units) = f(z); a may equal z */
void ts_activation_forward (float *a, const float *z, int B, int units, const TsActParams *p);
/* dz (B,units) = da ⊙ f'(z); dz may equal da. dslope (units) is overwritten
 * with ∂L/∂slope for prelu and may be NULL otherwise. */
void ts_activation_backward (float *dz, float *dslope, const float *da, const float *z,
                             const float *a, int B, int units, const TsActParams *p);

/* Mean loss over the batch; dlogits (B,C) = ∂loss/∂logits when non-NULL;
 * *correct += the number of rows whose arg-max is the label. */
double ts_loss_forward_backward (TsLossKind kind, const float *logits, const guint32 *labels,
                                 int B, int C, float *dlogits, guint *correct);

G_END_DECLS
