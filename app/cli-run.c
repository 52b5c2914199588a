/* trainscope-cli run: train one experiment into a run directory. */
#include "ts-io.h"
#include "cli-commands.h"
#include "cli-train.h"
#include "ts-plot-conv.h"
#include "ts-plot-layers.h"
#include "ts-plot-run.h"

#include <glib-unix.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

typedef struct {
  TsTrainer *trainer;
  GMainLoop *loop;
  gboolean   tty;
  gboolean   interrupted;
  gboolean   warned;
} RunContext;

static char *
format_duration (double seconds)
{
  int s = (int) MAX (seconds, 0);
  return s >= 3600 ? g_strdup_printf ("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                   : g_strdup_printf ("%d:%02d", s / 60, s % 60);
}

static void
print_progress (RunContext *ctx)
{
  TsProgress p;
  g_autofree char *eta = NULL;

  ts_trainer_get_progress (ctx->trainer, &p);
  if (p.state < TS_RUN_RUNNING)
    {
      fprintf (stderr, "\r\033[Kloading data… %.0f%%", 100 * p.loaded);
      return;
    }
  eta = p.eta >= 0 ? format_duration (p.eta) : g_strdup ("–");
  fprintf (stderr, "\r\033[Kepoch %u/%u  step %" G_GUINT64_FORMAT "  loss %.4f  acc %.1f%%  val %.1f%%  %.0f samples/s  ETA %s",
           MIN (p.epoch + 1, p.epochs), p.epochs, p.step, p.loss, 100 * p.train_acc,
           isnan (p.val_acc) ? 0.0 : 100 * p.val_acc, p.samples_per_second, eta);
}

/* what the loader skipped (unreadable images), said once the data is in */
static void
print_warnings (RunContext *ctx)
{
  const GPtrArray *warnings = ts_trainer_get_warnings (ctx->trainer);
  const guint shown = 10;

  if (ctx->warned || warnings == NULL)
    return;
  ctx->warned = TRUE;
  if (ctx->tty)
    fprintf (stderr, "\r\033[K");
  for (guint i = 0; i < warnings->len && i < shown; i++)
    g_printerr ("trainscope-cli: warning: %s\n", (const char *) warnings->pdata[i]);
  if (warnings->len > shown)
    g_printerr ("trainscope-cli: warning: and %u more (summary.json lists them all)\n", warnings->len - shown);
}

static gboolean
on_tick (gpointer data)
{
  RunContext *ctx = data;

  print_warnings (ctx);

  if (ctx->tty)
    print_progress (ctx);
  if (ts_run_state_is_final (ts_trainer_get_state (ctx->trainer)))
    {
      g_main_loop_quit (ctx->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_interrupt (gpointer data)
{
  RunContext *ctx = data;
  ctx->interrupted = TRUE;
  ts_trainer_stop (ctx->trainer);
  return G_SOURCE_CONTINUE;
}

static void
print_result (TsTrainer *tr, TsRunState end)
{
  g_autoptr(JsonNode) summary = ts_trainer_dup_summary (tr);
  JsonObject *o;

  if (summary == NULL)
    return;
  o = json_node_get_object (summary);
  if (g_strcmp0 (json_object_get_string_member_with_default (o, "state", ""), "interrupted") == 0)
    {
      g_printerr ("trainscope-cli: %s: interrupted while loading the data; nothing was trained (%s/summary.json "
                  "says so)\n", ts_trainer_get_experiment (tr)->name, ts_trainer_get_run_dir (tr));
      return;
    }
  g_print ("%s: %s after %" G_GINT64_FORMAT " epochs — train acc %.2f%%", ts_trainer_get_experiment (tr)->name,
           ts_run_state_name (end), json_object_get_int_member (o, "epochs_completed"),
           100 * ts_json_number (o, "train_acc"));
  if (!isnan (ts_json_number (o, "val_acc")))
    g_print (", val acc %.2f%%", 100 * ts_json_number (o, "val_acc"));
  if (!isnan (ts_json_number (o, "test_acc")))
    g_print (", test acc %.2f%%", 100 * ts_json_number (o, "test_acc"));
  g_print (", %.0f samples/s (%s, %d threads) → %s\n", ts_json_number (o, "samples_per_second"),
           ts_blas_core (), ts_blas_threads (), ts_trainer_get_run_dir (tr));
}

typedef struct {
  TsRunPlotKind kind;
  TsRunCurves   run;
  char         *caption;
} PlotJob;

static void
draw_run_plot (cairo_t *cr, double width, double height, gpointer data)
{
  PlotJob *job = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_plot_run (cr, width, height, &style, job->kind, &job->run, 1, job->kind != TS_RUN_PLOT_ACCURACY, job->caption);
}

/* one picture of width × height in every format asked for, as DIR/stem.EXT */
static gboolean
save_formats_sized (TsTrainer *tr, char **formats, const char *stem, TsPlotDrawFunc draw, gpointer data,
                    double width, double height, GError **error)
{
  for (int f = 0; formats[f]; f++)
    {
      g_autofree char *name = g_strdup_printf ("%s.%s", stem, formats[f]);
      g_autofree char *path = g_build_filename (ts_trainer_get_run_dir (tr), name, NULL);
      if (!ts_plot_save (draw, data, width, height, 2, path, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
save_formats (TsTrainer *tr, char **formats, const char *stem, TsPlotDrawFunc draw, gpointer data, GError **error)
{
  return save_formats_sized (tr, formats, stem, draw, data, 720, 400, error);
}

typedef struct {
  TsRunStats    run;
  TsLayerMetric metric;
} LayerJob;

static void
draw_weights (cairo_t *cr, double width, double height, gpointer data)
{
  LayerJob *job = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_plot_layer_histograms (cr, width, height, &style, &job->run, 1, 0, TS_HIST_WEIGHTS, TS_HIST_OFFSET, NULL);
}

static void
draw_layer_metric (cairo_t *cr, double width, double height, gpointer data)
{
  LayerJob *job = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_plot_layer_metric (cr, width, height, &style, &job->run, 1, job->metric, NULL);
}

typedef struct {
  const TsDecisionGrid *grid;
  const TsDataset      *points;
  const char           *caption;
} DecisionJob;

static void
draw_decision (cairo_t *cr, double width, double height, gpointer data)
{
  DecisionJob *job = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_plot_decision (cr, width, height, &style, job->grid, job->points, job->caption);
}

/* the first layer's weights over time and the per-layer curves */
static gboolean
write_layer_plots (TsTrainer *tr, char **formats, GError **error)
{
  TsMetricLog *stats = ts_trainer_get_stats (tr);
  LayerJob job = { { ts_trainer_get_experiment (tr)->name, 0, stats, ts_metric_log_length (stats) } };

  if (job.run.n == 0)
    return TRUE;
  if (!save_formats (tr, formats, "weights", draw_weights, &job, error))
    return FALSE;
  for (job.metric = 0; job.metric < TS_LAYER_N_METRICS; job.metric++)
    if (!save_formats (tr, formats, ts_layer_metric_name (job.metric), draw_layer_metric, &job, error))
      return FALSE;
  return TRUE;
}

/* for 2-D data: what the model predicts over the plane, under the training points */
static gboolean
write_decision_plot (TsTrainer *tr, char **formats, GError **error)
{
  g_autoptr(TsModel) model = ts_trainer_dup_model (tr, NULL);
  g_autoptr(TsDecisionGrid) grid = NULL;
  TsSplits splits = { 0 };
  double x0, x1, y0, y1;
  gboolean ok;

  if (model == NULL || model->preprocess->in_dim != 2)
    return TRUE;
  if (!ts_splits_load (model->experiment, &splits, NULL, error))
    return FALSE;
  ts_decision_bounds (splits.train, 0.05, &x0, &x1, &y0, &y1);
  grid = ts_decision_grid_new (model, x0, x1, y0, y1, 160, 160, error);
  ok = grid && save_formats (tr, formats, "decision-boundary", draw_decision,
                             &(DecisionJob) { grid, splits.train, model->experiment->name }, error);
  ts_splits_clear (&splits);
  return ok;
}

static void
draw_conv_filters (cairo_t *cr, double width, double height, gpointer data)
{
  TsPlotStyle style = ts_plot_style_default (FALSE);
  TsShape shape; /* [out, in, kh, kw] */
  const float *w = ts_net_layer_weights (data, 0, &shape);

  ts_plot_conv_filters (cr, width, height, &style, w, (guint) shape.dims[0], (guint) shape.dims[1],
                        (guint) shape.dims[2], (guint) shape.dims[3], NULL);
}

static void
draw_feature_maps (cairo_t *cr, double width, double height, gpointer data)
{
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_plot_feature_maps (cr, width, height, &style, data, NULL);
}

/* for a conv net: its first layer's filters, and the feature maps of the
 * first validation sample (the first training sample when there is no
 * validation split) */
static gboolean
write_conv_plots (TsTrainer *tr, char **formats, GError **error)
{
  g_autoptr(TsModel) model = ts_trainer_dup_model (tr, NULL);
  g_autoptr(TsFeatureMaps) maps = NULL;
  TsSplits splits = { 0 };
  const TsDataset *ds;

  if (model == NULL || ts_net_layer_kind (model->net, 0) != TS_LAYER_CONV)
    return TRUE;
  if (!save_formats (tr, formats, "filters", draw_conv_filters, model->net, error))
    return FALSE;
  if (!ts_splits_load (model->experiment, &splits, NULL, error))
    return FALSE;
  ds = splits.val && splits.val->n ? splits.val : splits.train;
  maps = ds->n ? ts_feature_maps_new (model, ds->x, ds->dim, 0, ds->y[0], error) : NULL;
  ts_splits_clear (&splits);
  return maps && save_formats_sized (tr, formats, "feature-maps", draw_feature_maps, maps, 720, 560, error);
}

/* --plots png,svg,pdf: loss, accuracy and lr, the layers, and for 2-D data
 * the decision boundary, through the window's renderers */
static gboolean
write_plots (TsTrainer *tr, char **formats, GError **error)
{
  g_autoptr(TsCurveData) data = ts_curve_data_new ();
  const TsExperiment *exp = ts_trainer_get_experiment (tr);
  g_autofree char *caption = NULL;
  PlotJob job;

  ts_curve_data_update (data, ts_trainer_get_steps (tr), ts_trainer_get_epochs (tr));
  caption = g_strdup_printf ("%s · seed %" G_GUINT64_FORMAT " · %u steps", exp->name, exp->seed, data->step->len);
  job = (PlotJob) { 0, { exp->name, 0, data }, caption };
  for (job.kind = TS_RUN_PLOT_LOSS; job.kind <= TS_RUN_PLOT_LR; job.kind++)
    if (!save_formats (tr, formats, ts_run_plot_name (job.kind), draw_run_plot, &job, error))
      return FALSE;
  return write_layer_plots (tr, formats, error) && write_decision_plot (tr, formats, error)
         && write_conv_plots (tr, formats, error);
}

static gboolean
check_plot_formats (char **formats, GError **error)
{
  for (int f = 0; formats && formats[f]; f++)
    if (!g_strv_contains ((const char *const[]) { "png", "svg", "pdf", NULL }, formats[f]))
      {
        g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "--plots: expected png, svg or pdf (got \"%s\")", formats[f]);
        return FALSE;
      }
  return TRUE;
}

static int
exit_code_for (TsTrainer *tr, TsRunState end)
{
  g_autoptr(GError) error = ts_trainer_dup_error (tr);

  if (end == TS_RUN_DONE)
    return CLI_OK;
  if (error)
    {
      g_printerr ("trainscope-cli: %s\n", error->message);
      /* what the user fed in (data, values) is bad input; the rest, and an
       * output that could not be written, a failed run */
      if (error->domain == TS_ERROR && error->code != TS_ERROR_WRITE && ts_trainer_get_steps (tr) == NULL)
        return CLI_BAD_INPUT;
    }
  return CLI_RUN_FAILED;
}

/* --epochs and --seed as their keys: the same strict parse and range */
static gboolean
set_flag (TsExperiment *exp, const char *flag, const char *key, const char *text, GError **error)
{
  GError *inner = NULL;

  if (text == NULL || ts_experiment_set (exp, key, text, &inner))
    return TRUE;
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "--%s: %s", flag, inner->message);
  g_error_free (inner);
  return FALSE;
}

static TsExperiment *
load_experiment (const char *arg, char **overrides, const char *epochs, const char *seed, GError **error)
{
  g_autoptr(TsExperiment) exp = ts_experiment_load_named (arg, error);
  if (exp == NULL)
    return NULL;
  if (!cli_apply_overrides (exp, overrides, FALSE, error))
    return NULL;
  if (!set_flag (exp, "epochs", "train.epochs", epochs, error) || !set_flag (exp, "seed", "seed", seed, error))
    return NULL;
  if (!ts_experiment_validate (exp, error))
    return NULL;
  return g_steal_pointer (&exp);
}

int
cli_run (int argc, char **argv)
{
  g_autofree char *out = NULL, *plots = NULL, *epochs = NULL, *seed = NULL, *threads_text = NULL, *seeds_text = NULL;
  g_auto(GStrv) overrides = NULL, formats = NULL;
  guint64 threads = 0, seeds = 0;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Run directory to write", "DIR" },
    { "epochs", 0, 0, G_OPTION_ARG_STRING, &epochs, "Override train.epochs", "N" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed, "Override the seed", "S" },
    { "threads", 0, 0, G_OPTION_ARG_STRING, &threads_text, "Compute threads (default: all cores)", "N" },
    { "set", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &overrides, "Override any key, e.g. train.lr=0.3", "KEY=VALUE" },
    { "seeds", 0, 0, G_OPTION_ARG_STRING, &seeds_text, "Train N copies differing only in seed into DIR/seed-S/, and DIR/group.json", "N" },
    { "plots", 0, 0, G_OPTION_ARG_STRING, &plots, "Also write the loss, accuracy, lr, layer and decision-boundary plots", "png,svg,pdf" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("EXP.json|EXAMPLE");
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) exp = NULL;
  g_autoptr(TsTrainer) trainer = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  RunContext ctx = { 0 };
  g_auto(CliSlurmOptions) slurm = { 0 };
  TsRunState end;
  int code;
  guint sigint, sigterm;

  g_option_context_add_main_entries (context, entries, NULL);
  cli_slurm_add_entries (context, &slurm);
  if (!cli_parse (context, &argc, &argv))
    return CLI_BAD_INPUT;
  if (argc != 2)
    return cli_bad_input ("run: expected one experiment file (or \"default\")");
  if (out == NULL)
    return cli_bad_input ("run: --out DIR is required");
  /* more threads than cores only wait on each other */
  if (!cli_parse_count ("threads", threads_text, 1, (guint64) g_get_num_processors (), &threads, &error))
    return cli_bad_input ("%s (this machine has %u cores)", error->message, g_get_num_processors ());
  exp = load_experiment (argv[1], overrides, epochs, seed, &error);
  if (exp == NULL)
    return cli_bad_input ("%s", error->message);
  formats = plots ? g_strsplit (plots, ",", -1) : NULL;
  if (!check_plot_formats (formats, &error))
    return cli_bad_input ("%s", error->message);
  if (threads > 0)
    ts_blas_set_threads ((int) threads);
  if (seeds_text != NULL)
    {
      if (!cli_parse_count ("seeds", seeds_text, 1, 1000, &seeds, &error))
        return cli_bad_input ("%s", error->message);
      if (formats)
        return cli_bad_input ("--seeds: --plots is for a single run");
      if ((code = cli_slurm_check (&slurm, out)) != CLI_OK)
        return code;
      return cli_run_seeds (exp, (guint) seeds, out, &slurm);
    }
  if (slurm.backend || slurm.partition || slurm.time || slurm.max_parallel || slurm.retries || slurm.cpus)
    return cli_bad_input ("run: --backend and the Slurm flags are for --seeds N (one run trains here)");

  trainer = ts_trainer_new (exp, out);
  loop = g_main_loop_new (NULL, FALSE);
  ctx = (RunContext) { trainer, loop, isatty (STDERR_FILENO), FALSE, FALSE };
  /* Ctrl-C is ours before the trainer claims the folder: one that comes
   * while the data loads must end the run cleanly, not kill the process */
  sigint = g_unix_signal_add (SIGINT, on_interrupt, &ctx);
  sigterm = g_unix_signal_add (SIGTERM, on_interrupt, &ctx);
  ts_trainer_start (trainer);
  g_timeout_add (100, on_tick, &ctx);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  end = ts_trainer_wait (trainer);
  if (ctx.tty)
    fprintf (stderr, "\r\033[K");
  print_warnings (&ctx); /* a run shorter than a tick */
  print_result (trainer, end);
  if (formats && ts_trainer_get_steps (trainer) && !write_plots (trainer, formats, &error))
    {
      g_printerr ("trainscope-cli: %s\n", error->message);
      return CLI_RUN_FAILED;
    }
  return exit_code_for (trainer, end);
}
