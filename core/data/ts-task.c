/* Tasks carved from a source: some of its classes (data.class_subset) and
 * its images at another size (data.resize), each a new dataset made from
 * the loaded one, which stays shared and untouched. */
#include "ts-task.h"
#include "ts-error.h"

#include <math.h>
#include <string.h>

TsDataset *
ts_dataset_select_classes (const TsDataset *ds, const guint *classes, guint n_classes, const char *source,
                           GError **error)
{
  g_autofree int *to = g_new (int, MAX (ds->n_classes, 1));
  g_autofree guint32 *keep = g_new (guint32, MAX (ds->n, 1));
  g_auto(GStrv) names = g_new0 (char *, n_classes + 1);
  TsDataset *out;
  guint n = 0;

  for (guint c = 0; c < ds->n_classes; c++)
    to[c] = -1;
  for (guint i = 0; i < n_classes; i++)
    {
      if (classes[i] >= ds->n_classes)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                       "data.class_subset[%u]: class %u is not in %s, whose classes are 0…%u", i, classes[i], source,
                       ds->n_classes - 1);
          return NULL;
        }
      to[classes[i]] = (int) i;
      names[i] = g_strdup (ds->class_names && classes[i] < g_strv_length (ds->class_names)
                             ? ds->class_names[classes[i]] : NULL);
      if (names[i] == NULL)
        names[i] = g_strdup_printf ("%u", classes[i]);
    }
  for (guint r = 0; r < ds->n; r++)
    if (to[ds->y[r]] >= 0)
      keep[n++] = r;
  out = ts_dataset_subset (ds, keep, n);
  for (guint r = 0; r < n; r++)
    out->y[r] = (guint32) to[out->y[r]];
  out->n_classes = n_classes;
  ts_dataset_set_class_names (out, (const char *const *) names);
  return out;
}

/* One source coordinate for output pixel o of n_out over n_in, as
 * torch.nn.functional.interpolate (bilinear, align_corners=False): pixel
 * centres map onto pixel centres, clamped at the border. */
static void
source_coordinate (guint o, guint n_in, guint n_out, guint *i0, guint *i1, float *frac)
{
  double x = ((double) o + 0.5) * n_in / n_out - 0.5;

  if (x < 0)
    x = 0;
  *i0 = (guint) floor (x);
  if (*i0 > n_in - 1)
    *i0 = n_in - 1;
  *i1 = MIN (*i0 + 1, n_in - 1);
  *frac = (float) (x - *i0);
}

void
ts_resize_bilinear (float *out, guint out_h, guint out_w, const float *in, guint channels, guint in_h, guint in_w)
{
  for (guint c = 0; c < channels; c++)
    {
      const float *plane = in + (gsize) c * in_h * in_w;
      float *dst = out + (gsize) c * out_h * out_w;
      for (guint y = 0; y < out_h; y++)
        {
          guint y0, y1;
          float fy;
          source_coordinate (y, in_h, out_h, &y0, &y1, &fy);
          for (guint x = 0; x < out_w; x++)
            {
              guint x0, x1;
              float fx, top, bottom;
              source_coordinate (x, in_w, out_w, &x0, &x1, &fx);
              top = (1.f - fx) * plane[(gsize) y0 * in_w + x0] + fx * plane[(gsize) y0 * in_w + x1];
              bottom = (1.f - fx) * plane[(gsize) y1 * in_w + x0] + fx * plane[(gsize) y1 * in_w + x1];
              dst[(gsize) y * out_w + x] = (1.f - fy) * top + fy * bottom;
            }
        }
    }
}

TsDataset *
ts_dataset_resize (const TsDataset *ds, guint height, guint width, const char *source, GError **error)
{
  TsDataset *out;

  if (!ts_dataset_is_image (ds))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "data.resize: %s holds feature vectors of %u values, not images (a csv of pixels needs "
                   "data.image_shape)", source, ds->dim);
      return NULL;
    }
  out = ts_dataset_new_image (ds->n, ds->channels, height, width, ds->n_classes);
  for (guint r = 0; r < ds->n; r++)
    ts_resize_bilinear (out->x + (gsize) r * out->dim, height, width, ds->x + (gsize) r * ds->dim, ds->channels,
                        ds->height, ds->width);
  memcpy (out->y, ds->y, sizeof (guint32) * ds->n);
  if (ds->class_names)
    ts_dataset_set_class_names (out, (const char *const *) ds->class_names);
  return out;
}

gboolean
ts_dataset_set_image_shape (TsDataset *ds, const GArray *shape, const char *source, GError **error)
{
  guint c = g_array_index (shape, guint, 0), h = g_array_index (shape, guint, 1), w = g_array_index (shape, guint, 2);

  if ((guint64) c * h * w != ds->dim)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "data.image_shape: [%u,%u,%u] is %" G_GUINT64_FORMAT " values, but the rows of %s have %u features",
                   c, h, w, (guint64) c * h * w, source, ds->dim);
      return FALSE;
    }
  ds->channels = c;
  ds->height = h;
  ds->width = w;
  return TRUE;
}
