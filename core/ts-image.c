#include "ts-image.h"

#include <string.h>

GdkPixbuf *
ts_image_grid (const float *const *images, guint n, guint channels, guint height, guint width, guint cols,
               guint scale)
{
  guint rows = (n + cols - 1) / MAX (cols, 1);
  guint cell_w = width * scale + 1, cell_h = height * scale + 1;
  GdkPixbuf *grid = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, (int) (cols * cell_w + 1), (int) (rows * cell_h + 1));
  guint8 *pixels = gdk_pixbuf_get_pixels (grid);
  int stride = gdk_pixbuf_get_rowstride (grid);

  memset (pixels, 0x30, (gsize) stride * gdk_pixbuf_get_height (grid));
  for (guint i = 0; i < n; i++)
    {
      guint x0 = 1 + (i % cols) * cell_w, y0 = 1 + (i / cols) * cell_h;
      for (guint y = 0; y < height * scale; y++)
        for (guint x = 0; x < width * scale; x++)
          {
            guint8 *p = pixels + (gsize) (y0 + y) * stride + (gsize) (x0 + x) * 3;
            gsize at = (gsize) (y / scale) * width + x / scale;
            for (guint c = 0; c < 3; c++)
              {
                float v = images[i][(gsize) (channels == 3 ? c : 0) * height * width + at];
                p[c] = (guint8) (CLAMP (v, 0.f, 1.f) * 255.f + 0.5f);
              }
          }
    }
  return grid;
}

void
ts_image_normalize (const float *v, gsize n, float *out)
{
  float lo = G_MAXFLOAT, hi = -G_MAXFLOAT;

  for (gsize i = 0; i < n; i++)
    {
      lo = MIN (lo, v[i]);
      hi = MAX (hi, v[i]);
    }
  for (gsize i = 0; i < n; i++)
    out[i] = hi > lo ? (v[i] - lo) / (hi - lo) : 0.5f;
}
