/* Reading a run folder back (the window reopens runs, and a run folder may
 * be anything: a run killed while loading leaves empty CSVs, a full disk a
 * header alone, kill -9 a row cut short, a user any file at all). Every
 * reader gives what is whole — a row cut short at the end is not yet a row
 * and is left out — or an error naming the file, the line and what was
 * expected; never a crash. */
#include "ts-json.h"
#include "ts-rundir.h"
#include "ts-error.h"
#include "ts-io.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define LAYER_SCALARS 7 /* act_mean … update_ratio */
#define LAYER_COLUMNS (2 + LAYER_SCALARS + TS_HIST_N_KINDS * (2 + TS_HISTOGRAM_BINS))

/* A CSV file's whole lines after its header: NULL-terminated, or NULL with
 * the error set. An empty file, or a header cut short, has no rows. */
static char **
read_rows (const char *path, const char *header, GError **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GError *inner = NULL;
  char *last_newline;
  gsize len;

  if (!g_file_get_contents (path, &text, &len, &inner))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s", inner->message);
      g_error_free (inner);
      return NULL;
    }
  if (memchr (text, '\0', len) != NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: binary data (a NUL byte at offset %zu); expected CSV text",
                   path, (size_t) ((char *) memchr (text, '\0', len) - text));
      return NULL;
    }
  /* what follows the last newline was being written when the run stopped */
  last_newline = strrchr (text, '\n');
  if (last_newline == NULL)
    return g_new0 (char *, 1);
  last_newline[0] = '\0';
  lines = g_strsplit (text, "\n", -1);
  if (lines[0] == NULL) /* the file was one newline: an empty header (found by fuzz-metrics) */
    {
      g_strfreev (lines);
      lines = g_new0 (char *, 2);
      lines[0] = g_strdup ("");
    }
  if (header && strcmp (lines[0], header) != 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s:1: expected the header \"%.60s%s\"", path, header,
                   strlen (header) > 60 ? "…" : "");
      return NULL;
    }
  /* drop the header: rows start at lines[0] */
  g_free (lines[0]);
  memmove (lines, lines + 1, sizeof (char *) * g_strv_length (lines));
  return g_steal_pointer (&lines);
}

/* a number as the writer writes it: %.9g, "inf", "-inf", or empty for NaN */
static gboolean
parse_float (const char *text, double *out)
{
  char *end;

  if (*text == '\0')
    {
      *out = NAN;
      return TRUE;
    }
  if (strcmp (text, "inf") == 0 || strcmp (text, "-inf") == 0)
    {
      *out = text[0] == '-' ? -INFINITY : INFINITY;
      return TRUE;
    }
  *out = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && !g_ascii_isspace (*text) && !isnan (*out);
}

/* double to float without undefined behaviour: beyond FLT_MAX is infinite */
static float
to_float (double v)
{
  return fabs (v) > FLT_MAX ? (v > 0 ? INFINITY : -INFINITY) : (float) v;
}

static gboolean
parse_count (const char *text, guint64 max, guint64 *out)
{
  return g_ascii_string_to_unsigned (text, 10, 0, max, out, NULL);
}

static gboolean
parse_step_row (char **f, TsStepRecord *r)
{
  guint64 step, epoch;
  double lr, loss;

  if (g_strv_length (f) != 4 || !parse_count (f[0], G_MAXUINT64, &step) || !parse_count (f[1], G_MAXUINT, &epoch)
      || !parse_float (f[2], &lr) || !parse_float (f[3], &loss))
    return FALSE;
  *r = (TsStepRecord) { step, (guint) epoch, to_float (lr), to_float (loss) };
  return TRUE;
}

static gboolean
parse_epoch_row (char **f, TsEpochRecord *r)
{
  guint64 epoch, step;
  double v[6];

  if (g_strv_length (f) != 8 || !parse_count (f[0], G_MAXUINT, &epoch) || !parse_count (f[1], G_MAXUINT64, &step))
    return FALSE;
  for (int k = 0; k < 6; k++)
    if (!parse_float (f[2 + k], &v[k]))
      return FALSE;
  *r = (TsEpochRecord) { (guint) epoch, step, v[0], v[1], v[2], v[3], v[4], v[5] };
  return TRUE;
}

typedef gboolean (*ParseRow) (char **fields, gpointer record);

static TsMetricLog *
load_csv_log (const char *dir, const char *name, const char *header, gsize record_size, ParseRow parse,
              const char *expected, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_auto(GStrv) rows = read_rows (path, header, error);
  g_autoptr(TsMetricLog) log = NULL;
  g_autofree gpointer record = g_malloc0 (record_size);

  if (rows == NULL)
    return NULL;
  log = ts_metric_log_new (record_size);
  for (guint i = 0; rows[i]; i++)
    {
      g_auto(GStrv) f = g_strsplit (rows[i], ",", -1);
      if (!parse (f, record))
        {
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s:%u: expected %s", path, i + 2, expected);
          return NULL;
        }
      if (!ts_metric_log_append (log, record))
        break; /* the log is full (4 GiB): show what fits */
    }
  return g_steal_pointer (&log);
}

TsMetricLog *
ts_run_dir_load_steps (const char *dir, GError **error)
{
  return load_csv_log (dir, "steps.csv", TS_STEPS_CSV_HEADER, sizeof (TsStepRecord), (ParseRow) parse_step_row,
                       "step,epoch,lr,loss (counts, then numbers)", error);
}

TsMetricLog *
ts_run_dir_load_epochs (const char *dir, GError **error)
{
  return load_csv_log (dir, "metrics.csv", TS_METRICS_CSV_HEADER, sizeof (TsEpochRecord),
                       (ParseRow) parse_epoch_row,
                       "epoch,step,lr,train_loss,train_acc,val_loss,val_acc,seconds (counts, then numbers)", error);
}

/* ---- layers.csv ------------------------------------------------------------ */

static gboolean
parse_layer_row (char **f, TsStatsRecord *rec, guint capacity, guint *layer)
{
  guint64 step, l;
  double v[LAYER_SCALARS];
  TsLayerStats *s;

  if (g_strv_length (f) != LAYER_COLUMNS || !g_ascii_string_to_unsigned (f[0], 10, 1, G_MAXUINT64, &step, NULL)
      || !g_ascii_string_to_unsigned (f[1], 10, 1, capacity, &l, NULL))
    return FALSE;
  for (int k = 0; k < LAYER_SCALARS; k++)
    if (!parse_float (f[2 + k], &v[k]))
      return FALSE;
  rec->step = step;
  *layer = (guint) l - 1;
  s = &rec->layers[*layer];
  *s = (TsLayerStats) { to_float (v[0]), to_float (v[1]), to_float (v[2]), to_float (v[3]), to_float (v[4]),
                        to_float (v[5]), to_float (v[6]) };
  for (int k = 0; k < TS_HIST_N_KINDS; k++)
    {
      char **h = f + 2 + LAYER_SCALARS + k * (2 + TS_HISTOGRAM_BINS);
      double lo, hi;
      if (!parse_float (h[0], &lo) || !parse_float (h[1], &hi))
        return FALSE;
      /* as floats: the range must stay a range */
      if (!isfinite (to_float (lo)) || !isfinite (to_float (hi)) || !(to_float (hi) > to_float (lo)))
        return FALSE;
      ts_histogram_set_range (&s->hist[k], to_float (lo), to_float (hi));
      for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
        {
          guint64 count;
          if (!parse_count (h[2 + b], G_MAXUINT32, &count))
            return FALSE;
          s->hist[k].counts[b] = (guint) count;
        }
    }
  return TRUE;
}

/* the rows of the first measurement (those with the first row's step): the
 * net's layers, which every record of the log is sized to */
static guint
first_measurement_rows (char **rows)
{
  guint64 first = 0;
  guint n = 0;

  for (guint i = 0; rows[i]; i++)
    {
      guint64 step = g_ascii_strtoull (rows[i], NULL, 10);
      if (*rows[i] == '\0')
        continue;
      if (n > 0 && step != first)
        break;
      first = step, n++;
    }
  return n;
}

TsMetricLog *
ts_run_dir_load_stats (const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "layers.csv", NULL);
  g_auto(GStrv) rows = read_rows (path, NULL, error);
  g_autoptr(TsMetricLog) log = NULL;
  g_autofree TsStatsRecord *rec = NULL;
  guint n_layers;
  gboolean open = FALSE;

  if (rows == NULL)
    return NULL;
  n_layers = CLAMP (first_measurement_rows (rows), 1, TS_MAX_HIDDEN_LAYERS + 1);
  log = ts_metric_log_new (ts_stats_record_size (n_layers));
  rec = ts_stats_record_new (n_layers);
  rec->n_layers = 0;
  for (guint i = 0; rows[i]; i++)
    {
      g_auto(GStrv) f = g_strsplit (rows[i], ",", -1);
      guint64 step;
      guint layer;
      if (*rows[i] == '\0')
        continue;
      step = g_ascii_strtoull (f[0], NULL, 10);
      if (open && step != rec->step) /* a new measurement: the last one must be whole */
        {
          if (rec->n_layers != n_layers)
            {
              g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s:%u: the measurement at step %" G_GUINT64_FORMAT
                           " has %u layers, the first one %u", path, i + 1, rec->step, rec->n_layers, n_layers);
              return NULL;
            }
          ts_metric_log_append (log, rec);
          memset (rec, 0, ts_stats_record_size (n_layers));
        }
      if (!parse_layer_row (f, rec, n_layers, &layer) || layer != rec->n_layers)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s:%u: expected %d columns: step, layer (in order from 1, "
                       "as many as in the first measurement), the statistics and three histograms", path, i + 2,
                       LAYER_COLUMNS);
          return NULL;
        }
      rec->n_layers = layer + 1;
      open = TRUE;
    }
  /* the last measurement may have been cut short between its layers */
  if (open && rec->n_layers == n_layers)
    ts_metric_log_append (log, rec);
  return g_steal_pointer (&log);
}

/* ---- summary.json ---------------------------------------------------------- */

static const char *const summary_states[] = { "done", "stopped", "diverged", "failed", "interrupted", NULL };

gboolean
ts_run_dir_load_summary (const char *dir, TsRunSummary *out, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o;
  const char *state;

  memset (out, 0, sizeof *out);
  root = ts_json_load_file (path, error);
  if (root == NULL)
    return FALSE;
  o = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  state = ts_json_string (o, "state");
  if (state == NULL || !g_strv_contains (summary_states, state))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                   "%s: expected an object whose \"state\" is done, stopped, diverged, failed or interrupted", path);
      return FALSE;
    }
  out->state = g_strdup (state);
  out->error = g_strdup (ts_json_string (o, "error"));
  out->best_val_acc = ts_json_number (o, "best_val_acc");
  out->test_acc = ts_json_number (o, "test_acc");
  out->samples_per_second = ts_json_number (o, "samples_per_second");
  return TRUE;
}

void
ts_run_summary_clear (TsRunSummary *s)
{
  g_clear_pointer (&s->state, g_free);
  g_clear_pointer (&s->error, g_free);
}
