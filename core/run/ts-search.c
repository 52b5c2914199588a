#include "ts-json.h"
#include "ts-search.h"
#include "ts-error.h"
#include "ts-io.h"
#include "ts-rng.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static const char *const kind_names[] = { "log_uniform", "uniform", "int", "choice", NULL };

/* ---- the space -------------------------------------------------------------- */

static void
dim_free (TsSpaceDim *dim)
{
  g_free (dim->key);
  g_clear_pointer (&dim->choices, g_ptr_array_unref);
  g_free (dim);
}

void
ts_search_space_free (TsSearchSpace *space)
{
  if (space == NULL)
    return;
  g_ptr_array_unref (space->dims);
  g_free (space);
}

static char *
number_text (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (v == floor (v) && fabs (v) < 1e15)
    return g_strdup_printf ("%.0f", v);
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6g", v));
}

/* a choice as ts_experiment_set takes it: a string, a number, or a list of
 * numbers (512,256) */
static char *
choice_text (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);
      if (type == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE)
        return number_text (json_node_get_double (node));
      if (type == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);
      GString *s = g_string_new (NULL);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          g_autofree char *part = choice_text (json_array_get_element (a, i));
          if (part == NULL)
            {
              g_string_free (s, TRUE);
              return NULL;
            }
          g_string_append_printf (s, "%s%s", i ? "," : "", part);
        }
      return g_string_free (s, FALSE);
    }
  return NULL;
}

/* the base with key = value must be a valid experiment */
static gboolean
check_value (const char *name, const TsExperiment *base, const char *key, const char *value, GError **error)
{
  g_autoptr(TsExperiment) copy = ts_experiment_copy (base);
  GError *inner = NULL;

  if (!ts_experiment_set (copy, key, value, &inner) || !ts_experiment_validate (copy, &inner))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: %s: the value %s is not allowed: %s", name, key, value,
                   inner->message);
      g_error_free (inner);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_range (const char *name, const char *key, TsSpaceDim *dim, JsonNode *node, GError **error)
{
  JsonArray *a = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  JsonNode *lo = a && json_array_get_length (a) == 2 ? json_array_get_element (a, 0) : NULL;
  JsonNode *hi = a && json_array_get_length (a) == 2 ? json_array_get_element (a, 1) : NULL;
  gboolean numbers = lo && hi && JSON_NODE_HOLDS_VALUE (lo) && JSON_NODE_HOLDS_VALUE (hi)
                     && json_node_get_value_type (lo) != G_TYPE_STRING && json_node_get_value_type (hi) != G_TYPE_STRING
                     && json_node_get_value_type (lo) != G_TYPE_BOOLEAN && json_node_get_value_type (hi) != G_TYPE_BOOLEAN;

  if (!numbers)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: %s: %s must be [lo, hi], two numbers", name, key,
                   kind_names[dim->kind]);
      return FALSE;
    }
  dim->lo = json_node_get_double (lo);
  dim->hi = json_node_get_double (hi);
  if (!isfinite (dim->lo) || !isfinite (dim->hi) || (dim->kind == TS_SPACE_INT ? dim->lo > dim->hi : dim->lo >= dim->hi))
    {
      g_autofree char *l = number_text (dim->lo), *h = number_text (dim->hi);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: %s: the range [%s, %s] is empty or inverted", name, key, l, h);
      return FALSE;
    }
  if (dim->kind == TS_SPACE_LOG_UNIFORM && dim->lo <= 0)
    {
      g_autofree char *l = number_text (dim->lo);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: %s: log_uniform needs lo > 0 (got %s)", name, key, l);
      return FALSE;
    }
  if (dim->kind == TS_SPACE_INT && (dim->lo != floor (dim->lo) || dim->hi != floor (dim->hi)))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: %s: int needs whole numbers as ends", name, key);
      return FALSE;
    }
  return TRUE;
}

/* both ends, and a value inside (a fractional one for the continuous
 * kinds: a whole-number key wants int), must make a valid experiment */
static gboolean
check_range_values (const char *name, const TsExperiment *base, const TsSpaceDim *dim, GError **error)
{
  double inside = dim->kind == TS_SPACE_LOG_UNIFORM ? sqrt (dim->lo * dim->hi) * 1.0137
                  : dim->kind == TS_SPACE_UNIFORM   ? dim->lo + 0.37 * (dim->hi - dim->lo)
                                                    : floor ((dim->lo + dim->hi) / 2);
  double values[3] = { dim->lo, dim->hi, MIN (inside, dim->hi) };

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *text = number_text (values[i]);
      if (!check_value (name, base, dim->key, text, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_experiment_key (const char *key)
{
  guint n;
  const TsExperimentKeyDoc *docs = ts_experiment_key_docs (&n);

  for (guint i = 0; i < n; i++)
    if (strcmp (docs[i].key, key) == 0)
      return TRUE;
  return FALSE;
}

static TsSpaceDim *
parse_dim (const char *name, const TsExperiment *base, const char *key, JsonNode *node, GError **error)
{
  TsSpaceDim *dim = g_new0 (TsSpaceDim, 1);
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  g_autoptr(GList) members = o ? json_object_get_members (o) : NULL;
  int kind = -1;

  dim->key = g_strdup (key);
  if (!is_experiment_key (key))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: \"%s\": not an experiment key", name, key);
      goto fail;
    }
  if (members == NULL || members->next != NULL)
    goto bad_kind;
  for (int k = 0; kind_names[k]; k++)
    if (strcmp (members->data, kind_names[k]) == 0)
      kind = k;
  if (kind < 0)
    goto bad_kind;
  dim->kind = kind;
  node = json_object_get_member (o, members->data);
  if (dim->kind != TS_SPACE_CHOICE)
    {
      if (!parse_range (name, key, dim, node, error) || !check_range_values (name, base, dim, error))
        goto fail;
      return dim;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: %s: choice must be a non-empty list", name, key);
      goto fail;
    }
  dim->choices = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      char *text = choice_text (json_array_get_element (json_node_get_array (node), i));
      if (text == NULL)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: %s: choice %u must be a string, a number or a list "
                       "of numbers", name, key, i);
          goto fail;
        }
      g_ptr_array_add (dim->choices, text);
      if (!check_value (name, base, key, text, error))
        goto fail;
    }
  return dim;

bad_kind:
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
               "%s: %s: expected one of {\"log_uniform\": [lo, hi]}, {\"uniform\": [lo, hi]}, {\"int\": [lo, hi]}, "
               "{\"choice\": [...]}", name, key);
fail:
  dim_free (dim);
  return NULL;
}

TsSearchSpace *
ts_search_space_from_json (const char *json, const char *name, const TsExperiment *base, GError **error)
{
  g_autoptr(TsSearchSpace) space = g_new0 (TsSearchSpace, 1);
  g_autoptr(GList) members = NULL;
  g_autoptr(JsonNode) root = NULL;

  space->dims = g_ptr_array_new_with_free_func ((GDestroyNotify) dim_free);
  if ((root = ts_json_parse (json, -1, name, error)) == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: expected an object mapping experiment keys to ranges", name);
      return NULL;
    }
  members = json_object_get_members (json_node_get_object (root));
  if (members == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: the space has no keys", name);
      return NULL;
    }
  for (GList *l = members; l; l = l->next)
    {
      TsSpaceDim *dim = parse_dim (name, base, l->data, json_object_get_member (json_node_get_object (root), l->data),
                                   error);
      if (dim == NULL)
        return NULL;
      g_ptr_array_add (space->dims, dim);
    }
  return g_steal_pointer (&space);
}

TsSearchSpace *
ts_search_space_load (const char *path, const TsExperiment *base, GError **error)
{
  g_autofree char *text = NULL;
  gsize length;

  if (!ts_file_read_bounded (path, TS_JSON_MAX_BYTES, &text, &length, error))
    return NULL;
  return ts_search_space_from_json (text, path, base, error);
}

GStrv
ts_search_space_draw (const TsSearchSpace *space, guint64 seed, guint trial)
{
  GStrv values = g_new0 (char *, space->dims->len + 1);
  TsRng rng;

  ts_rng_init (&rng, seed, TS_STREAM_SEARCH + trial);
  for (guint d = 0; d < space->dims->len; d++)
    {
      const TsSpaceDim *dim = space->dims->pdata[d];
      double u = ts_rng_uniform_double (&rng);
      switch (dim->kind)
        {
        case TS_SPACE_LOG_UNIFORM:
          values[d] = number_text (exp (log (dim->lo) + u * (log (dim->hi) - log (dim->lo))));
          break;
        case TS_SPACE_UNIFORM:
          values[d] = number_text (dim->lo + u * (dim->hi - dim->lo));
          break;
        case TS_SPACE_INT:
          values[d] = number_text (dim->lo + MIN (floor (u * (dim->hi - dim->lo + 1)), dim->hi - dim->lo));
          break;
        case TS_SPACE_CHOICE:
          values[d] = g_strdup (dim->choices->pdata[MIN ((guint) (u * dim->choices->len), dim->choices->len - 1)]);
          break;
        }
    }
  return values;
}
