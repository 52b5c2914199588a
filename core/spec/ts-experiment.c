#include "ts-experiment-private.h"
#include "ts-error.h"
#include "ts-limits.h"
#include "ts-io.h"
#include "ts-json.h"

#include <math.h>
#include <stddef.h>
#include <string.h>


const char *const _ts_activation_names[] = { "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "rrelu", "elu", NULL };
static const char *const init_names[] = { "zero", "small", "xavier", "he", "orthogonal", NULL };
static const char *const optimizer_names[] = { "sgd", "momentum", "nesterov", "adam", "rmsprop", NULL };
static const char *const schedule_names[] = { "none", "step", "plateau", "exp", "cosine", "cosine_restarts", NULL };
static const char *const loss_names[] = { "softmax", "svm", NULL };
static const char *const pad_names[] = { "zero", "reflect", NULL };
static const char *const view_names[] = { "all", "top", "bottom", "left", "right", NULL };
static const char *const reinit_names[] = { "auto", "true", "false", NULL };
static const char *const preprocess_names[] = { "none", "center", "standardize", "pca", "pca_whiten", "zca", NULL };

#define OFF(member) offsetof (TsExperiment, member)

static const TsKeySpec keys[] = {
  { "name", K_STRING, OFF (name), R_ANY, NULL, "\"Spiral · ReLU · He\"", "shown in the sidebar and plot captions" },
  { "seed", K_UINT64, OFF (seed), R_ANY, NULL, "7", "every random choice derives from it" },
  { "data.source", K_STRING, OFF (data.source), R_ANY, NULL, "\"builtin:spiral\"",
    "builtin:spiral|circles|xor|gaussians|moons|shapes, fashion-mnist, idx:DIR, cifar10:DIR, cifar100:DIR, folder:DIR, csv:FILE" },
  { "data.samples", K_UINT, OFF (data.samples), R_GE1, NULL, "1500", "samples a builtin generator makes", 10000000 },
  { "data.classes", K_UINT, OFF (data.classes), R_GE1, NULL, "3", "classes a builtin generator makes (2-D sets)", 100 },
  { "data.noise", K_DOUBLE, OFF (data.noise), R_GE0, NULL, "0.1", "noise of a builtin generator" },
  { "data.limit", K_UINT, OFF (data.limit), R_GE0, NULL, "0", "use at most this many training samples (0 = all)" },
  { "data.val_fraction", K_DOUBLE, OFF (data.val_fraction), R_UNIT_OPEN, NULL, "0.2", "stratified share of the training part held out for validation" },
  { "data.view", K_ENUM, OFF (data.view), R_ANY, view_names, "\"all\"",
    "the part of every image the net sees: all, or the top, bottom, left or right half (two views of the same samples)" },
  { "data.folds", K_UINT, OFF (data.folds), R_GE0, NULL, "0",
    "k-fold cross-validation: the validation split is one of this many stratified folds of the training part (0 = off: val_fraction)", 1000 },
  { "data.fold", K_UINT, OFF (data.fold), R_GE0, NULL, "0", "which fold validates, 0 … folds−1", 999 },
  { "data.preprocess", K_ENUM, OFF (data.preprocess), R_ANY, preprocess_names, "\"standardize\"", "fitted on the training split only" },
  { "data.pca_components", K_UINT, OFF (data.pca_components), R_GE0, NULL, "0", "components kept by pca / pca_whiten (0 = all)", 1000000 },
  { "data.whiten_epsilon", K_DOUBLE, OFF (data.whiten_epsilon), R_GT0, NULL, "1e-5", "added to eigenvalues before whitening" },
  { "data.image_size", K_UINT, OFF (data.image_size), R_GE1, NULL, "32", "folder: images are resized to this square size", 1024 },
  { "data.label_column", K_STRING, OFF (data.label_column), R_ANY, NULL, "\"\"", "csv: the label column, by header name or 0-based index (empty: the last)" },
  { "data.class_subset", K_UINTS, OFF (data.class_subset), R_ANY, NULL, "[]",
    "keep only these classes of the source, renumbered 0… in this order, their names kept (empty: all); e.g. 5,6,7,8,9", 99999 },
  { "data.image_shape", K_UINTS, OFF (data.image_shape), R_ANY, NULL, "[]",
    "csv: [C,H,W] — the rows are images of C channels of H×W pixels, channel-major (empty: feature vectors)", 100000 },
  { "data.resize", K_UINTS, OFF (data.resize), R_ANY, NULL, "[]",
    "[H,W]: resize every image to H×W (bilinear, as torch's interpolate without align_corners) before anything else, "
    "e.g. 8×8 digits to a 28×28 model's input (empty: off)", 1024 },
  { "data.augment.hflip", K_DOUBLE, OFF (data.augment.hflip), R_UNIT, NULL, "0", "probability of a horizontal flip" },
  { "data.augment.crop_pad", K_UINT, OFF (data.augment.crop_pad), R_GE0, NULL, "0", "pad by this many pixels, then crop back at random", 1024 },
  { "data.augment.pad_mode", K_ENUM, OFF (data.augment.pad_reflect), R_ANY, pad_names, "\"zero\"", "what the crop padding holds: zero or reflect" },
  { "data.augment.brightness", K_DOUBLE, OFF (data.augment.brightness), R_UNIT, NULL, "0", "brightness jitter amplitude" },
  { "data.augment.contrast", K_DOUBLE, OFF (data.augment.contrast), R_UNIT, NULL, "0", "contrast jitter amplitude" },
  { "data.augment.saturation", K_DOUBLE, OFF (data.augment.saturation), R_UNIT, NULL, "0", "saturation jitter amplitude" },
  { "data.augment.fancy_pca", K_DOUBLE, OFF (data.augment.fancy_pca), R_GE0, NULL, "0", "σ of AlexNet fancy-PCA lighting" },
  { "data.augment.erase", K_DOUBLE, OFF (data.augment.erase), R_UNIT, NULL, "0", "probability of random erasing" },
  { "model.layers", K_LAYERS, OFF (model.layers), R_ANY, NULL, "[{\"type\":\"dense\",\"units\":100}]",
    "hidden layers; each {\"type\":\"dense\",\"units\":N[,\"activation\":A]}, "
    "{\"type\":\"conv\",\"filters\":N,\"kernel\":K[,\"stride\":1,\"padding\":0|\"same\",\"activation\":A]}, "
    "{\"type\":\"pool\"[,\"kind\":\"max\"|\"avg\",\"size\":2,\"stride\":size]}, {\"type\":\"global_avg_pool\"} or "
    "{\"type\":\"batchnorm\"[,\"momentum\":0.1,\"eps\":1e-5,\"trainable\":true]} after a dense or conv layer; "
    "the output layer is implicit; at most 256 dense and conv" },
  { "model.activation", K_ENUM, OFF (model.activation), R_ANY, _ts_activation_names, "\"relu\"", "activation of hidden layers without their own" },
  { "model.leaky_slope", K_DOUBLE, OFF (model.leaky_slope), R_UNIT_OPEN, NULL, "0.01", "negative slope of leaky_relu, and prelu's initial slope" },
  { "model.init", K_ENUM, OFF (model.init), R_ANY, init_names, "\"he\"", "weight initialisation; biases start at zero" },
  { "model.init_scale", K_DOUBLE, OFF (model.init_scale), R_GT0, NULL, "0.01", "σ of the small init" },
  { "model.dropout", K_DOUBLE, OFF (model.dropout), R_UNIT_OPEN, NULL, "0", "probability of dropping a hidden unit (inverted dropout)" },
  { "model.init_from", K_STRING, OFF (model.init_from), R_ANY, NULL, "\"\"",
    "start from a trained model: a run folder (its model.safetensors) or a .safetensors file; tensors matched by name "
    "and shape (empty: the init)" },
  { "model.reinit_head", K_ENUM, OFF (model.reinit_head), R_ANY, reinit_names, "\"auto\"",
    "with init_from: start the output layer afresh — auto: when the model's output layer does not fit (another class "
    "count, or a model cut short); true: always; false: never (a misfit is an error)" },
  { "model.freeze", K_UINT, OFF (model.freeze), R_GE0, NULL, "0",
    "the first N entries of model.layers are not trained (weights and batch-norm statistics kept)", TS_MAX_HIDDEN_LAYERS },
  { "model.unfreeze_after", K_UINT, OFF (model.unfreeze_after), R_GE0, NULL, "0",
    "gradual unfreezing: the first N epochs train the output layer alone, every entry of model.layers frozen; from "
    "then on every entry trains (but those model.freeze or \"trainable\": false keep), at discriminative rates "
    "(0 = off)", 1000000 },
  { "model.unfreeze_lr_decay", K_DOUBLE, OFF (model.unfreeze_lr_decay), R_GT0, NULL, "0.5",
    "with unfreeze_after, once unfrozen: each stage (a dense or conv entry with the entries after it) learns at this "
    "times the rate of the stage above it, in (0, 1]; the top stage and the output layer at their own rate" },
  { "train.epochs", K_UINT, OFF (train.epochs), R_GE1, NULL, "40", "passes over the training split", 1000000 },
  { "train.batch_size", K_UINT, OFF (train.batch_size), R_GE1, NULL, "64", "samples per step", 65536 },
  { "train.optimizer", K_ENUM, OFF (train.optimizer), R_ANY, optimizer_names, "\"momentum\"", "update rule" },
  { "train.momentum", K_DOUBLE, OFF (train.momentum), R_UNIT_OPEN, NULL, "0.9", "momentum / nesterov coefficient" },
  { "train.lr", K_DOUBLE, OFF (train.lr), R_GT0, NULL, "0.1", "learning rate" },
  { "train.schedule.type", K_ENUM, OFF (train.schedule.type), R_ANY, schedule_names, "\"none\"", "learning-rate decay" },
  { "train.schedule.every_epochs", K_UINT, OFF (train.schedule.every_epochs), R_GE1, NULL, "10", "step: divide every N epochs; exp: divide by factor over N epochs", 1000000 },
  { "train.schedule.factor", K_DOUBLE, OFF (train.schedule.factor), R_GE1, NULL, "2", "the LR is divided by this" },
  { "train.schedule.patience", K_UINT, OFF (train.schedule.patience), R_GE1, NULL, "3", "plateau: epochs without val-loss improvement before decaying", 1000000 },
  { "train.schedule.warmup_epochs", K_UINT, OFF (train.schedule.warmup_epochs), R_GE0, NULL, "0", "linear warm-up from 0 over N epochs", 1000000 },
  { "train.schedule.cycles", K_UINT, OFF (train.schedule.cycles), R_GE1, NULL, "5",
    "cosine_restarts: cosine cycles over the run (must divide epochs); a checkpoint ends each", 1000000 },
  { "train.checkpoint_every", K_UINT, OFF (train.checkpoint_every), R_GE0, NULL, "0",
    "every N epochs a checkpoint checkpoints/epoch-NNN.safetensors (0 = none)", 1000000 },
  { "train.l2", K_DOUBLE, OFF (train.l2), R_GE0, NULL, "1e-4", "L2 penalty ½λ‖W‖² on weights (not biases)" },
  { "train.l1", K_DOUBLE, OFF (train.l1), R_GE0, NULL, "0", "L1 penalty λ‖W‖₁ on weights" },
  { "train.max_norm", K_DOUBLE, OFF (train.max_norm), R_GE0, NULL, "0", "clip each unit's incoming weights to ‖w‖₂ ≤ c after every step (0 = off)" },
  { "train.loss", K_ENUM, OFF (train.loss), R_ANY, loss_names, "\"softmax\"", "softmax cross-entropy or multiclass SVM hinge (margin 1)" },
};

static const char *const groups[] = { "data", "data.augment", "model", "train", "train.schedule", NULL };

/* ---- names ------------------------------------------------------------ */

static gboolean
name_lookup (const char *const *names, const char *name, int *out)
{
  for (int i = 0; names[i]; i++)
    if (g_strcmp0 (names[i], name) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

const char *
ts_activation_name (TsActivation act)
{
  return act == TS_ACT_IDENTITY ? "identity" : _ts_activation_names[act];
}

gboolean
ts_activation_from_name (const char *name, TsActivation *out)
{
  int v;
  if (!name_lookup (_ts_activation_names, name, &v))
    return FALSE;
  *out = (TsActivation) v;
  return TRUE;
}

const char *ts_init_name (TsInit init) { return init_names[init]; }
const char *ts_optimizer_name (TsOptimizerKind kind) { return optimizer_names[kind]; }
const char *ts_loss_name (TsLossKind kind) { return loss_names[kind]; }
const char *ts_preprocess_name (TsPreprocessKind kind) { return preprocess_names[kind]; }

gboolean
ts_init_from_name (const char *name, TsInit *out)
{
  int v;
  if (!name_lookup (init_names, name, &v))
    return FALSE;
  *out = (TsInit) v;
  return TRUE;
}

/* ---- lifecycle -------------------------------------------------------- */

TsExperiment *
ts_experiment_new_default (void)
{
  TsExperiment *exp = g_new0 (TsExperiment, 1);
  TsLayerSpec hidden = { 100, TS_INHERIT_ACTIVATION };

  exp->name = g_strdup ("Spiral · ReLU · He");
  exp->seed = 7;
  exp->data = (TsDataSpec) {
    .source = g_strdup ("builtin:spiral"), .samples = 1500, .classes = 3, .noise = 0.1,
    .val_fraction = 0.2, .preprocess = TS_PRE_STANDARDIZE, .whiten_epsilon = 1e-5,
    .image_size = 32, .label_column = g_strdup (""),
    .class_subset = g_array_new (FALSE, FALSE, sizeof (guint)),
    .image_shape = g_array_new (FALSE, FALSE, sizeof (guint)),
    .resize = g_array_new (FALSE, FALSE, sizeof (guint)),
  };
  exp->model = (TsModelSpec) {
    .layers = g_array_new (FALSE, FALSE, sizeof (TsLayerSpec)),
    .activation = TS_ACT_RELU, .leaky_slope = 0.01, .init = TS_INIT_HE, .init_scale = 0.01,
    .init_from = g_strdup (""), .reinit_head = TS_REINIT_AUTO, .unfreeze_lr_decay = 0.5,
  };
  g_array_append_val (exp->model.layers, hidden);
  exp->train = (TsTrainSpec) {
    .epochs = 40, .batch_size = 64, .optimizer = TS_OPT_MOMENTUM, .momentum = 0.9, .lr = 0.1,
    .schedule = { TS_SCHED_NONE, 10, 2.0, 3, 0, 5 },
    .l2 = 1e-4, .loss = TS_LOSS_SOFTMAX,
  };
  return exp;
}

TsExperiment *
ts_experiment_copy (const TsExperiment *exp)
{
  TsExperiment *copy = g_memdup2 (exp, sizeof *exp);

  copy->name = g_strdup (exp->name);
  copy->data.source = g_strdup (exp->data.source);
  copy->data.label_column = g_strdup (exp->data.label_column);
  copy->model.layers = g_array_copy (exp->model.layers);
  copy->model.init_from = g_strdup (exp->model.init_from);
  copy->data.class_subset = g_array_copy (exp->data.class_subset);
  copy->data.image_shape = g_array_copy (exp->data.image_shape);
  copy->data.resize = g_array_copy (exp->data.resize);
  return copy;
}

void
ts_experiment_free (TsExperiment *exp)
{
  if (exp == NULL)
    return;
  g_free (exp->name);
  g_free (exp->data.source);
  g_free (exp->data.label_column);
  g_array_unref (exp->model.layers);
  g_free (exp->model.init_from);
  g_array_unref (exp->data.class_subset);
  g_array_unref (exp->data.image_shape);
  g_array_unref (exp->data.resize);
  g_free (exp);
}

TsActivation
ts_experiment_layer_activation (const TsExperiment *exp, guint layer)
{
  const TsLayerSpec *spec = &g_array_index (exp->model.layers, TsLayerSpec, layer);
  return spec->activation == TS_INHERIT_ACTIVATION ? exp->model.activation
                                                   : (TsActivation) spec->activation;
}

/* ---- checking values -------------------------------------------------- */

static char *
format_number (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (v == floor (v) && fabs (v) < 1e15)
    return g_strdup_printf ("%.0f", v);
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6g", v));
}

/* got: the value as the user gave it (a --set text), else it is formatted */
static gboolean
check_range (const char *key, TsKeyRange range, double v, const char *given, GError **error)
{
  static const char *const phrase[] = {
    [R_GT0] = "must be > 0", [R_GE0] = "must be >= 0", [R_UNIT] = "must be in [0, 1]",
    [R_UNIT_OPEN] = "must be in [0, 1)", [R_GE1] = "must be >= 1",
  };
  gboolean ok = TRUE;
  g_autofree char *got = NULL;

  switch (range)
    {
    case R_ANY: ok = isfinite (v); break;
    case R_GT0: ok = v > 0; break;
    case R_GE0: ok = v >= 0; break;
    case R_UNIT: ok = v >= 0 && v <= 1; break;
    case R_UNIT_OPEN: ok = v >= 0 && v < 1; break;
    case R_GE1: ok = v >= 1; break;
    }
  ok = ok && isfinite (v);
  if (ok && fabs (v) >= 1e15)
    {
      /* nothing here needs such a value, and json-glib 1.6 writes numbers
       * like 6e166 as "6e+166.0", which no parser reads back (found by
       * fuzz-experiment) */
      got = given ? g_strdup (given) : format_number (v);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: must be below 1e15 in size (got %s)", key, got);
      return FALSE;
    }
  if (ok)
    return TRUE;
  got = given ? g_strdup (given) : format_number (v);
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: %s (got %s)", key,
               range == R_ANY || !isfinite (v) ? "must be a finite number" : phrase[range], got);
  return FALSE;
}

/* whole-number keys: [0 or 1, max], said with the range, never wrapped */
static gboolean
check_value (const TsKeySpec *spec, double v, const char *given, GError **error)
{
  double lo, hi;
  g_autofree char *got = NULL;

  if (spec->kind != K_UINT && spec->kind != K_UINT64)
    return check_range (spec->key, spec->range, v, given, error);
  lo = spec->range == R_GE1 ? 1 : 0;
  hi = spec->max > 0 ? spec->max : spec->kind == K_UINT ? (double) G_MAXUINT32 : 9007199254740992.0 /* 2^53 */;
  if (isfinite (v) && v == floor (v) && v >= lo && v <= hi)
    return TRUE;
  got = given ? g_strdup (given) : format_number (v);
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: must be a whole number in [%.0f, %.0f] (got %s)", spec->key,
               lo, hi, got);
  return FALSE;
}

char *
_ts_experiment_choices_text (const char *const *choices)
{
  return g_strjoinv (", ", (char **) choices);
}

static gboolean
set_enum (const TsKeySpec *spec, TsExperiment *exp, const char *text, GError **error)
{
  int v;
  if (!name_lookup (spec->choices, text, &v))
    {
      g_autofree char *list = _ts_experiment_choices_text (spec->choices);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: must be one of %s (got \"%s\")",
                   spec->key, list, text);
      return FALSE;
    }
  *(int *) ((char *) exp + spec->offset) = v;
  return TRUE;
}

gboolean
_ts_experiment_set_number (const TsKeySpec *spec, TsExperiment *exp, double v, const char *given, GError **error)
{
  char *field = (char *) exp + spec->offset;

  if (!check_value (spec, v, given, error))
    return FALSE;
  if (spec->kind == K_DOUBLE)
    {
      *(double *) field = v;
      return TRUE;
    }
  if (spec->kind == K_UINT)
    *(guint *) field = (guint) v;
  else
    *(guint64 *) field = (guint64) v;
  return TRUE;
}

gboolean
_ts_experiment_set_string (const TsKeySpec *spec, TsExperiment *exp, const char *text, GError **error)
{
  char **field = (char **) ((char *) exp + spec->offset);
  const char *bad;

  /* the experiment is written as JSON (experiment.json, a model's metadata)
   * and must read back the same: a path in another encoding cannot */
  if (!g_utf8_validate (text, -1, &bad))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: not valid UTF-8 (byte %td is 0x%02x); the experiment "
                   "is UTF-8 JSON (rename a file or folder whose name is not)", spec->key, bad - text, (guint8) *bad);
      return FALSE;
    }

  if (spec->kind == K_ENUM)
    return set_enum (spec, exp, text, error);
  g_free (*field);
  *field = g_strdup (text);
  return TRUE;
}

const TsKeySpec *
_ts_experiment_find_key (const char *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    if (strcmp (keys[i].key, key) == 0)
      return &keys[i];
  return NULL;
}

static gboolean
is_group (const char *path)
{
  return g_strv_contains (groups, path);
}

/* ---- JSON in ---------------------------------------------------------- */

static gboolean
set_from_node (const TsKeySpec *spec, TsExperiment *exp, JsonNode *node, GError **error)
{
  GType type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (spec->kind == K_LAYERS)
    return _ts_experiment_parse_layers (exp, node, error);
  if (spec->kind == K_UINTS)
    return _ts_experiment_set_uints_node (spec, exp, node, error);
  if (spec->kind == K_ENUM && type == G_TYPE_BOOLEAN && spec->choices == reinit_names)
    /* "reinit_head": true reads as the JSON it looks like */
    return _ts_experiment_set_string (spec, exp, json_node_get_boolean (node) ? "true" : "false", error);
  if (spec->kind == K_STRING || spec->kind == K_ENUM)
    {
      if (type != G_TYPE_STRING)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: must be a string", spec->key);
          return FALSE;
        }
      return _ts_experiment_set_string (spec, exp, json_node_get_string (node), error);
    }
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: must be a number", spec->key);
      return FALSE;
    }
  return _ts_experiment_set_number (spec, exp, json_node_get_double (node), NULL, error);
}

static gboolean
parse_object (TsExperiment *exp, JsonObject *obj, const char *prefix, GError **error)
{
  g_autoptr(GList) members = json_object_get_members (obj);

  for (GList *l = members; l; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (obj, name);
      g_autofree char *path = prefix ? g_strconcat (prefix, ".", name, NULL) : g_strdup (name);
      const TsKeySpec *spec;

      if (is_group (path))
        {
          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: must be an object", path);
              return FALSE;
            }
          if (!parse_object (exp, json_node_get_object (node), path, error))
            return FALSE;
          continue;
        }
      spec = _ts_experiment_find_key (path);
      if (spec == NULL)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: unknown key", path);
          return FALSE;
        }
      if (!set_from_node (spec, exp, node, error))
        return FALSE;
    }
  return TRUE;
}

TsExperiment *
ts_experiment_from_node (JsonNode *root, GError **error)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "the experiment must be a JSON object");
      return NULL;
    }
  if (!parse_object (exp, json_node_get_object (root), NULL, error))
    return NULL;
  if (!ts_experiment_validate (exp, error))
    return NULL;
  return g_steal_pointer (&exp);
}

TsExperiment *
ts_experiment_from_json (const char *json, gssize length, GError **error)
{
  g_autoptr(JsonNode) root = ts_json_parse (json, length, NULL, error);

  if (root == NULL)
    return NULL;
  return ts_experiment_from_node (root, error);
}

TsExperiment *
ts_experiment_load_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length;
  TsExperiment *exp;
  GError *inner = NULL;

  if (!ts_file_read_bounded (path, TS_JSON_MAX_BYTES, &contents, &length, error))
    return NULL;
  exp = ts_experiment_from_json (contents, (gssize) length, &inner);
  if (exp == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: %s", path, inner->message);
      g_error_free (inner);
    }
  return exp;
}

/* ---- validation ------------------------------------------------------- */

/* k-fold and SGDR cycles: the cross-key rules of the keys ensembles use */
static gboolean
validate_reuse_keys (const TsExperiment *exp, GError **error)
{
  const TsScheduleSpec *s = &exp->train.schedule;

  if (exp->data.folds == 1)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "data.folds: must be 0 (off) or >= 2 (got 1)");
      return FALSE;
    }
  if (exp->data.folds >= 2 && exp->data.fold >= exp->data.folds)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "data.fold: must be below data.folds = %u (got %u)",
                   exp->data.folds, exp->data.fold);
      return FALSE;
    }
  if (s->type == TS_SCHED_COSINE_RESTARTS && exp->train.epochs % s->cycles != 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "train.schedule.cycles: must divide train.epochs (got %u cycles for %u epochs)", s->cycles,
                   exp->train.epochs);
      return FALSE;
    }
  return TRUE;
}

gboolean
ts_experiment_validate (const TsExperiment *exp, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const TsKeySpec *spec = &keys[i];
      const char *field = (const char *) exp + spec->offset;
      double v;

      if (spec->kind == K_DOUBLE)
        v = *(const double *) field;
      else if (spec->kind == K_UINT)
        v = *(const guint *) field;
      else if (spec->kind == K_UINT64)
        v = (double) *(const guint64 *) field;
      else
        continue;
      if (!check_value (spec, v, NULL, error))
        return FALSE;
    }
  if (exp->data.source == NULL || exp->data.source[0] == '\0')
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "data.source: must not be empty");
      return FALSE;
    }
  if (!_ts_experiment_validate_layers (exp, error))
    return FALSE;
  if (!validate_reuse_keys (exp, error) || !_ts_experiment_validate_finetune (exp, error))
    return FALSE;
  if (_ts_experiment_dense_layers (exp) > TS_MAX_HIDDEN_LAYERS)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers: at most %d hidden layers (got %u)",
                   TS_MAX_HIDDEN_LAYERS, _ts_experiment_dense_layers (exp));
      return FALSE;
    }
  return _ts_experiment_validate_shapes (exp, error);
}

/* ---- JSON out --------------------------------------------------------- */

static JsonObject *
group_object (JsonObject *root, const char *key, const char **leaf)
{
  g_auto(GStrv) parts = g_strsplit (key, ".", -1);
  JsonObject *obj = root;
  guint n = g_strv_length (parts);

  for (guint i = 0; i + 1 < n; i++)
    {
      if (!json_object_has_member (obj, parts[i]))
        json_object_set_object_member (obj, parts[i], json_object_new ());
      obj = json_object_get_object_member (obj, parts[i]);
    }
  *leaf = strrchr (key, '.') ? strrchr (key, '.') + 1 : key;
  return obj;
}

JsonNode *
ts_experiment_to_node (const TsExperiment *exp)
{
  JsonObject *root = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const TsKeySpec *spec = &keys[i];
      const char *field = (const char *) exp + spec->offset;
      const char *leaf;
      JsonObject *obj = group_object (root, spec->key, &leaf);

      switch (spec->kind)
        {
        case K_STRING: json_object_set_string_member (obj, leaf, *(char *const *) field); break;
        case K_ENUM: json_object_set_string_member (obj, leaf, spec->choices[*(const int *) field]); break;
        case K_UINT: json_object_set_int_member (obj, leaf, *(const guint *) field); break;
        case K_UINT64: json_object_set_int_member (obj, leaf, (gint64) *(const guint64 *) field); break;
        case K_DOUBLE: json_object_set_double_member (obj, leaf, *(const double *) field); break;
        case K_LAYERS: json_object_set_member (obj, leaf, _ts_experiment_layers_to_node (exp)); break;
        case K_UINTS: json_object_set_member (obj, leaf, _ts_experiment_uints_node (*(GArray *const *) field)); break;
        }
    }
  json_node_take_object (node, root);
  return node;
}

char *
ts_experiment_to_json (const TsExperiment *exp)
{
  g_autoptr(JsonNode) node = ts_experiment_to_node (exp);
  return ts_json_to_string (node, TRUE);
}

const TsExperimentKeyDoc *
ts_experiment_key_docs (guint *n_keys)
{
  static TsExperimentKeyDoc docs[G_N_ELEMENTS (keys)];
  static gsize done;

  if (g_once_init_enter (&done))
    {
      for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
        docs[i] = (TsExperimentKeyDoc) { keys[i].key, keys[i].default_text, keys[i].doc, keys[i].choices };
      g_once_init_leave (&done, 1);
    }
  *n_keys = G_N_ELEMENTS (keys);
  return docs;
}
