/* ts-types.h — the small vocabulary the engine and the experiment schema
 * share: activations, inits, optimizers, losses, layer kinds, a layer's
 * spec and a tensor's shape. GLib only, so the net, its layers and the
 * optimizer build without the experiment file's JSON machinery:
 *
 *   TsLayerSpec hidden[] = { { 100, TS_ACT_TANH }, { .kind = TS_LAYER_BATCHNORM, .momentum = 0.1f, .eps = 1e-5f } };
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  TS_ACT_SIGMOID,
  TS_ACT_TANH,
  TS_ACT_RELU,
  TS_ACT_LEAKY_RELU,
  TS_ACT_PRELU,
  TS_ACT_RRELU,
  TS_ACT_ELU,
  TS_ACT_IDENTITY, /* the implicit output layer; not a user choice */
} TsActivation;
#define TS_N_USER_ACTIVATIONS TS_ACT_IDENTITY

typedef enum { TS_INIT_ZERO, TS_INIT_SMALL, TS_INIT_XAVIER, TS_INIT_HE, TS_INIT_ORTHOGONAL } TsInit;
typedef enum { TS_OPT_SGD, TS_OPT_MOMENTUM, TS_OPT_NESTEROV, TS_OPT_ADAM, TS_OPT_RMSPROP } TsOptimizerKind;
typedef enum {
  TS_SCHED_NONE, TS_SCHED_STEP, TS_SCHED_PLATEAU, TS_SCHED_EXP, TS_SCHED_COSINE,
  TS_SCHED_COSINE_RESTARTS, /* SGDR: `cycles` cosine cycles, a checkpoint at each one's end */
} TsScheduleKind;
typedef enum { TS_LOSS_SOFTMAX, TS_LOSS_SVM } TsLossKind;

/* model.layers[i].type */
typedef enum { TS_LAYER_DENSE, TS_LAYER_BATCHNORM } TsLayerKind;

#define TS_INHERIT_ACTIVATION (-1)
#define TS_BN_MOMENTUM 0.1f
#define TS_BN_EPS 1e-5f

/* One entry of model.layers. Zero-filled past the first two fields it is a
 * dense layer ({ units, activation } initialisers stay valid). */
typedef struct {
  guint       units;      /* dense */
  int         activation; /* dense: a TsActivation, or TS_INHERIT_ACTIVATION */
  TsLayerKind kind;
  float       momentum;   /* batchnorm: running-statistics momentum, (0, 1] */
  float       eps;        /* batchnorm: added to the variance, > 0 */
  gboolean    frozen;     /* batchnorm "trainable": false — evaluation mode, nothing updated */
} TsLayerSpec;

#define TS_MAX_TENSOR_DIMS 4

typedef struct {
  guint   ndim;
  guint64 dims[TS_MAX_TENSOR_DIMS];
} TsShape;

guint64 ts_shape_numel (const TsShape *shape);

G_END_DECLS
