#include "ts-window-private.h"
#include "ts-run-row.h"
#include "ts-seed-group.h"

#include <math.h>

G_DEFINE_FINAL_TYPE (TsWindow, ts_window, ADW_TYPE_APPLICATION_WINDOW)

#define SCHEMA_ID "io.github.trainscope.Trainscope"
#define MAX_RECENT 20

char *
_ts_window_runs_root (void)
{
  return g_build_filename (g_get_user_data_dir (), "trainscope", "runs", NULL);
}

void
_ts_window_toast (TsWindow *self, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

gboolean
_ts_window_run_is_active (TsRun *run)
{
  TsRunState s = ts_run_get_state (run);

  if (ts_run_get_seed_group (run))
    return FALSE; /* a seed group's entry: its members take the slots */
  return s == TS_RUN_LOADING || s == TS_RUN_RUNNING || s == TS_RUN_PAUSED;
}

/* a run not started nor queued: its experiment can still change */
static gboolean
is_editable (TsRun *run)
{
  return ts_run_get_state (run) == TS_RUN_READY && !ts_run_is_queued (run) && !ts_run_get_seed_group (run);
}

/* ---- recent runs (GSettings) -------------------------------------------- */

static void
remember_run (TsWindow *self, const char *dir)
{
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) next = NULL;
  guint n = 1;

  if (self->settings == NULL || dir == NULL)
    return;
  old = g_settings_get_strv (self->settings, "recent-runs");
  g_strv_builder_add (b, dir);
  for (int i = 0; old[i] && n < MAX_RECENT; i++)
    if (g_strcmp0 (old[i], dir) != 0)
      g_strv_builder_add (b, old[i]), n++;
  next = g_strv_builder_end (b);
  g_settings_set_strv (self->settings, "recent-runs", (const char *const *) next);
}

void
_ts_window_remember_run (TsWindow *self, const char *dir)
{
  remember_run (self, dir);
}

/* unstarted experiments that differ from the built-in default */
static void
save_drafts (TsWindow *self)
{
  g_autoptr(TsExperiment) def = ts_experiment_new_default ();
  g_autofree char *default_json = ts_experiment_to_json (def);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) drafts = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->runs));

  if (self->settings == NULL)
    return;
  for (guint i = n; i-- > 0;) /* oldest first, as they will be added back */
    {
      g_autoptr(TsRun) run = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      g_autofree char *json = NULL;
      if (!is_editable (run))
        continue;
      json = ts_experiment_to_json (ts_run_get_experiment (run));
      if (g_strcmp0 (json, default_json) != 0)
        g_strv_builder_add (b, json);
    }
  drafts = g_strv_builder_end (b);
  g_settings_set_strv (self->settings, "draft-experiments", (const char *const *) drafts);
}

static void
restore_drafts (TsWindow *self)
{
  g_auto(GStrv) drafts = self->settings ? g_settings_get_strv (self->settings, "draft-experiments") : NULL;

  for (int i = 0; drafts && drafts[i]; i++)
    {
      g_autoptr(TsExperiment) exp = ts_experiment_from_json (drafts[i], -1, NULL);
      if (exp)
        {
          g_autoptr(TsRun) run = ts_run_new (exp, self->next_colour);
          _ts_window_add_run (self, run);
        }
    }
}

static void
restore_recent_runs (TsWindow *self)
{
  g_auto(GStrv) dirs = NULL;

  if (self->settings == NULL)
    return;
  dirs = g_settings_get_strv (self->settings, "recent-runs");
  for (int i = g_strv_length (dirs); i-- > 0;) /* oldest first, so the newest ends on top */
    {
      g_autoptr(TsRun) run = NULL;
      if (ts_seed_group_is_dir (dirs[i]))
        {
          _ts_window_open_seed_group (self, dirs[i], FALSE, NULL);
          continue;
        }
      run = ts_run_new_from_dir (dirs[i], self->next_colour, NULL);
      if (run)
        {
          ts_run_set_overlay (run, FALSE);
          _ts_window_add_run (self, run);
        }
    }
}

/* ---- the selected run ---------------------------------------------------- */

static void
update_header (TsWindow *self)
{
  g_autofree char *status = self->selected ? ts_run_status_text (self->selected) : NULL;
  TsRunState state = self->selected ? ts_run_get_state (self->selected) : TS_RUN_READY;
  gboolean running = state == TS_RUN_RUNNING || state == TS_RUN_LOADING;

  adw_window_title_set_title (self->window_title, self->selected ? ts_run_get_name (self->selected) : "Trainscope");
  adw_window_title_set_subtitle (self->window_title, status ? status : "");
  gtk_button_set_icon_name (self->start_button, running ? "media-playback-pause-symbolic"
                                                        : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->start_button), running ? "Pause (Ctrl+Return)" : "Start (Ctrl+Return)");
  _ts_window_update_actions (self);
}

void
_ts_window_update_progress (TsWindow *self)
{
  TsProgress p;
  g_autofree char *line = NULL;
  double fraction;

  if (self->selected == NULL)
    return;
  ts_run_get_progress (self->selected, &p);
  if (p.state == TS_RUN_LOADING)
    fraction = p.loaded;
  else if (p.state == TS_RUN_DONE)
    fraction = 1;
  else
    fraction = p.epochs ? (p.epoch + (p.batches ? (double) p.batch / p.batches : 0)) / p.epochs : 0;
  /* set only when it moves: the bar lays itself out again at every set */
  if (gtk_progress_bar_get_fraction (self->progress_bar) != CLAMP (fraction, 0, 1))
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0, 1));
  line = ts_run_status_line (self->selected, ts_plot_view_get_smoothing (self->plots[TS_RUN_PLOT_LOSS]));
  gtk_inscription_set_text (self->progress_label, line);
}

void
_ts_window_select (TsWindow *self, TsRun *run)
{
  if (self->selected == run)
    return;
  g_set_object (&self->selected, run);
  for (int i = 0; run; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->run_list, i);
      if (row == NULL)
        break;
      if (g_object_get_data (G_OBJECT (row), "run") == run)
        {
          gtk_list_box_select_row (self->run_list, row);
          break;
        }
    }
  if (run)
    ts_experiment_editor_set_experiment (TS_EXPERIMENT_EDITOR (self->editor), ts_run_get_experiment (run),
                                         is_editable (run));
  ts_advisor_page_set_run (TS_ADVISOR_PAGE (self->advisor), run);
  if (self->init_lab)
    ts_init_lab_set_run (TS_INIT_LAB (self->init_lab), run);
  if (self->layer_views) /* NULL once disposed */
    ts_layer_views_set_run (TS_LAYER_VIEWS (self->layer_views), run);
  if (run)
    ts_data_page_set_experiment (TS_DATA_PAGE (self->data_view), ts_run_get_experiment (run), is_editable (run));
  if (run && !ts_search_page_is_running (TS_SEARCH_PAGE (self->search)))
    ts_search_page_set_experiment (TS_SEARCH_PAGE (self->search), ts_run_get_experiment (run));
  update_header (self);
  _ts_window_update_progress (self);
}

static void
on_row_selected (GtkListBox *box, GtkListBoxRow *row, TsWindow *self)
{
  if (row)
    _ts_window_select (self, g_object_get_data (G_OBJECT (row), "run"));
}

/* The selected run, not started, takes next. A fork's name follows its
 * changes until the name itself is edited. */
static void
apply_to_selected (TsWindow *self, TsExperiment *next)
{
  const TsExperiment *parent = ts_run_get_fork_parent (self->selected);

  if (parent && g_strcmp0 (next->name, ts_run_get_name (self->selected)) != 0)
    ts_run_set_fork_parent (self->selected, NULL); /* named by hand: the name stays */
  else if (parent)
    {
      g_free (next->name);
      next->name = ts_experiment_fork_name (parent, next);
    }
  ts_run_set_experiment (self->selected, next);
  ts_experiment_editor_set_name (TS_EXPERIMENT_EDITOR (self->editor), next->name);
  ts_data_page_set_experiment (TS_DATA_PAGE (self->data_view), next, TRUE);
  update_header (self);
}

static void
on_editor_changed (TsExperimentEditor *editor, TsWindow *self)
{
  if (self->selected && is_editable (self->selected))
    {
      g_autoptr(TsExperiment) next = ts_experiment_copy (ts_experiment_editor_get_experiment (editor));
      apply_to_selected (self, next);
    }
}

/* the Data page's sliders on a run not yet started: its data.augment.* */
static void
on_augment_changed (TsDataPage *page, TsWindow *self)
{
  g_autoptr(TsExperiment) next = NULL;
  g_autoptr(GError) error = NULL;

  if (self->selected == NULL || !is_editable (self->selected))
    return;
  next = ts_experiment_copy (ts_run_get_experiment (self->selected));
  next->data.augment = ts_data_page_get_augment (page);
  if (!ts_experiment_validate (next, &error))
    {
      _ts_window_toast (self, "%s", error->message);
      return;
    }
  apply_to_selected (self, next);
  ts_experiment_editor_set_experiment (TS_EXPERIMENT_EDITOR (self->editor), ts_run_get_experiment (self->selected),
                                       TRUE);
}

TsRun *
_ts_window_fork (TsWindow *self, TsExperiment *exp)
{
  g_autoptr(TsExperiment) parent = ts_experiment_copy (ts_run_get_experiment (self->selected));
  TsRun *run;

  g_free (exp->name);
  exp->name = ts_experiment_fork_name (parent, exp);
  run = ts_window_add_experiment (self, exp);
  ts_run_set_fork_parent (run, parent);
  return run;
}

/* "Fork with These Settings" on the Data page of a started run */
static void
on_data_fork (TsDataPage *page, TsWindow *self)
{
  g_autoptr(TsExperiment) exp = NULL;
  TsRun *run;

  if (self->selected == NULL)
    return;
  exp = ts_experiment_copy (ts_run_get_experiment (self->selected));
  exp->data.augment = ts_data_page_get_augment (page);
  run = _ts_window_fork (self, exp);
  _ts_window_toast (self, "Forked “%s”: press Start to train it", ts_run_get_name (run));
}

/* "Fork with this fix" and the LR finder's choices: a new run, maybe started */
static void
on_advisor_fork (TsAdvisorPage *page, TsExperiment *exp, gboolean start, TsWindow *self)
{
  TsRun *run = ts_window_add_experiment (self, exp);
  _ts_window_toast (self, "Forked “%s”", ts_run_get_name (run));
  if (start)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.start-pause", NULL);
}

/* ---- runs ---------------------------------------------------------------- */

static void
notify_end (TsWindow *self, TsRun *run)
{
  TsRunState state = ts_run_get_state (run);
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autofree char *text = NULL;

  if (state == TS_RUN_DONE)
    text = g_strdup_printf ("“%s” finished: best validation accuracy %.1f%%", ts_run_get_name (run),
                            100 * ts_run_get_best_val_acc (run));
  else if (state == TS_RUN_DIVERGED)
    text = g_strdup_printf ("“%s” diverged: the loss became NaN — lower the learning rate", ts_run_get_name (run));
  else if (state == TS_RUN_FAILED)
    text = g_strdup_printf ("“%s” failed: %s", ts_run_get_name (run), ts_run_get_message (run));
  else
    text = g_strdup_printf ("“%s” stopped", ts_run_get_name (run));
  _ts_window_toast (self, "%s", text);
  if (app && !gtk_window_is_active (GTK_WINDOW (self)))
    {
      g_autoptr(GNotification) n = g_notification_new ("Trainscope");
      g_notification_set_body (n, text);
      g_application_send_notification (app, "run-ended", n);
    }
}

static void
on_run_state (TsRun *run, GParamSpec *pspec, TsWindow *self)
{
  if (ts_run_state_is_final (ts_run_get_state (run)) && ts_run_get_run_dir (run))
    {
      if (ts_run_get_member_of (run) == NULL) /* a seed is remembered and told of with its group */
        {
          remember_run (self, ts_run_get_run_dir (run));
          notify_end (self, run);
        }
      _ts_window_dispatch_queue (self);
      /* its model is one to start from now */
      ts_experiment_editor_refresh_runs (TS_EXPERIMENT_EDITOR (self->editor));
    }
  if (run == self->selected)
    update_header (self);
}

/* the title says what the sidebar row says, at the same moment */
static void
on_run_status (TsRun *run, GParamSpec *pspec, TsWindow *self)
{
  if (run == self->selected)
    update_header (self);
}

/* New data is drawn at the next redraw due (see on_poll). */
static void
on_run_changed (TsRun *run, TsWindow *self)
{
  self->plots_dirty = TRUE;
}

TsRun *
_ts_window_add_run (TsWindow *self, TsRun *run)
{
  g_signal_connect_object (run, "notify::state", G_CALLBACK (on_run_state), self, 0);
  g_signal_connect_object (run, "notify::status", G_CALLBACK (on_run_status), self, 0);
  g_signal_connect_object (run, "changed", G_CALLBACK (on_run_changed), self, 0);
  g_list_store_insert (self->runs, 0, run);
  self->next_colour++;
  return run;
}

TsRun *
ts_window_add_experiment (TsWindow *self, const TsExperiment *exp)
{
  g_autoptr(TsRun) run = ts_run_new (exp, self->next_colour);
  _ts_window_add_run (self, run);
  _ts_window_select (self, run);
  return run;
}

TsRun *
ts_window_open_run_dir (TsWindow *self, const char *dir, GError **error)
{
  g_autoptr(TsRun) run = ts_run_new_from_dir (dir, self->next_colour, error);

  if (run == NULL)
    return NULL;
  _ts_window_add_run (self, run);
  _ts_window_select (self, run);
  remember_run (self, dir);
  return run;
}

gboolean
ts_window_open_path (TsWindow *self, const char *path, GError **error)
{
  g_autofree char *metrics = g_build_filename (path, "metrics.csv", NULL);
  g_autoptr(TsExperiment) exp = NULL;

  if (ts_seed_group_is_dir (path))
    return _ts_window_open_seed_group (self, path, TRUE, error) != NULL;
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      if (!g_file_test (metrics, G_FILE_TEST_EXISTS))
        {
          /* a folder of images, dropped or opened: an experiment on it */
          g_autofree char *source = g_strdup_printf ("folder:%s", path);
          exp = ts_experiment_new_default ();
          if (!ts_experiment_set (exp, "data.source", source, error))
            return FALSE;
          g_free (exp->name);
          exp->name = g_path_get_basename (path);
          ts_window_add_experiment (self, exp);
          return TRUE;
        }
      return ts_window_open_run_dir (self, path, error) != NULL;
    }
  if ((exp = ts_experiment_load_file (path, error)) == NULL)
    return FALSE;
  ts_window_add_experiment (self, exp);
  return TRUE;
}

void
_ts_window_dispatch_queue (TsWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->runs)), active = 0;
  int limit = self->settings ? g_settings_get_int (self->settings, "concurrent-runs") : 1;
  g_autofree char *root = _ts_window_runs_root ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      active += _ts_window_run_is_active (run);
    }
  for (guint i = n; i-- > 0 && (int) active < limit;) /* oldest queued first */
    {
      g_autoptr(TsRun) run = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      if (ts_run_is_queued (run))
        {
          ts_run_start (run, root);
          active++;
        }
    }
  update_header (self);
}

/* ---- lifecycle ------------------------------------------------------------ */

static gboolean
on_close_request (GtkWindow *window, gpointer data)
{
  TsWindow *self = TS_WINDOW (window);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->runs));

  if (self->settings)
    {
      int w, h;
      gtk_window_get_default_size (window, &w, &h);
      g_settings_set_int (self->settings, "window-width", w);
      g_settings_set_int (self->settings, "window-height", h);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
      save_drafts (self);
    }
  /* stop every run: each writes its files and its model before it ends */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      ts_run_stop (run);
    }
  return FALSE;
}

static GSettings *
settings_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE) : NULL;

  if (schema == NULL)
    {
      g_warning ("GSettings schema %s is not installed: window size and recent runs will not be kept", SCHEMA_ID);
      return NULL;
    }
  return g_settings_new (SCHEMA_ID);
}

static void
ts_window_dispose (GObject *object)
{
  TsWindow *self = TS_WINDOW (object);

  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_object (&self->selected);
  g_clear_object (&self->runs);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->problem, g_free);
  self->problem_page = NULL; /* the stack's */
  /* the layer views borrow the Data page's data set, which goes with the
   * page; a model job still running keeps the views alive past it */
  if (self->layer_views)
    ts_layer_views_set_dataset (TS_LAYER_VIEWS (self->layer_views), NULL);
  self->layer_views = NULL; /* the training page's */
  gtk_widget_dispose_template (GTK_WIDGET (self), TS_TYPE_WINDOW);
  G_OBJECT_CLASS (ts_window_parent_class)->dispose (object);
}

static void
ts_window_class_init (TsWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ts_window_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trainscope/Trainscope/ts-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, run_list);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, training_page);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, experiment_page);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, advisor_page);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, initlab_page);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, data_page);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, search_page);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, plot_grid);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, training_content);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, log_toggle);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, smoothing);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, sidebar_handle);
  gtk_widget_class_bind_template_child (widget_class, TsWindow, examples_menu);
  _ts_window_install_actions (klass);
  _ts_window_install_seed_actions (klass);
}

static GtkWidget *
create_row (gpointer item, gpointer data)
{
  return ts_run_row_new (item);
}

static void
build_plots (TsWindow *self)
{
  for (int k = 0; k < 3; k++)
    {
      self->plots[k] = TS_PLOT_VIEW (ts_plot_view_new (k));
      ts_plot_view_set_runs (self->plots[k], G_LIST_MODEL (self->runs));
      gtk_widget_set_hexpand (GTK_WIDGET (self->plots[k]), TRUE);
      gtk_widget_set_vexpand (GTK_WIDGET (self->plots[k]), TRUE);
      if (k != TS_RUN_PLOT_ACCURACY)
        g_object_bind_property (self->log_toggle, "active", self->plots[k], "log-y", G_BINDING_SYNC_CREATE);
      g_object_bind_property (self->smoothing, "value", self->plots[k], "smoothing", G_BINDING_SYNC_CREATE);
    }
  gtk_grid_attach (self->plot_grid, GTK_WIDGET (self->plots[TS_RUN_PLOT_LOSS]), 0, 0, 2, 1);
  gtk_grid_attach (self->plot_grid, GTK_WIDGET (self->plots[TS_RUN_PLOT_ACCURACY]), 0, 1, 1, 1);
  gtk_grid_attach (self->plot_grid, GTK_WIDGET (self->plots[TS_RUN_PLOT_LR]), 1, 1, 1, 1);
  self->layer_views = ts_layer_views_new ();
  ts_layer_views_set_runs (TS_LAYER_VIEWS (self->layer_views), G_LIST_MODEL (self->runs));
  gtk_box_append (self->training_content, self->layer_views);
}

static void
on_smoothing_changed (TsWindow *self)
{
  _ts_window_update_progress (self);
}

/* back on the Training page: what changed while hidden is drawn now */
static void
on_page_shown (TsWindow *self)
{
  if (adw_view_stack_get_visible_child (self->view_stack) == self->training_page)
    self->epochs_drawn = 0, self->plots_dirty = TRUE;
}

static void
on_data_loaded (TsDataPage *page, TsWindow *self)
{
  if (self->layer_views == NULL) /* a load that ended after the window went */
    return;
  ts_layer_views_set_dataset (TS_LAYER_VIEWS (self->layer_views), ts_data_page_get_dataset (page));
  ts_init_lab_set_dataset (TS_INIT_LAB (self->init_lab), ts_data_page_get_dataset (page));
  /* the layers' shapes for a source only its files describe (idx:, csv:, folder:) */
  if (self->selected && ts_data_page_get_dataset (page))
    {
      const TsDataset *ds = ts_data_page_get_dataset (page);
      TsShape shape = ts_dataset_is_image (ds) ? (TsShape) { 3, { ds->channels, ds->height, ds->width } }
                                               : (TsShape) { 1, { ds->dim } };
      ts_experiment_editor_set_data_shape (TS_EXPERIMENT_EDITOR (self->editor),
                                           ts_run_get_experiment (self->selected)->data.source, &shape, ds->n_classes);
    }
}

/* the whole progress line, which a narrow window cuts short, on hover: asked
 * for then, since setting a tooltip costs X round trips at every update */
static gboolean
on_progress_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  const char *text = gtk_inscription_get_text (GTK_INSCRIPTION (widget));

  if (text == NULL || *text == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
ts_window_init (TsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->progress_label, "query-tooltip", G_CALLBACK (on_progress_tooltip), NULL);
  self->settings = settings_if_installed ();
  self->runs = g_list_store_new (TS_TYPE_RUN);
  gtk_list_box_bind_model (self->run_list, G_LIST_MODEL (self->runs), create_row, self, NULL);
  g_signal_connect (self->run_list, "row-selected", G_CALLBACK (on_row_selected), self);
  build_plots (self);
  self->editor = ts_experiment_editor_new ();
  gtk_widget_set_vexpand (self->editor, TRUE);
  gtk_box_append (GTK_BOX (self->experiment_page), self->editor);
  g_signal_connect (self->editor, "changed", G_CALLBACK (on_editor_changed), self);
  g_signal_connect_swapped (self->editor, "notify::valid", G_CALLBACK (_ts_window_update_actions), self);
  ts_experiment_editor_set_runs (TS_EXPERIMENT_EDITOR (self->editor), G_LIST_MODEL (self->runs));
  self->advisor = ts_advisor_page_new ();
  gtk_widget_set_vexpand (self->advisor, TRUE);
  gtk_box_append (GTK_BOX (self->advisor_page), self->advisor);
  g_signal_connect (self->advisor, "fork", G_CALLBACK (on_advisor_fork), self);
  self->data_view = ts_data_page_new ();
  gtk_widget_set_vexpand (self->data_view, TRUE);
  gtk_box_append (GTK_BOX (self->data_page), self->data_view);
  g_signal_connect_object (self->data_view, "loaded", G_CALLBACK (on_data_loaded), self, 0);
  g_signal_connect_object (self->data_view, "augment-changed", G_CALLBACK (on_augment_changed), self, 0);
  g_signal_connect_object (self->data_view, "fork", G_CALLBACK (on_data_fork), self, 0);
  self->init_lab = ts_init_lab_new ();
  gtk_widget_set_vexpand (self->init_lab, TRUE);
  gtk_box_append (GTK_BOX (self->initlab_page), self->init_lab);
  _ts_window_connect_init_lab (self);
  _ts_window_build_ensemble_page (self);
  _ts_window_build_transfer_page (self);
  _ts_window_build_run_menu (self);
  _ts_window_build_examples_menu (self);
  _ts_window_build_search_page (self);
  if (self->settings)
    {
      gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      g_settings_bind (self->settings, "log-scale", self->log_toggle, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "smoothing", self->smoothing, "value", G_SETTINGS_BIND_DEFAULT);
      ts_layer_views_bind_settings (TS_LAYER_VIEWS (self->layer_views), self->settings);
    }
  else
    gtk_toggle_button_set_active (self->log_toggle, TRUE);
  _ts_window_build_sidebar (self);
  g_signal_connect_swapped (self->smoothing, "value-changed", G_CALLBACK (on_smoothing_changed), self);
  g_signal_connect_swapped (self->view_stack, "notify::visible-child", G_CALLBACK (on_page_shown), self);
  _ts_window_install_drop_target (self);
  restore_recent_runs (self);
  restore_drafts (self);
  g_signal_connect (self, "close-request", G_CALLBACK (on_close_request), NULL);
  _ts_window_start_poll (self);
}

TsWindow *
ts_window_new (GtkApplication *app)
{
  return g_object_new (TS_TYPE_WINDOW, "application", app, NULL);
}

TsRun *
ts_window_get_selected (TsWindow *self)
{
  return self->selected;
}

void
ts_window_select_run (TsWindow *self, TsRun *run)
{
  _ts_window_select (self, run);
}

GListModel *
ts_window_get_runs (TsWindow *self)
{
  return G_LIST_MODEL (self->runs);
}

GtkWidget *
ts_window_get_plot (TsWindow *self, int kind)
{
  return GTK_WIDGET (self->plots[kind]);
}

GtkWidget *
ts_window_get_layer_views (TsWindow *self)
{
  return self->layer_views;
}

GtkWidget *
ts_window_get_data_page (TsWindow *self)
{
  return self->data_view;
}

GtkWidget *
ts_window_get_init_lab (TsWindow *self)
{
  return self->init_lab;
}

GtkWidget *
ts_window_get_advisor (TsWindow *self)
{
  return self->advisor;
}

GtkWidget *
ts_window_get_search_page (TsWindow *self)
{
  return self->search;
}

GtkWidget *
ts_window_get_editor (TsWindow *self)
{
  return self->editor;
}
