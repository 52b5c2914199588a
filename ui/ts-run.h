/* ts-run.h — one experiment's run, as the window sees it: the trainer on
 * its thread, the curves read from it by the window's poll, its colour and
 * whether it is overlaid. A run can also be a finished run directory read
 * back from disk (written by the GUI or by trainscope-cli run).
 */
#pragma once

#include <glib-object.h>
#include <trainscope.h>

#include "ts-plot-run.h"

G_BEGIN_DECLS

#define TS_TYPE_RUN (ts_run_get_type ())
G_DECLARE_FINAL_TYPE (TsRun, ts_run, TS, RUN, GObject)

TsRun              *ts_run_new (const TsExperiment *exp, guint colour);
TsRun              *ts_run_new_from_dir (const char *dir, guint colour, GError **error);

const char         *ts_run_get_name (TsRun *run);
guint               ts_run_get_colour (TsRun *run);
const TsExperiment *ts_run_get_experiment (TsRun *run);
/* Replaces the experiment of a run that has not started. */
void                ts_run_set_experiment (TsRun *run, const TsExperiment *exp);
/* A fork remembers its parent's experiment: while its name is not typed by
 * hand, the name follows the changes (ts_experiment_fork_name). NULL: not a
 * fork, or its name was chosen. */
void                ts_run_set_fork_parent (TsRun *run, const TsExperiment *parent);
const TsExperiment *ts_run_get_fork_parent (TsRun *run);
const char         *ts_run_get_run_dir (TsRun *run);
TsRunState          ts_run_get_state (TsRun *run);
gboolean            ts_run_is_queued (TsRun *run);
gboolean            ts_run_get_overlay (TsRun *run);
void                ts_run_set_overlay (TsRun *run, gboolean overlay);
double              ts_run_get_best_val_acc (TsRun *run);
void                ts_run_get_progress (TsRun *run, TsProgress *out);
const TsCurveData  *ts_run_get_curves (TsRun *run);
/* the stats log (TsStatsRecord) and the records in it as of the last poll
 * (a run read from disk or finished: its layers.csv); NULL before the data
 * has loaded. A finished run lets its trainer go (its data, net and logs)
 * and keeps its curves, advice, layer statistics and last progress. */
const TsMetricLog  *ts_run_get_stats (TsRun *run, gsize *n);
/* A model with the newest parameters the trainer published (or the saved
 * model of a run read from disk); NULL when there is none yet. *step says
 * which parameters it holds: it changes when they do. Owned by the run. */
TsModel            *ts_run_get_model (TsRun *run, guint64 *step);
/* whether the run still holds its trainer (and with it its data and net):
 * only until it has finished */
gboolean            ts_run_holds_trainer (TsRun *run);
/* Which parameters are newest (0: none yet); it changes when they do. */
guint64             ts_run_get_params_step (TsRun *run);
/* For work off the UI thread (draw functions read only what it made): a
 * copy of a live run's newest parameters the caller owns, or NULL; for a
 * finished run or one from disk, its model file, or NULL when it has none. */
TsModel            *ts_run_dup_model (TsRun *run, guint64 *step);
char               *ts_run_dup_model_path (TsRun *run);
/* TsAdvice records: live while it trains, advice.json once read from disk */
GPtrArray          *ts_run_get_advice (TsRun *run);
/* how many advice records are warnings or worse */
guint               ts_run_count_warnings (TsRun *run);
/* The loss smoothed as the loss plot draws it (ts_plot_smooth at weight),
 * at its last step; NaN before any. Cheap: it adds only the new steps. */
double              ts_run_get_smoothed_loss (TsRun *run, double weight);

/* The run's status in words, the one formatter behind every place that
 * shows it (ts-run-status.c). Short, for the sidebar and the window title:
 * "running · epoch 3/40 · best val 97.3% · ⚠ 1". The progress line adds
 * the step, the smoothed loss (or "diverged"), samples/s with its digits
 * grouped, and the ETA. ::notify::status says the short text changed. */
char               *ts_run_status_text (TsRun *run);
char               *ts_run_status_line (TsRun *run, double smoothing);

/* the error of a failed run */
const char         *ts_run_get_message (TsRun *run);

/* Starts training now, writing under runs_root/<time>-<name>/. */
void                ts_run_start (TsRun *run, const char *runs_root);
/* Marks the run as waiting for a free slot in the queue. */
void                ts_run_enqueue (TsRun *run);
void                ts_run_pause (TsRun *run);
void                ts_run_resume (TsRun *run);
void                ts_run_step (TsRun *run);
/* While it trains: the LR divided by factor from the next step on */
void                ts_run_divide_lr (TsRun *run, double factor);
/* A range test of this run's experiment, for its LR advice (NULL: none);
 * FALSE when the run has no trainer (not started, or read from disk) */
gboolean            ts_run_set_lr_finder (TsRun *run, const TsLrFinderResult *result);
void                ts_run_stop (TsRun *run);

/* Reads what the trainer published since the last poll; emits ::changed
 * (and notifies state) when something new arrived. Returns TRUE then. */
gboolean            ts_run_poll (TsRun *run);

/* An unstarted run trains into dir instead of a new folder under the runs
 * root (a seed group's seed-S/). */
void                ts_run_set_run_dir (TsRun *run, const char *dir);
/* "20261129-140312-spiral-relu-he-4821": a new run folder's name */
char               *ts_run_new_dir_name (const TsExperiment *exp);

/* ---- seed groups (ts-seed-group.h) ---- */
/* A seed group's sidebar entry: no trainer of its own; its group (a
 * TsSeedGroup, held by the entry) fills its curves with the members' mean
 * and std, and says its state. Polling, pausing, resuming and stopping the
 * entry go to the group and its members. */
TsRun              *ts_run_new_group_entry (const TsExperiment *exp, guint colour, const char *dir, GObject *group);
/* the group of an entry, else NULL */
GObject            *ts_run_get_seed_group (TsRun *run);
/* the group a member belongs to (not held), else NULL */
GObject            *ts_run_get_member_of (TsRun *run);
void                ts_run_set_member_of (TsRun *run, GObject *group);
/* for the entry's group: its curves to fill, then the update to announce */
TsCurveData        *ts_run_entry_curves (TsRun *entry);
void                ts_run_entry_update (TsRun *entry, TsRunState state, gboolean curves_changed);

G_END_DECLS
