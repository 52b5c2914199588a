/* ts-training.h — the training loop as plain synchronous steps.
 *
 * TsTraining owns the data splits, the net, the optimizer and the metric
 * logs; the trainer thread (ts-trainer.h), the LR finder and the tests drive
 * it one step at a time:
 *
 *   TsTraining *t = ts_training_new (exp, cancellable, &error);
 *   while (!ts_training_done (t))
 *     ts_training_step (t);        // one batch; closes the epoch when due
 */
#pragma once

#include "ts-augment.h"
#include "ts-experiment.h"
#include "ts-metrics.h"
#include "ts-model.h"
#include "ts-net.h"
#include "ts-optim.h"
#include "ts-pipeline.h"
#include "ts-snapshot.h"
#include "ts-stats.h"

G_BEGIN_DECLS

/* The base LR set at a step, e.g. divided by hand while the run trains;
 * the schedule applies to it from the next step on. */
typedef struct {
  guint64 step;  /* steps taken before it: the next one uses it */
  double  from, to;
} TsLrChange;

typedef struct {
  TsExperiment *exp;
  TsSplits      data;     /* preprocessed; train stays raw when augmenting */
  TsAugment    *augment;  /* NULL when the experiment augments nothing */
  guint64       augment_key; /* this epoch's */
  TsNet        *net;
  TsInitReport *init_from; /* what model.init_from loaded, or NULL */
  TsOptimizer  *opt;
  TsTeam       *team;     /* the threads each step is spread over */
  TsMetricLog  *steps;    /* TsStepRecord */
  TsMetricLog  *epochs;   /* TsEpochRecord */
  TsMetricLog  *stats;    /* TsStatsRecord, every stats_every steps */
  guint         stats_every;
  TsStatsRecord *measured; /* (net->n_layers) where a measurement is taken before it is logged */
  float        *before;   /* (n_params) parameters before a measured step */
  TsSnapshot   *snapshot; /* the parameters, published at measured steps and epoch ends */
  const gint   *stop;     /* optional: evaluation gives up when it becomes non-zero */

  guint         epoch;    /* epochs completed */
  guint64       step;     /* steps taken */
  guint         batch;    /* next batch in the current epoch */
  guint         n_batches;
  guint32      *order;    /* (train->n) this epoch's order */
  float        *xb;       /* (batch_size, net input) */
  float        *xb_raw;   /* (batch_size, raw dim): augmented, before preprocessing */
  guint32      *yb;       /* (batch_size) */

  double        base_lr;
  double        lr_override; /* NaN: the schedule's LR; else this one (LR finder) */
  double        lr;       /* of the last step */
  TsPlateau     plateau;  /* the plateau schedule's state */
  GArray       *lr_changes; /* TsLrChange: the base LR set while training (by hand) */

  double        loss_sum; /* this epoch so far */
  guint         correct;
  guint         seen;

  gboolean      diverged;
  double        first_loss;     /* loss of step 1 */
  gint64        start_time;
  double        step_seconds;   /* time inside training steps */
  guint64       samples_trained;
} TsTraining;

TsTraining *ts_training_new (const TsExperiment *exp, const TsLoadContext *ctx, GError **error);
void        ts_training_free (TsTraining *t);
gboolean    ts_training_done (const TsTraining *t);
/* One optimizer step; at an epoch's end also evaluates and records the epoch.
 * Returns FALSE once the run has diverged (NaN or Inf loss). */
gboolean    ts_training_step (TsTraining *t);
/* Mean loss and accuracy of the current net on ds (evaluation mode).
 * Returns FALSE if *t->stop was raised meanwhile. */
gboolean    ts_training_evaluate (TsTraining *t, const TsDataset *ds, double *loss, double *acc);
/* Sets the LR the schedule starts from, effective from the next step, and
 * records the change in lr_changes (steps.csv's lr column shows it too). */
void        ts_training_set_base_lr (TsTraining *t, double lr);
double      ts_training_samples_per_second (const TsTraining *t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsTraining, ts_training_free)

/* What the net's first layer receives for samples of the raw shape `raw`
 * ([C,H,W], or [0 dims] for feature vectors) after the fitted
 * preprocessing: the images' [C,H,W] when preprocessing keeps pixels, else
 * [out_dim]; every layer checked against it, the error naming the entry
 * (conv layers on 2-D points, on PCA components). */
gboolean ts_training_input_shape (const TsExperiment *exp, const TsShape *raw, const TsPreprocess *pp,
                                  guint n_classes, TsShape *input, GError **error);

G_END_DECLS
