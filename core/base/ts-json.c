#include "ts-json.h"
#include "ts-error.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- reading a file, bounded ------------------------------------------ */

static const char *
file_kind (mode_t mode)
{
  return S_ISDIR (mode) ? "a folder" : S_ISFIFO (mode) ? "a FIFO" : S_ISCHR (mode) ? "a character device"
         : S_ISBLK (mode) ? "a block device" : S_ISSOCK (mode) ? "a socket" : "not a regular file";
}

gboolean
ts_file_read_bounded (const char *path, gsize max_bytes, char **contents, gsize *length, GError **error)
{
  /* O_NONBLOCK: opening a FIFO with no writer must not wait for one */
  int fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat st;
  char *buf;
  gsize got = 0;

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: cannot open: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: is %s; expected a regular file", path, file_kind (st.st_mode));
      close (fd);
      return FALSE;
    }
  if ((guint64) st.st_size > max_bytes)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: %" G_GUINT64_FORMAT " bytes; at most %zu are read",
                   path, (guint64) st.st_size, max_bytes);
      close (fd);
      return FALSE;
    }
  /* the size from fstat, plus one byte to see a file that grew meanwhile */
  buf = g_malloc ((gsize) st.st_size + 2);
  while (got < (gsize) st.st_size + 1)
    {
      ssize_t n = read (fd, buf + got, (gsize) st.st_size + 1 - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: cannot read: %s", path, g_strerror (saved));
          g_free (buf);
          close (fd);
          return FALSE;
        }
      if (n == 0)
        break;
      got += (gsize) n;
    }
  close (fd);
  if (got > max_bytes)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: grew past %zu bytes while read", path, max_bytes);
      g_free (buf);
      return FALSE;
    }
  buf[got] = '\0';
  *contents = buf;
  *length = got;
  return TRUE;
}

/* ---- parsing ---------------------------------------------------------- */

/* A number as JSON writes it (a leading + allowed): [+-]digits[.digits][e[+-]digits], the whole
 * text. g_ascii_strtod alone would also take "0x10" (16), "inf", "nan",
 * " 1" and "1e999" (inf). */
gboolean
ts_parse_decimal (const char *text, double *out)
{
  const char *p = text;
  char *end;

  if (*p == '-' || *p == '+')
    p++;
  if (!g_ascii_isdigit (*p) && !(*p == '.' && g_ascii_isdigit (p[1])))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++)
      ;
  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '-' || *p == '+')
        p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p != '\0')
    return FALSE;
  *out = g_ascii_strtod (text, &end);
  /* overflow gives ±inf, which every range refuses naming the text */
  return end == p;
}


/* an integer literal (no fraction, no exponent) beyond 64 bits? */
static gboolean
integer_overflows (const char *text, gsize len)
{
  g_autofree char *literal = g_strndup (text, len);
  errno = 0;
  g_ascii_strtoll (literal, NULL, 10);
  return errno == ERANGE;
}

/* One pass over the text outside strings: the nesting depth, and the end of
 * every integer literal json-glib would wrap (appended to widen). */
static gboolean
scan (const char *text, gsize len, const char *name, GArray *widen, GError **error)
{
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (c == '"')
        {
          for (i++; i < len && text[i] != '"'; i++)
            if (text[i] == '\\')
              i++;
        }
      else if (c == '[' || c == '{')
        {
          if (++depth > TS_JSON_MAX_DEPTH)
            {
              g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s%sbyte %zu: nested deeper than %d levels",
                           name ? name : "", name ? ": " : "", i, TS_JSON_MAX_DEPTH);
              return FALSE;
            }
        }
      else if (c == ']' || c == '}')
        depth = depth ? depth - 1 : 0;
      else if (c == '-' || g_ascii_isdigit (c))
        {
          gsize end = c == '-' ? i + 1 : i, digits = end;
          while (end < len && g_ascii_isdigit (text[end]))
            end++;
          if (end - digits > 18 && (end == len || !strchr (".eE", text[end])) && integer_overflows (text + i, end - i))
            g_array_append_val (widen, end);
          while (end < len && (g_ascii_isalnum (text[end]) || strchr ("+-.", text[end])))
            end++; /* the rest of the number */
          i = end - 1;
        }
    }
  return TRUE;
}

JsonNode *
ts_json_parse (const char *text, gssize length, const char *name, GError **error)
{
  gsize len = length < 0 ? strlen (text) : (gsize) length;
  g_autoptr(GArray) widen = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr(GString) widened = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) inner = NULL;
  JsonNode *root;

  if (len > TS_JSON_MAX_BYTES)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s%s%zu bytes of JSON; at most %u are read",
                   name ? name : "", name ? ": " : "", len, TS_JSON_MAX_BYTES);
      return NULL;
    }
  if (!scan (text, len, name, widen, error))
    return NULL;
  if (widen->len > 0)
    {
      /* "99999999999999999999999" is a number to JSON, not an int64: read
       * it as the double it is, so a range check can say what was given */
      gsize from = 0;
      widened = g_string_sized_new (len + 2 * widen->len);
      for (guint k = 0; k < widen->len; k++)
        {
          gsize at = g_array_index (widen, gsize, k);
          g_string_append_len (widened, text + from, (gssize) (at - from));
          g_string_append (widened, ".0");
          from = at;
        }
      g_string_append_len (widened, text + from, (gssize) (len - from));
      text = widened->str;
      len = widened->len;
    }
  if (!json_parser_load_from_data (parser, text, (gssize) len, &inner))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s%snot JSON: %s", name ? name : "", name ? ": " : "",
                   inner->message);
      return NULL;
    }
  root = json_parser_steal_root (parser);
  if (root == NULL)
    g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s%sempty; expected JSON", name ? name : "", name ? ": " : "");
  return root;
}

JsonNode *
ts_json_load_file (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len;

  if (!ts_file_read_bounded (path, TS_JSON_MAX_BYTES, &text, &len, error))
    return NULL;
  return ts_json_parse (text, (gssize) len, path, error);
}

/* ---- writing ---------------------------------------------------------- */

static gboolean
node_is_fit (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *obj = json_node_get_object (node);
        g_autoptr(GList) names = json_object_get_members (obj);
        for (GList *l = names; l; l = l->next)
          if (!g_utf8_validate (l->data, -1, NULL) || !node_is_fit (json_object_get_member (obj, l->data)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!node_is_fit (json_array_get_element (array, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
        return isfinite (json_node_get_double (node));
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return g_utf8_validate (json_node_get_string (node), -1, NULL);
      return TRUE;
    case JSON_NODE_NULL:
      return TRUE;
    }
  return TRUE;
}

static JsonNode *
fit_copy (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *src = json_node_get_object (node), *obj = json_object_new ();
        g_autoptr(GList) names = json_object_get_members (src); /* in order */
        JsonNode *copy = json_node_new (JSON_NODE_OBJECT);
        for (GList *l = names; l; l = l->next)
          {
            g_autofree char *valid = g_utf8_make_valid (l->data, -1);
            json_object_set_member (obj, valid, fit_copy (json_object_get_member (src, l->data)));
          }
        json_node_take_object (copy, obj);
        return copy;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *src = json_node_get_array (node), *array = json_array_sized_new (json_array_get_length (src));
        JsonNode *copy = json_node_new (JSON_NODE_ARRAY);
        for (guint i = 0; i < json_array_get_length (src); i++)
          json_array_add_element (array, fit_copy (json_array_get_element (src, i)));
        json_node_take_array (copy, array);
        return copy;
      }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_DOUBLE && !isfinite (json_node_get_double (node)))
        return json_node_new (JSON_NODE_NULL);
      if (json_node_get_value_type (node) == G_TYPE_STRING && !g_utf8_validate (json_node_get_string (node), -1, NULL))
        {
          g_autofree char *valid = g_utf8_make_valid (json_node_get_string (node), -1);
          JsonNode *copy = json_node_new (JSON_NODE_VALUE);
          json_node_set_string (copy, valid);
          return copy;
        }
      return json_node_copy (node);
    case JSON_NODE_NULL:
      return json_node_new (JSON_NODE_NULL);
    }
  return json_node_copy (node);
}

JsonNode *
ts_json_sanitized_copy (JsonNode *node)
{
  return node == NULL || node_is_fit (node) ? NULL : fit_copy (node);
}

void
ts_json_set_number (JsonObject *o, const char *key, double v)
{
  if (isfinite (v))
    json_object_set_double_member (o, key, v);
  else
    json_object_set_null_member (o, key);
}
