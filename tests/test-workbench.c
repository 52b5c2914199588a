/* The workbench as a newcomer meets it (issue 19): runs told apart, the
 * layer menu in step with the experiment, one status everywhere, plots
 * that export from a right-click, a window that fits 800 px. */
#include "window-util.h"
#include "ts-advisor-page.h"
#include "ts-experiment-editor.h"
#include "ts-export.h"
#include "ts-run-row.h"

#include <glib/gstdio.h>

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
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autofree char *data_home = NULL;

  ts_blas_ensure_kernel (argv);
  data_home = make_temp_dir ();
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  ts_application_register_resources ();
  g_test_add_func ("/ui/workbench/fits-800", test_fits_800);
  g_test_add_func ("/ui/workbench/six-runs-then-800", test_six_runs_then_800);
  return g_test_run ();
}
