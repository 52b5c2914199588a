/* Shared by ts-ensemble.c (members, late fusion, the report) and
 * ts-ensemble-early.c (early fusion). */
#pragma once

#include "ts-ensemble.h"

struct _TsEnsemble {
  GPtrArray *models; /* TsModel* */
  GPtrArray *paths;  /* char*, each member's file */
  char      *source; /* the data it is measured on; NULL: the first member's data.source */
};

#define TS_ENSEMBLE_ROWS 256 /* rows per forward pass: a loaded model's batch capacity */

/* Runs member m over every row of ds (raw samples: its own preprocessing
 * first). Per chunk of rows [start, start + rows) calls
 * visit (net, logits (rows, C), start, rows, data); net->y holds the
 * layers' outputs of those rows. */
typedef void (*TsEnsembleVisit) (const TsNet *net, const float *logits, guint start, guint rows, gpointer data);
void _ts_ensemble_forward (TsEnsemble *e, guint m, const TsDataset *ds, TsEnsembleVisit visit, gpointer data);

/* Fits the early-fusion classifier on the training features (train, n × F),
 * standardised with the training split's mean and std, and measures it on
 * eval; fills r->early_*. */
void _ts_ensemble_fit_early (TsEnsembleResult *r, const float *train, const guint32 *labels, guint n,
                             const float *eval, const guint32 *eval_labels, guint n_eval, guint F, guint C,
                             guint epochs, guint64 seed, const TsEnsembleOptions *opts);
/* FALSE (with G_IO_ERROR_CANCELLED) when opts' cancellable is cancelled;
 * else tells opts' progress the share done */
gboolean _ts_ensemble_progress (const TsEnsembleOptions *opts, double fraction, GError **error);
