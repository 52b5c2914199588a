/* model.layers: each entry's JSON and text forms, checked entry by entry
 * (a batchnorm follows a dense layer, its momentum and eps in range), and
 * written back. */
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

guint
_ts_experiment_dense_layers (const TsExperiment *exp)
{
  guint n = 0;
  for (guint i = 0; i < exp->model.layers->len; i++)
    n += g_array_index (exp->model.layers, TsLayerSpec, i).kind == TS_LAYER_DENSE;
  return n;
}

/* each entry's values, and the order of kinds: a batchnorm normalises the
 * dense layer right before it */
gboolean
_ts_experiment_validate_layers (const TsExperiment *exp, GError **error)
{
  for (guint i = 0; i < exp->model.layers->len; i++)
    {
      const TsLayerSpec *spec = &g_array_index (exp->model.layers, TsLayerSpec, i);
      const TsLayerSpec *prev = i ? spec - 1 : NULL;

      if (spec->kind == TS_LAYER_DENSE && spec->units == 0)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].units: must be >= 1", i);
          return FALSE;
        }
      if (spec->kind != TS_LAYER_BATCHNORM)
        continue;
      if (prev == NULL || prev->kind != TS_LAYER_DENSE)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                       "model.layers[%u]: a batchnorm must follow a dense layer (%s)", i,
                       prev ? "two batchnorms in a row" : "it is the first entry; the input is not a layer");
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
  out->lr_scale = (float) v;
  return 1;
}

gboolean
_ts_experiment_lr_scale_ok (double v)
{
  return v > 0 && v <= 1000 && isfinite (v);
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
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].%s: unknown key for a batchnorm", index, name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_dense_key (const char *name, JsonNode *value, guint index, TsLayerSpec *out, GError **error)
{
  gboolean is_string = JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING;

  if (strcmp (name, "units") == 0)
    {
      double v = JSON_NODE_HOLDS_VALUE (value) && !is_string ? json_node_get_double (value) : -1;
      if (v < 1 || v != floor (v) || v > 1e6)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                       "model.layers[%u].units: must be a whole number in [1, 1000000]", index);
          return FALSE;
        }
      out->units = (guint) v;
    }
  else if (strcmp (name, "activation") == 0)
    {
      TsActivation act;
      if (!is_string || !ts_activation_from_name (json_node_get_string (value), &act))
        {
          g_autofree char *list = _ts_experiment_choices_text (_ts_activation_names);
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                       "model.layers[%u].activation: must be one of %s", index, list);
          return FALSE;
        }
      out->activation = act;
    }
  else
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].%s: unknown key", index, name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_layer (JsonNode *node, guint index, TsLayerSpec *out, GError **error)
{
  JsonObject *obj;
  JsonNode *type;
  g_autoptr(GList) members = NULL;

  *out = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION };
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u]: must be an object", index);
      return FALSE;
    }
  obj = json_node_get_object (node);
  type = json_object_get_member (obj, "type");
  if (type)
    {
      const char *name = JSON_NODE_HOLDS_VALUE (type) && json_node_get_value_type (type) == G_TYPE_STRING
                           ? json_node_get_string (type) : "";
      if (strcmp (name, "batchnorm") == 0)
        *out = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION, TS_LAYER_BATCHNORM, TS_BN_MOMENTUM, TS_BN_EPS };
      else if (strcmp (name, "dense") != 0)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].type: must be \"dense\" or \"batchnorm\"",
                       index);
          return FALSE;
        }
    }
  members = json_object_get_members (obj);
  for (GList *l = members; l; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (obj, name);

      int reuse;

      if (strcmp (name, "type") == 0)
        continue;
      if ((reuse = parse_reuse_key (name, value, index, out, error)) != 0)
        {
          if (reuse < 0)
            return FALSE;
          continue;
        }
      if (!(out->kind == TS_LAYER_BATCHNORM ? parse_batchnorm_key : parse_dense_key) (name, value, index, out, error))
        return FALSE;
    }
  if (out->kind == TS_LAYER_DENSE && out->units == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u].units: missing", index);
      return FALSE;
    }
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
      if (spec->kind == TS_LAYER_BATCHNORM)
        {
          json_object_set_string_member (layer, "type", "batchnorm");
          json_object_set_double_member (layer, "momentum", float_as_double (spec->momentum));
          json_object_set_double_member (layer, "eps", float_as_double (spec->eps));
        }
      else
        {
          json_object_set_string_member (layer, "type", "dense");
          json_object_set_int_member (layer, "units", spec->units);
          if (spec->activation != TS_INHERIT_ACTIVATION)
            json_object_set_string_member (layer, "activation", _ts_activation_names[spec->activation]);
        }
      add_reuse_keys (layer, spec);
      json_array_add_object_element (array, layer);
    }
  json_node_take_array (node, array);
  return node;
}
