/* ts-lr-finder-result.h — what the learning-rate range test found: the
 * loss against the LR (mean and spread of the sweeps) and the LRs it
 * suggests. Made by ts_lr_find (run/), read by the advisor and the views.
 *
 *   g_autoptr(TsLrFinderResult) copy = ts_lr_finder_result_copy (r);
 *   copy->suggested;  // the valley
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

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

TsLrFinderResult *ts_lr_finder_result_copy (const TsLrFinderResult *r);
void              ts_lr_finder_result_free (TsLrFinderResult *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsLrFinderResult, ts_lr_finder_result_free)

G_END_DECLS
