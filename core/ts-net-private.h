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
/* weight and bias gradients of rows [lo, hi) */
void _ts_net_weight_gradients (TsNet *net, guint l, const float *x, guint B, guint lo, guint hi);
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
