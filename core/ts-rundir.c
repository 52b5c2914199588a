#include "ts-rundir.h"
#include "ts-error.h"
#include "ts-io.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

struct _TsRunWriter {
  char  *dir;
  FILE  *metrics;
  FILE  *steps;
  FILE  *layers;
  gsize  steps_written;
  gsize  stats_written;
};

#define LAYER_SCALARS 7 /* act_mean … update_ratio */

static FILE *
open_csv (const char *dir, const char *name, const char *header, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  FILE *f = fopen (path, "w");

  if (f == NULL)
    {
      int saved = errno;
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: cannot create: %s", path, g_strerror (saved));
      return NULL;
    }
  fprintf (f, "%s\n", header);
  return f;
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

  w->dir = g_strdup (dir);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: cannot create the folder: %s", dir, g_strerror (saved));
      return NULL;
    }
  if (!ts_write_json_atomic (exp_path, node, error))
    return NULL;
  w->metrics = open_csv (dir, "metrics.csv", "epoch,step,lr,train_loss,train_acc,val_loss,val_acc,seconds", error);
  if (w->metrics == NULL)
    return NULL;
  w->steps = open_csv (dir, "steps.csv", "step,epoch,lr,loss", error);
  if (w->steps == NULL)
    return NULL;
  {
    g_autofree char *header = layers_header ();
    if ((w->layers = open_csv (dir, "layers.csv", header, error)) == NULL)
      return NULL;
  }
  return g_steal_pointer (&w);
}

void
ts_run_writer_free (TsRunWriter *w)
{
  if (w == NULL)
    return;
  if (w->metrics)
    fclose (w->metrics);
  if (w->steps)
    fclose (w->steps);
  if (w->layers)
    fclose (w->layers);
  g_free (w->dir);
  g_free (w);
}

char *
ts_run_writer_path (const TsRunWriter *w, const char *name)
{
  return g_build_filename (w->dir, name, NULL);
}

static gboolean
flush_or_fail (FILE *f, const char *dir, const char *name, GError **error)
{
  if (fflush (f) == 0 && !ferror (f))
    return TRUE;
  g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s/%s: cannot write: %s", dir, name, g_strerror (errno));
  return FALSE;
}

/* %.9g keeps every float digit; NaN is written as an empty field */
static void
put_number (FILE *f, double v, const char *sep)
{
  if (isfinite (v))
    fprintf (f, "%.9g%s", v, sep);
  else if (isnan (v))
    fprintf (f, "%s", sep);
  else
    fprintf (f, "%s%s", v > 0 ? "inf" : "-inf", sep);
}

gboolean
ts_run_writer_add_steps (TsRunWriter *w, const TsMetricLog *steps, GError **error)
{
  gsize n = ts_metric_log_length (steps);

  for (; w->steps_written < n; w->steps_written++)
    {
      const TsStepRecord *s = ts_metric_log_step (steps, w->steps_written);
      fprintf (w->steps, "%" G_GUINT64_FORMAT ",%u,", s->step, s->epoch);
      put_number (w->steps, s->lr, ",");
      put_number (w->steps, s->loss, "\n");
    }
  return flush_or_fail (w->steps, w->dir, "steps.csv", error);
}

gboolean
ts_run_writer_add_epoch (TsRunWriter *w, const TsEpochRecord *e, GError **error)
{
  fprintf (w->metrics, "%u,%" G_GUINT64_FORMAT ",", e->epoch, e->step);
  put_number (w->metrics, e->lr, ",");
  put_number (w->metrics, e->train_loss, ",");
  put_number (w->metrics, e->train_acc, ",");
  put_number (w->metrics, e->val_loss, ",");
  put_number (w->metrics, e->val_acc, ",");
  fprintf (w->metrics, "%.3f\n", e->seconds);
  return flush_or_fail (w->metrics, w->dir, "metrics.csv", error);
}

gboolean
ts_run_writer_add_stats (TsRunWriter *w, const TsMetricLog *stats, GError **error)
{
  gsize n = ts_metric_log_length (stats);

  for (; w->stats_written < n; w->stats_written++)
    {
      const TsStatsRecord *r = ts_metric_log_get (stats, w->stats_written);
      for (guint l = 0; l < r->n_layers; l++)
        {
          const TsLayerStats *s = &r->layers[l];
          const float scalars[LAYER_SCALARS] = { s->act_mean, s->act_std, s->dead_fraction, s->saturated_fraction,
                                                 s->weight_rms, s->grad_norm, s->update_ratio };
          fprintf (w->layers, "%" G_GUINT64_FORMAT ",%u", r->step, l + 1);
          for (int k = 0; k < LAYER_SCALARS; k++)
            {
              fputc (',', w->layers);
              put_number (w->layers, scalars[k], "");
            }
          for (int k = 0; k < TS_HIST_N_KINDS; k++)
            {
              const TsHistogram *h = &s->hist[k];
              fprintf (w->layers, ",%.9g,%.9g", h->edges[0], h->edges[TS_HISTOGRAM_BINS]);
              for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
                fprintf (w->layers, ",%u", h->counts[b]);
            }
          fputc ('\n', w->layers);
        }
    }
  return flush_or_fail (w->layers, w->dir, "layers.csv", error);
}

/* ---- reading layers.csv back ------------------------------------------------ */

#define LAYER_COLUMNS (2 + LAYER_SCALARS + TS_HIST_N_KINDS * (2 + TS_HISTOGRAM_BINS))

static gboolean
parse_layer_row (char **f, TsStatsRecord *rec, guint *layer)
{
  guint64 step, l;
  double v[LAYER_SCALARS];
  TsLayerStats *s;
  char *end;

  if (!g_ascii_string_to_unsigned (f[0], 10, 1, G_MAXUINT64, &step, NULL)
      || !g_ascii_string_to_unsigned (f[1], 10, 1, TS_STATS_MAX_LAYERS, &l, NULL))
    return FALSE;
  for (int k = 0; k < LAYER_SCALARS; k++)
    {
      v[k] = *f[2 + k] ? g_ascii_strtod (f[2 + k], &end) : NAN; /* empty: NaN */
      if (*f[2 + k] && *end)
        return FALSE;
    }
  rec->step = step;
  *layer = (guint) l - 1;
  s = &rec->layers[*layer];
  *s = (TsLayerStats) { v[0], v[1], v[2], v[3], v[4], v[5], v[6] };
  for (int k = 0; k < TS_HIST_N_KINDS; k++)
    {
      char **h = f + 2 + LAYER_SCALARS + k * (2 + TS_HISTOGRAM_BINS);
      float lo = (float) g_ascii_strtod (h[0], NULL), hi = (float) g_ascii_strtod (h[1], NULL);
      if (!isfinite (lo) || !isfinite (hi) || !(hi > lo)) /* as floats: the range must stay a range */
        return FALSE;
      ts_histogram_set_range (&s->hist[k], lo, hi);
      for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
        {
          guint64 count;
          if (!g_ascii_string_to_unsigned (h[2 + b], 10, 0, G_MAXUINT32, &count, NULL))
            return FALSE;
          s->hist[k].counts[b] = (guint) count;
        }
    }
  return TRUE;
}

TsMetricLog *
ts_run_dir_load_stats (const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "layers.csv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(TsMetricLog) log = ts_metric_log_new (sizeof (TsStatsRecord));
  TsStatsRecord rec = { 0 };
  gboolean open = FALSE;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[0] && lines[i]; i++)
    {
      g_auto(GStrv) f = NULL;
      guint64 step;
      guint layer;
      if (*lines[i] == '\0')
        continue;
      f = g_strsplit (lines[i], ",", -1);
      step = g_ascii_strtoull (f[0], NULL, 10);
      if (open && step != rec.step) /* a new measurement: the last one is whole */
        {
          ts_metric_log_append (log, &rec);
          rec = (TsStatsRecord) { 0 };
        }
      if (g_strv_length (f) != LAYER_COLUMNS || !parse_layer_row (f, &rec, &layer) || layer != rec.n_layers)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s:%u: expected %d columns: step, layer (in order from 1), "
                       "the statistics and three histograms", path, i + 1, LAYER_COLUMNS);
          return NULL;
        }
      rec.n_layers = layer + 1;
      open = TRUE;
    }
  if (open)
    ts_metric_log_append (log, &rec);
  return g_steal_pointer (&log);
}
