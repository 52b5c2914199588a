/* ts-io.h — files that must never be half-written.
 *
 *   ts_write_file_atomic ("run/summary.json", text, strlen (text), &error);
 *
 * writes a temporary file beside the target, fsyncs it, renames it over the
 * target and fsyncs the folder: a crash leaves the old file or the new one.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gboolean ts_write_file_atomic (const char *path, const void *data, gsize length, GError **error);
gboolean ts_write_json_atomic (const char *path, JsonNode *node, GError **error);
/* Every JSON text written goes through here: strings as valid UTF-8,
 * NaN and infinities as null (ts_json_sanitized_copy). */
char    *ts_json_to_string (JsonNode *node, gboolean pretty);

G_END_DECLS

/* Typed member look-ups that return NULL/FALSE, never warn, on a wrong type:
 * for parsing files a user may have edited or a fuzzer made. */
G_BEGIN_DECLS
JsonArray  *ts_json_array (JsonObject *obj, const char *name);
JsonObject *ts_json_object (JsonObject *obj, const char *name);
const char *ts_json_string (JsonObject *obj, const char *name);
/* a number member (double or integer), or NaN when missing or not a number */
double      ts_json_number (JsonObject *obj, const char *name);
gboolean    ts_json_element_int (JsonArray *array, guint index, gint64 *out);
G_END_DECLS
