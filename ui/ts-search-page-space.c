/* The Search page's space: one row per key (key, distribution, values),
 * turned into space.json's text for core's reader and back. */
#include "ts-search-page-private.h"
#include "ts-io.h"
#include "ts-json.h"

static const char *const kind_names[] = { "log_uniform", "uniform", "int", "choice", NULL };

/* ---- the space rows ----------------------------------------------------------------- */

static void
on_remove_row (GtkButton *button, TsSearchPage *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW);
  gtk_list_box_remove (self->space_rows, row);
}

void
_ts_search_page_add_row (TsSearchPage *self, const char *key, guint kind, const char *values)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *key_entry = gtk_entry_new (), *values_entry = gtk_entry_new ();
  GtkWidget *kinds = gtk_drop_down_new_from_strings (kind_names);
  GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");

  gtk_editable_set_text (GTK_EDITABLE (key_entry), key);
  gtk_entry_set_placeholder_text (GTK_ENTRY (key_entry), "experiment key, e.g. train.lr");
  gtk_widget_set_hexpand (key_entry, TRUE);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (kinds), kind);
  gtk_editable_set_text (GTK_EDITABLE (values_entry), values);
  gtk_entry_set_placeholder_text (GTK_ENTRY (values_entry), "lo, hi — or the choices, comma-separated");
  gtk_widget_set_hexpand (values_entry, TRUE);
  gtk_widget_set_tooltip_text (remove, "Remove this key");
  gtk_widget_add_css_class (remove, "flat");
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_row), self);
  gtk_box_append (GTK_BOX (box), key_entry);
  gtk_box_append (GTK_BOX (box), kinds);
  gtk_box_append (GTK_BOX (box), values_entry);
  gtk_box_append (GTK_BOX (box), remove);
  gtk_widget_set_margin_start (box, 6), gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 4), gtk_widget_set_margin_bottom (box, 4);
  g_object_set_data (G_OBJECT (box), "key", key_entry);
  g_object_set_data (G_OBJECT (box), "kind", kinds);
  g_object_set_data (G_OBJECT (box), "values", values_entry);
  gtk_list_box_append (self->space_rows, box);
}

void
_ts_search_page_add_empty_row (TsSearchPage *self)
{
  _ts_search_page_add_row (self, "", TS_SPACE_LOG_UNIFORM, "");
}

/* one value as JSON: a number, a list or true/false as written, else a string */
static JsonNode *
value_node (const char *text)
{
  g_autoptr(JsonNode) parsed = ts_json_parse (text, -1, "value", NULL);
  JsonNode *node;

  if (parsed && (JSON_NODE_HOLDS_ARRAY (parsed) || (JSON_NODE_HOLDS_VALUE (parsed))))
    return g_steal_pointer (&parsed);
  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (node, text);
  return node;
}

/* "a, [1,2], c": split at commas outside brackets */
static GPtrArray *
split_values (const char *text)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
  GString *part = g_string_new (NULL);
  int depth = 0;

  for (const char *p = text;; p++)
    {
      if (*p == '\0' || (*p == ',' && depth == 0))
        {
          char *item = g_strstrip (g_strdup (part->str));
          if (*item)
            g_ptr_array_add (parts, item);
          else
            g_free (item);
          g_string_truncate (part, 0);
          if (*p == '\0')
            break;
          continue;
        }
      depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
      g_string_append_c (part, *p);
    }
  g_string_free (part, TRUE);
  return parts;
}

char *
ts_search_page_dup_space (TsSearchPage *self)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *o = json_object_new ();

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->space_rows)); row;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
      const char *key = gtk_editable_get_text (GTK_EDITABLE (g_object_get_data (G_OBJECT (box), "key")));
      guint kind = gtk_drop_down_get_selected (g_object_get_data (G_OBJECT (box), "kind"));
      const char *values = gtk_editable_get_text (GTK_EDITABLE (g_object_get_data (G_OBJECT (box), "values")));
      g_autoptr(GPtrArray) parts = split_values (values);
      JsonObject *dim = json_object_new ();
      JsonArray *list = json_array_new ();
      g_autofree char *name = g_strstrip (g_strdup (key));

      for (guint i = 0; i < parts->len; i++)
        json_array_add_element (list, value_node (parts->pdata[i]));
      json_object_set_array_member (dim, kind_names[MIN (kind, 3)], list);
      json_object_set_object_member (o, name, dim);
    }
  json_node_take_object (root, o);
  return ts_json_to_string (root, TRUE);
}

static void
clear_rows (TsSearchPage *self)
{
  GtkWidget *row;
  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->space_rows))) != NULL)
    gtk_list_box_remove (self->space_rows, row);
}

/* a value as the row shows it: strings bare, the rest as JSON */
static char *
value_text (JsonNode *node)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      /* the shortest text that reads back as the same double: 0.3, not 0.29999999999999999 */
      double v = json_node_get_double (node);
      for (int digits = 6; digits <= 17; digits++)
        {
          g_autofree char *format = g_strdup_printf ("%%.%dg", digits);
          g_ascii_formatd (buf, sizeof buf, format, v);
          if (g_ascii_strtod (buf, NULL) == v)
            break;
        }
      return g_strdup (buf);
    }
  return ts_json_to_string (node, FALSE);
}

gboolean
ts_search_page_set_space (TsSearchPage *self, const char *json, GError **error)
{
  g_autoptr(JsonNode) root = ts_json_parse (json, -1, "space.json", error);
  g_autoptr(GList) members = NULL;
  JsonObject *o;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "space.json: expected an object mapping experiment keys to ranges");
      return FALSE;
    }
  o = json_node_get_object (root);
  clear_rows (self);
  members = json_object_get_members (o);
  for (GList *l = members; l; l = l->next)
    {
      JsonNode *dim = json_object_get_member (o, l->data);
      guint kind = 0;
      g_autoptr(GString) values = g_string_new (NULL);
      if (JSON_NODE_HOLDS_OBJECT (dim))
        for (guint k = 0; kind_names[k]; k++)
          if (json_object_has_member (json_node_get_object (dim), kind_names[k]))
            {
              JsonNode *list = json_object_get_member (json_node_get_object (dim), kind_names[k]);
              JsonArray *items = JSON_NODE_HOLDS_ARRAY (list) ? json_node_get_array (list) : NULL;
              kind = k;
              for (guint i = 0; items && i < json_array_get_length (items); i++)
                {
                  g_autofree char *text = value_text (json_array_get_element (items, i));
                  g_string_append_printf (values, "%s%s", i ? ", " : "", text);
                }
            }
      _ts_search_page_add_row (self, l->data, kind, values->str);
    }
  return TRUE;
}

