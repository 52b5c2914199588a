/* ts-rng.h — deterministic, splittable random streams (xoshiro256**).
 *
 * Every random decision derives from the experiment seed and a stream id, so
 * a run is reproducible no matter in which order threads ask for numbers:
 *
 *   TsRng rng;
 *   ts_rng_init (&rng, seed, TS_STREAM_SHUFFLE + epoch);
 *   ts_rng_shuffle (&rng, order, n);
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint64 s[4];
} TsRng;

/* Stream ids: a stream is (seed, id); ids below are bases, add an index. */
enum {
  TS_STREAM_INIT = 1,
  TS_STREAM_DATA = 2,
  TS_STREAM_SPLIT = 3,
  TS_STREAM_SHUFFLE = 1u << 20,   /* + epoch */
  TS_STREAM_NOISE = 2u << 20,     /* + step: dropout masks, rrelu slopes */
  TS_STREAM_AUGMENT = 3u << 20,   /* + epoch, then per sample */
  TS_STREAM_PROBE = 4u << 20,     /* + layer: the init lab's weight draws */
  TS_STREAM_SEARCH = 5u << 20,    /* + trial: a search's draws of hyper-parameters */
};

void    ts_rng_init    (TsRng *rng, guint64 seed, guint64 stream);
guint64 ts_rng_next    (TsRng *rng);
float   ts_rng_uniform (TsRng *rng);           /* [0, 1) */
double  ts_rng_uniform_double (TsRng *rng);    /* [0, 1) */
float   ts_rng_normal  (TsRng *rng);           /* N(0, 1) */
guint32 ts_rng_below   (TsRng *rng, guint32 n); /* [0, n) */
/* n draws of N(0, sigma²), both Box-Muller outputs used: twice as fast */
void    ts_rng_normal_fill (TsRng *rng, float *out, gsize n, float sigma);
void    ts_rng_shuffle (TsRng *rng, guint32 *items, gsize n);

/* Counter-based noise: the index-th uniform of the stream named by key, in
 * any order from any thread (dropout masks, rrelu slopes). */
guint64 ts_rng_key (guint64 seed, guint64 stream);
static inline float
ts_rng_hash_uniform (guint64 key, guint64 index)
{
  guint64 z = key + (index + 1) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return (float) (z >> 40) * (1.0f / 16777216.0f);
}

G_END_DECLS
