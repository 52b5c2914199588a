#include "ts-rng.h"

#include <math.h>
#ifdef TS_HAVE_LIBMVEC
#include <emmintrin.h>

extern __m128 _ZGVbN4v_logf (__m128 x);
extern __m128 _ZGVbN4v_cosf (__m128 x);
extern __m128 _ZGVbN4v_sinf (__m128 x);
#endif

static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void
ts_rng_init (TsRng *rng, guint64 seed, guint64 stream)
{
  guint64 state = seed;
  guint64 salt = splitmix64 (&state) ^ (stream * 0xd1342543de82ef95ull);

  state = salt;
  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&state);
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

guint64
ts_rng_next (TsRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

float
ts_rng_uniform (TsRng *rng)
{
  return (ts_rng_next (rng) >> 40) * (1.0f / 16777216.0f);
}

double
ts_rng_uniform_double (TsRng *rng)
{
  return (ts_rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

float
ts_rng_normal (TsRng *rng)
{
  /* Box-Muller; u1 in (0, 1] so the log is finite */
  double u1 = 1.0 - ts_rng_uniform_double (rng);
  double u2 = ts_rng_uniform_double (rng);
  return (float) (sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2));
}

guint32
ts_rng_below (TsRng *rng, guint32 n)
{
  /* Lemire's multiply-shift; the bias is < n / 2^32, fine for shuffles */
  return (guint32) (((ts_rng_next (rng) >> 32) * (guint64) n) >> 32);
}

void
ts_rng_shuffle (TsRng *rng, guint32 *items, gsize n)
{
  for (gsize i = n; i > 1; i--)
    {
      guint32 j = ts_rng_below (rng, (guint32) i);
      guint32 tmp = items[i - 1];
      items[i - 1] = items[j];
      items[j] = tmp;
    }
}

guint64
ts_rng_key (guint64 seed, guint64 stream)
{
  TsRng rng;
  ts_rng_init (&rng, seed, stream);
  return ts_rng_next (&rng);
}

void
ts_rng_normal_fill (TsRng *rng, float *out, gsize n, float sigma)
{
  gsize i = 0;

#ifdef TS_HAVE_LIBMVEC
  /* Box–Muller in float, eight values a round: four draws give four pairs
   * of 24-bit uniforms, u1 in (0, 1] (|z| < 5.8), through glibc's vector
   * logf, cosf and sinf — the init lab's millions of draws */
  const __m128 minus_two_var = _mm_set1_ps (-2.f * sigma * sigma), two_pi = _mm_set1_ps ((float) (2 * G_PI));
  for (; i + 8 <= n; i += 8)
    {
      float u1[4], u2[4];
      __m128 r, angle;
      for (int k = 0; k < 4; k++)
        {
          guint64 bits = ts_rng_next (rng);
          u1[k] = (float) ((bits >> 40) + 1) * (1.0f / 16777216.0f);
          u2[k] = (float) ((bits >> 16) & 0xffffff) * (1.0f / 16777216.0f);
        }
      r = _mm_sqrt_ps (_mm_mul_ps (minus_two_var, _ZGVbN4v_logf (_mm_loadu_ps (u1))));
      angle = _mm_mul_ps (two_pi, _mm_loadu_ps (u2));
      _mm_storeu_ps (out + i, _mm_mul_ps (r, _ZGVbN4v_cosf (angle)));
      _mm_storeu_ps (out + i + 4, _mm_mul_ps (r, _ZGVbN4v_sinf (angle)));
    }
#endif
  for (; i < n; i += 2)
    {
      double u1 = 1.0 - ts_rng_uniform_double (rng), u2 = ts_rng_uniform_double (rng);
      double r = sqrt (-2.0 * log (u1)) * sigma;
      out[i] = (float) (r * cos (2.0 * G_PI * u2));
      if (i + 1 < n)
        out[i + 1] = (float) (r * sin (2.0 * G_PI * u2));
    }
}
