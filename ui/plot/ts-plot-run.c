#include "ts-plot-run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

TsCurveData *
ts_curve_data_new (void)
{
  TsCurveData *d = g_new0 (TsCurveData, 1);
  GArray **arrays[] = { &d->step, &d->loss, &d->lr, &d->epoch, &d->train_acc, &d->val_acc, &d->train_loss,
                        &d->val_loss };
  for (gsize i = 0; i < G_N_ELEMENTS (arrays); i++)
    *arrays[i] = g_array_new (FALSE, FALSE, sizeof (double));
  return d;
}

void
ts_curve_data_free (TsCurveData *d)
{
  if (d == NULL)
    return;
  GArray *arrays[] = { d->step, d->loss, d->lr, d->epoch, d->train_acc, d->val_acc, d->train_loss, d->val_loss };
  for (gsize i = 0; i < G_N_ELEMENTS (arrays); i++)
    g_array_unref (arrays[i]);
  g_clear_pointer (&d->loss_std, g_array_unref);
  g_clear_pointer (&d->train_acc_std, g_array_unref);
  g_clear_pointer (&d->val_acc_std, g_array_unref);
  g_free (d);
}

static void
append (GArray *a, double v)
{
  g_array_append_val (a, v);
}

gboolean
ts_curve_data_update (TsCurveData *d, const TsMetricLog *steps, const TsMetricLog *epochs)
{
  gsize n_steps = steps ? ts_metric_log_length (steps) : 0;
  gsize n_epochs = epochs ? ts_metric_log_length (epochs) : 0;
  gboolean changed = n_steps > d->step->len || n_epochs > d->epoch->len;

  for (gsize i = d->step->len; i < n_steps; i++)
    {
      const TsStepRecord *r = ts_metric_log_step (steps, i);
      append (d->step, (double) r->step);
      append (d->loss, r->loss);
      append (d->lr, r->lr);
    }
  for (gsize i = d->epoch->len; i < n_epochs; i++)
    {
      const TsEpochRecord *e = ts_metric_log_epoch (epochs, i);
      append (d->epoch, e->epoch);
      append (d->train_acc, e->train_acc);
      append (d->val_acc, e->val_acc);
      append (d->train_loss, e->train_loss);
      append (d->val_loss, e->val_loss);
    }
  return changed;
}

TsCurveData *
ts_curve_data_load (const char *run_dir, GError **error)
{
  g_autoptr(TsCurveData) d = ts_curve_data_new ();
  g_autoptr(TsMetricLog) steps = ts_run_dir_load_steps (run_dir, error);
  g_autoptr(TsMetricLog) epochs = steps ? ts_run_dir_load_epochs (run_dir, error) : NULL;

  if (epochs == NULL)
    return NULL;
  ts_curve_data_update (d, steps, epochs);
  return g_steal_pointer (&d);
}

const char *
ts_run_plot_name (TsRunPlotKind kind)
{
  static const char *const names[] = { "loss", "accuracy", "lr" };
  return names[kind];
}

#define DOUBLES(a) ((const double *) (a)->data)
/* a std array that covers the curve, or NULL */
#define SPREAD(a, count) ((a) && (a)->len >= (count) ? DOUBLES (a) : NULL)

/* A dashed vertical line at every step where a run's LR was divided at
 * once (by hand, or by a step or plateau schedule): pairs of points with a
 * NaN y between them (a gap), spanning that run's LR range. Smooth decays (exp, cosine)
 * change it by far less than the 1.5× a step must. */
static gsize
lr_steps (const TsRunCurves *runs, guint n_runs, GArray *x, GArray *y)
{
  const double gap = NAN;

  for (guint r = 0; r < n_runs; r++)
    {
      const TsCurveData *d = runs[r].data;
      const double *lr = DOUBLES (d->lr), *step = DOUBLES (d->step);
      double lo = G_MAXDOUBLE, hi = 0;

      for (guint i = 0; i < d->lr->len; i++)
        if (lr[i] > 0)
          lo = MIN (lo, lr[i]), hi = MAX (hi, lr[i]);
      for (guint i = 1; i < d->lr->len; i++)
        if (lr[i] > 0 && lr[i - 1] > 1.5 * lr[i])
          {
            double at = 0.5 * (step[i - 1] + step[i]);
            g_array_append_val (x, at), g_array_append_val (y, lo);
            g_array_append_val (x, at), g_array_append_val (y, hi);
            g_array_append_val (x, at), g_array_append_val (y, gap); /* y NaN: a gap */
          }
    }
  return x->len;
}

static gboolean
all_finite (const GArray *a)
{
  for (guint i = 0; i < a->len; i++)
    if (!isfinite (g_array_index (a, double, i)))
      return FALSE;
  return TRUE;
}

/* Series for a plot kind: per run, one or two (train and val accuracy,
 * the run named once, with a train/val key at the end); the LR plot's
 * "LR divided" lines last, their points in marks (x, y). out holds 2n+3. */
static guint
collect_series (TsRunPlotKind kind, const TsRunCurves *runs, guint n_runs, TsPlotSeries *out, char **names,
                GArray *marks[2])
{
  guint n = 0;

  for (guint r = 0; r < n_runs; r++)
    {
      const TsCurveData *d = runs[r].data;
      switch (kind)
        {
        case TS_RUN_PLOT_LOSS:
          out[n++] = (TsPlotSeries) { runs[r].name, runs[r].colour, DOUBLES (d->step), DOUBLES (d->loss), d->step->len, TRUE,
                                      .diverged = runs[r].diverged || !all_finite (d->loss),
                                      .spread = SPREAD (d->loss_std, d->step->len) };
          break;
        case TS_RUN_PLOT_LR:
          out[n++] = (TsPlotSeries) { runs[r].name, runs[r].colour, DOUBLES (d->step), DOUBLES (d->lr), d->step->len };
          break;
        case TS_RUN_PLOT_ACCURACY:
          names[2 * r] = g_strdup_printf ("%s%strain", runs[r].name ? runs[r].name : "", runs[r].name ? " · " : "");
          names[2 * r + 1] = g_strdup_printf ("%s%sval", runs[r].name ? runs[r].name : "", runs[r].name ? " · " : "");
          /* names[] label the CSV; the legend shows the run once */
          out[n++] = (TsPlotSeries) { NULL, runs[r].colour, DOUBLES (d->epoch), DOUBLES (d->train_acc),
                                      d->epoch->len, FALSE, TRUE,
                                      .spread = SPREAD (d->train_acc_std, d->epoch->len) };
          out[n++] = (TsPlotSeries) { runs[r].name, runs[r].colour, DOUBLES (d->epoch), DOUBLES (d->val_acc),
                                      d->epoch->len, .spread = SPREAD (d->val_acc_std, d->epoch->len) };
          break;
        }
    }
  if (kind == TS_RUN_PLOT_ACCURACY && n_runs > 0)
    {
      out[n++] = (TsPlotSeries) { "train", 0, NULL, NULL, 0, FALSE, TRUE, TRUE };
      out[n++] = (TsPlotSeries) { "val", 0, NULL, NULL, 0, FALSE, FALSE, TRUE };
    }
  if (kind == TS_RUN_PLOT_LR && lr_steps (runs, n_runs, marks[0], marks[1]) > 0)
    out[n++] = (TsPlotSeries) { "LR divided", 0, DOUBLES (marks[0]), DOUBLES (marks[1]), marks[0]->len, FALSE,
                                TRUE, TRUE };
  return n;
}

void
ts_plot_run (cairo_t *cr, double width, double height, const TsPlotStyle *style, TsRunPlotKind kind,
             const TsRunCurves *runs, guint n_runs, gboolean log_y, const char *caption)
{
  TsRunPlotOptions options = { log_y, 0, 0, TS_PLOT_DEFAULT_SMOOTHING };
  ts_plot_run_with (cr, width, height, style, kind, runs, n_runs, &options, caption);
}

void
ts_plot_run_axes (TsRunPlotKind kind, const TsRunPlotOptions *options, TsPlotAxes *axes)
{
  *axes = (TsPlotAxes) { "step", "loss", options->log_y };
  /* accuracy at chance (0.098 … 0.101) is a flat line, not a zoom into noise */
  if (kind == TS_RUN_PLOT_ACCURACY)
    *axes = (TsPlotAxes) { "epoch", "accuracy", FALSE, .min_span = 0.1, .unit_range = TRUE, .whole_x = TRUE };
  else if (kind == TS_RUN_PLOT_LR)
    *axes = (TsPlotAxes) { "step", "learning rate", options->log_y };
  axes->x_min = options->x_min;
  axes->x_max = options->x_max;
  axes->smoothing = options->smoothing;
}

void
ts_plot_run_with (cairo_t *cr, double width, double height, const TsPlotStyle *style, TsRunPlotKind kind,
                  const TsRunCurves *runs, guint n_runs, const TsRunPlotOptions *options, const char *caption)
{
  g_autofree TsPlotSeries *series = g_new0 (TsPlotSeries, 2 * n_runs + 3);
  g_autofree char **names = g_new0 (char *, 2 * n_runs + 1);
  g_autoptr(GArray) mark_x = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) mark_y = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *marks[2] = { mark_x, mark_y };
  guint n = collect_series (kind, runs, n_runs, series, names, marks);
  TsPlotAxes axes;

  ts_plot_run_axes (kind, options, &axes);
  ts_plot_curves (cr, width, height, style, series, n, &axes, caption);
  for (guint i = 0; i < 2 * n_runs; i++)
    g_free (names[i]);
}

char *
ts_plot_run_csv (TsRunPlotKind kind, const TsRunCurves *runs, guint n_runs)
{
  g_autofree TsPlotSeries *series = g_new0 (TsPlotSeries, 2 * n_runs + 3);
  g_autofree char **names = g_new0 (char *, 2 * n_runs + 1);
  g_autoptr(GArray) mark_x = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) mark_y = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *marks[2] = { mark_x, mark_y };
  guint n = collect_series (kind, runs, n_runs, series, names, marks);
  GString *csv = g_string_new ("series,x,y\n");

  for (guint s = 0; s < n; s++)
    for (gsize i = 0; i < series[s].n; i++)
      {
        char x[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE];
        const char *label = kind == TS_RUN_PLOT_ACCURACY ? names[s] : series[s].name;
        g_string_append_printf (csv, "\"%s\",%s,%s\n", label ? label : "",
                                g_ascii_dtostr (x, sizeof x, series[s].x[i]),
                                isfinite (series[s].y[i]) ? g_ascii_dtostr (y, sizeof y, series[s].y[i]) : "");
      }
  /* a seed group's spread: its own series, "NAME · std" */
  for (guint s = 0; s < n; s++)
    for (gsize i = 0; series[s].spread && i < series[s].n; i++)
      {
        char x[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE];
        const char *label = kind == TS_RUN_PLOT_ACCURACY ? names[s] : series[s].name;
        g_string_append_printf (csv, "\"%s · std\",%s,%s\n", label ? label : "",
                                g_ascii_dtostr (x, sizeof x, series[s].x[i]),
                                isfinite (series[s].spread[i]) ? g_ascii_dtostr (y, sizeof y, series[s].spread[i]) : "");
      }
  for (guint i = 0; i < 2 * n_runs; i++)
    g_free (names[i]);
  return g_string_free (csv, FALSE);
}
