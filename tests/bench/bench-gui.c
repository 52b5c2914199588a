/* Training throughput with the window open and plotting, beside the same
 * experiment headless (as trainscope-cli runs it), in one process.
 *
 *   xvfb-run build/tests/bench/bench-gui   (./dev.sh bench does this) */
#include <adwaita.h>
#include <trainscope.h>

#include "ts-application.h"
#include "ts-window.h"

#include <stdio.h>

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

static double
headless (const TsExperiment *exp)
{
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, NULL);
  g_autoptr(JsonNode) summary = NULL;

  ts_trainer_start (tr);
  ts_trainer_wait (tr);
  summary = ts_trainer_dup_summary (tr);
  return json_object_get_double_member (json_node_get_object (summary), "samples_per_second");
}

static double
in_window (const TsExperiment *exp)
{
  TsWindow *window = ts_window_new (NULL);
  TsRun *run = ts_window_add_experiment (window, exp);
  g_autofree char *path = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  double sps;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-pause", NULL);
  while (!ts_run_state_is_final (ts_run_get_state (run)))
    g_main_context_iteration (NULL, TRUE);
  path = g_build_filename (ts_run_get_run_dir (run), "summary.json", NULL);
  json_parser_load_from_file (parser, path, NULL);
  sps = json_object_get_double_member (json_node_get_object (json_parser_get_root (parser)), "samples_per_second");
  gtk_window_destroy (GTK_WINDOW (window));
  return sps;
}

int
main (int argc, char **argv)
{
  g_autoptr(TsExperiment) exp = NULL;
  g_autofree char *data_home = NULL;
  double cli, gui;

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
          "samples/s (%.0f%%)\n", cli, gui, 100 * gui / cli);
  return 0;
}
