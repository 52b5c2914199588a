/* ts-view.h — one view of an image data set (data.view): its top, bottom,
 * left or right half. Two views of the same samples let one compare early
 * fusion of inputs (one net on the whole image) with late fusion (a net per
 * view, their outputs combined by `trainscope-cli ensemble`).
 *
 *   TsDataset *top = ts_view_dataset (TS_VIEW_TOP, images, &error);  // [C, H/2, W]
 */
#pragma once

#include "ts-dataset.h"
#include "ts-experiment.h"

G_BEGIN_DECLS

/* The view's rows [*row0, *row0 + *h) and columns [*col0, *col0 + *w) of a
 * C × H × W image; every pixel for TS_VIEW_ALL. */
void       ts_view_window (TsView view, guint H, guint W, guint *row0, guint *h, guint *col0, guint *w);
/* out (n, C·h·w) from images x (n, C·H·W) */
void       ts_view_rows (TsView view, guint C, guint H, guint W, const float *x, guint n, float *out);
/* A new data set holding the view of every sample; an error for a source
 * of feature vectors (no image to cut) or images under 2 pixels a side. */
TsDataset *ts_view_dataset (TsView view, const TsDataset *ds, GError **error);

G_END_DECLS
