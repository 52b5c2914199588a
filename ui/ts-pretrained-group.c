#include "ts-pretrained-group.h"
#include "ts-run.h"

#include <stdio.h>
#include <string.h>

/* the tensors' lines shown at most: a deep model's rest is counted */
#define MAX_LAYER_LINES 12

struct _TsPretrainedGroup {
  AdwPreferencesGroup parent_instance;

  GtkWidget     *choice;   /* AdwComboRow: none, the finished runs, the chosen path, a dialog */
  GtkWidget     *clear;
  GtkWidget     *about;    /* what was chosen: its name, its source, its tensors */
  GtkWidget     *verdict;  /* whether it fits this experiment's model */
  GtkStringList *labels;
  GPtrArray     *values;   /* the choices as set: "" none, a path, "?file" / "?folder" to ask */
  GListModel    *runs;
  char          *init_from;
  char          *described; /* the path the about row describes */
  char          *verdict_text;
  gboolean       editable;
  gboolean       loading;   /* filling the choices: not a choice */
};

G_DEFINE_FINAL_TYPE (TsPretrainedGroup, ts_pretrained_group, ADW_TYPE_PREFERENCES_GROUP)

enum { CHOSEN, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- the choices ---------------------------------------------------------- */

/* a run that can be started from: over, with its model written */
static char *
finished_model_dir (TsRun *run)
{
  const char *dir = ts_run_get_run_dir (run);
  g_autofree char *model = NULL;

  if (dir == NULL || !ts_run_state_is_final (ts_run_get_state (run)))
    return NULL;
  model = g_build_filename (dir, "model.safetensors", NULL);
  return g_file_test (model, G_FILE_TEST_IS_REGULAR) ? g_strdup (dir) : NULL;
}

/* path names dir, or dir's model.safetensors */
static gboolean
same_model (const char *path, const char *dir)
{
  g_autofree char *model = g_build_filename (dir, "model.safetensors", NULL);
  return g_str_equal (path, dir) || g_str_equal (path, model);
}

/* "20261129-200245-parent-4596", as the window names its run folders →
 * "29 Nov 20:02:45"; NULL for a folder named otherwise */
static char *
folder_time (const char *folder)
{
  int y, mo, d, h, mi, sec;
  g_autoptr(GDateTime) t = NULL;

  if (sscanf (folder, "%4d%2d%2d-%2d%2d%2d", &y, &mo, &d, &h, &mi, &sec) != 6
      || (t = g_date_time_new_local (y, mo, d, h, mi, sec)) == NULL)
    return NULL;
  return g_date_time_format (t, "%-d %b %H:%M:%S");
}

static void
add_choice (TsPretrainedGroup *self, const char *label, const char *value)
{
  gtk_string_list_append (self->labels, label);
  g_ptr_array_add (self->values, g_strdup (value));
}

static void
fill_choices (TsPretrainedGroup *self)
{
  const char *current = self->init_from ? self->init_from : "";
  guint n = self->runs ? g_list_model_get_n_items (self->runs) : 0, selected = 0;
  gboolean listed = current[0] == '\0';
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal); /* name → finished runs of it */

  self->loading = TRUE;
  gtk_string_list_splice (self->labels, 0, g_list_model_get_n_items (G_LIST_MODEL (self->labels)), NULL);
  g_ptr_array_set_size (self->values, 0);

  /* runs of one name (a run trained again) are told apart by their folders */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (self->runs, i);
      g_autofree char *dir = finished_model_dir (run);
      if (dir)
        g_hash_table_insert (names, (gpointer) ts_run_get_name (run),
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (names, ts_run_get_name (run))) + 1));
    }
  add_choice (self, "None: start from the initialisation", "");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (self->runs, i);
      g_autofree char *dir = finished_model_dir (run);
      g_autofree char *label = NULL, *folder = NULL;

      if (dir == NULL)
        continue;
      folder = g_path_get_basename (dir);
      if (GPOINTER_TO_UINT (g_hash_table_lookup (names, ts_run_get_name (run))) > 1)
        {
          g_autofree char *when = folder_time (folder);
          label = g_strdup_printf ("Run: %s, %s", ts_run_get_name (run), when ? when : folder);
        }
      else
        label = g_strdup_printf ("Run: %s", ts_run_get_name (run));
      if (!listed && same_model (current, dir))
        {
          listed = TRUE;
          selected = self->values->len;
          add_choice (self, label, current); /* as set: the folder or its file */
        }
      else
        add_choice (self, label, dir);
    }
  if (!listed)
    {
      g_autofree char *base = g_path_get_basename (current);
      g_autofree char *label = g_strdup_printf ("%s: %s", g_file_test (current, G_FILE_TEST_IS_DIR) ? "Folder" : "File",
                                                base);
      selected = self->values->len;
      add_choice (self, label, current);
    }
  add_choice (self, "A .safetensors file…", "?file");
  add_choice (self, "A run folder…", "?folder");
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->choice), selected);
  self->loading = FALSE;
}

void
ts_pretrained_group_refresh_runs (TsPretrainedGroup *self)
{
  fill_choices (self);
}

static void
on_runs_changed (GListModel *runs, guint position, guint removed, guint added, TsPretrainedGroup *self)
{
  fill_choices (self);
}

void
ts_pretrained_group_set_runs (TsPretrainedGroup *self, GListModel *runs)
{
  if (self->runs)
    g_signal_handlers_disconnect_by_func (self->runs, on_runs_changed, self);
  g_set_object (&self->runs, runs);
  if (runs)
    g_signal_connect_object (runs, "items-changed", G_CALLBACK (on_runs_changed), self, 0);
  fill_choices (self);
}

/* ---- choosing ------------------------------------------------------------- */

static void
on_dialog_response (GtkNativeDialog *dialog, int response, TsPretrainedGroup *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      if (path)
        g_signal_emit (self, signals[CHOSEN], 0, path);
    }
  fill_choices (self); /* what is set: the new model, or the old one when cancelled */
  g_object_unref (dialog);
  g_object_unref (self);
}

/* a .safetensors file, or a run folder (its model.safetensors) */
static void
ask (TsPretrainedGroup *self, gboolean folder)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (
      folder ? "Choose a Run Folder" : "Choose a Pre-Trained Model", GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
      folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_OPEN, "_Choose", "_Cancel");
  g_autofree char *runs = g_build_filename (g_get_user_data_dir (), "trainscope", "runs", NULL);

  if (!folder)
    {
      GtkFileFilter *filter = gtk_file_filter_new ();
      gtk_file_filter_set_name (filter, "Models (safetensors)");
      gtk_file_filter_add_pattern (filter, "*.safetensors");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
      g_object_unref (filter);
    }
  /* where the window writes its runs: the likeliest place to look */
  if (g_file_test (runs, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) dir = g_file_new_for_path (runs);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), dir, NULL);
    }
  g_signal_connect (dialog, "response", G_CALLBACK (on_dialog_response), g_object_ref (self));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
on_choice_selected (AdwComboRow *row, GParamSpec *pspec, TsPretrainedGroup *self)
{
  guint i = adw_combo_row_get_selected (row);
  const char *value;

  if (self->loading || i >= self->values->len)
    return;
  value = self->values->pdata[i];
  if (g_str_equal (value, "?file") || g_str_equal (value, "?folder"))
    ask (self, g_str_equal (value, "?folder"));
  else if (g_strcmp0 (value, self->init_from) != 0)
    g_signal_emit (self, signals[CHOSEN], 0, value);
}

static void
on_clear (GtkButton *button, TsPretrainedGroup *self)
{
  g_signal_emit (self, signals[CHOSEN], 0, "");
}

/* ---- what was chosen ------------------------------------------------------ */

/* "layers.0: weight [100, 2] · bias [100]", a line a layer */
static char *
tensor_lines (TsSafetensors *st)
{
  g_auto(GStrv) names = ts_safetensors_names (st);
  GString *s = g_string_new (NULL);
  g_autofree char *layer = NULL;
  guint lines = 0, more = 0;

  for (guint i = 0; names[i]; i++)
    {
      const char *dot = g_str_has_prefix (names[i], "layers.") ? strchr (names[i] + 7, '.') : NULL;
      g_autofree char *prefix = NULL, *dims = NULL;
      TsShape shape;

      if (dot == NULL || !ts_safetensors_get_shape (st, names[i], &shape, NULL))
        continue; /* preprocess.*: not a layer's */
      prefix = g_strndup (names[i], dot - names[i]);
      dims = ts_shape_text_spaced (&shape);
      if (g_strcmp0 (prefix, layer) != 0)
        {
          g_free (layer);
          layer = g_strdup (prefix);
          if (lines++ >= MAX_LAYER_LINES)
            {
              more++;
              continue;
            }
          g_string_append_printf (s, "%s%s: %s %s", s->len ? "\n" : "", prefix, dot + 1, dims);
        }
      else if (lines <= MAX_LAYER_LINES)
        g_string_append_printf (s, " · %s %s", dot + 1, dims);
    }
  if (more)
    g_string_append_printf (s, "\n… and %u more layer%s", more, more == 1 ? "" : "s");
  if (s->len == 0)
    g_string_append (s, "no layers.* tensors");
  return g_string_free (s, FALSE);
}

/* its name and what it was trained on (its experiment, when the file has one) */
static char *
model_title (TsSafetensors *st, const char *path)
{
  const char *json = ts_safetensors_metadata (st, "experiment");
  g_autoptr(TsExperiment) parent = json ? ts_experiment_from_json (json, -1, NULL) : NULL;
  g_autofree char *base = g_path_get_basename (path);

  if (parent == NULL)
    return g_strdup_printf ("%s · no experiment inside (PyTorch-made?)", base);
  return g_strdup_printf ("“%s”, trained on %s", parent->name, parent->data.source);
}

static void
describe (TsPretrainedGroup *self)
{
  const char *path = self->init_from ? self->init_from : "";
  g_autofree char *file = NULL, *title = NULL, *lines = NULL;
  g_autoptr(TsSafetensors) st = NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (self->described, path) == 0)
    return;
  g_free (self->described);
  self->described = g_strdup (path);
  gtk_widget_set_visible (self->about, path[0] != '\0');
  if (path[0] == '\0')
    return;
  if ((file = ts_init_from_resolve (path, &error)) == NULL || (st = ts_safetensors_load (file, &error)) == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->about), "Cannot be read");
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->about), error->message);
      gtk_widget_add_css_class (self->about, "error");
      return;
    }
  gtk_widget_remove_css_class (self->about, "error");
  title = model_title (st, path);
  lines = tensor_lines (st);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->about), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->about), lines);
  gtk_widget_set_tooltip_text (self->about, file);
}

void
ts_pretrained_group_set_init_from (TsPretrainedGroup *self, const char *path, gboolean editable)
{
  guint i = adw_combo_row_get_selected (ADW_COMBO_ROW (self->choice));
  gboolean shown;

  path = path ? path : "";
  shown = i < self->values->len && g_str_equal (self->values->pdata[i], path);
  g_free (self->init_from);
  self->init_from = g_strdup (path);
  self->editable = editable;
  /* not refilled when it shows that choice already: changing the combo's
   * model from its own ::notify::selected would loop */
  if (!shown)
    fill_choices (self);
  gtk_widget_set_sensitive (self->choice, editable);
  gtk_widget_set_sensitive (self->clear, editable && path[0] != '\0');
  describe (self);
}

/* ---- the match ------------------------------------------------------------ */

static void
show_verdict (TsPretrainedGroup *self, const char *title, const char *text, gboolean error)
{
  g_free (self->verdict_text);
  self->verdict_text = g_strdup (text);
  gtk_widget_set_visible (self->verdict, title != NULL);
  if (title == NULL)
    return;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->verdict), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->verdict), text);
  if (error)
    gtk_widget_add_css_class (self->verdict, "error");
  else
    gtk_widget_remove_css_class (self->verdict, "error");
}

gboolean
ts_pretrained_group_check (TsPretrainedGroup *self, const TsExperiment *exp, const TsShape *input, guint n_classes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsInitReport) report = NULL;
  g_autofree char *text = NULL;
  TsNet *net;

  if (exp == NULL || exp->model.init_from[0] == '\0')
    {
      show_verdict (self, NULL, NULL, FALSE);
      return TRUE;
    }
  if (input == NULL || n_classes == 0)
    {
      show_verdict (self, "Checked once the data are loaded",
                    "The tensors are matched to this model when its input and classes are known", FALSE);
      return TRUE;
    }
  /* the net a run builds, loaded as a run loads it: the same message */
  net = ts_net_new_from_experiment (exp, input, n_classes, 1);
  report = ts_net_init_from (net, exp, &error);
  ts_net_free (net);
  if (report == NULL)
    {
      show_verdict (self, "Does not fit this model", error->message, TRUE);
      return FALSE;
    }
  text = g_strdup_printf ("%u tensor%s loaded by name and shape%s%s", report->loaded, report->loaded == 1 ? "" : "s",
                          report->head_reinitialised ? "; the output layer starts afresh" : "",
                          report->unused ? "; some of its tensors are left out" : "");
  show_verdict (self, "Fits this model", text, FALSE);
  return TRUE;
}

const char *
ts_pretrained_group_get_verdict (TsPretrainedGroup *self)
{
  return self->verdict_text;
}

GtkWidget *
ts_pretrained_group_get_choice_row (TsPretrainedGroup *self)
{
  return self->choice;
}

/* ---- the widget ----------------------------------------------------------- */

static void
ts_pretrained_group_finalize (GObject *object)
{
  TsPretrainedGroup *self = TS_PRETRAINED_GROUP (object);

  if (self->runs)
    g_signal_handlers_disconnect_by_func (self->runs, on_runs_changed, self);
  g_clear_object (&self->runs);
  g_clear_object (&self->labels);
  g_clear_pointer (&self->values, g_ptr_array_unref);
  g_free (self->init_from);
  g_free (self->described);
  g_free (self->verdict_text);
  G_OBJECT_CLASS (ts_pretrained_group_parent_class)->finalize (object);
}

static void
ts_pretrained_group_class_init (TsPretrainedGroupClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_pretrained_group_finalize;
  signals[CHOSEN] = g_signal_new ("chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static GtkWidget *
info_row (void)
{
  GtkWidget *row = adw_action_row_new ();

  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_set_visible (row, FALSE);
  return row;
}

static void
ts_pretrained_group_init (TsPretrainedGroup *self)
{
  self->labels = gtk_string_list_new (NULL);
  self->values = g_ptr_array_new_with_free_func (g_free);
  self->init_from = g_strdup ("");
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), "Start from a pre-trained model");
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                         "Fine-tuning: the weights of a finished run or a .safetensors file, matched "
                                         "tensor by tensor by name and shape; lock layers below to keep them as they are");

  self->choice = adw_combo_row_new ();
  adw_combo_row_set_model (ADW_COMBO_ROW (self->choice), G_LIST_MODEL (self->labels));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->choice), "_Pre-trained model");
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->choice), TRUE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->choice), "model.init_from");
  gtk_widget_set_tooltip_text (self->choice, "A finished run of the sidebar, or a model file or run folder you choose");
  g_signal_connect (self->choice, "notify::selected", G_CALLBACK (on_choice_selected), self);

  self->clear = gtk_button_new_from_icon_name ("edit-clear-symbolic");
  gtk_widget_set_valign (self->clear, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->clear, "flat");
  gtk_widget_set_tooltip_text (self->clear, "Start from the initialisation instead (clears model.init_from)");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->clear), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Clear the pre-trained model", -1);
  gtk_widget_set_sensitive (self->clear, FALSE);
  g_signal_connect (self->clear, "clicked", G_CALLBACK (on_clear), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->choice), self->clear);

  self->about = info_row ();
  self->verdict = info_row ();
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), self->choice);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), self->about);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), self->verdict);
  fill_choices (self);
}

GtkWidget *
ts_pretrained_group_new (void)
{
  return g_object_new (TS_TYPE_PRETRAINED_GROUP, NULL);
}
