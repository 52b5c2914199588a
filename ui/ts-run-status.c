/* ts-run-status.c — a run's status in words. The sidebar row, the window
 * title and the progress line all come from here, so they cannot disagree
 * (they did: "loading 100%" in the title beside "loading 0%" in the row). */
#include "ts-run.h"
#include "ts-seed-group.h"

#include <math.h>
#include <string.h>

/* 1269002 → "1 269 002", grouped by narrow no-break spaces whatever the
 * locale (C and en_US have no grouping, or a comma a reader may take for
 * a decimal point) */
static char *
grouped (double value)
{
  g_autofree char *digits = g_strdup_printf ("%.0f", MAX (value, 0));
  GString *s = g_string_new (NULL);
  gsize n = strlen (digits);

  for (gsize i = 0; i < n; i++)
    {
      if (i > 0 && (n - i) % 3 == 0)
        g_string_append (s, "\u202f");
      g_string_append_c (s, digits[i]);
    }
  return g_string_free (s, FALSE);
}

char *
ts_run_status_text (TsRun *run)
{
  TsProgress p;
  GString *s = g_string_new (NULL);
  guint done = ts_run_get_curves (run)->epoch->len;

  if (ts_run_get_seed_group (run))
    {
      g_string_free (s, TRUE);
      return ts_seed_group_status_text (TS_SEED_GROUP (ts_run_get_seed_group (run)));
    }
  ts_run_get_progress (run, &p);
  if (ts_run_is_queued (run))
    g_string_append (s, "queued");
  else if (p.state == TS_RUN_LOADING)
    g_string_append_printf (s, "loading %.0f%%", 100 * CLAMP (p.loaded, 0, 1));
  else
    g_string_append (s, ts_run_state_name (p.state));
  /* the epoch under way while training; the last one completed after */
  if (p.state == TS_RUN_RUNNING || p.state == TS_RUN_PAUSED)
    g_string_append_printf (s, " · epoch %u/%u", MIN (p.epoch + 1, p.epochs), p.epochs);
  else if (done > 0)
    g_string_append_printf (s, " · epoch %u/%u", done, ts_run_get_experiment (run)->train.epochs);
  if (ts_run_get_best_val_acc (run) > 0)
    g_string_append_printf (s, " · best val %.1f%%", 100 * ts_run_get_best_val_acc (run));
  if (ts_run_count_warnings (run) > 0)
    g_string_append_printf (s, " · ⚠ %u", ts_run_count_warnings (run));
  return g_string_free (s, FALSE);
}

char *
ts_run_status_line (TsRun *run, double smoothing)
{
  g_autofree char *status = NULL, *step = NULL, *speed = NULL;
  TsProgress p;
  double loss;
  GString *s;

  if (ts_run_get_seed_group (run))
    return ts_seed_group_status_line (TS_SEED_GROUP (ts_run_get_seed_group (run)));
  ts_run_get_progress (run, &p);
  if (ts_run_is_queued (run))
    return g_strdup ("Queued — waiting for a running experiment to finish");
  if (p.state == TS_RUN_READY)
    return g_strdup ("Ready — press Start (Ctrl+Return)");
  if (p.state == TS_RUN_FAILED)
    return g_strdup_printf ("Failed: %s", ts_run_get_message (run) ? ts_run_get_message (run) : "the run failed");
  status = ts_run_status_text (run);
  if (p.state == TS_RUN_LOADING)
    return g_strdup_printf ("%s — loading the data", status);
  s = g_string_new (status);
  step = grouped ((double) p.step);
  g_string_append_printf (s, " · step %s", step);
  /* the loss the plot draws: its smoothed line, said so */
  loss = smoothing > 0 ? ts_run_get_smoothed_loss (run, smoothing) : p.loss;
  if (p.state == TS_RUN_DIVERGED || (p.step > 0 && !isfinite (p.loss)))
    g_string_append (s, " · loss diverged");
  else if (isfinite (loss))
    g_string_append_printf (s, " · %s %.4g", smoothing > 0 ? "smoothed loss" : "loss", loss);
  /* the LR now: a ÷2 or ÷5 by hand shows at once */
  if (isfinite (p.lr) && p.lr > 0)
    g_string_append_printf (s, " · lr %.3g", p.lr);
  if (p.samples_per_second > 0)
    {
      speed = grouped (p.samples_per_second);
      g_string_append_printf (s, " · %s samples/s", speed);
    }
  if (p.eta >= 0 && !ts_run_state_is_final (p.state))
    {
      int left = (int) p.eta;
      g_string_append_printf (s, " · ETA\u00a0%d:%02d", left / 60, left % 60); /* kept on one line */
    }
  return g_string_free (s, FALSE);
}
