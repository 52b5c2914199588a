/* ts-plot-run.h — the standard plots of a run (loss per iteration,
 * accuracy per epoch, learning rate), for one run or several overlaid.
 *
 * TsCurveData copies a run's metric logs into plottable arrays, reading
 * only what is new on each update, so a window can refresh every frame:
 *
 *   TsCurveData *d = ts_curve_data_new ();
 *   ts_curve_data_update (d, steps_log, epochs_log);   // cheap when nothing changed
 *   TsRunCurves runs[] = { { "spiral", 0, d } };
 *   ts_plot_run (cr, 640, 360, &style, TS_RUN_PLOT_LOSS, runs, 1, TRUE, "seed 7");
 */
#pragma once

#include "ts-plot-curves.h"

G_BEGIN_DECLS

typedef struct {
  GArray *step;      /* double, per iteration */
  GArray *loss;
  GArray *lr;
  GArray *epoch;     /* double, per epoch */
  GArray *train_acc;
  GArray *val_acc;
  GArray *train_loss;
  GArray *val_loss;
  /* a seed group's mean curves carry each point's std over its members
   * (double, beside step, epoch, epoch); NULL for a run's own curves */
  GArray *loss_std;
  GArray *train_acc_std;
  GArray *val_acc_std;
} TsCurveData;

TsCurveData *ts_curve_data_new (void);
void         ts_curve_data_free (TsCurveData *d);
/* Appends the records added since the last call; TRUE if there were any. */
gboolean     ts_curve_data_update (TsCurveData *d, const TsMetricLog *steps, const TsMetricLog *epochs);
/* Reads a run directory's steps.csv and metrics.csv. */
TsCurveData *ts_curve_data_load (const char *run_dir, GError **error);

typedef enum {
  TS_RUN_PLOT_LOSS,
  TS_RUN_PLOT_ACCURACY,
  TS_RUN_PLOT_LR,
} TsRunPlotKind;

typedef struct {
  const char        *name;
  guint              colour;
  const TsCurveData *data;
  gboolean           diverged; /* (a loss that is NaN or infinite says so too) */
} TsRunCurves;

typedef struct {
  gboolean log_y;        /* loss and learning rate; accuracy stays linear */
  double   x_min, x_max; /* equal: fit the data */
  double   smoothing;    /* EMA weight of the loss's strong line (TensorBoard's); 0: raw only */
} TsRunPlotOptions;

const char *ts_run_plot_name (TsRunPlotKind kind); /* "loss", "accuracy", "lr" */
void        ts_plot_run (cairo_t *cr, double width, double height, const TsPlotStyle *style, TsRunPlotKind kind,
                         const TsRunCurves *runs, guint n_runs, gboolean log_y, const char *caption);
/* The same with every option (ts_plot_run: fit the data, smoothing 0.6). */
void        ts_plot_run_with (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                              TsRunPlotKind kind, const TsRunCurves *runs, guint n_runs,
                              const TsRunPlotOptions *options, const char *caption);
/* The axes ts_plot_run_with draws a kind with (labels, scale, range rules). */
void        ts_plot_run_axes (TsRunPlotKind kind, const TsRunPlotOptions *options, TsPlotAxes *axes);
/* The plot's data as CSV: series,x,y, one row per point. */
char       *ts_plot_run_csv (TsRunPlotKind kind, const TsRunCurves *runs, guint n_runs);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsCurveData, ts_curve_data_free)

G_END_DECLS
