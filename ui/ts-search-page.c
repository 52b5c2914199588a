/* The Search page's form, table and scatter; running is in
 * ts-search-page-run.c. */
#include "ts-search-page-private.h"
#include "ts-figure.h"
#include "ts-io.h"
#include "ts-json.h"

#include <math.h>
#include <string.h>

G_DEFINE_FINAL_TYPE (TsSearchPage, ts_search_page, GTK_TYPE_WIDGET)

enum { SIGNAL_OPEN_TRIAL, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- the table ---------------------------------------------------------------------- */

static void
on_trial_clicked (GtkButton *button, TsSearchPage *self)
{
  guint trial = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "trial"));
  g_autoptr(GPtrArray) dirs = g_ptr_array_new ();

  for (guint f = 0; self->tasks && f < self->n_folds; f++)
    {
      TsSearchTask *task = self->tasks->pdata[trial * self->n_folds + f];
      if (g_file_test (task->dir, G_FILE_TEST_IS_DIR))
        g_ptr_array_add (dirs, task->dir);
    }
  g_ptr_array_add (dirs, NULL);
  g_signal_emit (self, signals[SIGNAL_OPEN_TRIAL], 0, trial, (char **) dirs->pdata);
}

static GtkWidget *
cell (GtkGrid *grid, int col, int row, const char *text, gboolean heading)
{
  GtkWidget *label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
  if (heading)
    gtk_widget_add_css_class (label, "heading");
  else
    gtk_widget_add_css_class (label, "numeric");
  gtk_grid_attach (grid, label, col, row, 1, 1);
  return label;
}

/* the grid for the search's tasks: its texts change in refresh */
static void
build_table (TsSearchPage *self)
{
  GtkWidget *child;
  guint dims = self->space->dims->len, col;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->table))) != NULL)
    gtk_grid_remove (self->table, child);
  g_ptr_array_set_size (self->cells, 0);
  cell (self->table, 0, 0, "Trial", TRUE);
  for (guint d = 0; d < dims; d++)
    cell (self->table, 1 + d, 0, ((TsSpaceDim *) self->space->dims->pdata[d])->key, TRUE);
  for (guint f = 0; f < self->n_folds; f++)
    {
      g_autofree char *name = g_strdup_printf ("Fold %u", f);
      cell (self->table, 1 + dims + f, 0, name, TRUE);
    }
  cell (self->table, 1 + dims + self->n_folds, 0, "CV accuracy", TRUE);
  cell (self->table, 2 + dims + self->n_folds, 0, "Seconds", TRUE);
  for (guint t = 0; t < self->n_trials; t++)
    {
      g_autofree char *name = g_strdup_printf ("Trial %u", t);
      GtkWidget *button = gtk_button_new_with_label (name);
      TsSearchTask *first = self->tasks->pdata[t * self->n_folds];

      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, "Open this trial's fold runs in the sidebar");
      g_object_set_data (G_OBJECT (button), "trial", GUINT_TO_POINTER (t));
      g_signal_connect (button, "clicked", G_CALLBACK (on_trial_clicked), self);
      gtk_grid_attach (self->table, button, 0, 1 + t, 1, 1);
      for (guint d = 0; d < dims; d++)
        cell (self->table, 1 + d, 1 + t, first->values[d], FALSE);
      col = 1 + dims;
      for (guint f = 0; f < self->n_folds + 2; f++)
        g_ptr_array_add (self->cells, cell (self->table, col + f, 1 + t, "", FALSE));
    }
}

char *
ts_search_page_dup_task_state (TsSearchPage *self, guint trial, guint fold)
{
  TsTaskView *v;
  g_autoptr(GString) text = NULL;

  if (self->views == NULL || trial >= self->n_trials || fold >= self->n_folds)
    return NULL;
  v = &self->views[trial * self->n_folds + fold];
  text = g_string_new (v->state ? v->state : "pending");
  if (v->attempt > 1)
    g_string_append_printf (text, " · retry %u", v->attempt - 1);
  if (isfinite (v->val_acc))
    g_string_append_printf (text, " · %.1f%%", 100 * v->val_acc);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* the scatter's points for the chosen key (not in the draw: it only paints) */
static void
update_points (TsSearchPage *self)
{
  JsonArray *trials;

  self->n_points = 0;
  if (self->result == NULL || self->space == NULL || self->shown_dim >= self->space->dims->len)
    return;
  trials = json_object_get_array_member (json_node_get_object (self->result), "trials");
  g_free (self->points);
  self->points = g_new (TsSearchPoint, MAX (json_array_get_length (trials), 1));
  self->n_points = ts_search_key_points (self->space->dims->pdata[self->shown_dim], self->result, self->points);
}

void
_ts_search_page_refresh (TsSearchPage *self)
{
  JsonObject *root = self->result ? json_node_get_object (self->result) : NULL;
  JsonArray *trials = root ? json_object_get_array_member (root, "trials") : NULL;
  guint per = self->n_folds + 2;

  for (guint t = 0; self->views && t < self->n_trials && (t + 1) * per <= self->cells->len; t++)
    {
      JsonObject *o = trials && t < json_array_get_length (trials) ? json_array_get_object_element (trials, t) : NULL;
      double mean = o ? ts_json_number (o, "cv_mean") : NAN, std = o ? ts_json_number (o, "cv_std") : NAN;
      double seconds = 0;
      g_autofree char *cv = NULL, *secs = NULL;

      for (guint f = 0; f < self->n_folds; f++)
        {
          g_autofree char *text = ts_search_page_dup_task_state (self, t, f);
          gtk_label_set_text (self->cells->pdata[t * per + f], text);
          seconds += isfinite (self->views[t * self->n_folds + f].seconds) ? self->views[t * self->n_folds + f].seconds
                                                                             : 0;
        }
      cv = isfinite (mean) ? g_strdup_printf ("%.2f ± %.2f%%", 100 * mean, isfinite (std) ? 100 * std : 0.0)
                           : g_strdup ("—");
      secs = seconds > 0 ? g_strdup_printf ("%.1f", seconds) : g_strdup ("—");
      gtk_label_set_text (self->cells->pdata[t * per + self->n_folds], cv);
      gtk_label_set_text (self->cells->pdata[t * per + self->n_folds + 1], secs);
    }
  update_points (self);
  gtk_widget_queue_draw (self->scatter);
  gtk_widget_queue_draw (self->curves_figure);
}

/* ---- the scatter -------------------------------------------------------------------- */

static void
draw_scatter (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsSearchPage *self = data;
  g_autofree char *caption = NULL;

  if (self->space == NULL || self->shown_dim >= self->space->dims->len)
    {
      TsSearchPoint none[1] = { { 0, NAN, NAN } };
      TsSpaceDim dim = { (char *) "no search yet", TS_SPACE_UNIFORM, 0, 1, NULL };
      ts_search_draw_key (cr, width, height, style, &dim, none, 0, "Start a search to see its trials here");
      return;
    }
  caption = g_strdup_printf ("%s · %u trials × %u folds", self->exp->name, self->n_trials, self->n_folds);
  ts_search_draw_key (cr, width, height, style, self->space->dims->pdata[self->shown_dim], self->points,
                      self->n_points, caption);
}

static char *
scatter_csv (gpointer data)
{
  TsSearchPage *self = data;
  const TsSpaceDim *dim;
  GString *csv;

  if (self->space == NULL || self->n_points == 0)
    return NULL;
  dim = self->space->dims->pdata[self->shown_dim];
  csv = g_string_new (NULL);
  g_string_append_printf (csv, "%s,cv_mean,cv_std\n", dim->key);
  for (guint i = 0; i < self->n_points; i++)
    {
      const TsSearchPoint *p = &self->points[i];
      if (dim->choices)
        g_string_append_printf (csv, "%s", (char *) dim->choices->pdata[(guint) p->x]);
      else
        g_string_append_printf (csv, "%.9g", p->x);
      g_string_append_printf (csv, ",%.6f,%.6f\n", p->mean, p->std);
    }
  return g_string_free (csv, FALSE);
}

static void
draw_curves (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsSearchPage *self = data;
  g_autofree char *caption = self->exp ? g_strdup_printf ("%s · each trial's mean over %u folds", self->exp->name,
                                                          self->n_folds)
                                       : g_strdup ("Start a search to see its trials here");
  ts_search_curves_draw (cr, width, height, style, self->curves, caption);
}

void
ts_search_page_set_scatter_key (TsSearchPage *self, guint dim)
{
  self->shown_dim = dim;
  if (gtk_drop_down_get_selected (self->key_pick) != dim)
    gtk_drop_down_set_selected (self->key_pick, dim);
  update_points (self);
  gtk_widget_queue_draw (self->scatter);
}

static void
on_key_picked (TsSearchPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->key_pick);
  if (selected != GTK_INVALID_LIST_POSITION && selected != self->shown_dim)
    ts_search_page_set_scatter_key (self, selected);
}

static void
fill_key_pick (TsSearchPage *self)
{
  g_autoptr(GtkStringList) keys = gtk_string_list_new (NULL);
  for (guint d = 0; d < self->space->dims->len; d++)
    gtk_string_list_append (keys, ((TsSpaceDim *) self->space->dims->pdata[d])->key);
  self->shown_dim = 0;
  gtk_drop_down_set_model (self->key_pick, G_LIST_MODEL (keys));
  gtk_drop_down_set_selected (self->key_pick, 0);
}

/* ---- starting, stopping, resuming --------------------------------------------------- */

void
_ts_search_page_set_message (TsSearchPage *self, const char *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_text (self->message_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
}

void
_ts_search_page_update_buttons (TsSearchPage *self)
{
  gtk_widget_set_sensitive (self->start_button, !self->running);
  gtk_widget_set_sensitive (self->resume_button, !self->running);
  gtk_widget_set_sensitive (self->stop_button, self->running);
  _ts_search_page_update_top (self);
}

static char *
default_folder (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "search-%Y%m%d-%H%M%S");
  return g_build_filename (g_get_user_data_dir (), "trainscope", "searches", stamp, NULL);
}

gboolean
ts_search_page_start (TsSearchPage *self, const char *out, gboolean resume, GError **error)
{
  g_autoptr(TsExperiment) exp = ts_experiment_copy (self->base);
  g_autofree char *seed = g_strdup_printf ("%.0f", gtk_spin_button_get_value (self->seed));
  g_autofree char *epochs = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (self->epochs));
  g_autofree char *space_text = ts_search_page_dup_space (self);
  g_autoptr(TsSearchSpace) space = NULL;
  g_autoptr(JsonNode) space_json = NULL;
  GError *inner = NULL;

  if (self->running)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_BUSY, "a search is running; stop it first");
      return FALSE;
    }
  if (!ts_experiment_set (exp, "seed", seed, &inner) || !ts_experiment_set (exp, "train.epochs", epochs, &inner)
      || !ts_experiment_validate (exp, &inner)
      || (space = ts_search_space_from_json (space_text, "space.json", exp, &inner)) == NULL
      || (space_json = ts_json_parse (space_text, -1, "space.json", &inner)) == NULL)
    {
      _ts_search_page_set_message (self, inner->message);
      g_propagate_error (error, inner);
      return FALSE;
    }
  _ts_search_page_clear_run (self);
  g_clear_pointer (&self->exp, ts_experiment_free);
  g_clear_pointer (&self->space, ts_search_space_free);
  g_clear_pointer (&self->space_json, json_node_unref);
  g_free (self->out);
  self->exp = g_steal_pointer (&exp);
  self->space = g_steal_pointer (&space);
  self->space_json = g_steal_pointer (&space_json);
  self->n_trials = gtk_spin_button_get_value_as_int (self->trials);
  self->n_folds = gtk_spin_button_get_value_as_int (self->folds);
  self->out = g_strdup (out);
  gtk_editable_set_text (GTK_EDITABLE (self->folder), out);
  _ts_search_page_set_message (self, NULL);
  if (!_ts_search_page_run (self, resume, &inner))
    {
      _ts_search_page_set_message (self, inner->message);
      g_propagate_error (error, inner);
      _ts_search_page_clear_run (self);
      _ts_search_page_update_buttons (self);
      return FALSE;
    }
  fill_key_pick (self);
  build_table (self);
  _ts_search_page_refresh (self);
  return TRUE;
}

/* how many trials tasks.csv plans (one row per trial × fold) */
static guint
planned_trials (const char *out, guint folds)
{
  g_autofree char *path = g_build_filename (out, "tasks.csv", NULL);
  g_autofree char *text = NULL;
  guint rows = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  for (const char *p = text; *p; p++)
    rows += *p == '\n';
  return rows > 1 && folds ? (rows - 1) / folds : 0;
}

gboolean
ts_search_page_resume (TsSearchPage *self, const char *out, GError **error)
{
  g_autofree char *path = g_build_filename (out, "search-config.json", NULL);
  g_autoptr(JsonNode) config = NULL;
  g_autoptr(TsExperiment) exp = NULL;
  g_autofree char *space_text = NULL;
  JsonObject *o;
  guint folds, trials;
  GError *inner = NULL;

  if ((config = ts_json_load_file (path, &inner)) == NULL || !JSON_NODE_HOLDS_OBJECT (config)
      || !json_object_has_member (o = json_node_get_object (config), "experiment")
      || !json_object_has_member (o, "space") || !json_object_has_member (o, "folds"))
    {
      if (inner == NULL)
        inner = g_error_new (TS_ERROR, TS_ERROR_FORMAT, "%s: expected experiment, space and folds", path);
      goto fail;
    }
  if ((exp = ts_experiment_from_node (json_object_get_member (o, "experiment"), &inner)) == NULL)
    goto fail;
  folds = (guint) json_object_get_int_member (o, "folds");
  trials = planned_trials (out, folds);
  space_text = ts_json_to_string (json_object_get_member (o, "space"), FALSE);
  if (!ts_search_page_set_space (self, space_text, &inner))
    goto fail;
  ts_search_page_set_experiment (self, exp);
  ts_search_page_set_counts (self, trials ? trials : (guint) gtk_spin_button_get_value_as_int (self->trials), folds,
                             exp->train.epochs, exp->seed);
  return ts_search_page_start (self, out, TRUE, error);

fail:
  _ts_search_page_set_message (self, inner->message);
  g_propagate_error (error, inner);
  return FALSE;
}

void
ts_search_page_stop (TsSearchPage *self)
{
  _ts_search_page_stop (self);
}

static void
on_start (TsSearchPage *self)
{
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->folder));
  g_autofree char *out = *typed ? g_strdup (typed) : default_folder ();
  ts_search_page_start (self, out, FALSE, NULL);
}

static void
on_resume_response (GtkNativeDialog *dialog, int response, TsSearchPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path)
        ts_search_page_resume (self, path, NULL);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

/* a search folder (the CLI's or the window's), starting from the typed one */
static void
on_resume (TsSearchPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog
    = gtk_file_chooser_native_new ("Resume Search Folder", GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, "_Resume", "_Cancel");
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->folder));

  if (*typed)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (typed);
      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (dialog), folder, NULL);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_resume_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- the widget --------------------------------------------------------------------- */

void
ts_search_page_set_experiment (TsSearchPage *self, const TsExperiment *exp)
{
  g_autofree char *before = self->base ? ts_experiment_to_json (self->base) : NULL;
  g_autofree char *after = ts_experiment_to_json (exp);

  if (g_strcmp0 (before, after) == 0)
    return; /* the same: the epochs and seed typed stay */
  g_clear_pointer (&self->base, ts_experiment_free);
  self->base = ts_experiment_copy (exp);
  gtk_spin_button_set_value (self->epochs, exp->train.epochs);
  gtk_spin_button_set_value (self->seed, (double) exp->seed);
}

void
ts_search_page_set_counts (TsSearchPage *self, guint trials, guint folds, guint epochs, guint64 seed)
{
  gtk_spin_button_set_value (self->trials, trials);
  gtk_spin_button_set_value (self->folds, folds);
  gtk_spin_button_set_value (self->epochs, epochs);
  gtk_spin_button_set_value (self->seed, (double) seed);
}

static gboolean
backend_to_selected (GValue *value, GVariant *variant, gpointer data)
{
  g_value_set_uint (value, g_strcmp0 (g_variant_get_string (variant, NULL), "slurm") == 0);
  return TRUE;
}

static GVariant *
selected_to_backend (const GValue *value, const GVariantType *type, gpointer data)
{
  return g_variant_new_string (g_value_get_uint (value) == 1 ? "slurm" : "local");
}

void
ts_search_backend_bind (GSettings *settings, gpointer dropdown)
{
  g_settings_bind_with_mapping (settings, "search-backend", dropdown, "selected", G_SETTINGS_BIND_DEFAULT,
                                backend_to_selected, selected_to_backend, NULL, NULL);
}

void
ts_search_page_set_settings (TsSearchPage *self, GSettings *settings)
{
  g_set_object (&self->settings, settings);
  if (settings)
    ts_search_backend_bind (settings, self->backend);
}

gboolean
ts_search_page_is_running (TsSearchPage *self)
{
  return self->running;
}

const char *
ts_search_page_get_message (TsSearchPage *self)
{
  return self->message;
}

GtkWidget *
ts_search_page_get_scatter (TsSearchPage *self)
{
  return self->scatter;
}

GtkWidget *
ts_search_page_get_curves (TsSearchPage *self)
{
  return self->curves_figure;
}

GtkWidget *
ts_search_page_get_table (TsSearchPage *self)
{
  return GTK_WIDGET (self->table);
}

static GtkSpinButton *
count_spin (GtkGrid *grid, int col, const char *label, double lo, double hi, double value, const char *tip)
{
  GtkWidget *l = gtk_label_new (label), *spin = gtk_spin_button_new_with_range (lo, hi, 1);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_widget_add_css_class (l, "dim-label");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_widget_set_tooltip_text (spin, tip);
  gtk_grid_attach (grid, l, col, 0, 1, 1);
  gtk_grid_attach (grid, spin, col, 1, 1, 1);
  return GTK_SPIN_BUTTON (spin);
}

static GtkWidget *
heading (const char *text)
{
  GtkWidget *l = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_widget_add_css_class (l, "title-4");
  return l;
}

static void
build (TsSearchPage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12), *counts = gtk_grid_new ();
  GtkWidget *add = gtk_button_new_with_label ("Add Key");
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6), *frame, *pick_box;
  GtkWidget *folder_label = gtk_label_new ("Folder"), *backend_label = gtk_label_new ("Backend");
  const char *const backends[] = { "local", "slurm", NULL };

  gtk_widget_set_margin_start (box, 18), gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_top (box, 12), gtk_widget_set_margin_bottom (box, 18);
  gtk_box_append (GTK_BOX (box), heading ("Search space"));
  self->space_rows = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->space_rows, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->space_rows), "boxed-list");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->space_rows));
  gtk_widget_set_halign (add, GTK_ALIGN_START);
  g_signal_connect_swapped (add, "clicked", G_CALLBACK (_ts_search_page_add_empty_row), self);
  gtk_box_append (GTK_BOX (box), add);

  gtk_grid_set_column_spacing (GTK_GRID (counts), 12);
  gtk_grid_set_row_spacing (GTK_GRID (counts), 4);
  self->trials = count_spin (GTK_GRID (counts), 0, "Trials", 1, 100000, 8, "Trials drawn from the space");
  self->folds = count_spin (GTK_GRID (counts), 1, "Folds", 2, 100, 3, "Stratified folds of the training part");
  self->epochs = count_spin (GTK_GRID (counts), 2, "Epochs", 1, 100000, 20, "train.epochs of every run");
  self->seed = count_spin (GTK_GRID (counts), 3, "Seed", 0, 4294967295.0, 7, "The draws, the folds and the runs");
  gtk_label_set_xalign (GTK_LABEL (folder_label), 0);
  gtk_widget_add_css_class (folder_label, "dim-label");
  self->folder = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->folder, "a new folder under ~/.local/share/trainscope/searches");
  gtk_widget_set_hexpand (GTK_WIDGET (self->folder), TRUE);
  gtk_grid_attach (GTK_GRID (counts), folder_label, 4, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (counts), GTK_WIDGET (self->folder), 4, 1, 1, 1);
  gtk_label_set_xalign (GTK_LABEL (backend_label), 0);
  gtk_widget_add_css_class (backend_label, "dim-label");
  self->backend = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (backends));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->backend),
                               "Where the tasks run: here, one after another, or as a Slurm job array (partition, "
                               "parallelism and retries in Preferences)");
  gtk_grid_attach (GTK_GRID (counts), backend_label, 5, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (counts), GTK_WIDGET (self->backend), 5, 1, 1, 1);
  gtk_box_append (GTK_BOX (box), counts);

  self->start_button = gtk_button_new_with_label ("Start Search");
  gtk_widget_add_css_class (self->start_button, "suggested-action");
  self->stop_button = gtk_button_new_with_label ("Stop");
  self->resume_button = gtk_button_new_with_label ("Resume Folder…");
  gtk_widget_set_tooltip_text (self->resume_button, "Continue the search in the folder (made here or by "
                                                    "trainscope-cli search), skipping finished tasks");
  g_signal_connect_swapped (self->start_button, "clicked", G_CALLBACK (on_start), self);
  g_signal_connect_swapped (self->stop_button, "clicked", G_CALLBACK (ts_search_page_stop), self);
  g_signal_connect_swapped (self->resume_button, "clicked", G_CALLBACK (on_resume), self);
  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->progress), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->progress), GTK_ALIGN_CENTER);
  self->status = GTK_LABEL (gtk_label_new (""));
  gtk_widget_add_css_class (GTK_WIDGET (self->status), "dim-label");
  gtk_box_append (GTK_BOX (buttons), self->start_button);
  gtk_box_append (GTK_BOX (buttons), self->stop_button);
  gtk_box_append (GTK_BOX (buttons), self->resume_button);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->progress));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->status));
  gtk_box_append (GTK_BOX (box), buttons);
  self->message_label = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_wrap (self->message_label, TRUE);
  gtk_label_set_xalign (self->message_label, 0);
  gtk_label_set_selectable (self->message_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->message_label));
  gtk_box_append (GTK_BOX (box), _ts_search_page_build_top (self));

  gtk_box_append (GTK_BOX (box), heading ("Trials"));
  self->table = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_column_spacing (self->table, 18);
  gtk_grid_set_row_spacing (self->table, 2);
  frame = gtk_frame_new (NULL);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->table), 6);
  gtk_widget_set_margin_start (GTK_WIDGET (self->table), 6);
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (self->table));
  gtk_box_append (GTK_BOX (box), frame);

  pick_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (pick_box), heading ("CV accuracy against"));
  self->key_pick = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (gtk_string_list_new (NULL)), NULL));
  g_signal_connect_swapped (self->key_pick, "notify::selected", G_CALLBACK (on_key_picked), self);
  gtk_box_append (GTK_BOX (pick_box), GTK_WIDGET (self->key_pick));
  gtk_box_append (GTK_BOX (box), pick_box);
  self->scatter = ts_figure_new ("search", draw_scatter, scatter_csv, self);
  gtk_widget_set_size_request (self->scatter, -1, 360);
  gtk_box_append (GTK_BOX (box), self->scatter);
  gtk_box_append (GTK_BOX (box), heading ("Validation curves"));
  self->curves_figure = ts_figure_new ("search-curves", draw_curves, NULL, self);
  gtk_widget_set_size_request (self->curves_figure, -1, 320);
  gtk_box_append (GTK_BOX (box), self->curves_figure);

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), box);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
}

static void
ts_search_page_dispose (GObject *object)
{
  TsSearchPage *self = TS_SEARCH_PAGE (object);

  _ts_search_page_clear_run (self);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  G_OBJECT_CLASS (ts_search_page_parent_class)->dispose (object);
}

static void
ts_search_page_finalize (GObject *object)
{
  TsSearchPage *self = TS_SEARCH_PAGE (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->base, ts_experiment_free);
  g_clear_pointer (&self->exp, ts_experiment_free);
  g_clear_pointer (&self->space, ts_search_space_free);
  g_clear_pointer (&self->space_json, json_node_unref);
  g_clear_pointer (&self->cells, g_ptr_array_unref);
  g_free (self->out);
  g_free (self->message);
  G_OBJECT_CLASS (ts_search_page_parent_class)->finalize (object);
}

static void
ts_search_page_class_init (TsSearchPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_search_page_dispose;
  object_class->finalize = ts_search_page_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  /* (trial, its fold run folders that exist) */
  signals[SIGNAL_OPEN_TRIAL] = g_signal_new ("open-trial", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                             NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRV);
  _ts_search_page_install_top_signals (object_class);
}

static void
ts_search_page_init (TsSearchPage *self)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();

  self->cells = g_ptr_array_new ();
  build (self);
  ts_search_page_set_experiment (self, exp);
  _ts_search_page_add_row (self, "train.lr", TS_SPACE_LOG_UNIFORM, "0.01, 0.5");
  _ts_search_page_add_row (self, "model.activation", TS_SPACE_CHOICE, "relu, tanh");
  _ts_search_page_update_buttons (self);
}

GtkWidget *
ts_search_page_new (void)
{
  return g_object_new (TS_TYPE_SEARCH_PAGE, NULL);
}
