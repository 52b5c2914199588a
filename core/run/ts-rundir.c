#include "ts-rundir.h"
#include "ts-rundir-private.h"
#include "ts-error.h"
#include "ts-io.h"

#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

/* a CSV the run appends to, and its length after the last whole row */
typedef struct {
  int   fd;
  off_t size;
} CsvFile;

struct _TsRunWriter {
  char    *dir;
  int      lock;    /* flock held for the writer's life */
  CsvFile  metrics;
  CsvFile  steps;
  CsvFile  layers;
  GString *rows;    /* the rows of one append, written in one go */
  gsize    steps_written;
  gsize    stats_written;
};

#define LAYER_SCALARS 7 /* act_mean … update_ratio */

/* Appends text to f whole or not at all: a short write (a full disk) is
 * cut back to the last whole row, so a reader never meets half a row. */
static gboolean
append_whole (TsRunWriter *w, CsvFile *f, const char *name, const GString *text, GError **error)
{
  const char *p = text->str;
  gsize left = text->len;

  while (left > 0)
    {
      ssize_t n = write (f->fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : ENOSPC;
          if (ftruncate (f->fd, f->size) != 0)
            {
              /* nothing better to do: the error below names the file */
            }
          g_set_error (error, TS_ERROR, TS_ERROR_WRITE, "%s/%s: cannot write: %s", w->dir, name, g_strerror (saved));
          return FALSE;
        }
      p += n;
      left -= (gsize) n;
    }
  f->size += (off_t) text->len;
  return TRUE;
}

static gboolean
open_csv (TsRunWriter *w, CsvFile *f, const char *name, const char *header, GError **error)
{
  g_autofree char *path = g_build_filename (w->dir, name, NULL);
  g_autoptr(GString) line = g_string_new (header);

  /* O_APPEND: after a cut-back write the next row follows the last whole one */
  f->fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666);
  if (f->fd < 0)
    {
      int saved = errno;
      g_set_error (error, TS_ERROR, TS_ERROR_WRITE, "%s: cannot create: %s", path, g_strerror (saved));
      return FALSE;
    }
  g_string_append_c (line, '\n');
  return append_whole (w, f, name, line, error);
}

static char *
layers_header (void)
{
  GString *h = g_string_new ("step,layer,act_mean,act_std,dead_fraction,saturated_fraction,weight_rms,grad_norm,"
                             "update_ratio");
  for (int k = 0; k < TS_HIST_N_KINDS; k++)
    {
      const char *kind = ts_hist_kind_name (k);
      g_string_append_printf (h, ",%s_lo,%s_hi", kind, kind);
      for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
        g_string_append_printf (h, ",%s_%d", kind, b);
    }
  return g_string_free (h, FALSE);
}

TsRunWriter *
ts_run_writer_new (const char *dir, const TsExperiment *exp, GError **error)
{
  g_autoptr(TsRunWriter) w = g_new0 (TsRunWriter, 1);
  g_autoptr(JsonNode) node = ts_experiment_to_node (exp);
  g_autofree char *exp_path = g_build_filename (dir, "experiment.json", NULL);
  g_autofree char *header = layers_header ();

  w->dir = g_strdup (dir);
  w->lock = w->metrics.fd = w->steps.fd = w->layers.fd = -1;
  w->rows = g_string_new (NULL);
  if (g_mkdir_with_parents (dir, 0777) != 0) /* the umask decides */
    {
      int saved = errno;
      g_set_error (error, TS_ERROR, TS_ERROR_WRITE, "%s: cannot create the folder: %s", dir, g_strerror (saved));
      return NULL;
    }
  if ((w->lock = _ts_run_dir_lock (dir, error)) < 0 || !_ts_run_dir_take (dir, exp, error))
    return NULL;
  _ts_run_dir_reserve (dir);
  if (!ts_write_json_atomic (exp_path, node, error)
      || !open_csv (w, &w->metrics, "metrics.csv", TS_METRICS_CSV_HEADER, error)
      || !open_csv (w, &w->steps, "steps.csv", TS_STEPS_CSV_HEADER, error)
      || !open_csv (w, &w->layers, "layers.csv", header, error))
    return NULL;
  return g_steal_pointer (&w);
}

void
ts_run_writer_close (TsRunWriter *w)
{
  CsvFile *files[] = { &w->metrics, &w->steps, &w->layers };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    if (files[i]->fd >= 0)
      {
        close (files[i]->fd);
        files[i]->fd = -1;
      }
  if (w->lock >= 0)
    _ts_run_dir_release_reserve (w->dir);
}

void
ts_run_writer_free (TsRunWriter *w)
{
  if (w == NULL)
    return;
  ts_run_writer_close (w);
  if (w->lock >= 0)
    close (w->lock); /* lets go of the folder */
  g_string_free (w->rows, TRUE);
  g_free (w->dir);
  g_free (w);
}

char *
ts_run_writer_path (const TsRunWriter *w, const char *name)
{
  return g_build_filename (w->dir, name, NULL);
}

/* %.9g keeps every float digit, in the C locale whatever the user's;
 * NaN is written as an empty field */
static void
put_number (GString *s, double v, const char *sep)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isfinite (v))
    g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.9g", v));
  else if (!isnan (v))
    g_string_append (s, v > 0 ? "inf" : "-inf");
  g_string_append (s, sep);
}

gboolean
ts_run_writer_add_steps (TsRunWriter *w, const TsMetricLog *steps, GError **error)
{
  gsize n = ts_metric_log_length (steps);

  g_string_truncate (w->rows, 0);
  for (gsize i = w->steps_written; i < n; i++)
    {
      const TsStepRecord *s = ts_metric_log_step (steps, i);
      g_string_append_printf (w->rows, "%" G_GUINT64_FORMAT ",%u,", s->step, s->epoch);
      put_number (w->rows, s->lr, ",");
      put_number (w->rows, s->loss, "\n");
    }
  if (!append_whole (w, &w->steps, "steps.csv", w->rows, error))
    return FALSE;
  w->steps_written = n;
  return TRUE;
}

gboolean
ts_run_writer_add_epoch (TsRunWriter *w, const TsEpochRecord *e, GError **error)
{
  g_string_printf (w->rows, "%u,%" G_GUINT64_FORMAT ",", e->epoch, e->step);
  put_number (w->rows, e->lr, ",");
  put_number (w->rows, e->train_loss, ",");
  put_number (w->rows, e->train_acc, ",");
  put_number (w->rows, e->val_loss, ",");
  put_number (w->rows, e->val_acc, ",");
  {
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append_printf (w->rows, "%s\n", g_ascii_formatd (buf, sizeof buf, "%.3f", e->seconds));
  }
  return append_whole (w, &w->metrics, "metrics.csv", w->rows, error);
}

gboolean
ts_run_writer_add_stats (TsRunWriter *w, const TsMetricLog *stats, GError **error)
{
  gsize n = ts_metric_log_length (stats);

  g_string_truncate (w->rows, 0);
  for (gsize i = w->stats_written; i < n; i++)
    {
      const TsStatsRecord *r = ts_metric_log_get (stats, i);
      for (guint l = 0; l < r->n_layers; l++)
        {
          const TsLayerStats *s = &r->layers[l];
          const float scalars[LAYER_SCALARS] = { s->act_mean, s->act_std, s->dead_fraction, s->saturated_fraction,
                                                 s->weight_rms, s->grad_norm, s->update_ratio };
          g_string_append_printf (w->rows, "%" G_GUINT64_FORMAT ",%u", r->step, l + 1);
          for (int k = 0; k < LAYER_SCALARS; k++)
            {
              g_string_append_c (w->rows, ',');
              put_number (w->rows, scalars[k], "");
            }
          for (int k = 0; k < TS_HIST_N_KINDS; k++)
            {
              const TsHistogram *h = &s->hist[k];
              g_string_append_c (w->rows, ',');
              put_number (w->rows, h->edges[0], ",");
              put_number (w->rows, h->edges[TS_HISTOGRAM_BINS], "");
              for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
                g_string_append_printf (w->rows, ",%u", h->counts[b]);
            }
          g_string_append_c (w->rows, '\n');
        }
    }
  if (!append_whole (w, &w->layers, "layers.csv", w->rows, error))
    return FALSE;
  w->stats_written = n;
  return TRUE;
}

gboolean
ts_run_writer_write_summary (TsRunWriter *w, JsonNode *summary, GError **error)
{
  g_autofree char *path = ts_run_writer_path (w, "summary.json");

  _ts_run_dir_release_reserve (w->dir); /* the space kept for this */
  return ts_write_json_atomic (path, summary, error);
}
