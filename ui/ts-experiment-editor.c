#include "ts-experiment-editor.h"
#include "ts-layer-list.h"

#include <adwaita.h>

struct _TsExperimentEditor {
  GtkBox        parent_instance;

  GtkWidget    *banner;   /* why the rows are locked, or the last error */
  GtkWidget    *page;
  GtkWidget    *layers;   /* TsLayerList: model.layers */
  GHashTable   *rows;     /* key → row */
  TsExperiment *exp;
  char         *error;
  gboolean      loading;  /* filling rows: their signals are not edits */
};

G_DEFINE_FINAL_TYPE (TsExperimentEditor, ts_experiment_editor, GTK_TYPE_BOX)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const struct {
  const char *prefix;
  const char *title;
} groups[] = {
  { "name", "Experiment" }, { "seed", "Experiment" },
  { "data.augment.", "Augmentation (images, training only)" },
  { "data.", "Data" },
  { "model.", "Model" },
  { "train.schedule.", "Learning-rate schedule" },
  { "train.", "Training" },
};

static const char *
group_title (const char *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (groups); i++)
    if (g_str_has_prefix (key, groups[i].prefix))
      return groups[i].title;
  return "Other";
}

static void
show_message (TsExperimentEditor *self, const char *message, gboolean error)
{
  gtk_label_set_text (GTK_LABEL (self->banner), message ? message : "");
  gtk_widget_set_visible (self->banner, message != NULL);
  if (error)
    gtk_widget_add_css_class (self->banner, "error");
  else
    gtk_widget_remove_css_class (self->banner, "error");
}

gboolean
ts_experiment_editor_edit (TsExperimentEditor *self, const char *key, const char *text)
{
  g_autoptr(TsExperiment) next = ts_experiment_copy (self->exp);
  g_autoptr(GError) error = NULL;
  GtkWidget *row = g_hash_table_lookup (self->rows, key);

  g_clear_pointer (&self->error, g_free);
  if (!ts_experiment_set (next, key, text, &error) || !ts_experiment_validate (next, &error))
    {
      self->error = g_strdup (error->message);
      show_message (self, self->error, TRUE);
      if (row)
        gtk_widget_add_css_class (row, "error");
      return FALSE;
    }
  if (row)
    gtk_widget_remove_css_class (row, "error");
  show_message (self, NULL, FALSE);
  ts_experiment_free (self->exp);
  self->exp = g_steal_pointer (&next);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

static void
on_entry_changed (GtkEditable *editable, TsExperimentEditor *self)
{
  if (!self->loading)
    ts_experiment_editor_edit (self, g_object_get_data (G_OBJECT (editable), "key"), gtk_editable_get_text (editable));
}

static void
on_combo_selected (AdwComboRow *row, GParamSpec *pspec, TsExperimentEditor *self)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (row);
  if (!self->loading && item)
    ts_experiment_editor_edit (self, g_object_get_data (G_OBJECT (row), "key"), gtk_string_object_get_string (item));
}

/* keys that live on a log scale: their rows step through 1, 3, 10, 30 … */
static const char *const log_keys[] = { "train.lr", "train.l2", "train.l1", "model.init_scale",
                                        "data.whiten_epsilon", NULL };

double
ts_log_step (double value, gboolean up)
{
  double decade, best = up ? G_MAXDOUBLE : 0;

  if (!(value > 0))
    return up ? 1e-4 : 0;
  decade = floor (log10 (value)) - 1;
  for (int k = 0; k < 4; k++, decade++)
    for (int m = 0; m < 2; m++)
      {
        double c = (m ? 3 : 1) * pow (10, decade);
        if (up && c > value * 1.0001 && c < best)
          best = c;
        if (!up && c < value * 0.9999 && c > best)
          best = c;
      }
  return best;
}

static void
on_log_step (GtkButton *button, GtkWidget *row)
{
  TsExperimentEditor *self = g_object_get_data (G_OBJECT (row), "editor");
  gboolean up = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "up"));
  double v = g_ascii_strtod (gtk_editable_get_text (GTK_EDITABLE (row)), NULL);
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (text, sizeof text, "%.6g", ts_log_step (v, up));
  gtk_editable_set_text (GTK_EDITABLE (row), text); /* ::changed validates and applies */
  (void) self;
}

static void
add_log_buttons (GtkWidget *row)
{
  const char *icons[] = { "go-down-symbolic", "go-up-symbolic" };
  const char *tips[] = { "Smaller, in 1–3–10 steps", "Larger, in 1–3–10 steps" };

  for (int up = 0; up <= 1; up++)
    {
      GtkWidget *button = gtk_button_new_from_icon_name (icons[up]);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, tips[up]);
      g_object_set_data (G_OBJECT (button), "up", GINT_TO_POINTER (up));
      g_signal_connect (button, "clicked", G_CALLBACK (on_log_step), row);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), button);
    }
}

static void
on_layers_changed (TsExperimentEditor *self)
{
  g_autoptr(TsExperiment) next = NULL;
  g_autoptr(GError) error = NULL;

  if (self->loading)
    return;
  next = ts_experiment_copy (self->exp);
  g_array_unref (next->model.layers);
  next->model.layers = ts_layer_list_get_layers (TS_LAYER_LIST (self->layers));
  if (!ts_experiment_validate (next, &error))
    {
      show_message (self, error->message, TRUE);
      return;
    }
  show_message (self, NULL, FALSE);
  ts_experiment_free (self->exp);
  self->exp = g_steal_pointer (&next);
  g_signal_emit (self, signals[CHANGED], 0);
}

static GtkWidget *
make_row (TsExperimentEditor *self, const TsExperimentKeyDoc *doc)
{
  GtkWidget *row;

  if (doc->choices)
    {
      row = adw_combo_row_new ();
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (gtk_string_list_new (doc->choices)));
      g_signal_connect (row, "notify::selected", G_CALLBACK (on_combo_selected), self);
    }
  else
    {
      row = adw_entry_row_new ();
      g_signal_connect (row, "changed", G_CALLBACK (on_entry_changed), self);
      g_object_set_data (G_OBJECT (row), "editor", self);
      if (g_strv_contains (log_keys, doc->key))
        add_log_buttons (row);
    }
  g_object_set_data_full (G_OBJECT (row), "key", g_strdup (doc->key), g_free);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), doc->key);
  gtk_widget_set_tooltip_text (row, doc->doc);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, doc->doc, -1);
  return row;
}

static void
build_rows (TsExperimentEditor *self)
{
  guint n;
  const TsExperimentKeyDoc *docs = ts_experiment_key_docs (&n);
  GHashTable *by_title = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n; i++)
    {
      const char *title = group_title (docs[i].key);
      if (g_str_equal (docs[i].key, "model.layers"))
        continue; /* its own group of rows: self->layers */
      AdwPreferencesGroup *group = g_hash_table_lookup (by_title, title);
      GtkWidget *row = make_row (self, &docs[i]);
      if (group == NULL)
        {
          group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
          adw_preferences_group_set_title (group, title);
          adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page), group);
          g_hash_table_insert (by_title, (gpointer) title, group);
          if (g_str_equal (title, "Model")) /* the layers right after the model's settings */
            adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page), ADW_PREFERENCES_GROUP (self->layers));
        }
      adw_preferences_group_add (group, row);
      g_hash_table_insert (self->rows, (gpointer) docs[i].key, row);
    }
  g_hash_table_unref (by_title);
}

static void
fill_row (TsExperimentEditor *self, const char *key, GtkWidget *row, gboolean editable)
{
  g_autofree char *text = ts_experiment_get_text (self->exp, key);

  if (ADW_IS_COMBO_ROW (row))
    {
      GListModel *model = adw_combo_row_get_model (ADW_COMBO_ROW (row));
      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), text) == 0)
          adw_combo_row_set_selected (ADW_COMBO_ROW (row), i);
    }
  else
    gtk_editable_set_text (GTK_EDITABLE (row), text);
  gtk_widget_remove_css_class (row, "error");
  gtk_widget_set_sensitive (row, editable);
}

void
ts_experiment_editor_set_experiment (TsExperimentEditor *self, const TsExperiment *exp, gboolean editable)
{
  GHashTableIter iter;
  gpointer key, row;

  g_clear_pointer (&self->exp, ts_experiment_free);
  self->exp = ts_experiment_copy (exp);
  self->loading = TRUE;
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &key, &row))
    fill_row (self, key, row, editable);
  ts_layer_list_set_layers (TS_LAYER_LIST (self->layers), self->exp->model.layers, editable);
  self->loading = FALSE;
  show_message (self, editable ? NULL : "This run has started: fork it (Ctrl+N) to try a change.", FALSE);
}

const TsExperiment *
ts_experiment_editor_get_experiment (TsExperimentEditor *self)
{
  return self->exp;
}

const char *
ts_experiment_editor_get_error (TsExperimentEditor *self)
{
  return self->error;
}

static void
ts_experiment_editor_finalize (GObject *object)
{
  TsExperimentEditor *self = TS_EXPERIMENT_EDITOR (object);

  g_hash_table_unref (self->rows);
  g_clear_pointer (&self->exp, ts_experiment_free);
  g_free (self->error);
  G_OBJECT_CLASS (ts_experiment_editor_parent_class)->finalize (object);
}

static void
ts_experiment_editor_class_init (TsExperimentEditorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_experiment_editor_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
ts_experiment_editor_init (TsExperimentEditor *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->rows = g_hash_table_new (g_str_hash, g_str_equal);
  self->banner = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->banner), TRUE);
  gtk_widget_set_margin_top (self->banner, 8);
  gtk_widget_set_margin_start (self->banner, 12);
  gtk_widget_set_margin_end (self->banner, 12);
  gtk_widget_set_visible (self->banner, FALSE);
  gtk_box_append (GTK_BOX (self), self->banner);
  self->page = adw_preferences_page_new ();
  gtk_widget_set_vexpand (self->page, TRUE);
  gtk_box_append (GTK_BOX (self), self->page);
  self->exp = ts_experiment_new_default ();
  self->layers = ts_layer_list_new ();
  build_rows (self);
  g_signal_connect_swapped (self->layers, "changed", G_CALLBACK (on_layers_changed), self);
}

GtkWidget *
ts_experiment_editor_new (void)
{
  return g_object_new (TS_TYPE_EXPERIMENT_EDITOR, NULL);
}
