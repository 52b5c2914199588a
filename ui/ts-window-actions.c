/* The window's commands: training control, files, exports, drops. */
#include "ts-window-private.h"

#include <string.h>

void
_ts_window_update_actions (TsWindow *self)
{
  TsRunState state = self->selected ? ts_run_get_state (self->selected) : TS_RUN_READY;
  gboolean active = state == TS_RUN_LOADING || state == TS_RUN_RUNNING || state == TS_RUN_PAUSED;
  gboolean queued = self->selected && ts_run_is_queued (self->selected);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.step", state == TS_RUN_RUNNING || state == TS_RUN_PAUSED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", active || queued);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.fork", self->selected != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.remove-run", self->selected != NULL && !active);
}

/* Start when ready (or again when over, as a new run); pause and resume. */
static void
start_pause (GtkWidget *widget, const char *name, GVariant *param)
{
  TsWindow *self = TS_WINDOW (widget);
  TsRun *run = self->selected;

  if (run == NULL)
    return;
  if (ts_run_state_is_final (ts_run_get_state (run)))
    run = ts_window_add_experiment (self, ts_run_get_experiment (run));
  switch (ts_run_get_state (run))
    {
    case TS_RUN_READY:
      if (!ts_run_is_queued (run))
        {
          ts_run_enqueue (run);
          _ts_window_dispatch_queue (self);
          ts_experiment_editor_set_experiment (TS_EXPERIMENT_EDITOR (self->editor), ts_run_get_experiment (run), FALSE);
        }
      break;
    case TS_RUN_RUNNING:
      ts_run_pause (run);
      break;
    case TS_RUN_PAUSED:
      ts_run_resume (run);
      break;
    default:
      break;
    }
}

static void
step (GtkWidget *widget, const char *name, GVariant *param)
{
  TsWindow *self = TS_WINDOW (widget);
  if (self->selected)
    ts_run_step (self->selected);
}

static void
stop (GtkWidget *widget, const char *name, GVariant *param)
{
  TsWindow *self = TS_WINDOW (widget);
  if (self->selected)
    ts_run_stop (self->selected);
}

/* a copy of the experiment, ready to change one setting and start */
static void
fork_run (GtkWidget *widget, const char *name, GVariant *param)
{
  TsWindow *self = TS_WINDOW (widget);
  g_autoptr(TsExperiment) exp = NULL;

  if (self->selected == NULL)
    return;
  exp = ts_experiment_copy (ts_run_get_experiment (self->selected));
  g_free (exp->name);
  exp->name = g_strdup_printf ("%s (fork)", ts_run_get_name (self->selected));
  ts_window_add_experiment (self, exp);
  adw_view_stack_set_visible_child_name (self->view_stack, "experiment");
}

static void
remove_run (GtkWidget *widget, const char *name, GVariant *param)
{
  TsWindow *self = TS_WINDOW (widget);
  guint position;

  if (self->selected == NULL || !g_list_store_find (self->runs, self->selected, &position))
    return;
  _ts_window_toast (self, "Removed “%s” from the list; its run folder is kept", ts_run_get_name (self->selected));
  g_list_store_remove (self->runs, position);
  g_clear_object (&self->selected);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->runs)) > 0)
    {
      g_autoptr(TsRun) next = g_list_model_get_item (G_LIST_MODEL (self->runs), MIN (position, g_list_model_get_n_items (G_LIST_MODEL (self->runs)) - 1));
      _ts_window_select (self, next);
    }
  _ts_window_update_actions (self);
}

static void
show_page (GtkWidget *widget, const char *name, GVariant *param)
{
  adw_view_stack_set_visible_child_name (TS_WINDOW (widget)->view_stack, g_variant_get_string (param, NULL));
}

/* ---- files ---------------------------------------------------------------- */

static void
on_open_response (GtkNativeDialog *dialog, int response, TsWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;
      if (!ts_window_open_path (self, path, &error))
        _ts_window_toast (self, "%s", error->message);
    }
  g_object_unref (dialog);
}

static void
open_dialog (TsWindow *self, const char *title, GtkFileChooserAction action)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, "_Open", "_Cancel");

  if (action == GTK_FILE_CHOOSER_ACTION_OPEN)
    {
      GtkFileFilter *filter = gtk_file_filter_new ();
      gtk_file_filter_set_name (filter, "Experiments (JSON)");
      gtk_file_filter_add_pattern (filter, "*.json");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
      g_object_unref (filter);
    }
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
open_experiment (GtkWidget *widget, const char *name, GVariant *param)
{
  open_dialog (TS_WINDOW (widget), "Open Experiment", GTK_FILE_CHOOSER_ACTION_OPEN);
}

static void
open_run (GtkWidget *widget, const char *name, GVariant *param)
{
  open_dialog (TS_WINDOW (widget), "Open Run Folder", GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
}

typedef void (*SaveFunc) (TsWindow *self, const char *path, const char *what, GError **error);

static void
on_save_response (GtkNativeDialog *dialog, int response, TsWindow *self)
{
  SaveFunc save = g_object_get_data (G_OBJECT (dialog), "save");
  const char *what = g_object_get_data (G_OBJECT (dialog), "what");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;
      const char *scale = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "scale");
      self->export_scale = scale ? g_ascii_strtod (scale, NULL) : 2;
      save (self, path, what, &error);
      if (error)
        _ts_window_toast (self, "%s", error->message);
      else
        _ts_window_toast (self, "Saved %s", path);
    }
  g_object_unref (dialog);
}

static void
save_dialog (TsWindow *self, const char *title, const char *suggested, SaveFunc save, const char *what)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                                              "_Save", "_Cancel");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  if (g_str_has_suffix (suggested, ".png"))
    gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (dialog), "scale", "Resolution",
                                 (const char *[]) { "1", "2", "4", NULL },
                                 (const char *[]) { "960×540 (96 dpi)", "1920×1080 (192 dpi)", "3840×2160 (384 dpi)", NULL });
  if (g_str_has_suffix (suggested, ".png"))
    gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (dialog), "scale", "2");
  g_object_set_data (G_OBJECT (dialog), "save", save);
  g_object_set_data_full (G_OBJECT (dialog), "what", g_strdup (what), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
write_experiment (TsWindow *self, const char *path, const char *what, GError **error)
{
  g_autofree char *json = ts_experiment_to_json (ts_experiment_editor_get_experiment (TS_EXPERIMENT_EDITOR (self->editor)));
  g_autofree char *text = g_strconcat (json, "\n", NULL);
  ts_write_file_atomic (path, text, strlen (text), error);
}

static void
save_experiment (GtkWidget *widget, const char *name, GVariant *param)
{
  save_dialog (TS_WINDOW (widget), "Save Experiment", "experiment.json", write_experiment, NULL);
}

/* ---- exports ---------------------------------------------------------------- */

static void
draw_plot (cairo_t *cr, double width, double height, gpointer data)
{
  ts_plot_view_draw (data, cr, width, height, FALSE);
}

static TsPlotView *
plot_named (TsWindow *self, const char *kind)
{
  for (int k = 0; k < 3; k++)
    if (g_str_has_prefix (kind, ts_run_plot_name (k)))
      return self->plots[k];
  return self->plots[0];
}

static void
write_export (TsWindow *self, const char *path, const char *what, GError **error)
{
  TsPlotView *view = plot_named (self, what);

  if (g_str_has_suffix (path, ".csv"))
    {
      g_autofree char *csv = ts_plot_view_csv (view);
      ts_write_file_atomic (path, csv, strlen (csv), error);
    }
  else
    ts_plot_save (draw_plot, view, 960, 540, self->export_scale > 0 ? self->export_scale : 2, path, error);
}

static void
export_plot (GtkWidget *widget, const char *name, GVariant *param)
{
  const char *target = g_variant_get_string (param, NULL);
  save_dialog (TS_WINDOW (widget), "Export Plot", target, write_export, target);
}

static void
copy_plot (GtkWidget *widget, const char *name, GVariant *param)
{
  TsWindow *self = TS_WINDOW (widget);
  TsPlotView *view = plot_named (self, g_variant_get_string (param, NULL));
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1920, 1080);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  cairo_scale (cr, 2, 2);
  ts_plot_view_draw (view, cr, 960, 540, FALSE);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  bytes = g_bytes_new (cairo_image_surface_get_data (surface),
                       (gsize) cairo_image_surface_get_stride (surface) * 1080);
  texture = gdk_memory_texture_new (1920, 1080, GDK_MEMORY_DEFAULT, bytes, cairo_image_surface_get_stride (surface));
  gdk_clipboard_set_texture (gtk_widget_get_clipboard (widget), texture);
  cairo_surface_destroy (surface);
  _ts_window_toast (self, "Copied the %s plot", g_variant_get_string (param, NULL));
}

/* ---- drops ------------------------------------------------------------------ */

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, TsWindow *self)
{
  GSList *files = g_value_get_boxed (value);

  for (GSList *l = files; l; l = l->next)
    {
      g_autofree char *path = g_file_get_path (l->data);
      g_autoptr(GError) error = NULL;
      if (path && !ts_window_open_path (self, path, &error))
        _ts_window_toast (self, "%s", error->message);
    }
  return files != NULL;
}

void
_ts_window_install_actions (TsWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.start-pause", NULL, start_pause);
  gtk_widget_class_install_action (widget_class, "win.step", NULL, step);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop);
  gtk_widget_class_install_action (widget_class, "win.fork", NULL, fork_run);
  gtk_widget_class_install_action (widget_class, "win.remove-run", NULL, remove_run);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_experiment);
  gtk_widget_class_install_action (widget_class, "win.open-run", NULL, open_run);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_experiment);
  gtk_widget_class_install_action (widget_class, "win.export", "s", export_plot);
  gtk_widget_class_install_action (widget_class, "win.copy-plot", "s", copy_plot);
  gtk_widget_class_install_action (widget_class, "win.page", "s", show_page);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.start-pause", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_bracketright, GDK_CONTROL_MASK, "win.step", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, GDK_CONTROL_MASK, "win.stop", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.fork", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", "s", "loss.png");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.page", "s", "training");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.page", "s", "data");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.page", "s", "initlab");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.page", "s", "advisor");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_5, GDK_ALT_MASK, "win.page", "s", "experiment");
}

void
_ts_window_install_drop_target (TsWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}
