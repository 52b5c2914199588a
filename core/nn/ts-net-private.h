/* ts-net-private.h — the net's insides, for the files of the net itself
 * (ts-net*.c, ts-layer-*.c, ts-model.c) and the tests: its struct, the
 * ops table every layer kind fills in, and the blocks a forward or
 * backward pass is made of, shared by the plain passes (ts-net.c) and the
 * team step (ts-net-step.c). Each block works on batch rows [r0, r1) and
 * units [lo, hi) of layer l. Activations are (B, C·H·W) rows, NCHW within
 * a row, so a dense layer after a conv or pool reads them flattened in
 * C,H,W order as torch.flatten does. */
#pragma once

#include "ts-net.h"

G_BEGIN_DECLS

#define TS_NO_PARAM G_MAXSIZE

typedef struct _TsLayerOps TsLayerOps;

typedef struct {
  TsLayerKind       kind;
  const TsLayerOps *ops;
  TsLayerSpec       spec;    /* as given (the output layer: a dense spec of n_classes units) */
  TsShape           in_shape;  /* [C,H,W] or [n] */
  TsShape           out_shape;
  guint             in;      /* numel of in_shape: a row of the layer's input */
  guint             out;     /* numel of out_shape: a row of z, a, y, d */
  guint             channels; /* out_shape's C ([n]: n): what per-channel parameters (bias, γ, PReLU) count */
  guint             spatial;  /* out_shape's H·W (1 for vectors): a channel's run within a row */
  guint             kernel, stride, pad; /* conv and pool windows */
  guint             group;   /* conv: samples unfolded together (the im2col buffer's size) */
  guint             grain;   /* columns a team's shares of the layer are cut at */
  TsActivation      act;     /* TS_ACT_IDENTITY for the output layer, a dense or conv layer a batchnorm follows, pools */
  float             slope;   /* leaky_relu slope */
  gboolean          dropout; /* y = a after dropout */
  gsize             w;       /* offsets into params/grads: dense (out,in); conv (F,C,k,k); batchnorm γ (C) */
  gsize             b;       /* (C): dense and conv bias; batchnorm β */
  gsize             prelu;   /* (C), or TS_NO_PARAM */
  gsize             running; /* into buffers: batchnorm mean (C), var (C), batches (1); or TS_NO_PARAM */
  gsize             partial; /* a row-split layer's weight gradients: where in each thread's partial sums, or TS_NO_PARAM */
  float             momentum; /* batchnorm */
  float             eps;
  gboolean          frozen;   /* nothing of it updated; a batchnorm also in evaluation mode always */
  float             lr_scale; /* its parameters move at the step's LR times this */
  guint64           steps_before; /* optimizer steps taken before it last started training (unfrozen) */
} TsNetLayer;

struct _TsNet {
  guint       n_layers;   /* model.layers entries, output layer included */
  TsNetLayer *layers;
  TsShape     in_shape;   /* [C,H,W] or [in_dim] */
  guint       in_dim;     /* its numel */
  guint       n_classes;
  float       dropout;
  TsActivation default_act;
  float       leaky_slope;
  gboolean    last_training; /* the last forward drew noise; backward follows it */

  gsize       n_params;
  gsize       n_decay;    /* weights: [0, n_decay) */
  gsize       n_buffers;
  float      *params;     /* (n_params + n_buffers): the state, parameters first */
  float      *buffers;    /* = params + n_params: non-trained (running statistics) */
  float      *grads;      /* (n_params) */
  GArray     *tensors;    /* TsNetTensor in checkpoint order */

  /* workspace for up to batch_cap rows, carved from one block */
  guint       batch_cap;
  float      *workspace;
  float     **z;          /* [l] (B, out) pre-activation */
  float     **a;          /* [l] (B, out) activation */
  float     **y;          /* [l] (B, out) what layer l+1 reads: a, or a after dropout */
  float     **d;          /* [l] (B, out) gradient w.r.t. y, then z */
  float     **noise;      /* [l] (B, out) dropout scale or rrelu slope, or NULL */
  float     **rslope;     /* [l] (B, out) rrelu slopes, or NULL */
  float     **aux;        /* [l] the kind's own workspace (ops->aux_rows rows of out, + 4 more), or NULL */

  /* per thread, independent of the batch size: the kinds' scratch (im2col
   * columns of a few samples) and the partial sums of row-split layers'
   * weight gradients, reduced after a barrier */
  guint       n_threads;  /* threads the blocks below are reserved for */
  gsize       scratch_floats;
  gsize       partial_floats;
  float      *thread_ws[TS_TEAM_MAX];
};

/* How a team shares a layer's work: by units (columns of the (B, out)
 * matrices, cut at the layer's grain: dense, batchnorm by channel) or by
 * batch rows (conv and pool: every sample's unfolded windows stay with one
 * thread; their weight gradients are per-thread partial sums). */
typedef enum { TS_SPLIT_UNITS, TS_SPLIT_ROWS } TsSplit;

/* A block of one thread's work on layer l: batch rows [r0, r1) and units
 * (columns) [lo, hi) of an activation matrix; for weights, rows (units)
 * [lo, hi) and columns (inputs) [c0, c1) of W (the bias goes with column
 * 0). scratch: the thread's own workspace; partial: its partial sums of a
 * row-split layer's weight gradients (NULL: straight into the gradients). */
typedef struct {
  guint  r0, r1, lo, hi, c0, c1;
  float *scratch;
  float *partial;
} TsBlock;

/* What an update of a block applies: the step's settings, the fused
 * momentum buffer when the weights' gradient went straight into it, and
 * every thread's partial sums for a row-split layer to reduce. */
typedef struct {
  const TsStepConfig *cfg;
  float              *velocity;
  float *const       *partials;
  guint               n_partials;
} TsUpdate;

/* One layer kind. Every pass over the net calls these; nothing outside a
 * kind's file branches on the kind. */
struct _TsLayerOps {
  const char *name;
  TsSplit     split;
  /* the layout: trained parameters under weight decay (weights), other
   * trained parameters, non-trained buffers; and the rows of out floats of
   * workspace of its own per batch row (aux) */
  gsize (*decayed) (const TsNetLayer *layer);
  gsize (*trained) (const TsNetLayer *layer);
  gsize (*buffered) (const TsNetLayer *layer);
  guint aux_rows;
  /* floats of per-thread scratch it needs (NULL: none) */
  gsize (*scratch) (const TsNetLayer *layer);
  /* places its parameters (w, b) and buffers, and names its tensors
   * (none: a layer without parameters, which K does not count) */
  void (*place) (TsNet *net, guint l, gsize *decay_at, gsize *trained_at, gsize *buffer_at);
  void (*add_tensors) (TsNet *net, guint l, guint k);
  void (*init) (TsNet *net, guint l, TsInit init, double scale, TsRng *rng);
  /* z[l][r0:r1, lo:hi] from in (B, l's inputs) */
  void (*forward) (TsNet *net, guint l, const float *in, guint B, const TsBlock *block, gboolean training);
  /* the gradients of its parameters in the block, from d[l] (∂L/∂z) and
   * in; with a velocity the weights' gradient is added into it, v = μv + g;
   * a row-split kind sums rows [r0, r1) into block->partial when set */
  void (*weight_gradients) (TsNet *net, guint l, const float *in, guint B, const TsBlock *block,
                            float *velocity, float mu);
  /* d[l-1][r0:r1, lo:hi] from d[l]; [lo, hi) ranges over layer l's inputs */
  void (*input_gradients) (TsNet *net, guint l, guint B, const TsBlock *block);
  /* moves its parameters in the block */
  void (*update) (TsNet *net, guint l, const TsBlock *block, const TsUpdate *u);
  /* clips units [lo, hi)'s incoming weights, or NULL */
  void (*max_norm_rows) (TsNet *net, guint l, guint lo, guint hi, float c);
};

extern const TsLayerOps _ts_layer_dense_ops;
extern const TsLayerOps _ts_layer_batchnorm_ops;
extern const TsLayerOps _ts_layer_conv_ops;
extern const TsLayerOps _ts_layer_pool_ops;
extern const TsLayerOps _ts_layer_gap_ops;

/* The one derivation of a layout from a spec and an input shape: fills
 * net's layers, sizes and tensors (params still unallocated). FALSE when a
 * layer does not fit its input ("model.layers[i]: …"). */
gboolean _ts_net_layout (TsNet *net, const TsLayerSpec *hidden, guint n_hidden, TsActivation default_act,
                         float leaky_slope, GError **error);
void _ts_net_add_tensor (TsNet *net, guint k, const char *suffix, TsTensorRole role, TsDType dtype, gsize offset,
                         const TsShape *shape);

void _ts_net_prepare (TsNet *net, guint B, gboolean training);
/* the per-thread blocks for a team of n threads */
void _ts_net_reserve_threads (TsNet *net, guint n);
/* a block of a whole layer: every row and unit, thread 0's scratch */
TsBlock _ts_net_whole (const TsNet *net, guint l, guint B);
/* z, a, y of the block, from `in`, the previous layer's y (or x) */
void _ts_net_forward_block (TsNet *net, guint l, const float *in, guint B, const TsBlock *block,
                            gboolean training, guint64 noise_key);
/* d[l] of the block: ∂L/∂y → ∂L/∂z (dropout, activation), PReLU slope gradients */
void _ts_net_backward_block (TsNet *net, guint l, guint B, const TsBlock *block);
/* the layer's input: the previous layer's y, or x */
static inline const float *
_ts_net_layer_input (const TsNet *net, guint l, const float *x)
{
  return l > 0 ? net->y[l - 1] : x;
}
/* Frozen layers cost less: a training backward pass (the team's and the
 * plain one alike) stops at the lowest layer that trains (no activation or
 * input gradients below it), and a frozen layer above it passes the
 * gradient on without its weights' gradients. Whether layer l has
 * parameters that move, and the lowest such layer (the output layer when
 * none below it does). */
gboolean _ts_net_layer_trains (const TsNet *net, guint l);
guint    _ts_net_first_trained_layer (const TsNet *net);
/* PReLU slopes of units [lo, hi), with the step's settings (no decay) */
void _ts_net_update_prelu (TsNet *net, guint l, guint lo, guint hi, const TsUpdate *u);
/* the weights' update of dense and conv layer l (fused momentum or not),
 * at lr: the step's times the layer's lr_scale */
void _ts_net_update_weights (TsNet *net, guint l, const TsUpdate *u, gsize offset, gsize count, float lr);
/* [offset, offset + count) of layer l's parameters, its steps counted
 * from when it started training */
void _ts_net_update_range (TsNet *net, guint l, const TsUpdate *u, gsize offset, gsize count, float lr, float l2,
                           float l1);
/* w (rows, fan_in) drawn for an init: Gaussian with ts_init_sigma
 * (fan_in: a dense layer's inputs, a conv filter's C·k·k), zeros, or
 * orthonormal rows (columns when rows > fan_in) */
void _ts_net_init_matrix (float *w, guint rows, guint fan_in, TsInit init, double scale, TsRng *rng);
/* w (out, in) orthonormal rows (or columns) from q, (max, min) N(0,1) values, overwritten */
void _ts_net_orthonormalize (float *w, guint out, guint in, float *q);
/* Every hidden layer to act (leaky kinds: slope), in place, when that
 * changes no layout — no PReLU slopes (parameters) or RReLU draws
 * (workspace) before or after, no batchnorm. FALSE, net untouched: build a
 * new one. */
gboolean _ts_net_set_hidden_activation (TsNet *net, TsActivation act, float slope);

G_END_DECLS
