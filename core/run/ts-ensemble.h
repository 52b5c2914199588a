/* ts-ensemble.h — several trained models as one: late fusion (average the
 * members' class probabilities; geometric mean or majority vote as
 * options), early fusion (one softmax classifier on the members'
 * concatenated penultimate features, fitted on the training split only),
 * and what tells members apart: each one's accuracy, their pairwise
 * disagreement, and accuracy as members are added in greedy order
 * (Caruana et al. 2004).
 *
 *   g_autoptr(TsEnsemble) e = ts_ensemble_new (NULL);    // or the data to measure on: "fashion-mnist"
 *   ts_ensemble_add (e, "runs/seed-7", FALSE, &error);   // or a .safetensors, or a run's checkpoints
 *   TsSplits raw = { 0 };
 *   ts_ensemble_load_splits (e, &raw, &error);          // not preprocessed
 *   TsEnsembleOptions opts = { .late = TRUE, .early = TRUE };
 *   g_autoptr(TsEnsembleResult) r = ts_ensemble_evaluate (e, &raw, &opts, &error);
 *   g_autoptr(JsonNode) json = ts_ensemble_result_to_json (r);        // ensemble.json
 */
#pragma once

#include "ts-model.h"
#include "ts-pipeline.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum { TS_LATE_MEAN, TS_LATE_GEOMETRIC, TS_LATE_VOTE, TS_N_LATE_RULES } TsLateRule;

typedef struct _TsEnsemble TsEnsemble;

/* An ensemble measured on source's data, or with source NULL on its first
 * member's data.source. */
TsEnsemble *ts_ensemble_new (const char *source);
void        ts_ensemble_free (TsEnsemble *e);
/* A model file, a run folder (its model.safetensors) or, with checkpoints,
 * every checkpoint of a run folder, loaded for the ensemble's data
 * (ts_model_load_for: when the file does not say its input's shape, as a
 * PyTorch-made CNN ending in a global average pool may not, the data's
 * samples give it). Refused with an error naming the member when it
 * cannot be read, or when its input size or class count differs from the
 * first member's. */
gboolean    ts_ensemble_add (TsEnsemble *e, const char *member, gboolean checkpoints, GError **error);
guint       ts_ensemble_size (const TsEnsemble *e);
/* The first member's experiment: the data settings the splits come from. */
const TsExperiment *ts_ensemble_experiment (const TsEnsemble *e);

typedef struct {
  gboolean   late;
  gboolean   early;
  TsLateRule rule;         /* what "late" reports; every rule is measured */
  guint      early_epochs; /* 0: 10 */
  guint64    seed;         /* the early classifier's shuffles */
  const char *source;      /* the data's name in messages; NULL: the first member's source */
  /* for a caller off the UI thread: checked between members and between the
   * early classifier's epochs (then the error is G_IO_ERROR_CANCELLED), and
   * told the share done (0–1), from the calling thread */
  GCancellable *cancellable;
  void        (*progress) (double fraction, gpointer data);
  gpointer      progress_data;
} TsEnsembleOptions;

typedef struct {
  guint       n_members;
  char      **paths;         /* (n_members) */
  double     *member_acc;    /* (n_members), on the evaluation split */
  double     *member_loss;
  const char *split;         /* "test", or "val" for a source without a test part */
  guint       count;         /* samples evaluated */
  gboolean    has_late;
  TsLateRule  rule;
  double      late_acc[TS_N_LATE_RULES];
  double      late_loss[TS_N_LATE_RULES]; /* NaN for vote */
  gboolean    has_early;
  double      early_acc;
  double      early_loss;
  guint       early_features;
  TsNet      *early_net;     /* the fitted classifier, on standardised features */
  double      best_member_acc;
  double      mean_member_acc;
  double      disagreement;  /* mean over pairs of the share of samples they label differently */
  guint      *curve_order;   /* (n_members): greedy order of members */
  double     *curve_acc;     /* (n_members): late (mean) accuracy of the first k+1 */
  const char *curve_split;   /* where the order was chosen: "val", else the evaluation split */
} TsEnsembleResult;

/* The splits an ensemble is measured on, not preprocessed: the data of
 * the first member's experiment, whole samples (each member cuts its own
 * view), from the ensemble's source instead when it has one. */
gboolean          ts_ensemble_load_splits (const TsEnsemble *e, TsSplits *raw, GError **error);
/* raw: the splits as ts_splits_load leaves them, not preprocessed (each
 * member applies its own). Measured on raw->test, or raw->val when the
 * source has no test part; early fusion fits on raw->train alone. */
TsEnsembleResult *ts_ensemble_evaluate (TsEnsemble *e, const TsSplits *raw, const TsEnsembleOptions *opts,
                                        GError **error);
void              ts_ensemble_result_free (TsEnsembleResult *r);
/* ensemble.json (README, "Ensembles and model selection") */
JsonNode         *ts_ensemble_result_to_json (const TsEnsembleResult *r);
const char       *ts_late_rule_name (TsLateRule rule);
gboolean          ts_late_rule_from_name (const char *name, TsLateRule *out);

/* Early fusion's pieces, public for the tests: every member's penultimate
 * features of ds, concatenated (ds->n, *n_features). */
float            *ts_ensemble_features (TsEnsemble *e, const TsDataset *ds, guint *n_features, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsEnsemble, ts_ensemble_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsEnsembleResult, ts_ensemble_result_free)

G_END_DECLS
