/* ts-trainer.h — one run on its own thread, steered by commands.
 *
 * The trainer loads the data, trains, and writes its run directory as it
 * goes. Commands (pause, resume, step, stop, set LR) return at once; metric
 * logs and a progress snapshot are read from any thread without blocking the
 * training loop. Stop is honoured between two batches: no step begins more
 * than 100 ms after it (the window tests check it).
 *
 *   TsTrainer *tr = ts_trainer_new (exp, "runs/spiral-1");
 *   ts_trainer_start (tr);
 *   ...  ts_trainer_get_progress (tr, &p);   // from a UI tick or a CLI loop
 *   TsRunState end = ts_trainer_wait (tr);
 *   ts_trainer_unref (tr);
 */
#pragma once

#include "ts-experiment.h"
#include "ts-lr-finder.h"
#include "ts-metrics.h"
#include "ts-model.h"
#include "ts-training.h"

G_BEGIN_DECLS

typedef enum {
  TS_RUN_READY,
  TS_RUN_LOADING,
  TS_RUN_RUNNING,
  TS_RUN_PAUSED,
  TS_RUN_DONE,     /* every epoch trained */
  TS_RUN_STOPPED,  /* stopped by a command */
  TS_RUN_DIVERGED, /* NaN or Inf loss */
  TS_RUN_FAILED,   /* could not load or write; see ts_trainer_dup_error */
} TsRunState;

typedef struct {
  TsRunState state;
  double     loaded;          /* while loading: the share of the data read */
  guint      epoch;           /* epochs completed */
  guint      epochs;          /* planned */
  guint64    step;
  guint      batch;           /* within the current epoch */
  guint      batches;         /* per epoch */
  double     lr;              /* of the last step */
  double     base_lr;         /* what the schedule starts from (set_lr changes it) */
  double     loss;            /* last step */
  double     train_acc;       /* last epoch */
  double     val_acc;         /* last epoch */
  double     best_val_acc;
  double     samples_per_second;
  double     elapsed;         /* seconds since start */
  double     eta;             /* seconds left, or -1 */
} TsProgress;

typedef struct _TsTrainer TsTrainer;

/* run_dir may be NULL: then nothing is written. */
TsTrainer   *ts_trainer_new (const TsExperiment *exp, const char *run_dir);
void         ts_trainer_unref (TsTrainer *tr);

void         ts_trainer_start (TsTrainer *tr);
void         ts_trainer_pause (TsTrainer *tr);
void         ts_trainer_resume (TsTrainer *tr);
/* While paused: train exactly one more batch. */
void         ts_trainer_step (TsTrainer *tr);
void         ts_trainer_stop (TsTrainer *tr);
/* The LR the schedule starts from, from the next step on (before the first,
 * the experiment's); recorded in steps.csv's lr column, metrics.csv and
 * summary.json's "lr_changes". */
void         ts_trainer_set_lr (TsTrainer *tr, double lr);
/* The base LR divided by factor now: set_lr with the newest base, so two
 * quick divisions compose even before the trainer has taken the first. */
void         ts_trainer_divide_lr (TsTrainer *tr, double factor);
TsRunState   ts_trainer_wait (TsTrainer *tr);

TsRunState   ts_trainer_get_state (TsTrainer *tr);
void         ts_trainer_get_progress (TsTrainer *tr, TsProgress *out);
/* NULL until the data has loaded; then valid as long as the trainer lives */
TsMetricLog *ts_trainer_get_steps (TsTrainer *tr);
TsMetricLog *ts_trainer_get_epochs (TsTrainer *tr);
TsMetricLog *ts_trainer_get_stats (TsTrainer *tr);
/* Once the run has ended (after ts_trainer_wait): its stats log, now the
 * caller's, so that it outlives the trainer; NULL if it never loaded. */
TsMetricLog *ts_trainer_steal_stats (TsTrainer *tr);
/* the parameters as of the last measured step or epoch end (NULL until loaded) */
TsSnapshot  *ts_trainer_get_snapshot (TsTrainer *tr);
/* A model to predict with on any thread: a new net holding the snapshot's
 * parameters (their step in *step), the fitted preprocessing, the
 * experiment. NULL until the data has loaded. Refresh it later with
 * ts_snapshot_read (ts_trainer_get_snapshot (tr), model->net->params). */
TsModel     *ts_trainer_dup_model (TsTrainer *tr, guint64 *step);
/* The advice for what has been published so far (any thread). */
GPtrArray   *ts_trainer_diagnose (TsTrainer *tr);
/* A range test of this run's experiment (copied; NULL forgets it): the LR
 * advice uses its valley or says why not. */
void         ts_trainer_set_lr_finder (TsTrainer *tr, const TsLrFinderResult *result);
const TsExperiment *ts_trainer_get_experiment (TsTrainer *tr);
const char  *ts_trainer_get_run_dir (TsTrainer *tr);
GError      *ts_trainer_dup_error (TsTrainer *tr);
/* What the loader skipped, each naming its file (NULL until loaded). */
const GPtrArray *ts_trainer_get_warnings (TsTrainer *tr);
/* summary.json's content, once the run has ended (else NULL) */
JsonNode    *ts_trainer_dup_summary (TsTrainer *tr);
const char  *ts_run_state_name (TsRunState state);
gboolean     ts_run_state_is_final (TsRunState state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsTrainer, ts_trainer_unref)

G_END_DECLS
