/* ts-net.h — a feed-forward net as a sequence of layer kinds (dense, conv,
 * max/avg pool, global average pool, batch normalisation), activations,
 * dropout. A net is built for an input shape: [C,H,W] images or [n]
 * feature vectors; every layer's activations are (B, C·H·W) rows, NCHW
 * within a row.
 *
 * Parameters live in one block (all dense weights, then biases and the
 * batch-norm γ/β, then PReLU slopes), gradients in a second block with the
 * same layout, so an optimizer step is one flat loop and L2 applies to the
 * prefix [0, n_decay). Non-trained state (batch-norm running statistics)
 * follows the parameters in the same allocation: ts_net_state is what a
 * snapshot or checkpoint carries. The struct is opaque; code outside the
 * net reads it through the accessors below.
 *
 *   TsShape input = { 3, { 1, 28, 28 } };
 *   TsNet *net = ts_net_new_from_experiment (exp, &input, n_classes, 128);
 *   ts_net_init (net, exp->model.init, exp->model.init_scale, &rng);
 *   const float *logits = ts_net_forward (net, x, B, TRUE, noise_key);  // (B, C)
 *   ts_loss_forward_backward (..., ts_net_dlogits (net), ...);
 *   ts_net_backward (net, x, B);                                      // fills ts_net_grads (net)
 *   ts_net_update (net, &(TsStepConfig) { opt, TS_LOSS_SOFTMAX, lr });  // frozen layers stay
 *   const float *w = ts_net_layer_weights (net, 0, &shape);           // [out, in] or [out, in, kh, kw]
 */
#pragma once

#include "ts-layers.h"
#include "ts-optim.h"
#include "ts-rng.h"
#include "ts-team.h"
#include "ts-types.h"

G_BEGIN_DECLS

typedef struct _TsNet TsNet;
typedef struct _TsExperiment TsExperiment; /* ts-experiment.h */

typedef enum { TS_TENSOR_PARAM, TS_TENSOR_BUFFER } TsTensorRole;
typedef enum { TS_DTYPE_F32, TS_DTYPE_I64 } TsDType;

/* One tensor of a checkpoint: layers.K.weight, layers.K.running_mean, …
 * (K counts parameterised layers from the input, as nn.Sequential would
 * number them were activations without parameters left out). */
typedef struct {
  char         name[48];
  TsTensorRole role;
  TsDType      dtype;  /* I64: num_batches_tracked, held as one float in the state */
  gsize        offset; /* into ts_net_state: parameters first, then buffers */
  TsShape      shape;  /* PyTorch's: dense weight [out, in] */
} TsNetTensor;

/* The layout a net of this spec has — its tensors in checkpoint order and
 * the sizes of its blocks — known before anything is allocated. The one
 * place the layout is derived; ts_net_new uses it too. NULL when a layer
 * does not fit the shape before it ("model.layers[2] (input [1,28,28]): …"). */
GArray      *ts_net_spec_tensors_shaped (const TsShape *input, const TsLayerSpec *hidden, guint n_hidden,
                                         TsActivation default_act, guint n_classes, gsize *n_params,
                                         gsize *n_buffers, GError **error);
/* the same for a vector input of in_dim features (empty when it fails) */
GArray      *ts_net_spec_tensors (guint in_dim, const TsLayerSpec *hidden, guint n_hidden, TsActivation default_act,
                                  guint n_classes, gsize *n_params, gsize *n_buffers);
/* Whether every layer fits the shape before it, the error naming the entry */
gboolean     ts_net_check_shapes (const TsShape *input, const TsLayerSpec *hidden, guint n_hidden, guint n_classes,
                                  GError **error);

/* hidden[i] and activations; leaky_slope also seeds PReLU slopes. The
 * shapes must fit (ts_net_check_shapes): NULL otherwise. */
TsNet       *ts_net_new_shaped (const TsShape *input, const TsLayerSpec *hidden, guint n_hidden,
                                TsActivation default_act, float leaky_slope, float dropout,
                                guint n_classes, guint batch_cap);
/* a net for vectors: input [in_dim] */
TsNet       *ts_net_new (guint in_dim, const TsLayerSpec *hidden, guint n_hidden,
                         TsActivation default_act, float leaky_slope, float dropout,
                         guint n_classes, guint batch_cap);
TsNet       *ts_net_new_from_experiment (const TsExperiment *exp, const TsShape *input, guint n_classes,
                                         guint batch_cap);
void         ts_net_free (TsNet *net);
/* Same structure, parameters and buffers copied; a fresh workspace. */
TsNet       *ts_net_copy (const TsNet *net);

void         ts_net_init (TsNet *net, TsInit init, double scale, TsRng *rng);
/* σ of a Gaussian init for a layer of fan_in inputs (0 for zero and orthogonal) */
double       ts_init_sigma (TsInit init, guint fan_in, double scale);

/* ---- reading a net ---- */
guint        ts_net_n_layers (const TsNet *net);  /* model.layers entries + the output layer */
guint        ts_net_in_dim (const TsNet *net);   /* numel of the input shape */
void         ts_net_in_shape (const TsNet *net, TsShape *shape);
guint        ts_net_n_classes (const TsNet *net);
guint        ts_net_batch_cap (const TsNet *net);
gsize        ts_net_n_params (const TsNet *net);
gsize        ts_net_n_decay (const TsNet *net);   /* the weights: [0, n_decay) */
float       *ts_net_params (TsNet *net);          /* (n_params) */
float       *ts_net_grads (TsNet *net);           /* (n_params) */
/* parameters then non-trained buffers, (state_size): what snapshots carry */
float       *ts_net_state (TsNet *net);
gsize        ts_net_state_size (const TsNet *net);
/* TsNetTensor in checkpoint order */
const GArray *ts_net_tensors (const TsNet *net);

TsLayerKind  ts_net_layer_kind (const TsNet *net, guint l);
guint        ts_net_layer_units (const TsNet *net, guint l);  /* outputs: numel of its output shape */
guint        ts_net_layer_inputs (const TsNet *net, guint l);
/* [C,H,W] or [n] */
void         ts_net_layer_out_shape (const TsNet *net, guint l, TsShape *shape);
void         ts_net_layer_in_shape (const TsNet *net, guint l, TsShape *shape);
/* per-channel parameters (bias, γ, PReLU slopes) it has: conv filters,
 * batchnorm channels, dense units */
guint        ts_net_layer_channels (const TsNet *net, guint l);
/* the activation applied to the layer's output (identity for a dense
 * layer that a batchnorm follows: the batchnorm applies it) */
TsActivation ts_net_layer_activation (const TsNet *net, guint l);
/* dense: W [out, in]; conv: [out, in, kh, kw]; batchnorm: γ [C]; pools:
 * none (shape [0]) */
const float *ts_net_layer_weights (const TsNet *net, guint l, TsShape *shape);
/* where those weights start in the parameter block (in a copy of it) */
gsize        ts_net_layer_weights_offset (const TsNet *net, guint l);
const float *ts_net_layer_weight_grads (const TsNet *net, guint l, TsShape *shape);
/* dense, conv: b; batchnorm: β; (channels) */
const float *ts_net_layer_bias (const TsNet *net, guint l);
/* the same, to set them (probes that place their own weights) */
float       *ts_net_layer_weights_mut (TsNet *net, guint l, TsShape *shape);
float       *ts_net_layer_bias_mut (TsNet *net, guint l);
/* whether layer l trains now, and the factor on the step's LR it trains at */
gboolean     ts_net_layer_frozen (const TsNet *net, guint l);
float        ts_net_layer_lr_scale (const TsNet *net, guint l);
/* Which hidden layers train, and at what rates, from here on: frozen and
 * lr_scale of hidden[l] (the same layers the net was built from, as
 * ts_experiment_layers_at_epoch gives them). A layer that was frozen and
 * trains now starts with its state in opt at zero (velocity, moments) and
 * its steps — Adam's bias correction — counted from opt's steps so far,
 * as a parameter group added to a torch optimizer; a batch norm that
 * trains now normalises by the batch again. */
void         ts_net_set_trainable (TsNet *net, const TsLayerSpec *hidden, guint n_hidden, TsOptimizer *opt);
/* batchnorm: running mean and variance (channels); FALSE for other kinds */
gboolean     ts_net_layer_running_stats (const TsNet *net, guint l, const float **mean, const float **var);
/* the last forward pass, (B, units) each, NCHW rows: pre-activation z, activation a,
 * what the next layer reads y (a after dropout); and after a backward pass
 * the gradient d (∂L/∂z) */
const float *ts_net_layer_z (const TsNet *net, guint l);
const float *ts_net_layer_a (const TsNet *net, guint l);
const float *ts_net_layer_y (const TsNet *net, guint l);
const float *ts_net_layer_d (const TsNet *net, guint l);

/* logits (B, n_classes). Training draws dropout masks and rrelu slopes
 * from the counter-based stream noise_key (ts_rng_key), normalises with
 * the batch's statistics and updates the running ones. */
const float *ts_net_forward (TsNet *net, const float *x, guint B, gboolean training, guint64 noise_key);
/* where the loss writes ∂L/∂logits (B, n_classes) before ts_net_backward */
float       *ts_net_dlogits (TsNet *net);
/* The gradients of the parameters that train: a frozen layer's are not
 * computed (ts_net_grads keeps what it held), and no gradient flows below
 * the lowest layer that trains, as in the team step. */
void         ts_net_backward (TsNet *net, const float *x, guint B);
/* Only the gradients flowing back through the layers (d), no weight
 * gradients: for probes that watch the signal, not train. */
void         ts_net_backward_signal (TsNet *net, const float *x, guint B);

/* ½λ₂‖W‖² + λ₁‖W‖₁ over weights, for reporting and gradient checks */
double       ts_net_regularization (const TsNet *net, double l2, double l1);
/* clip every unit's incoming weights to ‖w‖₂ ≤ c */
void         ts_net_max_norm (TsNet *net, float c);

/* The fast path: one training step (forward, loss, backward, update) or an
 * evaluation forward pass, spread over a team's threads. Same arithmetic as
 * the plain path ts_net_forward / ts_net_backward / ts_net_update, fused
 * per thread. */
typedef struct {
  TsOptimizer *opt;
  TsLossKind   loss;
  float        lr;
  float        l2;
  float        l1;
  float        max_norm; /* 0: off */
  /* FALSE lets momentum (without L1) fuse its step into the weight
   * gradients' GEMM: the grads then hold no weight gradients */
  gboolean     keep_gradients;
} TsStepConfig;

/* The plain path's update, after ts_net_backward: every layer that is not
 * frozen moves at cfg->lr times its lr_scale (L2 and L1 on its weights,
 * max-norm on its rows), as the team step moves it; a frozen layer stays
 * bit for bit. cfg->keep_gradients does not matter here. */
void         ts_net_update (TsNet *net, const TsStepConfig *cfg);

/* Returns the batch's mean loss; *correct += rows predicted right. */
double       ts_net_train_step (TsNet *net, TsTeam *team, const TsStepConfig *cfg, const float *x,
                                const guint32 *labels, guint B, guint64 noise_key, guint *correct);

/* A batch that the team's threads fill themselves, each a share of rows:
 * fill (data, x, labels, lo, hi) writes rows [lo, hi) of x (B, in_dim)
 * and labels (B). */
typedef void (*TsBatchFill) (gpointer data, float *x, guint32 *labels, guint lo, guint hi);
typedef struct {
  TsBatchFill fill;
  gpointer    data;
  float      *x;
  guint32    *labels;
} TsBatch;

double       ts_net_train_batch (TsNet *net, TsTeam *team, const TsStepConfig *cfg, const TsBatch *batch,
                                 guint B, guint64 noise_key, guint *correct);
const float *ts_net_forward_team (TsNet *net, TsTeam *team, const float *x, guint B);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsNet, ts_net_free)

G_END_DECLS
