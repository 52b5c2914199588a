/* ts-net.h — a multi-layer perceptron: dense layers, activations, dropout.
 *
 * Parameters live in one block (all weights, then biases, then PReLU
 * slopes), gradients in a second block with the same layout, so an optimizer
 * step is one flat loop and L2 applies to the prefix [0, n_decay).
 *
 *   TsNet *net = ts_net_new_from_experiment (exp, in_dim, n_classes, 128, &error);
 *   ts_net_init (net, exp->model.init, exp->model.init_scale, &rng);
 *   const float *logits = ts_net_forward (net, x, B, TRUE, noise_key);  // (B, C)
 *   ts_loss_forward_backward (..., ts_net_dlogits (net), ...);
 *   ts_net_backward (net, x, B);                                      // fills net->grads
 */
#pragma once

#include "ts-experiment.h"
#include "ts-layers.h"
#include "ts-optim.h"
#include "ts-rng.h"
#include "ts-team.h"

G_BEGIN_DECLS

#define TS_NO_PARAM G_MAXSIZE

typedef struct {
  guint        in;
  guint        out;
  TsActivation act;     /* TS_ACT_IDENTITY for the output layer */
  float        slope;   /* leaky_relu slope */
  gsize        w;       /* offsets into params/grads: (out,in) */
  gsize        b;       /* (out) */
  gsize        prelu;   /* (out), or TS_NO_PARAM */
} TsNetLayer;

typedef struct {
  char  name[48];  /* layers.K.weight, layers.K.bias */
  gsize offset;
  guint rows;      /* shape [rows, cols], or [rows] when cols == 0 */
  guint cols;
} TsParamTensor;

typedef struct {
  guint       n_layers;   /* dense layers, output layer included */
  TsNetLayer *layers;
  guint       in_dim;
  guint       n_classes;
  float       dropout;
  gboolean    last_training; /* the last forward drew noise; backward follows it */

  gsize       n_params;
  gsize       n_decay;    /* weights: [0, n_decay) */
  float      *params;     /* (n_params) */
  float      *grads;      /* (n_params) */
  GArray     *tensors;    /* TsParamTensor in checkpoint order */

  /* workspace for up to batch_cap rows, carved from one block */
  guint       batch_cap;
  float      *workspace;
  float     **z;          /* [l] (B, out) pre-activation */
  float     **a;          /* [l] (B, out) activation */
  float     **y;          /* [l] (B, out) what layer l+1 reads: a, or a after dropout */
  float     **d;          /* [l] (B, out) gradient w.r.t. y, then z */
  float     **noise;      /* [l] (B, out) dropout scale or rrelu slope, or NULL */
  float     **rslope;     /* [l] (B, out) rrelu slopes, or NULL */
} TsNet;

/* hidden[i].units and activations; leaky_slope also seeds PReLU slopes */
TsNet       *ts_net_new (guint in_dim, const TsLayerSpec *hidden, guint n_hidden,
                         TsActivation default_act, float leaky_slope, float dropout,
                         guint n_classes, guint batch_cap);
TsNet       *ts_net_new_from_experiment (const TsExperiment *exp, guint in_dim, guint n_classes,
                                         guint batch_cap);
void         ts_net_free (TsNet *net);
/* Same structure, parameters copied; a fresh workspace. */
TsNet       *ts_net_copy (const TsNet *net);

void         ts_net_init (TsNet *net, TsInit init, double scale, TsRng *rng);
/* σ of a Gaussian init for a layer of fan_in inputs (0 for zero and orthogonal) */
double       ts_init_sigma (TsInit init, guint fan_in, double scale);

/* logits (B, n_classes). Training draws dropout masks and rrelu slopes
 * from the counter-based stream noise_key (ts_rng_key). */
const float *ts_net_forward (TsNet *net, const float *x, guint B, gboolean training, guint64 noise_key);
/* where the loss writes ∂L/∂logits (B, n_classes) before ts_net_backward */
float       *ts_net_dlogits (TsNet *net);
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
 * ts_net_forward / ts_net_backward / ts_optimizer_step, fused per thread. */
typedef struct {
  TsOptimizer *opt;
  TsLossKind   loss;
  float        lr;
  float        l2;
  float        l1;
  float        max_norm; /* 0: off */
  /* FALSE lets momentum (without L1) fuse its step into the weight
   * gradients' GEMM: net->grads then holds no weight gradients */
  gboolean     keep_gradients;
} TsStepConfig;

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
