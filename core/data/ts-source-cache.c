/* Loaded sources shared: one decoded copy of a data set per distinct source
 * spec while anyone holds it.
 *
 * Runs of one source and the Data page used to decode Fashion-MNIST each for
 * itself, at the same moment, on a 2-core machine that was meanwhile training.
 * A source that is being loaded is waited for rather than loaded twice;
 * a failed or cancelled load is retried by each waiter, so everyone gets
 * their own error (and a cancelled first loader does not fail the others). */
#include "ts-source.h"
#include "ts-error.h"

struct _TsSource {
  int          refs;    /* under cache_lock: the last unref also leaves the table */
  char        *key;
  gboolean     loading; /* the first acquirer is loading it; the others wait */
  gboolean     failed;
  TsSourceData data;    /* immutable once loading ends */
};

#define WAIT_SLICE_US 20000 /* a waiter notices its cancellation this often */

static GMutex cache_lock;
static GCond cache_loaded;
static GHashTable *cache; /* key → TsSource (not owned: an entry leaves with its last reference) */

/* Everything the loaded samples depend on, and nothing else (not the split,
 * view, limit or preprocessing, which are made from the loaded set). */
static char *
source_key (const TsDataSpec *spec, guint64 seed)
{
  const char *s = spec->source ? spec->source : "";
  char noise[G_ASCII_DTOSTR_BUF_SIZE];

  if (g_str_has_prefix (s, "builtin:"))
    return g_strdup_printf ("%s|%u|%u|%s|%" G_GUINT64_FORMAT, s, spec->samples, spec->classes,
                            g_ascii_dtostr (noise, sizeof noise, spec->noise), seed);
  if (g_str_has_prefix (s, "folder:"))
    return g_strdup_printf ("%s|%u", s, spec->image_size);
  if (g_str_has_prefix (s, "csv:"))
    {
      /* the csv's rows as images of this shape */
      GString *key = g_string_new (NULL);
      g_string_printf (key, "%s|%s|", s, spec->label_column ? spec->label_column : "");
      for (guint i = 0; spec->image_shape && i < spec->image_shape->len; i++)
        g_string_append_printf (key, "%s%u", i ? "," : "", g_array_index (spec->image_shape, guint, i));
      return g_string_free (key, FALSE);
    }
  return g_strdup (s);
}

static void
source_free (TsSource *s)
{
  ts_source_data_clear (&s->data);
  g_free (s->key);
  g_free (s);
}

/* under cache_lock; TRUE when this was the last reference */
static gboolean
release_locked (TsSource *s)
{
  if (--s->refs > 0)
    return FALSE;
  if (cache && g_hash_table_lookup (cache, s->key) == s)
    g_hash_table_remove (cache, s->key);
  return TRUE;
}

TsSource *
ts_source_ref (TsSource *s)
{
  g_mutex_lock (&cache_lock);
  s->refs++;
  g_mutex_unlock (&cache_lock);
  return s;
}

void
ts_source_unref (TsSource *s)
{
  gboolean last;

  if (s == NULL)
    return;
  g_mutex_lock (&cache_lock);
  last = release_locked (s);
  g_mutex_unlock (&cache_lock);
  if (last)
    source_free (s);
}

const TsSourceData *
ts_source_get_data (const TsSource *s)
{
  return &s->data;
}

guint
ts_source_cache_count (void)
{
  guint n;

  g_mutex_lock (&cache_lock);
  n = cache ? g_hash_table_size (cache) : 0;
  g_mutex_unlock (&cache_lock);
  return n;
}

/* Loads s (entered in the table, loading) outside the lock and tells the
 * waiters; on failure it leaves the table so the next acquirer loads anew. */
static TsSource *
load_entry (TsSource *s, const TsDataSpec *spec, guint64 seed, const TsLoadContext *ctx, GError **error)
{
  gboolean ok = ts_source_load (spec, seed, &s->data, ctx, error), last = FALSE;

  g_mutex_lock (&cache_lock);
  s->loading = FALSE;
  s->failed = !ok;
  if (!ok)
    {
      if (g_hash_table_lookup (cache, s->key) == s)
        g_hash_table_remove (cache, s->key);
      last = release_locked (s);
    }
  g_cond_broadcast (&cache_loaded);
  g_mutex_unlock (&cache_lock);
  if (last)
    source_free (s);
  return ok ? s : NULL;
}

static gboolean
cancelled (const TsLoadContext *ctx)
{
  return ctx && ctx->cancellable && g_cancellable_is_cancelled (ctx->cancellable);
}

TsSource *
ts_source_acquire (const TsDataSpec *spec, guint64 seed, const TsLoadContext *ctx, GError **error)
{
  g_autofree char *key = source_key (spec, seed);
  TsSource *s;

  g_mutex_lock (&cache_lock);
  if (cache == NULL)
    cache = g_hash_table_new (g_str_hash, g_str_equal);
  for (;;)
    {
      if ((s = g_hash_table_lookup (cache, key)) == NULL)
        {
          s = g_new0 (TsSource, 1);
          s->refs = 1;
          s->key = g_steal_pointer (&key);
          s->loading = TRUE;
          g_hash_table_insert (cache, s->key, s);
          g_mutex_unlock (&cache_lock);
          return load_entry (s, spec, seed, ctx, error);
        }
      s->refs++;
      while (s->loading && !cancelled (ctx))
        g_cond_wait_until (&cache_loaded, &cache_lock, g_get_monotonic_time () + WAIT_SLICE_US);
      if (s->loading || s->failed)
        {
          /* failed: load it ourselves for our own error; still loading: we were cancelled */
          gboolean retry = !s->loading && !cancelled (ctx), last = release_locked (s);

          g_mutex_unlock (&cache_lock);
          if (last)
            source_free (s);
          if (!retry)
            {
              ts_load_step (ctx, 0.0, error); /* sets the cancellation's error */
              return NULL;
            }
          g_mutex_lock (&cache_lock);
          continue;
        }
      g_mutex_unlock (&cache_lock);
      if (!ts_load_step (ctx, 1.0, error))
        {
          ts_source_unref (s);
          return NULL;
        }
      return s;
    }
}
