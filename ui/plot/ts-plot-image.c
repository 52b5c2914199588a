#include "ts-plot-image.h"

#include <math.h>

/* the value range shown black..white */
static void
value_range (const float *img, gsize n, TsPixelScale scale, float *lo, float *hi)
{
  float a = G_MAXFLOAT, b = -G_MAXFLOAT, peak = 1e-12f;

  *lo = 0, *hi = 1;
  switch (scale)
    {
    case TS_PIXELS_CLAMP:
      return;
    case TS_PIXELS_RESCALE:
      for (gsize i = 0; i < n; i++)
        a = MIN (a, img[i]), b = MAX (b, img[i]);
      if (!(b > a))
        a -= 0.5f, b += 0.5f; /* flat: mid grey */
      *lo = a, *hi = b;
      return;
    case TS_PIXELS_SIGNED:
      for (gsize i = 0; i < n; i++)
        peak = MAX (peak, fabsf (img[i]));
      *lo = -peak, *hi = peak;
      return;
    }
}

cairo_surface_t *
ts_plot_image_surface (const float *img, guint C, guint H, guint W, TsPixelScale scale)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) W, (int) H);
  guint8 *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  gsize plane = (gsize) H * W;
  float lo, hi, k;

  value_range (img, C * plane, scale, &lo, &hi);
  k = 255.f / (hi - lo);
  cairo_surface_flush (s);
  for (guint y = 0; y < H; y++)
    for (guint x = 0; x < W; x++)
      {
        guint32 pixel = 0;
        for (guint c = 0; c < 3; c++)
          {
            float v = (img[(C == 3 ? c : 0) * plane + (gsize) y * W + x] - lo) * k;
            pixel = (pixel << 8) | (guint8) (CLAMP (v, 0.f, 255.f) + 0.5f);
          }
        ((guint32 *) (data + (gsize) y * stride))[x] = pixel;
      }
  cairo_surface_mark_dirty (s);
  return s;
}

void
ts_plot_image (cairo_t *cr, const float *img, guint C, guint H, guint W, TsPixelScale scale, double x, double y,
               double w, double h)
{
  cairo_surface_t *s = ts_plot_image_surface (img, C, H, W, scale);

  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, w / W, h / H);
  cairo_set_source_surface (cr, s, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_rectangle (cr, 0, 0, W, H);
  cairo_fill (cr);
  cairo_restore (cr);
  cairo_surface_destroy (s);
}

void
ts_plot_image_grid_size (guint n, guint H, guint W, guint cols, guint zoom, int *grid_width, int *grid_height)
{
  guint rows = (n + MAX (cols, 1) - 1) / MAX (cols, 1);

  *grid_width = (int) (cols * (W * zoom + 1) + 1);
  *grid_height = (int) (rows * (H * zoom + 1) + 1);
}

void
ts_plot_image_grid (cairo_t *cr, const float *const *images, const TsPixelScale *scales, guint n, guint C, guint H,
                    guint W, guint cols, guint zoom)
{
  int gw, gh;

  ts_plot_image_grid_size (n, H, W, cols, zoom, &gw, &gh);
  cairo_set_source_rgb (cr, 0x30 / 255.0, 0x30 / 255.0, 0x30 / 255.0);
  cairo_rectangle (cr, 0, 0, gw, gh);
  cairo_fill (cr);
  for (guint i = 0; i < n; i++)
    ts_plot_image (cr, images[i], C, H, W, scales[i], 1 + (i % cols) * (W * zoom + 1.0),
                   1 + (i / cols) * (H * zoom + 1.0), W * zoom, H * zoom);
}
