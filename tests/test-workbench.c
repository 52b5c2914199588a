/* The workbench as a newcomer meets it (issue 19): runs told apart, the
 * layer menu in step with the experiment, one status everywhere, plots
 * that export from a right-click, a window that fits 800 px. */
#include "window-util.h"
#include "ts-advisor-page.h"
#include "ts-experiment-editor.h"
#include "ts-export.h"
#include "ts-run-row.h"

#include <glib/gstdio.h>
#include <math.h>

static int
min_width (GtkWidget *w)
{
  int min = 0, nat = 0;
  gtk_widget_measure (w, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  return min;
}

/* prints the widest children down the tree, for finding what holds a window wide */
static void
report_widths (GtkWidget *w, int depth, int limit)
{
  if (depth > 14)
    return;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    if (gtk_widget_get_visible (c) && min_width (c) > limit)
      {
        g_test_message ("%*s%s %d", depth * 2, "", G_OBJECT_TYPE_NAME (c), min_width (c));
        report_widths (c, depth + 1, limit);
      }
}

static void
test_fits_800 (void)
{
  TsWindow *window = new_window ();
  int min;

  spin_until (frames_drawn, window, 1);
  min = min_width (GTK_WIDGET (window));
  g_test_message ("the window's minimum width: %d px", min);
  if (min > 800)
    report_widths (GTK_WIDGET (window), 0, 700);
  g_assert_cmpint (min, <=, 800);
  gtk_window_destroy (GTK_WINDOW (window));
}


/* ---- comparing runs ------------------------------------------------------- */

static const char *const six_names[] = { "relu he", "relu xavier", "relu small", "tanh he", "tanh xavier", "tanh small" };

static gboolean
all_final (gpointer data)
{
  GListModel *runs = data;
  for (guint i = 0; i < g_list_model_get_n_items (runs); i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (runs, i);
      ts_run_poll (run);
      if (!ts_run_state_is_final (ts_run_get_state (run)) && (ts_run_is_queued (run) || ts_run_get_state (run) != TS_RUN_READY))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_row (GtkWidget *widget, const char *unused)
{
  return GTK_IS_LIST_BOX_ROW (widget) && g_object_get_data (G_OBJECT (widget), "run");
}

/* the name label of every row shows its whole name (and says it in a tooltip) */
static void
assert_names_whole (TsWindow *window)
{
  GtkWidget *row = find_widget (GTK_WIDGET (window), is_row, NULL);
  guint rows = 0;

  for (; row; row = gtk_widget_get_next_sibling (row))
    {
      TsRun *run = g_object_get_data (G_OBJECT (row), "run");
      GtkWidget *label;
      if (run == NULL)
        continue;
      label = find_label_containing (row, ts_run_get_name (run));
      g_assert_nonnull (label);
      g_assert_cmpstr (gtk_widget_get_tooltip_text (label), ==, ts_run_get_name (run));
      g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (label))));
      rows++;
    }
  g_assert_cmpuint (rows, >=, 6);
}

/* every button and card of the visible page lies inside the window */
static void
assert_inside (GtkWidget *window, GtkWidget *widget, const char *page)
{
  graphene_rect_t r;

  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_SCROLLED_WINDOW (widget))
    {
      GtkPolicyType h;
      gtk_scrolled_window_get_policy (GTK_SCROLLED_WINDOW (widget), &h, NULL);
      if (h != GTK_POLICY_NEVER) /* scrolls sideways on purpose (the init lab's grid) */
        return;
    }
  if ((GTK_IS_BUTTON (widget) || gtk_widget_has_css_class (widget, "card"))
      && gtk_widget_compute_bounds (widget, window, &r))
    {
      if (r.origin.x + r.size.width > gtk_widget_get_width (window) + 1)
        g_error ("%s: a %s at x %.0f, %.0f wide, ends past the %d px window", page, G_OBJECT_TYPE_NAME (widget),
                 r.origin.x, r.size.width, gtk_widget_get_width (window));
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    assert_inside (window, c, page);
}

static gboolean
lab_has_cells (gpointer lab)
{
  return ts_init_lab_get_n_cells (lab) > 0;
}

static gboolean
lr_found (gpointer page)
{
  return ts_advisor_page_get_lr_result (page) != NULL;
}

static gboolean
width_is (gpointer window)
{
  /* the default size counts the client-side decorations too */
  int want = GPOINTER_TO_INT (g_object_get_data (window, "want")), w = gtk_widget_get_width (window);
  return w <= want && w >= want - 40;
}

/* Six similar runs trained: the sidebar shows each whole name; then at
 * 800 px every page fits, the sidebar folded away (screenshots of both
 * under TS_SCREENSHOT_DIR when set). */
static void
test_six_runs_then_800 (void)
{
  gboolean fashion = g_file_test ("/usr/share/datasets/fashion-mnist", G_FILE_TEST_IS_DIR);
  TsWindow *window = ts_window_new (NULL);
  GtkWidget *lab = ts_window_get_init_lab (window);
  GtkWidget *advisor = ts_window_get_advisor (window);
  const char *pages[] = { "training", "data", "initlab", "advisor", "experiment" };

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 900);
  gtk_window_present (GTK_WINDOW (window));
  for (int i = 0; i < 6; i++)
    {
      g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
      g_auto(GStrv) words = g_strsplit (six_names[i], " ", 2);
      g_free (exp->name);
      exp->name = g_strdup_printf ("%s %s", fashion ? "FMNIST" : "Spiral", six_names[i]);
      g_assert_true (ts_experiment_set (exp, "model.activation", words[0], NULL));
      g_assert_true (ts_experiment_set (exp, "model.init", words[1], NULL));
      g_assert_true (ts_experiment_set (exp, "train.epochs", "3", NULL));
      if (fashion)
        {
          g_assert_true (ts_experiment_set (exp, "data.source", "fashion-mnist", NULL));
          g_assert_true (ts_experiment_set (exp, "data.limit", "3000", NULL));
          g_assert_true (ts_experiment_set (exp, "train.lr", "0.01", NULL));
        }
      ts_window_add_experiment (window, exp);
      gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
    }
  g_assert_true (spin_until (all_final, ts_window_get_runs (window), 240));
  spin_until (frames_drawn, window, 1);
  assert_names_whole (window);
  cairo_surface_destroy (render_widget (GTK_WIDGET (window), "six-runs-1280.png"));

  /* the init lab's grid and the LR finder's buttons, then 800 px */
  ts_init_lab_set_size (TS_INIT_LAB (lab), 4, 100, 200);
  ts_init_lab_run (TS_INIT_LAB (lab));
  g_assert_true (spin_until (lab_has_cells, lab, 60));
  ts_advisor_page_find_lr (TS_ADVISOR_PAGE (advisor));
  g_assert_true (spin_until (lr_found, advisor, 120));
  /* shown again at its new size: Xvfb has no window manager to resize it */
  gtk_widget_hide (GTK_WIDGET (window));
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 900);
  gtk_window_present (GTK_WINDOW (window));
  g_object_set_data (G_OBJECT (window), "want", GINT_TO_POINTER (800));
  if (!spin_until (width_is, window, 5))
    {
      g_test_message ("the window is %d px wide, at least %d", gtk_widget_get_width (GTK_WIDGET (window)),
                      min_width (GTK_WIDGET (window)));
      report_widths (GTK_WIDGET (window), 0, 700);
      g_test_fail ();
      return;
    }
  spin_until (frames_drawn, window, 1);
  g_test_message ("at 800 px the sidebar is %s", adw_flap_get_folded (ADW_FLAP (gtk_widget_get_ancestor (ts_window_get_plot (window, 0), ADW_TYPE_FLAP))) ? "folded" : "beside");
  for (gsize p = 0; p < G_N_ELEMENTS (pages); p++)
    {
      g_autofree char *name = g_strdup_printf ("800-%s.png", pages[p]);
      gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", pages[p]);
      spin_until (frames_drawn, window, 1);
      g_test_message ("page %s at %d px", pages[p], gtk_widget_get_width (GTK_WIDGET (window)));
      cairo_surface_destroy (render_widget (GTK_WIDGET (window), name));
      assert_inside (GTK_WIDGET (window), GTK_WIDGET (window), pages[p]);
    }
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 800);
  /* folded, the sidebar comes over the content from the header's button */
  {
    AdwFlap *flap = ADW_FLAP (gtk_widget_get_ancestor (ts_window_get_plot (window, 0), ADW_TYPE_FLAP));
    g_assert_true (adw_flap_get_folded (flap));
    g_assert_false (adw_flap_get_reveal_flap (flap));
    gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "training");
    adw_flap_set_reveal_flap (flap, TRUE);
    spin_until (frames_drawn, window, 1);
    cairo_surface_destroy (render_widget (GTK_WIDGET (window), "800-runs-shown.png"));
    assert_names_whole (window);
  }
  gtk_window_destroy (GTK_WINDOW (window));
}


/* ---- the layer menu, the status ------------------------------------------ */

static gboolean
is_layer_menu (GtkWidget *widget, const char *unused)
{
  GListModel *model = GTK_IS_DROP_DOWN (widget) ? gtk_drop_down_get_model (GTK_DROP_DOWN (widget)) : NULL;
  return model && GTK_IS_STRING_LIST (model) && g_list_model_get_n_items (model) > 0
         && g_str_has_prefix (gtk_string_list_get_string (GTK_STRING_LIST (model), 0), "Layer 1");
}

static const char *
first_layer_name (TsWindow *window)
{
  GtkWidget *menu = find_widget (ts_window_get_layer_views (window), is_layer_menu, NULL);
  g_assert_nonnull (menu);
  return gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (GTK_DROP_DOWN (menu))), 0);
}

/* the menu names each layer's activation as the experiment now has it */
static void
test_layer_menu_follows_edits (void)
{
  TsWindow *window = new_window ();
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));

  g_assert_cmpstr (first_layer_name (window), ==, "Layer 1 · 100 relu");
  g_assert_true (ts_experiment_editor_edit (editor, "model.activation", "tanh"));
  g_assert_cmpstr (first_layer_name (window), ==, "Layer 1 · 100 tanh");
  /* a fork of it, changed back to ReLU: its menu says relu */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.fork", NULL);
  g_assert_cmpstr (first_layer_name (window), ==, "Layer 1 · 100 tanh");
  g_assert_true (ts_experiment_editor_edit (editor, "model.activation", "relu"));
  g_assert_true (ts_experiment_editor_edit (editor, "model.layers", "64"));
  g_assert_cmpstr (first_layer_name (window), ==, "Layer 1 · 64 relu");
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
is_run_row_of (GtkWidget *widget, const char *name)
{
  TsRun *run = GTK_IS_LIST_BOX_ROW (widget) ? g_object_get_data (G_OBJECT (widget), "run") : NULL;
  return run && g_str_equal (ts_run_get_name (run), name);
}

/* a finished run opened from its folder says what it did, the same in the
 * row, the title and the progress line */
static void
test_status_of_reopened_run (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:moons", 6);
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL, *status = NULL, *steps = NULL;
  TsWindow *window;
  TsRun *run;
  GtkWidget *row, *label;
  TsProgress p;
  guint n;

  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  n = ts_metric_log_length (ts_trainer_get_steps (tr));
  window = new_window ();
  g_assert_true (ts_window_open_path (window, dir, &error));
  run = ts_window_get_selected (window);
  ts_run_get_progress (run, &p);
  g_assert_cmpuint (p.step, ==, n);
  g_assert_cmpfloat (p.samples_per_second, >, 0);
  line = ts_run_status_line (run, 0.6);
  g_test_message ("%s", line);
  steps = g_strdup_printf ("step %u\u202f%03u", n / 1000, n % 1000);
  g_assert_nonnull (strstr (line, n >= 1000 ? steps : "step "));
  g_assert_null (strstr (line, "step 0 "));
  g_assert_null (strstr (line, "loss 0.0000"));
  g_assert_nonnull (strstr (line, "smoothed loss "));
  g_assert_nonnull (strstr (line, "samples/s"));
  g_assert_null (strstr (line, " 0 samples/s"));
  g_assert_true (fabs (ts_run_get_smoothed_loss (run, 0.6) - g_ascii_strtod (strstr (line, "smoothed loss ") + 14, NULL))
                 < 1e-3 * ts_run_get_smoothed_loss (run, 0.6));
  /* one status: the row says what the title says */
  status = ts_run_status_text (run);
  g_assert_true (g_str_has_prefix (line, status));
  g_assert_true (g_str_has_prefix (status, "done · epoch 6/6"));
  row = find_widget (GTK_WIDGET (window), is_run_row_of, ts_run_get_name (run));
  label = find_label_containing (row, "epoch 6/6");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, status);
  g_assert_nonnull (find_label_containing (GTK_WIDGET (window), line));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* a speed in the thousands is grouped, a diverged loss is said */
static void
test_status_while_training (void)
{
  TsWindow *window = new_window ();
  TsRun *run = ts_window_get_selected (window);
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));
  g_autofree char *line = NULL;

  g_assert_true (ts_experiment_editor_edit (editor, "train.lr", "1000"));
  g_assert_true (ts_experiment_editor_edit (editor, "model.init", "he"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  g_assert_true (spin_until (run_is_final, run, 60));
  g_assert_cmpint (ts_run_get_state (run), ==, TS_RUN_DIVERGED);
  line = ts_run_status_line (run, 0.6);
  g_test_message ("%s", line);
  g_assert_nonnull (strstr (line, "loss diverged"));
  g_assert_null (strstr (line, "nan"));
  /* samples/s: thousands apart */
  {
    const char *speed = strstr (line, " samples/s");
    g_assert_nonnull (speed);
    g_assert_true (g_str_has_prefix (speed - 6, "\u202f")); /* "12 345 samples/s": a narrow space 3 digits before */
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- exports --------------------------------------------------------------- */

static gboolean
write_text (const char *path, double scale, gpointer data, GError **error)
{
  return g_file_set_contents (path, "x", 1, error);
}

static void
test_export_dialog_and_toast (void)
{
  TsWindow *window = new_window ();
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *svg = g_build_filename (dir, "loss.svg", NULL);
  GtkFileChooserNative *dialog;
  g_autoptr(GListModel) filters = NULL;

  /* each type's filter has a name (a nameless one reads "(None)") */
  dialog = ts_export_dialog_new (GTK_WINDOW (window), "Export Plot", "loss.svg");
  filters = gtk_file_chooser_get_filters (GTK_FILE_CHOOSER (dialog));
  g_assert_cmpuint (g_list_model_get_n_items (filters), ==, 1);
  {
    g_autoptr(GtkFileFilter) f = g_list_model_get_item (filters, 0);
    g_assert_cmpstr (gtk_file_filter_get_name (f), ==, "SVG image (*.svg)");
  }
  /* an SVG dialog is not asked for a PNG resolution (gtk_test_init makes
   * the Gtk-WARNING that printed fatal) */
  g_assert_null (ts_export_dialog_scale (GTK_FILE_CHOOSER (dialog)));
  g_object_unref (dialog);
  dialog = ts_export_dialog_new (GTK_WINDOW (window), "Export Plot", "loss.png");
  g_assert_nonnull (ts_export_dialog_scale (GTK_FILE_CHOOSER (dialog))); /* (its value is set when shown) */
  g_object_unref (dialog);
  /* a toast names the file saved */
  g_assert_true (ts_export_save_to (GTK_WIDGET (window), svg, 2, write_text, window));
  g_assert_true (g_file_test (svg, G_FILE_TEST_IS_REGULAR));
  spin_until (frames_drawn, window, 1);
  g_assert_nonnull (find_label_containing (GTK_WIDGET (window), "“loss.svg”"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* right-click (or Shift+F10) on a training plot opens its export menu */
static void
test_plot_context_menu (void)
{
  TsWindow *window = new_window ();
  const char *kinds[] = { "loss", "accuracy", "lr" };

  for (int k = 0; k < 3; k++)
    {
      GtkWidget *plot = ts_window_get_plot (window, k), *menu = NULL;
      g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (plot);
      gboolean secondary = FALSE;
      GMenuModel *model;
      g_autofree char *target = NULL, *action = NULL, *expected = g_strdup_printf ("%s.png", kinds[k]);

      for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
        {
          g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);
          secondary |= GTK_IS_GESTURE_CLICK (c) && gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (c)) == GDK_BUTTON_SECONDARY;
        }
      g_assert_true (secondary);
      for (GtkWidget *c = gtk_widget_get_first_child (plot); c; c = gtk_widget_get_next_sibling (c))
        if (GTK_IS_POPOVER_MENU (c))
          menu = c;
      g_assert_nonnull (menu);
      g_assert_true (gtk_widget_activate_action (plot, "plot.menu", NULL));
      spin_until (frames_drawn, window, 0.5);
      g_assert_true (gtk_widget_get_visible (menu));
      model = gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (menu));
      g_assert_true (g_menu_model_get_item_attribute (model, 0, "action", "s", &action));
      g_assert_true (g_menu_model_get_item_attribute (model, 0, "target", "s", &target));
      g_assert_cmpstr (action, ==, "win.export");
      g_assert_cmpstr (target, ==, expected);
      gtk_popover_popdown (GTK_POPOVER (menu));
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- smaller things -------------------------------------------------------- */

static gboolean
has_selection (GtkWidget *widget, const char *unused)
{
  int start, end;
  return GTK_IS_LABEL (widget) && gtk_label_get_selection_bounds (GTK_LABEL (widget), &start, &end);
}

/* opening the advisor (and tabbing into it) selects no card's text */
static void
test_advisor_selects_nothing (void)
{
  TsWindow *window = new_window ();
  TsRun *run = ts_window_get_selected (window);
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));
  GtkWidget *advisor = ts_window_get_advisor (window);

  g_assert_true (ts_experiment_editor_edit (editor, "train.epochs", "3"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  g_assert_true (spin_until (run_is_final, run, 60));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "advisor");
  spin_until (frames_drawn, window, 0.5);
  g_assert_cmpuint (ts_advisor_page_get_n_cards (TS_ADVISOR_PAGE (advisor)), >, 0);
  gtk_widget_child_focus (advisor, GTK_DIR_TAB_FORWARD);
  spin_until (frames_drawn, window, 0.5);
  g_assert_null (find_widget (GTK_WIDGET (window), has_selection, NULL));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
data_loaded (gpointer page)
{
  return ts_data_page_get_dataset (page) != NULL;
}

static gboolean
grey_loaded (gpointer page)
{
  return ts_data_page_get_dataset (page) && ts_data_page_get_dataset (page)->channels == 1;
}

static gboolean
is_saturation (GtkWidget *widget, const char *unused)
{
  return GTK_IS_SCALE (widget) && g_object_get_data (G_OBJECT (widget), "label")
         && g_str_equal (gtk_label_get_text (g_object_get_data (G_OBJECT (widget), "label")), "saturation");
}

static gboolean
is_scale (GtkWidget *widget, const char *unused)
{
  return GTK_IS_SCALE (widget) && g_object_get_data (G_OBJECT (widget), "label");
}

/* the wheel over a Data-page slider scrolls the page; no saturation for grey */
static void
test_data_sliders (void)
{
  TsWindow *window = new_window ();
  TsDataPage *page = TS_DATA_PAGE (ts_window_get_data_page (window));
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  GtkWidget *slider, *scroller;
  GtkAdjustment *adj;
  g_autoptr(GListModel) controllers = NULL;
  GtkEventController *capture = NULL;
  double before, value;
  gboolean stopped = FALSE;

  g_assert_true (ts_experiment_set (exp, "data.source", "builtin:shapes", NULL));
  g_assert_true (ts_experiment_set (exp, "data.samples", "300", NULL));
  ts_window_add_experiment (window, exp);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "data");
  g_assert_true (spin_until (data_loaded, page, 30));
  spin_until (frames_drawn, window, 0.5);
  g_assert_true (gtk_widget_get_visible (find_widget (GTK_WIDGET (page), is_saturation, NULL)));
  slider = find_widget (GTK_WIDGET (page), is_scale, NULL);
  scroller = gtk_widget_get_ancestor (slider, GTK_TYPE_SCROLLED_WINDOW);
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  g_assert_cmpfloat (gtk_adjustment_get_upper (adj), >, gtk_adjustment_get_page_size (adj)); /* a page to scroll */
  before = gtk_adjustment_get_value (adj);
  value = gtk_range_get_value (GTK_RANGE (slider));
  controllers = gtk_widget_observe_controllers (slider);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);
      if (GTK_IS_EVENT_CONTROLLER_SCROLL (c) && gtk_event_controller_get_propagation_phase (c) == GTK_PHASE_CAPTURE)
        capture = c;
    }
  g_assert_nonnull (capture);
  g_signal_emit_by_name (capture, "scroll", 0.0, 1.0, &stopped);
  g_assert_true (stopped);
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), >, before);
  g_assert_cmpfloat (gtk_range_get_value (GTK_RANGE (slider)), ==, value);
  if (g_file_test ("/usr/share/datasets/fashion-mnist", G_FILE_TEST_IS_DIR))
    {
      g_autoptr(TsExperiment) grey = ts_experiment_new_default ();
      g_assert_true (ts_experiment_set (grey, "data.source", "fashion-mnist", NULL));
      ts_window_add_experiment (window, grey);
      g_assert_true (spin_until (grey_loaded, page, 30));
      spin_until (frames_drawn, window, 0.5);
      g_assert_cmpuint (ts_data_page_get_dataset (page)->channels, ==, 1);
      g_assert_false (gtk_widget_get_visible (find_widget (GTK_WIDGET (page), is_saturation, NULL)));
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* the smoothing slider drives the loss plot and is kept */
static void
test_smoothing_kept (void)
{
  TsWindow *window = new_window ();
  g_autoptr(GSettings) settings = g_settings_new ("io.github.trainscope.Trainscope");
  GtkWidget *plot = ts_window_get_plot (window, TS_RUN_PLOT_LOSS);

  g_settings_set_double (settings, "smoothing", 0.9);
  g_assert_cmpfloat (fabs (ts_plot_view_get_smoothing (TS_PLOT_VIEW (plot)) - 0.9), <, 1e-9);
  gtk_window_destroy (GTK_WINDOW (window));
  window = new_window ();
  plot = ts_window_get_plot (window, TS_RUN_PLOT_LOSS);
  g_assert_cmpfloat (fabs (ts_plot_view_get_smoothing (TS_PLOT_VIEW (plot)) - 0.9), <, 1e-9);
  g_settings_reset (settings, "smoothing");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autofree char *data_home = window_test_init (&argc, &argv);

  g_test_add_func ("/ui/workbench/fits-800", test_fits_800);
  g_test_add_func ("/ui/workbench/six-runs-then-800", test_six_runs_then_800);
  g_test_add_func ("/ui/workbench/layer-menu-follows-edits", test_layer_menu_follows_edits);
  g_test_add_func ("/ui/workbench/status-of-reopened-run", test_status_of_reopened_run);
  g_test_add_func ("/ui/workbench/status-while-training", test_status_while_training);
  g_test_add_func ("/ui/workbench/export-dialog-and-toast", test_export_dialog_and_toast);
  g_test_add_func ("/ui/workbench/plot-context-menu", test_plot_context_menu);
  g_test_add_func ("/ui/workbench/advisor-selects-nothing", test_advisor_selects_nothing);
  g_test_add_func ("/ui/workbench/data-sliders", test_data_sliders);
  g_test_add_func ("/ui/workbench/smoothing-kept", test_smoothing_kept);
  return g_test_run ();
}
