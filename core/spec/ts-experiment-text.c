/* ts-experiment-text.c — an experiment's keys as text: ts_experiment_set
 * (the CLI's --set, the editor's rows, an advice's action) and
 * ts_experiment_get_text, which gives back a text that sets the same value. */
#include "ts-experiment-private.h"
#include "ts-error.h"
#include "ts-json.h"

#include <math.h>
#include <string.h>

#define LAYERS_FORMS "unit counts like 512,256 or 512:tanh:frozen:lr=0.1,bn,256 (bn: a batch norm; frozen: not " \
                     "trained; lr=S: the layer's lr_scale), or [] for no hidden layer"

/* model.layers=[512,{"units":256,"activation":"tanh"}] or =[]: the JSON form
 * (bare numbers are unit counts) */
static gboolean
set_layers_from_json (TsExperiment *exp, const char *text, GError **error)
{
  g_autoptr(JsonNode) root = ts_json_parse (text, -1, "model.layers", error);
  g_autoptr(JsonNode) objects = NULL;
  g_autoptr(GArray) before = NULL;
  JsonArray *array, *layers;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers: expected %s (got \"%s\")", LAYERS_FORMS, text);
      return FALSE;
    }
  array = json_node_get_array (root);
  layers = json_array_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) != G_TYPE_STRING)
        {
          JsonObject *layer = json_object_new ();
          json_object_set_member (layer, "units", json_node_copy (e));
          json_array_add_object_element (layers, layer);
        }
      else
        json_array_add_element (layers, json_node_copy (e));
    }
  objects = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (objects, layers);
  before = g_array_copy (exp->model.layers);
  if (_ts_experiment_parse_layers (exp, objects, error))
    return TRUE;
  g_array_set_size (exp->model.layers, 0); /* a bad text changes nothing */
  g_array_append_vals (exp->model.layers, before->data, before->len);
  return FALSE;
}

/* "frozen" and "lr=S", the text forms of "trainable": false and
 * "lr_scale": S, for every kind with parameters: 1 when field is one of
 * them, 0 when not, -1 (error set) when its value is bad */
static int
parse_reuse_option (const char *field, int i, TsLayerSpec *spec, GError **error)
{
  double v;

  if (strcmp (field, "frozen") == 0)
    {
      spec->frozen = TRUE;
      return 1;
    }
  if (!g_str_has_prefix (field, "lr="))
    return 0;
  if (!ts_parse_decimal (field + 3, &v) || !_ts_experiment_lr_scale_ok (v))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%d].lr_scale: %s (got \"%s\")", i,
                   TS_LR_SCALE_RANGE, field + 3);
      return -1;
    }
  spec->lr_scale = (float) v;
  return 1;
}

/* "bn", "bn:momentum=0.2:eps=0.001:frozen:lr=0.1": a batchnorm entry */
static gboolean
parse_batchnorm_text (const char *text, int i, TsLayerSpec *spec, GError **error)
{
  g_auto(GStrv) fields = g_strsplit (text, ":", -1);

  *spec = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION, TS_LAYER_BATCHNORM, TS_BN_MOMENTUM, TS_BN_EPS };
  for (int f = 1; fields[f]; f++)
    {
      const char *field = g_strstrip (fields[f]);
      char *end = NULL;
      double v = NAN;

      int reuse = parse_reuse_option (field, i, spec, error);

      if (reuse != 0)
        {
          if (reuse < 0)
            return FALSE;
          continue;
        }
      if (g_str_has_prefix (field, "momentum=") || g_str_has_prefix (field, "eps="))
        v = g_ascii_strtod (strchr (field, '=') + 1, &end);
      if (end == NULL || end == strchr (field, '=') + 1 || *end != '\0')
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                       "model.layers[%d]: \"%s\" is not a batchnorm option; expected momentum=M, eps=E, frozen or lr=S",
                       i, field);
          return FALSE;
        }
      if (field[0] == 'm')
        spec->momentum = (float) v;
      else
        spec->eps = (float) v;
    }
  return TRUE;
}

/* "512:tanh,bn,256": units, and an activation of the layer's own after a
 * colon; "bn" a batch normalisation of the layer before */
static gboolean
set_layers_from_text (TsExperiment *exp, const char *text, GError **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GArray) layers = g_array_new (FALSE, FALSE, sizeof (TsLayerSpec));

  if (text[0] == '[')
    return set_layers_from_json (exp, text, error);
  if (*text == '\0')
    {
      /* an empty text is more likely a mistake than a wish for no hidden layer */
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers: empty; expected %s", LAYERS_FORMS);
      return FALSE;
    }
  parts = g_strsplit (text, ",", -1);
  for (int i = 0; parts[i]; i++)
    {
      g_auto(GStrv) fields = NULL;
      TsLayerSpec spec = { 0, TS_INHERIT_ACTIVATION };
      guint64 units;
      TsActivation act;

      if (*g_strstrip (parts[i]) == '\0')
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%d]: empty entry in \"%s\"; expected %s", i,
                       text, LAYERS_FORMS);
          return FALSE;
        }
      if (strcmp (parts[i], "bn") == 0 || g_str_has_prefix (parts[i], "bn:"))
        {
          if (!parse_batchnorm_text (parts[i], i, &spec, error))
            return FALSE;
          g_array_append_val (layers, spec);
          continue;
        }
      fields = g_strsplit (parts[i], ":", -1);
      if (!g_ascii_string_to_unsigned (g_strstrip (fields[0]), 10, 1, 1000000, &units, NULL))
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                       "model.layers[%d]: units must be a whole number in [1, 1000000] (got \"%s\"); expected %s", i,
                       fields[0], LAYERS_FORMS);
          return FALSE;
        }
      spec.units = (guint) units;
      /* then, in any order: an activation of its own, frozen, lr=S */
      for (int f = 1; fields[f]; f++)
        {
          const char *field = g_strstrip (fields[f]);
          int reuse = parse_reuse_option (field, i, &spec, error);

          if (reuse < 0)
            return FALSE;
          if (reuse > 0)
            continue;
          if (!ts_activation_from_name (field, &act))
            {
              g_autofree char *list = _ts_experiment_choices_text (_ts_activation_names);
              g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                           "model.layers[%d].activation: must be one of %s (got \"%s\"); the other options are "
                           "frozen and lr=S", i, list, field);
              return FALSE;
            }
          if (spec.activation != TS_INHERIT_ACTIVATION)
            {
              g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%d]: a second activation (\"%s\")", i, field);
              return FALSE;
            }
          spec.activation = act;
        }
      g_array_append_val (layers, spec);
    }
  g_array_set_size (exp->model.layers, 0); /* only once all of it parsed: a bad text changes nothing */
  g_array_append_vals (exp->model.layers, layers->data, layers->len);
  return TRUE;
}

static void
append_reuse_options (GString *s, const TsLayerSpec *spec)
{
  if (spec->frozen)
    g_string_append (s, ":frozen");
  if (ts_layer_lr_scale (spec) != 1.f)
    g_string_append_printf (s, ":lr=%.7g", ts_layer_lr_scale (spec));
}

char *
ts_experiment_layers_text (const TsExperiment *exp, guint width_factor)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < exp->model.layers->len; i++)
    {
      const TsLayerSpec *spec = &g_array_index (exp->model.layers, TsLayerSpec, i);
      if (spec->kind == TS_LAYER_BATCHNORM)
        {
          g_string_append (s, i ? ",bn" : "bn");
          if (spec->momentum != TS_BN_MOMENTUM)
            g_string_append_printf (s, ":momentum=%.7g", spec->momentum);
          if (spec->eps != TS_BN_EPS)
            g_string_append_printf (s, ":eps=%.7g", spec->eps);
          append_reuse_options (s, spec);
          continue;
        }
      g_string_append_printf (s, "%s%u", i ? "," : "", spec->units * width_factor);
      if (spec->activation != TS_INHERIT_ACTIVATION)
        g_string_append_printf (s, ":%s", ts_activation_name (spec->activation));
      append_reuse_options (s, spec);
    }
  return g_string_free (s, FALSE);
}

gboolean
ts_experiment_set (TsExperiment *exp, const char *key, const char *value, GError **error)
{
  const TsKeySpec *spec = _ts_experiment_find_key (key);
  double v;

  if (spec == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: unknown key", key);
      return FALSE;
    }
  if (spec->kind == K_LAYERS)
    return set_layers_from_text (exp, value, error);
  if (spec->kind == K_UINTS)
    return _ts_experiment_set_uints_text (spec, exp, value, error);
  if (spec->kind == K_STRING || spec->kind == K_ENUM)
    return _ts_experiment_set_string (spec, exp, value, error);
  if (!ts_parse_decimal (value, &v))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: must be a decimal number like 0.3 or 1e-4 (got \"%s\")",
                   key, value);
      return FALSE;
    }
  return _ts_experiment_set_number (spec, exp, v, value, error);
}

gboolean
ts_experiment_set_override (TsExperiment *exp, const char *text, GError **error)
{
  const char *eq = strchr (text, '=');
  g_autofree char *key = NULL;

  if (eq == NULL || eq == text)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "--set \"%s\": %s; expected KEY=VALUE, like train.lr=0.3", text,
                   eq ? "the key before '=' is empty" : "no '='");
      return FALSE;
    }
  key = g_strndup (text, (gsize) (eq - text));
  return ts_experiment_set (exp, key, eq + 1, error);
}

char *
ts_experiment_get_text (const TsExperiment *exp, const char *key)
{
  const TsKeySpec *spec = _ts_experiment_find_key (key);
  const char *field;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (spec != NULL, NULL);
  field = (const char *) exp + spec->offset;
  switch (spec->kind)
    {
    case K_STRING: return g_strdup (*(char *const *) field);
    case K_ENUM: return g_strdup (spec->choices[*(const int *) field]);
    case K_UINT: return g_strdup_printf ("%u", *(const guint *) field);
    case K_UINT64: return g_strdup_printf ("%" G_GUINT64_FORMAT, *(const guint64 *) field);
    case K_DOUBLE:
      {
        /* short for the eye, unless that would not set the same value back
         * (0.9999999 as "1" is out of momentum's range) */
        double v = *(const double *) field, back;
        g_ascii_formatd (buf, sizeof buf, "%.6g", v);
        if (!ts_parse_decimal (buf, &back) || back != v)
          g_ascii_formatd (buf, sizeof buf, "%.17g", v);
        return g_strdup (buf);
      }
    case K_UINTS: return _ts_experiment_uints_text (*(GArray *const *) field);
    case K_LAYERS:
      /* no hidden layer as the JSON form: an empty text is refused */
      return exp->model.layers->len ? ts_experiment_layers_text (exp, 1) : g_strdup ("[]");
    }
  return NULL;
}
