/* Helpers for the suites that drive a real window (under Xvfb). */
#pragma once

#include "test-util.h"
#include "ts-application.h"
#include "ts-data-page.h"
#include "ts-figure.h"
#include "ts-init-lab.h"
#include "ts-layer-list.h"
#include "ts-layer-views.h"
#include "ts-plot-view.h"
#include "ts-window.h"

#include <adwaita.h>

/* Every window suite starts the same way: the OpenBLAS kernel checked (it
 * may re-execute the test), a data folder of its own (the window writes its
 * runs under XDG_DATA_HOME), GTK in test mode, the resources. Returns the
 * folder. */
static inline char *
window_test_init (int *argc, char ***argv)
{
  char *data_home;

  ts_blas_ensure_kernel (*argv);
  data_home = make_temp_dir ();
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  gtk_test_init (argc, argv, NULL);
  adw_init ();
  ts_application_register_resources ();
  return data_home;
}

static inline TsWindow *
new_window (void)
{
  TsWindow *window = ts_window_new (NULL);
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();

  ts_window_add_experiment (window, exp);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

/* Runs the main loop until cond holds; FALSE after `seconds`. */
static inline gboolean
spin_until (gboolean (*cond) (gpointer), gpointer data, double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
  return TRUE;
}

static inline gboolean
run_is_final (gpointer run)
{
  ts_run_poll (run);
  return ts_run_state_is_final (ts_run_get_state (run));
}

static inline gboolean
run_is_running (gpointer run)
{
  ts_run_poll (run);
  return ts_run_get_state (run) == TS_RUN_RUNNING && ts_run_get_curves (run)->step->len > 3;
}

static inline gboolean
frames_drawn (gpointer widget)
{
  static gint64 since;
  if (since == 0)
    since = g_get_monotonic_time ();
  if (g_get_monotonic_time () - since > 300000)
    {
      since = 0;
      return TRUE;
    }
  return FALSE;
}

/* renders a widget as GTK draws it; saves it under TS_SCREENSHOT_DIR if set */
static inline GskRenderNode *
snapshot_widget (GdkPaintable *paintable, int w, int h)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  return gtk_snapshot_free_to_node (snapshot);
}

static inline cairo_surface_t *
render_widget (GtkWidget *widget, const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  int w, h;
  cairo_surface_t *surface;
  cairo_t *cr;

  /* a window just shown (again) has nothing to draw until it is mapped and
   * laid out: give the main loop a few seconds on a busy machine */
  while ((node = snapshot_widget (paintable, gtk_widget_get_width (widget), gtk_widget_get_height (widget))) == NULL
         && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, MAX (w, 1), MAX (h, 1));
  cr = cairo_create (surface);
  if (node)
    gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  if (g_getenv ("TS_SCREENSHOT_DIR"))
    {
      g_autofree char *path = g_build_filename (g_getenv ("TS_SCREENSHOT_DIR"), name, NULL);
      cairo_surface_write_to_png (surface, path);
    }
  g_assert_nonnull (node);
  cairo_surface_flush (surface);
  return surface; /* the caller destroys it */
}

/* the first widget under root (depth first, root included) that matches */
static inline GtkWidget *
find_widget (GtkWidget *root, gboolean (*matches) (GtkWidget *, const char *), const char *text)
{
  if (matches (root, text))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, matches, text);
      if (found)
        return found;
    }
  return NULL;
}

static inline gboolean
is_button_labelled (GtkWidget *widget, const char *label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static inline gboolean
is_button_with_tooltip (GtkWidget *widget, const char *tooltip)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0;
}

static inline gboolean
is_layer_list (GtkWidget *widget, const char *unused)
{
  return TS_IS_LAYER_LIST (widget);
}

/* a layer row's lock: "Lock …" while it trains, a model.freeze note when
 * that key holds it */
static inline gboolean
is_lock (GtkWidget *widget, const char *unused)
{
  const char *tip = gtk_widget_get_tooltip_text (widget);
  return GTK_IS_TOGGLE_BUTTON (widget) && tip && (g_str_has_prefix (tip, "Lock") || strstr (tip, "model.freeze"));
}

static inline gboolean
is_figure_called (GtkWidget *widget, const char *name)
{
  return TS_IS_FIGURE (widget) && g_str_equal (ts_figure_get_name (TS_FIGURE (widget)), name);
}

/* a label's or an inscription's text (the progress line is one), or NULL */
static inline const char *
text_of (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_text (GTK_LABEL (widget));
  return GTK_IS_INSCRIPTION (widget) ? gtk_inscription_get_text (GTK_INSCRIPTION (widget)) : NULL;
}

static inline gboolean
is_label_containing (GtkWidget *widget, const char *part)
{
  const char *text = text_of (widget);
  return text && strstr (text, part) != NULL;
}

/* the TsFigure called name under root, or NULL */
static inline GtkWidget *
find_figure (GtkWidget *root, const char *name)
{
  return find_widget (root, is_figure_called, name);
}

/* a GtkLabel (or GtkInscription) under root whose text contains part, or NULL */
static inline GtkWidget *
find_label_containing (GtkWidget *root, const char *part)
{
  return find_widget (root, is_label_containing, part);
}
