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

/* lo black … hi white (lo < hi) */
static cairo_surface_t *
surface_in_range (const float *img, guint C, guint H, guint W, float lo, float hi)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) W, (int) H);
  guint8 *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  gsize plane = (gsize) H * W;
  float k = 255.f / (hi - lo);

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

cairo_surface_t *
ts_plot_image_surface (const float *img, guint C, guint H, guint W, TsPixelScale scale)
{
  float lo, hi;

  value_range (img, (gsize) C * H * W, scale, &lo, &hi);
  return surface_in_range (img, C, H, W, lo, hi);
}

static void
paint_surface (cairo_t *cr, cairo_surface_t *s, guint H, guint W, double x, double y, double w, double h)
{
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
ts_plot_image (cairo_t *cr, const float *img, guint C, guint H, guint W, TsPixelScale scale, double x, double y,
               double w, double h)
{
  paint_surface (cr, ts_plot_image_surface (img, C, H, W, scale), H, W, x, y, w, h);
}

void
ts_plot_image_in_range (cairo_t *cr, const float *img, guint C, guint H, guint W, float lo, float hi, double x,
                        double y, double w, double h)
{
  if (!(hi > lo)) /* flat: mid grey */
    lo -= 0.5f, hi += 0.5f;
  paint_surface (cr, surface_in_range (img, C, H, W, lo, hi), H, W, x, y, w, h);
}

double
ts_plot_image_fit (guint n, guint H, guint W, double box_width, double box_height, double gap, guint *cols_out)
{
  double best = 0;
  guint cols = 1;

  for (guint c = 1; c <= MAX (n, 1); c++)
    {
      guint rows = (n + c - 1) / c;
      double zoom = MIN ((box_width - gap * (c + 1)) / ((double) c * W), (box_height - gap * (rows + 1)) / ((double) rows * H));
      if (zoom >= 3)
        zoom = floor (zoom); /* whole pixels: every image pixel the same size (losing at most a quarter) */
      if (zoom > best)
        best = zoom, cols = c;
    }
  *cols_out = cols;
  return best;
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
