/* ts-loaders.h — where samples come from: `data.source` to datasets.
 *
 *   TsSourceData data = { 0 };
 *   if (!ts_source_load (&exp->data, exp->seed, &data, cancellable, &error))
 *     ...;  // error names the file, offset and what was expected
 *   // data.train: the source's training part; data.test: its test part or NULL
 *   ts_source_data_clear (&data);
 */
#pragma once

#include <gio/gio.h>

#include "ts-dataset.h"
#include "ts-experiment.h"

G_BEGIN_DECLS

typedef struct {
  TsDataset *train;
  TsDataset *test;     /* NULL when the source has no test part */
  GPtrArray *warnings; /* of char*: what was skipped, naming each file */
} TsSourceData;

#define TS_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

/* Progress (0..1) and cancellation for loading; every field may be NULL,
 * and so may the context itself. */
typedef void (*TsProgressFunc) (double fraction, gpointer data);
typedef struct {
  GCancellable  *cancellable;
  TsProgressFunc progress;
  gpointer       data;
} TsLoadContext;

/* Reports `fraction` and says FALSE (with the error set) once cancelled. */
gboolean   ts_load_step (const TsLoadContext *ctx, double fraction, GError **error);

gboolean   ts_source_load (const TsDataSpec *spec, guint64 seed, TsSourceData *out,
                           const TsLoadContext *ctx, GError **error);
void       ts_source_data_clear (TsSourceData *data);

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

/* builtin:NAME — 2-D point sets (spiral, circles, xor, gaussians, moons). */
TsDataset *ts_builtin_generate (const char *name, guint samples, guint classes, double noise,
                                guint64 seed, GError **error);

/* builtin:shapes — RGB 32×32 images of up to eight shape classes. */
TsDataset *ts_shapes_generate (guint samples, guint classes, double noise, guint64 seed, GError **error);

/* cifar10:DIR / cifar100:DIR — the official binary versions. */
gboolean   ts_cifar_load_dir (const char *dir, gboolean hundred, TsSourceData *out, const TsLoadContext *ctx,
                              GError **error);
/* folder:DIR — one sub-folder per class; unreadable images become warnings. */
gboolean   ts_folder_load (const char *dir, guint size, TsSourceData *out, const TsLoadContext *ctx,
                           GError **error);
/* csv:FILE — numeric features and a label column (name, index, or "" = last). */
gboolean   ts_csv_load (const char *path, const char *label_column, TsSourceData *out, GError **error);

/* One IDX image file (N×H×W ubyte) and its label file (N ubyte), .gz or raw. */
TsDataset *ts_idx_load (const char *images_path, const char *labels_path, GError **error);
/* The training and test pairs found in DIR by their usual names. */
gboolean   ts_idx_load_dir (const char *dir, TsSourceData *out, const TsLoadContext *ctx, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsSource, ts_source_unref)

G_END_DECLS
