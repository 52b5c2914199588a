/* ts-net-private.h — the net's insides, for the files of the net itself
 * (ts-net*.c, ts-layer-*.c, ts-model.c) and the tests: its struct, the
 * ops table every layer kind fills in, and the blocks a forward or
 * backward pass is made of, shared by the plain passes (ts-net.c) and the
 * team step (ts-net-step.c). Each block works on units [lo, hi) of layer l
 * for the whole batch. */
#pragma once

#include "ts-net.h"

G_BEGIN_DECLS

#define TS_NO_PARAM G_MAXSIZE

typedef struct _TsLayerOps TsLayerOps;

typedef struct {
  TsLayerKind       kind;
  const TsLayerOps *ops;
  guint             in;
  guint             out;
  TsActivation      act;     /* TS_ACT_IDENTITY for the output layer and a dense layer a batchnorm follows */
  float             slope;   /* leaky_relu slope */
  gboolean          dropout; /* y = a after dropout */
  gsize             w;       /* offsets into params/grads: dense (out,in); batchnorm γ (out) */
  gsize             b;       /* (out): dense bias; batchnorm β */
  gsize             prelu;   /* (out), or TS_NO_PARAM */
  gsize             running; /* into buffers: batchnorm mean (out), var (out), batches (1); or TS_NO_PARAM */
  float             momentum; /* batchnorm */
  float             eps;
  gboolean          frozen;   /* nothing of it updated; a batchnorm also in evaluation mode always */
  float             lr_scale; /* its parameters move at the step's LR times this */
} TsNetLayer;

struct _TsNet {
  guint       n_layers;   /* model.layers entries, output layer included */
  TsNetLayer *layers;
  guint       in_dim;
  guint       n_classes;
  float       dropout;
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
  float     **aux;        /* [l] the kind's own workspace (ops->aux_rows rows of out, + 2 more), or NULL */
};

/* A block of a layer's weights: rows (units) [lo, hi), columns (inputs)
 * [c0, c1). Threads share a layer by rows, or, when it is too narrow for
 * that, by columns. The bias goes with the block at column 0. */
typedef struct {
  guint lo, hi, c0, c1;
} TsWeightBlock;

/* What an update of a block applies: the step's settings, and the fused
 * momentum buffer when the weights' gradient went straight into it. */
typedef struct {
  const TsStepConfig *cfg;
  float              *velocity;
} TsUpdate;

/* One layer kind. Every pass over the net calls these; nothing outside a
 * kind's file branches on the kind. */
struct _TsLayerOps {
  const char *name;
  /* units a team's shares of the layer are cut at */
  guint grain;
  /* the layout: trained parameters under weight decay (weights), other
   * trained parameters, non-trained buffers; and the rows of out floats of
   * workspace of its own per batch row (aux) */
  gsize (*decayed) (const TsNetLayer *layer);
  gsize (*trained) (const TsNetLayer *layer);
  gsize (*buffered) (const TsNetLayer *layer);
  guint aux_rows;
  /* places its parameters (w, b) and buffers, and names its tensors */
  void (*place) (TsNet *net, guint l, gsize *decay_at, gsize *trained_at, gsize *buffer_at);
  void (*add_tensors) (TsNet *net, guint l, guint k);
  void (*init) (TsNet *net, guint l, TsInit init, double scale, TsRng *rng);
  /* z[l][:, lo:hi] from in (B, l's inputs) */
  void (*forward) (TsNet *net, guint l, const float *in, guint B, guint lo, guint hi, gboolean training);
  /* the gradients of its parameters in the block, from d[l] (∂L/∂z) and
   * in; with a velocity the weights' gradient is added into it, v = μv + g */
  void (*weight_gradients) (TsNet *net, guint l, const float *in, guint B, const TsWeightBlock *block,
                            float *velocity, float mu);
  /* d[l-1][:, lo:hi] from d[l]; [lo, hi) ranges over layer l's inputs */
  void (*input_gradients) (TsNet *net, guint l, guint B, guint lo, guint hi);
  /* moves its parameters in the block */
  void (*update) (TsNet *net, guint l, const TsWeightBlock *block, const TsUpdate *u);
  /* clips units [lo, hi)'s incoming weights, or NULL */
  void (*max_norm_rows) (TsNet *net, guint l, guint lo, guint hi, float c);
};

extern const TsLayerOps _ts_layer_dense_ops;
extern const TsLayerOps _ts_layer_batchnorm_ops;

/* The one derivation of a layout from a spec: fills net's layers, sizes
 * and tensors (params still unallocated). */
void _ts_net_layout (TsNet *net, const TsLayerSpec *hidden, guint n_hidden, TsActivation default_act,
                     float leaky_slope);
void _ts_net_add_tensor (TsNet *net, guint k, const char *suffix, TsTensorRole role, TsDType dtype, gsize offset,
                         guint ndim, guint64 d0, guint64 d1);

void _ts_net_prepare (TsNet *net, guint B, gboolean training);
/* z, a, y of units [lo, hi), from `in`, the previous layer's y (or x) */
void _ts_net_forward_block (TsNet *net, guint l, const float *in, guint B, guint lo, guint hi,
                            gboolean training, guint64 noise_key);
/* d[l][:, lo:hi]: ∂L/∂y → ∂L/∂z (dropout, activation), PReLU slope gradients */
void _ts_net_backward_block (TsNet *net, guint l, guint B, guint lo, guint hi);
/* the layer's input: the previous layer's y, or x */
static inline const float *
_ts_net_layer_input (const TsNet *net, guint l, const float *x)
{
  return l > 0 ? net->y[l - 1] : x;
}
/* PReLU slopes of units [lo, hi), with the step's settings (no decay) */
void _ts_net_update_prelu (TsNet *net, guint l, guint lo, guint hi, const TsUpdate *u);
/* z, a, y of the last layer (no dropout, no activation noise) for batch
 * rows [r0, r1): the split that suits a layer too narrow to share by units */
void _ts_net_forward_output_rows (TsNet *net, const float *in, guint r0, guint r1);
/* w (out, in) orthonormal rows (or columns) from q, (max, min) N(0,1) values, overwritten */
void _ts_net_orthonormalize (float *w, guint out, guint in, float *q);
/* Every hidden layer to act (leaky kinds: slope), in place, when that
 * changes no layout — no PReLU slopes (parameters) or RReLU draws
 * (workspace) before or after, no batchnorm. FALSE, net untouched: build a
 * new one. */
gboolean _ts_net_set_hidden_activation (TsNet *net, TsActivation act, float slope);

G_END_DECLS
