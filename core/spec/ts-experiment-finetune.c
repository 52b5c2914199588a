/* The keys of fine-tuning and of carving tasks from a source: the list
 * kind (data.class_subset, data.image_shape, data.resize) in its JSON and
 * text forms, model.freeze folded into the layers, and their cross-key
 * rules. */
#include "ts-experiment-private.h"
#include "ts-error.h"
#include "ts-json.h"

#include <math.h>
#include <string.h>

#define LIST_FORMS "a list like 5,6,7 or [5,6,7] (empty: off)"

static gboolean
check_entry (const TsKeySpec *spec, guint i, double v, const char *given, GArray *out, GError **error)
{
  guint value;

  if (!isfinite (v) || v != floor (v) || v < 0 || v > spec->max)
    {
      g_autofree char *got = given ? g_strdup (given) : g_strdup_printf ("%g", v);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s[%u]: must be a whole number in [0, %.0f] (got %s)", spec->key,
                   i, spec->max, got);
      return FALSE;
    }
  value = (guint) v;
  g_array_append_val (out, value);
  return TRUE;
}

/* the list replaces the key's only once every entry is good */
static void
take_list (const TsKeySpec *spec, TsExperiment *exp, GArray *values)
{
  GArray **field = (GArray **) ((char *) exp + spec->offset);
  g_array_unref (*field);
  *field = g_array_ref (values);
}

gboolean
_ts_experiment_set_uints_node (const TsKeySpec *spec, TsExperiment *exp, JsonNode *node, GError **error)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (guint));
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: must be an array of whole numbers, like [5,6,7]", spec->key);
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      GType type = JSON_NODE_HOLDS_VALUE (e) ? json_node_get_value_type (e) : G_TYPE_INVALID;

      if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s[%u]: must be a number", spec->key, i);
          return FALSE;
        }
      if (!check_entry (spec, i, json_node_get_double (e), NULL, values, error))
        return FALSE;
    }
  take_list (spec, exp, values);
  return TRUE;
}

gboolean
_ts_experiment_set_uints_text (const TsKeySpec *spec, TsExperiment *exp, const char *text, GError **error)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *inner = g_strstrip (g_strdup (text));
  g_auto(GStrv) parts = NULL;
  gsize len = strlen (inner);

  /* the JSON form, [5,6,7], is the text form in brackets */
  if (len >= 2 && inner[0] == '[' && inner[len - 1] == ']')
    {
      memmove (inner, inner + 1, len - 2);
      inner[len - 2] = '\0';
      g_strstrip (inner);
    }
  if (*inner != '\0')
    parts = g_strsplit (inner, ",", -1);
  for (guint i = 0; parts && parts[i]; i++)
    {
      const char *part = g_strstrip (parts[i]);
      double v;

      if (!ts_parse_decimal (part, &v))
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s[%u]: \"%s\" is not a number; expected %s", spec->key, i,
                       part, LIST_FORMS);
          return FALSE;
        }
      if (!check_entry (spec, i, v, part, values, error))
        return FALSE;
    }
  take_list (spec, exp, values);
  return TRUE;
}

char *
_ts_experiment_uints_text (const GArray *values)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < values->len; i++)
    g_string_append_printf (s, "%s%u", i ? "," : "", g_array_index (values, guint, i));
  return g_string_free (s, FALSE);
}

JsonNode *
_ts_experiment_uints_node (const GArray *values)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < values->len; i++)
    json_array_add_int_element (array, g_array_index (values, guint, i));
  json_node_take_array (node, array);
  return node;
}

/* ---- freezing ---------------------------------------------------------- */

gboolean
ts_experiment_layer_frozen (const TsExperiment *exp, guint layer)
{
  g_return_val_if_fail (layer < exp->model.layers->len, FALSE);
  return layer < exp->model.freeze || g_array_index (exp->model.layers, TsLayerSpec, layer).frozen;
}

static gboolean
starts_stage (const TsLayerSpec *spec)
{
  return spec->kind == TS_LAYER_DENSE || spec->kind == TS_LAYER_CONV;
}

GArray *
ts_experiment_layers_at_epoch (const TsExperiment *exp, guint epoch)
{
  GArray *layers = g_array_copy (exp->model.layers);
  guint stages_above = 0;

  for (guint i = 0; i < layers->len; i++)
    g_array_index (layers, TsLayerSpec, i).frozen = ts_experiment_layer_frozen (exp, i);
  if (exp->model.unfreeze_after == 0)
    return layers;
  /* fastai's recipe: the head alone first, then everything with rates
   * falling towards the input (Howard & Ruder 2018: ULMFiT's gradual
   * unfreezing and discriminative rates) */
  for (guint i = layers->len; i-- > 0;)
    {
      TsLayerSpec *spec = &g_array_index (layers, TsLayerSpec, i);
      if (epoch < exp->model.unfreeze_after)
        spec->frozen = TRUE;
      else
        spec->lr_scale = (float) (ts_layer_lr_scale (spec) * pow (exp->model.unfreeze_lr_decay, stages_above));
      if (starts_stage (spec))
        stages_above++;
    }
  return layers;
}

GArray *
ts_experiment_resolved_layers (const TsExperiment *exp)
{
  return ts_experiment_layers_at_epoch (exp, 0);
}

/* ---- cross-key rules --------------------------------------------------- */

static gboolean
check_length (const char *key, const GArray *values, guint want, const char *what, GError **error)
{
  if (values->len == 0 || values->len == want)
    return TRUE;
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: expected %u numbers, %s, or none (got %u)", key, want, what,
               values->len);
  return FALSE;
}

static gboolean
check_positive (const char *key, const GArray *values, GError **error)
{
  for (guint i = 0; i < values->len; i++)
    if (g_array_index (values, guint, i) == 0)
      {
        g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s[%u]: must be >= 1 (got 0)", key, i);
        return FALSE;
      }
  return TRUE;
}

static gboolean
validate_class_subset (const GArray *subset, GError **error)
{
  if (subset->len == 1)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "data.class_subset: one class (%u) is nothing to classify; keep at least two",
                   g_array_index (subset, guint, 0));
      return FALSE;
    }
  for (guint i = 0; i < subset->len; i++)
    for (guint j = 0; j < i; j++)
      if (g_array_index (subset, guint, i) == g_array_index (subset, guint, j))
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "data.class_subset[%u]: class %u is already data.class_subset[%u]",
                       i, g_array_index (subset, guint, i), j);
          return FALSE;
        }
  return TRUE;
}

static gboolean
validate_unfreeze (const TsExperiment *exp, GError **error)
{
  const TsModelSpec *m = &exp->model;
  gboolean any = FALSE;

  if (m->unfreeze_lr_decay > 1.0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "model.unfreeze_lr_decay: must be in (0, 1] (got %g); layers nearer the input learn slower",
                   m->unfreeze_lr_decay);
      return FALSE;
    }
  if (m->unfreeze_after == 0)
    return TRUE;
  if (m->unfreeze_after >= exp->train.epochs)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "model.unfreeze_after: %u is not less than train.epochs (%u), so the body would never unfreeze",
                   m->unfreeze_after, exp->train.epochs);
      return FALSE;
    }
  for (guint i = 0; i < m->layers->len; i++)
    {
      const TsLayerSpec *spec = &g_array_index (m->layers, TsLayerSpec, i);
      if (spec->kind != TS_LAYER_POOL && spec->kind != TS_LAYER_GLOBAL_AVG_POOL && !ts_experiment_layer_frozen (exp, i))
        any = TRUE;
    }
  if (!any)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "model.unfreeze_after: no entry of model.layers would unfreeze (model.freeze or \"trainable\": "
                   "false keeps every one with parameters frozen)");
      return FALSE;
    }
  return TRUE;
}

gboolean
_ts_experiment_validate_finetune (const TsExperiment *exp, GError **error)
{
  const TsDataSpec *d = &exp->data;

  if (exp->model.freeze > exp->model.layers->len)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "model.freeze: %u is more than model.layers holds (%u entries; the output layer always trains)",
                   exp->model.freeze, exp->model.layers->len);
      return FALSE;
    }
  if (!validate_unfreeze (exp, error) || !validate_class_subset (d->class_subset, error))
    return FALSE;
  if (!check_length ("data.image_shape", d->image_shape, 3, "[C,H,W]", error)
      || !check_positive ("data.image_shape", d->image_shape, error)
      || !check_length ("data.resize", d->resize, 2, "[H,W]", error) || !check_positive ("data.resize", d->resize, error))
    return FALSE;
  if (d->image_shape->len && !g_str_has_prefix (d->source, "csv:"))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "data.image_shape: only for csv: sources, whose rows do not say they are images (got source \"%s\")",
                   d->source);
      return FALSE;
    }
  return TRUE;
}
