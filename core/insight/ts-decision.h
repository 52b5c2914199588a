/* ts-decision.h — what a 2-D model predicts everywhere: its class and
 * confidence on a regular grid over the input plane, for decision-boundary
 * pictures. Points are raw inputs; the model's preprocessing is applied.
 *
 *   TsDecisionGrid *g = ts_decision_grid_new (model, -1, 1, -1, 1, 120, 120, &error);
 *   g->classes[j * g->nx + i];   // at x = x0 + (i + ½)·(x1 − x0)/nx, row j from y0 up
 */
#pragma once

#include "ts-model.h"

G_BEGIN_DECLS

typedef struct {
  guint   nx, ny;
  double  x0, x1, y0, y1;
  guint   n_classes;
  guint8 *classes;    /* (ny, nx) predicted class */
  float  *confidence; /* (ny, nx) softmax probability of that class */
} TsDecisionGrid;

/* NULL with an error when the model does not take 2-D input. */
TsDecisionGrid *ts_decision_grid_new (TsModel *model, double x0, double x1, double y0, double y1, guint nx,
                                      guint ny, GError **error);
void            ts_decision_grid_free (TsDecisionGrid *grid);
/* the rectangle around a data set's 2-D points, padded by `pad` of its size */
void            ts_decision_bounds (const TsDataset *ds, double pad, double *x0, double *x1, double *y0,
                                    double *y1);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsDecisionGrid, ts_decision_grid_free)

G_END_DECLS
