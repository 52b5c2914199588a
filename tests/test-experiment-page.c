/* Issue 13: the Experiment page's layer list edits every kind — a conv
 * stack built through its buttons and spin buttons, each row showing its
 * output shape and parameter count, the experiment it makes, a stack that
 * does not fit shown on its row with Start disabled, and the shapes of a
 * source known only once its data are loaded. Set TS_SCREENSHOT_DIR to keep
 * the page's pictures at 1280 and 800 px. */
#include "window-util.h"
#include "ts-experiment-editor.h"
#include "ts-layer-list.h"

static gboolean
is_start_button (GtkWidget *widget, const char *unused)
{
  return GTK_IS_ACTIONABLE (widget)
         && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "win.start-pause") == 0;
}

static gboolean
is_key_row (GtkWidget *widget, const char *title)
{
  return ADW_IS_ACTION_ROW (widget) && g_object_get_data (G_OBJECT (widget), "control")
         && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

/* the spin button (or drop-down) of key `title` in entry i's row */
static GtkWidget *
key_control (TsLayerList *list, guint i, const char *title)
{
  GtkWidget *row = find_widget (ts_layer_list_get_row (list, i), is_key_row, title);
  g_assert_nonnull (row);
  return g_object_get_data (G_OBJECT (row), "control");
}

static void
click (GtkWidget *root, const char *label)
{
  GtkWidget *button = find_widget (root, is_button_labelled, label);
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
row_action (TsLayerList *list, guint i, const char *tooltip)
{
  GtkWidget *button = find_widget (ts_layer_list_get_row (list, i), is_button_with_tooltip, tooltip);
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
}

static void
assert_row (TsLayerList *list, guint i, const char *expected)
{
  const char *text = ts_layer_list_get_row_text (list, i);
  if (g_strcmp0 (text, expected) != 0)
    g_error ("row %u says \"%s\", expected \"%s\"", i, text, expected);
}

static void
assert_row_starts (TsLayerList *list, guint i, const char *prefix)
{
  const char *text = ts_layer_list_get_row_text (list, i);
  if (text == NULL || !g_str_has_prefix (text, prefix))
    g_error ("row %u says \"%s\", expected it to start \"%s\"", i, text, prefix);
}

static char *
selected_layers (TsWindow *window)
{
  return ts_experiment_get_text (ts_run_get_experiment (ts_window_get_selected (window)), "model.layers");
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* the page scrolled to the layer list */
static void
shoot_page (TsWindow *window, GtkWidget *list, int width, const char *name)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (list, GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;

  gtk_window_set_default_size (GTK_WINDOW (window), width, 900);
  spin_until (never, NULL, 2); /* resized and laid out */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)), 0);
  spin_until (never, NULL, 1);
  if (gtk_widget_compute_bounds (list, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)), &bounds))
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)), bounds.origin.y - 12);
  spin_until (never, NULL, 2);
  cairo_surface_destroy (render_widget (GTK_WIDGET (window), name));
}

static void
test_conv_stack (void)
{
  TsWindow *window = new_window ();
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));
  TsLayerList *list = TS_LAYER_LIST (find_widget (GTK_WIDGET (editor), is_layer_list, NULL));
  GtkWidget *start = find_widget (GTK_WIDGET (window), is_start_button, NULL);
  g_autofree char *layers = NULL, *invalid = NULL, *back = NULL;
  g_autofree char *csv = NULL, *source = NULL;

  g_assert_nonnull (list);
  g_assert_nonnull (start);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "experiment");
  /* the spiral's points: a dense layer on [2] */
  assert_row (list, 0, "→ [100] · 300 parameters");
  g_assert_true (ts_experiment_editor_edit (editor, "data.source", "builtin:shapes"));
  assert_row (list, 0, "→ [100] · 307,300 parameters");

  /* conv 16 3×3 same → max pool 2 → conv 32 same → batch norm → max pool 2 → dense 100 */
  row_action (list, 0, "Remove this layer");
  click (GTK_WIDGET (list), "Conv");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (key_control (list, 0, "Filters")), 16);
  click (GTK_WIDGET (list), "Pool");
  click (GTK_WIDGET (list), "Conv");
  click (GTK_WIDGET (list), "Batch Norm");
  click (GTK_WIDGET (list), "Pool");
  click (GTK_WIDGET (list), "Dense");
  assert_row (list, 0, "→ [16,32,32] · 448 parameters");
  assert_row (list, 1, "→ [16,16,16] · no parameters");
  assert_row (list, 2, "→ [32,16,16] · 4,640 parameters");
  assert_row (list, 3, "→ [32,16,16] · 64 parameters");
  assert_row (list, 4, "→ [32,8,8] · no parameters");
  assert_row (list, 5, "→ [100] · 204,900 parameters");
  assert_row (list, 6, "→ [3] · 303 parameters"); /* the output layer: the shapes' three classes */
  g_assert_nonnull (find_label_containing (GTK_WIDGET (list), "210,355 parameters"));
  layers = selected_layers (window);
  g_assert_cmpstr (layers, ==, "conv16x3/same,maxpool2,conv32x3/same,bn,maxpool2,100");
  g_assert_true (ts_experiment_editor_is_valid (editor));
  g_assert_true (gtk_widget_get_sensitive (start));
  /* a dense layer after a convolution is there; conv and pools cannot follow it */
  g_assert_false (gtk_widget_get_sensitive (find_widget (GTK_WIDGET (list), is_button_labelled, "Conv")));
  g_assert_true (gtk_widget_get_sensitive (find_widget (GTK_WIDGET (list), is_button_labelled, "Batch Norm")));

  /* the keys of a row: stride 2 without padding, average pooling 3 at stride 1 */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (key_control (list, 2, "Padding")), 0);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (key_control (list, 2, "Stride")), 2);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (key_control (list, 4, "Kind")), 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (key_control (list, 4, "Size")), 3);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (key_control (list, 4, "Stride")), 1);
  assert_row (list, 2, "→ [32,7,7] · 4,640 parameters");
  assert_row (list, 4, "→ [32,5,5] · no parameters");
  g_clear_pointer (&layers, g_free);
  layers = selected_layers (window);
  g_assert_cmpstr (layers, ==, "conv16x3/same,maxpool2,conv32x3/s2,bn,avgpool3/s1,100");
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (ts_layer_list_get_row (list, 2))),
                            "Conv · 32 filters 3×3 · stride 2"));

  if (g_getenv ("TS_SCREENSHOT_DIR"))
    {
      shoot_page (window, GTK_WIDGET (list), 1280, "experiment-page-cnn-1280.png");
      shoot_page (window, GTK_WIDGET (list), 800, "experiment-page-cnn-800.png");
    }

  /* the dense layer moved above the pool: the pool's row says why, the
   * experiment keeps its last valid layers and Start waits */
  row_action (list, 5, "Move this layer up");
  assert_row_starts (list, 5, "model.layers[5]: a pool layer needs an image input [C,H,W], but its input is a "
                              "vector of 100 features");
  assert_row (list, 6, "—");
  g_assert_true (gtk_widget_has_css_class (ts_layer_list_get_row (list, 5), "error"));
  g_assert_false (ts_experiment_editor_is_valid (editor));
  g_assert_false (gtk_widget_get_sensitive (start));
  invalid = selected_layers (window);
  g_assert_cmpstr (invalid, ==, layers);
  if (g_getenv ("TS_SCREENSHOT_DIR"))
    shoot_page (window, GTK_WIDGET (list), 1280, "experiment-page-cnn-error.png");
  row_action (list, 4, "Move this layer down");
  g_assert_true (ts_experiment_editor_is_valid (editor));
  g_assert_true (gtk_widget_get_sensitive (start));
  g_assert_false (gtk_widget_has_css_class (ts_layer_list_get_row (list, 5), "error"));

  /* a window larger than its input */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (key_control (list, 1, "Size")), 40);
  assert_row (list, 1, "model.layers[1]: pool size 40 does not fit a 32×32 input (input [16,32,32])");
  g_assert_false (gtk_widget_get_sensitive (start));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (key_control (list, 1, "Size")), 2);
  g_assert_true (gtk_widget_get_sensitive (start));
  /* "same" padding below 0, and refused with an even kernel */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (key_control (list, 0, "Kernel")), 4);
  assert_row (list, 0, "model.layers[0].padding: \"same\" needs an odd kernel and stride 1 (got kernel 4, stride 1)");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (key_control (list, 0, "Padding"))), ==, "same");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (key_control (list, 0, "Kernel")), 5);
  g_assert_true (ts_experiment_editor_is_valid (editor));

  /* a CSV's shape is known once its data are loaded, then the rows follow it */
  csv = g_build_filename (g_get_tmp_dir (), "trainscope-experiment-page.csv", NULL);
  source = g_strconcat ("csv:", csv, NULL);
  g_assert_true (ts_experiment_editor_edit (editor, "data.source", source));
  assert_row (list, 0, "shape known once the data are loaded");
  assert_row (list, 6, "→ the classes, known once the data are loaded");
  ts_experiment_editor_set_data_shape (editor, source, &(TsShape) { 3, { 1, 16, 16 } }, 0);
  assert_row (list, 0, "→ [16,16,16] · 416 parameters");
  assert_row (list, 4, "→ [32,1,1] · no parameters");
  g_assert_true (gtk_widget_get_sensitive (start));
  /* the data's shape does not fit: refused on the row, Start waits */
  ts_experiment_editor_set_data_shape (editor, source, &(TsShape) { 3, { 1, 8, 8 } }, 0);
  assert_row (list, 4, "model.layers[4]: pool size 3 does not fit a 1×1 input (input [32,1,1])");
  g_assert_false (gtk_widget_get_sensitive (start));

  /* back on the shapes' [3,32,32], the stack fits again */
  g_assert_true (ts_experiment_editor_edit (editor, "data.source", "builtin:shapes"));
  back = selected_layers (window);
  g_assert_cmpstr (back, ==, "conv16x5/same,maxpool2,conv32x3/s2,bn,avgpool3/s1,100");
  g_assert_true (gtk_widget_get_sensitive (start));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autofree char *data_home = window_test_init (&argc, &argv);

  g_test_add_func ("/ui/experiment-page/conv-stack", test_conv_stack);
  return g_test_run ();
}
