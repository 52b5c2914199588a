/* ts-json.h — every JSON text Trainscope reads goes through ts_json_parse.
 *
 * json-glib's parser recurses once per nesting level, so a file of 100 000
 * '[' overflows the stack (and its integer reader turns a literal beyond 64
 * bits into -1). ts_json_parse checks size and depth before json-glib sees
 * the text, and reads such integers as the doubles JSON says they are:
 *
 *   g_autoptr(JsonNode) root = ts_json_load_file ("run/summary.json", &error);
 *   // error->message: "run/summary.json: byte 65: nested deeper than 64 levels"
 *
 * Every JSON text written goes through ts_json_to_string (ts-io.h), which
 * writes strings as valid UTF-8 and NaN or infinities as null.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Our deepest file (advice evidence) nests 5 levels; 64 leaves room for any
 * hand-made file while staying far from json-glib's stack use. */
#define TS_JSON_MAX_DEPTH 64
/* An experiment is a few kB and a safetensors header ~100 bytes a tensor:
 * 16 MiB is 160 000 tensors, far beyond any model this trains. */
#define TS_JSON_MAX_BYTES (16u << 20)

/* The root of a JSON text of length bytes (-1: NUL-terminated); name (the
 * file) starts every error message. */
JsonNode *ts_json_parse (const char *text, gssize length, const char *name, GError **error);
/* A regular file of at most TS_JSON_MAX_BYTES, parsed by ts_json_parse. */
JsonNode *ts_json_load_file (const char *path, GError **error);

/* A number as JSON writes it, and nothing else: the whole text is
 * [+-]digits[.digits][e[+-]digits] ("0x10", "inf", "nan", " 1" are not);
 * beyond double range it gives ±inf, for a range check to refuse. */
gboolean  ts_parse_decimal (const char *text, double *out);

/* Reads a regular file of at most max_bytes: a FIFO, a device or a folder
 * is refused at once (never read until memory runs out, never waited on). */
gboolean  ts_file_read_bounded (const char *path, gsize max_bytes, char **contents, gsize *length, GError **error);

/* o.key = v, or null when v is NaN or infinite (JSON has no such numbers) */
void      ts_json_set_number (JsonObject *o, const char *key, double v);

/* A copy of node fit for writing as JSON: strings (and member names) made
 * valid UTF-8 (invalid bytes become U+FFFD), non-finite numbers null. NULL
 * when node is already fit, so the common case copies nothing. */
JsonNode *ts_json_sanitized_copy (JsonNode *node);

G_END_DECLS
