/* model.layers: each entry's JSON form — dense, conv, pool,
 * global_avg_pool, batchnorm — read key by key with each value's range,
 * the order of kinds checked (a batchnorm follows a dense or conv layer;
 * conv and pools need an image, not a vector), and written back. */
#include "ts-experiment-private.h"
#include "ts-error.h"

#include <math.h>
#include <string.h>

static gboolean
layer_number (JsonNode *value, double *v)
{
  gboolean is_number = JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) != G_TYPE_STRING
                       && json_node_get_value_type (value) != G_TYPE_BOOLEAN;
  *v = is_number ? json_node_get_double (value) : NAN;
  return is_number;
}

static char *
node_text (JsonNode *value)
{
  double v;
  if (layer_number (value, &v))
    return g_strdup_printf ("%g", v);
  return g_strdup (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING
                   ? "a string" : "not a number");
}

/* a float key as the double that prints as it does (0.1f → 0.1) */
static double
float_as_double (float f)
{
  char text[32];
  g_snprintf (text, sizeof text, "%.7g", f);
  return g_ascii_strtod (text, NULL);
}

const char *const _ts_pool_names[] = { "max", "avg", NULL };

/* the layers with weights (dense and conv): what TS_MAX_HIDDEN_LAYERS bounds */
guint
_ts_experiment_dense_layers (const TsExperiment *exp)
{
  guint n = 0;
  for (guint i = 0; i < exp->model.layers->len; i++)
    {
      TsLayerKind kind = g_array_index (exp->model.layers, TsLayerSpec, i).kind;
      n += kind == TS_LAYER_DENSE || kind == TS_LAYER_CONV;
    }
  return n;
}

/* ---- checks ------------------------------------------------------------ */

/* a whole number in [lo, hi]: units, filters, kernel, stride, padding */
static gboolean
check_whole (guint index, const char *key, double v, double lo, double hi, GError **error)
{
  if (v >= lo && v <= hi && v == floor (v))
    return TRUE;
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].%s: must be a whole number in [%.0f, %.0f] (got %g)",
               index, key, lo, hi, v);
  return FALSE;
}

/* conv and pool values that do not depend on the input's shape */
static gboolean
check_window (const TsLayerSpec *spec, guint i, GError **error)
{
  gboolean conv = spec->kind == TS_LAYER_CONV;

  if ((conv && !check_whole (i, "filters", spec->units, 1, TS_MAX_LAYER_UNITS, error))
      || !check_whole (i, conv ? "kernel" : "size", spec->kernel, 1, TS_MAX_LAYER_WINDOW, error)
      || !check_whole (i, "stride", spec->stride, 1, TS_MAX_LAYER_WINDOW, error))
    return FALSE;
  if (!conv)
    return TRUE;
  if (spec->padding == TS_PADDING_SAME && (spec->kernel % 2 == 0 || spec->stride != 1))
    {
      /* PyTorch's padding="same" takes stride 1 only, and an even kernel
       * would pad one side more than the other */
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "model.layers[%u].padding: \"same\" needs an odd kernel and stride 1 (got kernel %u, stride %u)", i,
                   spec->kernel, spec->stride);
      return FALSE;
    }
  return spec->padding == TS_PADDING_SAME || check_whole (i, "padding", spec->padding, 0, TS_MAX_LAYER_WINDOW, error);
}

static gboolean
check_batchnorm (const TsExperiment *exp, const TsLayerSpec *spec, const TsLayerSpec *prev, guint i, GError **error)
{
  if (prev == NULL || (prev->kind != TS_LAYER_DENSE && prev->kind != TS_LAYER_CONV))
    {
      g_autofree char *after = prev ? g_strdup_printf ("it follows a %s", ts_layer_kind_name (prev->kind)) : NULL;
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "model.layers[%u]: a batchnorm must follow a dense or conv layer (%s)", i,
                   prev == NULL ? "it is the first entry; the input is not a layer"
                   : prev->kind == TS_LAYER_BATCHNORM ? "two batchnorms in a row" : after);
      return FALSE;
    }
  if (!(spec->momentum > 0 && spec->momentum <= 1))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].momentum: must be in (0, 1] (got %g)", i,
                   spec->momentum);
      return FALSE;
    }
  if (!(spec->eps > 0))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].eps: must be > 0 (got %g)", i, spec->eps);
      return FALSE;
    }
  if (exp->train.batch_size < 2)
    {
      /* one sample has no spread to normalise by (PyTorch refuses it too) */
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "train.batch_size: must be >= 2 with a batchnorm (model.layers[%u]) (got %u)", i,
                   exp->train.batch_size);
      return FALSE;
    }
  return TRUE;
}

/* conv, pool and global_avg_pool slide over an image: after a dense layer
 * or a global_avg_pool their input is a vector, whatever the data — the
 * shapes' own sentence says so (the data's shape, when known, is checked
 * whole by ts_experiment_layer_shapes) */
static gboolean
check_image_input (const TsLayerSpec *spec, guint64 vector, guint i, GError **error)
{
  TsShape in = { 1, { vector } }, out;
  g_autoptr(GError) why = NULL;

  if (ts_layer_output_shape (spec, &in, &out, &why))
    return TRUE;
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u]: %s", i, why->message);
  return FALSE;
}

/* each entry's values, and the order of kinds: a batchnorm normalises the
 * dense or conv layer right before it; conv and pools need an image */
gboolean
_ts_experiment_validate_layers (const TsExperiment *exp, GError **error)
{
  guint64 vector = 0;   /* the width of the vector so far, 0 while the data's shape passes through */
  guint64 channels = 0; /* the last conv's filters (0: the data's channels) */

  for (guint i = 0; i < exp->model.layers->len; i++)
    {
      const TsLayerSpec *spec = &g_array_index (exp->model.layers, TsLayerSpec, i);
      const TsLayerSpec *prev = i ? spec - 1 : NULL;

      switch (spec->kind)
        {
        case TS_LAYER_DENSE:
          if (!check_whole (i, "units", spec->units, 1, TS_MAX_LAYER_UNITS, error))
            return FALSE;
          vector = spec->units;
          break;
        case TS_LAYER_BATCHNORM:
          if (!check_batchnorm (exp, spec, prev, i, error))
            return FALSE;
          break;
        case TS_LAYER_CONV:
        case TS_LAYER_POOL:
        case TS_LAYER_GLOBAL_AVG_POOL:
          if ((spec->kind != TS_LAYER_GLOBAL_AVG_POOL && !check_window (spec, i, error))
              || (vector && !check_image_input (spec, vector, i, error)))
            return FALSE;
          if (spec->kind == TS_LAYER_CONV)
            channels = spec->units;
          /* a gap with no conv before it averages the data's channels,
           * which only the data can say; 1 stands for "some" */
          if (spec->kind == TS_LAYER_GLOBAL_AVG_POOL)
            vector = MAX (channels, 1);
          break;
        default:
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].type: unknown kind %d", i, spec->kind);
          return FALSE;
        }
    }
  return TRUE;
}

/* The keys of fine-tuning, the same for every kind with parameters:
 * "trainable" (false: frozen) and "lr_scale" (> 0). Returns 1 when name
 * was one of them and its value good, 0 when it is not one, -1 on error. */
static int
parse_reuse_key (const char *name, JsonNode *value, guint index, TsLayerSpec *out, GError **error)
{
  double v;

  if (strcmp (name, "trainable") == 0)
    {
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_BOOLEAN)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].trainable: must be true or false", index);
          return -1;
        }
      out->frozen = !json_node_get_boolean (value);
      return 1;
    }
  if (strcmp (name, "lr_scale") != 0)
    return 0;
  if (!layer_number (value, &v) || !_ts_experiment_lr_scale_ok (v))
    {
      g_autofree char *got = node_text (value);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].lr_scale: %s (got %s)", index,
                   TS_LR_SCALE_RANGE, got);
      return -1;
    }
  out->lr_scale = v == 1 ? 0.f : (float) v; /* 1 is stored as unset: one spec, one form */
  return 1;
}

gboolean
_ts_experiment_lr_scale_ok (double v)
{
  return v > 0 && v <= 1000 && isfinite (v);
}

/* ---- JSON in ----------------------------------------------------------- */

static gboolean
parse_whole (JsonNode *value, guint index, const char *key, double lo, double hi, guint *out, GError **error)
{
  double v;

  if (!layer_number (value, &v))
    {
      g_autofree char *got = node_text (value);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "model.layers[%u].%s: must be a whole number in [%.0f, %.0f] (got %s)", index, key, lo, hi, got);
      return FALSE;
    }
  if (!check_whole (index, key, v, lo, hi, error))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static gboolean
parse_activation (JsonNode *value, guint index, TsLayerSpec *out, GError **error)
{
  gboolean is_string = JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING;
  TsActivation act;

  if (!is_string || !ts_activation_from_name (json_node_get_string (value), &act))
    {
      g_autofree char *list = _ts_experiment_choices_text (_ts_activation_names);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].activation: must be one of %s", index, list);
      return FALSE;
    }
  out->activation = act;
  return TRUE;
}

static gboolean
unknown_key (const char *name, guint index, const TsLayerSpec *out, GError **error)
{
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].%s: unknown key for a %s", index, name,
               ts_layer_kind_name (out->kind));
  return FALSE;
}

/* a batchnorm entry's own keys: momentum in (0, 1], eps > 0 */
static gboolean
parse_batchnorm_key (const char *name, JsonNode *value, guint index, TsLayerSpec *out, GError **error)
{
  double v;

  if (strcmp (name, "momentum") == 0)
    {
      if (!layer_number (value, &v) || !(v > 0 && v <= 1))
        {
          g_autofree char *got = node_text (value);
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].momentum: must be in (0, 1] (got %s)",
                       index, got);
          return FALSE;
        }
      out->momentum = (float) v;
    }
  else if (strcmp (name, "eps") == 0)
    {
      if (!layer_number (value, &v) || !(v > 0))
        {
          g_autofree char *got = node_text (value);
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].eps: must be > 0 (got %s)", index, got);
          return FALSE;
        }
      out->eps = (float) v;
    }
  else
    return unknown_key (name, index, out, error);
  return TRUE;
}

static gboolean
parse_dense_key (const char *name, JsonNode *value, guint index, TsLayerSpec *out, GError **error)
{
  if (strcmp (name, "units") == 0)
    return parse_whole (value, index, "units", 1, TS_MAX_LAYER_UNITS, &out->units, error);
  if (strcmp (name, "activation") == 0)
    return parse_activation (value, index, out, error);
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].%s: unknown key", index, name);
  return FALSE;
}

/* conv: filters, kernel, stride, padding (a count or "same"), activation */
static gboolean
parse_conv_key (const char *name, JsonNode *value, guint index, TsLayerSpec *out, GError **error)
{
  if (strcmp (name, "filters") == 0)
    return parse_whole (value, index, "filters", 1, TS_MAX_LAYER_UNITS, &out->units, error);
  if (strcmp (name, "kernel") == 0)
    return parse_whole (value, index, "kernel", 1, TS_MAX_LAYER_WINDOW, &out->kernel, error);
  if (strcmp (name, "stride") == 0)
    return parse_whole (value, index, "stride", 1, TS_MAX_LAYER_WINDOW, &out->stride, error);
  if (strcmp (name, "activation") == 0)
    return parse_activation (value, index, out, error);
  if (strcmp (name, "padding") == 0)
    {
      guint padding;
      if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
        {
          if (strcmp (json_node_get_string (value), "same") == 0)
            {
              out->padding = TS_PADDING_SAME;
              return TRUE;
            }
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                       "model.layers[%u].padding: must be a whole number in [0, %d] or \"same\" (got \"%s\")", index,
                       TS_MAX_LAYER_WINDOW, json_node_get_string (value));
          return FALSE;
        }
      if (!parse_whole (value, index, "padding", 0, TS_MAX_LAYER_WINDOW, &padding, error))
        return FALSE;
      out->padding = (int) padding;
      return TRUE;
    }
  return unknown_key (name, index, out, error);
}

/* pool: kind (max|avg), size, stride */
static gboolean
parse_pool_key (const char *name, JsonNode *value, guint index, TsLayerSpec *out, GError **error)
{
  if (strcmp (name, "size") == 0)
    return parse_whole (value, index, "size", 1, TS_MAX_LAYER_WINDOW, &out->kernel, error);
  if (strcmp (name, "stride") == 0)
    return parse_whole (value, index, "stride", 1, TS_MAX_LAYER_WINDOW, &out->stride, error);
  if (strcmp (name, "kind") == 0)
    {
      const char *kind = JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING
                           ? json_node_get_string (value) : "";
      if (strcmp (kind, "max") != 0 && strcmp (kind, "avg") != 0)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].kind: must be \"max\" or \"avg\"", index);
          return FALSE;
        }
      out->pool = kind[0] == 'm' ? TS_POOL_MAX : TS_POOL_AVG;
      return TRUE;
    }
  return unknown_key (name, index, out, error);
}

static gboolean
parse_gap_key (const char *name, JsonNode *value, guint index, TsLayerSpec *out, GError **error)
{
  return unknown_key (name, index, out, error);
}

typedef gboolean (*ParseKey) (const char *name, JsonNode *value, guint index, TsLayerSpec *out, GError **error);

/* the entry's kind from "type" (dense when absent), with its defaults */
static gboolean
parse_type (JsonObject *obj, guint index, TsLayerSpec *out, ParseKey *parse_key, GError **error)
{
  JsonNode *type = json_object_get_member (obj, "type");
  const char *name = type == NULL ? "dense"
                     : JSON_NODE_HOLDS_VALUE (type) && json_node_get_value_type (type) == G_TYPE_STRING
                     ? json_node_get_string (type) : "";

  *out = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION };
  if (strcmp (name, "dense") == 0)
    *parse_key = parse_dense_key;
  else if (strcmp (name, "batchnorm") == 0)
    {
      *out = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION, TS_LAYER_BATCHNORM, TS_BN_MOMENTUM, TS_BN_EPS };
      *parse_key = parse_batchnorm_key;
    }
  else if (strcmp (name, "conv") == 0)
    {
      *out = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION, TS_LAYER_CONV, .stride = 1 };
      *parse_key = parse_conv_key;
    }
  else if (strcmp (name, "pool") == 0)
    {
      /* stride 0 until parsed: it defaults to the size */
      *out = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION, TS_LAYER_POOL, .kernel = 2, .pool = TS_POOL_MAX };
      *parse_key = parse_pool_key;
    }
  else if (strcmp (name, "global_avg_pool") == 0)
    {
      *out = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION, TS_LAYER_GLOBAL_AVG_POOL };
      *parse_key = parse_gap_key;
    }
  else
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "model.layers[%u].type: must be \"dense\", \"conv\", \"pool\", \"global_avg_pool\" or \"batchnorm\"",
                   index);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_layer (JsonNode *node, guint index, TsLayerSpec *out, GError **error)
{
  JsonObject *obj;
  ParseKey parse_key;
  g_autoptr(GList) members = NULL;

  *out = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION };
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u]: must be an object", index);
      return FALSE;
    }
  obj = json_node_get_object (node);
  if (!parse_type (obj, index, out, &parse_key, error))
    return FALSE;
  members = json_object_get_members (obj);
  for (GList *l = members; l; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (obj, name);
      int reuse = 0;

      if (strcmp (name, "type") == 0)
        continue;
      /* trainable and lr_scale: the kinds with parameters */
      if (out->kind == TS_LAYER_DENSE || out->kind == TS_LAYER_CONV || out->kind == TS_LAYER_BATCHNORM)
        reuse = parse_reuse_key (name, value, index, out, error);
      if (reuse < 0)
        return FALSE;
      if (reuse == 0 && !parse_key (name, value, index, out, error))
        return FALSE;
    }
  if ((out->kind == TS_LAYER_DENSE || out->kind == TS_LAYER_CONV) && out->units == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].%s: missing", index,
                   out->kind == TS_LAYER_CONV ? "filters" : "units");
      return FALSE;
    }
  if (out->kind == TS_LAYER_CONV && out->kernel == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].kernel: missing", index);
      return FALSE;
    }
  if (out->kind == TS_LAYER_POOL && out->stride == 0)
    out->stride = out->kernel;
  return TRUE;
}

gboolean
_ts_experiment_parse_layers (TsExperiment *exp, JsonNode *node, GError **error)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers: must be an array of layers");
      return FALSE;
    }
  array = json_node_get_array (node);
  g_array_set_size (exp->model.layers, 0);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      TsLayerSpec spec;
      if (!parse_layer (json_array_get_element (array, i), i, &spec, error))
        return FALSE;
      g_array_append_val (exp->model.layers, spec);
    }
  return TRUE;
}

/* ---- JSON out --------------------------------------------------------- */

/* every kind with parameters: both keys, defaults included (experiment.json
 * is the resolved experiment) */
static void
add_reuse_keys (JsonObject *layer, const TsLayerSpec *spec)
{
  json_object_set_boolean_member (layer, "trainable", !spec->frozen);
  json_object_set_double_member (layer, "lr_scale", float_as_double (ts_layer_lr_scale (spec)));
}

JsonNode *
_ts_experiment_layers_to_node (const TsExperiment *exp)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < exp->model.layers->len; i++)
    {
      const TsLayerSpec *spec = &g_array_index (exp->model.layers, TsLayerSpec, i);
      JsonObject *layer = json_object_new ();
      json_object_set_string_member (layer, "type", ts_layer_kind_name (spec->kind));
      if (spec->kind == TS_LAYER_BATCHNORM)
        {
          json_object_set_double_member (layer, "momentum", float_as_double (spec->momentum));
          json_object_set_double_member (layer, "eps", float_as_double (spec->eps));
        }
      if (spec->kind == TS_LAYER_POOL)
        {
          json_object_set_string_member (layer, "kind", _ts_pool_names[spec->pool]);
          json_object_set_int_member (layer, "size", spec->kernel);
          json_object_set_int_member (layer, "stride", spec->stride);
        }
      if (spec->kind == TS_LAYER_DENSE)
        json_object_set_int_member (layer, "units", spec->units);
      if (spec->kind == TS_LAYER_CONV)
        {
          json_object_set_int_member (layer, "filters", spec->units);
          json_object_set_int_member (layer, "kernel", spec->kernel);
          json_object_set_int_member (layer, "stride", spec->stride);
          if (spec->padding == TS_PADDING_SAME)
            json_object_set_string_member (layer, "padding", "same");
          else
            json_object_set_int_member (layer, "padding", spec->padding);
        }
      if ((spec->kind == TS_LAYER_DENSE || spec->kind == TS_LAYER_CONV) && spec->activation != TS_INHERIT_ACTIVATION)
        json_object_set_string_member (layer, "activation", _ts_activation_names[spec->activation]);
      if (spec->kind == TS_LAYER_DENSE || spec->kind == TS_LAYER_CONV || spec->kind == TS_LAYER_BATCHNORM)
        add_reuse_keys (layer, spec);
      json_array_add_object_element (array, layer);
    }
  json_node_take_array (node, array);
  return node;
}
