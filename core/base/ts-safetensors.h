/* ts-safetensors.h — read and write the safetensors format.
 *
 * 8 bytes little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw data. Reading checks every
 * offset against the file's real length before touching the data:
 *
 *   g_autoptr(TsSafetensors) st = ts_safetensors_load ("model.safetensors", &error);
 *   g_autofree float *w = ts_safetensors_get_f32 (st, "layers.0.weight", &shape, &error);
 *
 *   g_autoptr(TsSafetensorsWriter) out = ts_safetensors_writer_new ();
 *   ts_safetensors_writer_add (out, "layers.0.weight", w, 2, (guint64[]) { 100, 2 });
 *   ts_safetensors_writer_save (out, "model.safetensors", &error);  // atomic
 */
#pragma once

#include <glib.h>

#include "ts-types.h"

G_BEGIN_DECLS

typedef struct _TsSafetensors TsSafetensors;

TsSafetensors *ts_safetensors_load (const char *path, GError **error);
void           ts_safetensors_free (TsSafetensors *st);
gboolean       ts_safetensors_has (const TsSafetensors *st, const char *name);
/* the tensors' names, in the header's order (g_strfreev) */
GStrv          ts_safetensors_names (const TsSafetensors *st);
/* A copy of the tensor as float32 (F32, F64 or I64 in the file); shape may be NULL. */
float         *ts_safetensors_get_f32 (const TsSafetensors *st, const char *name, TsShape *shape, GError **error);
/* the tensor's shape alone, read from the header (no data copied) */
gboolean       ts_safetensors_get_shape (const TsSafetensors *st, const char *name, TsShape *shape, GError **error);
/* __metadata__[key], or NULL */
const char    *ts_safetensors_metadata (const TsSafetensors *st, const char *key);
const char    *ts_safetensors_path (const TsSafetensors *st);
/* bytes after the header */
gsize          ts_safetensors_data_size (const TsSafetensors *st);

typedef struct _TsSafetensorsWriter TsSafetensorsWriter;

TsSafetensorsWriter *ts_safetensors_writer_new (void);
void                 ts_safetensors_writer_free (TsSafetensorsWriter *w);
/* data is copied */
void                 ts_safetensors_writer_add (TsSafetensorsWriter *w, const char *name, const float *data,
                                                guint ndim, const guint64 *dims);
void                 ts_safetensors_writer_add_i64 (TsSafetensorsWriter *w, const char *name, const gint64 *data,
                                                    guint ndim, const guint64 *dims);
void                 ts_safetensors_writer_set_metadata (TsSafetensorsWriter *w, const char *key, const char *value);
gboolean             ts_safetensors_writer_save (TsSafetensorsWriter *w, const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsSafetensors, ts_safetensors_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsSafetensorsWriter, ts_safetensors_writer_free)

G_END_DECLS
