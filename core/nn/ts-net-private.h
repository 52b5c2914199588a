/* ts-net-private.h — the blocks a forward or backward pass is made of,
 * shared by the plain passes (ts-net.c) and the team step (ts-net-step.c).
 * Each works on units [lo, hi) of layer l for the whole batch. */
#pragma once

#include "ts-net.h"

G_BEGIN_DECLS

void _ts_net_prepare (TsNet *net, guint B, gboolean training);
/* z, a, y of units [lo, hi), from `in`, the previous layer's y (or x) */
void _ts_net_forward_block (TsNet *net, guint l, const float *in, guint B, guint lo, guint hi,
                            gboolean training, guint64 noise_key);
/* d[l][:, lo:hi]: ∂L/∂y → ∂L/∂z (dropout, activation), PReLU slope gradients */
void _ts_net_backward_block (TsNet *net, guint l, guint B, guint lo, guint hi);
/* A block of a layer's weight matrix: rows (units) [lo, hi), columns
 * (inputs) [c0, c1). Threads share a layer by rows, or, when it is too
 * narrow for that, by columns. The bias goes with the block at column 0. */
typedef struct {
  guint lo, hi, c0, c1;
} TsWeightBlock;

/* weight gradients of the block, bias gradients of its rows if it starts
 * at column 0; with a velocity (the momentum buffer, laid out as params)
 * the weights' gradient is added into it, v = μv + g, not kept in grads */
void _ts_net_weight_gradients (TsNet *net, guint l, const float *x, guint B, const TsWeightBlock *block,
                               float *velocity, float mu);
/* z, a, y of the last layer (no dropout, no activation noise) for batch
 * rows [r0, r1): the split that suits a layer too narrow to share by units */
void _ts_net_forward_output_rows (TsNet *net, const float *in, guint r0, guint r1);
/* d[l-1][:, lo:hi] = dz · W[:, lo:hi]; [lo, hi) ranges over layer l's inputs */
void _ts_net_input_gradients (TsNet *net, guint l, guint B, guint lo, guint hi);
void _ts_net_max_norm_rows (TsNet *net, guint l, guint lo, guint hi, float c);
/* w (out, in) orthonormal rows (or columns) from q, (max, min) N(0,1) values, overwritten */
void _ts_net_orthonormalize (float *w, guint out, guint in, float *q);
/* Every hidden layer to act (leaky kinds: slope), in place, when that
 * changes no layout — no PReLU slopes (parameters) or RReLU draws
 * (workspace) before or after. FALSE, net untouched: build a new one. */
gboolean _ts_net_set_hidden_activation (TsNet *net, TsActivation act, float slope);

G_END_DECLS
