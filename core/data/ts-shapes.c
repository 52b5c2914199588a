/* builtin:shapes — RGB 32×32 images of eight shape classes, drawn with a
 * random colour, size, position, rotation, background (flat or gradient) and
 * pixel noise. Shapes are signed-distance functions, anti-aliased over one
 * pixel; everything derives from the seed. */
#include "ts-loaders.h"
#include "ts-error.h"
#include "ts-rng.h"

#include <math.h>

#define SIZE 32

static const char *const shape_names[] = {
  "circle", "square", "triangle", "star", "cross", "ring", "half-disc", "bar", NULL
};
#define N_SHAPES 8

/* signed distance (negative inside) of a unit-sized shape at (x, y) */
static double
shape_distance (int kind, double x, double y)
{
  double ax = fabs (x), ay = fabs (y);

  switch (kind)
    {
    case 0: return sqrt (x * x + y * y) - 1.0;                        /* circle */
    case 1: return MAX (ax, ay) - 0.8;                                /* square */
    case 2: return MAX (fabs (x) * 0.866 + y * 0.5, -y) - 0.5;        /* triangle */
    case 3:                                                           /* star */
      {
        double r = sqrt (x * x + y * y), a = atan2 (y, x);
        return r - (0.55 + 0.45 * cos (5 * a));
      }
    case 4: return MIN (MAX (ax - 1.0, ay - 0.3), MAX (ax - 0.3, ay - 1.0)); /* cross */
    case 5: return fabs (sqrt (x * x + y * y) - 0.75) - 0.22;        /* ring */
    case 6: return MAX (sqrt (x * x + (y + 0.4) * (y + 0.4)) - 1.0, -(y + 0.4)); /* half-disc */
    default: return MAX (ax - 1.0, ay - 0.25);                        /* bar */
    }
}

static void
random_colour (TsRng *rng, float *rgb)
{
  for (int c = 0; c < 3; c++)
    rgb[c] = ts_rng_uniform (rng);
}

static void
draw_sample (TsRng *rng, int kind, double noise, float *img)
{
  float fg[3], bg0[3], bg1[3];
  double scale = 6.0 + 7.0 * ts_rng_uniform (rng);                /* radius in pixels */
  double cx = scale + (SIZE - 2 * scale) * ts_rng_uniform (rng);
  double cy = scale + (SIZE - 2 * scale) * ts_rng_uniform (rng);
  double angle = 2 * G_PI * ts_rng_uniform (rng);
  double ca = cos (angle), sa = sin (angle);
  gboolean gradient = ts_rng_uniform (rng) < 0.5;
  double gx = cos (angle * 3), gy = sin (angle * 3);

  random_colour (rng, fg);
  random_colour (rng, bg0);
  random_colour (rng, bg1);
  /* keep the shape visible: push its colour away from the background's */
  for (int c = 0; c < 3; c++)
    if (fabsf (fg[c] - bg0[c]) < 0.3f)
      fg[c] = bg0[c] > 0.5f ? bg0[c] - 0.45f : bg0[c] + 0.45f;
  for (int py = 0; py < SIZE; py++)
    for (int px = 0; px < SIZE; px++)
      {
        double dx = (px + 0.5 - cx) / scale, dy = (py + 0.5 - cy) / scale;
        double u = ca * dx + sa * dy, v = -sa * dx + ca * dy;
        double d = shape_distance (kind, u, v) * scale;         /* in pixels */
        double cover = CLAMP (0.5 - d, 0.0, 1.0);
        double t = gradient ? CLAMP (0.5 + 0.5 * ((px - 16) * gx + (py - 16) * gy) / 16.0, 0, 1) : 0.0;
        for (int c = 0; c < 3; c++)
          {
            double back = bg0[c] * (1 - t) + bg1[c] * t;
            double value = back * (1 - cover) + fg[c] * cover + noise * ts_rng_normal (rng);
            img[(gsize) c * SIZE * SIZE + py * SIZE + px] = (float) CLAMP (value, 0.0, 1.0);
          }
      }
}

TsDataset *
ts_shapes_generate (guint samples, guint classes, double noise, guint64 seed, GError **error)
{
  TsDataset *ds;
  TsRng rng;

  if (classes < 2 || classes > N_SHAPES)
    classes = N_SHAPES;
  if (samples < classes || samples > 1000000)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "data.samples: must be in [%u, 1000000] for builtin:shapes (got %u)",
                   classes, samples);
      return NULL;
    }
  ds = ts_dataset_new_image (samples, 3, SIZE, SIZE, classes);
  ts_rng_init (&rng, seed, TS_STREAM_DATA);
  for (guint i = 0; i < samples; i++)
    {
      ds->y[i] = i % classes;
      draw_sample (&rng, (int) ds->y[i], noise * 0.5, ds->x + (gsize) i * ds->dim);
    }
  ds->class_names = g_new0 (char *, classes + 1);
  for (guint c = 0; c < classes; c++)
    ds->class_names[c] = g_strdup (shape_names[c]);
  return ds;
}
