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
  gsize  steps_written;
};

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
  g_free (w->dir);
  g_free (w);
}

const char *
ts_run_writer_dir (const TsRunWriter *w)
{
  return w->dir;
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
