/* The 2-D toy sets: small, instant, deterministic by seed. */
#include "ts-loaders.h"
#include "ts-error.h"
#include "ts-rng.h"

#include <math.h>
#include <string.h>

typedef void (*PointFunc) (TsRng *rng, guint index, guint per_class, guint cls, guint classes,
                           double noise, float *xy);

/* CS231n's spiral: class c sweeps 4 radians, radius grows 0 → 1 */
static void
spiral_point (TsRng *rng, guint i, guint per_class, guint c, guint classes, double noise, float *xy)
{
  double r = per_class > 1 ? (double) i / (per_class - 1) : 1.0;
  double t = c * 4.0 + 4.0 * r + ts_rng_normal (rng) * 2.0 * noise;
  xy[0] = (float) (r * sin (t));
  xy[1] = (float) (r * cos (t));
}

/* concentric rings, class c at radius (c+1)/classes */
static void
circle_point (TsRng *rng, guint i, guint per_class, guint c, guint classes, double noise, float *xy)
{
  double t = 2.0 * G_PI * ts_rng_uniform_double (rng);
  double r = (c + 1.0) / classes;
  xy[0] = (float) (r * cos (t) + ts_rng_normal (rng) * noise * 0.5);
  xy[1] = (float) (r * sin (t) + ts_rng_normal (rng) * noise * 0.5);
}

/* Gaussian blobs with centres on a circle of radius 2 */
static void
gaussian_point (TsRng *rng, guint i, guint per_class, guint c, guint classes, double noise, float *xy)
{
  double a = 2.0 * G_PI * c / classes;
  double sigma = 0.5 + 2.0 * noise;
  xy[0] = (float) (2.0 * cos (a) + ts_rng_normal (rng) * sigma);
  xy[1] = (float) (2.0 * sin (a) + ts_rng_normal (rng) * sigma);
}

/* uniform square; the class is the xor of the coordinate signs */
static void
xor_point (TsRng *rng, guint i, guint per_class, guint c, guint classes, double noise, float *xy)
{
  double x = ts_rng_uniform_double (rng) * 0.95 + 0.05;
  double y = ts_rng_uniform_double (rng) * 0.95 + 0.05;
  gboolean flip_x = ts_rng_uniform (rng) < 0.5;
  /* class 0: same signs, class 1: opposite */
  xy[0] = (float) ((flip_x ? -x : x) + ts_rng_normal (rng) * noise * 0.5);
  xy[1] = (float) (((flip_x ^ (c == 1)) ? -y : y) + ts_rng_normal (rng) * noise * 0.5);
}

/* two interleaving half circles */
static void
moon_point (TsRng *rng, guint i, guint per_class, guint c, guint classes, double noise, float *xy)
{
  double t = G_PI * ts_rng_uniform_double (rng);
  if (c == 0)
    {
      xy[0] = (float) cos (t);
      xy[1] = (float) sin (t);
    }
  else
    {
      xy[0] = (float) (1.0 - cos (t));
      xy[1] = (float) (0.5 - sin (t));
    }
  xy[0] += (float) (ts_rng_normal (rng) * noise);
  xy[1] += (float) (ts_rng_normal (rng) * noise);
}

typedef struct {
  const char *name;
  PointFunc   point;
  guint       fixed_classes; /* 0: the experiment's data.classes */
} Generator;

static const Generator generators[] = {
  { "spiral", spiral_point, 0 },
  { "circles", circle_point, 0 },
  { "gaussians", gaussian_point, 0 },
  { "xor", xor_point, 2 },
  { "moons", moon_point, 2 },
};

TsDataset *
ts_builtin_generate (const char *name, guint samples, guint classes, double noise,
                     guint64 seed, GError **error)
{
  const Generator *gen = NULL;
  TsDataset *ds;
  TsRng rng;
  guint per_class;

  for (gsize i = 0; i < G_N_ELEMENTS (generators); i++)
    if (strcmp (generators[i].name, name) == 0)
      gen = &generators[i];
  if (gen == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "data.source: unknown builtin \"%s\" (expected spiral, circles, xor, gaussians, moons or shapes)",
                   name);
      return NULL;
    }
  if (gen->fixed_classes)
    classes = gen->fixed_classes;
  if (classes < 2 || classes > 100)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "data.classes: must be in [2, 100] for builtin:%s (got %u)",
                   name, classes);
      return NULL;
    }
  if (samples < classes || samples > 10000000)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "data.samples: must be in [%u, 10000000] for builtin:%s (got %u)", classes, name, samples);
      return NULL;
    }
  per_class = samples / classes;
  ds = ts_dataset_new (per_class * classes, 2, classes);
  ts_rng_init (&rng, seed, TS_STREAM_DATA);
  for (guint c = 0; c < classes; c++)
    for (guint i = 0; i < per_class; i++)
      {
        guint k = c * per_class + i;
        gen->point (&rng, i, per_class, c, classes, noise, ds->x + 2 * k);
        ds->y[k] = c;
      }
  ds->class_names = g_new0 (char *, classes + 1);
  for (guint c = 0; c < classes; c++)
    ds->class_names[c] = g_strdup_printf ("class %u", c);
  return ds;
}
