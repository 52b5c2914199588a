#include "ts-experiment-editor.h"
#include "ts-layer-list.h"
#include "ts-pretrained-group.h"

#include <adwaita.h>
#include <string.h>

struct _TsExperimentEditor {
  GtkBox        parent_instance;

  GtkWidget    *banner;   /* why the rows are locked, or the last error */
  GtkWidget    *page;
  GtkWidget    *layers;   /* TsLayerList: model.layers */
  GtkWidget    *pretrained; /* TsPretrainedGroup: model.init_from, then reinit_head and freeze */
  GHashTable   *rows;     /* key → row */
  GtkStringList *source_labels; /* data.source's choices, as shown */
  GPtrArray    *source_values;  /* … and as set: "builtin:moons", or "?idx:" to ask for a path */
  TsExperiment *exp;
  char         *error;
  gboolean      loading;  /* filling rows: their signals are not edits */
  gboolean      valid;    /* the layer list as shown is the experiment's (else Start waits) */
  char         *data_source; /* the source whose loaded samples have data_shape */
  TsShape       data_shape;
  guint         data_classes;
};

G_DEFINE_FINAL_TYPE (TsExperimentEditor, ts_experiment_editor, GTK_TYPE_BOX)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

enum { PROP_0, PROP_VALID, N_PROPS };
static GParamSpec *properties[N_PROPS];

#define PRETRAINED_TITLE "Start from a pre-trained model"

static const struct {
  const char *prefix;
  const char *title;
} groups[] = {
  { "name", "Experiment" }, { "seed", "Experiment" },
  { "data.augment.", "Augmentation (images, training only)" },
  { "data.", "Data" },
  { "model.init_from", PRETRAINED_TITLE }, { "model.reinit_head", PRETRAINED_TITLE },
  { "model.freeze", PRETRAINED_TITLE },
  { "model.", "Model" },
  { "train.schedule.", "Learning-rate schedule" },
  { "train.", "Training" },
};

/* what each key is called on screen; the key is the row's subtitle */
static const struct {
  const char *key;
  const char *label;
} labels[] = {
  { "name", "Name" }, { "seed", "Random seed" },
  { "data.source", "Data source" }, { "data.samples", "Samples to generate" },
  { "data.classes", "Classes to generate" }, { "data.noise", "Noise" },
  { "data.limit", "Training samples used" }, { "data.val_fraction", "Validation share" },
  { "data.preprocess", "Preprocessing" }, { "data.pca_components", "PCA components kept" },
  { "data.whiten_epsilon", "Whitening ε" }, { "data.image_size", "Image size (folders)" },
  { "data.label_column", "Label column (CSV)" },
  { "data.augment.hflip", "Horizontal flip" }, { "data.augment.crop_pad", "Random crop padding" },
  { "data.augment.pad_mode", "Crop padding fill" }, { "data.augment.brightness", "Brightness jitter" },
  { "data.augment.contrast", "Contrast jitter" }, { "data.augment.saturation", "Saturation jitter" },
  { "data.augment.fancy_pca", "Fancy-PCA lighting" }, { "data.augment.erase", "Random erasing" },
  { "model.activation", "Activation" }, { "model.leaky_slope", "Leaky slope" },
  { "model.init", "Weight initialisation" }, { "model.init_scale", "Small-init σ" },
  { "model.dropout", "Dropout" },
  { "model.reinit_head", "Re-initialise the output _layer" }, { "model.freeze", "_Freeze the first N layers" },
  { "train.epochs", "Epochs" }, { "train.batch_size", "Batch size" }, { "train.optimizer", "Optimizer" },
  { "train.momentum", "Momentum" }, { "train.lr", "Learning rate" },
  { "train.schedule.type", "Decay" }, { "train.schedule.every_epochs", "Decay every (epochs)" },
  { "train.schedule.factor", "Decay factor" }, { "train.schedule.patience", "Plateau patience (epochs)" },
  { "train.schedule.warmup_epochs", "Warm-up (epochs)" },
  { "train.l2", "L2 penalty" }, { "train.l1", "L1 penalty" }, { "train.max_norm", "Max-norm" },
  { "train.loss", "Loss" },
};

static const char *
key_label (const char *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].key, key))
      return labels[i].label;
  return key;
}

/* "_Freeze the first N layers" as a screen reader says it */
static char *
without_mnemonic (const char *label)
{
  GString *s = g_string_new (NULL);

  for (const char *p = label; *p; p++)
    if (*p != '_')
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

/* data.source's choices: the generated sets, Fashion-MNIST when its package
 * is installed, then a file or folder chosen in a dialog ("?PREFIX") */
static const struct {
  const char *value;
  const char *label;
} sources[] = {
  { "builtin:spiral", "Spiral (2-D points)" }, { "builtin:circles", "Circles (2-D points)" },
  { "builtin:xor", "XOR (2-D points)" }, { "builtin:gaussians", "Gaussian blobs (2-D points)" },
  { "builtin:moons", "Moons (2-D points)" }, { "builtin:shapes", "Shapes (32×32 colour images)" },
  { "fashion-mnist", "Fashion-MNIST (28×28 greyscale)" },
  { "?idx:", "IDX folder (MNIST format)…" }, { "?cifar10:", "CIFAR-10 folder (binary version)…" },
  { "?cifar100:", "CIFAR-100 folder (binary version)…" }, { "?folder:", "Image folder, a sub-folder per class…" },
  { "?csv:", "CSV file…" },
};

static gboolean
fashion_mnist_installed (void)
{
  g_autofree char *probe = g_build_filename (TS_FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz", NULL);
  return g_file_test (probe, G_FILE_TEST_EXISTS);
}

/* the choices, with the current source first when it is a path ("folder: pets") */
static void
fill_source_choices (TsExperimentEditor *self, const char *current)
{
  gboolean listed = FALSE;

  gtk_string_list_splice (self->source_labels, 0, g_list_model_get_n_items (G_LIST_MODEL (self->source_labels)), NULL);
  g_ptr_array_set_size (self->source_values, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (sources); i++)
    listed |= g_str_equal (sources[i].value, current);
  if (!listed)
    {
      const char *colon = strchr (current, ':');
      g_autofree char *base = colon ? g_path_get_basename (colon + 1) : NULL;
      g_autofree char *label = colon ? g_strdup_printf ("%.*s: %s", (int) (colon - current), current, base)
                                     : g_strdup (current);
      gtk_string_list_append (self->source_labels, label);
      g_ptr_array_add (self->source_values, g_strdup (current));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      if (g_str_equal (sources[i].value, "fashion-mnist") && !fashion_mnist_installed ()
          && !g_str_equal (current, "fashion-mnist"))
        continue;
      gtk_string_list_append (self->source_labels, sources[i].label);
      g_ptr_array_add (self->source_values, g_strdup (sources[i].value));
    }
}

/* whether the source row shows that value already (then it is not refilled:
 * changing its model from its own ::notify::selected would loop) */
static gboolean
source_shown (TsExperimentEditor *self, const char *value)
{
  GtkWidget *row = g_hash_table_lookup (self->rows, "data.source");
  guint i = row ? adw_combo_row_get_selected (ADW_COMBO_ROW (row)) : GTK_INVALID_LIST_POSITION;

  return i < self->source_values->len && g_str_equal (self->source_values->pdata[i], value);
}

static const char *
group_title (const char *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (groups); i++)
    if (g_str_has_prefix (key, groups[i].prefix))
      return groups[i].title;
  return "Other";
}

static void update_visibility (TsExperimentEditor *self);
static TsExperiment *check_layers (TsExperimentEditor *self);
static void fill_row (TsExperimentEditor *self, const char *key, GtkWidget *row, gboolean editable);

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
  if (g_str_equal (key, "data.source") && row && !source_shown (self, text)) /* a path chosen, or set from outside */
    fill_row (self, key, row, TRUE);
  if (g_str_equal (key, "model.init_from"))
    ts_pretrained_group_set_init_from (TS_PRETRAINED_GROUP (self->pretrained), self->exp->model.init_from, TRUE);
  if (g_str_equal (key, "model.layers"))
    {
      self->loading = TRUE;
      ts_layer_list_set_layers (TS_LAYER_LIST (self->layers), self->exp->model.layers, TRUE);
      self->loading = FALSE;
    }
  update_visibility (self);
  ts_experiment_free (check_layers (self)); /* the source's shape may have changed */
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


static void
on_source_chosen (GtkNativeDialog *dialog, int response, TsExperimentEditor *self)
{
  const char *prefix = g_object_get_data (G_OBJECT (dialog), "prefix");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autofree char *source = g_strconcat (prefix, path, NULL);
      ts_experiment_editor_edit (self, "data.source", source);
    }
  /* shows what is set: the new source, or the old one when cancelled or refused */
  fill_row (self, "data.source", g_hash_table_lookup (self->rows, "data.source"), TRUE);
  g_object_unref (dialog);
  g_object_unref (self);
}

/* "?PREFIX": a file (csv) or folder (the others) from a dialog */
static void
ask_for_source (TsExperimentEditor *self, const char *prefix)
{
  gboolean file = g_str_equal (prefix, "csv:");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (
      file ? "Choose a CSV File" : "Choose a Data Folder", GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
      file ? GTK_FILE_CHOOSER_ACTION_OPEN : GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, "_Choose", "_Cancel");

  if (file)
    {
      GtkFileFilter *filter = gtk_file_filter_new ();
      gtk_file_filter_set_name (filter, "CSV files");
      gtk_file_filter_add_pattern (filter, "*.csv");
      gtk_file_filter_add_pattern (filter, "*.CSV");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
      g_object_unref (filter);
    }
  g_object_set_data_full (G_OBJECT (dialog), "prefix", g_strdup (prefix), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_source_chosen), g_object_ref (self));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
on_source_selected (AdwComboRow *row, GParamSpec *pspec, TsExperimentEditor *self)
{
  guint i = adw_combo_row_get_selected (row);
  const char *value;

  if (self->loading || i >= self->source_values->len)
    return;
  value = self->source_values->pdata[i];
  if (g_str_equal (value, self->exp->data.source))
    return;
  if (value[0] == '?')
    ask_for_source (self, value + 1);
  else
    ts_experiment_editor_edit (self, "data.source", value);
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
on_log_step (GtkButton *button, GtkWidget *entry)
{
  gboolean up = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "up"));
  double v = g_ascii_strtod (gtk_editable_get_text (GTK_EDITABLE (entry)), NULL);
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (text, sizeof text, "%.6g", ts_log_step (v, up));
  gtk_editable_set_text (GTK_EDITABLE (entry), text); /* ::changed validates and applies */
}

static void
add_log_buttons (GtkWidget *row, GtkWidget *entry)
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
      g_signal_connect (button, "clicked", G_CALLBACK (on_log_step), entry);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
}

static void
set_valid (TsExperimentEditor *self, gboolean valid)
{
  if (self->valid == valid)
    return;
  self->valid = valid;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
}

/* the input the net will see: from the loaded data when the window has
 * them for this source, else what the source's name tells */
static gboolean
input_shape (TsExperimentEditor *self, const TsExperiment *exp, TsShape *input)
{
  if (self->data_source && g_str_equal (self->data_source, exp->data.source))
    {
      ts_experiment_input_shape_from (exp, &self->data_shape, input);
      return TRUE;
    }
  return ts_experiment_input_shape (exp, input);
}

/* the classes the output layer will have: known from the source, or from its loaded data */
static guint
class_count (TsExperimentEditor *self, const TsExperiment *exp)
{
  guint n = ts_experiment_class_count (exp);

  if (n == 0 && self->data_source && g_str_equal (self->data_source, exp->data.source))
    n = self->data_classes;
  return n;
}

/* The experiment with the layers as the list shows them, checked, each
 * row's shape shown (an error on the row it names, else in the banner):
 * the new experiment, or NULL when it is refused (Start waits). */
static TsExperiment *
check_layers (TsExperimentEditor *self)
{
  g_autoptr(TsExperiment) next = ts_experiment_copy (self->exp);
  g_autoptr(GError) error = NULL;
  TsShape input;
  gboolean known, fits;

  g_array_unref (next->model.layers);
  next->model.layers = ts_layer_list_get_layers (TS_LAYER_LIST (self->layers));
  ts_experiment_validate (next, &error);
  known = input_shape (self, next, &input);
  fits = ts_layer_list_show_shapes (TS_LAYER_LIST (self->layers), next, known ? &input : NULL, error);
  /* a pre-trained model that does not fit is refused now, with the message the run would fail with */
  if (error == NULL && fits)
    fits = ts_pretrained_group_check (TS_PRETRAINED_GROUP (self->pretrained), next, known ? &input : NULL,
                                      class_count (self, next));
  else
    ts_pretrained_group_check (TS_PRETRAINED_GROUP (self->pretrained), NULL, NULL, 0);
  set_valid (self, error == NULL && fits);
  /* an error the list shows on a row is not repeated above */
  if (error && !g_str_has_prefix (error->message, "model.layers["))
    show_message (self, error->message, TRUE);
  else
    show_message (self, NULL, FALSE);
  return self->valid ? g_steal_pointer (&next) : NULL;
}

static void
on_layers_changed (TsExperimentEditor *self)
{
  TsExperiment *next;

  if (self->loading)
    return;
  next = check_layers (self);
  if (next == NULL)
    return;
  ts_experiment_free (self->exp);
  self->exp = next;
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_pretrained_chosen (TsExperimentEditor *self, const char *path)
{
  if (!self->loading)
    ts_experiment_editor_edit (self, "model.init_from", path);
}

void
ts_experiment_editor_set_runs (TsExperimentEditor *self, GListModel *runs)
{
  ts_pretrained_group_set_runs (TS_PRETRAINED_GROUP (self->pretrained), runs);
}

void
ts_experiment_editor_refresh_runs (TsExperimentEditor *self)
{
  ts_pretrained_group_refresh_runs (TS_PRETRAINED_GROUP (self->pretrained));
}

GtkWidget *
ts_experiment_editor_get_pretrained (TsExperimentEditor *self)
{
  return self->pretrained;
}

gboolean
ts_experiment_editor_is_valid (TsExperimentEditor *self)
{
  return self->valid;
}

void
ts_experiment_editor_set_data_shape (TsExperimentEditor *self, const char *source, const TsShape *shape,
                                     guint n_classes)
{
  g_clear_pointer (&self->data_source, g_free);
  if (source && shape)
    {
      self->data_source = g_strdup (source);
      self->data_shape = *shape;
      self->data_classes = n_classes;
    }
  ts_experiment_free (check_layers (self));
}

static GtkWidget *
make_row (TsExperimentEditor *self, const TsExperimentKeyDoc *doc)
{
  GtkWidget *row;
  const char *title = key_label (doc->key);
  g_autofree char *plain = without_mnemonic (title);

  if (g_str_equal (doc->key, "data.source"))
    {
      row = adw_combo_row_new ();
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (self->source_labels));
      g_signal_connect (row, "notify::selected", G_CALLBACK (on_source_selected), self);
    }
  else if (doc->choices)
    {
      row = adw_combo_row_new ();
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (gtk_string_list_new (doc->choices)));
      g_signal_connect (row, "notify::selected", G_CALLBACK (on_combo_selected), self);
    }
  else
    {
      GtkWidget *entry = gtk_entry_new ();
      row = adw_action_row_new ();
      gtk_widget_set_valign (entry, GTK_ALIGN_CENTER);
      gtk_editable_set_width_chars (GTK_EDITABLE (entry), g_str_equal (doc->key, "name") ? 28 : 12);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, plain, -1);
      g_object_set_data_full (G_OBJECT (entry), "key", g_strdup (doc->key), g_free);
      g_signal_connect (entry, "changed", G_CALLBACK (on_entry_changed), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), entry);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), entry);
      g_object_set_data (G_OBJECT (row), "entry", entry);
      if (g_strv_contains (log_keys, doc->key))
        add_log_buttons (row, entry);
    }
  g_object_set_data_full (G_OBJECT (row), "key", g_strdup (doc->key), g_free);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), strchr (title, '_') != NULL);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), doc->key);
  gtk_widget_set_tooltip_text (row, doc->doc);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, doc->doc, -1);
  return row;
}

/* rows that apply to one kind of source only */
static void
update_visibility (TsExperimentEditor *self)
{
  const char *source = self->exp->data.source;
  static const char *const builtin_only[] = { "data.samples", "data.classes", "data.noise" };
  GtkWidget *row;

  for (gsize i = 0; i < G_N_ELEMENTS (builtin_only); i++)
    if ((row = g_hash_table_lookup (self->rows, builtin_only[i])))
      gtk_widget_set_visible (row, g_str_has_prefix (source, "builtin:"));
  if ((row = g_hash_table_lookup (self->rows, "data.image_size")))
    gtk_widget_set_visible (row, g_str_has_prefix (source, "folder:"));
  if ((row = g_hash_table_lookup (self->rows, "data.label_column")))
    gtk_widget_set_visible (row, g_str_has_prefix (source, "csv:"));
}

static void
build_rows (TsExperimentEditor *self)
{
  guint n;
  const TsExperimentKeyDoc *docs = ts_experiment_key_docs (&n);
  GHashTable *by_title = g_hash_table_new (g_str_hash, g_str_equal);

  /* the pre-trained model's own group, its key's row its own (a choice of runs) */
  g_hash_table_insert (by_title, (gpointer) PRETRAINED_TITLE, self->pretrained);
  for (guint i = 0; i < n; i++)
    {
      const char *title = group_title (docs[i].key);
      if (g_str_equal (docs[i].key, "model.layers") || g_str_equal (docs[i].key, "model.init_from"))
        continue; /* their own groups of rows: self->layers, self->pretrained */
      AdwPreferencesGroup *group = g_hash_table_lookup (by_title, title);
      GtkWidget *row = make_row (self, &docs[i]);
      if (group == NULL)
        {
          group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
          adw_preferences_group_set_title (group, title);
          adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page), group);
          g_hash_table_insert (by_title, (gpointer) title, group);
          if (g_str_equal (title, "Model")) /* the model to start from and the layers after the model's settings */
            {
              adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page), ADW_PREFERENCES_GROUP (self->pretrained));
              adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page), ADW_PREFERENCES_GROUP (self->layers));
            }
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
  gboolean loading = self->loading;

  self->loading = TRUE;
  if (g_str_equal (key, "data.source"))
    {
      fill_source_choices (self, text);
      for (guint i = 0; i < self->source_values->len; i++)
        if (g_str_equal (self->source_values->pdata[i], text))
          adw_combo_row_set_selected (ADW_COMBO_ROW (row), i);
    }
  else if (ADW_IS_COMBO_ROW (row))
    {
      GListModel *model = adw_combo_row_get_model (ADW_COMBO_ROW (row));
      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), text) == 0)
          adw_combo_row_set_selected (ADW_COMBO_ROW (row), i);
    }
  else
    gtk_editable_set_text (g_object_get_data (G_OBJECT (row), "entry"), text);
  self->loading = loading;
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
  ts_pretrained_group_set_init_from (TS_PRETRAINED_GROUP (self->pretrained), self->exp->model.init_from, editable);
  self->loading = FALSE;
  update_visibility (self);
  show_message (self, NULL, FALSE);
  ts_experiment_free (check_layers (self));
  if (!editable)
    show_message (self, "This run has started: fork it (Ctrl+N) to try a change.", FALSE);
}

void
ts_experiment_editor_set_name (TsExperimentEditor *self, const char *name)
{
  GtkWidget *row = g_hash_table_lookup (self->rows, "name");

  if (g_strcmp0 (self->exp->name, name) == 0)
    return;
  g_free (self->exp->name);
  self->exp->name = g_strdup (name);
  fill_row (self, "name", row, gtk_widget_get_sensitive (row));
}

GtkWidget *
ts_experiment_editor_get_row (TsExperimentEditor *self, const char *key)
{
  return g_hash_table_lookup (self->rows, key);
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
  g_clear_object (&self->source_labels);
  g_clear_pointer (&self->source_values, g_ptr_array_unref);
  g_clear_pointer (&self->exp, ts_experiment_free);
  g_free (self->error);
  g_free (self->data_source);
  G_OBJECT_CLASS (ts_experiment_editor_parent_class)->finalize (object);
}

static void
ts_experiment_editor_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  if (id == PROP_VALID)
    g_value_set_boolean (value, TS_EXPERIMENT_EDITOR (object)->valid);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
}

static void
ts_experiment_editor_class_init (TsExperimentEditorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_experiment_editor_finalize;
  G_OBJECT_CLASS (klass)->get_property = ts_experiment_editor_get_property;
  properties[PROP_VALID] = g_param_spec_boolean ("valid", NULL, NULL, TRUE,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (G_OBJECT_CLASS (klass), N_PROPS, properties);
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
ts_experiment_editor_init (TsExperimentEditor *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->rows = g_hash_table_new (g_str_hash, g_str_equal);
  self->valid = TRUE;
  self->source_labels = gtk_string_list_new (NULL);
  self->source_values = g_ptr_array_new_with_free_func (g_free);
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
  self->pretrained = ts_pretrained_group_new ();
  g_signal_connect_swapped (self->pretrained, "chosen", G_CALLBACK (on_pretrained_chosen), self);
  build_rows (self);
  fill_row (self, "data.source", g_hash_table_lookup (self->rows, "data.source"), TRUE);
  update_visibility (self);
  g_signal_connect_swapped (self->layers, "changed", G_CALLBACK (on_layers_changed), self);
}

GtkWidget *
ts_experiment_editor_new (void)
{
  return g_object_new (TS_TYPE_EXPERIMENT_EDITOR, NULL);
}
