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
typedef enum {
  TS_LAYER_DENSE,
  TS_LAYER_BATCHNORM,
  TS_LAYER_CONV,            /* Conv2d + activation, NCHW, weight [filters, C, k, k] */
  TS_LAYER_POOL,            /* MaxPool2d / AvgPool2d */
  TS_LAYER_GLOBAL_AVG_POOL, /* AdaptiveAvgPool2d(1) + flatten: [C,H,W] → [C] */
} TsLayerKind;

/* model.layers[i].kind of a pool */
typedef enum { TS_POOL_MAX, TS_POOL_AVG } TsPoolKind;

/* conv padding "same": the output keeps the input's height and width */
#define TS_PADDING_SAME (-1)

#define TS_INHERIT_ACTIVATION (-1)
#define TS_BN_MOMENTUM 0.1f
#define TS_BN_EPS 1e-5f

/* One entry of model.layers. Zero-filled past the first two fields it is a
 * dense layer ({ units, activation } initialisers stay valid).
 *
 *   { .kind = TS_LAYER_CONV, .units = 32, .kernel = 5, .stride = 1, .padding = TS_PADDING_SAME,
 *     .activation = TS_INHERIT_ACTIVATION }
 *   { .kind = TS_LAYER_POOL, .pool = TS_POOL_MAX, .kernel = 2, .stride = 2 } */
typedef struct {
  guint       units;      /* dense: units; conv: filters */
  int         activation; /* dense, conv: a TsActivation, or TS_INHERIT_ACTIVATION */
  TsLayerKind kind;
  float       momentum;   /* batchnorm: running-statistics momentum, (0, 1] */
  float       eps;        /* batchnorm: added to the variance, > 0 */
  gboolean    frozen;     /* "trainable": false (any kind with parameters): nothing of it is updated —
                           * no weights, biases, γ/β, PReLU slopes; a batchnorm also stays in
                           * evaluation mode, its running statistics unchanged */
  guint       kernel;     /* conv: kernel (square); pool: size */
  guint       stride;     /* conv (1), pool (= size); >= 1 once parsed */
  int         padding;    /* conv: zeros on every side, or TS_PADDING_SAME */
  TsPoolKind  pool;       /* pool: max or avg */
  float       lr_scale;   /* "lr_scale": this layer's learning rate is the step's times this
                           * (discriminative rates); 0 — a zero-filled spec — means 1, so read
                           * it through ts_layer_lr_scale. The key itself refuses 0 (that is
                           * "trainable": false) */
} TsLayerSpec;

/* the factor a layer's learning rate is multiplied by: lr_scale, or 1 when unset (0) */
static inline float
ts_layer_lr_scale (const TsLayerSpec *spec)
{
  return spec->lr_scale > 0.f ? spec->lr_scale : 1.f;
}

#define TS_MAX_TENSOR_DIMS 4

typedef struct {
  guint   ndim;
  guint64 dims[TS_MAX_TENSOR_DIMS];
} TsShape;

guint64 ts_shape_numel (const TsShape *shape);

/* What a layer makes of its input's shape — [C,H,W] for images, [n] for
 * feature vectors (the dense layers' outputs, 2-D points): a dense layer
 * flattens in C,H,W order; conv, pool and global_avg_pool need [C,H,W].
 * FALSE with a sentence saying why (the caller names the entry,
 * "model.layers[2]: …"): "pool size 2 does not fit a 1×1 input". The
 * implicit output layer is a dense layer of n_classes units. */
gboolean ts_layer_output_shape (const TsLayerSpec *spec, const TsShape *in, TsShape *out, GError **error);
/* its trained parameters for that input (dense and conv: weights and
 * biases; batchnorm: γ and β; PReLU slopes not counted) */
guint64  ts_layer_param_count (const TsLayerSpec *spec, const TsShape *in);
/* the conv padding on each side (TS_PADDING_SAME resolved: (kernel − 1) / 2) */
guint    ts_layer_padding (const TsLayerSpec *spec);
/* "[32,28,28]", "[128]" */
char    *ts_shape_text (const TsShape *shape);
/* "[100, 2]": as the model file's errors print a tensor's shape */
char    *ts_shape_text_spaced (const TsShape *shape);
gboolean ts_shape_equal (const TsShape *a, const TsShape *b);
/* model.layers[i].type: "dense", "conv", "pool", "global_avg_pool", "batchnorm" */
const char *ts_layer_kind_name (TsLayerKind kind);

G_END_DECLS
