/* The window's commands: training control, files, exports, drops. */
#include "ts-export.h"
#include "ts-window-private.h"

#include <string.h>

/* a run over, its model written: one to fine-tune from */
static gboolean
has_model (TsRun *run)
{
  g_autofree char *model = NULL;

  if (!ts_run_state_is_final (ts_run_get_state (run)) || ts_run_get_run_dir (run) == NULL)
    return FALSE;
  model = g_build_filename (ts_run_get_run_dir (run), "model.safetensors", NULL);
  return g_file_test (model, G_FILE_TEST_IS_REGULAR);
}

void
_ts_window_update_actions (TsWindow *self)
{
  TsRunState state = self->selected ? ts_run_get_state (self->selected) : TS_RUN_READY;
  gboolean active = state == TS_RUN_LOADING || state == TS_RUN_RUNNING || state == TS_RUN_PAUSED;
  gboolean queued = self->selected && ts_run_is_queued (self->selected);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.step", state == TS_RUN_RUNNING || state == TS_RUN_PAUSED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", active || queued);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.lr-divide", state == TS_RUN_RUNNING || state == TS_RUN_PAUSED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.fork", self->selected != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.finetune", self->selected && has_model (self->selected));
  /* a run not yet started waits while its layer list shows a stack that is refused */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.start-pause",
                                 !(self->selected && state == TS_RUN_READY && !queued && self->editor
                                   && !ts_experiment_editor_is_valid (TS_EXPERIMENT_EDITOR (self->editor))));
  /* a seed goes with its group: removing the group's entry removes them all */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.remove-run", self->selected != NULL && !active
                                 && !ts_run_get_member_of (self->selected));
}

/* Start when ready (or again when over, as a new run); pause and resume. */
static void
start_pause (GtkWidget *widget, const char *name, GVariant *param)
{
  TsWindow *self = TS_WINDOW (widget);
  TsRun *run = self->selected;

  if (run == NULL || _ts_window_start_pause_group (self, run))
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
          ts_data_page_set_experiment (TS_DATA_PAGE (self->data_view), ts_run_get_experiment (run), FALSE);
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

/* the classic tip: when the loss stalls, divide the LR by 2 or 5 — now */
static void
lr_divide (GtkWidget *widget, const char *name, GVariant *param)
{
  TsWindow *self = TS_WINDOW (widget);
  TsProgress p;
  int factor = g_variant_get_int32 (param);

  if (self->selected == NULL || factor < 2)
    return;
  ts_run_get_progress (self->selected, &p);
  ts_run_divide_lr (self->selected, factor);
  _ts_window_toast (self, "Learning rate ÷%d: %.3g → %.3g from the next step", factor, p.base_lr,
                    p.base_lr / factor);
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
  _ts_window_fork (self, exp);
  adw_view_stack_set_visible_child_name (self->view_stack, "experiment");
}

/* "Fine-tune from this run": a new run of the same experiment that starts
 * from its model (model.init_from, the run folder), on the Experiment page
 * to change the data, lock layers and start */
static void
finetune_run (GtkWidget *widget, const char *name, GVariant *param)
{
  TsWindow *self = TS_WINDOW (widget);
  g_autoptr(TsExperiment) exp = NULL;
  TsRun *run;

  if (self->selected == NULL || !has_model (self->selected))
    return;
  exp = ts_experiment_copy (ts_run_get_experiment (self->selected));
  g_free (exp->model.init_from);
  exp->model.init_from = g_strdup (ts_run_get_run_dir (self->selected));
  g_free (exp->name);
  exp->name = g_strdup_printf ("%s · fine-tuned", ts_run_get_name (self->selected));
  run = ts_window_add_experiment (self, exp);
  ts_run_set_fork_parent (run, exp); /* its name follows what changes next */
  adw_view_stack_set_visible_child_name (self->view_stack, "experiment");
  _ts_window_toast (self, "“%s” starts from that run's model: change what differs, then Start", ts_run_get_name (run));
}

/* a built-in experiment (the CLI's EXAMPLE names), as a new unstarted run */
static void
add_example (GtkWidget *widget, const char *name, GVariant *param)
{
  TsWindow *self = TS_WINDOW (widget);
  g_autoptr(TsExperiment) exp = ts_experiment_new_example (g_variant_get_string (param, NULL));
  TsRun *run;

  if (exp == NULL)
    {
      _ts_window_toast (self, "No built-in example called “%s”", g_variant_get_string (param, NULL));
      return;
    }
  run = ts_window_add_experiment (self, exp);
  _ts_window_toast (self, "Added the example “%s”: press Start to train it", ts_run_get_name (run));
}

/* one item per example, labelled with its title, so the menu follows the table */
void
_ts_window_build_examples_menu (TsWindow *self)
{
  const char *const *names = ts_experiment_example_names ();

  for (int i = 0; names[i]; i++)
    {
      g_autoptr(TsExperiment) exp = ts_experiment_new_example (names[i]);
      g_autoptr(GMenuItem) item = g_menu_item_new (exp->name, NULL);
      g_menu_item_set_action_and_target (item, "win.example", "s", names[i]);
      g_menu_append_item (self->examples_menu, item);
    }
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
  _ts_window_remove_group_members (self, self->selected);
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

static gboolean
write_experiment (const char *path, double scale, gpointer data, GError **error)
{
  TsWindow *self = data;
  g_autofree char *json = ts_experiment_to_json (ts_experiment_editor_get_experiment (TS_EXPERIMENT_EDITOR (self->editor)));
  g_autofree char *text = g_strconcat (json, "\n", NULL);
  return ts_write_file_atomic (path, text, strlen (text), error);
}

static void
save_experiment (GtkWidget *widget, const char *name, GVariant *param)
{
  ts_export_ask (widget, "Save Experiment", "experiment.json", write_experiment, widget);
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

static gboolean
write_export (const char *path, double scale, gpointer data, GError **error)
{
  TsPlotView *view = data;

  if (g_str_has_suffix (path, ".csv"))
    {
      g_autofree char *csv = ts_plot_view_csv (view);
      return ts_write_file_atomic (path, csv, strlen (csv), error);
    }
  return ts_plot_save (draw_plot, view, 960, 540, scale, path, error);
}

static void
export_plot (GtkWidget *widget, const char *name, GVariant *param)
{
  const char *target = g_variant_get_string (param, NULL);
  ts_export_ask (widget, "Export Plot", target, write_export, plot_named (TS_WINDOW (widget), target));
}

static void
copy_plot (GtkWidget *widget, const char *name, GVariant *param)
{
  const char *what = g_variant_get_string (param, NULL);
  ts_export_copy (widget, draw_plot, plot_named (TS_WINDOW (widget), what), 960, 540, what);
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
  gtk_widget_class_install_action (widget_class, "win.lr-divide", "i", lr_divide);
  gtk_widget_class_install_action (widget_class, "win.fork", NULL, fork_run);
  gtk_widget_class_install_action (widget_class, "win.finetune", NULL, finetune_run);
  gtk_widget_class_install_action (widget_class, "win.remove-run", NULL, remove_run);
  gtk_widget_class_install_action (widget_class, "win.example", "s", add_example);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_experiment);
  gtk_widget_class_install_action (widget_class, "win.open-run", NULL, open_run);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_experiment);
  gtk_widget_class_install_action (widget_class, "win.export", "s", export_plot);
  gtk_widget_class_install_action (widget_class, "win.copy-plot", "s", copy_plot);
  gtk_widget_class_install_action (widget_class, "win.page", "s", show_page);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.start-pause", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_bracketright, GDK_CONTROL_MASK, "win.step", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, GDK_CONTROL_MASK, "win.stop", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "win.lr-divide", "i", 2);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.lr-divide", "i", 5);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.fork", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.finetune", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_N, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.finetune", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", "s", "loss.png");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.page", "s", "training");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.page", "s", "data");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.page", "s", "initlab");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.page", "s", "advisor");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_5, GDK_ALT_MASK, "win.page", "s", "experiment");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_6, GDK_ALT_MASK, "win.page", "s", "search");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_7, GDK_ALT_MASK, "win.page", "s", "ensemble");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_8, GDK_ALT_MASK, "win.page", "s", "transfer");
}

void
_ts_window_install_drop_target (TsWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}
