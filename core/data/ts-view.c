#include "ts-view.h"
#include "ts-error.h"

#include <string.h>

void
ts_view_window (TsView view, guint H, guint W, guint *row0, guint *h, guint *col0, guint *w)
{
  *row0 = view == TS_VIEW_BOTTOM ? H / 2 : 0;
  *h = view == TS_VIEW_TOP ? H / 2 : view == TS_VIEW_BOTTOM ? H - H / 2 : H;
  *col0 = view == TS_VIEW_RIGHT ? W / 2 : 0;
  *w = view == TS_VIEW_LEFT ? W / 2 : view == TS_VIEW_RIGHT ? W - W / 2 : W;
}

void
ts_view_rows (TsView view, guint C, guint H, guint W, const float *x, guint n, float *out)
{
  guint row0, h, col0, w;
  gsize in_dim = (gsize) C * H * W;

  ts_view_window (view, H, W, &row0, &h, &col0, &w);
  for (guint i = 0; i < n; i++)
    for (guint c = 0; c < C; c++)
      for (guint r = 0; r < h; r++)
        memcpy (out + (((gsize) i * C + c) * h + r) * w, x + i * in_dim + ((gsize) c * H + row0 + r) * W + col0,
                sizeof (float) * w);
}

TsDataset *
ts_view_dataset (TsView view, const TsDataset *ds, GError **error)
{
  guint row0, h, col0, w;
  TsDataset *out;

  if (!ts_dataset_is_image (ds) || ds->height < 2 || ds->width < 2)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "data.view: a half of each image needs an image source (this one gives %u features per sample)",
                   ds->dim);
      return NULL;
    }
  ts_view_window (view, ds->height, ds->width, &row0, &h, &col0, &w);
  out = ts_dataset_new_image (ds->n, ds->channels, h, w, ds->n_classes);
  ts_view_rows (view, ds->channels, ds->height, ds->width, ds->x, ds->n, out->x);
  memcpy (out->y, ds->y, sizeof (guint32) * ds->n);
  ts_dataset_set_class_names (out, (const char *const *) ds->class_names);
  return out;
}
