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
#include "ts-load-context.h"
#include "ts-lr-finder-result.h"

G_BEGIN_DECLS

typedef struct {
  double lr_min;      /* default 1e-6 */
  double lr_max;      /* default 10 */
  guint  iterations;  /* per sweep; default 200 */
  guint  sweeps;      /* default 3 */
} TsLrFinderOptions;

TsLrFinderResult *ts_lr_find (const TsExperiment *exp, const TsLrFinderOptions *options,
                              const TsLoadContext *ctx, GError **error);

G_END_DECLS
