/* csv:FILE — numeric features and one label column.
 *
 * The first row is a header when any of its feature fields is not a number.
 * The label column is data.label_column (a header name or a 0-based index;
 * empty means the last column). Numeric labels are class indices; other
 * labels are class names, numbered in sorted order. A FILE ending in .gz is
 * gzip-compressed (as sklearn's digits.csv.gz). */
#include "ts-loaders.h"
#include "ts-error.h"
#include "ts-json.h"

#include <csv.h>
#include <float.h>
#include <math.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  GPtrArray *rows;  /* of GPtrArray of char*, one per record */
  GPtrArray *row;   /* the record being read */
  GArray    *lines; /* the line each record starts on, 1-based */
  guint      line;  /* the line being fed to the parser */
} Parse;

static void
on_field (void *data, size_t len, void *user)
{
  Parse *p = user;
  if (p->row == NULL)
    {
      p->row = g_ptr_array_new_with_free_func (g_free);
      g_array_append_val (p->lines, p->line);
    }
  g_ptr_array_add (p->row, g_strndup (data, len));
}

static void
on_record (int c, void *user)
{
  Parse *p = user;
  if (p->row == NULL) /* an empty line */
    return;
  g_ptr_array_add (p->rows, p->row);
  p->row = NULL;
}

/* a number as JSON writes it, spaces around allowed; "0x10", "inf" and
 * "nan" are not numbers here */
static gboolean
parse_number (const char *text, double *out)
{
  gsize len = strlen (text);

  if (len > 0 && (g_ascii_isspace (text[0]) || g_ascii_isspace (text[len - 1])))
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (text)); /* the rare case: no copy per field */
      return ts_parse_decimal (trimmed, out) && isfinite (*out);
    }
  return ts_parse_decimal (text, out) && isfinite (*out);
}

static int
find_label_column (const char *path, GPtrArray *header, guint n_cols, const char *spec, GError **error)
{
  guint64 index;

  if (spec == NULL || *spec == '\0')
    return (int) n_cols - 1;
  if (g_ascii_string_to_unsigned (spec, 10, 0, n_cols - 1, &index, NULL))
    return (int) index;
  for (guint c = 0; header && c < header->len; c++)
    if (strcmp (g_strstrip ((char *) header->pdata[c]), spec) == 0)
      return (int) c;
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "data.label_column: %s has no column \"%s\"", path, spec);
  return -1;
}

/* feeds the text a line at a time, so each record knows its line */
static gboolean
parse_lines (struct csv_parser *parser, const char *text, gsize len, Parse *p)
{
  for (gsize at = 0; at < len; p->line++)
    {
      const char *nl = memchr (text + at, '\n', len - at);
      gsize n = nl ? (gsize) (nl - (text + at)) + 1 : len - at;
      if (csv_parse (parser, text + at, n, on_field, on_record, p) != n)
        return FALSE;
      at += n;
    }
  return csv_fini (parser, on_field, on_record, p) == 0;
}

static GPtrArray *
read_rows (const char *path, GArray *lines, GError **error)
{
  g_autofree char *text = NULL;
  struct csv_parser parser;
  Parse p = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref), NULL, lines, 1 };
  gsize len;

  /* no cap on a data file's size, but never a FIFO or a device */
  if (g_str_has_suffix (path, ".gz"))
    {
      g_autoptr(GBytes) inflated = ts_read_maybe_gzipped (path, NULL, 0.0, 1.0, error);
      if (inflated)
        text = g_bytes_unref_to_data (g_steal_pointer (&inflated), &len);
    }
  else
    ts_file_read_bounded (path, G_MAXSIZE - 2, &text, &len, error);
  if (text == NULL)
    {
      g_ptr_array_unref (p.rows);
      return NULL;
    }
  csv_init (&parser, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI);
  if (!parse_lines (&parser, text, len, &p))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: not valid CSV: %s", path, csv_strerror (csv_error (&parser)));
      csv_free (&parser);
      if (p.row)
        g_ptr_array_unref (p.row);
      g_ptr_array_unref (p.rows);
      return NULL;
    }
  csv_free (&parser);
  return p.rows;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static const char *
field (GPtrArray *rows, guint r, int c)
{
  return g_ptr_array_index ((GPtrArray *) rows->pdata[r], c);
}

/* numeric labels are class indices 0…N−1, each present (a stray 9999 would
 * make a model of 10 000 classes, nearly all empty); any other label makes
 * them all names, numbered in sorted order. An empty label is refused. */
static gboolean
assign_labels (const char *path, GPtrArray *rows, guint first, int label_col, TsDataset *ds, GError **error)
{
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree guint *count = NULL;
  gboolean numeric = TRUE;
  guint max_label = 0, missing;
  double v;

  for (guint r = first; r < rows->len; r++)
    {
      const char *label = field (rows, r, label_col);
      const char *p = label;
      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        {
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: record %u, column %d: empty label", path, r + 1,
                       label_col + 1);
          return FALSE;
        }
      if (!g_hash_table_contains (index, label))
        {
          g_hash_table_insert (index, (gpointer) label, NULL);
          g_ptr_array_add (names, (gpointer) label);
        }
      /* range first: casting 1e10 to an integer is undefined (found by fuzz-csv) */
      if (!parse_number (label, &v) || v < 0 || v > 9999 || v != floor (v))
        numeric = FALSE;
      else
        max_label = MAX (max_label, (guint) v);
    }
  if (numeric)
    {
      count = g_new0 (guint, max_label + 1);
      for (guint r = first; r < rows->len; r++)
        {
          parse_number (field (rows, r, label_col), &v);
          ds->y[r - first] = (guint32) v;
          count[(guint) v]++;
        }
      for (missing = 0; missing < max_label && count[missing] > 0; missing++)
        ;
      for (guint r = first; missing < max_label && r < rows->len; r++)
        if (ds->y[r - first] > missing)
          {
            g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                         "%s: record %u: label %u, but no record has label %u; numeric labels must number the "
                         "classes 0…N−1, each present", path, r + 1, ds->y[r - first], missing);
            return FALSE;
          }
      ds->n_classes = max_label + 1;
      return TRUE;
    }
  g_ptr_array_sort (names, compare_strings);
  ds->n_classes = names->len;
  ds->class_names = g_new0 (char *, names->len + 1);
  for (guint c = 0; c < names->len; c++)
    {
      ds->class_names[c] = g_strdup (names->pdata[c]);
      g_hash_table_insert (index, names->pdata[c], GUINT_TO_POINTER (c));
    }
  for (guint r = first; r < rows->len; r++)
    ds->y[r - first] = GPOINTER_TO_UINT (g_hash_table_lookup (index, field (rows, r, label_col)));
  return TRUE;
}

static gboolean
row_is_header (GPtrArray *row, int label_col)
{
  double v;
  for (guint c = 0; c < row->len; c++)
    if ((int) c != label_col && !parse_number (row->pdata[c], &v))
      return TRUE;
  return FALSE;
}

gboolean
ts_csv_load (const char *path, const char *label_column, TsSourceData *out, GError **error)
{
  g_autoptr(GArray) lines = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) rows = read_rows (path, lines, error);
  GPtrArray *first_row;
  guint n_cols, first;
  int label_col;
  TsDataset *ds;

  if (rows == NULL)
    return FALSE;
  if (rows->len == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: empty; expected rows of features and a label", path);
      return FALSE;
    }
  first_row = rows->pdata[0];
  n_cols = first_row->len;
  if (n_cols < 2)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: line 1: %u column; expected features and a label", path, n_cols);
      return FALSE;
    }
  label_col = find_label_column (path, first_row, n_cols, label_column, error);
  if (label_col < 0)
    return FALSE;
  first = row_is_header (first_row, label_col) ? 1 : 0;
  if (rows->len <= first)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: a header but no data rows", path);
      return FALSE;
    }
  for (guint r = first; r < rows->len; r++)
    {
      GPtrArray *row = rows->pdata[r];
      if (row->len != n_cols)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: record %u: %u fields, expected %u", path, r + 1, row->len,
                       n_cols);
          return FALSE;
        }
    }
  ds = ts_dataset_new (rows->len - first, n_cols - 1, 0);
  for (guint r = first; r < rows->len; r++)
    for (guint c = 0, k = 0; c < n_cols; c++)
      {
        double v;
        if ((int) c == label_col)
          continue;
        if (!parse_number (field (rows, r, (int) c), &v) || fabs (v) > FLT_MAX)
          {
            /* features are floats: 1e39 would be inf, and the run "diverge" */
            g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s:%u:%u: \"%s\" is %s", path,
                         g_array_index (lines, guint, r), c + 1, field (rows, r, (int) c),
                         parse_number (field (rows, r, (int) c), &v) ? "beyond the float range (±3.4e38)"
                                                                      : "not a number");
            ts_dataset_free (ds);
            return FALSE;
          }
        ds->x[(gsize) (r - first) * ds->dim + k++] = (float) v;
      }
  if (!assign_labels (path, rows, first, label_col, ds, error))
    {
      ts_dataset_free (ds);
      return FALSE;
    }
  out->train = ds;
  return TRUE;
}
