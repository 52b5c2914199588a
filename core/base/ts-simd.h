/* Four-float SIMD lanes through GCC's vector extensions (SSE on any x86-64,
 * NEON elsewhere): for the sums and scans C would otherwise do one value at
 * a time, because it may not reorder float arithmetic. Internal to core. */
#pragma once

#include <glib.h>
#include <string.h>
#ifdef __SSE__
#include <xmmintrin.h>
#endif

typedef float TsF4 __attribute__ ((vector_size (16)));
typedef int TsI4 __attribute__ ((vector_size (16))); /* comparisons: −1 where true */

static inline TsF4
ts_load4 (const float *v)
{
  TsF4 x;
  memcpy (&x, v, sizeof x);
  return x;
}

/* the lanes of a where pick is true, else of b */
static inline TsF4
ts_blend4 (TsI4 pick, TsF4 a, TsF4 b)
{
  return (TsF4) ((pick & (TsI4) a) | (~pick & (TsI4) b));
}

/* lane-wise larger and smaller, as SSE's maxps/minps: a > b ? a : b */
static inline TsF4
ts_max4 (TsF4 a, TsF4 b)
{
#ifdef __SSE__
  return (TsF4) __builtin_ia32_maxps ((__v4sf) a, (__v4sf) b);
#else
  return ts_blend4 (a > b, a, b);
#endif
}

static inline TsF4
ts_min4 (TsF4 a, TsF4 b)
{
#ifdef __SSE__
  return (TsF4) __builtin_ia32_minps ((__v4sf) a, (__v4sf) b);
#else
  return ts_blend4 (a < b, a, b);
#endif
}

/* every value ±0 (an early exit at the first that is not) */
static inline gboolean
ts_all_zero (const float *v, gsize n)
{
  const TsI4 magnitude = { G_MAXINT32, G_MAXINT32, G_MAXINT32, G_MAXINT32 };
  gsize i = 0;

  for (; i + 16 <= n; i += 16)
    {
      TsI4 bits = ((TsI4) ts_load4 (v + i) | (TsI4) ts_load4 (v + i + 4) | (TsI4) ts_load4 (v + i + 8)
                   | (TsI4) ts_load4 (v + i + 12)) & magnitude;
      if (bits[0] | bits[1] | bits[2] | bits[3])
        return FALSE;
    }
  for (; i < n; i++)
    if (v[i] != 0.f)
      return FALSE;
  return TRUE;
}

/* no NaN or ±Inf among the values: x·0 is 0 for every finite x */
static inline gboolean
ts_all_finite (const float *v, gsize n)
{
  TsF4 acc = { 0 };
  float tail = 0.f;
  gsize i = 0;

  for (; i + 4 <= n; i += 4)
    acc += ts_load4 (v + i) * 0.f;
  for (; i < n; i++)
    tail += v[i] * 0.f;
  return acc[0] + acc[1] + acc[2] + acc[3] + tail == 0.f;
}
