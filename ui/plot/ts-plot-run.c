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

static double
field_value (const char *text)
{
  return *text ? g_ascii_strtod (text, NULL) : NAN;
}

static gboolean
read_csv_rows (const char *dir, const char *name, guint columns, GPtrArray **rows, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  for (int i = 1; lines[i]; i++)
    {
      char **f = g_strsplit (lines[i], ",", -1);
      if (g_strv_length (f) >= columns)
        g_ptr_array_add (*rows, f);
      else
        g_strfreev (f);
    }
  return TRUE;
}

TsCurveData *
ts_curve_data_load (const char *run_dir, GError **error)
{
  g_autoptr(TsCurveData) d = ts_curve_data_new ();
  g_autoptr(GPtrArray) steps = NULL;
  g_autoptr(GPtrArray) epochs = NULL;

  if (!read_csv_rows (run_dir, "steps.csv", 4, &steps, error)
      || !read_csv_rows (run_dir, "metrics.csv", 8, &epochs, error))
    return NULL;
  for (guint i = 0; i < steps->len; i++)
    {
      char **f = steps->pdata[i];
      append (d->step, field_value (f[0]));
      append (d->lr, field_value (f[2]));
      append (d->loss, field_value (f[3]));
    }
  for (guint i = 0; i < epochs->len; i++)
    {
      char **f = epochs->pdata[i];
      append (d->epoch, field_value (f[0]));
      append (d->train_loss, field_value (f[3]));
      append (d->train_acc, field_value (f[4]));
      append (d->val_loss, field_value (f[5]));
      append (d->val_acc, field_value (f[6]));
    }
  return g_steal_pointer (&d);
}

const char *
ts_run_plot_name (TsRunPlotKind kind)
{
  static const char *const names[] = { "loss", "accuracy", "lr" };
  return names[kind];
}

#define DOUBLES(a) ((const double *) (a)->data)

static gboolean
all_finite (const GArray *a)
{
  for (guint i = 0; i < a->len; i++)
    if (!isfinite (g_array_index (a, double, i)))
      return FALSE;
  return TRUE;
}

/* Series for a plot kind: per run, one or two (train and val accuracy,
 * the run named once, with a train/val key at the end). out holds 2n+2. */
static guint
collect_series (TsRunPlotKind kind, const TsRunCurves *runs, guint n_runs, TsPlotSeries *out, char **names)
{
  guint n = 0;

  for (guint r = 0; r < n_runs; r++)
    {
      const TsCurveData *d = runs[r].data;
      switch (kind)
        {
        case TS_RUN_PLOT_LOSS:
          out[n++] = (TsPlotSeries) { runs[r].name, runs[r].colour, DOUBLES (d->step), DOUBLES (d->loss), d->step->len, TRUE,
                                      .diverged = runs[r].diverged || !all_finite (d->loss) };
          break;
        case TS_RUN_PLOT_LR:
          out[n++] = (TsPlotSeries) { runs[r].name, runs[r].colour, DOUBLES (d->step), DOUBLES (d->lr), d->step->len };
          break;
        case TS_RUN_PLOT_ACCURACY:
          names[2 * r] = g_strdup_printf ("%s%strain", runs[r].name ? runs[r].name : "", runs[r].name ? " · " : "");
          names[2 * r + 1] = g_strdup_printf ("%s%sval", runs[r].name ? runs[r].name : "", runs[r].name ? " · " : "");
          /* names[] label the CSV; the legend shows the run once */
          out[n++] = (TsPlotSeries) { NULL, runs[r].colour, DOUBLES (d->epoch), DOUBLES (d->train_acc),
                                      d->epoch->len, FALSE, TRUE };
          out[n++] = (TsPlotSeries) { runs[r].name, runs[r].colour, DOUBLES (d->epoch), DOUBLES (d->val_acc),
                                      d->epoch->len };
          break;
        }
    }
  if (kind == TS_RUN_PLOT_ACCURACY && n_runs > 0)
    {
      out[n++] = (TsPlotSeries) { "train", 0, NULL, NULL, 0, FALSE, TRUE, TRUE };
      out[n++] = (TsPlotSeries) { "val", 0, NULL, NULL, 0, FALSE, FALSE, TRUE };
    }
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
    *axes = (TsPlotAxes) { "epoch", "accuracy", FALSE, .min_span = 0.1, .unit_range = TRUE };
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
  g_autofree TsPlotSeries *series = g_new0 (TsPlotSeries, 2 * n_runs + 2);
  g_autofree char **names = g_new0 (char *, 2 * n_runs + 1);
  guint n = collect_series (kind, runs, n_runs, series, names);
  TsPlotAxes axes;

  ts_plot_run_axes (kind, options, &axes);
  ts_plot_curves (cr, width, height, style, series, n, &axes, caption);
  for (guint i = 0; i < 2 * n_runs; i++)
    g_free (names[i]);
}

char *
ts_plot_run_csv (TsRunPlotKind kind, const TsRunCurves *runs, guint n_runs)
{
  g_autofree TsPlotSeries *series = g_new0 (TsPlotSeries, 2 * n_runs + 2);
  g_autofree char **names = g_new0 (char *, 2 * n_runs + 1);
  guint n = collect_series (kind, runs, n_runs, series, names);
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
  for (guint i = 0; i < 2 * n_runs; i++)
    g_free (names[i]);
  return g_string_free (csv, FALSE);
}
