#include "ts-io.h"
#include "ts-error.h"
#include "ts-json.h"

#include <math.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static gboolean
set_io_error (GError **error, const char *path, const char *what)
{
  int saved = errno;
  g_set_error (error, TS_ERROR, TS_ERROR_WRITE, "%s: cannot %s: %s", path, what, g_strerror (saved));
  return FALSE;
}

static void
sync_folder (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY);
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

gboolean
ts_write_file_atomic (const char *path, const void *data, gsize length, GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.XXXXXX", path);
  const guint8 *p = data;
  /* 0666: the umask decides, as for every other file the user makes */
  int fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0666);

  if (fd < 0)
    return set_io_error (error, path, "create a temporary file");
  while (length > 0)
    {
      ssize_t n = write (fd, p, length);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          set_io_error (error, path, "write");
          close (fd);
          g_unlink (tmp);
          return FALSE;
        }
      p += n;
      length -= (gsize) n;
    }
  if (fsync (fd) != 0 || close (fd) != 0)
    {
      set_io_error (error, path, "flush");
      g_unlink (tmp);
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      set_io_error (error, path, "rename the temporary file");
      g_unlink (tmp);
      return FALSE;
    }
  sync_folder (path);
  return TRUE;
}

char *
ts_json_to_string (JsonNode *node, gboolean pretty)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  /* json-glib writes NaN as "nan.0" and strings' bytes as they are */
  g_autoptr(JsonNode) fit = ts_json_sanitized_copy (node);
  json_generator_set_pretty (gen, pretty);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, fit ? fit : node);
  return json_generator_to_data (gen, NULL);
}

gboolean
ts_write_json_atomic (const char *path, JsonNode *node, GError **error)
{
  g_autofree char *text = ts_json_to_string (node, TRUE);
  g_autofree char *line = g_strconcat (text, "\n", NULL);
  return ts_write_file_atomic (path, line, strlen (line), error);
}

JsonArray *
ts_json_array (JsonObject *obj, const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;
  return node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

JsonObject *
ts_json_object (JsonObject *obj, const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;
  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

const char *
ts_json_string (JsonObject *obj, const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;
  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
             ? json_node_get_string (node) : NULL;
}

double
ts_json_number (JsonObject *obj, const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;
  GType type = node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  return type == G_TYPE_DOUBLE || type == G_TYPE_INT64 ? json_node_get_double (node) : NAN;
}

gboolean
ts_json_element_int (JsonArray *array, guint index, gint64 *out)
{
  JsonNode *node = index < json_array_get_length (array) ? json_array_get_element (array, index) : NULL;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}
