/* Preprocessing and augmentation, checked by the properties that define them. */
#include "test-util.h"

/* 2-D correlated Gaussian points: a clear principal axis */
static TsDataset *
correlated (guint n, guint dim)
{
  TsDataset *ds = ts_dataset_new (n, dim, 2);
  TsRng rng;

  ts_rng_init (&rng, 3, 1);
  for (guint i = 0; i < n; i++)
    {
      float base = ts_rng_normal (&rng) * 3.f;
      for (guint j = 0; j < dim; j++)
        ds->x[(gsize) i * dim + j] = base * (j + 1) * 0.5f + ts_rng_normal (&rng) * 0.3f + 5.f * j;
      ds->y[i] = i % 2;
    }
  return ds;
}

static void
covariance (const TsDataset *ds, double *cov, double *mean)
{
  guint d = ds->dim;
  memset (cov, 0, sizeof (double) * d * d);
  memset (mean, 0, sizeof (double) * d);
  for (guint i = 0; i < ds->n; i++)
    for (guint a = 0; a < d; a++)
      mean[a] += ds->x[(gsize) i * d + a] / ds->n;
  for (guint i = 0; i < ds->n; i++)
    for (guint a = 0; a < d; a++)
      for (guint b = 0; b < d; b++)
        cov[a * d + b] += (ds->x[(gsize) i * d + a] - mean[a]) * (ds->x[(gsize) i * d + b] - mean[b]) / ds->n;
}

static TsDataset *
fit_apply (TsPreprocessKind kind, const TsDataset *ds, guint k, TsPreprocess **out)
{
  g_autoptr(GError) error = NULL;
  TsPreprocess *pp = ts_preprocess_fit (kind, ds, k, 1e-5, &error);
  TsDataset *res;

  g_assert_no_error (error);
  res = ts_preprocess_apply (pp, ds);
  if (out)
    *out = pp;
  else
    ts_preprocess_free (pp);
  return res;
}

static void
test_whitened_covariance_is_identity (void)
{
  g_autoptr(TsDataset) ds = correlated (4000, 4);
  double cov[16], mean[4];

  for (int kind = TS_PRE_PCA_WHITEN; kind <= TS_PRE_ZCA; kind++)
    {
      g_autoptr(TsDataset) white = fit_apply (kind, ds, 0, NULL);
      covariance (white, cov, mean);
      for (int a = 0; a < 4; a++)
        {
          g_assert_cmpfloat (fabs (mean[a]), <, 1e-3);
          for (int b = 0; b < 4; b++)
            g_assert_cmpfloat (fabs (cov[a * 4 + b] - (a == b)), <, 2e-2);
        }
    }
}

static void
test_standardize_and_center (void)
{
  g_autoptr(TsDataset) ds = correlated (2000, 3);
  g_autoptr(TsDataset) std = fit_apply (TS_PRE_STANDARDIZE, ds, 0, NULL);
  g_autoptr(TsDataset) centred = fit_apply (TS_PRE_CENTER, ds, 0, NULL);
  double cov[9], mean[3];

  covariance (std, cov, mean);
  for (int a = 0; a < 3; a++)
    {
      g_assert_cmpfloat (fabs (mean[a]), <, 1e-3);
      g_assert_cmpfloat (fabs (cov[a * 3 + a] - 1.0), <, 1e-3);
    }
  covariance (centred, cov, mean);
  for (int a = 0; a < 3; a++)
    g_assert_cmpfloat (fabs (mean[a]), <, 1e-3);
}

static void
test_pca_all_components_reconstructs (void)
{
  g_autoptr(TsDataset) ds = correlated (1000, 5);
  TsPreprocess *pp = NULL;
  g_autoptr(TsDataset) proj = fit_apply (TS_PRE_PCA, ds, 0, &pp);

  g_assert_cmpuint (proj->dim, ==, 5);
  /* x = mean + Pᵀ y, P orthonormal */
  for (guint i = 0; i < ds->n; i += 37)
    for (guint j = 0; j < 5; j++)
      {
        double x = pp->mean[j];
        for (guint k = 0; k < 5; k++)
          x += pp->projection[k * 5 + j] * proj->x[(gsize) i * 5 + k];
        g_assert_cmpfloat (fabs (x - ds->x[(gsize) i * 5 + j]), <, 1e-3 * (1 + fabs (x)));
      }
  /* eigenvalues come largest first, and k components keep the largest */
  for (guint k = 1; k < 5; k++)
    g_assert_cmpfloat (pp->eigenvalues[k - 1], >=, pp->eigenvalues[k]);
  {
    g_autoptr(TsDataset) two = fit_apply (TS_PRE_PCA, ds, 2, NULL);
    g_assert_cmpuint (two->dim, ==, 2);
  }
  ts_preprocess_free (pp);
}

static double
distance_to (const TsDataset *a, const TsDataset *b)
{
  double d = 0;
  for (gsize i = 0; i < (gsize) a->n * a->dim; i++)
    d += pow (a->x[i] - b->x[i], 2);
  return d;
}

static void
test_zca_stays_closest (void)
{
  g_autoptr(TsDataset) ds = correlated (3000, 4);
  g_autoptr(TsDataset) centred = fit_apply (TS_PRE_CENTER, ds, 0, NULL);
  g_autoptr(TsDataset) zca = fit_apply (TS_PRE_ZCA, ds, 0, NULL);
  g_autoptr(TsDataset) pcaw = fit_apply (TS_PRE_PCA_WHITEN, ds, 0, NULL);
  g_autoptr(TsDataset) rotated = ts_dataset_copy (pcaw);

  /* among whitenings, ZCA is the one nearest the (centred) input: compare
   * with PCA whitening and with PCA whitening under a rotation */
  for (guint i = 0; i < rotated->n; i++)
    {
      float *v = rotated->x + (gsize) i * 4, a = v[0], b = v[1], c = (float) cos (0.7), s = (float) sin (0.7);
      v[0] = c * a - s * b;
      v[1] = s * a + c * b;
    }
  g_assert_cmpfloat (distance_to (zca, centred), <, distance_to (pcaw, centred));
  g_assert_cmpfloat (distance_to (zca, centred), <, distance_to (rotated, centred));
}

static void
test_fitted_on_train_only (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:gaussians", 1);
  g_autoptr(GError) error = NULL;
  TsSplits s = { 0 };
  double mean_train = 0, mean_val = 0;

  g_assert_true (ts_splits_load (exp, &s, NULL, &error));
  g_assert_true (ts_splits_preprocess (&s, exp, FALSE, &error));
  for (guint i = 0; i < s.train->n; i++)
    mean_train += s.train->x[2 * i] / s.train->n;
  for (guint i = 0; i < s.val->n; i++)
    mean_val += s.val->x[2 * i] / s.val->n;
  g_assert_cmpfloat (fabs (mean_train), <, 1e-4);   /* exactly centred: fitted here */
  g_assert_cmpfloat (fabs (mean_val), >, 1e-4);     /* not refitted on validation */
  ts_splits_clear (&s);
}

/* ---- augmentation ------------------------------------------------------ */

static TsDataset *
images (guint channels)
{
  TsDataset *ds = ts_dataset_new_image (16, channels, 8, 10, 2);
  TsRng rng;
  ts_rng_init (&rng, 9, 1);
  for (gsize i = 0; i < (gsize) ds->n * ds->dim; i++)
    ds->x[i] = 0.2f + 0.6f * ts_rng_uniform (&rng);
  return ds;
}

static TsAugment *
augment (const TsDataset *ds, TsAugmentSpec spec)
{
  g_autoptr(GError) error = NULL;
  TsAugment *aug = ts_augment_new (&spec, ds, &error);
  g_assert_no_error (error);
  return aug;
}

static void
test_two_flips_are_identity (void)
{
  g_autoptr(TsDataset) ds = images (3);
  g_autoptr(TsAugment) aug = augment (ds, (TsAugmentSpec) { .hflip = 1.0 });
  g_autofree float *once = g_new (float, ds->dim), *twice = g_new (float, ds->dim);

  ts_augment_sample (aug, ds->x, once, 1, 0);
  g_assert_cmpfloat (once[0], ==, ds->x[9]); /* really mirrored */
  ts_augment_sample (aug, once, twice, 1, 0);
  g_assert_cmpmem (twice, ds->dim * 4, ds->x, ds->dim * 4);
}

static void
test_identities (void)
{
  g_autoptr(TsDataset) ds = images (3);
  /* full-size crop without padding, zero jitter, zero lighting: identity */
  g_autoptr(TsAugment) aug = augment (ds, (TsAugmentSpec) { 0 });
  g_autofree float *out = g_new (float, ds->dim);

  for (guint i = 0; i < 4; i++)
    {
      ts_augment_sample (aug, ds->x + i * ds->dim, out, 77, i);
      g_assert_cmpmem (out, ds->dim * 4, ds->x + i * ds->dim, ds->dim * 4);
    }
}

static void
test_crop_pads (void)
{
  g_autoptr(TsDataset) ds = images (1);
  g_autoptr(TsAugment) zero = augment (ds, (TsAugmentSpec) { .crop_pad = 3 });
  g_autoptr(TsAugment) mirror = augment (ds, (TsAugmentSpec) { .crop_pad = 3, .pad_reflect = 1 });
  g_autofree float *out = g_new (float, ds->dim);
  guint zeros = 0, reflected_zeros = 0;

  for (guint s = 0; s < 20; s++)
    {
      ts_augment_sample (zero, ds->x, out, 5, s);
      for (guint i = 0; i < ds->dim; i++)
        zeros += out[i] == 0.f;
      ts_augment_sample (mirror, ds->x, out, 5, s);
      for (guint i = 0; i < ds->dim; i++)
        reflected_zeros += out[i] == 0.f;
    }
  g_assert_cmpuint (zeros, >, 0);
  g_assert_cmpuint (reflected_zeros, ==, 0); /* the source has no zeros */
}

/* every augmented sample is some shift (ox, oy) of the padded image, maybe
 * mirrored, exactly as a plain per-pixel reference computes it */
static void
test_crop_matches_reference (void)
{
  g_autoptr(TsDataset) ds = ts_dataset_new_image (1, 1, 5, 7, 2);

  for (int i = 0; i < 35; i++)
    ds->x[i] = i + 1;
  for (int refl = 0; refl < 2; refl++)
    {
      TsAugmentSpec spec = { .hflip = 0.5, .crop_pad = 3, .pad_reflect = refl };
      g_autoptr(TsAugment) aug = augment (ds, spec);
      for (guint64 s = 0; s < 100; s++)
        {
          float out[35];
          gboolean found = FALSE;
          ts_augment_sample (aug, ds->x, out, 9, s);
          for (int ox = -3; ox <= 3 && !found; ox++)
            for (int oy = -3; oy <= 3 && !found; oy++)
              for (int flip = 0; flip < 2 && !found; flip++)
                {
                  gboolean same = TRUE;
                  for (int y = 0; y < 5 && same; y++)
                    for (int x = 0; x < 7 && same; x++)
                      {
                        int sx = (flip ? 6 - x : x) + ox, sy = y + oy;
                        int rx = sx < 0 ? -sx - 1 : sx >= 7 ? 13 - sx : sx, ry = sy < 0 ? -sy - 1 : sy >= 5 ? 9 - sy : sy;
                        gboolean inside = sx >= 0 && sx < 7 && sy >= 0 && sy < 5;
                        float v = inside ? ds->x[sy * 7 + sx] : refl ? ds->x[ry * 7 + rx] : 0.f;
                        same = v == out[y * 7 + x];
                      }
                  found = same;
                }
          g_assert_true (found);
        }
    }
}

static void
test_fancy_pca_moves_along_eigenvectors (void)
{
  /* pixels that vary only along one colour direction u: the covariance has
   * one non-zero eigenvalue, so lighting may only move pixels along u */
  g_autoptr(TsDataset) ds = ts_dataset_new_image (50, 3, 4, 4, 2);
  const float u[3] = { 0.6f, 0.48f, 0.64f };
  g_autoptr(TsAugment) aug = NULL;
  g_autofree float *out = g_new (float, 48);
  TsRng rng;

  ts_rng_init (&rng, 4, 1);
  for (guint i = 0; i < 50; i++)
    for (guint p = 0; p < 16; p++)
      {
        float t = 0.3f * ts_rng_uniform (&rng);
        for (int c = 0; c < 3; c++)
          ds->x[i * 48 + c * 16 + p] = 0.35f + t * u[c];
      }
  aug = augment (ds, (TsAugmentSpec) { .fancy_pca = 2.0 });
  g_assert_cmpfloat (aug->eigenvalues[1], <, 1e-5 * aug->eigenvalues[0]);
  for (guint s = 0; s < 10; s++)
    {
      float delta[3], along = 0;
      ts_augment_sample (aug, ds->x, out, 11, s);
      for (int c = 0; c < 3; c++)
        delta[c] = out[c * 16] - ds->x[c * 16];
      for (int c = 0; c < 3; c++)
        along += delta[c] * u[c];
      for (int c = 0; c < 3; c++)
        g_assert_cmpfloat (fabsf (delta[c] - along * u[c]), <, 1e-4);
      for (guint p = 1; p < 16; p++) /* the same shift for every pixel */
        g_assert_cmpfloat (fabsf ((out[p] - ds->x[p]) - delta[0]), <, 1e-5);
    }
}

static void
test_deterministic_and_varied (void)
{
  g_autoptr(TsDataset) ds = images (3);
  g_autoptr(TsAugment) aug = augment (ds, (TsAugmentSpec) { .hflip = 0.5, .crop_pad = 2, .brightness = 0.3,
                                                             .contrast = 0.3, .saturation = 0.3, .fancy_pca = 0.5,
                                                             .erase = 0.5 });
  g_autofree float *a = g_new (float, ds->dim), *b = g_new (float, ds->dim), *c = g_new (float, ds->dim);

  ts_augment_sample (aug, ds->x, a, 42, 3);
  ts_augment_sample (aug, ds->x, b, 42, 3);
  ts_augment_sample (aug, ds->x, c, 43, 3);
  g_assert_cmpmem (a, ds->dim * 4, b, ds->dim * 4);
  g_assert_true (memcmp (a, c, ds->dim * 4) != 0);
  for (guint i = 0; i < ds->dim; i++)
    g_assert_true (a[i] >= 0.f && a[i] <= 1.f);
}

static void
test_needs_images (void)
{
  g_autoptr(TsDataset) ds = ts_dataset_new (4, 2, 2);
  TsAugmentSpec spec = { .hflip = 0.5 };
  g_autoptr(GError) error = NULL;

  g_assert_null (ts_augment_new (&spec, ds, &error));
  g_assert_nonnull (strstr (error->message, "data.augment"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/preprocess/whitened-covariance", test_whitened_covariance_is_identity);
  g_test_add_func ("/data/preprocess/standardize-center", test_standardize_and_center);
  g_test_add_func ("/data/preprocess/pca-reconstructs", test_pca_all_components_reconstructs);
  g_test_add_func ("/data/preprocess/zca-closest", test_zca_stays_closest);
  g_test_add_func ("/data/preprocess/train-only", test_fitted_on_train_only);
  g_test_add_func ("/data/augment/two-flips", test_two_flips_are_identity);
  g_test_add_func ("/data/augment/identities", test_identities);
  g_test_add_func ("/data/augment/crop-padding", test_crop_pads);
  g_test_add_func ("/data/augment/crop-reference", test_crop_matches_reference);
  g_test_add_func ("/data/augment/fancy-pca", test_fancy_pca_moves_along_eigenvectors);
  g_test_add_func ("/data/augment/deterministic", test_deterministic_and_varied);
  g_test_add_func ("/data/augment/needs-images", test_needs_images);
  return g_test_run ();
}
