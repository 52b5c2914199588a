#include "ts-layer-list.h"

struct _TsLayerList {
  AdwPreferencesGroup parent_instance;

  GPtrArray *rows;     /* one AdwActionRow per layer */
  GtkWidget *add_row;  /* owned: it leaves and rejoins the group to stay last */
  GtkWidget *add_bn;   /* "Add Batch Norm": only after a dense layer */
  gboolean   editable;
  gboolean   loading;
};

G_DEFINE_FINAL_TYPE (TsLayerList, ts_layer_list, ADW_TYPE_PREFERENCES_GROUP)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* "model default", then every activation by name */
static GtkStringList *
activation_choices (void)
{
  GtkStringList *list = gtk_string_list_new ((const char *[]) { "model default", NULL });
  for (int a = 0; a < TS_N_USER_ACTIVATIONS; a++)
    gtk_string_list_append (list, ts_activation_name (a));
  return list;
}

static void
emit_changed (TsLayerList *self)
{
  if (!self->loading)
    g_signal_emit (self, signals[CHANGED], 0);
}

static void renumber (TsLayerList *self);

static void
on_remove (GtkButton *button, TsLayerList *self)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (button), "row");
  guint at;

  /* a dense layer takes its batchnorm with it: nothing would be left to normalise */
  if (g_ptr_array_find (self->rows, row, &at) && g_object_get_data (G_OBJECT (row), "batchnorm") == NULL
      && at + 1 < self->rows->len && g_object_get_data (G_OBJECT (self->rows->pdata[at + 1]), "batchnorm"))
    {
      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self), self->rows->pdata[at + 1]);
      g_ptr_array_remove_index (self->rows, at + 1);
    }
  adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self), row);
  g_ptr_array_remove (self->rows, row);
  renumber (self);
  emit_changed (self);
}

static gboolean
row_is_batchnorm (gpointer row)
{
  return g_object_get_data (G_OBJECT (row), "batchnorm") != NULL;
}

/* a batchnorm normalises the dense layer before it: one may follow the
 * last entry only when that is a dense layer */
static void
update_add_bn (TsLayerList *self)
{
  gboolean after_dense = self->rows->len > 0 && !row_is_batchnorm (self->rows->pdata[self->rows->len - 1]);
  gtk_widget_set_sensitive (self->add_bn, self->editable && after_dense);
}

static void
append_row (TsLayerList *self, GtkWidget *row)
{
  /* keep the add buttons last */
  adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self), self->add_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), self->add_row);
  g_ptr_array_add (self->rows, row);
  renumber (self);
}

static GtkWidget *
remove_button (TsLayerList *self, GtkWidget *row, const char *tooltip)
{
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_sensitive (remove, self->editable);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, tooltip);
  g_object_set_data (G_OBJECT (remove), "row", row);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove), self);
  return remove;
}

/* a batchnorm entry: its options kept as they came (the JSON or --set
 * text sets them), shown in the subtitle */
static GtkWidget *
add_batchnorm_row (TsLayerList *self, const TsLayerSpec *spec)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = g_strdup_printf ("normalises the layer above over the batch · momentum %g · eps %g%s",
                                               spec->momentum, spec->eps, spec->frozen ? " · frozen" : "");

  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove_button (self, row, "Remove this batch norm"));
  g_object_set_data_full (G_OBJECT (row), "batchnorm", g_memdup2 (spec, sizeof *spec), g_free);
  append_row (self, row);
  return row;
}

static GtkWidget *
add_layer_row (TsLayerList *self, const TsLayerSpec *spec)
{
  GtkWidget *row;
  GtkWidget *units = gtk_spin_button_new_with_range (1, 100000, 1);
  GtkWidget *act = gtk_drop_down_new (G_LIST_MODEL (activation_choices ()), NULL);
  GtkWidget *remove;

  if (spec->kind == TS_LAYER_BATCHNORM)
    return add_batchnorm_row (self, spec);
  row = adw_action_row_new ();
  remove = remove_button (self, row, "Remove this layer");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (units), spec->units);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (act), spec->activation == TS_INHERIT_ACTIVATION ? 0 : spec->activation + 1);
  for (GtkWidget *w = units; w; w = w == units ? act : w == act ? remove : NULL)
    {
      gtk_widget_set_valign (w, GTK_ALIGN_CENTER);
      gtk_widget_set_sensitive (w, self->editable);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), w);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (units), GTK_ACCESSIBLE_PROPERTY_LABEL, "Units", -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (act), GTK_ACCESSIBLE_PROPERTY_LABEL, "Activation", -1);
  g_object_set_data (G_OBJECT (row), "units", units);
  g_object_set_data (G_OBJECT (row), "activation", act);
  g_signal_connect_swapped (units, "value-changed", G_CALLBACK (emit_changed), self);
  g_signal_connect_swapped (act, "notify::selected", G_CALLBACK (emit_changed), self);
  append_row (self, row);
  return row;
}

static void
renumber (TsLayerList *self)
{
  guint dense = 0;

  for (guint i = 0; i < self->rows->len; i++)
    {
      g_autofree char *title = row_is_batchnorm (self->rows->pdata[i]) ? g_strdup ("Batch norm")
                                                                        : g_strdup_printf ("Hidden layer %u", ++dense);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->rows->pdata[i]), title);
    }
  update_add_bn (self);
}

static void
on_add (GtkButton *button, TsLayerList *self)
{
  TsLayerSpec spec = { 100, TS_INHERIT_ACTIVATION };
  /* as wide as the last dense layer */
  for (guint i = self->rows->len; i-- > 0;)
    if (!row_is_batchnorm (self->rows->pdata[i]))
      {
        spec.units = (guint) gtk_spin_button_get_value (g_object_get_data (self->rows->pdata[i], "units"));
        break;
      }
  add_layer_row (self, &spec);
  emit_changed (self);
}

static void
on_add_batchnorm (GtkButton *button, TsLayerList *self)
{
  TsLayerSpec spec = { 0, TS_INHERIT_ACTIVATION, TS_LAYER_BATCHNORM, TS_BN_MOMENTUM, TS_BN_EPS };
  add_batchnorm_row (self, &spec);
  emit_changed (self);
}

void
ts_layer_list_set_layers (TsLayerList *self, GArray *layers, gboolean editable)
{
  self->loading = TRUE;
  self->editable = editable;
  while (self->rows->len > 0)
    {
      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self), self->rows->pdata[0]);
      g_ptr_array_remove_index (self->rows, 0);
    }
  for (guint i = 0; i < layers->len; i++)
    add_layer_row (self, &g_array_index (layers, TsLayerSpec, i));
  gtk_widget_set_sensitive (self->add_row, editable);
  update_add_bn (self);
  self->loading = FALSE;
}

GArray *
ts_layer_list_get_layers (TsLayerList *self)
{
  GArray *layers = g_array_new (FALSE, FALSE, sizeof (TsLayerSpec));

  for (guint i = 0; i < self->rows->len; i++)
    {
      GObject *row = self->rows->pdata[i];
      guint act;
      TsLayerSpec spec;

      if (row_is_batchnorm (row))
        {
          g_array_append_vals (layers, g_object_get_data (row, "batchnorm"), 1);
          continue;
        }
      act = gtk_drop_down_get_selected (g_object_get_data (row, "activation"));
      spec = (TsLayerSpec) { (guint) gtk_spin_button_get_value (g_object_get_data (row, "units")),
                             act == 0 ? TS_INHERIT_ACTIVATION : (int) act - 1 };
      g_array_append_val (layers, spec);
    }
  return layers;
}

static void
ts_layer_list_finalize (GObject *object)
{
  g_ptr_array_unref (TS_LAYER_LIST (object)->rows);
  g_clear_object (&TS_LAYER_LIST (object)->add_row);
  G_OBJECT_CLASS (ts_layer_list_parent_class)->finalize (object);
}

static void
ts_layer_list_class_init (TsLayerListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_layer_list_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
ts_layer_list_init (TsLayerList *self)
{
  GtkWidget *add = gtk_button_new_with_label ("Add Layer");
  GtkWidget *add_bn = gtk_button_new_with_label ("Add Batch Norm");

  self->rows = g_ptr_array_new ();
  self->editable = TRUE;
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), "Hidden layers");
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                         "Dense layers from the input, each optionally batch-normalised; the output layer is added for the classes");
  self->add_row = g_object_ref_sink (adw_action_row_new ());
  gtk_widget_set_valign (add, GTK_ALIGN_CENTER);
  g_signal_connect (add, "clicked", G_CALLBACK (on_add), self);
  gtk_widget_set_valign (add_bn, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (add_bn, "Normalise the last dense layer over each batch (its activation follows)");
  g_signal_connect (add_bn, "clicked", G_CALLBACK (on_add_batchnorm), self);
  self->add_bn = add_bn;
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->add_row), add_bn);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->add_row), add);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), self->add_row);
}

GtkWidget *
ts_layer_list_new (void)
{
  return g_object_new (TS_TYPE_LAYER_LIST, NULL);
}
