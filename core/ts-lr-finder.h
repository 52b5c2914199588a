/* ts-lr-finder.h — the learning-rate range test.
 *
 * A fresh copy of the experiment's model trains for a few hundred steps
 * while the learning rate grows exponentially; the loss against the LR
 * shows where learning starts, where it is fastest and where it blows up.
 * Several sweeps (other seeds) give a spread. The run the user is looking
 * at is never touched.
 *
 *   TsLrFinderResult *r = ts_lr_find (exp, &(TsLrFinderOptions) { 0 }, NULL, &error);
 *   r->suggested;  // the valley: a good starting LR
 */
#pragma once

#include "ts-experiment.h"
#include "ts-loaders.h"

G_BEGIN_DECLS

typedef struct {
  double lr_min;      /* default 1e-6 */
  double lr_max;      /* default 10 */
  guint  iterations;  /* per sweep; default 200 */
  guint  sweeps;      /* default 3 */
} TsLrFinderOptions;

typedef struct {
  guint   n;          /* points kept (up to where every sweep blew up) */
  double *lr;         /* (n) */
  double *loss;       /* (n) mean of the sweeps' smoothed losses */
  double *loss_lo;    /* (n) lowest sweep */
  double *loss_hi;    /* (n) highest sweep */
  double  steepest;   /* LR of the steepest descent */
  double  valley;     /* LR two thirds down the longest descent */
  double  min_over_10;/* LR of the lowest loss, divided by 10 */
  double  suggested;  /* the valley */
} TsLrFinderResult;

TsLrFinderResult *ts_lr_find (const TsExperiment *exp, const TsLrFinderOptions *options,
                              const TsLoadContext *ctx, GError **error);
TsLrFinderResult *ts_lr_finder_result_copy (const TsLrFinderResult *r);
void              ts_lr_finder_result_free (TsLrFinderResult *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsLrFinderResult, ts_lr_finder_result_free)

G_END_DECLS
