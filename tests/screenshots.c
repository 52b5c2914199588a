/* The README's screenshots, taken from a real window under Xvfb:
 *   ./dev.sh screenshots        → docs/screenshot-*.png
 * Not a test: it only drives the window and saves what it shows. */
#include "window-util.h"

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

int
main (int argc, char **argv)
{
  g_autoptr(TsExperiment) spiral = ts_experiment_new_default ();
  g_autoptr(TsExperiment) fashion = ts_experiment_new_default ();
  TsWindow *window;

  ts_blas_ensure_kernel (argv);
  gtk_init ();
  adw_init ();
  ts_application_register_resources ();
  if (g_getenv ("TS_SCREENSHOT_DIR") == NULL)
    g_error ("set TS_SCREENSHOT_DIR to the folder for the PNGs");
  window = ts_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 960);
  gtk_window_present (GTK_WINDOW (window));

  train_and_show_layers (window, spiral, "screenshot-layers-spiral.png");
  ts_run_set_overlay (ts_window_get_selected (window), FALSE); /* its scales would dwarf Fashion-MNIST's */

  ts_experiment_set (fashion, "name", "Fashion-MNIST · 100 ReLU · He", NULL);
  ts_experiment_set (fashion, "data.source", "fashion-mnist", NULL);
  if (!ts_experiment_set (fashion, "model.layers", "100", NULL))
    g_error ("model.layers");
  ts_experiment_set (fashion, "data.preprocess", "standardize", NULL);
  ts_experiment_set (fashion, "train.epochs", "4", NULL);
  ts_experiment_set (fashion, "train.lr", "0.01", NULL);
  ts_experiment_set (fashion, "train.l2", "0.01", NULL);

  train_and_show_layers (window, fashion, "screenshot-layers-fashion.png");

  {
    const char *keys[][2] = { { "name", "Shapes · augmented" }, { "data.source", "builtin:shapes" },
                              { "data.classes", "8" }, { "data.samples", "2000" },
                              { "data.augment.hflip", "0.5" }, { "data.augment.crop_pad", "4" },
                              { "data.augment.brightness", "0.2" }, { "data.augment.contrast", "0.3" },
                              { "data.augment.saturation", "0.4" }, { "data.augment.fancy_pca", "0.1" },
                              { "data.augment.erase", "0.25" } };
    g_autoptr(TsExperiment) shapes = ts_experiment_new_default ();
    for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
      if (!ts_experiment_set (shapes, keys[k][0], keys[k][1], NULL))
        g_error ("%s", keys[k][0]);
    ts_window_add_experiment (window, shapes);
    gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "data");
    spin_until (data_ready, window, 30);
    shoot (window, "screenshot-data.png");
  }

  ts_init_lab_run (TS_INIT_LAB (ts_window_get_init_lab (window)));
  spin_until (lab_has_cells, ts_window_get_init_lab (window), 60);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "initlab");
  shoot (window, "screenshot-initlab.png");
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
