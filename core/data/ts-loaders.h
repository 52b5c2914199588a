/* ts-loaders.h — one reader per data format: builtin generators, IDX,
 * CIFAR binary, image folders, CSV. They report progress and see
 * cancellation through a TsLoadContext; ts-source.h dispatches
 * `data.source` to them.
 *
 *   TsSourceData data = { 0 };
 *   if (!ts_idx_load_dir (dir, &data, NULL, &error))
 *     ...;  // error names the file, offset and what was expected
 *   ts_source_data_clear (&data);
 */
#pragma once

#include "ts-dataset.h"
#include "ts-load-context.h"

G_BEGIN_DECLS

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
/* csv:FILE — numeric features and a label column (name, index, or "" = last);
 * FILE.gz is inflated first. */
gboolean   ts_csv_load (const char *path, const char *label_column, TsSourceData *out, GError **error);

/* A file, gzip-compressed or not, whole (at most 4 GiB inflated); ctx's
 * progress runs from lo to hi over the compressed bytes (ctx may be NULL). */
#define TS_GZIP_MAX_BYTES (G_GUINT64_CONSTANT (4) << 30)
GBytes    *ts_read_maybe_gzipped (const char *path, const TsLoadContext *ctx, double lo, double hi, GError **error);

/* One IDX image file (N×H×W ubyte) and its label file (N ubyte), .gz or raw. */
TsDataset *ts_idx_load (const char *images_path, const char *labels_path, GError **error);
/* The training and test pairs found in DIR by their usual names. */
gboolean   ts_idx_load_dir (const char *dir, TsSourceData *out, const TsLoadContext *ctx, GError **error);

G_END_DECLS
