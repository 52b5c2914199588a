#include "ts-augment.h"
#include "ts-error.h"
#include "ts-rng.h"

#include <lapacke.h>
#include <math.h>
#include <string.h>

/* the draws of one sample, in fixed slots (32 per sample) so adding an
 * operation never shifts another's numbers; fancy PCA takes 2 per colour */
enum { D_CROP_X, D_CROP_Y, D_FLIP, D_BRIGHT, D_CONTRAST, D_SATURATE, D_PCA0,
       D_ERASE = D_PCA0 + 6, D_ERASE_AREA, D_ERASE_RATIO, D_ERASE_X, D_ERASE_Y };

static inline float
draw (guint64 key, guint64 sample, guint slot)
{
  return ts_rng_hash_uniform (key, sample * 32 + slot);
}

static inline float
draw_normal (guint64 key, guint64 sample, guint slot)
{
  double u1 = 1.0 - draw (key, sample, slot), u2 = draw (key, sample, slot + 1);
  return (float) (sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2));
}

gboolean
ts_augment_spec_enabled (const TsAugmentSpec *s)
{
  return s->hflip > 0 || s->crop_pad > 0 || s->brightness > 0 || s->contrast > 0 || s->saturation > 0
         || s->fancy_pca > 0 || s->erase > 0;
}

/* eigen-decomposition of the 3×3 covariance of RGB pixels (up to ~1M) */
static void
fit_colour_pca (TsAugment *aug, const TsDataset *ds)
{
  gsize plane = (gsize) ds->height * ds->width, step = MAX ((gsize) ds->n * plane / 1000000, 1);
  double sum[3] = { 0 }, cross[3][3] = { { 0 } }, count = 0;
  float cov[9], w[3];

  for (gsize k = 0; k < (gsize) ds->n * plane; k += step)
    {
      const float *img = ds->x + (k / plane) * ds->dim;
      double px[3];
      for (int c = 0; c < 3; c++)
        px[c] = img[c * plane + k % plane];
      for (int a = 0; a < 3; a++)
        {
          sum[a] += px[a];
          for (int b = 0; b < 3; b++)
            cross[a][b] += px[a] * px[b];
        }
      count++;
    }
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++)
      cov[a * 3 + b] = (float) (cross[a][b] / count - sum[a] * sum[b] / (count * count));
  if (LAPACKE_ssyev (LAPACK_ROW_MAJOR, 'V', 'U', 3, cov, 3, w) != 0)
    return; /* leaves zero eigenvalues: lighting does nothing */
  for (int k = 0; k < 3; k++)
    {
      aug->eigenvalues[k] = MAX (w[2 - k], 0.f);
      for (int c = 0; c < 3; c++)
        aug->eigenvectors[k][c] = cov[c * 3 + (2 - k)];
    }
}

TsAugment *
ts_augment_new (const TsAugmentSpec *spec, const TsDataset *train, GError **error)
{
  TsAugment *aug;

  if (!ts_dataset_is_image (train))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "data.augment: needs an image source; this one has %u features per sample", train->dim);
      return NULL;
    }
  if (spec->crop_pad >= MIN (train->height, train->width))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "data.augment.crop_pad: must be < %u, the image size (got %u)",
                   MIN (train->height, train->width), spec->crop_pad);
      return NULL;
    }
  aug = g_new0 (TsAugment, 1);
  aug->spec = *spec;
  aug->channels = train->channels;
  aug->height = train->height;
  aug->width = train->width;
  if (train->channels == 3 && spec->fancy_pca > 0)
    fit_colour_pca (aug, train);
  return aug;
}

void
ts_augment_free (TsAugment *aug)
{
  g_free (aug);
}

static inline int
reflect (int i, int n)
{
  if (i < 0)
    i = -i - 1;
  if (i >= n)
    i = 2 * n - i - 1;
  return CLAMP (i, 0, n - 1);
}

/* one output row from source row sy (already inside the image), shifted
 * by ox and maybe mirrored; what falls outside is padding */
static void
crop_row (const float *restrict src, float *restrict dst, int W, int ox, gboolean flip, gboolean reflect_pad)
{
  /* the x whose source falls inside the row: a branch-free middle span */
  int lo = flip ? MAX (0, ox) : MAX (0, -ox);
  int hi = flip ? MIN (W, W + ox) : MIN (W, W - ox);

  for (int x = 0; x < lo; x++)
    {
      int sx = (flip ? W - 1 - x : x) + ox;
      dst[x] = reflect_pad ? src[reflect (sx, W)] : 0.f;
    }
  if (flip)
    for (int x = lo; x < hi; x++)
      dst[x] = src[W - 1 - x + ox];
  else
    memcpy (dst + lo, src + lo + ox, sizeof (float) * MAX (hi - lo, 0));
  for (int x = MAX (hi, lo); x < W; x++)
    {
      int sx = (flip ? W - 1 - x : x) + ox;
      dst[x] = reflect_pad ? src[reflect (sx, W)] : 0.f;
    }
}

/* random crop of the padded image, then the flip, in one gather; rows that
 * need no padding and no flip are plain copies */
static void
crop_and_flip (const TsAugment *aug, const float *in, float *out, guint64 key, guint64 sample)
{
  int H = (int) aug->height, W = (int) aug->width, pad = (int) aug->spec.crop_pad;
  int ox = pad ? (int) (draw (key, sample, D_CROP_X) * (2 * pad + 1)) - pad : 0;
  int oy = pad ? (int) (draw (key, sample, D_CROP_Y) * (2 * pad + 1)) - pad : 0;
  gboolean flip = draw (key, sample, D_FLIP) < aug->spec.hflip;

  for (guint c = 0; c < aug->channels; c++)
    for (int y = 0; y < H; y++)
      {
        const float *plane = in + (gsize) c * H * W;
        float *dst = out + ((gsize) c * H + y) * W;
        int sy = y + oy;
        if (sy < 0 || sy >= H)
          {
            if (!aug->spec.pad_reflect)
              {
                memset (dst, 0, sizeof (float) * W);
                continue;
              }
            sy = reflect (sy, H);
          }
        if (!flip && ox == 0)
          memcpy (dst, plane + (gsize) sy * W, sizeof (float) * W);
        else
          crop_row (plane + (gsize) sy * W, dst, W, ox, flip, aug->spec.pad_reflect);
      }
}

static void
jitter (const TsAugment *aug, float *img, guint64 key, guint64 sample)
{
  const TsAugmentSpec *s = &aug->spec;
  gsize plane = (gsize) aug->height * aug->width, n = plane * aug->channels;
  float bright = 1.f + s->brightness * (2.f * draw (key, sample, D_BRIGHT) - 1.f);
  float contrast = 1.f + s->contrast * (2.f * draw (key, sample, D_CONTRAST) - 1.f);
  float saturate = 1.f + s->saturation * (2.f * draw (key, sample, D_SATURATE) - 1.f);

  if (s->brightness > 0 || s->contrast > 0)
    {
      /* brightness b then contrast c about the (brightened) mean, in one
       * pass: x' = b·(c·(x − m) + m), m the image's mean */
      double sum = 0;
      float m;
      if (s->contrast > 0)
        for (gsize i = 0; i < n; i++)
          sum += img[i];
      m = (float) (sum / n);
      for (gsize i = 0; i < n; i++)
        img[i] = bright * (contrast * (img[i] - m) + m);
    }
  if (s->saturation > 0 && aug->channels == 3)
    for (gsize p = 0; p < plane; p++)
      {
        /* towards or away from the pixel's grey (ITU-R 601 luma) */
        float grey = 0.299f * img[p] + 0.587f * img[plane + p] + 0.114f * img[2 * plane + p];
        for (int c = 0; c < 3; c++)
          img[c * plane + p] = grey + (img[c * plane + p] - grey) * saturate;
      }
}

/* AlexNet lighting: every pixel gains Σ αₖλₖpₖ with αₖ ~ N(0, σ) */
static void
fancy_pca (const TsAugment *aug, float *img, guint64 key, guint64 sample)
{
  gsize plane = (gsize) aug->height * aug->width;
  float delta[3] = { 0 };

  for (int k = 0; k < 3; k++)
    {
      float alpha = (float) aug->spec.fancy_pca * draw_normal (key, sample, D_PCA0 + 2 * k);
      for (int c = 0; c < 3; c++)
        delta[c] += alpha * aug->eigenvalues[k] * aug->eigenvectors[k][c];
    }
  for (int c = 0; c < 3; c++)
    for (gsize p = 0; p < plane; p++)
      img[c * plane + p] += delta[c];
}

/* random erasing: a rectangle of 2–33% of the area, aspect 0.3–3.3, noise */
static void
erase (const TsAugment *aug, float *img, guint64 key, guint64 sample)
{
  int H = (int) aug->height, W = (int) aug->width;
  double area = H * W * (0.02 + 0.31 * draw (key, sample, D_ERASE_AREA));
  double ratio = exp (log (0.3) + (log (3.3) - log (0.3)) * draw (key, sample, D_ERASE_RATIO));
  int h = CLAMP ((int) sqrt (area * ratio), 1, H), w = CLAMP ((int) sqrt (area / ratio), 1, W);
  int y0 = (int) (draw (key, sample, D_ERASE_Y) * (H - h + 1));
  int x0 = (int) (draw (key, sample, D_ERASE_X) * (W - w + 1));

  for (guint c = 0; c < aug->channels; c++)
    for (int y = y0; y < y0 + h; y++)
      for (int x = x0; x < x0 + w; x++)
        img[((gsize) c * H + y) * W + x] = ts_rng_hash_uniform (key ^ 0xe4a5e, (sample * H + y) * W * 3 + x * 3 + c);
}

void
ts_augment_sample (const TsAugment *aug, const float *in, float *out, guint64 key, guint64 sample)
{
  const TsAugmentSpec *s = &aug->spec;
  gsize n = (gsize) aug->channels * aug->height * aug->width;

  crop_and_flip (aug, in, out, key, sample);
  if (s->brightness > 0 || s->contrast > 0 || s->saturation > 0)
    jitter (aug, out, key, sample);
  if (s->fancy_pca > 0 && aug->channels == 3)
    fancy_pca (aug, out, key, sample);
  if (s->brightness > 0 || s->contrast > 0 || s->saturation > 0 || s->fancy_pca > 0)
    for (gsize i = 0; i < n; i++)
      out[i] = CLAMP (out[i], 0.f, 1.f);
  if (s->erase > 0 && draw (key, sample, D_ERASE) < s->erase)
    erase (aug, out, key, sample);
}
