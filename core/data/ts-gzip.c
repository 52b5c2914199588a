/* A data file, gzipped or raw (zlib reads both), inflated whole into a
 * buffer that grows with what is really there: IDX files and .csv.gz. */
#include "ts-loaders.h"
#include "ts-error.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <zlib.h>

#define MAX_FILE_BYTES TS_GZIP_MAX_BYTES

/* ctx's progress runs from `lo` to `hi` over the compressed file */
GBytes *
ts_read_maybe_gzipped (const char *path, const TsLoadContext *ctx, double lo, double hi, GError **error)
{
  GStatBuf st;
  double size = g_stat (path, &st) == 0 && st.st_size > 0 ? (double) st.st_size : 1.0;
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  gzFile f = gzopen (path, "rb");
  int errnum;

  if (f == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: cannot open: %s", path, g_strerror (errno));
      return NULL;
    }
  gzbuffer (f, 1 << 18);
  for (;;)
    {
      guint old = buf->len;
      int got;
      g_byte_array_set_size (buf, old + (1 << 20));
      got = gzread (f, buf->data + old, 1 << 20);
      if (got < 0)
        {
          const char *msg = gzerror (f, &errnum);
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: corrupt compressed data after %u bytes: %s",
                       path, old, msg);
          gzclose (f);
          return NULL;
        }
      g_byte_array_set_size (buf, old + got);
      if (got == 0)
        break;
      if (!ts_load_step (ctx, lo + (hi - lo) * MIN (gzoffset (f) / size, 1.0), error))
        {
          gzclose (f);
          return NULL;
        }
      if ((guint64) buf->len > MAX_FILE_BYTES - (1 << 20))
        {
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: larger than 4 GiB", path);
          gzclose (f);
          return NULL;
        }
    }
  /* a gzip stream cut short reads as a clean end; gzerror tells */
  gzerror (f, &errnum);
  if (errnum != Z_OK && errnum != Z_STREAM_END)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: truncated compressed data after %u bytes",
                   path, buf->len);
      gzclose (f);
      return NULL;
    }
  gzclose (f);
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

