/* ts-task.h — tasks carved from a loaded source, each a new dataset (the
 * source stays shared and untouched): some of its classes, renumbered in
 * the order given with their names kept (data.class_subset); its images
 * resized (data.resize); csv rows read as images (data.image_shape).
 *
 *   guint keep[] = { 5, 6, 7, 8, 9 };
 *   TsDataset *top = ts_dataset_select_classes (fashion, keep, 5, "fashion-mnist", &error);
 *   // top->y in 0…4, top->class_names { "Sandal", "Shirt", … }
 *   TsDataset *big = ts_dataset_resize (digits, 28, 28, "csv:digits.csv.gz", &error);
 */
#pragma once

#include "ts-dataset.h"

G_BEGIN_DECLS

/* the samples of those classes, class classes[i] renumbered i; a class
 * the source does not have is an error naming data.class_subset[i] */
TsDataset *ts_dataset_select_classes (const TsDataset *ds, const guint *classes, guint n_classes, const char *source,
                                      GError **error);
/* every image to height × width, bilinear as torch's interpolate
 * (align_corners=False, no antialiasing); feature vectors are an error */
TsDataset *ts_dataset_resize (const TsDataset *ds, guint height, guint width, const char *source, GError **error);
/* out (C, out_h, out_w) from in (C, in_h, in_w) */
void       ts_resize_bilinear (float *out, guint out_h, guint out_w, const float *in, guint channels, guint in_h,
                               guint in_w);
/* shape [C,H,W] (data.image_shape) on a dataset of C·H·W features */
gboolean   ts_dataset_set_image_shape (TsDataset *ds, const GArray *shape, const char *source, GError **error);

G_END_DECLS
