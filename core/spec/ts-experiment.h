/* ts-experiment.h — the experiment file: what to train and how.
 *
 * The contract between the GUI, the CLI and the tests (README, "The experiment file"). Every
 * key has a default; unknown keys and bad values are errors naming the key:
 *
 *   g_autoptr(TsExperiment) exp = ts_experiment_load_file ("spiral.json", &error);
 *   // error->message: "spiral.json: train.lr: must be > 0 (got -1)"
 *   g_autofree char *json = ts_experiment_to_json (exp);  // every default filled in
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ts-types.h"

G_BEGIN_DECLS

/* data.view: which part of every image the net sees (two views of the same
 * samples, for early versus late fusion of inputs) */
typedef enum { TS_VIEW_ALL, TS_VIEW_TOP, TS_VIEW_BOTTOM, TS_VIEW_LEFT, TS_VIEW_RIGHT } TsView;
typedef enum { TS_PRE_NONE, TS_PRE_CENTER, TS_PRE_STANDARDIZE, TS_PRE_PCA, TS_PRE_PCA_WHITEN, TS_PRE_ZCA } TsPreprocessKind;

/* A bound on the list, not on what the engine holds: statistics, views and
 * checkpoints are sized to the net, and memory is checked by estimate
 * (ts-limits.h). 256 layers of a few units still fit any machine. */
#define TS_MAX_HIDDEN_LAYERS 256
/* dense units and conv filters; conv kernels, pool sizes, strides, padding */
#define TS_MAX_LAYER_UNITS 1000000
#define TS_MAX_LAYER_WINDOW 1024

typedef struct {
  double hflip;      /* probability of a horizontal flip */
  guint  crop_pad;   /* pixels of padding for the random crop; 0 = off */
  double brightness; /* jitter amplitudes, fractions */
  double contrast;
  double saturation;
  double fancy_pca;  /* σ of the AlexNet lighting coefficients */
  double erase;      /* probability of random erasing */
  int    pad_reflect; /* crop padding: 0 zeros, 1 reflection (TsPadMode) */
} TsAugmentSpec;

typedef struct {
  char            *source;
  guint            samples; /* builtin generators */
  guint            classes;
  double           noise;
  guint            limit;   /* 0 = all */
  double           val_fraction;
  int              view;    /* a TsView */
  guint            folds;   /* k-fold: validate on fold `fold` of `folds` (0 = val_fraction) */
  guint            fold;
  TsPreprocessKind preprocess;
  guint            pca_components; /* 0 = all */
  double           whiten_epsilon;
  guint            image_size;     /* folder: resize to this square size */
  char            *label_column;   /* csv: header name or 0-based index; "" = last */
  TsAugmentSpec    augment;
  /* Lists of guint (empty: off). class_subset: the classes kept, renumbered
   * 0… in this order; image_shape: [C,H,W] of csv rows that are pixels;
   * resize: [H,W] every image is resized to (bilinear) */
  GArray          *class_subset;
  GArray          *image_shape;
  GArray          *resize;
} TsDataSpec;

typedef struct {
  GArray      *layers; /* of TsLayerSpec: the hidden layers */
  TsActivation activation;
  double       leaky_slope;
  TsInit       init;
  double       init_scale;
  double       dropout;
  /* fine-tuning (README, "Fine-tuning"): the parameters to start from, a
   * run folder or a .safetensors ("" = none); whether its output layer is
   * re-initialised; how many of the first model.layers are frozen; the
   * epochs the whole body stays frozen before it trains (0 = off), and
   * the rate's factor per stage towards the input once it does */
  char        *init_from;
  int          reinit_head; /* a TsReinitHead */
  guint        freeze;
  guint        unfreeze_after;
  double       unfreeze_lr_decay;
} TsModelSpec;

typedef enum { TS_REINIT_AUTO, TS_REINIT_TRUE, TS_REINIT_FALSE } TsReinitHead;

typedef struct {
  TsScheduleKind type;
  guint          every_epochs;
  double         factor;
  guint          patience;
  guint          warmup_epochs;
  guint          cycles;       /* cosine_restarts: cycles over the run (divides epochs) */
} TsScheduleSpec;

typedef struct _TsTrainSpec {
  guint           epochs;
  guint           batch_size;
  TsOptimizerKind optimizer;
  double          momentum;
  double          lr;
  TsScheduleSpec  schedule;
  double          l2;
  double          l1;
  double          max_norm;
  TsLossKind      loss;
  guint           checkpoint_every; /* epochs between checkpoints; 0 = none */
} TsTrainSpec;

typedef struct _TsExperiment {
  char       *name;
  guint64     seed;
  TsDataSpec  data;
  TsModelSpec model;
  TsTrainSpec train;
} TsExperiment;

TsExperiment *ts_experiment_new_default (void);
TsExperiment *ts_experiment_copy (const TsExperiment *exp);
void          ts_experiment_free (TsExperiment *exp);

TsExperiment *ts_experiment_load_file (const char *path, GError **error);
/* A built-in experiment by name ("default", "deep-small", "deep-small-bn",
 * "fashion-cnn", "fashion-cnn-bn", "shapes-cnn-augmented") or by its title
 * ("Fashion-MNIST · CNN"), or NULL when the name is not one */
TsExperiment *ts_experiment_new_example (const char *name);
const char *const *ts_experiment_example_names (void);
/* a built-in name, else an experiment file: the CLI's EXP argument */
TsExperiment *ts_experiment_load_named (const char *arg, GError **error);
TsExperiment *ts_experiment_from_json (const char *json, gssize length, GError **error);
TsExperiment *ts_experiment_from_node (JsonNode *root, GError **error);
JsonNode     *ts_experiment_to_node (const TsExperiment *exp);
char         *ts_experiment_to_json (const TsExperiment *exp);

/* Checks every value and cross-key rule; the message names the key. */
gboolean      ts_experiment_validate (const TsExperiment *exp, GError **error);

/* The shape a sample of data.source has as the net sees it, when that is
 * known without loading: [1,28,28] for fashion-mnist, [3,32,32] for
 * builtin:shapes and CIFAR, [2] for the 2-D builtin sets; data.view's half
 * of an image; [k] after pca / pca_whiten (feature vectors, k components).
 * FALSE when only the files can say (idx:, csv:, folder:). */
gboolean      ts_experiment_input_shape (const TsExperiment *exp, TsShape *input);
/* The same from the shape of the source's samples as loaded ([C,H,W] or
 * [n], before data.view and preprocessing): for the sources only their
 * files describe, once they are read. */
void          ts_experiment_input_shape_from (const TsExperiment *exp, const TsShape *source, TsShape *input);
/* The class count known without loading (builtin sets, fashion-mnist,
 * CIFAR), else 0. */
guint         ts_experiment_class_count (const TsExperiment *exp);
/* Every layer's output shape and parameter count for that input, checked
 * before anything is allocated: shapes and params hold
 * model.layers->len + 1 entries, the implicit output layer last ([classes],
 * with ts_experiment_class_count's classes: [0] and 0 parameters when those
 * are known only once loaded; _for takes them). params may be NULL. When
 * entry i does not fit, the error names it and shapes[0..i−1] and
 * params[0..i−1] are filled in (the Experiment page shows them).
 *
 *   TsShape input, shapes[n + 1]; guint64 params[n + 1];
 *   if (ts_experiment_input_shape (exp, &input)
 *       && !ts_experiment_layer_shapes (exp, &input, shapes, params, &error))
 *     // "model.layers[2]: pool size 2 does not fit a 1×1 input (input [64,1,1])"
 */
gboolean      ts_experiment_layer_shapes (const TsExperiment *exp, const TsShape *input, TsShape *shapes,
                                          guint64 *params, GError **error);
gboolean      ts_experiment_layer_shapes_for (const TsExperiment *exp, const TsShape *input, guint n_classes,
                                              TsShape *shapes, guint64 *params, GError **error);

/* Sets one key from text, as the CLI's overrides and the GUI's editor do:
 * ts_experiment_set (exp, "train.lr", "0.3", &error). */
gboolean      ts_experiment_set (TsExperiment *exp, const char *key, const char *value, GError **error);

/* "KEY=VALUE" as --set and an advice's action give it: a text without
 * '=' or with an empty key is refused, naming it. */
gboolean      ts_experiment_set_override (TsExperiment *exp, const char *text, GError **error);

TsActivation  ts_experiment_layer_activation (const TsExperiment *exp, guint layer);
/* model.layers[layer] is not trained: its own "trainable": false, or
 * among the first model.freeze entries */
gboolean      ts_experiment_layer_frozen (const TsExperiment *exp, guint layer);
/* model.layers with model.freeze folded into each entry's frozen: what
 * the net is built from (g_array_unref); the same as they train in epoch
 * `epoch` (from 0) under model.unfreeze_after: before it every entry
 * frozen; from it on the entries of stage k of K (a dense or conv entry
 * with the entries after it, k from 1 at the input) at their own lr_scale
 * times unfreeze_lr_decay^(K−k) */
GArray       *ts_experiment_resolved_layers (const TsExperiment *exp);
GArray       *ts_experiment_layers_at_epoch (const TsExperiment *exp, guint epoch);

const char   *ts_activation_name (TsActivation act);
gboolean      ts_activation_from_name (const char *name, TsActivation *out);
const char   *ts_init_name (TsInit init);
gboolean      ts_init_from_name (const char *name, TsInit *out);
const char   *ts_optimizer_name (TsOptimizerKind kind);
const char   *ts_loss_name (TsLossKind kind);
const char   *ts_preprocess_name (TsPreprocessKind kind);

/* The documented keys, for the README and the editor. */
typedef struct {
  const char        *key;
  const char        *default_text;
  const char        *doc;
  const char *const *choices; /* the allowed names of a choice key, else NULL */
} TsExperimentKeyDoc;
const TsExperimentKeyDoc *ts_experiment_key_docs (guint *n_keys);
/* A key's current value as ts_experiment_set takes it ("0.1", "relu",
 * "512:tanh,256": model.layers gives each layer's units, and its own
 * activation after a colon when it has one). */
char         *ts_experiment_get_text (const TsExperiment *exp, const char *key);
/* model.layers as that text, every layer's units times width_factor */
char         *ts_experiment_layers_text (const TsExperiment *exp, guint width_factor);

/* The name of a fork, following what differs from its parent: for each
 * changed key (in the documented order, `name` aside), a part of the
 * parent's name (split at " · ") that spells the old value, ignoring case,
 * takes the new one ("Spiral · ReLU · He" with model.init xavier →
 * "Spiral · ReLU · xavier"); otherwise the change is appended — the value
 * for a choice or the source ("… · tanh", "… · moons"), else the key's
 * last part and the value ("… · lr 0.03"). Nothing changed: "NAME (fork)". */
char         *ts_experiment_fork_name (const TsExperiment *parent, const TsExperiment *fork);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsExperiment, ts_experiment_free)

G_END_DECLS
