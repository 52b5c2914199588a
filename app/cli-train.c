/* One run trained synchronously for the commands that train many (run
 * --seeds, search, search --top): a live line on a terminal, Ctrl-C stops
 * the run between two batches (its files are still written). */
#include "ts-io.h"
#include "cli-train.h"

#include <glib-unix.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

typedef struct {
  TsTrainer  *trainer;
  GMainLoop  *loop;
  const char *label;
  gboolean    tty;
  gboolean   *interrupted;
} TrainContext;

static gboolean
on_tick (gpointer data)
{
  TrainContext *ctx = data;
  TsProgress p;

  ts_trainer_get_progress (ctx->trainer, &p);
  if (ctx->tty && p.state >= TS_RUN_RUNNING)
    fprintf (stderr, "\r\033[K%s: epoch %u/%u  loss %.4f  val %.1f%%  %.0f samples/s", ctx->label,
             MIN (p.epoch + 1, p.epochs), p.epochs, p.loss, isnan (p.val_acc) ? 0.0 : 100 * p.val_acc,
             p.samples_per_second);
  if (ts_run_state_is_final (p.state))
    {
      g_main_loop_quit (ctx->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_interrupt (gpointer data)
{
  TrainContext *ctx = data;
  *ctx->interrupted = TRUE;
  ts_trainer_stop (ctx->trainer);
  return G_SOURCE_CONTINUE;
}

TsRunState
cli_train (const TsExperiment *exp, const char *dir, const char *label, gboolean *interrupted, JsonNode **summary,
           GError **error)
{
  g_autoptr(TsTrainer) trainer = ts_trainer_new (exp, dir);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  TrainContext ctx = { trainer, loop, label, isatty (STDERR_FILENO), interrupted };
  guint sigint, sigterm, tick;
  TsRunState end;

  /* before the trainer starts: see cli-run.c */
  sigint = g_unix_signal_add (SIGINT, on_interrupt, &ctx);
  sigterm = g_unix_signal_add (SIGTERM, on_interrupt, &ctx);
  ts_trainer_start (trainer);
  tick = g_timeout_add (100, on_tick, &ctx);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  (void) tick; /* removed itself when the run ended */
  end = ts_trainer_wait (trainer);
  if (ctx.tty)
    fprintf (stderr, "\r\033[K");
  if (summary)
    *summary = ts_trainer_dup_summary (trainer);
  if (end == TS_RUN_FAILED && error)
    *error = ts_trainer_dup_error (trainer);
  return end;
}

double
cli_summary_number (JsonNode *summary, const char *key)
{
  return ts_json_number (summary && JSON_NODE_HOLDS_OBJECT (summary) ? json_node_get_object (summary) : NULL, key);
}
