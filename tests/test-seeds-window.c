/* Seed groups and ensembles in a real window (under Xvfb), on real data:
 * "Repeat with N seeds" trains a group folder laid out as `run --seeds`,
 * the group is one sidebar entry that expands, its curves are drawn with a
 * ±1 std band, it survives a restart, a CLI-made group folder opens as the
 * same kind of entry, and the Ensemble page gives the CLI's numbers. */
#include "cli-util.h"
#include "window-util.h"
#include "ts-ensemble-page.h"
#include "ts-json.h"
#include "ts-seed-group.h"

#include <math.h>
#include <string.h>

#define EPOCHS "3"

static TsExperiment *
small_experiment (const char *name)
{
  TsExperiment *exp = ts_experiment_new_default ();

  g_assert_true (ts_experiment_set (exp, "train.epochs", EPOCHS, NULL));
  g_assert_true (ts_experiment_set (exp, "data.samples", "900", NULL));
  g_assert_true (ts_experiment_set (exp, "name", name, NULL));
  return exp;
}

static TsWindow *
window_with (const char *name)
{
  TsWindow *window = ts_window_new (NULL);
  g_autoptr(TsExperiment) exp = small_experiment (name);

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 1000);
  ts_window_add_experiment (window, exp);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static gboolean
entry_is_final (gpointer entry)
{
  return ts_run_state_is_final (ts_run_get_state (entry));
}

/* the sidebar row showing run */
static GtkWidget *
row_of (GtkWidget *root, TsRun *run)
{
  if (GTK_IS_LIST_BOX_ROW (root) && g_object_get_data (G_OBJECT (root), "run") == run)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = row_of (child, run);
      if (found)
        return found;
    }
  return NULL;
}

/* pixels of surface within 12 levels of rgb blended at alpha over the background */
static int
count_blend (cairo_surface_t *surface, const double rgb[3], double alpha, const double bg[3])
{
  int w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface), n = 0;
  int want[3];

  for (int c = 0; c < 3; c++)
    want[c] = (int) round (255 * (alpha * rgb[c] + (1 - alpha) * bg[c]));
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 p = *(guint32 *) (cairo_image_surface_get_data (surface) + y * cairo_image_surface_get_stride (surface)
                                  + x * 4);
        n += abs ((int) ((p >> 16) & 0xff) - want[0]) < 12 && abs ((int) ((p >> 8) & 0xff) - want[1]) < 12
             && abs ((int) (p & 0xff) - want[2]) < 12;
      }
  return n;
}

/* the band's tint in the entry's colour: present over a sizeable area */
static int
band_pixels (TsWindow *window, TsRun *entry, int kind, const char *png)
{
  GtkWidget *plot = ts_window_get_plot (window, kind);
  TsPlotStyle style = ts_plot_style_default (adw_style_manager_get_dark (adw_style_manager_get_default ()));
  cairo_surface_t *surface;
  double rgb[3];
  int n;

  gtk_widget_queue_draw (plot);
  spin_until (frames_drawn, plot, 2);
  surface = render_widget (plot, png);
  ts_plot_palette (ts_run_get_colour (entry), rgb);
  n = count_blend (surface, rgb, 0.22, style.background);
  cairo_surface_destroy (surface);
  g_test_message ("%s: %d pixels in the band's tint", png, n);
  return n;
}

/* mean and std (n − 1) of the members' values at i */
static void
members_at (GPtrArray *members, gboolean val, guint i, double *mean, double *std)
{
  double sum = 0, ss = 0;
  guint n = members->len;

  for (guint m = 0; m < n; m++)
    {
      const TsCurveData *d = ts_run_get_curves (members->pdata[m]);
      sum += g_array_index (val ? d->val_acc : d->train_acc, double, i);
    }
  *mean = sum / n;
  for (guint m = 0; m < n; m++)
    {
      const TsCurveData *d = ts_run_get_curves (members->pdata[m]);
      double v = g_array_index (val ? d->val_acc : d->train_acc, double, i) - *mean;
      ss += v * v;
    }
  *std = sqrt (ss / (n - 1));
}

static void
assert_group_matches_json (TsSeedGroup *group, const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "group.json", NULL);
  g_autoptr(JsonNode) root = ts_json_load_file (path, NULL);
  JsonObject *val;
  double mean, std;
  guint n;

  g_assert_nonnull (root);
  val = json_object_get_object_member (json_object_get_object_member (json_node_get_object (root), "metrics"),
                                       "val_acc");
  g_assert_true (ts_seed_group_get_metric (group, "val_acc", &mean, &std, &n));
  g_assert_cmpuint (n, ==, json_object_get_int_member (val, "n"));
  g_assert_cmpfloat_with_epsilon (mean, json_object_get_double_member (val, "mean"), 1e-12);
  g_assert_cmpfloat_with_epsilon (std, json_object_get_double_member (val, "std"), 1e-12);
}

/* the dialog "Repeat with N seeds" shows, or NULL */
static AdwMessageDialog *
find_seeds_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (w) && g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (w)),
                                                  "Repeat with Seeds") == 0)
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

/* the action (Ctrl+Shift+R, the menus) asks how many, 3 unless changed */
static TsRun *
repeat_through_dialog (TsWindow *window)
{
  AdwMessageDialog *dialog;
  GtkWidget *spin;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.repeat-seeds", NULL));
  dialog = find_seeds_dialog ();
  g_assert_nonnull (dialog);
  spin = gtk_widget_get_last_child (adw_message_dialog_get_extra_child (dialog));
  g_assert_true (GTK_IS_SPIN_BUTTON (spin));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)), ==, 3);
  adw_message_dialog_response (dialog, "repeat");
  gtk_window_destroy (GTK_WINDOW (dialog));
  return ts_window_get_selected (window);
}

/* Repeat with 3 seeds: the layout, the entry, the mean ± std, the band, a restart */
static void
test_repeat_with_seeds (void)
{
  TsWindow *window = window_with ("seeds test");
  TsRun *entry = repeat_through_dialog (window);
  TsSeedGroup *group;
  GPtrArray *members;
  g_autofree char *dir = NULL, *line = NULL, *group_json = NULL;
  const TsCurveData *d;
  guint n_entries = 0;

  g_assert_nonnull (entry);
  g_assert_true (ts_window_get_selected (window) == entry);
  group = TS_SEED_GROUP (ts_run_get_seed_group (entry));
  members = ts_seed_group_get_members (group);
  dir = g_strdup (ts_seed_group_get_dir (group));
  g_assert_cmpuint (members->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("seed-%u", 7 + i);
      g_autofree char *want = g_build_filename (dir, name, NULL);
      g_assert_true (ts_run_get_member_of (members->pdata[i]) == G_OBJECT (group));
      g_assert_cmpuint (ts_run_get_experiment (members->pdata[i])->seed, ==, 7 + i);
      g_assert_cmpstr (ts_run_get_run_dir (members->pdata[i]), ==, want);
      g_assert_false (ts_run_get_overlay (members->pdata[i]));
    }
  /* one entry, its seeds' rows shown only when it is expanded */
  g_assert_false (gtk_widget_get_visible (row_of (GTK_WIDGET (window), members->pdata[0])));
  g_assert_true (gtk_widget_get_visible (row_of (GTK_WIDGET (window), entry)));
  ts_seed_group_set_expanded (group, TRUE);
  g_assert_true (gtk_widget_get_visible (row_of (GTK_WIDGET (window), members->pdata[0])));
  g_assert_true (gtk_widget_get_visible (row_of (GTK_WIDGET (window), members->pdata[2])));
  g_assert_nonnull (g_object_get_data (G_OBJECT (row_of (GTK_WIDGET (window), entry)), "expander"));
  ts_seed_group_set_expanded (group, FALSE);

  g_assert_true (spin_until (entry_is_final, entry, 240));
  g_assert_cmpint (ts_run_get_state (entry), ==, TS_RUN_DONE);
  group_json = g_build_filename (dir, "group.json", NULL);
  g_assert_true (g_file_test (group_json, G_FILE_TEST_IS_REGULAR));
  assert_group_matches_json (group, dir);
  line = ts_run_status_line (entry, 0.6);
  g_test_message ("%s", line);
  g_assert_nonnull (strstr (line, "val acc "));
  g_assert_nonnull (strstr (line, " ± "));

  /* the entry's curves: the members' mean, each point's std beside it */
  d = ts_run_get_curves (entry);
  g_assert_cmpuint (d->epoch->len, ==, 3);
  g_assert_nonnull (d->val_acc_std);
  for (guint i = 0; i < 3; i++)
    {
      double mean, std;
      members_at (members, TRUE, i, &mean, &std);
      g_assert_cmpfloat_with_epsilon (g_array_index (d->val_acc, double, i), mean, 1e-12);
      g_assert_cmpfloat_with_epsilon (g_array_index (d->val_acc_std, double, i), std, 1e-12);
      members_at (members, FALSE, i, &mean, &std);
      g_assert_cmpfloat_with_epsilon (g_array_index (d->train_acc, double, i), mean, 1e-12);
      g_assert_cmpfloat_with_epsilon (g_array_index (d->train_acc_std, double, i), std, 1e-12);
    }
  g_assert_cmpuint (d->step->len, ==, ts_run_get_curves (members->pdata[0])->step->len);

  /* the band is drawn: the entry's colour, faint, over a sizeable area */
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (gtk_widget_get_ancestor (ts_window_get_plot (window, 0),
                                                                                    ADW_TYPE_VIEW_STACK)),
                                         "training");
  g_assert_cmpint (band_pixels (window, entry, TS_RUN_PLOT_LOSS, "seeds-loss.png"), >, 5000); /* 717 without a band: the raw line's tint */
  g_assert_cmpint (band_pixels (window, entry, TS_RUN_PLOT_ACCURACY, "seeds-accuracy.png"), >, 2000);
  cairo_surface_destroy (render_widget (GTK_WIDGET (window), "seeds-window.png"));

  /* a restart: the group comes back as one entry over its three seeds */
  gtk_window_close (GTK_WINDOW (window));
  window = ts_window_new (NULL);
  for (guint i = 0; i < g_list_model_get_n_items (ts_window_get_runs (window)); i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (ts_window_get_runs (window), i);
      GObject *g = ts_run_get_seed_group (run);
      if (g && g_str_equal (ts_seed_group_get_dir (TS_SEED_GROUP (g)), dir))
        {
          n_entries++;
          g_assert_cmpuint (ts_seed_group_get_members (TS_SEED_GROUP (g))->len, ==, 3);
          g_assert_cmpint (ts_run_get_state (run), ==, TS_RUN_DONE);
          assert_group_matches_json (TS_SEED_GROUP (g), dir);
        }
      else if (ts_run_get_run_dir (run) && g_str_has_prefix (ts_run_get_run_dir (run), dir))
        g_assert_nonnull (ts_run_get_member_of (run)); /* no seed loose beside its group */
    }
  g_assert_cmpuint (n_entries, ==, 1);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* a folder from `trainscope-cli run --seeds 2`, written by the CLI */
static char *
cli_group (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *exp_path = g_build_filename (tmp, "exp.json", NULL);
  g_autoptr(TsExperiment) exp = small_experiment ("cli group");
  g_autofree char *json = ts_experiment_to_json (exp);
  g_autofree char *out = NULL, *err = NULL;
  char *dir = g_build_filename (tmp, "group", NULL);

  g_assert_true (ts_experiment_set (exp, "train.checkpoint_every", "1", NULL)); /* snapshot members too */
  g_free (json);
  json = ts_experiment_to_json (exp);
  g_assert_true (g_file_set_contents (exp_path, json, -1, NULL));
  if (run_cli (&out, &err, "run", exp_path, "--seeds", "2", "--out", dir, NULL) != 0)
    g_error ("trainscope-cli run --seeds: %s%s", out, err);
  return dir;
}

static gboolean
page_idle (gpointer page)
{
  return !ts_ensemble_page_is_busy (page);
}

/* the page's ensemble.json beside the CLI's on the same members */
static void
assert_same_ensemble (const char *page_dir, const char *cli_dir)
{
  g_autofree char *a_path = g_build_filename (page_dir, "ensemble.json", NULL);
  g_autofree char *b_path = g_build_filename (cli_dir, "ensemble.json", NULL);
  g_autoptr(JsonNode) a = ts_json_load_file (a_path, NULL);
  g_autoptr(JsonNode) b = ts_json_load_file (b_path, NULL);
  g_autofree char *a_text = NULL, *b_text = NULL;

  g_assert_nonnull (a);
  g_assert_nonnull (b);
  a_text = json_to_string (a, TRUE), b_text = json_to_string (b, TRUE);
  g_test_message ("%s", a_text);
  g_assert_cmpstr (a_text, ==, b_text);
}

/* a CLI-made group opens as one entry; the Ensemble page on its seeds gives
 * what `trainscope-cli ensemble` gives on them */
static void
test_cli_group_and_ensemble_page (void)
{
  g_autofree char *dir = cli_group ();
  g_autofree char *seed7 = g_build_filename (dir, "seed-7", NULL), *seed8 = g_build_filename (dir, "seed-8", NULL);
  g_autofree char *cli_out = g_strconcat (dir, "-ensemble", NULL);
  g_autofree char *out = NULL, *err = NULL;
  TsWindow *window = window_with ("other");
  g_autoptr(GError) error = NULL;
  TsEnsemblePage *page = TS_ENSEMBLE_PAGE (ts_window_get_ensemble_page (window));
  const TsEnsembleResult *r;
  TsRun *entry;
  TsSeedGroup *group;

  g_assert_true (ts_window_open_path (window, dir, &error));
  g_assert_no_error (error);
  entry = ts_window_get_selected (window);
  g_assert_nonnull (ts_run_get_seed_group (entry));
  group = TS_SEED_GROUP (ts_run_get_seed_group (entry));
  g_assert_cmpstr (ts_run_get_name (entry), ==, "cli group · 2 seeds");
  g_assert_cmpuint (ts_seed_group_get_members (group)->len, ==, 2);
  g_assert_cmpint (ts_run_get_state (entry), ==, TS_RUN_DONE);
  g_assert_cmpuint (ts_run_get_curves (entry)->epoch->len, ==, 3);
  assert_group_matches_json (group, dir);
  g_assert_false (gtk_widget_get_visible (row_of (GTK_WIDGET (window), ts_seed_group_get_members (group)->pdata[0])));

  /* the page: the group's seeds, late and early fusion */
  ts_ensemble_page_refresh (page);
  g_assert_cmpuint (ts_ensemble_page_check (page, "cli group · 2 seeds", TRUE), ==, 1);
  ts_ensemble_page_set_fusion (page, "both");
  g_assert_true (ts_ensemble_page_start (page));
  g_assert_false (ts_ensemble_page_start (page)); /* one at a time */
  g_assert_true (spin_until (page_idle, page, 120));
  g_assert_null (ts_ensemble_page_get_error (page));
  r = ts_ensemble_page_get_result (page);
  g_assert_nonnull (r);
  g_assert_cmpuint (r->n_members, ==, 2);
  g_assert_true (r->has_late && r->has_early);
  g_assert_cmpint (run_cli (&out, &err, "ensemble", seed7, seed8, "--out", cli_out, "--json", NULL), ==, 0);
  assert_same_ensemble (ts_ensemble_page_get_output_dir (page), cli_out);
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (page), ADW_TYPE_VIEW_STACK)),
                                         "ensemble");
  spin_until (frames_drawn, page, 2);
  cairo_surface_destroy (render_widget (GTK_WIDGET (window), "ensemble-page.png"));
  /* ticking the group ticked its group's row only, kept across a refresh */
  g_assert_cmpuint (ts_ensemble_page_check (page, "cli group · seed", FALSE), ==, 8); /* the seeds and their checkpoints */
  ts_ensemble_page_refresh (page);
  g_assert_cmpuint (ts_ensemble_page_checked (page), ==, 1);
  {
    g_autofree char *png = g_build_filename (ts_ensemble_page_get_output_dir (page), "ensemble-curve.png", NULL);
    g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
  }

  /* a snapshot ensemble: one seed's checkpoints, late fusion only, as
   * `ensemble seed-7 --checkpoints --fusion late` */
  g_assert_cmpuint (ts_ensemble_page_check (page, "cli group", FALSE), ==, 9); /* the group, 2 seeds, 6 checkpoints */
  g_assert_cmpuint (ts_ensemble_page_check (page, "cli group · seed 7 · checkpoint", TRUE), ==, 3);
  ts_ensemble_page_set_fusion (page, "late");
  g_assert_true (ts_ensemble_page_start (page));
  g_assert_true (spin_until (page_idle, page, 120));
  g_assert_null (ts_ensemble_page_get_error (page));
  r = ts_ensemble_page_get_result (page);
  g_assert_cmpuint (r->n_members, ==, 3);
  g_assert_true (r->has_late && !r->has_early);
  g_free (cli_out);
  cli_out = g_strconcat (dir, "-snapshots", NULL);
  g_assert_cmpint (run_cli (&out, &err, "ensemble", seed7, "--checkpoints", "--fusion", "late", "--out", cli_out, NULL),
                   ==, 0);
  assert_same_ensemble (ts_ensemble_page_get_output_dir (page), cli_out);

  /* a seed is not removed alone; removing the entry removes its seeds */
  ts_window_select_run (window, ts_seed_group_get_members (group)->pdata[0]);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.remove-run", NULL); /* disabled */
  {
    guint position;
    g_assert_true (g_list_store_find (G_LIST_STORE (ts_window_get_runs (window)),
                                      ts_seed_group_get_members (group)->pdata[0], &position));
  }
  ts_window_select_run (window, entry);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.remove-run", NULL));
  for (guint i = 0; i < g_list_model_get_n_items (ts_window_get_runs (window)); i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (ts_window_get_runs (window), i);
      g_assert_false (ts_run_get_run_dir (run) && g_str_has_prefix (ts_run_get_run_dir (run), dir));
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autofree char *data_home = window_test_init (&argc, &argv);

  g_test_add_func ("/ui/seeds/repeat-with-seeds", test_repeat_with_seeds);
  g_test_add_func ("/ui/seeds/cli-group-and-ensemble-page", test_cli_group_and_ensemble_page);
  return g_test_run ();
}
