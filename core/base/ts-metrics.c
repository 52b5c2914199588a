#include "ts-metrics.h"

#include <string.h>

#define CHUNK_BYTES (256 * 1024)
#define MAX_CHUNKS 16384 /* 4 GiB of small records; 262144 records at least */

struct _TsMetricLog {
  gsize   record_size;
  gsize   chunk_records;      /* records per chunk */
  gsize   length;             /* published with release semantics */
  guint8 *chunks[MAX_CHUNKS]; /* allocated by the writer before publishing */
};

TsMetricLog *
ts_metric_log_new (gsize record_size)
{
  TsMetricLog *log = g_new0 (TsMetricLog, 1);
  log->record_size = record_size;
  /* at least 16 records a chunk: a deep net's statistics records (~1 KB a
   * layer) would otherwise fill the chunk table at MAX_CHUNKS records */
  log->chunk_records = MAX (CHUNK_BYTES / record_size, 16);
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
  gsize chunk = n / log->chunk_records;

  if (chunk >= MAX_CHUNKS)
    return FALSE;
  if (log->chunks[chunk] == NULL)
    log->chunks[chunk] = g_malloc (log->record_size * log->chunk_records);
  memcpy (log->chunks[chunk] + (n % log->chunk_records) * log->record_size, record, log->record_size);
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
  return log->chunks[i / log->chunk_records] + (i % log->chunk_records) * log->record_size;
}
