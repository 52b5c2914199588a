/* A search's figures, shared by trainscope-cli search and the window's
 * Search page (moved from the CLI). */
#include "ts-plot-search-files.h"
#include "ts-plot-curves.h"

#include <math.h>

guint
ts_search_key_points (const TsSpaceDim *dim, JsonNode *result, TsSearchPoint *points)
{
  JsonArray *trials = json_object_get_array_member (json_node_get_object (result), "trials");
  guint n = 0;

  for (guint t = 0; t < json_array_get_length (trials); t++)
    {
      JsonObject *o = json_array_get_object_element (trials, t);
      JsonNode *v = json_object_get_member (json_object_get_object_member (o, "params"), dim->key);
      JsonNode *std = json_object_get_member (o, "cv_std");
      double x = NAN;
      if (JSON_NODE_TYPE (json_object_get_member (o, "cv_mean")) == JSON_NODE_NULL || v == NULL)
        continue;
      if (dim->choices)
        {
          for (guint c = 0; c < dim->choices->len; c++)
            if (g_strcmp0 (dim->choices->pdata[c], json_node_get_string (v)) == 0)
              x = c;
        }
      else
        x = json_node_get_double (v);
      points[n++] = (TsSearchPoint) { x, json_object_get_double_member (o, "cv_mean"),
                                      JSON_NODE_TYPE (std) == JSON_NODE_NULL ? NAN : json_node_get_double (std) };
    }
  return n;
}

void
ts_search_draw_key (cairo_t *cr, double width, double height, const TsPlotStyle *style, const TsSpaceDim *dim,
                    const TsSearchPoint *points, guint n, const char *caption)
{
  g_autofree const char **choices = NULL;

  if (dim->choices)
    {
      choices = g_new0 (const char *, dim->choices->len + 1); /* NULL-terminated while drawing */
      for (guint c = 0; c < dim->choices->len; c++)
        choices[c] = dim->choices->pdata[c];
    }
  ts_plot_search_key (cr, width, height, style, points, n, dim->kind == TS_SPACE_LOG_UNIFORM,
                      (const char *const *) choices, dim->key, caption);
}

typedef struct {
  const TsSpaceDim *dim;
  TsSearchPoint    *points;
  guint             n;
  const char       *caption;
} KeyPlot;

static void
draw_key (cairo_t *cr, double width, double height, gpointer data)
{
  KeyPlot *job = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_search_draw_key (cr, width, height, &style, job->dim, job->points, job->n, job->caption);
}

/* a fold's validation accuracy per epoch (metrics.csv), into acc[epoch − 1] */
static void
add_fold_curve (const char *dir, double *acc, guint *count, guint epochs)
{
  g_autofree char *path = g_build_filename (dir, "metrics.csv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] && lines[i][0]; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);
      guint64 epoch;
      if (g_strv_length (cells) < 8 || !g_ascii_string_to_unsigned (cells[0], 10, 1, epochs, &epoch, NULL))
        continue;
      acc[epoch - 1] += 100 * g_ascii_strtod (cells[6], NULL);
      count[epoch - 1]++;
    }
}

struct _TsSearchCurves {
  TsPlotSeries *series; /* one per trial with an epoch every fold reached */
  guint         n;
  double       *x;      /* 1 … epochs */
  GPtrArray    *owned;  /* the series' names and values */
};

void
ts_search_curves_free (TsSearchCurves *c)
{
  if (c == NULL)
    return;
  g_free (c->series);
  g_free (c->x);
  g_ptr_array_unref (c->owned);
  g_free (c);
}

TsSearchCurves *
ts_search_curves_read (GPtrArray *tasks, guint trials, guint folds, guint epochs)
{
  TsSearchCurves *c = g_new0 (TsSearchCurves, 1);

  c->series = g_new0 (TsPlotSeries, MAX (trials, 1));
  c->x = g_new (double, MAX (epochs, 1));
  c->owned = g_ptr_array_new_with_free_func (g_free);
  for (guint e = 0; e < epochs; e++)
    c->x[e] = e + 1;
  for (guint t = 0; t < trials; t++)
    {
      double *acc = g_new0 (double, MAX (epochs, 1));
      g_autofree guint *count = g_new0 (guint, MAX (epochs, 1));
      char *name = g_strdup_printf ("trial %u", t);
      guint n = 0;

      g_ptr_array_add (c->owned, acc);
      g_ptr_array_add (c->owned, name);
      for (guint f = 0; f < folds; f++)
        add_fold_curve (((TsSearchTask *) tasks->pdata[t * folds + f])->dir, acc, count, epochs);
      for (guint e = 0; e < epochs; e++)
        {
          acc[e] = count[e] == folds ? acc[e] / count[e] : NAN; /* epochs every fold reached */
          n = count[e] ? e + 1 : n;
        }
      if (n > 0)
        c->series[c->n++] = (TsPlotSeries) { name, t, c->x, acc, n };
    }
  return c;
}

void
ts_search_curves_draw (cairo_t *cr, double width, double height, const TsPlotStyle *style, const TsSearchCurves *c,
                       const char *caption)
{
  TsPlotAxes axes = { "epoch", "validation accuracy (%), mean over folds", .whole_x = TRUE };
  ts_plot_curves (cr, width, height, style, c ? c->series : NULL, c ? c->n : 0, &axes, caption);
}

typedef struct {
  TsSearchCurves *curves;
  const char     *caption;
} CurvesJob;

static void
draw_curves (cairo_t *cr, double width, double height, gpointer data)
{
  CurvesJob *job = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_search_curves_draw (cr, width, height, &style, job->curves, job->caption);
}

static gboolean
write_curves (GPtrArray *tasks, guint trials, guint folds, guint epochs, const char *caption, const char *out,
              GError **error)
{
  g_autofree char *path = g_build_filename (out, "search-curves.png", NULL);
  CurvesJob job = { ts_search_curves_read (tasks, trials, folds, epochs), caption };
  gboolean ok = ts_plot_save (draw_curves, &job, 720, 420, 2, path, error);

  ts_search_curves_free (job.curves);
  return ok;
}

gboolean
ts_search_write_figures (const TsSearchSpace *space, GPtrArray *tasks, JsonNode *result, guint trials, guint folds,
                         const char *name, guint epochs, const char *out, GError **error)
{
  JsonArray *all = json_object_get_array_member (json_node_get_object (result), "trials");
  g_autofree TsSearchPoint *points = g_new (TsSearchPoint, MAX (json_array_get_length (all), 1));
  g_autofree char *caption = g_strdup_printf ("%s · %u trials × %u folds", name, trials, folds);

  for (guint d = 0; d < space->dims->len; d++)
    {
      const TsSpaceDim *dim = space->dims->pdata[d];
      g_autofree char *file = g_strdup_printf ("search-%s.png", dim->key);
      g_autofree char *path = g_build_filename (out, file, NULL);
      KeyPlot job = { dim, points, ts_search_key_points (dim, result, points), caption };

      if (!ts_plot_save (draw_key, &job, 640, 400, 2, path, error))
        return FALSE;
    }
  return write_curves (tasks, trials, folds, epochs, caption, out, error);
}
