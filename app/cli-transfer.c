/* trainscope-cli transfer PRETRAINED --data SOURCE --out DIR: the transfer
 * lab headless — every stage probed on the target, the similarity and size
 * verdicts, the 2×2 table's cell, then the five strategies trained as runs
 * into DIR/<strategy>/, and DIR/transfer.json, DIR/transfer-stages.png. */
#include "cli-train.h"
#include "ts-io.h"
#include "ts-plot-transfer.h"

#include <glib-unix.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  TsTransfer   *t;
  GCancellable *cancel;
  GMainLoop    *loop;
  gboolean      tty;
  gboolean      ok;
  GError       *error;
  char         *last_what; /* the last step printed, so a line per step off a terminal */
} Analysis;

static void
on_progress (double fraction, const char *what, gpointer data)
{
  Analysis *a = data;

  /* from the analysis thread; stderr is line-buffered per call */
  if (a->tty)
    fprintf (stderr, "\r\033[Ktransfer: %3.0f%% %s", 100 * fraction, what);
  else if (g_strcmp0 (a->last_what, what) != 0)
    fprintf (stderr, "transfer: %s\n", what);
  g_free (a->last_what);
  a->last_what = g_strdup (what);
}

static gboolean
analysis_done (gpointer data)
{
  g_main_loop_quit (((Analysis *) data)->loop);
  return G_SOURCE_REMOVE;
}

static gpointer
analyse_thread (gpointer data)
{
  Analysis *a = data;
  TsTransferOptions opts = { a->cancel, on_progress, a };

  a->ok = ts_transfer_analyse (a->t, &opts, &a->error);
  g_idle_add (analysis_done, a);
  return NULL;
}

static gboolean
on_interrupt (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_CONTINUE;
}

/* The analysis on a thread of its own, so Ctrl-C (here, in the main loop)
 * can cancel it between two steps. */
static gboolean
analyse (TsTransfer *t, GError **error)
{
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Analysis a = { t, cancel, loop, isatty (STDERR_FILENO) };
  guint sigint = g_unix_signal_add (SIGINT, on_interrupt, cancel);
  guint sigterm = g_unix_signal_add (SIGTERM, on_interrupt, cancel);
  GThread *thread = g_thread_new ("transfer", analyse_thread, &a);

  g_main_loop_run (loop);
  g_thread_join (thread);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (a.tty)
    fprintf (stderr, "\r\033[K");
  g_free (a.last_what);
  if (!a.ok)
    g_propagate_error (error, a.error);
  return a.ok;
}

static void
draw_stages (cairo_t *cr, double width, double height, gpointer data)
{
  TsTransfer *t = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  g_autofree char *caption = g_strdup_printf ("%s · %u training samples", ts_transfer_report (t)->source,
                                              ts_transfer_report (t)->train_count);
  ts_plot_transfer_stages (cr, width, height, &style, ts_transfer_report (t), caption);
}

static gboolean
write_outputs (TsTransfer *t, const char *out, gboolean plot, GError **error)
{
  g_autoptr(JsonNode) node = ts_transfer_to_json (t);
  g_autofree char *json_path = g_build_filename (out, "transfer.json", NULL);
  g_autofree char *png_path = g_build_filename (out, "transfer-stages.png", NULL);

  if (g_mkdir_with_parents (out, 0755) != 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_WRITE, "%s: could not create the folder: %s", out, g_strerror (errno));
      return FALSE;
    }
  return ts_write_json_atomic (json_path, node, error)
         && (!plot || ts_plot_save (draw_stages, t, 640, 400, 2, png_path, error));
}

static void
print_analysis (const TsTransferReport *r)
{
  g_print ("%s on %s: %u training samples of %u classes\n", r->pretrained, r->source, r->train_count, r->n_classes);
  for (guint s = 0; s < r->n_stages; s++)
    g_print ("  stage %u (%s, %u features): linear probe val %.2f%%%s, LogME %.4f\n", s + 1, r->stages[s].name,
             r->stages[s].width, 100 * r->stages[s].probe_val_acc,
             s == r->best_probe ? " (best)" : "", r->stages[s].logme);
  g_print ("similarity: LogME %.4f at the top stage; the target's best stage by LogME is %u of %u → %s\n",
           r->similarity, r->best_logme + 1, r->n_stages, r->similar ? "similar" : "different");
  g_print ("size: %.1f samples per class against %u parameters per class → %s\n",
           r->n_classes ? (double) r->train_count / r->n_classes : 0.0, r->params_per_class,
           r->lots ? "a lot" : "little");
  g_print ("cell %s: %s\n", ts_transfer_cell (r), ts_transfer_recommendation_text (r));
}

/* "linear-top,scratch" → which to train; "none" → none */
static gboolean
parse_strategies (const char *text, gboolean *wanted, GError **error)
{
  g_auto (GStrv) names = NULL;

  for (int s = 0; s < TS_N_STRATEGIES; s++)
    wanted[s] = text == NULL;
  if (text == NULL || g_strcmp0 (text, "none") == 0)
    return TRUE;
  names = g_strsplit (text, ",", -1);
  for (int i = 0; names[i]; i++)
    {
      TsStrategy s;
      if (!ts_strategy_from_name (g_strstrip (names[i]), &s))
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                       "--strategies: unknown strategy \"%s\" (expected linear-top, linear-stages, finetune-few, "
                       "finetune-many, scratch or none)", names[i]);
          return FALSE;
        }
      wanted[s] = TRUE;
    }
  return TRUE;
}

/* Trains the wanted strategies one after another into DIR/<name>/,
 * rewriting transfer.json after each. CLI_OK, or 1 when one failed or
 * Ctrl-C stopped it. */
static int
train_strategies (TsTransfer *t, const gboolean *wanted, const char *out)
{
  for (int s = 0; s < TS_N_STRATEGIES; s++)
    {
      g_autoptr(TsExperiment) exp = NULL;
      g_autoptr(JsonNode) summary = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_build_filename (out, ts_strategy_name (s), NULL);
      gboolean interrupted = FALSE;
      TsRunState end;

      if (!wanted[s])
        continue;
      if ((exp = ts_transfer_strategy_experiment (t, s, &error)) == NULL)
        return cli_fail (error);
      fprintf (stderr, "transfer: training %s\n", ts_strategy_name (s));
      end = cli_train (exp, dir, ts_strategy_name (s), &interrupted, &summary, &error);
      if (summary)
        ts_transfer_set_result (t, s, dir, summary);
      if (!write_outputs (t, out, FALSE, &error))
        return cli_fail (error);
      if (end == TS_RUN_FAILED)
        {
          g_printerr ("trainscope-cli: %s: %s\n", dir, error ? error->message : "the run failed");
          return CLI_RUN_FAILED;
        }
      {
        const TsStrategyResult *res = &ts_transfer_report (t)->results[s];
        g_print ("%-14s %s: val %.2f%%", ts_strategy_name (s), ts_run_state_name (end), 100 * res->val_acc);
        if (!isnan (res->test_acc))
          g_print (", test %.2f%%", 100 * res->test_acc);
        g_print (", %.1f s → %s\n", res->seconds, dir);
      }
      if (interrupted || end != TS_RUN_DONE)
        return CLI_RUN_FAILED;
    }
  return CLI_OK;
}

int
cli_transfer (int argc, char **argv)
{
  g_autofree char *data = NULL, *out = NULL, *strategies = NULL;
  g_auto (GStrv) overrides = NULL;
  gboolean json = FALSE, wanted[TS_N_STRATEGIES];
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_STRING, &data, "The target's data source", "SOURCE" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &overrides, "Override a key of the target's experiment", "KEY=VALUE" },
    { "strategies", 0, 0, G_OPTION_ARG_STRING, &strategies, "Strategies to train (default all; none: only measure)", "LIST" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Folder for transfer.json and the strategies' runs", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print transfer.json", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("PRETRAINED");
  g_autoptr(TsTransfer) t = NULL;
  g_autoptr(GError) error = NULL;
  const TsTransferReport *r;
  int code, winner;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!cli_parse (context, &argc, &argv))
    return CLI_BAD_INPUT;
  if (argc != 2)
    return cli_bad_input ("transfer: expected one pre-trained model (a run folder or a .safetensors file)");
  if (data == NULL)
    return cli_bad_input ("transfer: --data SOURCE is required (the target's data)");
  if (out == NULL)
    return cli_bad_input ("transfer: --out DIR is required");
  if (!parse_strategies (strategies, wanted, &error))
    return cli_bad_input ("%s", error->message);
  if ((t = ts_transfer_new (argv[1], &error)) == NULL || !ts_transfer_set_target (t, data, overrides, &error))
    return cli_bad_input ("%s", error->message);
  if (!analyse (t, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_printerr ("trainscope-cli: transfer: interrupted while measuring; nothing was written\n");
          return CLI_RUN_FAILED;
        }
      return cli_fail (error);
    }
  r = ts_transfer_report (t);
  if (!json)
    print_analysis (r);
  if (!write_outputs (t, out, TRUE, &error))
    return cli_fail (error);
  code = train_strategies (t, wanted, out);
  if ((winner = ts_transfer_winner (t)) >= 0 && !json)
    g_print ("winner: %s (by %s); the table recommended %s — %s\n", ts_strategy_name (winner),
             r->test_count ? "test accuracy" : "validation accuracy", ts_strategy_name (r->recommended),
             ts_transfer_recommendation_right (t) ? "right" : "wrong");
  if (json)
    {
      g_autoptr(JsonNode) node = ts_transfer_to_json (t);
      cli_print_json (node);
    }
  else
    g_print ("→ %s\n", out);
  return code;
}
