/* Training throughput with the window open and plotting, beside the same
 * experiment headless (as trainscope-cli runs it), in one process; then the
 * memory the window keeps after many finished runs.
 *
 *   xvfb-run build/tests/bench/bench-gui [RUNS]   (./dev.sh bench does this)
 *
 * On a shared machine the throughput ratio moves with whatever else runs,
 * so the CPU time is reported too: the process's CPU seconds in each phase
 * (the window's extra is what it takes from training on a saturated
 * machine) and the UI thread's own. */
#include <adwaita.h>
#include <trainscope.h>

#include "ts-application.h"
#include "ts-plot-view.h"
#include "ts-window.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

typedef struct {
  guint updates, layouts, paints; /* the window's frame clock phases while it trained */
  guint loss_draws, lr_draws;     /* the loss and learning-rate plots' */
} Frames;

typedef struct {
  double sps;     /* samples per second the run reported */
  double cpu;     /* process CPU seconds, user + system */
  double ui_cpu;  /* of which the main (UI) thread's */
  double seconds; /* wall clock */
  Frames frames;
} Phase;

static double
process_cpu (void)
{
  struct rusage u;
  getrusage (RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

static double
thread_cpu (void)
{
  struct timespec t;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* resident set size, MB */
static double
rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) || (line = strstr (status, "VmRSS:")) == NULL)
    return NAN;
  return g_ascii_strtod (line + 6, NULL) / 1024.0;
}

static TsExperiment *
bench_experiment (void)
{
  TsExperiment *exp = ts_experiment_new_default ();
  const char *sets[][2] = { { "data.source", "fashion-mnist" }, { "model.layers", "512,256" },
                            { "data.val_fraction", "0.1" }, { "train.batch_size", "128" },
                            { "train.lr", "0.05" }, { "train.epochs", "3" } };

  for (gsize i = 0; i < G_N_ELEMENTS (sets); i++)
    ts_experiment_set (exp, sets[i][0], sets[i][1], NULL);
  return exp;
}

static Phase
headless (const TsExperiment *exp)
{
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, NULL);
  g_autoptr(JsonNode) summary = NULL;
  double cpu0 = process_cpu (), ui0 = thread_cpu ();
  gint64 t0 = g_get_monotonic_time ();
  Phase p;

  ts_trainer_start (tr);
  ts_trainer_wait (tr);
  summary = ts_trainer_dup_summary (tr);
  p.sps = json_object_get_double_member (json_node_get_object (summary), "samples_per_second");
  p.cpu = process_cpu () - cpu0;
  p.ui_cpu = thread_cpu () - ui0;
  p.seconds = (g_get_monotonic_time () - t0) * 1e-6;
  return p;
}

static double
run_sps (TsRun *run)
{
  g_autofree char *path = g_build_filename (ts_run_get_run_dir (run), "summary.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_file (parser, path, NULL))
    return NAN;
  return json_object_get_double_member (json_node_get_object (json_parser_get_root (parser)), "samples_per_second");
}

static void
train_in (TsWindow *window, TsRun *run)
{
  ts_window_select_run (window, run);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  while (!ts_run_state_is_final (ts_run_get_state (run)))
    g_main_context_iteration (NULL, TRUE);
}

static TsWindow *
new_window (void)
{
  TsWindow *window = ts_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
count (guint *counter)
{
  (*counter)++;
}

/* counts the frame clock's phases: each layout or paint is work on the UI
 * thread (and, under Xvfb, in the X server) that training waits for */
static void
count_frames (TsWindow *window, Frames *frames)
{
  GdkFrameClock *clock;

  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect_swapped (clock, "update", G_CALLBACK (count), &frames->updates);
  g_signal_connect_swapped (clock, "layout", G_CALLBACK (count), &frames->layouts);
  g_signal_connect_swapped (clock, "paint", G_CALLBACK (count), &frames->paints);
}

static Phase
in_window (const TsExperiment *exp)
{
  TsWindow *window = new_window ();
  TsRun *run = ts_window_add_experiment (window, exp);
  TsPlotView *loss, *lr;
  double cpu0, ui0;
  gint64 t0;
  Phase p = { 0 };

  count_frames (window, &p.frames);
  loss = TS_PLOT_VIEW (ts_window_get_plot (window, TS_RUN_PLOT_LOSS));
  lr = TS_PLOT_VIEW (ts_window_get_plot (window, TS_RUN_PLOT_LR));
  p.frames.loss_draws = ts_plot_view_get_draws (loss), p.frames.lr_draws = ts_plot_view_get_draws (lr);
  cpu0 = process_cpu (), ui0 = thread_cpu ();
  t0 = g_get_monotonic_time ();
  train_in (window, run);
  p.frames.loss_draws = ts_plot_view_get_draws (loss) - p.frames.loss_draws;
  p.frames.lr_draws = ts_plot_view_get_draws (lr) - p.frames.lr_draws;
  g_signal_handlers_disconnect_by_func (gtk_widget_get_frame_clock (GTK_WIDGET (window)), count, &p.frames.updates);
  g_signal_handlers_disconnect_by_func (gtk_widget_get_frame_clock (GTK_WIDGET (window)), count, &p.frames.layouts);
  g_signal_handlers_disconnect_by_func (gtk_widget_get_frame_clock (GTK_WIDGET (window)), count, &p.frames.paints);
  p.cpu = process_cpu () - cpu0;
  p.ui_cpu = thread_cpu () - ui0;
  p.seconds = (g_get_monotonic_time () - t0) * 1e-6;
  p.sps = run_sps (run);
  gtk_window_destroy (GTK_WINDOW (window));
  return p;
}

static gboolean
set_flag (gpointer flag)
{
  *(gboolean *) flag = TRUE;
  return G_SOURCE_REMOVE;
}

/* the main loop for a few of the window's polls (every 100 ms) */
static void
settle (void)
{
  gboolean done = FALSE;

  g_timeout_add (350, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* runs short Fashion-MNIST runs one after another in one window: RSS after
 * the first and after the last */
static void
memory (guint runs)
{
  TsWindow *window = new_window ();
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  double first = 0;

  ts_experiment_set (exp, "data.source", "fashion-mnist", NULL);
  ts_experiment_set (exp, "data.limit", "2000", NULL);
  ts_experiment_set (exp, "train.epochs", "1", NULL);
  for (guint i = 0; i < runs; i++)
    {
      g_free (exp->name);
      exp->name = g_strdup_printf ("memory %u", i + 1);
      train_in (window, ts_window_add_experiment (window, exp));
      settle (); /* let the window poll what ended (and release its trainer) and draw it */
      if (i == 0)
        first = rss_mb ();
    }
  printf ("Memory: %.0f MB resident after 1 Fashion-MNIST run (data.limit 2000, 1 epoch), %.0f MB after %u\n",
          first, rss_mb (), runs);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autoptr(TsExperiment) exp = NULL;
  g_autofree char *data_home = NULL;
  guint runs = argc > 1 ? (guint) atoi (argv[1]) : 20;
  Phase cli, gui;

  ts_blas_ensure_kernel (argv);
  data_home = g_dir_make_tmp ("trainscope-bench-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  gtk_init ();
  adw_init ();
  ts_application_register_resources ();
  exp = bench_experiment ();
  cli = headless (exp);
  gui = in_window (exp);
  printf ("Fashion-MNIST MLP 784-512-256-10, batch 128: headless %.0f samples/s, with the window plotting %.0f "
          "samples/s (%.0f%%)\n", cli.sps, gui.sps, 100 * gui.sps / cli.sps);
  printf ("CPU: headless %.1f s in %.1f s; with the window %.1f s in %.1f s, %.2f s of it the UI thread's "
          "(the window's extra CPU: %.1f%% of the training's)\n", cli.cpu, cli.seconds, gui.cpu, gui.seconds,
          gui.ui_cpu, 100 * (gui.cpu - cli.cpu) / cli.cpu);
  printf ("Frames: the window's clock ticked %.1f, laid out %.1f and painted %.1f times a second while training; "
          "the loss plot drew %.1f and the LR plot %.1f times a second\n",
          gui.frames.updates / gui.seconds, gui.frames.layouts / gui.seconds, gui.frames.paints / gui.seconds,
          gui.frames.loss_draws / gui.seconds, gui.frames.lr_draws / gui.seconds);
  if (runs > 0)
    memory (runs);
  return 0;
}
