/* model.layers as one line of text, for --set, the editor's row and an
 * advice's action — every kind, comma-separated:
 *
 *   512:tanh        dense: units, and the layer's own activation after a colon
 *   bn              a batch norm of the layer before (bn:momentum=0.2:eps=0.001:frozen)
 *   conv32x5        conv: 32 filters of 5×5, stride 1, no padding
 *   conv64x3/s2/p1:tanh   stride 2, one pixel of padding, tanh
 *   conv32x5/same   padding "same" (odd kernel, stride 1)
 *   maxpool2        pool: max over 2×2, stride 2 (the size unless /sN)
 *   avgpool3/s2     average over 3×3 at stride 2
 *   gap             global_avg_pool: [C,H,W] → [C]
 *
 * and the JSON form of the file (model.layers=[{"type":"conv",…}]); and
 * back, ts_experiment_layers_text giving the text that sets the same list. */
#include "ts-experiment-private.h"
#include "ts-error.h"
#include "ts-json.h"

#include <math.h>
#include <string.h>

#define LAYERS_FORMS \
  "unit counts like 512,256 or 512:tanh,bn,256 (bn: a batch norm), conv and pooling like " \
  "conv32x5/same,maxpool2,conv64x3/s2/p1:tanh,avgpool3/s2,gap, or [] for no hidden layer"
#define CONV_FORM "convFILTERSxKERNEL[/sSTRIDE][/pPADDING or /same][:ACTIVATION], like conv32x5 or conv64x3/s2/p1:tanh"
#define POOL_FORM "maxpoolSIZE or avgpoolSIZE[/sSTRIDE], like maxpool2 or avgpool3/s2"

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

/* a count in [lo, hi] spelled in decimal, or an error naming the entry's key */
static gboolean
parse_count (const char *text, int i, const char *key, guint lo, guint hi, guint *out, GError **error)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (text, 10, lo, hi, &v, NULL))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%d].%s: must be a whole number in [%u, %u] (got \"%s\")",
                   i, key, lo, hi, text);
      return FALSE;
    }
  *out = (guint) v;
  return TRUE;
}

static gboolean
parse_activation_text (const char *text, int i, TsLayerSpec *spec, GError **error)
{
  TsActivation act;

  if (!ts_activation_from_name (text, &act))
    {
      g_autofree char *list = _ts_experiment_choices_text (_ts_activation_names);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%d].activation: must be one of %s (got \"%s\")", i,
                   list, text);
      return FALSE;
    }
  spec->activation = act;
  return TRUE;
}

/* "bn", "bn:momentum=0.2:eps=0.001:frozen": a batchnorm entry */
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

      if (strcmp (field, "frozen") == 0)
        {
          spec->frozen = TRUE;
          continue;
        }
      if (g_str_has_prefix (field, "momentum=") || g_str_has_prefix (field, "eps="))
        v = g_ascii_strtod (strchr (field, '=') + 1, &end);
      if (end == NULL || end == strchr (field, '=') + 1 || *end != '\0')
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                       "model.layers[%d]: \"%s\" is not a batchnorm option; expected momentum=M, eps=E or frozen",
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

/* "/s2", "/p1", "/same" after a conv's or pool's size, each at most once
 * (a pool takes only the stride) */
static gboolean
parse_window_options (char **options, const char *entry, int i, TsLayerSpec *spec, GError **error)
{
  gboolean conv = spec->kind == TS_LAYER_CONV, seen_stride = FALSE, seen_padding = FALSE;

  for (int o = 0; options[o]; o++)
    {
      const char *opt = options[o];
      gboolean stride = opt[0] == 's' && g_ascii_isdigit (opt[1]);
      gboolean padding = conv && ((opt[0] == 'p' && g_ascii_isdigit (opt[1])) || strcmp (opt, "same") == 0);

      if ((!stride && !padding) || (stride && seen_stride) || (padding && seen_padding))
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                       "model.layers[%d]: \"/%s\" in \"%s\" is %s; expected %s", i, opt, entry,
                       stride || padding ? "given twice" : conv ? "not a conv option" : "not a pool option",
                       conv ? "/sSTRIDE, then /pPADDING or /same" : "/sSTRIDE");
          return FALSE;
        }
      if (stride && !parse_count (opt + 1, i, "stride", 1, TS_MAX_LAYER_WINDOW, &spec->stride, error))
        return FALSE;
      if (padding && strcmp (opt, "same") == 0)
        spec->padding = TS_PADDING_SAME;
      else if (padding)
        {
          guint p;
          if (!parse_count (opt + 1, i, "padding", 0, TS_MAX_LAYER_WINDOW, &p, error))
            return FALSE;
          spec->padding = (int) p;
        }
      seen_stride |= stride;
      seen_padding |= padding;
    }
  return TRUE;
}

/* "conv32x5", "conv64x3/s2/p1:tanh", "conv32x5/same" */
static gboolean
parse_conv_text (const char *entry, int i, TsLayerSpec *spec, GError **error)
{
  /* "conv" alone splits into nothing: an empty field instead */
  g_auto(GStrv) fields = g_strsplit (entry[4] ? entry + 4 : ":", ":", 2);
  g_auto(GStrv) parts = g_strsplit (fields[0][0] ? fields[0] : "/", "/", -1);
  const char *x = strchr (parts[0], 'x');
  g_autofree char *filters = x ? g_strndup (parts[0], (gsize) (x - parts[0])) : NULL;

  *spec = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION, TS_LAYER_CONV, .stride = 1 };
  if (x == NULL || filters[0] == '\0' || x[1] == '\0')
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%d]: \"%s\" is not a conv layer; expected %s", i,
                   entry, CONV_FORM);
      return FALSE;
    }
  if (!parse_count (filters, i, "filters", 1, TS_MAX_LAYER_UNITS, &spec->units, error)
      || !parse_count (x + 1, i, "kernel", 1, TS_MAX_LAYER_WINDOW, &spec->kernel, error)
      || !parse_window_options (parts + 1, entry, i, spec, error))
    return FALSE;
  return fields[1] == NULL || parse_activation_text (g_strstrip (fields[1]), i, spec, error);
}

/* "maxpool2", "avgpool3/s2" */
static gboolean
parse_pool_text (const char *entry, int i, TsLayerSpec *spec, GError **error)
{
  /* "maxpool" alone splits into nothing: an empty field instead */
  g_auto(GStrv) parts = g_strsplit (entry[7] ? entry + 7 : "/", "/", -1);

  *spec = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION, TS_LAYER_POOL,
                          .pool = entry[0] == 'm' ? TS_POOL_MAX : TS_POOL_AVG };
  if (strchr (entry, ':'))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "model.layers[%d]: \"%s\": a pool has no activation (it takes the maximum or the mean); expected %s",
                   i, entry, POOL_FORM);
      return FALSE;
    }
  if (parts[0][0] == '\0')
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%d]: \"%s\" is not a pool layer; expected %s", i,
                   entry, POOL_FORM);
      return FALSE;
    }
  if (!parse_count (parts[0], i, "size", 1, TS_MAX_LAYER_WINDOW, &spec->kernel, error)
      || !parse_window_options (parts + 1, entry, i, spec, error))
    return FALSE;
  if (spec->stride == 0)
    spec->stride = spec->kernel;
  return TRUE;
}

/* "512", "512:tanh" */
static gboolean
parse_dense_text (const char *entry, int i, TsLayerSpec *spec, GError **error)
{
  g_auto(GStrv) fields = g_strsplit (entry, ":", 2);
  guint64 units;

  *spec = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION };
  if (!g_ascii_string_to_unsigned (g_strstrip (fields[0]), 10, 1, TS_MAX_LAYER_UNITS, &units, NULL))
    {
      if (g_ascii_isalpha (fields[0][0]))
        g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%d]: \"%s\" is not a layer; expected %s", i,
                     entry, LAYERS_FORMS);
      else
        g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                     "model.layers[%d]: units must be a whole number in [1, %d] (got \"%s\"); expected %s", i,
                     TS_MAX_LAYER_UNITS, fields[0], LAYERS_FORMS);
      return FALSE;
    }
  spec->units = (guint) units;
  return fields[1] == NULL || parse_activation_text (g_strstrip (fields[1]), i, spec, error);
}

static gboolean
parse_entry (const char *entry, int i, TsLayerSpec *spec, GError **error)
{
  if (strcmp (entry, "bn") == 0 || g_str_has_prefix (entry, "bn:"))
    return parse_batchnorm_text (entry, i, spec, error);
  if (g_str_has_prefix (entry, "conv"))
    return parse_conv_text (entry, i, spec, error);
  if (g_str_has_prefix (entry, "maxpool") || g_str_has_prefix (entry, "avgpool"))
    return parse_pool_text (entry, i, spec, error);
  if (g_str_has_prefix (entry, "gap"))
    {
      *spec = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION, TS_LAYER_GLOBAL_AVG_POOL };
      if (strcmp (entry, "gap") == 0)
        return TRUE;
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "model.layers[%d]: \"%s\": gap (global_avg_pool) takes no size, stride or activation", i, entry);
      return FALSE;
    }
  return parse_dense_text (entry, i, spec, error);
}

gboolean
_ts_experiment_set_layers_text (TsExperiment *exp, const char *text, GError **error)
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
      TsLayerSpec spec;

      if (*g_strstrip (parts[i]) == '\0')
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%d]: empty entry in \"%s\"; expected %s", i,
                       text, LAYERS_FORMS);
          return FALSE;
        }
      if (!parse_entry (parts[i], i, &spec, error))
        return FALSE;
      g_array_append_val (layers, spec);
    }
  g_array_set_size (exp->model.layers, 0); /* only once all of it parsed: a bad text changes nothing */
  g_array_append_vals (exp->model.layers, layers->data, layers->len);
  return TRUE;
}

/* ---- text out ---------------------------------------------------------- */

static void
append_entry (GString *s, const TsLayerSpec *spec, guint width_factor)
{
  /* wider: more units and more filters, within the allowed range */
  guint64 units = MIN ((guint64) spec->units * width_factor, TS_MAX_LAYER_UNITS);

  switch (spec->kind)
    {
    case TS_LAYER_BATCHNORM:
      g_string_append (s, "bn");
      if (spec->momentum != TS_BN_MOMENTUM)
        g_string_append_printf (s, ":momentum=%.7g", spec->momentum);
      if (spec->eps != TS_BN_EPS)
        g_string_append_printf (s, ":eps=%.7g", spec->eps);
      if (spec->frozen)
        g_string_append (s, ":frozen");
      return;
    case TS_LAYER_POOL:
      g_string_append_printf (s, "%spool%u", _ts_pool_names[spec->pool], spec->kernel);
      if (spec->stride != spec->kernel)
        g_string_append_printf (s, "/s%u", spec->stride);
      return;
    case TS_LAYER_GLOBAL_AVG_POOL:
      g_string_append (s, "gap");
      return;
    case TS_LAYER_CONV:
      g_string_append_printf (s, "conv%" G_GUINT64_FORMAT "x%u", units, spec->kernel);
      if (spec->stride != 1)
        g_string_append_printf (s, "/s%u", spec->stride);
      if (spec->padding == TS_PADDING_SAME)
        g_string_append (s, "/same");
      else if (spec->padding > 0)
        g_string_append_printf (s, "/p%d", spec->padding);
      break;
    case TS_LAYER_DENSE:
    default:
      g_string_append_printf (s, "%" G_GUINT64_FORMAT, units);
      break;
    }
  if (spec->activation != TS_INHERIT_ACTIVATION)
    g_string_append_printf (s, ":%s", ts_activation_name (spec->activation));
}

char *
ts_experiment_layers_text (const TsExperiment *exp, guint width_factor)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < exp->model.layers->len; i++)
    {
      if (i)
        g_string_append_c (s, ',');
      append_entry (s, &g_array_index (exp->model.layers, TsLayerSpec, i), width_factor);
    }
  return g_string_free (s, FALSE);
}
