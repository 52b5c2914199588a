/* The window's Search page on real data (the built-in default, 2 trials ×
 * 2 folds × 2 epochs): it writes what trainscope-cli search writes, each
 * resumes the other's folder, the table and scatter fill, bad space rows
 * get the CLI's errors, and the Slurm path goes through core's backend —
 * against fake sbatch/sacct/scontrol here, against a real one-node
 * cluster in the slurm suite (/slurm/search-page, skipped without one). */
#include "window-util.h"
#include "cli-util.h"
#include "ts-search-page.h"
#include "ts-ensemble-page.h"
#include "ts-json.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define SPACE "{\"train.lr\": {\"log_uniform\": [0.01, 0.3]}, \"model.activation\": {\"choice\": [\"relu\", \"tanh\"]}}"

static TsSearchPage *
window_page (TsWindow **window)
{
  *window = new_window ();
  return TS_SEARCH_PAGE (ts_window_get_search_page (*window));
}

static gboolean
page_idle (gpointer page)
{
  return !ts_search_page_is_running (page);
}

/* the page's search: SPACE, 2 trials × 2 folds × 2 epochs, seed 7 */
static void
run_page (TsSearchPage *page, const char *out, double seconds)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ts_search_page_set_space (page, SPACE, &error));
  ts_search_page_set_counts (page, 2, 2, 2, 7);
  g_assert_true (ts_search_page_start (page, out, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (spin_until (page_idle, page, seconds));
  g_assert_null (ts_search_page_get_message (page));
}

static void
write_space (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "space.json", NULL);
  g_assert_true (g_file_set_contents (path, SPACE, -1, NULL));
}

/* the CLI's search with the page's settings */
static int
run_cli_search (const char *dir, const char *out, gboolean resume, char **err)
{
  g_autofree char *space = g_build_filename (dir, "space.json", NULL);
  g_autofree char *stdout_text = NULL;
  return run_cli (&stdout_text, err, "search", "default", "--space", space, "--trials", "2", "--folds", "2",
                  "--epochs", "2", "--seed", "7", "--out", out, resume ? "--resume" : NULL, NULL);
}

static char *
read_text (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* results.csv without its seconds column (the one thing that may differ) */
static char *
results_without_seconds (const char *dir)
{
  g_autofree char *text = read_text (dir, "results.csv");
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_auto(GStrv) head = g_strsplit (lines[0], ",", -1);
  GString *out = g_string_new (NULL);
  int skip = -1;

  for (int i = 0; head[i]; i++)
    if (g_str_equal (head[i], "seconds"))
      skip = i;
  g_assert_cmpint (skip, >=, 0);
  for (guint l = 0; lines[l]; l++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[l], ",", -1);
      for (int i = 0; cells[i]; i++)
        if (i != skip)
          g_string_append_printf (out, "%s,", cells[i]);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

static gint64
mtime (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (gint64) st.st_mtime * 1000000000 + st.st_mtim.tv_nsec;
}

static void
test_local_equals_cli (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *page_out = g_build_filename (dir, "page", NULL), *cli_out = g_build_filename (dir, "cli", NULL);
  g_autofree char *err = NULL, *a = NULL, *b = NULL, *ja = NULL, *jb = NULL, *state = NULL;
  TsWindow *window;
  TsSearchPage *page = window_page (&window);

  run_page (page, page_out, 120);
  write_space (dir);
  g_assert_cmpint (run_cli_search (dir, cli_out, FALSE, &err), ==, 0);
  a = results_without_seconds (page_out), b = results_without_seconds (cli_out);
  g_assert_cmpstr (a, ==, b);
  ja = read_text (page_out, "search.json"), jb = read_text (cli_out, "search.json");
  g_assert_cmpstr (ja, ==, jb);
  /* the same figures as the CLI writes */
  for (const char *const *f = (const char *const[]) { "search-train.lr.png", "search-model.activation.png",
                                                      "search-curves.png", "tasks.csv", "search-config.json", NULL };
       *f; f++)
    {
      g_autofree char *path = g_build_filename (page_out, *f, NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  state = ts_search_page_dup_task_state (page, 1, 1);
  g_assert_true (g_str_has_prefix (state, "done · ") && g_str_has_suffix (state, "%"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* the CLI's --resume on the page's folder trains nothing; the page's
 * Resume on a CLI folder with one fold missing trains only that one */
static void
test_resume_both_ways (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *page_out = g_build_filename (dir, "page", NULL), *cli_out = g_build_filename (dir, "cli", NULL);
  g_autofree char *err = NULL, *fold = g_build_filename (cli_out, "trials", "1", "fold-0", NULL);
  g_autofree char *before = NULL, *after = NULL, *message = NULL;
  g_autoptr(GError) error = NULL;
  gint64 kept;
  TsWindow *window;
  TsSearchPage *page = window_page (&window);

  run_page (page, page_out, 120);
  write_space (dir);
  /* the page's experiment.json and space.json are what the CLI resumes with */
  {
    g_autofree char *exp = g_build_filename (page_out, "experiment.json", NULL);
    g_autofree char *space = g_build_filename (page_out, "space.json", NULL);
    g_autofree char *out = NULL;
    g_assert_cmpint (run_cli (&out, &err, "search", exp, "--space", space, "--trials", "2", "--folds", "2", "--out",
                              page_out, "--resume", NULL), ==, 0);
    g_assert_nonnull (strstr (out, "0 trained now, 4 finished before"));
  }
  g_assert_cmpint (run_cli_search (dir, cli_out, FALSE, &err), ==, 0);
  before = results_without_seconds (cli_out);
  kept = mtime (cli_out, "trials/0/fold-0/summary.json");
  {
    g_autoptr(GFile) f = g_file_new_for_path (fold);
    g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", fold);
    g_assert_cmpint (system (rm), ==, 0);
  }
  g_assert_true (ts_search_page_resume (page, cli_out, &error));
  g_assert_no_error (error);
  g_assert_true (spin_until (page_idle, page, 120));
  g_assert_null (ts_search_page_get_message (page));
  g_assert_cmpint (mtime (cli_out, "trials/0/fold-0/summary.json"), ==, kept);
  g_assert_true (g_file_test (fold, G_FILE_TEST_IS_DIR));
  after = results_without_seconds (cli_out);
  g_assert_cmpstr (after, ==, before);
  /* a folder that holds a search is not started over */
  g_assert_false (ts_search_page_start (page, cli_out, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "already holds a search"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* the page searches the selected run's experiment as it is when the page
 * is shown (edited since it was selected, as the Experiment page does) */
static void
test_follows_edits (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *out = g_build_filename (dir, "s", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) edited = NULL, used = NULL;
  g_autofree char *used_path = g_build_filename (out, "experiment.json", NULL);
  TsWindow *window;
  TsSearchPage *page = window_page (&window);
  TsRun *run = ts_window_get_selected (window);
  AdwViewStack *stack = ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (page), ADW_TYPE_VIEW_STACK));

  edited = ts_experiment_copy (ts_run_get_experiment (run));
  g_assert_true (ts_experiment_set (edited, "train.l2", "0.0123", &error));
  g_assert_true (ts_experiment_set (edited, "train.epochs", "2", &error));
  ts_run_set_experiment (run, edited);
  adw_view_stack_set_visible_child_name (stack, "search");
  g_assert_true (ts_search_page_set_space (page, "{\"model.activation\": {\"choice\": [\"relu\", \"tanh\"]}}", &error));
  ts_search_page_set_counts (page, 1, 2, 2, 7);
  g_assert_true (ts_search_page_start (page, out, FALSE, &error));
  g_assert_true (spin_until (page_idle, page, 120));
  used = ts_experiment_load_file (used_path, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (used->train.l2, ==, 0.0123);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Stop leaves the search unfinished and says so; Resume Folder completes it
 * to the same results as an uninterrupted CLI search */
static void
test_stop_and_resume (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *page_out = g_build_filename (dir, "page", NULL), *cli_out = g_build_filename (dir, "cli", NULL);
  g_autofree char *err = NULL, *a = NULL, *b = NULL;
  g_autoptr(GError) error = NULL;
  TsWindow *window;
  TsSearchPage *page = window_page (&window);

  g_assert_true (ts_search_page_set_space (page, SPACE, &error));
  ts_search_page_set_counts (page, 2, 2, 2, 7);
  g_assert_true (ts_search_page_start (page, page_out, FALSE, &error));
  g_assert_true (ts_search_page_is_running (page));
  ts_search_page_stop (page);
  g_assert_true (spin_until (page_idle, page, 30));
  g_assert_nonnull (ts_search_page_get_message (page));
  g_assert_nonnull (strstr (ts_search_page_get_message (page), "Stopped with "));
  g_assert_nonnull (strstr (ts_search_page_get_message (page), " of 4 tasks finished"));
  g_assert_true (ts_search_page_resume (page, page_out, &error));
  g_assert_no_error (error);
  g_assert_true (spin_until (page_idle, page, 120));
  g_assert_null (ts_search_page_get_message (page));
  write_space (dir);
  g_assert_cmpint (run_cli_search (dir, cli_out, FALSE, &err), ==, 0);
  a = results_without_seconds (page_out), b = results_without_seconds (cli_out);
  g_assert_cmpstr (a, ==, b);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
colourful (cairo_surface_t *s, int *count)
{
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);
  int stride = cairo_image_surface_get_stride (s);
  const guint8 *data = cairo_image_surface_get_data (s);

  *count = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        const guint8 *p = data + y * stride + 4 * x;
        int r = p[2], g = p[1], b = p[0];
        *count += MAX (MAX (r, g), b) - MIN (MIN (r, g), b) > 60; /* a series colour, not grey text */
      }
  return *count > 0;
}

static void
test_table_and_scatter (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *out = g_build_filename (dir, "s", NULL), *png = g_build_filename (dir, "scatter.png", NULL);
  g_autoptr(GError) error = NULL;
  cairo_surface_t *before, *after, *exported;
  int n_before, n_after, n_export;
  TsWindow *window;
  TsSearchPage *page = window_page (&window);
  AdwViewStack *stack = ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (page), ADW_TYPE_VIEW_STACK));

  adw_view_stack_set_visible_child_name (stack, "search");
  before = render_widget (ts_search_page_get_scatter (page), "search-empty.png");
  colourful (before, &n_before);
  run_page (page, out, 120);
  after = render_widget (ts_search_page_get_scatter (page), "search-scatter.png");
  g_assert_true (colourful (after, &n_after));
  g_assert_cmpint (n_after, >, n_before + 20);
  {
    /* the trials' validation curves: two series' colours */
    cairo_surface_t *curves = render_widget (ts_search_page_get_curves (page), "search-curves.png");
    int n_curves;
    g_assert_true (colourful (curves, &n_curves));
    g_assert_cmpint (n_curves, >, 100);
    cairo_surface_destroy (curves);
  }
  /* the table: each trial's CV accuracy and seconds */
  g_assert_nonnull (find_widget (ts_search_page_get_table (page), is_label_containing, " ± "));
  g_assert_nonnull (find_widget (ts_search_page_get_table (page), is_label_containing, "done · "));
  {
    cairo_surface_t *page_png = render_widget (GTK_WIDGET (window), "search-page.png");
    cairo_surface_destroy (page_png);
  }
  /* Trial 1's button opens its two fold runs in the sidebar, on the Training page */
  {
    GListModel *runs = ts_window_get_runs (window);
    guint before_runs = g_list_model_get_n_items (runs);
    GtkWidget *button = find_widget (ts_search_page_get_table (page), is_button_labelled, "Trial 1");
    g_autofree char *fold0 = g_build_filename (out, "trials", "1", "fold-0", NULL);
    g_autofree char *fold1 = g_build_filename (out, "trials", "1", "fold-1", NULL);
    g_assert_nonnull (button);
    g_signal_emit_by_name (button, "clicked");
    g_assert_cmpuint (g_list_model_get_n_items (runs), ==, before_runs + 2);
    g_assert_cmpstr (ts_run_get_run_dir (ts_window_get_selected (window)), ==, fold0);
    {
      g_autoptr(TsRun) newest = g_list_model_get_item (runs, 0);
      g_assert_cmpstr (ts_run_get_run_dir (newest), ==, fold1);
      g_assert_cmpint (ts_run_get_state (newest), ==, TS_RUN_DONE);
    }
    g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "training");
    g_signal_emit_by_name (button, "clicked"); /* open already: selected again, not added twice */
    g_assert_cmpuint (g_list_model_get_n_items (runs), ==, before_runs + 2);
    adw_view_stack_set_visible_child_name (stack, "search");
  }
  /* the choice key's scatter too, and the export every figure has */
  ts_search_page_set_scatter_key (page, 1);
  g_assert_true (ts_figure_export (TS_FIGURE (ts_search_page_get_scatter (page)), png, 1, &error));
  g_assert_no_error (error);
  exported = cairo_image_surface_create_from_png (png);
  g_assert_true (colourful (exported, &n_export));
  cairo_surface_destroy (before);
  cairo_surface_destroy (after);
  cairo_surface_destroy (exported);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* the page's message for a space equals the CLI's for that space.json */
static void
check_bad_space (const char *dir, const char *json)
{
  g_autofree char *path = g_build_filename (dir, "space.json", NULL);
  g_autofree char *out = NULL, *err = NULL, *expected = NULL, *cwd = g_get_current_dir ();
  g_autofree char *where = g_build_filename (dir, "never", NULL);
  g_autoptr(GError) error = NULL;
  TsWindow *window;
  TsSearchPage *page = window_page (&window);

  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  g_assert_cmpint (g_chdir (dir), ==, 0);
  g_assert_cmpint (run_cli (&out, &err, "search", "default", "--space", "space.json", "--trials", "2", "--out",
                            "never", NULL), ==, 2);
  g_assert_cmpint (g_chdir (cwd), ==, 0);
  expected = g_strdup (g_strstrip (err) + strlen ("trainscope-cli: "));
  g_assert_true (ts_search_page_set_space (page, json, &error));
  g_assert_false (ts_search_page_start (page, where, FALSE, &error));
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpstr (ts_search_page_get_message (page), ==, expected);
  g_assert_false (g_file_test (where, G_FILE_TEST_EXISTS));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_bad_space (void)
{
  g_autofree char *dir = make_temp_dir ();

  check_bad_space (dir, "{\"train.lr\": {\"log_uniform\": [0.3, 0.01]}}");
  check_bad_space (dir, "{\"train.nope\": {\"uniform\": [0, 1]}}");
  check_bad_space (dir, "{\"model.activation\": {\"choice\": []}}");
  check_bad_space (dir, "{\"train.lr\": {\"log_uniform\": [0, 0.1]}}");
  check_bad_space (dir, "{\"model.activation\": {\"choice\": [\"relu\", \"swish\"]}}");
  check_bad_space (dir, "{\"train.epochs\": {\"int\": [1.5, 4]}}");
}

/* Preferences → Search: its rows write the keys the page reads */
static gboolean
is_combo_row (GtkWidget *widget, const char *unused)
{
  return ADW_IS_COMBO_ROW (widget);
}

static gboolean
is_entry_row (GtkWidget *widget, const char *unused)
{
  return ADW_IS_ENTRY_ROW (widget);
}

static gboolean
is_preferences (gpointer unused)
{
  GListModel *windows = gtk_window_get_toplevels (); /* GTK's */
  for (guint i = 0; i < g_list_model_get_n_items (windows); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (windows, i);
      if (ADW_IS_PREFERENCES_WINDOW (w))
        return TRUE;
    }
  return FALSE;
}

static void
test_preferences (void)
{
  g_autoptr(TsApplication) app = ts_application_new ();
  g_autoptr(GSettings) settings = g_settings_new ("io.github.trainscope.Trainscope");
  GListModel *windows = gtk_window_get_toplevels (); /* GTK's */
  g_autoptr(GError) error = NULL;
  GtkWidget *prefs = NULL, *combo, *entry;
  TsWindow *window;
  TsSearchPage *page = window_page (&window);

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  g_assert_true (spin_until (is_preferences, NULL, 5));
  for (guint i = 0; i < g_list_model_get_n_items (windows) && prefs == NULL; i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (windows, i);
      if (ADW_IS_PREFERENCES_WINDOW (w))
        prefs = GTK_WIDGET (w);
    }
  combo = find_widget (prefs, is_combo_row, NULL);
  entry = find_widget (prefs, is_entry_row, NULL);
  g_assert_nonnull (combo);
  g_assert_nonnull (entry);
  adw_combo_row_set_selected (ADW_COMBO_ROW (combo), 1);
  g_autofree char *backend = g_settings_get_string (settings, "search-backend");
  g_assert_cmpstr (backend, ==, "slurm");
  gtk_editable_set_text (GTK_EDITABLE (entry), "gpu");
  g_autofree char *partition = g_settings_get_string (settings, "slurm-partition");
  g_assert_cmpstr (partition, ==, "gpu");
  /* the page's backend follows the same key */
  g_settings_set_string (settings, "search-backend", "local");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (combo)), ==, 0);
  g_settings_reset (settings, "slurm-partition");
  g_assert_nonnull (page);
  gtk_window_destroy (GTK_WINDOW (prefs));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- Slurm ----------------------------------------------------------------------- */

/* every task's cell COMPLETED with its accuracy; else fails naming them all */
static void
assert_all_completed (TsSearchPage *page)
{
  g_autoptr(GString) states = g_string_new (NULL);
  gboolean all = TRUE;

  for (guint t = 0; t < 2; t++)
    for (guint f = 0; f < 2; f++)
      {
        g_autofree char *state = ts_search_page_dup_task_state (page, t, f);
        all = all && state != NULL && g_str_has_prefix (state, "COMPLETED · ");
        g_string_append_printf (states, "%strial %u fold %u: %s", states->len ? "; " : "", t, f,
                                state ? state : "(none)");
      }
  if (!all)
    g_error ("not every task shows COMPLETED: %s", states->str);
}

/* a search with the slurm backend from the page: every task COMPLETED in
 * the table and results identical to the local backend's */
static void
slurm_search (const char *dir, TsSearchPage *page)
{
  g_autofree char *slurm_out = g_build_filename (dir, "slurm", NULL);
  g_autofree char *local_out = g_build_filename (dir, "local", NULL);
  g_autofree char *a = NULL, *b = NULL, *ja = NULL, *jb = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.trainscope.Trainscope");
  g_autoptr(GError) error = NULL;

  g_settings_set_string (settings, "search-backend", "local");
  run_page (page, local_out, 120);
  g_settings_set_string (settings, "search-backend", "slurm");
  g_settings_set_int (settings, "slurm-max-parallel", 2);
  g_assert_true (ts_search_page_set_space (page, SPACE, &error));
  g_assert_true (ts_search_page_start (page, slurm_out, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (spin_until (page_idle, page, 300));
  g_assert_null (ts_search_page_get_message (page));
  assert_all_completed (page);
  {
    AdwViewStack *stack = ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (page), ADW_TYPE_VIEW_STACK));
    adw_view_stack_set_visible_child_name (stack, "search");
    cairo_surface_destroy (render_widget (GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (page))), "search-slurm.png"));
  }
  a = results_without_seconds (local_out), b = results_without_seconds (slurm_out);
  g_assert_cmpstr (a, ==, b);
  ja = read_text (local_out, "search.json"), jb = read_text (slurm_out, "search.json");
  g_assert_cmpstr (ja, ==, jb);
  g_settings_set_string (settings, "search-backend", "local");
}

/* sbatch, sacct and scontrol as small scripts: sbatch runs every element
 * of the array in the background and records its state, sacct prints
 * them as Slurm's does (JobID|State|ExitCode) */
static const char fake_sbatch[] =
  "#!/bin/sh\n"
  "dir=$(dirname \"$0\"); array=; out=; off=0; part=\n"
  "for a in \"$@\"; do case \"$a\" in --array=*) array=${a#--array=};; --output=*) out=${a#--output=};;\n"
  "  --export=*) off=${a##*TS_TASK_OFFSET=};; --partition=*) part=${a#--partition=};; esac; script=$a; done\n"
  "if [ -n \"$part\" ] && [ \"$part\" != debug ]; then\n"
  "  echo 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2; exit 1; fi\n"
  "id=$(( $(cat \"$dir/next\" 2>/dev/null || echo 100) + 1 )); echo $id > \"$dir/next\"\n"
  "for i in $(echo \"$array\" | cut -d% -f1 | tr , ' '); do\n"
  "  echo PENDING > \"$dir/$id.$i\"\n"
  "  ( echo RUNNING > \"$dir/$id.$i\"; log=$(echo \"$out\" | sed \"s/%A/$id/; s/%a/$i/\")\n"
  "    if SLURM_ARRAY_TASK_ID=$i TS_TASK_OFFSET=$off sh \"$script\" > \"$log\" 2>&1\n"
  "    then s=COMPLETED; else s=FAILED; fi\n"
  "    echo $s > \"$dir/$id.$i\" ) </dev/null >/dev/null 2>&1 &\n"
  "done\necho \"$id\"\n";
static const char fake_sacct[] =
  "#!/bin/sh\ndir=$(dirname \"$0\"); job=\n"
  "while [ $# -gt 0 ]; do [ \"$1\" = -j ] && job=$2; shift; done\n"
  "for f in \"$dir/$job\".*; do [ -f \"$f\" ] || continue; i=${f##*.}; s=$(cat \"$f\")\n"
  "  case $s in COMPLETED) e=0:0;; FAILED) e=1:0;; *) e=0:0;; esac; echo \"${job}_$i|$s|$e\"\n"
  "  [ -f \"$dir/lag\" ] && break; done\n";
/* with bin/lag, sacct lists only an array's first element, as a real
 * slurmdbd does for a while after the others ran; scontrol knows them all */
static const char fake_scontrol[] =
  "#!/bin/sh\ndir=$(dirname \"$0\")\n"
  "if [ \"$1\" = show ]; then echo MaxArraySize = 1001; exit 0; fi\n"
  "job=$4\n"
  "for f in \"$dir/$job\".*; do [ -f \"$f\" ] || continue; i=${f##*.}\n"
  "  echo \"JobId=$job ArrayJobId=$job ArrayTaskId=$i JobState=$(cat \"$f\") ExitCode=0:0\"; done\n";

static char *
fake_slurm (const char *dir)
{
  g_autofree char *bin = g_build_filename (dir, "bin", NULL);
  const char *const names[] = { "sbatch", "sacct", "scontrol" };
  const char *const texts[] = { fake_sbatch, fake_sacct, fake_scontrol };

  g_assert_cmpint (g_mkdir_with_parents (bin, 0755), ==, 0);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_build_filename (bin, names[i], NULL);
      g_assert_true (g_file_set_contents (path, texts[i], -1, NULL));
      g_assert_cmpint (g_chmod (path, 0755), ==, 0);
    }
  return g_steal_pointer (&bin);
}

static void
test_slurm_fake (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *bin = fake_slurm (dir);
  g_autofree char *path = g_strdup_printf ("%s:%s", bin, g_getenv ("PATH"));
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_autofree char *bad = g_build_filename (dir, "bad", NULL), *none = g_build_filename (dir, "none", NULL);
  g_autoptr(GSettings) settings = g_settings_new ("io.github.trainscope.Trainscope");
  g_autoptr(GError) error = NULL;
  TsWindow *window;
  TsSearchPage *page = window_page (&window);

  g_setenv ("PATH", path, TRUE);
  slurm_search (dir, page);
  /* sacct behind the controller: the states still come, every one */
  {
    g_autofree char *lag = g_build_filename (bin, "lag", NULL), *again = g_build_filename (dir, "lagging", NULL);
    g_assert_true (g_file_set_contents (lag, "", 0, NULL));
    g_assert_cmpint (g_mkdir_with_parents (again, 0755), ==, 0);
    slurm_search (again, page);
    g_assert_cmpint (g_remove (lag), ==, 0);
  }
  /* an unknown partition: Slurm's message, nothing left running */
  g_settings_set_string (settings, "search-backend", "slurm");
  g_settings_set_string (settings, "slurm-partition", "nosuch");
  g_assert_true (ts_search_page_start (page, bad, FALSE, &error));
  g_assert_true (spin_until (page_idle, page, 60));
  g_assert_nonnull (strstr (ts_search_page_get_message (page), "sbatch refused the array"));
  g_assert_nonnull (strstr (ts_search_page_get_message (page), "Invalid partition name specified"));
  g_settings_set_string (settings, "slurm-partition", "");
  /* no sbatch on PATH: refused before anything is written */
  g_setenv ("PATH", "/nonexistent", TRUE);
  g_assert_false (ts_search_page_start (page, none, FALSE, &error));
  g_assert_nonnull (strstr (ts_search_page_get_message (page), "no sbatch on PATH"));
  g_assert_false (g_file_test (none, G_FILE_TEST_EXISTS));
  g_setenv ("PATH", old_path, TRUE);
  g_settings_set_string (settings, "search-backend", "local");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* the array is in: the submitter wrote OUT/slurm/state.json after sbatch
 * (a task's first state may come only as it ends: the elements of this
 * small search can run between two of the submitter's looks) */
static gboolean
slurm_submitted (gpointer out)
{
  g_autofree char *path = g_build_filename (out, "slurm", "state.json", NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* against the one-node cluster of tests/slurm/cluster.sh (slurm suite) */
static void
test_slurm_cluster (void)
{
  const char *cluster = g_getenv ("TS_SLURM_DIR_ACCOUNTING");
  g_autofree char *conf = cluster ? g_build_filename (cluster, "etc", "slurm.conf", NULL) : NULL;
  g_autofree char *dir = NULL;
  TsWindow *window;
  TsSearchPage *page;

  if (conf == NULL || !g_file_test (conf, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no test cluster (./dev.sh test starts one)");
      return;
    }
  g_assert_cmpstr (g_getenv ("SLURM_CONF"), ==, conf); /* set in main, before any thread */
  dir = make_temp_dir ();
  page = window_page (&window);
  slurm_search (dir, page);
  /* Stop cancels the jobs (scancel); Resume Folder completes the search to
   * the local backend's results */
  {
    g_autoptr(GSettings) settings = g_settings_new ("io.github.trainscope.Trainscope");
    g_autofree char *out = g_build_filename (dir, "stopped", NULL), *local_out = g_build_filename (dir, "local", NULL);
    g_autofree char *a = NULL, *b = NULL;
    g_autoptr(GError) error = NULL;

    g_settings_set_string (settings, "search-backend", "slurm");
    g_settings_set_int (settings, "slurm-max-parallel", 1); /* one at a time: Stop finds some not begun */
    g_assert_true (ts_search_page_set_space (page, SPACE, &error));
    g_assert_true (ts_search_page_start (page, out, FALSE, &error));
    g_assert_true (spin_until (slurm_submitted, out, 60));
    ts_search_page_stop (page);
    g_assert_true (spin_until (page_idle, page, 60));
    g_assert_nonnull (ts_search_page_get_message (page));
    g_assert_true (g_str_has_prefix (ts_search_page_get_message (page), "stopped: Slurm job "));
    g_assert_true (g_str_has_suffix (ts_search_page_get_message (page), " cancelled"));
    g_assert_true (ts_search_page_resume (page, out, &error));
    g_assert_no_error (error);
    g_assert_true (spin_until (page_idle, page, 300));
    g_assert_null (ts_search_page_get_message (page));
    a = results_without_seconds (local_out), b = results_without_seconds (out);
    g_assert_cmpstr (a, ==, b);
    g_settings_set_string (settings, "search-backend", "local");
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
top_trained (gpointer page)
{
  return ts_search_page_top_trained (page);
}

static gboolean
ensemble_idle (gpointer page)
{
  return !ts_ensemble_page_is_busy (page);
}

static char *
json_text (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = ts_json_load_file (path, &error);
  g_assert_no_error (error);
  return json_to_string (node, TRUE);
}

static gboolean
window_has_run (TsWindow *window, const char *dir)
{
  GListModel *runs = ts_window_get_runs (window);
  for (guint i = 0; i < g_list_model_get_n_items (runs); i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (runs, i);
      if (g_strcmp0 (ts_run_get_run_dir (run), dir) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Retrain Top K after a search (3 trials × 2 folds × 2 epochs, K 2): the
 * best two trials by CV train through the window's queue into
 * OUT/top/trial-T — the experiments `search --top 2` trains — and the
 * Ensemble page, opened on them as one choice, writes what
 * `trainscope-cli ensemble` writes on those folders */
static void
test_top_k_ensemble (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *page_out = g_build_filename (dir, "page", NULL), *cli_out = g_build_filename (dir, "cli", NULL);
  g_autofree char *ens_out = g_build_filename (dir, "ensemble", NULL), *space = NULL, *out = NULL, *err = NULL;
  g_autofree char *page_json = NULL, *cli_json = NULL, *search_path = NULL;
  char *page_dirs[2] = { NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) search = NULL;
  JsonArray *top;
  TsWindow *window;
  TsSearchPage *page = window_page (&window);
  TsEnsemblePage *ensemble = TS_ENSEMBLE_PAGE (ts_window_get_ensemble_page (window));
  AdwViewStack *stack = ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (page), ADW_TYPE_VIEW_STACK));
  const TsEnsembleResult *r;

  /* nothing to retrain before a search has finished */
  g_assert_false (ts_search_page_retrain_top (page, 2, &error));
  g_clear_error (&error);
  g_assert_true (ts_search_page_set_space (page, SPACE, &error));
  ts_search_page_set_counts (page, 3, 2, 2, 7);
  g_assert_true (ts_search_page_start (page, page_out, FALSE, &error));
  g_assert_true (spin_until (page_idle, page, 180));
  g_assert_null (ts_search_page_get_message (page));
  g_assert_false (ts_search_page_ensemble_top (page));

  g_assert_true (ts_search_page_retrain_top (page, 2, &error));
  g_assert_no_error (error);
  g_assert_true (spin_until (top_trained, page, 180));

  /* the CLI's search --top 2 with the same settings: the same trials, the
   * same experiments */
  write_space (dir);
  space = g_build_filename (dir, "space.json", NULL);
  g_assert_cmpint (run_cli (&out, &err, "search", "default", "--space", space, "--trials", "3", "--folds", "2",
                            "--epochs", "2", "--seed", "7", "--top", "2", "--out", cli_out, NULL), ==, 0);
  search_path = g_build_filename (page_out, "search.json", NULL);
  search = ts_json_load_file (search_path, &error);
  g_assert_no_error (error);
  top = json_object_get_array_member (json_node_get_object (search), "top");
  g_assert_cmpuint (json_array_get_length (top), >=, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *name = g_strdup_printf ("top/trial-%" G_GINT64_FORMAT, json_array_get_int_element (top, i));
      g_autofree char *exp_name = g_build_filename (name, "experiment.json", NULL);
      g_autofree char *a = NULL, *b = NULL, *summary_path = NULL;
      g_autoptr(JsonNode) summary = NULL;

      page_dirs[i] = g_build_filename (page_out, name, NULL);
      summary_path = g_build_filename (page_dirs[i], "summary.json", NULL);
      summary = ts_json_load_file (summary_path, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (summary), "state"), ==, "done");
      g_assert_true (window_has_run (window, page_dirs[i])); /* trained as a run of the window */
      a = json_text (page_out, exp_name), b = json_text (cli_out, exp_name);
      g_assert_cmpstr (a, ==, b);
    }

  /* "Ensemble Them": the page on the one choice, every member ticked */
  g_assert_true (ts_search_page_ensemble_top (page));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "ensemble");
  g_assert_cmpuint (ts_ensemble_page_checked (ensemble), ==, 1);
  g_assert_cmpuint (ts_ensemble_page_check (ensemble, "Search top 2", TRUE), ==, 1);
  ts_ensemble_page_set_fusion (ensemble, "both");
  g_assert_true (ts_ensemble_page_start (ensemble));
  g_assert_true (spin_until (ensemble_idle, ensemble, 120));
  g_assert_null (ts_ensemble_page_get_error (ensemble));
  r = ts_ensemble_page_get_result (ensemble);
  g_assert_cmpuint (r->n_members, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&out, &err, "ensemble", page_dirs[0], page_dirs[1], "--out", ens_out, NULL), ==, 0);
  page_json = json_text (ts_ensemble_page_get_output_dir (ensemble), "ensemble.json");
  cli_json = json_text (ens_out, "ensemble.json");
  g_assert_cmpstr (page_json, ==, cli_json);
  g_free (page_dirs[0]), g_free (page_dirs[1]);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autofree char *data_home = NULL;

  if (g_getenv ("TS_CLI"))
    g_setenv ("TRAINSCOPE_CLI", g_getenv ("TS_CLI"), TRUE);
  if (g_getenv ("TS_SLURM_DIR_ACCOUNTING"))
    {
      g_autofree char *conf = g_build_filename (g_getenv ("TS_SLURM_DIR_ACCOUNTING"), "etc", "slurm.conf", NULL);
      g_setenv ("SLURM_CONF", conf, TRUE);
    }
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL) /* gtk_init would abort */
    {
      g_print ("1..0 # SKIP no display (run it under xvfb-run, as ./dev.sh test does)\n");
      return 0;
    }
  data_home = window_test_init (&argc, &argv);
  g_test_add_func ("/ui/search-page/local-equals-cli", test_local_equals_cli);
  g_test_add_func ("/ui/search-page/resume-both-ways", test_resume_both_ways);
  g_test_add_func ("/ui/search-page/stop-and-resume", test_stop_and_resume);
  g_test_add_func ("/ui/search-page/follows-edits", test_follows_edits);
  g_test_add_func ("/ui/search-page/table-and-scatter", test_table_and_scatter);
  g_test_add_func ("/ui/search-page/bad-space", test_bad_space);
  g_test_add_func ("/ui/search-page/top-k-ensemble", test_top_k_ensemble);
  g_test_add_func ("/ui/search-page/preferences", test_preferences);
  g_test_add_func ("/ui/search-page/slurm-fake", test_slurm_fake);
  g_test_add_func ("/slurm/search-page", test_slurm_cluster);
  return g_test_run ();
}
