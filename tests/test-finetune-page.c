/* Issue 14 in the window: the Experiment page starts a run from a
 * pre-trained model — a finished run of the sidebar chosen in its group, or
 * "Fine-tune from this run" on the run — and the run really starts from its
 * weights; a layer's lock keeps its weights bit for bit; a layer's lr_scale
 * goes through the experiment file and a restart; a model that does not
 * fit says which tensor and both shapes, as the run itself would, and
 * Start waits. Set TS_SCREENSHOT_DIR to keep the page's pictures. */
#include "window-util.h"
#include "ts-experiment-editor.h"
#include "ts-layer-list.h"
#include "ts-pretrained-group.h"

#include <glib/gstdio.h>
#include <string.h>

static char *parent_dir; /* the newest finished run "parent": spiral, "32,32", trained a few epochs */
static float parent_first_loss;

static gboolean
is_key_row (GtkWidget *widget, const char *title)
{
  return ADW_IS_ACTION_ROW (widget) && g_object_get_data (G_OBJECT (widget), "control")
         && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static GtkWidget *
lock_of (TsLayerList *list, guint i)
{
  GtkWidget *lock = find_widget (ts_layer_list_get_row (list, i), is_lock, NULL);
  g_assert_nonnull (lock);
  return lock;
}

static GtkSpinButton *
lr_scale_of (TsLayerList *list, guint i)
{
  GtkWidget *row = find_widget (ts_layer_list_get_row (list, i), is_key_row, "Learning-rate scale");
  g_assert_nonnull (row);
  return GTK_SPIN_BUTTON (g_object_get_data (G_OBJECT (row), "control"));
}

static gboolean
has_mnemonic_p (GtkWidget *widget, const char *unused)
{
  return GTK_IS_LABEL (widget) && gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (GTK_LABEL (widget))) == GDK_KEY_p
         && gtk_label_get_mnemonic_widget (GTK_LABEL (widget)) != NULL;
}

static TsLayerList *
layer_list (TsWindow *window)
{
  return TS_LAYER_LIST (find_widget (ts_window_get_editor (window), is_layer_list, NULL));
}

static TsPretrainedGroup *
pretrained (TsWindow *window)
{
  return TS_PRETRAINED_GROUP (ts_experiment_editor_get_pretrained (TS_EXPERIMENT_EDITOR (ts_window_get_editor (window))));
}

static TsExperiment *
small_experiment (const char *name)
{
  TsExperiment *exp = ts_experiment_new_default ();

  g_assert_true (ts_experiment_set (exp, "name", name, NULL));
  g_assert_true (ts_experiment_set (exp, "model.layers", "32,32", NULL));
  g_assert_true (ts_experiment_set (exp, "train.epochs", "3", NULL));
  g_assert_true (ts_experiment_set (exp, "data.samples", "600", NULL));
  return exp;
}

static const TsExperiment *
selected_experiment (TsWindow *window)
{
  return ts_run_get_experiment (ts_window_get_selected (window));
}

/* Start on the selected run, to its end */
static TsRun *
train_selected (TsWindow *window)
{
  TsRun *run = ts_window_get_selected (window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL));
  g_assert_true (spin_until (run_is_final, run, 120));
  g_assert_cmpint (ts_run_get_state (run), ==, TS_RUN_DONE);
  g_assert_nonnull (ts_run_get_run_dir (run));
  return run;
}

static float *
tensor (const char *run_dir, const char *name)
{
  g_autofree char *path = g_build_filename (run_dir, "model.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsSafetensors) st = ts_safetensors_load (path, &error);
  float *data;

  g_assert_no_error (error);
  data = ts_safetensors_get_f32 (st, name, NULL, &error);
  g_assert_no_error (error);
  return data;
}

/* the window's parent run, trained once for the tests */
static TsWindow *
window_with_parent (void)
{
  TsWindow *window = new_window ();
  g_autoptr(TsExperiment) exp = small_experiment ("parent");
  TsRun *run;

  ts_window_add_experiment (window, exp);
  run = train_selected (window);
  g_free (parent_dir);
  parent_dir = g_strdup (ts_run_get_run_dir (run));
  parent_first_loss = (float) g_array_index (ts_run_get_curves (run)->loss, double, 0);
  return window;
}

/* selects the first choice whose label starts with label in the group's
 * drop-down (runs of one name: each with its folder) */
static void
choose (TsWindow *window, const char *label)
{
  AdwComboRow *row = ADW_COMBO_ROW (ts_pretrained_group_get_choice_row (pretrained (window)));
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_str_has_prefix (gtk_string_list_get_string (GTK_STRING_LIST (model), i), label))
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
  g_error ("no choice \"%s\" in the pre-trained model's drop-down", label);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* the page scrolled to the pre-trained model's group */
static void
shoot_page (TsWindow *window, const char *name)
{
  GtkWidget *group = GTK_WIDGET (pretrained (window));
  GtkWidget *scroller = gtk_widget_get_ancestor (group, GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;

  if (g_getenv ("TS_SCREENSHOT_DIR") == NULL)
    return;
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "experiment");
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 1000);
  spin_until (never, NULL, 2);
  if (gtk_widget_compute_bounds (group, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)), &bounds))
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)), bounds.origin.y - 12);
  spin_until (never, NULL, 2);
  cairo_surface_destroy (render_widget (GTK_WIDGET (window), name));
}

/* a finished run chosen in the drop-down sets model.init_from; the run
 * started from it begins where its parent ended */
static void
test_init_from_a_run (void)
{
  TsWindow *window = window_with_parent ();
  g_autoptr(TsExperiment) exp = small_experiment ("child");
  g_autofree char *json_path = NULL, *json = NULL;
  TsRun *child;
  float first;

  ts_window_add_experiment (window, exp);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "experiment");
  choose (window, "Run: parent");
  g_assert_cmpstr (selected_experiment (window)->model.init_from, ==, parent_dir);
  /* reached by keyboard: Alt+P on the drop-down's title */
  g_assert_nonnull (find_widget (ts_pretrained_group_get_choice_row (pretrained (window)), has_mnemonic_p, NULL));
  g_assert_cmpstr (ts_pretrained_group_get_verdict (pretrained (window)), ==, "6 tensors loaded by name and shape");
  g_assert_nonnull (find_label_containing (GTK_WIDGET (pretrained (window)), "“parent”, trained on builtin:spiral"));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (pretrained (window)), "layers.0: weight [32, 2] · bias [32]"));
  /* the sidebar's row of the draft names its parent run at once */
  g_assert_nonnull (find_label_containing (GTK_WIDGET (window), "fine-tuned from parent"));
  shoot_page (window, "experiment-page-pretrained.png");
  child = train_selected (window);
  /* its run folder says where it started, and its first loss is the parent's trained one */
  json_path = g_build_filename (ts_run_get_run_dir (child), "experiment.json", NULL);
  g_assert_true (g_file_get_contents (json_path, &json, NULL, NULL));
  g_assert_nonnull (strstr (json, parent_dir));
  first = (float) g_array_index (ts_run_get_curves (child)->loss, double, 0);
  g_test_message ("first loss: from scratch %.4f, from the parent %.4f", parent_first_loss, first);
  g_assert_cmpfloat (first, <, 0.8f * parent_first_loss);

  /* the clear button: back to the initialisation */
  ts_window_add_experiment (window, exp);
  choose (window, "Run: parent");
  g_assert_cmpstr (selected_experiment (window)->model.init_from, ==, parent_dir);
  choose (window, "None: start from the initialisation");
  g_assert_cmpstr (selected_experiment (window)->model.init_from, ==, "");
  g_assert_null (ts_pretrained_group_get_verdict (pretrained (window)));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* "Fine-tune from this run" on a finished run: a new run that starts from it */
static void
test_finetune_action (void)
{
  TsWindow *window = window_with_parent ();
  TsRun *parent = ts_window_get_selected (window), *child;
  guint n;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.finetune", NULL));
  child = ts_window_get_selected (window);
  g_assert_true (child != parent);
  g_assert_cmpstr (ts_run_get_experiment (child)->model.init_from, ==, ts_run_get_run_dir (parent));
  g_assert_cmpstr (ts_run_get_name (child), ==, "parent · fine-tuned");
  g_assert_cmpint (ts_run_get_state (child), ==, TS_RUN_READY);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (
                       ADW_VIEW_STACK (gtk_widget_get_ancestor (ts_window_get_editor (window), ADW_TYPE_VIEW_STACK))),
                   ==, "experiment");
  g_assert_cmpstr (ts_pretrained_group_get_verdict (pretrained (window)), ==, "6 tensors loaded by name and shape");
  /* not on a run that has no model yet */
  n = g_list_model_get_n_items (ts_window_get_runs (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.finetune", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (ts_window_get_runs (window)), ==, n);
  g_assert_true (ts_window_get_selected (window) == child);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* a locked layer: trainable false in the file, its weights bit-identical after training */
static void
test_lock_keeps_weights (void)
{
  TsWindow *window = window_with_parent ();
  g_autoptr(TsExperiment) exp = small_experiment ("child locked");
  g_autofree char *json = NULL, *layers = NULL;
  g_autofree float *w0 = NULL, *b0 = NULL, *w0_after = NULL, *b0_after = NULL, *w1 = NULL, *w1_after = NULL;
  TsLayerList *list;
  TsRun *child;

  g_free (exp->model.init_from);
  exp->model.init_from = g_strdup (parent_dir);
  ts_window_add_experiment (window, exp);
  list = layer_list (window);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (lock_of (list, 0)), TRUE);
  g_assert_true (g_array_index (selected_experiment (window)->model.layers, TsLayerSpec, 0).frozen);
  json = ts_experiment_to_json (selected_experiment (window));
  g_assert_nonnull (strstr (json, "\"trainable\" : false"));
  layers = ts_experiment_get_text (selected_experiment (window), "model.layers");
  g_assert_cmpstr (layers, ==, "32:frozen,32");
  /* the row says so, and the total counts what trains: 2·32+32 = 96 frozen of 96+1,056+99 */
  g_assert_nonnull (strstr (ts_layer_list_get_row_text (list, 0), "96 parameters, frozen"));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (ts_layer_list_get_row (list, 0))),
                            "frozen"));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (list), "1,251 parameters · 1,155 trained"));
  shoot_page (window, "experiment-page-locked.png");
  child = train_selected (window);

  w0 = tensor (parent_dir, "layers.0.weight"), w0_after = tensor (ts_run_get_run_dir (child), "layers.0.weight");
  b0 = tensor (parent_dir, "layers.0.bias"), b0_after = tensor (ts_run_get_run_dir (child), "layers.0.bias");
  w1 = tensor (parent_dir, "layers.1.weight"), w1_after = tensor (ts_run_get_run_dir (child), "layers.1.weight");
  g_assert_cmpint (memcmp (w0, w0_after, 32 * 2 * sizeof (float)), ==, 0);
  g_assert_cmpint (memcmp (b0, b0_after, 32 * sizeof (float)), ==, 0);
  g_assert_cmpint (memcmp (w1, w1_after, 32 * 32 * sizeof (float)), !=, 0); /* the rest trained */
  gtk_window_destroy (GTK_WINDOW (window));
}

/* lr_scale through the spin button, the experiment's text and JSON, and a restart */
static void
test_lr_scale_round_trip (void)
{
  TsWindow *window = new_window ();
  g_autoptr(TsExperiment) exp = small_experiment ("kept lr_scale");
  g_autoptr(TsExperiment) back = NULL;
  g_autofree char *layers = NULL, *json = NULL;
  TsLayerList *list;
  gboolean found = FALSE;

  ts_window_add_experiment (window, exp);
  list = layer_list (window);
  g_assert_cmpfloat (gtk_spin_button_get_value (lr_scale_of (list, 1)), ==, 1);
  gtk_spin_button_set_value (lr_scale_of (list, 1), 0.1);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (lock_of (list, 0)), TRUE);
  layers = ts_experiment_get_text (selected_experiment (window), "model.layers");
  g_assert_cmpstr (layers, ==, "32:frozen,32:lr=0.1");
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (ts_layer_list_get_row (list, 1))),
                            "lr ×0.1"));
  json = ts_experiment_to_json (selected_experiment (window));
  back = ts_experiment_from_json (json, -1, NULL);
  g_assert_nonnull (back);
  g_assert_cmpfloat_with_epsilon (ts_layer_lr_scale (&g_array_index (back->model.layers, TsLayerSpec, 1)), 0.1, 1e-7);
  /* back to 1: stored as unset, the text form has no lr= */
  gtk_spin_button_set_value (lr_scale_of (list, 1), 1);
  g_clear_pointer (&layers, g_free);
  layers = ts_experiment_get_text (selected_experiment (window), "model.layers");
  g_assert_cmpstr (layers, ==, "32:frozen,32");
  gtk_spin_button_set_value (lr_scale_of (list, 1), 0.25);

  gtk_window_close (GTK_WINDOW (window)); /* close-request keeps the drafts */
  window = ts_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  for (guint i = 0; i < g_list_model_get_n_items (ts_window_get_runs (window)); i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (ts_window_get_runs (window), i);
      if (g_str_equal (ts_run_get_name (run), "kept lr_scale"))
        {
          ts_window_select_run (window, run);
          found = TRUE;
        }
    }
  g_assert_true (found);
  list = layer_list (window);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (lr_scale_of (list, 1)), 0.25, 1e-6);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (lock_of (list, 0))));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (lock_of (list, 1))));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* model.freeze holds the first layers' locks down: shown locked, not unlockable there */
static void
test_freeze_shows_on_locks (void)
{
  TsWindow *window = new_window ();
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));
  TsLayerList *list = layer_list (window);

  g_assert_true (ts_experiment_editor_edit (editor, "model.layers", "32,32"));
  g_assert_true (ts_experiment_editor_edit (editor, "model.freeze", "1"));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (lock_of (list, 0))));
  g_assert_false (gtk_widget_get_sensitive (lock_of (list, 0)));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (lock_of (list, 1))));
  g_assert_nonnull (strstr (ts_layer_list_get_row_text (list, 0), ", frozen"));
  /* the entry's own trainable is untouched: the file says model.freeze, not trainable false */
  g_assert_false (g_array_index (selected_experiment (window)->model.layers, TsLayerSpec, 0).frozen);
  g_assert_true (ts_experiment_editor_edit (editor, "model.freeze", "0"));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (lock_of (list, 0))));
  g_assert_true (gtk_widget_get_sensitive (lock_of (list, 0)));
  g_assert_null (strstr (ts_layer_list_get_row_text (list, 0), "frozen"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* a model of other layers: the tensor and both shapes on the page, the
 * message the run fails with, and Start waits */
static void
test_mismatch_refused (void)
{
  TsWindow *window = window_with_parent ();
  g_autoptr(TsExperiment) exp = small_experiment ("child mismatched");
  g_autoptr(TsRun) direct = NULL;
  g_autofree char *expected = NULL, *runs = NULL;
  TsRun *child;

  g_assert_true (ts_experiment_set (exp, "model.layers", "64,32", NULL));
  child = ts_window_add_experiment (window, exp);
  choose (window, "Run: parent");
  expected = g_strdup_printf ("model.init_from: tensor layers.0.weight is [32, 2] in %s/model.safetensors, this "
                              "experiment's model needs [64, 2]", parent_dir);
  g_assert_cmpstr (ts_pretrained_group_get_verdict (pretrained (window)), ==, expected);
  g_assert_nonnull (find_label_containing (GTK_WIDGET (pretrained (window)), "Does not fit this model"));
  g_assert_false (ts_experiment_editor_is_valid (TS_EXPERIMENT_EDITOR (ts_window_get_editor (window))));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  g_assert_cmpint (ts_run_get_state (child), ==, TS_RUN_READY);
  g_assert_false (ts_run_is_queued (child));
  shoot_page (window, "experiment-page-mismatch.png");

  /* the same experiment run anyway fails with that message */
  direct = ts_run_new (ts_run_get_experiment (child), 0);
  runs = make_temp_dir ();
  ts_run_start (direct, runs);
  g_assert_true (spin_until (run_is_final, direct, 60));
  g_assert_cmpint (ts_run_get_state (direct), ==, TS_RUN_FAILED);
  g_assert_cmpstr (ts_run_get_message (direct), ==, expected);

  /* the layers made to fit: it fits, and Start is back */
  g_assert_true (ts_experiment_editor_edit (TS_EXPERIMENT_EDITOR (ts_window_get_editor (window)), "model.layers",
                                            "32,32"));
  g_assert_cmpstr (ts_pretrained_group_get_verdict (pretrained (window)), ==, "6 tensors loaded by name and shape");
  g_assert_true (ts_experiment_editor_is_valid (TS_EXPERIMENT_EDITOR (ts_window_get_editor (window))));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autofree char *data_home = window_test_init (&argc, &argv);

  g_test_add_func ("/ui/finetune-page/init-from-a-run", test_init_from_a_run);
  g_test_add_func ("/ui/finetune-page/finetune-action", test_finetune_action);
  g_test_add_func ("/ui/finetune-page/lock-keeps-weights", test_lock_keeps_weights);
  g_test_add_func ("/ui/finetune-page/lr-scale-round-trip", test_lr_scale_round_trip);
  g_test_add_func ("/ui/finetune-page/freeze-shows-on-locks", test_freeze_shows_on_locks);
  g_test_add_func ("/ui/finetune-page/mismatch-refused", test_mismatch_refused);
  return g_test_run ();
}
