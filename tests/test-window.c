/* The workbench in a real window (under Xvfb): it opens on the default,
 * Start trains it to the end, Stop stops within 100 ms, Fork copies, a
 * saved run reopens, the editor refuses bad values by name, plots render. */
#include "window-util.h"
#include "ts-advisor-page.h"
#include "ts-experiment-editor.h"
#include "ts-json.h"
#include "ts-layer-list.h"
#include "ts-plot-conv.h"
#include "ts-run-row.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>

/* a view exports to each format; its CSV has the data (min_csv_lines 0: a
 * picture without data, whose CSV export is refused by name) */
static void
assert_figure_exports (GtkWidget *root, const char *name, guint min_csv_lines)
{
  TsFigure *figure = TS_FIGURE (find_figure (root, name));
  g_autofree char *dir = make_temp_dir ();
  const char *exts[] = { "png", "svg", "pdf", "csv" };

  for (int k = 0; k < 4; k++)
    {
      g_autofree char *file = g_strdup_printf ("%s.%s", name, exts[k]);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      g_autofree char *text = NULL;
      g_autoptr(GError) error = NULL;
      gsize len;
      if (k == 3 && min_csv_lines == 0)
        {
          g_assert_false (ts_figure_export (figure, path, 1, &error));
          g_assert_nonnull (strstr (error->message, name));
          continue;
        }
      g_assert_true (ts_figure_export (figure, path, 1, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, &text, &len, NULL));
      if (k == 3)
        {
          g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
          g_assert_cmpuint (g_strv_length (lines), >=, min_csv_lines);
        }
      else
        g_assert_cmpuint (len, >, 1000);
      g_remove (path);
    }
  g_rmdir (dir);
}

/* a fine-tuned run's row names its parent run folder, the path in its tooltip */
static void
test_run_row_marks_parent (void)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(TsRun) plain = ts_run_new (exp, 0), tuned = NULL;
  GtkWidget *row = g_object_ref_sink (ts_run_row_new (plain)), *label;

  label = g_object_get_data (G_OBJECT (row), "parent");
  g_assert_false (label && gtk_widget_get_visible (label));
  /* a draft given a model to start from on the Experiment page: its row follows */
  g_assert_true (ts_experiment_set (exp, "model.init_from", "/runs/fashion-0-4", NULL));
  ts_run_set_experiment (plain, exp);
  label = g_object_get_data (G_OBJECT (row), "parent");
  g_assert_true (label && gtk_widget_get_visible (label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "fine-tuned from fashion-0-4");
  g_object_unref (row);
  g_assert_true (ts_experiment_set (exp, "model.init_from", "/runs/fashion-0-4/model.safetensors", NULL));
  tuned = ts_run_new (exp, 1);
  row = g_object_ref_sink (ts_run_row_new (tuned));
  label = g_object_get_data (G_OBJECT (row), "parent");
  g_assert_true (label && gtk_widget_get_visible (label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "fine-tuned from fashion-0-4");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (label), ==, "/runs/fashion-0-4/model.safetensors");
  g_object_unref (row);
}

static void
test_opens_on_default (void)
{
  TsWindow *window = new_window ();
  TsRun *run = ts_window_get_selected (window);

  g_assert_nonnull (run);
  g_assert_cmpstr (ts_run_get_name (run), ==, "Spiral · ReLU · He");
  g_assert_cmpint (ts_run_get_state (run), ==, TS_RUN_READY);
  g_assert_true (TS_IS_PLOT_VIEW (ts_window_get_plot (window, TS_RUN_PLOT_LOSS)));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_start_trains_to_the_end (void)
{
  TsWindow *window = new_window ();
  TsRun *run = ts_window_get_selected (window);
  g_autofree char *summary = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL));
  g_assert_true (spin_until (run_is_final, run, 60));
  g_assert_cmpint (ts_run_get_state (run), ==, TS_RUN_DONE);
  g_assert_cmpuint (ts_run_get_curves (run)->epoch->len, ==, 40);
  g_assert_cmpfloat (ts_run_get_best_val_acc (run), >=, 0.95);
  /* written as the CLI writes it, under XDG_DATA_HOME */
  summary = g_build_filename (ts_run_get_run_dir (run), "summary.json", NULL);
  g_assert_true (g_str_has_prefix (ts_run_get_run_dir (run), g_get_user_data_dir ()));
  g_assert_true (g_file_test (summary, G_FILE_TEST_EXISTS));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
run_let_go (gpointer run)
{
  ts_run_poll (run);
  return !ts_run_holds_trainer (run);
}

/* a finished run lets its trainer (its data splits, net, logs) go and keeps
 * what the window shows: curves, layer statistics, progress, its model */
static void
test_finished_run_lets_go (void)
{
  TsWindow *window = new_window ();
  TsRun *run = ts_window_get_selected (window);
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));
  const TsMetricLog *stats;
  TsProgress p;
  gsize n = 0;
  guint64 step;

  g_assert_true (ts_experiment_editor_edit (editor, "train.epochs", "5"));
  /* 1250 steps, not 95: the default's 0.1 s could end inside one slow
   * frame under load, and the test never saw it running */
  g_assert_true (ts_experiment_editor_edit (editor, "data.samples", "20000"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  g_assert_true (spin_until (run_is_running, run, 30));
  g_assert_true (ts_run_holds_trainer (run));
  g_assert_true (spin_until (run_is_final, run, 60));
  g_assert_true (spin_until (run_let_go, run, 5)); /* at the next poll */
  g_assert_cmpuint (ts_run_get_curves (run)->epoch->len, ==, 5);
  stats = ts_run_get_stats (run, &n);
  g_assert_nonnull (stats);
  g_assert_cmpuint (n, >, 10);
  ts_run_get_progress (run, &p);
  g_assert_cmpint (p.state, ==, TS_RUN_DONE);
  g_assert_cmpfloat (p.samples_per_second, >, 0);
  g_assert_cmpuint (p.step, >, 0);
  g_assert_cmpuint (ts_run_get_params_step (run), >, 0);
  g_assert_nonnull (ts_run_get_model (run, &step));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static void
test_stop_within_100ms (void)
{
  TsWindow *window = new_window ();
  TsRun *run = ts_window_get_selected (window);
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));
  TsProgress p;
  guint64 step;
  gint64 t0;

  g_assert_true (ts_experiment_editor_edit (editor, "train.epochs", "100000"));
  g_assert_true (ts_experiment_editor_edit (editor, "data.samples", "20000"));
  g_assert_cmpuint (ts_run_get_experiment (run)->train.epochs, ==, 100000);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  g_assert_true (spin_until (run_is_running, run, 30));
  t0 = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL);
  /* training halts within 100 ms (core/run/ts-trainer.h): no step after that; writing the
   * run's files (fsync'd) follows and may take longer on a busy disk */
  spin_until (never, NULL, 0.1);
  ts_run_get_progress (run, &p);
  step = p.step;
  spin_until (never, NULL, 0.05);
  ts_run_get_progress (run, &p);
  g_assert_cmpuint (p.step, ==, step);
  g_assert_true (spin_until (run_is_final, run, 5));
  g_test_message ("stopped in %.1f ms (files written)", (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_cmpint (ts_run_get_state (run), ==, TS_RUN_STOPPED);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
count_signal (guint *counter)
{
  (*counter)++;
}

/* An idle window draws no frames: a tick callback kept the frame clock
 * running 60 frames a second (each asking the X server about the window
 * manager), idle or not; the runs are polled on a timer. */
static void
test_idle_window_draws_no_frames (void)
{
  TsWindow *window = new_window ();
  GdkFrameClock *clock;
  guint frames = 0;

  spin_until (frames_drawn, window, 2); /* mapped, laid out, first frames drawn */
  spin_until (never, NULL, 0.3);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_assert_nonnull (clock);
  g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (count_signal), &frames);
  /* on a loaded machine the first layout may still be settling: a window
   * that is idle goes quiet within seconds (once what it loads at start is in), a
   * ticking one never does */
  for (int second = 0; second < 10; second++)
    {
      frames = 0;
      spin_until (never, NULL, 1.0);
      g_test_message ("%u frames in second %d, idle", frames, second + 1);
      if (frames < 10)
        break;
    }
  g_signal_handlers_disconnect_by_func (clock, count_signal, &frames);
  g_assert_cmpuint (frames, <, 10);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_fork_copies (void)
{
  TsWindow *window = new_window ();
  TsRun *first = ts_window_get_selected (window);
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));
  TsRun *fork;

  g_assert_true (ts_experiment_editor_edit (editor, "model.activation", "tanh"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.fork", NULL));
  fork = ts_window_get_selected (window);
  g_assert_true (fork != first);
  g_assert_cmpuint (g_list_model_get_n_items (ts_window_get_runs (window)), >=, 2);
  g_assert_cmpint (ts_run_get_experiment (fork)->model.activation, ==, TS_ACT_TANH);
  g_assert_true (g_str_has_suffix (ts_run_get_name (fork), "(fork)"));
  /* changing the fork leaves the original alone */
  g_assert_true (ts_experiment_editor_edit (editor, "train.lr", "0.3"));
  g_assert_cmpfloat (ts_run_get_experiment (fork)->train.lr, ==, 0.3);
  g_assert_cmpfloat (ts_run_get_experiment (first)->train.lr, ==, 0.1);
  /* its name follows its changes, until it is named by hand */
  g_assert_cmpstr (ts_run_get_name (fork), ==, "Spiral · ReLU · He · lr 0.3");
  g_assert_true (ts_experiment_editor_edit (editor, "model.init", "xavier"));
  g_assert_cmpstr (ts_run_get_name (fork), ==, "Spiral · ReLU · xavier · lr 0.3");
  g_assert_cmpstr (ts_experiment_editor_get_experiment (editor)->name, ==, ts_run_get_name (fork));
  g_assert_true (ts_experiment_editor_edit (editor, "name", "mine"));
  g_assert_true (ts_experiment_editor_edit (editor, "train.lr", "0.01"));
  g_assert_cmpstr (ts_run_get_name (fork), ==, "mine");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_editor_names_bad_keys (void)
{
  TsWindow *window = new_window ();
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));

  g_assert_false (ts_experiment_editor_edit (editor, "train.lr", "-1"));
  g_assert_cmpstr (ts_experiment_editor_get_error (editor), ==, "train.lr: must be > 0 (got -1)");
  g_assert_cmpfloat (ts_run_get_experiment (ts_window_get_selected (window))->train.lr, ==, 0.1);
  g_assert_true (ts_experiment_editor_edit (editor, "train.lr", "0.05"));
  g_assert_null (ts_experiment_editor_get_error (editor));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_saved_run_reopens (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:moons", 6);
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, dir);
  g_autoptr(GError) error = NULL;
  TsWindow *window;
  TsRun *run;

  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  window = new_window ();
  g_assert_true (ts_window_open_path (window, dir, &error));
  g_assert_no_error (error);
  run = ts_window_get_selected (window);
  g_assert_cmpint (ts_run_get_state (run), ==, TS_RUN_DONE);
  g_assert_cmpuint (ts_run_get_curves (run)->epoch->len, ==, 6);
  g_assert_cmpuint (ts_run_get_curves (run)->step->len, ==, ts_metric_log_length (ts_trainer_get_steps (tr)));
  g_assert_cmpstr (ts_run_get_run_dir (run), ==, dir);
  /* its layers and its model come back too: the views of a reopened run */
  {
    gsize n;
    guint64 step;
    g_assert_nonnull (ts_run_get_stats (run, &n));
    g_assert_cmpuint (n, ==, ts_metric_log_length (ts_trainer_get_stats (tr)));
    g_assert_nonnull (ts_run_get_model (run, &step));
    assert_figure_exports (ts_window_get_layer_views (window), "histograms", 1 + n * TS_HISTOGRAM_BINS);
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;
  while (d && g_dir_read_name (d))
    n++;
  return n;
}

/* What a run killed at any moment leaves opens as what is whole (an empty
 * steps.csv crashed the window); a malformed file is refused by name. */
static void
test_partial_run_folders_open (void)
{
  struct { const char *steps, *metrics, *summary; guint n_steps; const char *error; } cases[] = {
    { "", "", NULL, 0, NULL },                                                  /* killed while loading */
    { "step,epoch,lr,loss\n", "epoch,step,lr,train_loss,train_acc,val_loss,val_acc,seconds\n", NULL, 0, NULL },
    { "step,epoch,lr,loss\n1,1,0.1,1.1\n2,1,0.1,1.0\n3,1,0.", "epoch,st", NULL, 2, NULL },  /* cut short */
    { "step,epoch,lr,loss\n1,1,0.1,1.1\n", "", "{\"state\": \"failed\", \"error\": \"disk full\"}", 1, NULL },
    { "step,epoch,lr,loss\n1,one,0.1,1.1\n", "", NULL, 0, "steps.csv:2: expected step,epoch,lr,loss" },
    { "", "garbage\n", NULL, 0, "metrics.csv:1: expected the header" },
  };
  TsWindow *window = new_window ();

  for (gsize k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autofree char *dir = make_temp_dir ();
      g_autofree char *exp = g_build_filename (dir, "experiment.json", NULL);
      g_autofree char *steps = g_build_filename (dir, "steps.csv", NULL);
      g_autofree char *metrics = g_build_filename (dir, "metrics.csv", NULL);
      g_autofree char *summary = g_build_filename (dir, "summary.json", NULL);
      g_autoptr(GError) error = NULL;
      gboolean opened;
      TsRun *run;

      g_assert_true (g_file_set_contents (exp, "{\"name\": \"killed\"}", -1, NULL));
      g_assert_true (g_file_set_contents (steps, cases[k].steps, -1, NULL));
      g_assert_true (g_file_set_contents (metrics, cases[k].metrics, -1, NULL));
      if (cases[k].summary)
        g_assert_true (g_file_set_contents (summary, cases[k].summary, -1, NULL));
      opened = ts_window_open_path (window, dir, &error);
      if (cases[k].error)
        {
          g_assert_false (opened);
          g_assert_nonnull (strstr (error->message, dir));
          g_assert_nonnull (strstr (error->message, cases[k].error));
          continue;
        }
      g_assert_no_error (error);
      run = ts_window_get_selected (window);
      g_assert_cmpstr (ts_run_get_run_dir (run), ==, dir);
      g_assert_cmpuint (ts_run_get_curves (run)->step->len, ==, cases[k].n_steps);
      g_assert_cmpuint (ts_run_get_curves (run)->epoch->len, ==, 0);
      g_assert_cmpint (ts_run_get_state (run), ==, cases[k].summary ? TS_RUN_FAILED : TS_RUN_STOPPED);
      if (cases[k].summary)
        g_assert_cmpstr (ts_run_get_message (run), ==, "disk full");
      spin_until (frames_drawn, window, 2); /* and the window draws it */
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* trainscope BAD.json [--start]: the error in the window, naming the file;
 * neither the default nor anything else opened or started in its place */
static void
test_bad_arguments_start_nothing (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *runs_root = g_build_filename (g_get_user_data_dir (), "trainscope", "runs", NULL);
  g_autofree char *run_dir = g_build_filename (dir, "run", NULL);
  struct { const char *name, *text, *says; } cases[] = {
    { "syntax.json", "{\"train\": {\"lr\": 0.1", "syntax.json" },
    { "negative-lr.json", "{\"train\": {\"lr\": -1}}", "train.lr: must be > 0 (got -1)" },
    { "unknown-key.json", "{\"model\": {\"depth\": 3}}", "model.depth: unknown key" },
    { "missing.json", NULL, "No such file" },
    { "run", NULL, "run/experiment.json: train.lr: must be > 0 (got -1)" },
  };

  g_assert_cmpint (g_mkdir (run_dir, 0755), ==, 0);
  {
    g_autofree char *exp = g_build_filename (run_dir, "experiment.json", NULL);
    g_autofree char *metrics = g_build_filename (run_dir, "metrics.csv", NULL);
    g_assert_true (g_file_set_contents (exp, "{\"train\": {\"lr\": -1}}", -1, NULL));
    g_assert_true (g_file_set_contents (metrics, "", -1, NULL));
  }
  for (gsize k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autofree char *path = g_build_filename (dir, cases[k].name, NULL);
      const char *paths[] = { path, NULL };
      g_autoptr(GError) error = NULL;
      guint folders = count_entries (runs_root);
      TsWindow *window = ts_window_new (NULL);
      GListModel *runs = ts_window_get_runs (window);
      guint before = g_list_model_get_n_items (runs);

      if (cases[k].text)
        g_assert_true (g_file_set_contents (path, cases[k].text, -1, NULL));
      gtk_window_present (GTK_WINDOW (window));
      g_assert_false (ts_window_open_arguments (window, paths, TRUE, &error));
      g_assert_nonnull (error);
      g_test_message ("%s: %s", cases[k].name, ts_window_get_problem (window));
      g_assert_nonnull (ts_window_get_problem (window));
      g_assert_nonnull (strstr (ts_window_get_problem (window), path));
      g_assert_nonnull (strstr (ts_window_get_problem (window), cases[k].says));
      g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (gtk_widget_get_ancestor (
                         ts_window_get_plot (window, TS_RUN_PLOT_LOSS), ADW_TYPE_VIEW_STACK))), ==, "problem");
      /* no default added in its place, and --start started nothing */
      g_assert_cmpuint (g_list_model_get_n_items (runs), ==, before);
      for (guint i = 0; i < g_list_model_get_n_items (runs); i++)
        {
          g_autoptr(TsRun) run = g_list_model_get_item (runs, i);
          ts_run_poll (run);
          g_assert_false (ts_run_is_queued (run));
          g_assert_true (ts_run_get_state (run) == TS_RUN_READY || ts_run_get_run_dir (run) != NULL);
          g_assert_false (ts_run_get_state (run) == TS_RUN_LOADING || ts_run_get_state (run) == TS_RUN_RUNNING);
        }
      g_assert_cmpuint (count_entries (runs_root), ==, folders);
      gtk_window_destroy (GTK_WINDOW (window));
    }
  /* a good file opens, and nothing is said */
  {
    g_autofree char *path = g_build_filename (dir, "good.json", NULL);
    const char *paths[] = { path, NULL };
    TsWindow *window = ts_window_new (NULL);
    g_assert_true (g_file_set_contents (path, "{\"name\": \"good\"}", -1, NULL));
    gtk_window_present (GTK_WINDOW (window));
    g_assert_true (ts_window_open_arguments (window, paths, FALSE, NULL));
    g_assert_null (ts_window_get_problem (window));
    g_assert_cmpstr (ts_run_get_name (ts_window_get_selected (window)), ==, "good");
    gtk_window_destroy (GTK_WINDOW (window));
  }
}

/* a run folder whose JSON nests 100 000 deep (json-glib's parser overflowed
 * the stack on it): its summary and advice are unreadable, not a crash, and
 * such an experiment.json is refused naming the file (issue 18) */
static void
test_nested_run_json_refused (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *summary = g_build_filename (dir, "summary.json", NULL);
  g_autofree char *advice = g_build_filename (dir, "advice.json", NULL);
  g_autofree char *experiment = g_build_filename (dir, "experiment.json", NULL);
  g_autofree char *nested = g_strnfill (100000, '[');
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:moons", 2);
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, dir);
  g_autoptr(GError) error = NULL;
  TsWindow *window;
  TsRun *run;

  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  g_assert_true (g_file_set_contents (summary, nested, -1, NULL));
  g_assert_true (g_file_set_contents (advice, nested, -1, NULL));
  window = new_window ();
  g_assert_true (ts_window_open_path (window, dir, &error));
  run = ts_window_get_selected (window);
  g_assert_cmpint (ts_run_get_state (run), ==, TS_RUN_FAILED); /* an unreadable summary, saying why */
  g_assert_true (g_file_set_contents (experiment, nested, -1, NULL));
  g_assert_false (ts_window_open_path (window, dir, &error));
  g_assert_nonnull (strstr (error->message, "experiment.json: byte 64: nested deeper than 64 levels"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* the loss plot, rendered as GTK renders it: not just background */
static void
test_plot_widget_renders (void)
{
  TsWindow *window = new_window ();
  TsRun *run = ts_window_get_selected (window);
  GtkWidget *plot = ts_window_get_plot (window, TS_RUN_PLOT_LOSS);
  cairo_surface_t *surface;
  int w, h, coloured = 0;
  double rgb[3];

  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  g_assert_true (spin_until (run_is_final, run, 60));
  spin_until (frames_drawn, plot, 2); /* let a frame draw the last data */
  w = gtk_widget_get_width (plot), h = gtk_widget_get_height (plot);
  g_assert_cmpint (w, >, 100);
  surface = render_widget (plot, "loss-widget.png");
  ts_plot_palette (ts_run_get_colour (run), rgb);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 p = *(guint32 *) (cairo_image_surface_get_data (surface) + y * cairo_image_surface_get_stride (surface) + x * 4);
        coloured += abs ((int) ((p >> 16) & 0xff) - (int) (rgb[0] * 255)) < 30
                    && abs ((int) ((p >> 8) & 0xff) - (int) (rgb[1] * 255)) < 30
                    && abs ((int) (p & 0xff) - (int) (rgb[2] * 255)) < 30;
      }
  cairo_surface_destroy (surface);
  g_test_message ("%d pixels in the run's colour", coloured);
  g_assert_cmpint (coloured, >, 500);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
lr_found (gpointer page)
{
  return ts_advisor_page_get_lr_result (page) != NULL;
}

/* a run with a known problem gets its card; the fix forks; the LR finder runs */
static void
test_advisor_page (void)
{
  TsWindow *window = new_window ();
  TsRun *run = ts_window_get_selected (window);
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));
  TsAdvisorPage *page = TS_ADVISOR_PAGE (ts_window_get_advisor (window));
  GPtrArray *advice;
  const TsAdvice *dead = NULL;
  g_autoptr(TsExperiment) fixed = NULL;
  guint runs_before;

  g_assert_true (ts_experiment_editor_edit (editor, "train.lr", "1"));
  g_assert_true (ts_experiment_editor_edit (editor, "model.layers", "100,100"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  g_assert_true (spin_until (run_is_final, run, 60));
  advice = ts_run_get_advice (run);
  for (guint i = 0; i < advice->len; i++)
    if (g_str_equal (((TsAdvice *) advice->pdata[i])->code, "dead_units"))
      dead = advice->pdata[i];
  g_assert_nonnull (dead);
  g_assert_cmpuint (ts_advisor_page_get_n_cards (page), ==, advice->len);
  g_assert_cmpuint (ts_run_count_warnings (run), >, 0);
  /* the card's evidence exports like any view: the loss it shows, a row per step */
  assert_figure_exports (GTK_WIDGET (page), "evidence-dead_units", 1 + ts_run_get_curves (run)->step->len);
  /* what "Fork with this fix" makes */
  fixed = ts_advice_apply (dead, ts_run_get_experiment (run), NULL);
  g_assert_cmpfloat (fixed->train.lr, <, 0.5);
  runs_before = g_list_model_get_n_items (ts_window_get_runs (window));
  g_signal_emit_by_name (page, "fork", fixed, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (ts_window_get_runs (window)), ==, runs_before + 1);
  g_assert_cmpfloat (ts_run_get_experiment (ts_window_get_selected (window))->train.lr, <, 0.5);
  /* the LR finder, on the new run's experiment, in a worker thread */
  ts_advisor_page_find_lr (page);
  g_assert_true (spin_until (lr_found, page, 60));
  g_assert_cmpfloat (ts_advisor_page_get_lr_result (page)->suggested, >, 1e-4);
  {
    g_autofree char *dir = make_temp_dir ();
    const char *names[] = { "lr.png", "lr.svg", "lr.pdf", "lr.csv" };
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *path = g_build_filename (dir, names[i], NULL);
        g_autoptr(GError) error = NULL;
        g_assert_true (ts_advisor_page_export_lr (page, path, &error));
        g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      }
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
lr_reached (gpointer run)
{
  TsProgress p;
  ts_run_get_progress (run, &p);
  return fabs (p.lr - 0.01) < 1e-7;
}

/* the window's poll (not this test) has read the new LR into the curves */
static gboolean
curves_hold_lr (gpointer run)
{
  GArray *lr = ts_run_get_curves (run)->lr;
  return lr->len > 0 && fabs (g_array_index (lr, double, lr->len - 1) - 0.01) < 1e-7;
}

/* A window run's folder records an LR changed by hand as the CLI's would
 * (issue 17): summary.json's lr_changes go from 0.1 and end on to_lr; in
 * steps.csv and metrics.csv the rows up to the first change have 0.1, those
 * after the last have to_lr, and steps.csv's last row is one of them */
static void
assert_run_dir_records_lr (const char *dir, double to_lr)
{
  g_autofree char *summary = g_build_filename (dir, "summary.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = ts_json_load_file (summary, &error);
  const char *csvs[] = { "steps.csv", "metrics.csv" };
  JsonArray *changes;
  gint64 first_change, last_change;
  double last_to;

  g_assert_no_error (error);
  changes = json_object_get_array_member (json_node_get_object (root), "lr_changes");
  g_assert_nonnull (changes);
  g_assert_cmpuint (json_array_get_length (changes), >=, 1);
  {
    JsonObject *first = json_array_get_object_element (changes, 0);
    JsonObject *last = json_array_get_object_element (changes, json_array_get_length (changes) - 1);
    g_assert_cmpfloat (json_object_get_double_member (first, "from"), ==, 0.1);
    first_change = json_object_get_int_member (first, "step");
    last_change = json_object_get_int_member (last, "step");
    last_to = json_object_get_double_member (last, "to");
  }
  g_assert_cmpfloat (fabs (last_to - to_lr), <, 1e-12);
  for (gsize k = 0; k < G_N_ELEMENTS (csvs); k++)
    {
      g_autofree char *path = g_build_filename (dir, csvs[k], NULL);
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;
      guint step_col = k == 0 ? 0 : 1; /* step,epoch,lr,… and epoch,step,lr,… */
      gint64 step = 0;
      double lr = 0;

      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      lines = g_strsplit (text, "\n", -1);
      g_assert_true (g_str_has_prefix (lines[0], k == 0 ? "step,epoch,lr," : "epoch,step,lr,"));
      for (guint i = 1; lines[i] && *lines[i]; i++)
        {
          g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);
          step = g_ascii_strtoll (f[step_col], NULL, 10);
          lr = g_ascii_strtod (f[2], NULL);
          if (step <= first_change)
            g_assert_cmpfloat (fabs (lr - 0.1), <, 1e-7);
          else if (step > last_change)
            g_assert_cmpfloat (fabs (lr - to_lr), <, 1e-7);
        }
      if (k == 0) /* the run went on after the change */
        g_assert_cmpint (step, >, last_change);
    }
}

/* ÷2 and ÷5 while it trains: through the trainer's set-LR command, from
 * the next step on; only while a run trains; listed with their shortcuts */
static void
test_divide_lr_while_training (void)
{
  TsWindow *window = new_window ();
  TsRun *run = ts_window_get_selected (window);
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));
  g_autoptr(GBytes) overlay = NULL;
  GtkWidget *half = find_widget (GTK_WIDGET (window), is_button_labelled, "÷2");
  GArray *lr;

  g_assert_nonnull (half);
  g_assert_false (gtk_widget_get_sensitive (half)); /* nothing trains yet */
  g_assert_true (ts_experiment_editor_edit (editor, "train.epochs", "100000"));
  g_assert_true (ts_experiment_editor_edit (editor, "data.samples", "20000"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  g_assert_true (spin_until (run_is_running, run, 30));
  g_assert_true (gtk_widget_get_sensitive (half));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.lr-divide", "i", 2));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.lr-divide", "i", 5));
  g_assert_true (spin_until (lr_reached, run, 10));
  /* the curves the LR plot draws hold the change, at the window's next poll
   * (ten a second; a frame under load can hold up the main loop longer) */
  g_assert_true (spin_until (curves_hold_lr, run, 5));
  lr = ts_run_get_curves (run)->lr;
  g_assert_cmpfloat (g_array_index (lr, double, 0), ==, (double) (float) 0.1);
  g_assert_cmpfloat (fabs (g_array_index (lr, double, lr->len - 1) - 0.01), <, 1e-7);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL);
  g_assert_true (spin_until (run_is_final, run, 5));
  g_assert_false (gtk_widget_get_sensitive (half));
  assert_run_dir_records_lr (ts_run_get_run_dir (run), 0.01);
  /* the shortcuts window lists both */
  overlay = g_resources_lookup_data ("/io/github/trainscope/Trainscope/gtk/help-overlay.ui", 0, NULL);
  g_assert_nonnull (overlay);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (overlay, NULL), g_bytes_get_size (overlay),
                                  "Divide the learning rate by 2 now"));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (overlay, NULL), g_bytes_get_size (overlay),
                                  "&lt;ctrl&gt;&lt;shift&gt;d"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* While a run trains the loss plot redraws five times a second; the
 * learning-rate plot (a schedule set before the run) once a second, so that
 * frames compose and send less. Upper bounds only: a loaded machine polls
 * less often, never more. */
static void
test_lr_plot_redraws_once_a_second (void)
{
  TsWindow *window = new_window ();
  TsRun *run = ts_window_get_selected (window);
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));
  TsPlotView *loss = TS_PLOT_VIEW (ts_window_get_plot (window, TS_RUN_PLOT_LOSS));
  TsPlotView *lr = TS_PLOT_VIEW (ts_window_get_plot (window, TS_RUN_PLOT_LR));
  guint loss0, lr0, loss_draws, lr_draws;
  double seconds;
  gint64 t0;

  g_assert_true (ts_experiment_editor_edit (editor, "train.epochs", "100000"));
  g_assert_true (ts_experiment_editor_edit (editor, "data.samples", "20000"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  g_assert_true (spin_until (run_is_running, run, 30));
  spin_until (never, NULL, 0.5);
  loss0 = ts_plot_view_get_draws (loss), lr0 = ts_plot_view_get_draws (lr), t0 = g_get_monotonic_time ();
  spin_until (never, NULL, 3.0);
  loss_draws = ts_plot_view_get_draws (loss) - loss0, lr_draws = ts_plot_view_get_draws (lr) - lr0;
  seconds = (g_get_monotonic_time () - t0) * 1e-6;
  g_test_message ("in %.1f s of training: the loss plot drew %u times, the LR plot %u", seconds, loss_draws,
                  lr_draws);
  g_assert_cmpint (ts_run_get_state (run), ==, TS_RUN_RUNNING);
  g_assert_cmpuint (loss_draws, >, 0);
  g_assert_cmpuint (lr_draws, <=, (guint) seconds + 2);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL);
  g_assert_true (spin_until (run_is_final, run, 5));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_plateau_card (gpointer page)
{
  return find_widget (page, is_button_labelled, "÷2 Now") != NULL;
}

static gboolean
base_lr_halved (gpointer run)
{
  TsProgress p;
  ts_run_get_progress (run, &p);
  return fabs (p.base_lr - 0.05) < 1e-9 && fabs (p.lr - 0.05) < 1e-7;
}

/* the plateau advice on a run that still trains offers ÷2 and ÷5 now, and
 * its ÷2 divides that run's LR */
static void
test_plateau_card_divides_now (void)
{
  TsWindow *window = new_window ();
  TsRun *run = ts_window_get_selected (window);
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));
  GtkWidget *page = ts_window_get_advisor (window);

  /* noisy spiral: the validation loss stalls after a few dozen epochs */
  g_assert_true (ts_experiment_editor_edit (editor, "data.noise", "0.3"));
  g_assert_true (ts_experiment_editor_edit (editor, "train.epochs", "100000"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  g_assert_true (spin_until (has_plateau_card, page, 120));
  g_assert_nonnull (find_widget (page, is_button_labelled, "÷5 Now"));
  g_signal_emit_by_name (find_widget (page, is_button_labelled, "÷2 Now"), "clicked");
  g_assert_true (spin_until (base_lr_halved, run, 10));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL);
  g_assert_true (spin_until (run_is_final, run, 5));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* an edited, unstarted experiment is still there after a restart, and so
 * are the layer histograms' kind and mode */
static void
test_drafts_survive_restart (void)
{
  TsWindow *window = new_window ();
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));
  gboolean found = FALSE;
  guint n;

  g_assert_true (ts_experiment_editor_edit (editor, "name", "kept across restarts"));
  ts_layer_views_show (TS_LAYER_VIEWS (ts_window_get_layer_views (window)), 0, TS_HIST_ACTIVATIONS, TS_HIST_OVERLAY);
  gtk_window_close (GTK_WINDOW (window)); /* close-request saves the drafts */
  window = ts_window_new (NULL);
  {
    guint layer;
    TsHistKind kind;
    TsHistMode mode;
    ts_layer_views_get_view (TS_LAYER_VIEWS (ts_window_get_layer_views (window)), &layer, &kind, &mode);
    g_assert_cmpint (kind, ==, TS_HIST_ACTIVATIONS);
    g_assert_cmpint (mode, ==, TS_HIST_OVERLAY);
  }
  n = g_list_model_get_n_items (ts_window_get_runs (window));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (ts_window_get_runs (window), i);
      found |= g_str_equal (ts_run_get_name (run), "kept across restarts");
    }
  g_assert_true (found);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
data_loaded (gpointer page)
{
  return ts_data_page_get_dataset (page) != NULL;
}

static gboolean
views_ready (gpointer page)
{
  return ts_data_page_views_ready (page);
}

static void
test_data_page (void)
{
  TsWindow *window = new_window ();
  TsDataPage *page = TS_DATA_PAGE (ts_window_get_data_page (window));
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  TsAugmentSpec spec;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 1400);
  g_assert_true (ts_experiment_set (exp, "data.source", "builtin:shapes", NULL));
  g_assert_true (ts_experiment_set (exp, "data.samples", "600", NULL));
  g_assert_true (ts_experiment_set (exp, "data.preprocess", "zca", NULL));
  g_assert_true (ts_experiment_set (exp, "data.augment.hflip", "0.5", NULL));
  g_assert_true (ts_experiment_set (exp, "data.augment.crop_pad", "3", NULL));
  ts_window_add_experiment (window, exp);
  g_assert_true (spin_until (data_loaded, page, 30));
  g_assert_cmpuint (ts_data_page_get_dataset (page)->channels, ==, 3);
  spec = ts_data_page_get_augment (page);
  g_assert_cmpfloat (spec.hflip, ==, 0.5);
  g_assert_cmpuint (spec.crop_pad, ==, 3);
  /* the image views are fitted once the page is shown, not before */
  g_assert_false (ts_data_page_views_ready (page));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "data");
  g_assert_true (spin_until (views_ready, page, 30));
  spin_until (frames_drawn, page, 2);
  cairo_surface_destroy (render_widget (GTK_WIDGET (page), "data-page.png"));
  assert_figure_exports (GTK_WIDGET (page), "class-balance", 1 + 3); /* data.classes */
  assert_figure_exports (GTK_WIDGET (page), "preprocessing", 1 + 3 * 32 * 32); /* mean and std of every value */
  assert_figure_exports (GTK_WIDGET (page), "augmented-samples", 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* the sliders edit the selected run's data.augment.* before it starts,
 * follow the selection, and on a started run preview until forked */
static void
test_data_sliders_edit (void)
{
  TsWindow *window = new_window ();
  TsDataPage *page = TS_DATA_PAGE (ts_window_get_data_page (window));
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(TsExperiment) other = NULL;
  TsRun *first, *second, *fork;
  guint n;

  g_assert_true (ts_experiment_set (exp, "data.source", "builtin:shapes", NULL));
  g_assert_true (ts_experiment_set (exp, "data.samples", "300", NULL));
  g_assert_true (ts_experiment_set (exp, "train.epochs", "1", NULL));
  first = ts_window_add_experiment (window, exp);
  g_assert_true (spin_until (data_loaded, page, 30));
  gtk_range_set_value (ts_data_page_get_slider (page, "hflip"), 0.5);
  gtk_range_set_value (ts_data_page_get_slider (page, "crop_pad"), 3);
  g_assert_cmpfloat (ts_run_get_experiment (first)->data.augment.hflip, ==, 0.5);
  g_assert_cmpuint (ts_run_get_experiment (first)->data.augment.crop_pad, ==, 3);
  g_assert_cmpfloat (ts_experiment_editor_get_experiment (editor)->data.augment.hflip, ==, 0.5);
  /* another run shows its own values; back again, the first one's */
  other = ts_experiment_copy (exp);
  other->data.augment.brightness = 0.3;
  second = ts_window_add_experiment (window, other);
  g_assert_cmpfloat (gtk_range_get_value (ts_data_page_get_slider (page, "hflip")), ==, 0);
  g_assert_cmpfloat (gtk_range_get_value (ts_data_page_get_slider (page, "brightness")), ==, 0.3);
  ts_window_select_run (window, first);
  g_assert_cmpfloat (gtk_range_get_value (ts_data_page_get_slider (page, "hflip")), ==, 0.5);
  g_assert_cmpfloat (gtk_range_get_value (ts_data_page_get_slider (page, "brightness")), ==, 0);
  g_assert_cmpfloat (ts_run_get_experiment (second)->data.augment.hflip, ==, 0);
  /* started: a slider previews, the run keeps its value; Fork takes it */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL));
  g_assert_false (gtk_widget_get_sensitive (ts_data_page_get_fork_button (page)));
  gtk_range_set_value (ts_data_page_get_slider (page, "erase"), 0.25);
  g_assert_cmpfloat (ts_run_get_experiment (first)->data.augment.erase, ==, 0);
  g_assert_true (gtk_widget_get_sensitive (ts_data_page_get_fork_button (page)));
  n = g_list_model_get_n_items (ts_window_get_runs (window));
  g_signal_emit_by_name (ts_data_page_get_fork_button (page), "clicked");
  g_assert_cmpuint (g_list_model_get_n_items (ts_window_get_runs (window)), ==, n + 1);
  fork = ts_window_get_selected (window);
  g_assert_true (fork != first);
  g_assert_cmpfloat (ts_run_get_experiment (fork)->data.augment.erase, ==, 0.25);
  g_assert_cmpfloat (ts_run_get_experiment (fork)->data.augment.hflip, ==, 0.5);
  g_assert_cmpstr (ts_run_get_name (fork), ==, "Spiral · ReLU · He · erase 0.25");
  g_assert_cmpint (ts_run_get_state (fork), ==, TS_RUN_READY);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "data");
  spin_until (frames_drawn, page, 2);
  cairo_surface_destroy (render_widget (GTK_WIDGET (page), "data-sliders.png"));
  ts_window_select_run (window, first);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL);
  spin_until (run_is_final, first, 30);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* the source is a choice; rows say what they are, the key beneath; rows
 * that do not apply to the source hide */
static void
test_editor_source_choice (void)
{
  TsWindow *window = new_window ();
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));
  AdwComboRow *source = ADW_COMBO_ROW (ts_experiment_editor_get_row (editor, "data.source"));
  GtkWidget *samples = ts_experiment_editor_get_row (editor, "data.samples");
  GListModel *choices = adw_combo_row_get_model (source);
  gboolean fashion = g_file_test (TS_FASHION_MNIST_DIR "/train-images-idx3-ubyte.gz", G_FILE_TEST_EXISTS);
  guint moons = G_MAXUINT, fmnist = G_MAXUINT, folder = G_MAXUINT;

  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (source)), ==, "Data source");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (source)), ==, "data.source");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (ts_experiment_editor_get_row (editor, "train.lr"))),
                   ==, "Learning rate");
  for (guint i = 0; i < g_list_model_get_n_items (choices); i++)
    {
      const char *label = gtk_string_list_get_string (GTK_STRING_LIST (choices), i);
      moons = g_str_has_prefix (label, "Moons") ? i : moons;
      fmnist = g_str_has_prefix (label, "Fashion-MNIST") ? i : fmnist;
      folder = g_str_has_prefix (label, "Image folder") ? i : folder;
    }
  g_assert_cmpuint (moons, !=, G_MAXUINT);
  g_assert_cmpuint (folder, !=, G_MAXUINT);
  g_assert_true ((fmnist != G_MAXUINT) == fashion);
  g_assert_true (gtk_widget_get_visible (samples));
  adw_combo_row_set_selected (source, moons);
  g_assert_cmpstr (ts_run_get_experiment (ts_window_get_selected (window))->data.source, ==, "builtin:moons");
  g_assert_true (gtk_widget_get_visible (samples));
  if (fashion)
    {
      adw_combo_row_set_selected (source, fmnist);
      g_assert_cmpstr (ts_run_get_experiment (ts_window_get_selected (window))->data.source, ==, "fashion-mnist");
      g_assert_false (gtk_widget_get_visible (samples));
      g_assert_false (gtk_widget_get_visible (ts_experiment_editor_get_row (editor, "data.noise")));
    }
  /* a path source is listed by its folder's name, first */
  g_assert_true (ts_experiment_editor_edit (editor, "data.source", "folder:/srv/pets"));
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (choices), adw_combo_row_get_selected (source)), ==,
                   "folder: pets");
  g_assert_false (gtk_widget_get_visible (samples));
  g_assert_true (gtk_widget_get_visible (ts_experiment_editor_get_row (editor, "data.image_size")));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* images of at most 1024 values get whitened samples: the same as core's ZCA makes them */
static void
test_data_page_whitens (void)
{
  TsWindow *window = new_window ();
  TsDataPage *page = TS_DATA_PAGE (ts_window_get_data_page (window));
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(TsPreprocess) zca = NULL;
  g_autofree float *expected = NULL;
  const TsDataset *ds;
  const float *whitened;
  guint n;

  g_assert_true (ts_experiment_set (exp, "data.source", "fashion-mnist", NULL));
  g_assert_true (ts_experiment_set (exp, "data.whiten_epsilon", "0.01", NULL));
  ts_window_add_experiment (window, exp);
  g_assert_true (spin_until (data_loaded, page, 30));
  ds = ts_data_page_get_dataset (page);
  g_assert_cmpuint (ds->dim, ==, 28 * 28);
  g_assert_null (ts_data_page_get_whitened (page, &n));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "data");
  g_assert_true (spin_until (views_ready, page, 60));
  whitened = ts_data_page_get_whitened (page, &n);
  g_assert_cmpuint (n, ==, 8);
  zca = ts_preprocess_fit (TS_PRE_ZCA, ds, 0, 0.01, NULL);
  expected = g_new (float, (gsize) n * ds->dim);
  for (guint k = 0; k < n; k++)
    ts_preprocess_apply_rows (zca, ds->x + (gsize) (k * ds->n / n) * ds->dim, 1, expected + (gsize) k * ds->dim);
  assert_close_array ("whitened", whitened, expected, (gsize) n * ds->dim, 1e-2, 1e-2);
  spin_until (frames_drawn, page, 2);
  cairo_surface_destroy (render_widget (find_figure (GTK_WIDGET (page), "whitened-samples"), "whitened.png"));
  assert_figure_exports (GTK_WIDGET (page), "whitened-samples", 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
lab_done (gpointer lab)
{
  return ts_init_lab_get_n_cells (lab) > 0;
}

static void
test_init_lab (void)
{
  TsWindow *window = new_window ();
  TsInitLab *lab = TS_INIT_LAB (ts_window_get_init_lab (window));
  guint runs;

  ts_init_lab_set_size (lab, 6, 64, 200);
  ts_init_lab_run (lab);
  g_assert_true (spin_until (lab_done, lab, 30));
  g_assert_cmpuint (ts_init_lab_get_n_cells (lab), ==, 6); /* small, xavier, he × tanh, relu */
  g_assert_nonnull (find_label_containing (GTK_WIDGET (lab), "6 cells in ")); /* and how long they took */
  runs = g_list_model_get_n_items (ts_window_get_runs (window));
  g_signal_emit_by_name (lab, "pick", (int) TS_INIT_XAVIER, (int) TS_ACT_TANH);
  g_assert_cmpuint (g_list_model_get_n_items (ts_window_get_runs (window)), ==, runs + 1);
  g_assert_cmpint (ts_run_get_experiment (ts_window_get_selected (window))->model.init, ==, TS_INIT_XAVIER);
  g_assert_cmpint (ts_run_get_experiment (ts_window_get_selected (window))->model.activation, ==, TS_ACT_TANH);
  /* the net the lab probed, not the selected experiment's */
  {
    const TsExperiment *picked = ts_run_get_experiment (ts_window_get_selected (window));
    g_assert_cmpuint (picked->model.layers->len, ==, 6);
    g_assert_cmpuint (g_array_index (picked->model.layers, TsLayerSpec, 5).units, ==, 64);
    g_assert_cmpstr (picked->name, ==, "xavier · tanh · 6×64");
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean data_and_run_ready (gpointer data);

static gboolean
lab_shows_batchnorm (gpointer lab)
{
  const TsProbeCell *cell = ts_init_lab_get_cell (lab, 0, NULL);
  return cell && cell->batchnorm;
}

static gboolean
lab_shows_plain (gpointer lab)
{
  const TsProbeCell *cell = ts_init_lab_get_cell (lab, 0, NULL);
  return cell && !cell->batchnorm;
}

/* issue 12, the BN rescue: the toggle probes again and the small-init cells
 * keep their spread through 10 layers */
static void
test_init_lab_batchnorm (void)
{
  TsWindow *window = new_window ();
  TsInitLab *lab = TS_INIT_LAB (ts_window_get_init_lab (window));
  const TsProbeCell *cell;
  TsProbeSpec spec;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 1200);
  {
    GtkWidget *stack = gtk_widget_get_ancestor (GTK_WIDGET (lab), ADW_TYPE_VIEW_STACK), *page = GTK_WIDGET (lab);
    while (gtk_widget_get_parent (page) != stack)
      page = gtk_widget_get_parent (page);
    adw_view_stack_set_visible_child (ADW_VIEW_STACK (stack), page); /* the page shown, so its figures draw */
  }
  ts_init_lab_set_size (lab, 10, 64, 200);
  ts_init_lab_run (lab);
  g_assert_true (spin_until (lab_done, lab, 30));
  cell = ts_init_lab_get_cell (lab, 0, &spec); /* small · tanh */
  g_assert_cmpint (cell->init, ==, TS_INIT_SMALL);
  g_assert_false (spec.batchnorm);
  g_assert_cmpfloat (cell->layers[9].act_std, <, 1e-4 * cell->layers[0].act_std);
  ts_init_lab_set_batchnorm (lab, TRUE);
  g_assert_true (spin_until (lab_shows_batchnorm, lab, 30));
  cell = ts_init_lab_get_cell (lab, 0, &spec);
  g_assert_true (spec.batchnorm);
  g_assert_cmpuint (ts_init_lab_get_n_cells (lab), ==, 6);
  for (guint l = 0; l < 10; l++)
    g_assert_cmpfloat (fabs (cell->layers[l].act_std - 0.627), <, 0.05);
  g_assert_nonnull (find_label_containing (GTK_WIDGET (lab), "with batch norm before every activation"));
  spin_until (frames_drawn, lab, 2);
  cairo_surface_destroy (render_widget (find_figure (GTK_WIDGET (lab), "probe-small-tanh"), "init-lab-batchnorm.png"));
  assert_figure_exports (GTK_WIDGET (lab), "activation-std-by-depth", 1 + 6 * 10);
  /* and back */
  ts_init_lab_set_batchnorm (lab, FALSE);
  g_assert_true (spin_until (lab_shows_plain, lab, 30));
  g_assert_cmpfloat (ts_init_lab_get_cell (lab, 0, NULL)->layers[9].act_std, <, 1e-4);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
lab_idle (gpointer lab)
{
  return find_label_containing (GTK_WIDGET (lab), "Probing") == NULL
         && find_label_containing (GTK_WIDGET (lab), "Loading ") == NULL;
}

/* issue 13: "Stack: This experiment's layers" probes the selected CNN on a
 * batch of its images — per-layer histograms for conv and pool layers like
 * dense ones — and conv layers on 2-D points end in a message, not a grid */
static void
test_init_lab_stack (void)
{
  TsWindow *window = new_window ();
  TsInitLab *lab = TS_INIT_LAB (ts_window_get_init_lab (window));
  g_autoptr(TsExperiment) cnn = ts_experiment_new_default ();
  g_autoptr(TsExperiment) points = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;
  const TsProbeCell *cell;
  TsRun *run;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 1200);
  {
    GtkWidget *stack = gtk_widget_get_ancestor (GTK_WIDGET (lab), ADW_TYPE_VIEW_STACK), *page = GTK_WIDGET (lab);
    while (gtk_widget_get_parent (page) != stack)
      page = gtk_widget_get_parent (page);
    adw_view_stack_set_visible_child (ADW_VIEW_STACK (stack), page); /* the page shown, so its figures draw */
  }
  g_assert_true (ts_experiment_set (cnn, "data.source", "builtin:shapes", &error));
  g_assert_true (ts_experiment_set (cnn, "data.samples", "600", &error));
  g_assert_true (ts_experiment_set (cnn, "model.layers", "conv8x3/same,maxpool2,conv16x3/same,maxpool2,32", &error));
  g_assert_no_error (error);
  g_free (cnn->name);
  cnn->name = g_strdup ("Shapes · tiny CNN");
  ts_window_add_experiment (window, cnn);
  ts_init_lab_use_stack (lab, TRUE);
  ts_init_lab_set_size (lab, 4, 32, 200);
  ts_init_lab_run (lab);
  g_assert_true (spin_until (lab_done, lab, 60));
  g_assert_true (ts_init_lab_probed_stack (lab));
  g_assert_true (ts_init_lab_probed_data (lab));
  g_assert_cmpuint (ts_init_lab_get_n_cells (lab), ==, 6);
  g_assert_nonnull (find_label_containing (GTK_WIDGET (lab), "The 5 layers of “Shapes · tiny CNN” on 200 images"));
  cell = ts_init_lab_get_cell (lab, 0, NULL); /* small · tanh */
  g_assert_cmpuint (cell->n_layers, ==, 5);
  g_assert_cmpint (cell->layers[0].kind, ==, TS_LAYER_CONV);
  g_assert_cmpint (cell->layers[1].kind, ==, TS_LAYER_POOL);
  g_assert_cmpint (cell->layers[4].kind, ==, TS_LAYER_DENSE);
  g_assert_cmpuint (cell->layers[2].shape.dims[0], ==, 16);
  /* the first conv's filters: 8 × 3 colour channels × 3 × 3 weights */
  {
    guint total = 0;
    for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
      total += cell->layers[0].weight_hist.counts[b];
    g_assert_cmpuint (total, ==, 8 * 3 * 3 * 3);
  }
  spin_until (frames_drawn, lab, 2);
  cairo_surface_destroy (render_widget (find_figure (GTK_WIDGET (lab), "probe-he-relu"), "init-lab-stack-cell.png"));
  cairo_surface_destroy (render_widget (GTK_WIDGET (window), "init-lab-stack.png"));
  assert_figure_exports (GTK_WIDGET (lab), "activation-std-by-depth", 1 + 6 * 5);
  /* a pick keeps the experiment's layers, with the cell's init and activation */
  g_signal_emit_by_name (lab, "pick", (int) TS_INIT_HE, (int) TS_ACT_RELU);
  {
    const TsExperiment *picked = ts_run_get_experiment (ts_window_get_selected (window));
    g_assert_cmpuint (picked->model.layers->len, ==, 5);
    g_assert_cmpint (g_array_index (picked->model.layers, TsLayerSpec, 0).kind, ==, TS_LAYER_CONV);
    g_assert_cmpint (picked->model.init, ==, TS_INIT_HE);
    g_assert_cmpstr (picked->name, ==, "he · relu · 5 layers");
  }
  /* conv layers on 2-D points: the message says why, the grid shown stays */
  g_assert_true (ts_experiment_set (points, "model.layers", "conv8x3/same,16", &error));
  run = ts_window_add_experiment (window, points);
  g_assert_true (ts_run_get_experiment (run) != NULL);
  ts_init_lab_run (lab);
  g_assert_true (spin_until (lab_idle, lab, 30));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (lab), "model.layers[0]: a conv layer needs an image input"));
  g_assert_cmpuint (ts_init_lab_get_n_cells (lab), ==, 6);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* issue 12: the editor refuses a net too large for the machine with the
 * estimate, naming the key, and the selected experiment stays as it was */
static void
test_editor_refuses_a_huge_net (void)
{
  TsWindow *window = new_window ();
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));

  g_assert_false (ts_experiment_editor_edit (editor, "model.layers", "1000000,1000000"));
  g_assert_true (g_str_has_prefix (ts_experiment_editor_get_error (editor),
                                   "model.layers: 1000007000003 parameters with their gradients and optimizer state"));
  g_assert_nonnull (strstr (ts_experiment_editor_get_error (editor), " GB (a run may use half)"));
  g_assert_cmpuint (ts_run_get_experiment (ts_window_get_selected (window))->model.layers->len, ==, 1);
  g_assert_true (ts_experiment_editor_edit (editor, "model.layers", "100000"));
  g_assert_false (ts_experiment_editor_edit (editor, "train.batch_size", "65536"));
  g_assert_true (g_str_has_prefix (ts_experiment_editor_get_error (editor), "train.batch_size: the activations of 2 "
                                                                           "layers at train.batch_size 65536"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* issue 12: 64 hidden layers train in the window, and the layer views
 * show the deepest of them */
static void
test_layer_views_on_64_layers (void)
{
  TsWindow *window = new_window ();
  TsExperimentEditor *editor = TS_EXPERIMENT_EDITOR (ts_window_get_editor (window));
  TsLayerViews *views = TS_LAYER_VIEWS (ts_window_get_layer_views (window));
  g_autoptr(GString) list = g_string_new ("8");
  const TsStatsRecord *last;
  gsize n_stats;

  for (int l = 1; l < 64; l++)
    g_string_append (list, ",8");
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 1500);
  g_assert_true (ts_experiment_editor_edit (editor, "model.layers", list->str));
  g_assert_true (ts_experiment_editor_edit (editor, "train.epochs", "2"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL));
  g_assert_true (spin_until (data_and_run_ready, window, 60));
  g_assert_cmpint (ts_run_get_state (ts_window_get_selected (window)), ==, TS_RUN_DONE);
  g_assert_nonnull (ts_run_get_stats (ts_window_get_selected (window), &n_stats));
  g_assert_cmpuint (n_stats, >=, 2);
  last = ts_metric_log_get (ts_run_get_stats (ts_window_get_selected (window), &n_stats), n_stats - 1);
  g_assert_cmpuint (last->n_layers, ==, 65);
  ts_layer_views_show (views, 63, TS_HIST_ACTIVATIONS, TS_HIST_OFFSET);
  spin_until (frames_drawn, views, 2);
  cairo_surface_destroy (render_widget (GTK_WIDGET (views), "layers-64.png"));
  assert_figure_exports (GTK_WIDGET (views), "histograms", 1 + TS_HISTOGRAM_BINS);
  assert_figure_exports (GTK_WIDGET (views), "dead-saturated", 1 + 2);
  assert_figure_exports (GTK_WIDGET (views), "update-ratio", 1 + 2);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
all_final (gpointer data)
{
  GPtrArray *runs = data;
  for (guint i = 0; i < runs->len; i++)
    if (!run_is_final (runs->pdata[i]))
      return FALSE;
  return TRUE;
}

static guint race_base;
static GListModel *race_runs;

static gboolean
race_added (gpointer data)
{
  return g_list_model_get_n_items (race_runs) >= race_base + 6;
}

/* a batch of the spiral through the lab; weight histograms export; Train
 * All races every cell at the lab's depth and width, only they overlaid */
static void
test_init_lab_data_and_race (void)
{
  TsWindow *window = new_window ();
  TsInitLab *lab = TS_INIT_LAB (ts_window_get_init_lab (window));
  GListModel *runs = ts_window_get_runs (window);
  g_autoptr(GPtrArray) race = g_ptr_array_new_with_free_func (g_object_unref);
  const TsProbeCell *cell;
  guint before;

  g_assert_true (spin_until (data_loaded, ts_window_get_data_page (window), 30));
  ts_init_lab_set_size (lab, 4, 32, 300);
  ts_init_lab_use_data (lab, TRUE);
  ts_init_lab_run (lab);
  g_assert_true (spin_until (lab_done, lab, 30));
  g_assert_true (ts_init_lab_probed_data (lab));
  cell = ts_init_lab_get_cell (lab, 0, NULL);
  g_assert_nonnull (cell);
  g_assert_cmpuint (cell->n_layers, ==, 4);
  /* the first layer reads the 2-D points: 32 × 2 weights */
  {
    guint total = 0;
    for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
      total += cell->layers[0].weight_hist.counts[b];
    g_assert_cmpuint (total, ==, 32 * 2);
  }
  assert_figure_exports (GTK_WIDGET (lab), "probe-small-tanh", 1 + 4 * 2 * TS_HISTOGRAM_BINS);
  assert_figure_exports (GTK_WIDGET (lab), "activation-mean-by-depth", 1 + 6 * 4);

  /* an LR that is not what the race picks: each cell finds its own */
  g_assert_true (ts_experiment_editor_edit (TS_EXPERIMENT_EDITOR (ts_window_get_editor (window)), "train.lr", "0.37"));
  before = g_list_model_get_n_items (runs);
  race_base = before;
  race_runs = runs;
  g_signal_emit_by_name (lab, "train-all");
  g_assert_true (spin_until (race_added, NULL, 120));
  g_assert_cmpuint (g_list_model_get_n_items (runs), ==, before + 6);
  for (guint i = 0; i < g_list_model_get_n_items (runs); i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (runs, i);
      const TsExperiment *exp = ts_run_get_experiment (run);
      gboolean raced = g_str_has_prefix (ts_run_get_name (run), "race · ");
      g_assert_cmpint (ts_run_get_overlay (run), ==, raced);
      if (!raced)
        continue;
      g_assert_cmpuint (exp->model.layers->len, ==, 4);
      g_assert_cmpuint (g_array_index (exp->model.layers, TsLayerSpec, 0).units, ==, 32);
      g_assert_cmpfloat (exp->train.lr, !=, 0.37);
      g_assert_cmpfloat (exp->train.lr, >=, 1e-5);
      g_assert_cmpfloat (exp->train.lr, <=, 10);
      g_assert_nonnull (strstr (ts_run_get_name (run), " · lr "));
      g_test_message ("%s", ts_run_get_name (run));
      g_assert_true (ts_run_is_queued (run) || ts_run_get_run_dir (run) != NULL); /* waiting, or started */
      g_ptr_array_add (race, g_object_ref (run));
    }
  g_assert_cmpuint (race->len, ==, 6);
  g_assert_true (spin_until (all_final, race, 120));
  for (guint i = 0; i < race->len; i++)
    g_assert_cmpuint (ts_run_get_curves (race->pdata[i])->epoch->len, ==, 40);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_log_steps (void)
{
  g_assert_cmpfloat (fabs (ts_log_step (0.1, FALSE) - 0.03), <, 1e-12);
  g_assert_cmpfloat (fabs (ts_log_step (0.03, FALSE) - 0.01), <, 1e-12);
  g_assert_cmpfloat (fabs (ts_log_step (0.1, TRUE) - 0.3), <, 1e-12);
  g_assert_cmpfloat (fabs (ts_log_step (0.05, TRUE) - 0.1), <, 1e-12);
  g_assert_cmpfloat (fabs (ts_log_step (1e-4, TRUE) - 3e-4), <, 1e-15);
}

static void
test_layer_list_round_trip (void)
{
  GtkWidget *list = g_object_ref_sink (ts_layer_list_new ());
  g_autoptr(GArray) in = g_array_new (FALSE, FALSE, sizeof (TsLayerSpec));
  g_autoptr(GArray) out = NULL;
  TsLayerSpec a = { 64, TS_INHERIT_ACTIVATION }, b = { 32, TS_ACT_TANH };

  g_array_append_val (in, a);
  g_array_append_val (in, b);
  ts_layer_list_set_layers (TS_LAYER_LIST (list), in, TRUE);
  out = ts_layer_list_get_layers (TS_LAYER_LIST (list));
  g_assert_cmpuint (out->len, ==, 2);
  g_assert_cmpuint (g_array_index (out, TsLayerSpec, 0).units, ==, 64);
  g_assert_cmpint (g_array_index (out, TsLayerSpec, 0).activation, ==, TS_INHERIT_ACTIVATION);
  g_assert_cmpint (g_array_index (out, TsLayerSpec, 1).activation, ==, TS_ACT_TANH);
  g_object_unref (list);
}

/* issue 12: batch-norm entries keep their options through the list; Add
 * Batch Norm only follows a dense or conv layer; a dense layer takes its
 * batch norm with it */
static void
test_layer_list_batchnorm (void)
{
  GtkWidget *list = g_object_ref_sink (ts_layer_list_new ());
  g_autoptr(GArray) in = g_array_new (FALSE, FALSE, sizeof (TsLayerSpec));
  g_autoptr(GArray) out = NULL;
  TsLayerSpec a = { 64, TS_ACT_TANH }, bn = { 0, TS_INHERIT_ACTIVATION, TS_LAYER_BATCHNORM, 0.2f, 1e-3f, TRUE };
  GtkWidget *add_bn, *trash;

  g_array_append_val (in, a);
  g_array_append_val (in, bn);
  ts_layer_list_set_layers (TS_LAYER_LIST (list), in, TRUE);
  out = ts_layer_list_get_layers (TS_LAYER_LIST (list));
  g_assert_cmpuint (out->len, ==, 2);
  g_assert_cmpint (g_array_index (out, TsLayerSpec, 0).activation, ==, TS_ACT_TANH);
  g_assert_cmpint (g_array_index (out, TsLayerSpec, 1).kind, ==, TS_LAYER_BATCHNORM);
  g_assert_cmpfloat (g_array_index (out, TsLayerSpec, 1).momentum, ==, 0.2f);
  g_assert_cmpfloat (g_array_index (out, TsLayerSpec, 1).eps, ==, 1e-3f);
  g_assert_true (g_array_index (out, TsLayerSpec, 1).frozen);
  add_bn = find_widget (list, is_button_labelled, "Batch Norm");
  g_assert_nonnull (add_bn);
  g_assert_false (gtk_widget_get_sensitive (add_bn)); /* the last entry is a batch norm */
  g_signal_emit_by_name (find_widget (list, is_button_labelled, "Dense"), "clicked");
  g_assert_true (gtk_widget_get_sensitive (add_bn));
  g_signal_emit_by_name (add_bn, "clicked");
  g_clear_pointer (&out, g_array_unref);
  out = ts_layer_list_get_layers (TS_LAYER_LIST (list));
  g_assert_cmpuint (out->len, ==, 4);
  g_assert_cmpuint (g_array_index (out, TsLayerSpec, 2).units, ==, 64); /* as wide as the last dense layer */
  g_assert_cmpint (g_array_index (out, TsLayerSpec, 3).kind, ==, TS_LAYER_BATCHNORM);
  /* the first dense layer's trash button takes its batch norm along */
  trash = find_widget (list, is_button_with_tooltip, "Remove this layer");
  g_assert_nonnull (trash);
  g_signal_emit_by_name (trash, "clicked");
  g_clear_pointer (&out, g_array_unref);
  out = ts_layer_list_get_layers (TS_LAYER_LIST (list));
  g_assert_cmpuint (out->len, ==, 2);
  g_assert_cmpint (g_array_index (out, TsLayerSpec, 0).kind, ==, TS_LAYER_DENSE);
  g_assert_cmpint (g_array_index (out, TsLayerSpec, 1).kind, ==, TS_LAYER_BATCHNORM);
  g_object_unref (list);
}

static gboolean
data_and_run_ready (gpointer data)
{
  TsWindow *window = data;
  TsRun *run = ts_window_get_selected (window);
  return run_is_final (run) && data_loaded (ts_window_get_data_page (window));
}

static void
test_layer_views_on_2d (void)
{
  TsWindow *window = new_window ();
  TsLayerViews *views = TS_LAYER_VIEWS (ts_window_get_layer_views (window));
  TsRun *run = ts_window_get_selected (window);
  gsize n_stats;
  guint64 step;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 1500);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL));
  g_assert_true (spin_until (data_and_run_ready, window, 60));
  g_assert_nonnull (ts_run_get_stats (run, &n_stats));
  g_assert_cmpuint (n_stats, >=, 10); /* 760 steps, one measurement per 50 */
  g_assert_nonnull (ts_run_get_model (run, &step));
  g_assert_cmpuint (step, ==, ts_run_get_curves (run)->step->len); /* the last epoch's parameters */
  /* 2-D data: the decision boundary, not filters */
  g_assert_true (gtk_widget_get_visible (find_figure (GTK_WIDGET (views), "decision-boundary")));
  g_assert_false (gtk_widget_get_visible (find_figure (GTK_WIDGET (views), "first-layer-weights")));
  ts_layer_views_show (views, 0, TS_HIST_WEIGHTS, TS_HIST_OFFSET);
  spin_until (frames_drawn, views, 2);
  cairo_surface_destroy (render_widget (GTK_WIDGET (views), "layers-2d.png"));
  assert_figure_exports (GTK_WIDGET (views), "histograms", 1 + 10 * TS_HISTOGRAM_BINS);
  assert_figure_exports (GTK_WIDGET (views), "update-ratio", 1 + 2 * 10);
  assert_figure_exports (GTK_WIDGET (views), "grad-norm", 1 + 2 * 10);
  assert_figure_exports (GTK_WIDGET (views), "dead-saturated", 1 + 10);
  assert_figure_exports (GTK_WIDGET (views), "decision-boundary", 1 + 120 * 120);
  /* the menu a right-click opens, and Copy puts an image on the clipboard */
  {
    GtkWidget *figure = find_figure (GTK_WIDGET (views), "decision-boundary");
    GdkClipboard *clipboard = gtk_widget_get_clipboard (figure);
    g_assert_true (gtk_widget_activate_action (figure, "figure.menu", NULL));
    g_assert_true (gtk_widget_activate_action (figure, "figure.copy", NULL));
    g_assert_true (gdk_content_formats_contain_gtype (gdk_clipboard_get_formats (clipboard), GDK_TYPE_TEXTURE));
  }
  ts_layer_views_show (views, 1, TS_HIST_GRADIENTS, TS_HIST_OVERLAY);
  spin_until (frames_drawn, views, 2);
  cairo_surface_destroy (render_widget (find_figure (GTK_WIDGET (views), "histograms"), "layers-overlay.png"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_layer_views_on_images (void)
{
  TsWindow *window = new_window ();
  TsLayerViews *views = TS_LAYER_VIEWS (ts_window_get_layer_views (window));
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 1500);
  g_assert_true (ts_experiment_set (exp, "data.source", "builtin:shapes", NULL));
  g_assert_true (ts_experiment_set (exp, "data.samples", "800", NULL));
  g_assert_true (ts_experiment_set (exp, "train.epochs", "8", NULL));
  g_assert_true (ts_experiment_set (exp, "train.lr", "0.02", NULL));
  g_assert_true (ts_experiment_set (exp, "data.preprocess", "standardize", NULL));
  ts_window_add_experiment (window, exp);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL));
  g_assert_true (spin_until (data_and_run_ready, window, 120));
  g_assert_true (gtk_widget_get_visible (find_figure (GTK_WIDGET (views), "first-layer-weights")));
  g_assert_false (gtk_widget_get_visible (find_figure (GTK_WIDGET (views), "decision-boundary")));
  spin_until (frames_drawn, views, 2);
  cairo_surface_destroy (render_widget (GTK_WIDGET (views), "layers-images.png"));
  /* 100 units × 3072 inputs */
  assert_figure_exports (GTK_WIDGET (views), "first-layer-weights", 1 + 100 * 3072);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* the colour the conv painters give v on a lo … hi scale, one channel */
static int
expected_level (float v, float lo, float hi)
{
  return (int) (CLAMP ((v - lo) * 255.f / (hi - lo), 0.f, 255.f) + 0.5f);
}

static guint32
surface_pixel (cairo_surface_t *s, double x, double y)
{
  return *(guint32 *) (cairo_image_surface_get_data (s) + (gsize) y * cairo_image_surface_get_stride (s) + (int) x * 4)
         & 0xffffff;
}

static void
assert_level (guint32 p, int r, int g, int b)
{
  g_assert_cmpint (abs ((int) (p >> 16 & 0xff) - r), <=, 2);
  g_assert_cmpint (abs ((int) (p >> 8 & 0xff) - g), <=, 2);
  g_assert_cmpint (abs ((int) (p & 0xff) - b), <=, 2);
}

/* 3×32×32 shapes → [8,32,32] → [8,16,16] → [16,14,14] → [16,7,7] → 32 */
#define CNN_LAYERS "conv8x5/same,maxpool2,conv16x3,maxpool2,32"

static gboolean
is_spin_button (GtkWidget *widget, const char *unused)
{
  return GTK_IS_SPIN_BUTTON (widget);
}

typedef struct {
  TsLayerViews *views;
  TsRun        *run;
} ViewsOfRun;

/* the views show the run's last parameters (the final copy is made in a
 * worker after the run ends) */
static gboolean
maps_of_last_step (gpointer data)
{
  ViewsOfRun *v = data;
  return ts_layer_views_get_maps_step (v->views) == ts_run_get_params_step (v->run);
}

static gboolean
maps_of_sample (gpointer data)
{
  return ts_layer_views_get_maps_sample (data) == 5;
}

/* A conv net on colour shapes: the filters figure shows the trained
 * filters in colour, pixel for pixel, and the feature maps figure the conv
 * layers' outputs for the chosen sample; both export. */
static void
test_layer_views_on_cnn (void)
{
  TsWindow *window = new_window ();
  TsLayerViews *views = TS_LAYER_VIEWS (ts_window_get_layer_views (window));
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  const TsDataset *ds;
  TsRun *run;
  g_autoptr(TsModel) model = NULL;
  g_autoptr(TsFeatureMaps) maps = NULL;
  GtkWidget *filters, *feature_maps;
  TsShape shape;
  const float *w;
  cairo_surface_t *s;
  double box[4];
  float lo, hi;
  guint64 step;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 1500);
  g_assert_true (ts_experiment_set (exp, "data.source", "builtin:shapes", NULL));
  g_assert_true (ts_experiment_set (exp, "data.samples", "600", NULL));
  g_assert_true (ts_experiment_set (exp, "train.epochs", "3", NULL));
  g_assert_true (ts_experiment_set (exp, "train.lr", "0.02", NULL));
  g_assert_true (ts_experiment_set (exp, "data.preprocess", "standardize", NULL));
  g_assert_true (ts_experiment_set (exp, "model.layers", CNN_LAYERS, NULL));
  run = ts_window_add_experiment (window, exp);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL));
  g_assert_true (spin_until (data_and_run_ready, window, 180));
  g_assert_cmpint (ts_run_get_state (run), ==, TS_RUN_DONE);
  filters = find_figure (GTK_WIDGET (views), "first-layer-weights");
  feature_maps = find_figure (GTK_WIDGET (views), "feature-maps");
  g_assert_true (gtk_widget_get_visible (filters));
  g_assert_true (gtk_widget_get_visible (feature_maps));
  g_assert_true (spin_until (maps_of_last_step, &(ViewsOfRun) { views, run }, 30));
  spin_until (frames_drawn, views, 2);
  ds = ts_data_page_get_dataset (TS_DATA_PAGE (ts_window_get_data_page (window)));
  model = ts_run_dup_model (run, &step);
  if (model == NULL)
    model = ts_model_load (ts_run_dup_model_path (run), NULL);
  g_assert_nonnull (model);

  /* filter u's top-left weight in R, G, B, on its own ±max|w| */
  w = ts_net_layer_weights (model->net, 0, &shape);
  g_assert_cmpuint (shape.ndim, ==, 4);
  g_assert_cmpuint (shape.dims[1], ==, 3);
  s = render_widget (filters, "layers-cnn-filters.png");
  for (guint u = 0; u < shape.dims[0]; u++)
    {
      gsize per = 3 * shape.dims[2] * shape.dims[3], plane = shape.dims[2] * shape.dims[3];
      const float *f = w + u * per;
      float peak = 0;
      for (gsize k = 0; k < per; k++)
        peak = MAX (peak, fabsf (f[k]));
      g_assert_true (ts_plot_conv_filters_tile ((guint) shape.dims[0], 3, (guint) shape.dims[2], (guint) shape.dims[3],
                                                gtk_widget_get_width (filters), gtk_widget_get_height (filters), u, box));
      assert_level (surface_pixel (s, box[0] + box[2] / shape.dims[3] / 2, box[1] + box[3] / shape.dims[2] / 2),
                    expected_level (f[0], -peak, peak), expected_level (f[plane], -peak, peak),
                    expected_level (f[2 * plane], -peak, peak));
    }
  cairo_surface_destroy (s);
  assert_figure_exports (GTK_WIDGET (views), "first-layer-weights", 1 + shape.dims[0] * 3 * 25);

  /* sample 0's maps: every channel's centre pixel, on its layer's range */
  maps = ts_feature_maps_new (model, ds->x, ds->dim, 0, ds->y[0], NULL);
  g_assert_nonnull (maps);
  g_assert_cmpuint (maps->n_layers, ==, 2);
  g_assert_cmpuint (ts_layer_views_get_maps_sample (views), ==, 0);
  s = render_widget (feature_maps, "layers-cnn-maps.png");
  for (guint l = 0; l < maps->n_layers; l++)
    {
      const TsFeatureMap *map = &maps->layers[l];
      guint H = (guint) map->shape.dims[1], W = (guint) map->shape.dims[2];
      ts_plot_feature_map_range (map, &lo, &hi);
      for (guint c = 0; c < map->shape.dims[0]; c++)
        {
          int level = expected_level (map->values[(c * H + H / 2) * W + W / 2], lo, hi);
          g_assert_true (ts_plot_feature_maps_tile (maps, gtk_widget_get_width (feature_maps),
                                                    gtk_widget_get_height (feature_maps), l, c, box));
          assert_level (surface_pixel (s, box[0] + (W / 2 + 0.5) * box[2] / W, box[1] + (H / 2 + 0.5) * box[3] / H),
                        level, level, level);
        }
    }
  cairo_surface_destroy (s);
  {
    guint64 values = 0;
    for (guint l = 0; l < maps->n_layers; l++)
      values += ts_shape_numel (&maps->layers[l].shape);
    assert_figure_exports (GTK_WIDGET (views), "feature-maps", 1 + values);
  }
  /* another sample: made again, off the draw path */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_widget (GTK_WIDGET (views), is_spin_button, NULL)), 5);
  g_assert_true (spin_until (maps_of_sample, views, 30));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* the main menu's Examples submenu: one item per built-in experiment, by title */
static guint
count_example_items (GMenuModel *menu)
{
  guint found = 0;

  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GVariant) target = g_menu_model_get_item_attribute_value (menu, i, G_MENU_ATTRIBUTE_TARGET, NULL);
      g_autofree char *action = NULL;
      GMenuModel *links[] = { g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION),
                              g_menu_model_get_item_link (menu, i, G_MENU_LINK_SUBMENU) };
      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &action)
          && g_strcmp0 (action, "win.example") == 0 && target)
        {
          g_autofree char *label = NULL;
          g_autoptr(TsExperiment) exp = ts_experiment_new_example (g_variant_get_string (target, NULL));
          g_assert_nonnull (exp);
          g_assert_true (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s", &label));
          g_assert_cmpstr (label, ==, exp->name);
          found++;
        }
      for (int k = 0; k < 2; k++)
        if (links[k])
          {
            found += count_example_items (links[k]);
            g_object_unref (links[k]);
          }
    }
  return found;
}

static gboolean
is_main_menu_button (GtkWidget *widget, const char *unused)
{
  return GTK_IS_MENU_BUTTON (widget)
         && g_strcmp0 (gtk_widget_get_tooltip_text (widget), "Main Menu") == 0;
}

static guint
count_batchnorm_entries (const TsExperiment *exp)
{
  guint n = 0;
  for (guint l = 0; l < exp->model.layers->len; l++)
    n += g_array_index (exp->model.layers, TsLayerSpec, l).kind == TS_LAYER_BATCHNORM;
  return n;
}

static void
test_examples_menu (void)
{
  TsWindow *window = new_window ();
  GtkWidget *button = find_widget (GTK_WIDGET (window), is_main_menu_button, NULL);
  GListModel *runs = ts_window_get_runs (window);
  guint before = g_list_model_get_n_items (runs), n_examples = g_strv_length ((char **) ts_experiment_example_names ());
  TsRun *run;

  g_assert_nonnull (button);
  g_assert_cmpuint (n_examples, >=, 3);
  g_assert_cmpuint (count_example_items (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button))), ==, n_examples);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.example", "s", "deep-small-bn"));
  run = ts_window_get_selected (window);
  g_assert_cmpuint (g_list_model_get_n_items (runs), ==, before + 1);
  g_assert_cmpstr (ts_run_get_name (run), ==, "Spiral · 8 tanh layers · small init · batch norm");
  g_assert_cmpint (ts_run_get_state (run), ==, TS_RUN_READY);
  g_assert_false (ts_run_is_queued (run));
  g_assert_cmpuint (count_batchnorm_entries (ts_run_get_experiment (run)), ==, 8);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.example", "s", "deep-small"));
  g_assert_cmpuint (count_batchnorm_entries (ts_run_get_experiment (ts_window_get_selected (window))), ==, 0);
  /* a name that is not in the table adds nothing */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.example", "s", "no-such-example"));
  g_assert_cmpuint (g_list_model_get_n_items (runs), ==, before + 2);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* pixels near palette colour k in the k-th quarter of a four-panel row */
static guint
panel_pixels (cairo_surface_t *s, guint k)
{
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s), stride = cairo_image_surface_get_stride (s);
  guint8 *data = cairo_image_surface_get_data (s);
  double rgb[3];
  guint n = 0;

  ts_plot_palette (k, rgb);
  for (int y = 0; y < h; y++)
    for (int x = (int) k * w / 4; x < (int) (k + 1) * w / 4; x++)
      {
        guint32 p = *(guint32 *) (data + (gsize) y * stride + x * 4);
        n += abs ((int) ((p >> 16) & 0xff) - (int) (rgb[0] * 255)) <= 40
             && abs ((int) ((p >> 8) & 0xff) - (int) (rgb[1] * 255)) <= 40
             && abs ((int) (p & 0xff) - (int) (rgb[2] * 255)) <= 40;
      }
  return n;
}

/* the figure has its model (its CSV exports): the parameters are copied in
 * a worker, which on a loaded machine may take longer than the first frames */
typedef struct {
  GtkWidget  *figure;
  const char *path;
} FigureProbe;

static gboolean
figure_has_data (gpointer data)
{
  FigureProbe *probe = data;
  return ts_figure_export (TS_FIGURE (probe->figure), probe->path, 1, NULL);
}

/* a real short run of the batch-norm example: choosing a batchnorm layer
 * shows its γ, β and running statistics, which training moved */
static void
test_layer_views_batchnorm (void)
{
  TsWindow *window = new_window ();
  TsLayerViews *views = TS_LAYER_VIEWS (ts_window_get_layer_views (window));
  g_autoptr(TsExperiment) exp = ts_experiment_new_example ("deep-small-bn");
  GtkWidget *figure = find_figure (GTK_WIDGET (views), "batchnorm");
  g_autofree char *dir = make_temp_dir (), *csv_path = g_build_filename (dir, "bn.csv", NULL), *csv = NULL;
  g_auto(GStrv) lines = NULL;
  cairo_surface_t *surface;
  gboolean mean_moved = FALSE, var_moved = FALSE;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 1500);
  g_assert_true (ts_experiment_set (exp, "data.samples", "600", NULL));
  g_assert_true (ts_experiment_set (exp, "train.epochs", "2", NULL));
  ts_window_add_experiment (window, exp);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL));
  g_assert_true (spin_until (data_and_run_ready, window, 120));
  /* a dense layer: no batch-norm figure; the first batchnorm (entry 2): one */
  ts_layer_views_show (views, 0, TS_HIST_WEIGHTS, TS_HIST_OFFSET);
  g_assert_false (gtk_widget_get_visible (figure));
  ts_layer_views_show (views, 1, TS_HIST_WEIGHTS, TS_HIST_OFFSET);
  g_assert_true (gtk_widget_get_visible (figure));
  g_assert_true (spin_until (figure_has_data, &(FigureProbe) { figure, csv_path }, 30));
  g_assert_true (spin_until (frames_drawn, views, 5));
  surface = render_widget (figure, "layers-batchnorm.png");
  g_assert_cmpint (cairo_image_surface_get_width (surface), >, 2.5 * cairo_image_surface_get_height (surface));
  for (guint k = 0; k < TS_BN_N_SERIES; k++)
    {
      guint n = panel_pixels (surface, k);
      g_test_message ("panel %u: %u pixels in its colour", k, n);
      g_assert_cmpuint (n, >=, 40);
    }
  cairo_surface_destroy (surface);
  assert_figure_exports (GTK_WIDGET (views), "batchnorm", 1 + 64);
  /* the statistics are the trained net's: running mean away from 0, variance from 1 */
  g_assert_true (ts_figure_export (TS_FIGURE (figure), csv_path, 1, NULL));
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "unit,gamma,beta,running_mean,running_var");
  for (guint i = 1; lines[i] && *lines[i]; i++)
    {
      double g, b, m, v;
      guint u;
      g_assert_cmpint (sscanf (lines[i], "%u,%lf,%lf,%lf,%lf", &u, &g, &b, &m, &v), ==, 5);
      mean_moved |= fabs (m) > 1e-4;
      var_moved |= fabs (v - 1) > 1e-4;
    }
  g_assert_true (mean_moved && var_moved);
  g_remove (csv_path);
  g_rmdir (dir);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autofree char *data_home = window_test_init (&argc, &argv);

  g_test_add_func ("/ui/window/run-row-parent", test_run_row_marks_parent);
  g_test_add_func ("/ui/window/opens-on-default", test_opens_on_default);
  g_test_add_func ("/ui/window/start-trains-to-the-end", test_start_trains_to_the_end);
  g_test_add_func ("/ui/window/stop-within-100ms", test_stop_within_100ms);
  g_test_add_func ("/ui/window/idle-window-draws-no-frames", test_idle_window_draws_no_frames);
  g_test_add_func ("/ui/window/lr-plot-once-a-second", test_lr_plot_redraws_once_a_second);
  g_test_add_func ("/ui/window/finished-run-lets-go", test_finished_run_lets_go);
  g_test_add_func ("/ui/window/fork-copies", test_fork_copies);
  g_test_add_func ("/ui/window/editor-names-bad-keys", test_editor_names_bad_keys);
  g_test_add_func ("/ui/window/saved-run-reopens", test_saved_run_reopens);
  g_test_add_func ("/ui/window/bad-arguments-start-nothing", test_bad_arguments_start_nothing);
  g_test_add_func ("/ui/window/partial-run-folders-open", test_partial_run_folders_open);
  g_test_add_func ("/ui/window/nested-run-json", test_nested_run_json_refused);
  g_test_add_func ("/ui/window/plot-renders", test_plot_widget_renders);
  g_test_add_func ("/ui/editor/log-steps", test_log_steps);
  g_test_add_func ("/ui/advisor/page", test_advisor_page);
  g_test_add_func ("/ui/window/divide-lr-while-training", test_divide_lr_while_training);
  g_test_add_func ("/ui/advisor/plateau-card-divides-now", test_plateau_card_divides_now);
  g_test_add_func ("/ui/init-lab/probe-and-pick", test_init_lab);
  g_test_add_func ("/ui/init-lab/data-and-race", test_init_lab_data_and_race);
  g_test_add_func ("/ui/init-lab/batchnorm", test_init_lab_batchnorm);
  g_test_add_func ("/ui/init-lab/stack", test_init_lab_stack);
  g_test_add_func ("/ui/editor/refuses-a-huge-net", test_editor_refuses_a_huge_net);
  g_test_add_func ("/ui/layers/64-layers", test_layer_views_on_64_layers);
  g_test_add_func ("/ui/data/page", test_data_page);
  g_test_add_func ("/ui/data/whitens", test_data_page_whitens);
  g_test_add_func ("/ui/data/sliders-edit", test_data_sliders_edit);
  g_test_add_func ("/ui/editor/source-choice", test_editor_source_choice);
  g_test_add_func ("/ui/window/drafts-survive-restart", test_drafts_survive_restart);
  g_test_add_func ("/ui/editor/layer-list", test_layer_list_round_trip);
  g_test_add_func ("/ui/editor/layer-list-batchnorm", test_layer_list_batchnorm);
  g_test_add_func ("/ui/layers/2d", test_layer_views_on_2d);
  g_test_add_func ("/ui/layers/images", test_layer_views_on_images);
  g_test_add_func ("/ui/layers/cnn", test_layer_views_on_cnn);
  g_test_add_func ("/ui/window/examples-menu", test_examples_menu);
  g_test_add_func ("/ui/layers/batchnorm", test_layer_views_batchnorm);
  return g_test_run ();
}
