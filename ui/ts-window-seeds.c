/* Seed groups and ensembles in the window: "Repeat with N seeds" (Ctrl+Shift+R),
 * a group folder (the window's or `trainscope-cli run --seeds`') as one
 * sidebar entry over its seeds, and the Ensemble page. */
#include "ts-ensemble-page.h"
#include "ts-seed-group.h"
#include "ts-window-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#define DEFAULT_SEEDS 3

/* the members go in first, then their entry above them: newest first, as
 * the sidebar lists runs, and the queue starts the lowest seed first */
static TsRun *
add_group (TsWindow *self, TsRun *entry)
{
  GPtrArray *members = ts_seed_group_get_members (TS_SEED_GROUP (ts_run_get_seed_group (entry)));

  for (guint i = 0; i < members->len; i++)
    _ts_window_add_run (self, members->pdata[i]);
  _ts_window_add_run (self, entry);
  return entry;
}

/* what a repeat repeats: a group's (or a seed's) base experiment, else the run's */
static TsExperiment *
experiment_to_repeat (TsRun *run)
{
  GObject *group = ts_run_get_seed_group (run) ? ts_run_get_seed_group (run) : ts_run_get_member_of (run);
  GPtrArray *members;
  g_autoptr(TsExperiment) exp = NULL;

  if (group == NULL)
    return ts_experiment_copy (ts_run_get_experiment (run));
  members = ts_seed_group_get_members (TS_SEED_GROUP (group));
  exp = ts_experiment_copy (ts_run_get_experiment (members->pdata[0]));
  {
    /* "NAME · seed 7" back to "NAME" */
    g_autofree char *suffix = g_strdup_printf (" · seed %" G_GUINT64_FORMAT, exp->seed);
    if (g_str_has_suffix (exp->name, suffix))
      exp->name[strlen (exp->name) - strlen (suffix)] = '\0';
  }
  return g_steal_pointer (&exp);
}

TsRun *
ts_window_repeat_with_seeds (TsWindow *self, guint n_seeds)
{
  g_autoptr(TsExperiment) exp = NULL;
  g_autoptr(TsRun) made = NULL;
  g_autofree char *root = _ts_window_runs_root ();
  g_autofree char *name = NULL, *dir = NULL;
  GPtrArray *members;
  TsRun *entry;

  if (self->selected == NULL || n_seeds == 0)
    return NULL;
  exp = experiment_to_repeat (self->selected);
  name = g_strconcat (ts_run_new_dir_name (exp), "-seeds", NULL);
  dir = g_build_filename (root, name, NULL);
  if (g_mkdir_with_parents (dir, 0777) != 0)
    {
      _ts_window_toast (self, "%s: cannot create the folder: %s", dir, g_strerror (errno));
      return NULL;
    }
  made = ts_seed_group_new (exp, n_seeds, dir, self->next_colour);
  entry = add_group (self, made);
  members = ts_seed_group_get_members (TS_SEED_GROUP (ts_run_get_seed_group (entry)));
  for (guint i = 0; i < members->len; i++)
    ts_run_enqueue (members->pdata[i]);
  _ts_window_remember_run (self, dir);
  _ts_window_select (self, entry);
  _ts_window_dispatch_queue (self);
  _ts_window_toast (self, "Training “%s” with %u seeds, one after another, into %s", exp->name, n_seeds, dir);
  return entry;
}

TsRun *
_ts_window_open_seed_group (TsWindow *self, const char *dir, gboolean select, GError **error)
{
  g_autoptr(TsRun) made = ts_seed_group_new_from_dir (dir, self->next_colour, error);
  TsRun *entry;

  if (made == NULL)
    return NULL;
  entry = add_group (self, made);
  if (select)
    {
      _ts_window_select (self, entry);
      _ts_window_remember_run (self, dir);
    }
  else
    ts_run_set_overlay (entry, FALSE); /* restored, as other recent runs are */
  return entry;
}

gboolean
_ts_window_start_pause_group (TsWindow *self, TsRun *run)
{
  GObject *group = ts_run_get_seed_group (run);
  TsRunState state = ts_run_get_state (run);

  if (group == NULL)
    return FALSE;
  if (ts_run_state_is_final (state))
    ts_window_repeat_with_seeds (self, ts_seed_group_get_members (TS_SEED_GROUP (group))->len);
  else if (state == TS_RUN_RUNNING || state == TS_RUN_LOADING)
    ts_run_pause (run);
  else if (state == TS_RUN_PAUSED)
    ts_run_resume (run);
  return TRUE; /* its seeds are queued already: nothing to start */
}

void
_ts_window_remove_group_members (TsWindow *self, TsRun *entry)
{
  GObject *group = entry ? ts_run_get_seed_group (entry) : NULL;
  GPtrArray *members;

  if (group == NULL)
    return;
  members = ts_seed_group_get_members (TS_SEED_GROUP (group));
  for (guint i = 0; i < members->len; i++)
    {
      guint position;
      if (g_list_store_find (self->runs, members->pdata[i], &position))
        g_list_store_remove (self->runs, position);
    }
}

/* ---- the dialog ------------------------------------------------------------------ */

static void
on_repeat_response (AdwMessageDialog *dialog, const char *response, TsWindow *self)
{
  GtkSpinButton *spin = g_object_get_data (G_OBJECT (dialog), "seeds");

  if (g_strcmp0 (response, "repeat") == 0)
    ts_window_repeat_with_seeds (self, (guint) gtk_spin_button_get_value_as_int (spin));
}

static void
repeat_seeds (GtkWidget *widget, const char *name, GVariant *param)
{
  TsWindow *self = TS_WINDOW (widget);
  g_autoptr(TsExperiment) exp = NULL;
  GtkWidget *dialog, *spin, *row;
  g_autofree char *body = NULL;

  if (self->selected == NULL)
    return;
  exp = experiment_to_repeat (self->selected);
  body = g_strdup_printf ("Train copies of “%s” that differ only in their seed (%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                          ", …), one after another, into one group folder. The sidebar shows them as one entry: "
                          "their mean curves with a ±1 std band.",
                          exp->name, exp->seed, exp->seed + 1);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), "Repeat with Seeds", body);
  spin = gtk_spin_button_new_with_range (2, 50, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), DEFAULT_SEEDS);
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_append (GTK_BOX (row), gtk_label_new_with_mnemonic ("_Seeds"));
  gtk_label_set_mnemonic_widget (GTK_LABEL (gtk_widget_get_first_child (row)), spin);
  gtk_box_append (GTK_BOX (row), spin);
  gtk_widget_set_halign (row, GTK_ALIGN_CENTER);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), row);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", "_Cancel", "repeat", "_Train", NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "repeat", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "repeat");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "seeds", spin);
  g_signal_connect (dialog, "response", G_CALLBACK (on_repeat_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_ts_window_install_seed_actions (TsWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.repeat-seeds", NULL, repeat_seeds);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.repeat-seeds",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_R, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.repeat-seeds",
                                       NULL);
}

/* ---- the run's menu: right-click on a row of the sidebar ----------------------------- */

static void
unparent_later (GtkPopover *popover)
{
  /* after the item's action has run */
  g_idle_add_once ((GSourceOnceFunc) gtk_widget_unparent, popover);
}

static void
on_row_secondary (GtkGestureClick *gesture, int n_press, double x, double y, TsWindow *self)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_y (self->run_list, (int) y);
  g_autoptr(GMenu) menu = g_menu_new ();
  GtkWidget *popover;
  double rx = 0, ry = 0;

  if (row == NULL)
    return;
  gtk_list_box_select_row (self->run_list, row);
  g_menu_append (menu, "Repeat With _Seeds…", "win.repeat-seeds");
  g_menu_append (menu, "_Fork", "win.fork");
  g_menu_append (menu, "Fine-_Tune From This Run", "win.finetune");
  g_menu_append (menu, "_Remove From List", "win.remove-run");
  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  gtk_widget_set_parent (popover, GTK_WIDGET (row));
  gtk_widget_translate_coordinates (GTK_WIDGET (self->run_list), GTK_WIDGET (row), x, y, &rx, &ry);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { (int) rx, (int) ry, 1, 1 });
  g_signal_connect (popover, "closed", G_CALLBACK (unparent_later), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

void
_ts_window_build_run_menu (TsWindow *self)
{
  GtkGesture *secondary = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (secondary), GDK_BUTTON_SECONDARY);
  g_signal_connect (secondary, "pressed", G_CALLBACK (on_row_secondary), self);
  gtk_widget_add_controller (GTK_WIDGET (self->run_list), GTK_EVENT_CONTROLLER (secondary));
}

/* ---- the Ensemble page --------------------------------------------------------------- */

void
_ts_window_build_ensemble_page (TsWindow *self)
{
  AdwViewStackPage *page;

  self->ensemble_page = ts_ensemble_page_new (G_LIST_MODEL (self->runs));
  page = adw_view_stack_add_titled (self->view_stack, self->ensemble_page, "ensemble", "Ensemble");
  adw_view_stack_page_set_icon_name (page, "network-workgroup-symbolic");
}

GtkWidget *
ts_window_get_ensemble_page (TsWindow *self)
{
  return self->ensemble_page;
}
