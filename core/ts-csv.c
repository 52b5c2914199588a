/* csv:FILE — numeric features and one label column.
 *
 * The first row is a header when any of its feature fields is not a number.
 * The label column is data.label_column (a header name or a 0-based index;
 * empty means the last column). Numeric labels are class indices; other
 * labels are class names, numbered in sorted order. */
#include "ts-loaders.h"
#include "ts-error.h"

#include <csv.h>
#include <math.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  GPtrArray *rows;  /* of GPtrArray of char*, one per record */
  GPtrArray *row;   /* the record being read */
} Parse;

static void
on_field (void *data, size_t len, void *user)
{
  Parse *p = user;
  if (p->row == NULL)
    p->row = g_ptr_array_new_with_free_func (g_free);
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

static gboolean
parse_number (const char *text, double *out)
{
  char *end;
  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0')
    return FALSE;
  errno = 0;
  *out = g_ascii_strtod (text, &end);
  while (g_ascii_isspace (*end))
    end++;
  return *end == '\0' && errno == 0;
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

static GPtrArray *
read_rows (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  struct csv_parser parser;
  Parse p = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref), NULL };
  GError *inner = NULL;
  gsize len;

  if (!g_file_get_contents (path, &text, &len, &inner))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s", inner->message);
      g_error_free (inner);
      g_ptr_array_unref (p.rows);
      return NULL;
    }
  csv_init (&parser, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI);
  if (csv_parse (&parser, text, len, on_field, on_record, &p) != len
      || csv_fini (&parser, on_field, on_record, &p) != 0)
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
  g_autoptr(GPtrArray) rows = read_rows (path, error);
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
        if (!parse_number (field (rows, r, (int) c), &v) || !isfinite (v))
          {
            g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: record %u, column %u: \"%s\" is not a number", path,
                         r + 1, c + 1, field (rows, r, (int) c));
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
