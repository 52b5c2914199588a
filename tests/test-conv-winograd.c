/* The Winograd convolution (ts-conv-winograd.c) against the direct
 * reference (ts-conv-reference.c): forward, input and weight gradients for
 * kernels 3 and 5, padding 0 and same, odd and even maps (partial tiles at
 * the edges), 1 to 64 channels, a thread's samples in groups of 1–3.
 *
 * The tolerance is the normwise bound of a sum computed in floating point,
 * max|computed − exact| ≤ c·u·max Σ|terms| with u = 2⁻²⁴: the reference is
 * run again on |w| and |x| for Σ|terms| of every element, so the bound
 * does not depend on cancellation in the data. Normwise, because a
 * Winograd output's error comes from its whole tile (the transforms mix
 * neighbouring inputs), not only from its own terms (Barabasz et al. 2020
 * bound it the same way). Measured over these cases (printed with
 * --verbose): c ≤ 2.1 for k 3, like im2col's; for k 5 up to 13 forward,
 * 21 for the input gradient and 23 for the weight gradient (with the
 * points ±1, ±2 instead of ±½, ±2: about twice that). The tests allow
 * c = 64, 4e-6 of the largest Σ|terms|: about 3× the worst seen, and two
 * orders below a single wrong or lost term (~Σ|terms| / (C·k²)). */
#include "test-util.h"
#include "ts-conv.h"

#define U_FP32 (1.0 / (1 << 24))
#define TOLERANCE_U 64.0

typedef struct {
  guint C, H, W, F, k;
  gboolean same; /* padding (k − 1)/2, else 0 */
} WinoCase;

static const WinoCase wino_cases[] = {
  { 1, 28, 28, 32, 5, TRUE },  /* the Fashion-MNIST CNN's first conv */
  { 32, 14, 14, 64, 5, TRUE }, /* and its second */
  { 3, 9, 7, 1, 5, FALSE },
  { 3, 8, 10, 3, 5, TRUE },
  { 64, 7, 5, 32, 5, TRUE },
  { 1, 6, 6, 1, 5, FALSE },    /* one tile */
  { 3, 5, 6, 64, 5, FALSE },   /* a 1×2 output: half a tile */
  { 32, 11, 13, 3, 5, FALSE },
  { 3, 9, 7, 3, 3, TRUE },
  { 32, 10, 11, 32, 3, FALSE },
  { 64, 5, 8, 64, 3, TRUE },
  { 1, 4, 4, 3, 3, FALSE },
  { 1, 3, 3, 1, 3, FALSE },    /* a 1×1 output */
  { 3, 16, 15, 1, 3, TRUE },
};

static void
fill (float *v, gsize n, TsRng *rng)
{
  for (gsize i = 0; i < n; i++)
    v[i] = ts_rng_normal (rng);
}

static float *
absolute (const float *v, gsize n)
{
  float *a = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    a[i] = fabsf (v[i]);
  return a;
}

/* the worst |got − want| / Σ|terms| in units of u; fails past the tolerance */
static double
check_bound (const char *what, const WinoCase *c, const float *got, const float *want, const float *bound, gsize n)
{
  double worst = 0.0, scale = 1e-30;
  gsize at = 0;

  for (gsize i = 0; i < n; i++)
    scale = MAX (scale, bound[i]);
  for (gsize i = 0; i < n; i++)
    {
      double ratio = fabs ((double) got[i] - want[i]) / (U_FP32 * scale);
      if (ratio > worst)
        worst = ratio, at = i;
    }
  if (!(worst <= TOLERANCE_U))
    g_error ("%s of C %u, %u×%u, F %u, k %u%s: [%zu] = %.9g, expected %.9g, %.0f u of Σ|terms| %.6g", what, c->C,
             c->H, c->W, c->F, c->k, c->same ? " same" : "", at, got[at], want[at], worst, bound[at]);
  return worst;
}

static void
check_case (const WinoCase *c, guint group, double worst[3])
{
  enum { B = 3 };
  TsConvGeom g;
  TsRng rng;

  ts_conv_geom_init (&g, c->C, c->H, c->W, c->F, c->k, 1, c->same ? (c->k - 1) / 2 : 0);
  g_assert_true (ts_conv_winograd_fits (&g));
  gsize in = (gsize) c->C * c->H * c->W, out = (gsize) c->F * g.P, wn = (gsize) c->F * g.K;
  g_autofree float *x = g_new (float, B * in), *w = g_new (float, wn), *b = g_new (float, c->F);
  g_autofree float *dz = g_new (float, B * out);
  g_autofree float *scratch = g_new (float, ts_conv_winograd_scratch_floats (&g, group));
  g_autofree float *z = g_new (float, B * out), *z_ref = g_new (float, B * out), *z_abs = g_new (float, B * out);
  g_autofree float *dx = g_new (float, B * in), *dx_ref = g_new (float, B * in), *dx_abs = g_new (float, B * in);
  g_autofree float *dw = g_new (float, wn), *db = g_new (float, c->F);
  g_autofree float *dw_ref = g_new0 (float, wn), *db_ref = g_new0 (float, c->F), *dw_abs = g_new0 (float, wn);

  ts_rng_init (&rng, c->C * 131 + c->H * 17 + c->F * 5 + c->k + group, 3);
  fill (x, B * in, &rng);
  fill (w, wn, &rng);
  fill (b, c->F, &rng);
  fill (dz, B * out, &rng);
  {
    g_autofree float *xa = absolute (x, B * in), *wa = absolute (w, wn), *ba = absolute (b, c->F);
    g_autofree float *dza = absolute (dz, B * out);
    for (guint r = 0; r < B; r++)
      {
        ts_conv_reference_forward (&g, z_ref + r * out, x + r * in, w, b);
        ts_conv_reference_input_gradients (&g, dx_ref + r * in, dz + r * out, w);
        ts_conv_reference_weight_gradients (&g, dw_ref, db_ref, dz + r * out, x + r * in);
        ts_conv_reference_forward (&g, z_abs + r * out, xa + r * in, wa, ba);
        ts_conv_reference_input_gradients (&g, dx_abs + r * in, dza + r * out, wa);
        ts_conv_reference_weight_gradients (&g, dw_abs, NULL, dza + r * out, xa + r * in);
      }
  }
  /* in two calls of samples, as two threads would take them */
  ts_conv_winograd_forward (&g, group, z, x, w, b, 0, 1, scratch);
  ts_conv_winograd_forward (&g, group, z, x, w, b, 1, B, scratch);
  ts_conv_winograd_input_gradients (&g, group, dx, dz, w, 0, 2, scratch);
  ts_conv_winograd_input_gradients (&g, group, dx, dz, w, 2, B, scratch);
  ts_conv_winograd_weight_gradients (&g, group, dw, db, dz, x, 0, B, scratch);
  double e[3] = { check_bound ("z", c, z, z_ref, z_abs, B * out), check_bound ("dx", c, dx, dx_ref, dx_abs, B * in),
                  check_bound ("dw", c, dw, dw_ref, dw_abs, wn) };
  for (guint i = 0; i < 3; i++)
    worst[i] = MAX (worst[i], e[i]);
  if (g_test_verbose ())
    g_printerr ("C %2u, %2u×%2u, F %2u, k %u%-5s group %u: %5.1f %5.1f %5.1f u\n", c->C, c->H, c->W, c->F, c->k,
                c->same ? " same" : "", group, e[0], e[1], e[2]);
  assert_close_array ("db", db, db_ref, c->F, 1e-4, 1e-4);
}

static void
test_matches_reference (void)
{
  for (guint k = 3; k <= 5; k += 2)
    {
      double worst[3] = { 0 };
      for (gsize i = 0; i < G_N_ELEMENTS (wino_cases); i++)
        if (wino_cases[i].k == k)
          for (guint group = 1; group <= 3; group++)
            check_case (&wino_cases[i], group, worst);
      g_test_message ("k %u: worst error in units of u·max Σ|terms|: forward %.1f, input gradient %.1f, weight "
                      "gradient %.1f", k, worst[0], worst[1], worst[2]);
    }
}

/* a calls of no samples leaves the outputs alone, and zeroes the gradients
 * it owns (a thread without samples still sums its partial gradients) */
static void
test_empty_range (void)
{
  TsConvGeom g;
  ts_conv_geom_init (&g, 3, 6, 6, 4, 5, 1, 2);
  g_autofree float *scratch = g_new (float, ts_conv_winograd_scratch_floats (&g, 1));
  g_autofree float *dw = g_new (float, 4 * g.K), *db = g_new (float, 4);
  float z = 7.f;

  for (gsize i = 0; i < 4 * g.K; i++)
    dw[i] = 1.f;
  db[0] = db[1] = db[2] = db[3] = 1.f;
  ts_conv_winograd_forward (&g, 1, &z, &z, dw, db, 2, 2, scratch);
  g_assert_cmpfloat (z, ==, 7.f);
  ts_conv_winograd_weight_gradients (&g, 1, dw, db, &z, &z, 2, 2, scratch);
  for (gsize i = 0; i < 4 * g.K; i++)
    g_assert_cmpfloat (dw[i], ==, 0.f);
  for (guint f = 0; f < 4; f++)
    g_assert_cmpfloat (db[f], ==, 0.f);
}

/* which geometries the dispatch gives to Winograd (see ts_conv_winograd_pays) */
static void
test_dispatch (void)
{
  TsConvGeom g;

  ts_conv_geom_init (&g, 32, 14, 14, 64, 5, 1, 2);
  g_assert_true (ts_conv_winograd_pays (&g));
  ts_conv_geom_init (&g, 32, 14, 14, 64, 5, 2, 2); /* stride 2 */
  g_assert_false (ts_conv_winograd_fits (&g));
  g_assert_false (ts_conv_winograd_pays (&g));
  ts_conv_geom_init (&g, 32, 14, 14, 64, 7, 1, 3); /* kernel 7 */
  g_assert_false (ts_conv_winograd_pays (&g));
  ts_conv_geom_init (&g, 32, 14, 14, 64, 1, 1, 0); /* pointwise */
  g_assert_false (ts_conv_winograd_pays (&g));
  ts_conv_geom_init (&g, 32, 14, 14, 64, 3, 1, 3); /* padding past k − 1: no full correlation for dx */
  g_assert_false (ts_conv_winograd_fits (&g));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/conv-winograd/matches-reference", test_matches_reference);
  g_test_add_func ("/conv-winograd/empty-range", test_empty_range);
  g_test_add_func ("/conv-winograd/dispatch", test_dispatch);
  return g_test_run ();
}
