#include "ts-safetensors.h"
#include "ts-error.h"
#include "ts-io.h"
#include "ts-json.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define MAX_HEADER_BYTES TS_JSON_MAX_BYTES

struct _TsSafetensors {
  char       *path;
  GBytes     *bytes;
  gsize       data_start;
  JsonObject *header; /* owned through root */
  JsonNode   *root;
};

void
ts_safetensors_free (TsSafetensors *st)
{
  if (st == NULL)
    return;
  g_free (st->path);
  g_bytes_unref (st->bytes);
  g_clear_pointer (&st->root, json_node_unref);
  g_free (st);
}

const char *
ts_safetensors_path (const TsSafetensors *st)
{
  return st->path;
}

gsize
ts_safetensors_data_size (const TsSafetensors *st)
{
  return g_bytes_get_size (st->bytes) - st->data_start;
}

static gsize
dtype_size (const char *dtype)
{
  if (g_strcmp0 (dtype, "F32") == 0)
    return 4;
  if (g_strcmp0 (dtype, "F64") == 0 || g_strcmp0 (dtype, "I64") == 0)
    return 8;
  return 0;
}

/* Every tensor entry: known dtype, sane shape, byte range inside the data. */
static gboolean
check_entry (TsSafetensors *st, const char *name, JsonNode *node, gsize data_len, GError **error)
{
  JsonObject *obj = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonArray *shape = ts_json_array (obj, "shape");
  JsonArray *offsets = ts_json_array (obj, "data_offsets");
  const char *dtype = ts_json_string (obj, "dtype");
  guint64 numel = 1;
  gint64 begin, end;

  if (dtype == NULL || shape == NULL || offsets == NULL || json_array_get_length (shape) > TS_MAX_TENSOR_DIMS
      || !ts_json_element_int (offsets, 0, &begin) || !ts_json_element_int (offsets, 1, &end)
      || json_array_get_length (offsets) != 2)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                   "%s: tensor \"%s\": expected a dtype string, a shape of at most %d sizes and two data_offsets",
                   st->path, name, TS_MAX_TENSOR_DIMS);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (shape); i++)
    {
      gint64 d;
      if (!ts_json_element_int (shape, i, &d) || d < 0 || d > G_MAXINT32)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: tensor \"%s\": shape[%u] is not a size",
                       st->path, name, i);
          return FALSE;
        }
      numel = MIN (numel * (guint64) d, (guint64) data_len + 1);
    }
  if (dtype_size (dtype) != 0
      && (begin < 0 || end < begin || (guint64) end > data_len || (guint64) (end - begin) != numel * dtype_size (dtype)))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                   "%s: tensor \"%s\": data_offsets [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                   "] do not fit its shape or the %zu data bytes",
                   st->path, name, begin, end, data_len);
      return FALSE;
    }
  return TRUE;
}

TsSafetensors *
ts_safetensors_load (const char *path, GError **error)
{
  g_autoptr(TsSafetensors) st = g_new0 (TsSafetensors, 1);
  g_autofree char *contents = NULL;
  g_autoptr(GList) members = NULL;
  GError *inner = NULL;
  JsonNode *root;
  gsize len;
  guint64 header_len = 0;

  st->path = g_strdup (path);
  /* a model is read whole, so no cap but the file's own size */
  if (!ts_file_read_bounded (path, G_MAXSIZE - 2, &contents, &len, error))
    return NULL;
  st->bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  if (len < 8)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: %zu bytes; a safetensors file starts with an 8-byte header length",
                   path, len);
      return NULL;
    }
  for (int i = 7; i >= 0; i--)
    header_len = (header_len << 8) | ((const guint8 *) g_bytes_get_data (st->bytes, NULL))[i];
  if (header_len > len - 8 || header_len > MAX_HEADER_BYTES)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                   "%s: offset 0: header length %" G_GUINT64_FORMAT " exceeds the file (%zu bytes)", path, header_len, len);
      return NULL;
    }
  st->data_start = 8 + header_len;
  st->root = ts_json_parse ((const char *) g_bytes_get_data (st->bytes, NULL) + 8, (gssize) header_len, NULL, &inner);
  if (st->root == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: header: %s", path, inner->message);
      g_error_free (inner);
      return NULL;
    }
  root = st->root;
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: header must be a JSON object", path);
      return NULL;
    }
  st->header = json_node_get_object (root);
  members = json_object_get_members (st->header);
  for (GList *l = members; l; l = l->next)
    if (strcmp (l->data, "__metadata__") != 0
        && !check_entry (st, l->data, json_object_get_member (st->header, l->data), len - st->data_start, error))
      return NULL;
  return g_steal_pointer (&st);
}

gboolean
ts_safetensors_has (const TsSafetensors *st, const char *name)
{
  return json_object_has_member (st->header, name) && strcmp (name, "__metadata__") != 0;
}

GStrv
ts_safetensors_names (const TsSafetensors *st)
{
  g_autoptr(GList) members = json_object_get_members (st->header);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  for (GList *l = members; l; l = l->next)
    if (strcmp (l->data, "__metadata__") != 0)
      g_strv_builder_add (names, l->data);
  return g_strv_builder_end (names);
}

float *
ts_safetensors_get_f32 (const TsSafetensors *st, const char *name, TsShape *shape, GError **error)
{
  JsonObject *obj;
  JsonArray *dims;
  const char *dtype;
  const guint8 *data;
  gint64 begin = 0;
  guint64 numel;
  float *out;
  TsShape local;

  if (!ts_safetensors_has (st, name))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: has no tensor \"%s\"", st->path, name);
      return NULL;
    }
  obj = ts_json_object (st->header, name);
  dtype = ts_json_string (obj, "dtype");
  if (dtype_size (dtype) == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_UNSUPPORTED, "%s: tensor \"%s\" has dtype %s; expected F32, F64 or I64",
                   st->path, name, dtype ? dtype : "(none)");
      return NULL;
    }
  shape = shape ? shape : &local;
  dims = ts_json_array (obj, "shape");
  shape->ndim = json_array_get_length (dims);
  for (guint i = 0; i < shape->ndim; i++)
    {
      gint64 d = 0;
      ts_json_element_int (dims, i, &d); /* checked at load */
      shape->dims[i] = (guint64) d;
    }
  ts_json_element_int (ts_json_array (obj, "data_offsets"), 0, &begin);
  numel = ts_shape_numel (shape);
  data = (const guint8 *) g_bytes_get_data (st->bytes, NULL) + st->data_start + begin;
  out = g_new (float, MAX (numel, 1));
  if (dtype_size (dtype) == 4)
    memcpy (out, data, numel * 4); /* copy: the data need not be aligned */
  else if (strcmp (dtype, "I64") == 0) /* counters: num_batches_tracked */
    for (guint64 i = 0; i < numel; i++)
      {
        gint64 v;
        memcpy (&v, data + 8 * i, 8);
        out[i] = (float) v;
      }
  else
    for (guint64 i = 0; i < numel; i++)
      {
        double v;
        memcpy (&v, data + 8 * i, 8);
        out[i] = (float) v;
      }
  return out;
}

gboolean
ts_safetensors_get_shape (const TsSafetensors *st, const char *name, TsShape *shape, GError **error)
{
  JsonArray *dims;

  if (!ts_safetensors_has (st, name))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: has no tensor \"%s\"", st->path, name);
      return FALSE;
    }
  dims = ts_json_array (ts_json_object (st->header, name), "shape");
  shape->ndim = json_array_get_length (dims);
  for (guint i = 0; i < shape->ndim; i++)
    {
      gint64 d = 0;
      ts_json_element_int (dims, i, &d); /* checked at load */
      shape->dims[i] = (guint64) d;
    }
  return TRUE;
}

const char *
ts_safetensors_metadata (const TsSafetensors *st, const char *key)
{
  return ts_json_string (ts_json_object (st->header, "__metadata__"), key);
}

/* ---- writing ------------------------------------------------------------ */

typedef struct {
  char       *name;
  TsShape     shape;
  const char *dtype; /* F32 or I64 */
  gpointer    data;
  gsize       bytes;
} PendingTensor;

struct _TsSafetensorsWriter {
  GArray     *tensors; /* PendingTensor */
  JsonObject *metadata;
};

static void
pending_clear (gpointer p)
{
  PendingTensor *t = p;
  g_free (t->name);
  g_free (t->data);
}

TsSafetensorsWriter *
ts_safetensors_writer_new (void)
{
  TsSafetensorsWriter *w = g_new0 (TsSafetensorsWriter, 1);
  w->tensors = g_array_new (FALSE, FALSE, sizeof (PendingTensor));
  g_array_set_clear_func (w->tensors, pending_clear);
  w->metadata = json_object_new ();
  return w;
}

void
ts_safetensors_writer_free (TsSafetensorsWriter *w)
{
  if (w == NULL)
    return;
  g_array_unref (w->tensors);
  json_object_unref (w->metadata);
  g_free (w);
}

void
ts_safetensors_writer_add (TsSafetensorsWriter *w, const char *name, const float *data, guint ndim,
                           const guint64 *dims)
{
  PendingTensor t = { .name = g_strdup (name), .dtype = "F32" };

  g_return_if_fail (ndim <= TS_MAX_TENSOR_DIMS);
  t.shape.ndim = ndim;
  memcpy (t.shape.dims, dims, sizeof (guint64) * ndim);
  t.bytes = sizeof (float) * ts_shape_numel (&t.shape);
  t.data = g_memdup2 (data, t.bytes);
  g_array_append_val (w->tensors, t);
}

void
ts_safetensors_writer_add_i64 (TsSafetensorsWriter *w, const char *name, const gint64 *data, guint ndim,
                               const guint64 *dims)
{
  PendingTensor t = { .name = g_strdup (name), .dtype = "I64" };

  g_return_if_fail (ndim <= TS_MAX_TENSOR_DIMS);
  t.shape.ndim = ndim;
  memcpy (t.shape.dims, dims, sizeof (guint64) * ndim);
  t.bytes = sizeof (gint64) * ts_shape_numel (&t.shape);
  t.data = g_memdup2 (data, t.bytes);
  g_array_append_val (w->tensors, t);
}

void
ts_safetensors_writer_set_metadata (TsSafetensorsWriter *w, const char *key, const char *value)
{
  json_object_set_string_member (w->metadata, key, value);
}

gboolean
ts_safetensors_writer_save (TsSafetensorsWriter *w, const char *path, GError **error)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *header = json_object_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree char *text = NULL;
  guint64 offset = 0, header_len;
  guint8 len_bytes[8];

  json_object_set_object_member (header, "__metadata__", json_object_ref (w->metadata));
  for (guint i = 0; i < w->tensors->len; i++)
    {
      PendingTensor *t = &g_array_index (w->tensors, PendingTensor, i);
      JsonObject *entry = json_object_new ();
      JsonArray *shape = json_array_new (), *offsets = json_array_new ();
      guint64 bytes = t->bytes;

      for (guint d = 0; d < t->shape.ndim; d++)
        json_array_add_int_element (shape, (gint64) t->shape.dims[d]);
      json_array_add_int_element (offsets, (gint64) offset);
      json_array_add_int_element (offsets, (gint64) (offset + bytes));
      json_object_set_string_member (entry, "dtype", t->dtype);
      json_object_set_array_member (entry, "shape", shape);
      json_object_set_array_member (entry, "data_offsets", offsets);
      json_object_set_object_member (header, t->name, entry);
      offset += bytes;
    }
  json_node_take_object (root, header);
  text = ts_json_to_string (root, FALSE);
  header_len = strlen (text);
  header_len += (8 - header_len % 8) % 8; /* pad with spaces so the data is 8-aligned */
  for (int i = 0; i < 8; i++)
    len_bytes[i] = (guint8) (header_len >> (8 * i));
  g_byte_array_append (out, len_bytes, 8);
  g_byte_array_append (out, (const guint8 *) text, strlen (text));
  for (gsize pad = strlen (text); pad < header_len; pad++)
    g_byte_array_append (out, (const guint8 *) " ", 1);
  for (guint i = 0; i < w->tensors->len; i++)
    {
      PendingTensor *t = &g_array_index (w->tensors, PendingTensor, i);
      g_byte_array_append (out, (const guint8 *) t->data, t->bytes);
    }
  return ts_write_file_atomic (path, out->data, out->len, error);
}
