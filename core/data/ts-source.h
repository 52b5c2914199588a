/* ts-source.h — where samples come from: `data.source` to datasets, loaded
 * once and shared while anyone holds them.
 *
 *   TsSourceData data = { 0 };
 *   if (!ts_source_load (&exp->data, exp->seed, &data, ctx, &error))
 *     ...;  // error names the file, offset and what was expected
 *   // data.train: the source's training part; data.test: its test part or NULL
 *   ts_source_data_clear (&data);
 */
#pragma once

#include "ts-dataset.h"
#include "ts-experiment.h"
#include "ts-load-context.h"

G_BEGIN_DECLS

#define TS_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

gboolean   ts_source_load (const TsDataSpec *spec, guint64 seed, TsSourceData *out,
                           const TsLoadContext *ctx, GError **error);

/* The same load, shared: one loaded copy per distinct source (data.source
 * and what the loaded samples depend on: builtin samples/classes/noise and
 * the seed, folder image_size, csv label_column) while anyone holds it.
 * Thread-safe; an acquirer of a source being loaded waits for that load
 * (still cancellable) instead of loading it again. The data is immutable:
 * copy what you change. Freed with the last ts_source_unref. */
typedef struct _TsSource TsSource;
TsSource           *ts_source_acquire (const TsDataSpec *spec, guint64 seed, const TsLoadContext *ctx,
                                       GError **error);
TsSource           *ts_source_ref (TsSource *source);
void                ts_source_unref (TsSource *source);
const TsSourceData *ts_source_get_data (const TsSource *source);
/* sources loaded or loading now (for tests) */
guint               ts_source_cache_count (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsSource, ts_source_unref)

G_END_DECLS
