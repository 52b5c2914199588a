/* The README's screenshots, taken from a real window under Xvfb:
 *   ./dev.sh screenshots        → docs/screenshot-*.png
 * Not a test: it only drives the window and saves what it shows. */
#include "window-util.h"
#include "ts-ensemble-page.h"
#include "ts-experiment-editor.h"
#include "ts-layer-list.h"
#include "ts-search-page.h"

static void
scroll_to_bottom (GtkWidget *inside)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (inside, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
}

static gboolean
ready (gpointer data)
{
  TsWindow *window = data;
  return run_is_final (ts_window_get_selected (window)) && ts_data_page_get_dataset (TS_DATA_PAGE (ts_window_get_data_page (window)));
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static void
shoot (TsWindow *window, const char *name)
{
  spin_until (never, NULL, 6); /* until the toasts have gone */
  spin_until (frames_drawn, window, 2);
  cairo_surface_destroy (render_widget (GTK_WIDGET (window), name));
}

static void
train_and_show_layers (TsWindow *window, const TsExperiment *exp, const char *name)
{
  ts_window_add_experiment (window, exp);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  if (!spin_until (ready, window, 300))
    g_error ("%s did not finish", exp->name);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "training");
  spin_until (frames_drawn, window, 2);
  scroll_to_bottom (ts_window_get_layer_views (window));
  shoot (window, name);
}

static gboolean
data_ready (gpointer data)
{
  const TsDataset *ds = ts_data_page_get_dataset (TS_DATA_PAGE (ts_window_get_data_page (data)));
  return ds && ts_dataset_is_image (ds) && ds->channels == 3;
}

static gboolean
lab_has_cells (gpointer lab)
{
  return ts_init_lab_get_n_cells (lab) > 0;
}

/* an experiment from key/value pairs over the default; a wrong key is fatal */
static TsExperiment *
experiment (const char *const (*keys)[2], guint n)
{
  TsExperiment *exp = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;

  for (guint k = 0; k < n; k++)
    if (!ts_experiment_set (exp, keys[k][0], keys[k][1], &error))
      g_error ("%s", error->message);
  return exp;
}

static gboolean
past_two_epochs (gpointer run)
{
  ts_run_poll (run);
  return ts_run_get_curves (run)->epoch->len >= 2;
}

static gboolean
entry_over (gpointer entry)
{
  return ts_run_state_is_final (ts_run_get_state (entry));
}

static gboolean
ensemble_idle (gpointer page)
{
  return !ts_ensemble_page_is_busy (page);
}

static gboolean
search_idle (gpointer page)
{
  return !ts_search_page_is_running (page);
}

/* a 10-trial × 3-fold search of the spiral's learning rate and activation */
static void
show_search (TsWindow *window)
{
  TsSearchPage *page = TS_SEARCH_PAGE (ts_window_get_search_page (window));
  g_autofree char *out = g_build_filename (g_get_user_data_dir (), "search-screenshot", NULL);
  GListModel *runs = ts_window_get_runs (window);
  g_autoptr(TsRun) spiral = g_list_model_get_item (runs, g_list_model_get_n_items (runs) - 1);
  g_autoptr(GError) error = NULL;

  ts_window_select_run (window, spiral); /* the spiral run trained first (the oldest) */
  if (!ts_search_page_set_space (page, "{\"train.lr\": {\"log_uniform\": [0.003, 1]}, \"model.activation\": "
                                       "{\"choice\": [\"relu\", \"tanh\", \"sigmoid\"]}}", &error))
    g_error ("%s", error->message);
  ts_search_page_set_counts (page, 10, 3, 10, 7);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "search");
  if (!ts_search_page_start (page, out, FALSE, &error) || !spin_until (search_idle, page, 600))
    g_error ("the search did not finish: %s", error ? error->message : "timeout");
  spin_until (frames_drawn, window, 2);
  {
    /* the table at the top, the scatter below it */
    GtkWidget *table = ts_search_page_get_table (page);
    GtkWidget *scroller = gtk_widget_get_ancestor (table, GTK_TYPE_SCROLLED_WINDOW);
    GtkWidget *content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller));
    graphene_rect_t bounds;
    if (gtk_widget_compute_bounds (table, content, &bounds))
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)),
                                bounds.origin.y - 48);
  }
  shoot (window, "screenshot-search.png");
}

static void
scroll_to_top (GtkWidget *inside)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (inside, GTK_TYPE_SCROLLED_WINDOW);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)), 0);
}

/* a seed group of the default spiral, alone on the plots, then its ensemble */
static void
seeds_and_ensemble (TsWindow *window, const TsExperiment *exp)
{
  GListModel *runs = ts_window_get_runs (window);
  TsEnsemblePage *page = TS_ENSEMBLE_PAGE (ts_window_get_ensemble_page (window));
  TsRun *entry;

  ts_window_add_experiment (window, exp);
  entry = ts_window_repeat_with_seeds (window, 5);
  for (guint i = 0; i < g_list_model_get_n_items (runs); i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (runs, i);
      ts_run_set_overlay (run, run == entry);
    }
  if (!spin_until (entry_over, entry, 600))
    g_error ("the seed group did not finish");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "training");
  scroll_to_top (ts_window_get_plot (window, TS_RUN_PLOT_LOSS));
  shoot (window, "screenshot-seeds.png");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "ensemble");
  ts_ensemble_page_refresh (page);
  ts_ensemble_page_check (page, "5 seeds", TRUE);
  ts_ensemble_page_start (page);
  spin_until (ensemble_idle, page, 120);
  spin_until (frames_drawn, window, 2);
  scroll_to_bottom (find_figure (GTK_WIDGET (page), "ensemble-curve")); /* the result and its curve */
  shoot (window, "screenshot-ensemble.png");
}

/* a conv net trained a few hundred steps: its filters and a sample's
 * feature maps, each figure alone */
static void
show_cnn (TsWindow *window, const TsExperiment *exp)
{
  GtkWidget *views = ts_window_get_layer_views (window);

  ts_window_add_experiment (window, exp);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  if (!spin_until (ready, window, 600))
    g_error ("%s did not finish", exp->name);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "training");
  scroll_to_bottom (views);
  spin_until (never, NULL, 3); /* the feature maps are made in a worker once shown */
  spin_until (frames_drawn, window, 2);
  cairo_surface_destroy (render_widget (find_figure (views, "first-layer-weights"), "screenshot-filters.png"));
  cairo_surface_destroy (render_widget (find_figure (views, "feature-maps"), "screenshot-feature-maps.png"));
}

static gboolean
is_row_titled (GtkWidget *widget, const char *title)
{
  return ADW_IS_ACTION_ROW (widget) && g_object_get_data (G_OBJECT (widget), "control")
         && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static gboolean
selected_is_final (gpointer window)
{
  return run_is_final (ts_window_get_selected (window));
}

/* The Experiment page fine-tuning: Fine-Tune From This Run on a finished
 * spiral run, its first layer locked, the second at a tenth of the rate */
static void
show_finetune (TsWindow *window, TsExperiment *parent)
{
  GtkWidget *editor = ts_window_get_editor (window);
  TsLayerList *list = TS_LAYER_LIST (find_widget (editor, is_layer_list, NULL));
  GtkWidget *group = ts_experiment_editor_get_pretrained (TS_EXPERIMENT_EDITOR (editor));
  GtkWidget *scroller = gtk_widget_get_ancestor (group, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *scale_row;
  graphene_rect_t bounds;

  ts_window_add_experiment (window, parent);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  if (!spin_until (selected_is_final, window, 120))
    g_error ("%s did not finish", parent->name);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.finetune", NULL);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (find_widget (ts_layer_list_get_row (list, 0), is_lock, NULL)), TRUE);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (ts_layer_list_get_row (list, 1)), TRUE);
  scale_row = find_widget (ts_layer_list_get_row (list, 1), is_row_titled, "Learning-rate scale");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (g_object_get_data (G_OBJECT (scale_row), "control")), 0.1);
  spin_until (never, NULL, 6); /* the toasts gone, laid out */
  if (gtk_widget_compute_bounds (group, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)), &bounds))
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)), bounds.origin.y - 12);
  shoot (window, "screenshot-experiment-finetune.png");
}

int
main (int argc, char **argv)
{
  static const char *const fashion_keys[][2] = {
    { "name", "Fashion-MNIST · 100 ReLU · He" }, { "data.source", "fashion-mnist" }, { "model.layers", "100" },
    { "data.preprocess", "standardize" }, { "train.epochs", "4" }, { "train.lr", "0.01" }, { "train.l2", "0.01" } };
  static const char *const sigmoid_keys[][2] = {
    { "name", "Fashion-MNIST · sigmoid · small init" }, { "data.source", "fashion-mnist" },
    { "model.layers", "100" }, { "model.activation", "sigmoid" }, { "model.init", "small" },
    { "data.preprocess", "standardize" }, { "train.epochs", "4" }, { "train.lr", "0.01" }, { "train.l2", "0.01" } };
  static const char *const high_lr_keys[][2] = {
    { "name", "Spiral · ReLU · lr 1" }, { "model.layers", "100,100" }, { "train.lr", "1" }, { "train.epochs", "20" } };
  static const char *const shapes_keys[][2] = {
    { "name", "Shapes · augmented" }, { "data.source", "builtin:shapes" }, { "data.classes", "8" },
    { "data.samples", "2000" }, { "data.augment.hflip", "0.5" }, { "data.augment.crop_pad", "4" },
    { "data.augment.brightness", "0.2" }, { "data.augment.contrast", "0.3" }, { "data.augment.saturation", "0.4" },
    { "data.augment.fancy_pca", "0.1" }, { "data.augment.erase", "0.25" } };
  /* L2 5e-3 with momentum 0.9 shrinks the He-initialised filters by ~85% over
   * 750 steps, so what is left is what the data made of them */
  static const char *const cnn_keys[][2] = {
    { "name", "Fashion-MNIST · CNN · 750 steps · L2 5e-3" }, { "data.source", "fashion-mnist" },
    { "model.layers", "conv32x5,maxpool2,conv64x5,maxpool2,128" }, { "data.preprocess", "none" },
    { "data.limit", "20000" }, { "train.epochs", "3" }, { "train.lr", "0.05" }, { "train.l2", "5e-3" },
    { "train.batch_size", "64" } };
  static const char *const parent_keys[][2] = {
    { "name", "Spiral · 64, 64" }, { "model.layers", "64,64" }, { "train.epochs", "10" } };
  g_autoptr(TsExperiment) spiral = ts_experiment_new_default ();
  g_autoptr(TsExperiment) fashion = experiment (fashion_keys, G_N_ELEMENTS (fashion_keys));
  g_autoptr(TsExperiment) sigmoid = experiment (sigmoid_keys, G_N_ELEMENTS (sigmoid_keys));
  g_autoptr(TsExperiment) high_lr = experiment (high_lr_keys, G_N_ELEMENTS (high_lr_keys));
  g_autoptr(TsExperiment) shapes = experiment (shapes_keys, G_N_ELEMENTS (shapes_keys));
  TsWindow *window;
  TsRun *run;

  ts_blas_ensure_kernel (argv);
  gtk_init ();
  adw_init ();
  ts_application_register_resources ();
  ts_application_style_display ();
  if (g_getenv ("TS_SCREENSHOT_DIR") == NULL)
    g_error ("set TS_SCREENSHOT_DIR to the folder for the PNGs");
  window = ts_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 960);
  gtk_window_present (GTK_WINDOW (window));

  if (argc > 1 && g_str_equal (argv[1], "finetune")) /* ./build/tests/screenshots finetune: only that one */
    {
      g_autoptr(TsExperiment) parent = experiment (parent_keys, G_N_ELEMENTS (parent_keys));
      show_finetune (window, parent);
      gtk_window_destroy (GTK_WINDOW (window));
      return 0;
    }
  {
    g_autoptr(TsExperiment) cnn = experiment (cnn_keys, G_N_ELEMENTS (cnn_keys));
    show_cnn (window, cnn);
    if (argc > 1 && g_str_equal (argv[1], "cnn")) /* ./build/tests/screenshots cnn: only these two */
      {
        gtk_window_destroy (GTK_WINDOW (window));
        return 0;
      }
  }
  train_and_show_layers (window, spiral, "screenshot-layers-spiral.png");
  ts_run_set_overlay (ts_window_get_selected (window), FALSE); /* its scales would dwarf Fashion-MNIST's */
  train_and_show_layers (window, fashion, "screenshot-layers-fashion.png");

  /* the curves of a second Fashion-MNIST run, caught while it trains */
  run = ts_window_add_experiment (window, sigmoid);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  spin_until (past_two_epochs, run, 120);
  scroll_to_top (ts_window_get_plot (window, TS_RUN_PLOT_LOSS));
  spin_until (frames_drawn, window, 2);
  cairo_surface_destroy (render_widget (GTK_WIDGET (window), "screenshot-training.png"));
  spin_until (run_is_final, run, 120);

  ts_window_add_experiment (window, high_lr);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  spin_until (ready, window, 60);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "advisor");
  spin_until (never, NULL, 12); /* three runs' toasts, one after another */
  shoot (window, "screenshot-advisor.png");

  ts_window_add_experiment (window, shapes);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "data");
  spin_until (data_ready, window, 30);
  shoot (window, "screenshot-data.png");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "experiment");
  shoot (window, "screenshot-experiment.png");

  ts_init_lab_run (TS_INIT_LAB (ts_window_get_init_lab (window)));
  spin_until (lab_has_cells, ts_window_get_init_lab (window), 60);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "initlab");
  shoot (window, "screenshot-initlab.png");

  seeds_and_ensemble (window, spiral);
  show_search (window);
  {
    g_autoptr(TsExperiment) parent = experiment (parent_keys, G_N_ELEMENTS (parent_keys));
    show_finetune (window, parent);
  }
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
