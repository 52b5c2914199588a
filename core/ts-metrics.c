#include "ts-metrics.h"

#include <string.h>

#define CHUNK_RECORDS 4096
#define MAX_CHUNKS 16384 /* 64 M records */

struct _TsMetricLog {
  gsize   record_size;
  gsize   length;             /* published with release semantics */
  guint8 *chunks[MAX_CHUNKS]; /* allocated by the writer before publishing */
};

TsMetricLog *
ts_metric_log_new (gsize record_size)
{
  TsMetricLog *log = g_new0 (TsMetricLog, 1);
  log->record_size = record_size;
  return log;
}

void
ts_metric_log_free (TsMetricLog *log)
{
  if (log == NULL)
    return;
  for (gsize c = 0; c < MAX_CHUNKS && log->chunks[c]; c++)
    g_free (log->chunks[c]);
  g_free (log);
}

gboolean
ts_metric_log_append (TsMetricLog *log, const void *record)
{
  gsize n = log->length; /* only this thread writes it */
  gsize chunk = n / CHUNK_RECORDS;

  if (chunk >= MAX_CHUNKS)
    return FALSE;
  if (log->chunks[chunk] == NULL)
    log->chunks[chunk] = g_malloc (log->record_size * CHUNK_RECORDS);
  memcpy (log->chunks[chunk] + (n % CHUNK_RECORDS) * log->record_size, record, log->record_size);
  __atomic_store_n (&log->length, n + 1, __ATOMIC_RELEASE);
  return TRUE;
}

gsize
ts_metric_log_length (const TsMetricLog *log)
{
  return __atomic_load_n (&log->length, __ATOMIC_ACQUIRE);
}

const void *
ts_metric_log_get (const TsMetricLog *log, gsize i)
{
  return log->chunks[i / CHUNK_RECORDS] + (i % CHUNK_RECORDS) * log->record_size;
}
