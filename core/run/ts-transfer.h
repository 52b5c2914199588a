/* ts-transfer.h — the transfer lab: what a pre-trained model offers a new
 * target, measured before and by fine-tuning (README, "Transfer lab").
 *
 * The tips' 2×2 table picks a strategy from two facts — how much target
 * data there is, and how similar it is to the source — and this module
 * measures both instead of guessing: the features of every stage (a dense
 * layer, or a conv block with its batch norm and pool) are extracted once
 * for the target's splits and kept in memory; a softmax classifier on each
 * stage gives the linear-probe accuracy per stage; LogME on each stage (You
 * et al., ICML 2021) scores how well the features suit the target's labels
 * without training; the target's size is weighed against the parameters a
 * read-out has to fit. Then the five strategies become experiments that
 * train as ordinary runs, and their results say whether the table was right.
 *
 *   g_autoptr(TsTransfer) t = ts_transfer_new ("runs/source", &error);
 *   ts_transfer_set_target (t, "fashion-mnist", overrides, &error);   // --data, --set
 *   ts_transfer_analyse (t, &(TsTransferOptions) { 0 }, &error);
 *   for (TsStrategy s = 0; s < TS_N_STRATEGIES; s++) {
 *     g_autoptr(TsExperiment) exp = ts_transfer_strategy_experiment (t, s, &error);
 *     ... train exp into out/<name> ...
 *     ts_transfer_set_result (t, s, "out/<name>", summary);
 *   }
 *   g_autoptr(JsonNode) json = ts_transfer_to_json (t);                // transfer.json
 */
#pragma once

#include "ts-model.h"
#include "ts-pipeline.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  TS_STRATEGY_LINEAR_TOP,    /* every hidden layer frozen; the head trains */
  TS_STRATEGY_LINEAR_STAGES, /* a linear classifier on the best probed stage */
  TS_STRATEGY_FINETUNE_FEW,  /* the early stages frozen; the top stage and head train */
  TS_STRATEGY_FINETUNE_MANY, /* every layer trains, earlier stages at smaller rates */
  TS_STRATEGY_SCRATCH,       /* the same net from a random init */
  TS_N_STRATEGIES
} TsStrategy;

const char *ts_strategy_name (TsStrategy s);
gboolean    ts_strategy_from_name (const char *name, TsStrategy *out);

typedef struct {
  guint  first;          /* model.layers index of the block's dense/conv entry */
  guint  layer;          /* its last entry (batchnorm, pool…): whose output the features are */
  char  *name;           /* "dense 256", "conv 32 · batchnorm · pool" */
  guint  width;          /* features per sample */
  double probe_val_acc;  /* the softmax classifier on these features, on the target's val split */
  double probe_test_acc; /* and its test split (NaN without one) */
  double logme;          /* LogME of the target's training split */
  double source_logme;   /* LogME of the source's own held-out samples */
} TsTransferStage;

typedef struct {
  double      val_acc, test_acc, seconds; /* NaN until set */
  char       *run;                         /* its run folder, NULL until set */
  const char *state;                       /* "done", "stopped", … */
} TsStrategyResult;

typedef struct {
  char            *pretrained;   /* the model file */
  char            *source;       /* the target's data.source */
  guint            n_stages;
  TsTransferStage *stages;
  guint            best_probe;   /* the stage with the best probe_val_acc */
  guint            best_logme;   /* the stage with the best target LogME */
  /* similarity (LogME at the top stage; "similar" when the target ranks
   * the stages as the source's own held-out data does — see README) */
  double           similarity;
  double           source_similarity; /* the source's own held-out LogME at the top stage */
  guint            source_best_logme;
  guint            source_count;      /* source samples scored */
  gboolean         similar;
  /* size */
  guint            train_count, val_count, test_count, n_classes;
  guint            params_per_class;  /* what linear-top fits per class: top width + 1 */
  guint64          params_few, params_many; /* what finetune-few / finetune-many would train */
  gboolean         lots;
  TsStrategy       recommended;
  double           seconds;           /* the analysis */
  TsStrategyResult results[TS_N_STRATEGIES];
} TsTransferReport;

typedef struct {
  GCancellable *cancellable;
  /* fraction 0–1 and what is being done, from the calling thread */
  void        (*progress) (double fraction, const char *what, gpointer data);
  gpointer      progress_data;
  guint         logme_max_samples; /* 0: 3000 (stratified) — LogME is cubic in min(n, width) */
} TsTransferOptions;

typedef struct _TsTransfer TsTransfer;

/* A run folder (its model.safetensors) or a model file; an error names it
 * when it is missing. */
TsTransfer             *ts_transfer_new (const char *pretrained, GError **error);
void                    ts_transfer_free (TsTransfer *t);
/* NULL until a target is set, as ts_transfer_target */
const TsModel          *ts_transfer_model (const TsTransfer *t);
/* Loads the model for source (ts_model_load_for: when the file does not
 * say its input's shape, as a PyTorch-made CNN ending in a global average
 * pool may not, the target's samples give it); an error names the file
 * when it is unreadable or has no hidden layer. The target's experiment:
 * the pre-trained model's, with data.source = source, data.limit and
 * data.class_subset cleared, then the overrides ("KEY=VALUE", as --set)
 * applied; an error names a bad one. */
gboolean                ts_transfer_set_target (TsTransfer *t, const char *source, char **overrides, GError **error);
const TsExperiment     *ts_transfer_target (const TsTransfer *t);
/* Loads the target (an error naming the tensor and both shapes when its
 * samples do not fit the model's input), extracts every stage's features,
 * probes, scores and decides. Cancelled: G_IO_ERROR_CANCELLED. */
gboolean                ts_transfer_analyse (TsTransfer *t, const TsTransferOptions *opts, GError **error);
const TsTransferReport *ts_transfer_report (const TsTransfer *t);
/* The stages of a model's layers (exposed for the tests): firsts/lasts
 * (model.layers indices), n_stages returned. */
guint                   ts_transfer_stages_of (const TsExperiment *exp, guint *firsts, guint *lasts);

/* The experiment strategy s trains (after ts_transfer_analyse): the target
 * experiment with model.init_from the pre-trained model (scratch: none) and
 * the strategy's freezing and rates (README, "Transfer lab"). */
TsExperiment           *ts_transfer_strategy_experiment (TsTransfer *t, TsStrategy s, GError **error);
/* A strategy's run ended: its folder and summary.json's content. */
void                    ts_transfer_set_result (TsTransfer *t, TsStrategy s, const char *run_dir, JsonNode *summary);
/* The strategy that won (the best test accuracy, or validation accuracy
 * when the target has no test part; the first in the list of a tie), or
 * -1 before any result. */
int                     ts_transfer_winner (const TsTransfer *t);
/* whether the table's strategy won, or tied with the winner */
gboolean                ts_transfer_recommendation_right (const TsTransfer *t);
/* "little-similar" … */
const char             *ts_transfer_cell (const TsTransferReport *r);
/* the table's sentence for the cell */
const char             *ts_transfer_recommendation_text (const TsTransferReport *r);

/* transfer.json (README, "Transfer lab") */
JsonNode               *ts_transfer_to_json (const TsTransfer *t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsTransfer, ts_transfer_free)

G_END_DECLS
