/* trainscope-cli data info | preview: what a source holds, and how it looks
 * raw, augmented and preprocessed. */
#include "cli-commands.h"
#include "ts-plot.h"
#include "ts-plot-image.h"

#include <math.h>
#include <string.h>

#define PREVIEW_ROWS 8
#define PREVIEW_AUGMENTED 5

static TsExperiment *
experiment_for_source (const char *source, char **overrides, GError **error)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();

  if (!ts_experiment_set (exp, "data.source", source, error) || !cli_apply_overrides (exp, overrides, TRUE, error))
    return NULL;
  return g_steal_pointer (&exp);
}

static JsonNode *
info_json (const char *source, const TsSourceData *data)
{
  const TsDataset *ds = data->train;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree guint *counts = g_new0 (guint, ds->n_classes);
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE, sum = 0, sq = 0;
  gsize n = (gsize) ds->n * ds->dim;

  ts_dataset_class_counts (ds, counts);
  for (gsize i = 0; i < n; i++)
    {
      lo = MIN (lo, ds->x[i]);
      hi = MAX (hi, ds->x[i]);
      sum += ds->x[i];
      sq += (double) ds->x[i] * ds->x[i];
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "source"), json_builder_add_string_value (b, source);
  json_builder_set_member_name (b, "count"), json_builder_add_int_value (b, ds->n);
  json_builder_set_member_name (b, "test_count"), json_builder_add_int_value (b, data->test ? data->test->n : 0);
  json_builder_set_member_name (b, "shape");
  json_builder_begin_array (b);
  if (ts_dataset_is_image (ds))
    {
      json_builder_add_int_value (b, ds->channels);
      json_builder_add_int_value (b, ds->height);
      json_builder_add_int_value (b, ds->width);
    }
  else
    json_builder_add_int_value (b, ds->dim);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "classes");
  json_builder_begin_array (b);
  for (guint c = 0; c < ds->n_classes; c++)
    json_builder_add_string_value (b, ds->class_names[c]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "class_counts");
  json_builder_begin_array (b);
  for (guint c = 0; c < ds->n_classes; c++)
    json_builder_add_int_value (b, counts[c]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "min"), json_builder_add_double_value (b, lo);
  json_builder_set_member_name (b, "max"), json_builder_add_double_value (b, hi);
  json_builder_set_member_name (b, "mean"), json_builder_add_double_value (b, sum / MAX (n, 1));
  json_builder_set_member_name (b, "std"),
    json_builder_add_double_value (b, sqrt (MAX (sq / MAX (n, 1) - pow (sum / MAX (n, 1), 2), 0)));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_info (JsonObject *o)
{
  JsonArray *shape = json_object_get_array_member (o, "shape");
  JsonArray *classes = json_object_get_array_member (o, "classes");
  JsonArray *counts = json_object_get_array_member (o, "class_counts");
  GString *dims = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (shape); i++)
    g_string_append_printf (dims, "%s%" G_GINT64_FORMAT, i ? "×" : "", json_array_get_int_element (shape, i));
  g_print ("%s\n  samples   %" G_GINT64_FORMAT " (+ %" G_GINT64_FORMAT " test)\n  shape     %s\n"
           "  values    %.4g … %.4g, mean %.4g, std %.4g\n  classes   %u\n",
           json_object_get_string_member (o, "source"), json_object_get_int_member (o, "count"),
           json_object_get_int_member (o, "test_count"), dims->str, json_object_get_double_member (o, "min"),
           json_object_get_double_member (o, "max"), json_object_get_double_member (o, "mean"),
           json_object_get_double_member (o, "std"), json_array_get_length (classes));
  for (guint c = 0; c < json_array_get_length (classes); c++)
    g_print ("    %-16s %" G_GINT64_FORMAT "\n", json_array_get_string_element (classes, c),
             json_array_get_int_element (counts, c));
  g_string_free (dims, TRUE);
}

static void
print_warnings (const TsSourceData *data)
{
  for (guint i = 0; data->warnings && i < data->warnings->len; i++)
    g_printerr ("trainscope-cli: warning: %s\n", (const char *) data->warnings->pdata[i]);
}

static int
data_info (int argc, char **argv)
{
  gboolean json = FALSE;
  g_auto(GStrv) overrides = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { "set", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &overrides, "Set a data key, e.g. data.samples=3000", "KEY=VALUE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("SOURCE");
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) exp = NULL;
  g_autoptr(JsonNode) node = NULL;
  TsSourceData data = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!cli_parse (context, &argc, &argv))
    return CLI_BAD_INPUT;
  if (argc != 2)
    return cli_bad_input ("data info: expected one SOURCE");
  if ((exp = experiment_for_source (argv[1], overrides, &error)) == NULL
      || !ts_source_load (&exp->data, exp->seed, &data, NULL, &error))
    {
      ts_source_data_clear (&data);
      return cli_bad_input ("%s", error->message);
    }
  print_warnings (&data);
  node = info_json (argv[1], &data);
  if (json)
    cli_print_json (node);
  else
    print_info (json_node_get_object (node));
  ts_source_data_clear (&data);
  return CLI_OK;
}

typedef struct {
  const TsDataset *ds;
  const char      *caption;
} ScatterData;

static void
draw_scatter (cairo_t *cr, double width, double height, gpointer data)
{
  ScatterData *s = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_plot_scatter (cr, width, height, &style, s->ds, s->caption);
}

/* PREVIEW_ROWS samples, one per row: the original, then augmented copies
 * (or the preprocessed sample, rescaled to be seen), painted by the
 * window's own image renderer (ts-plot-image.h) */
typedef struct {
  const TsDataset *ds;
  guint            n, cols, zoom;
  float           *cells;  /* (n, dim) */
  const float    **images; /* (n) into cells */
  TsPixelScale    *scales; /* (n) */
} ImageGrid;

static void
image_grid_free (ImageGrid *g)
{
  g_free (g->cells);
  g_free (g->images);
  g_free (g->scales);
  g_free (g);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImageGrid, image_grid_free)

static void
draw_image_grid (cairo_t *cr, double width, double height, gpointer data)
{
  ImageGrid *g = data;
  ts_plot_image_grid (cr, g->images, g->scales, g->n, g->ds->channels, g->ds->height, g->ds->width, g->cols, g->zoom);
}

static ImageGrid *
image_preview (const TsExperiment *exp, const TsDataset *ds, gboolean augment, GError **error)
{
  guint per_row = augment ? 1 + PREVIEW_AUGMENTED : 2, rows = MIN (PREVIEW_ROWS, ds->n), k = 0;
  g_autoptr(TsAugment) aug = augment ? ts_augment_new (&exp->data.augment, ds, error) : NULL;
  g_autoptr(TsPreprocess) pp = NULL;
  g_autoptr(ImageGrid) g = g_new0 (ImageGrid, 1);

  if (augment && aug == NULL)
    return NULL;
  if (!augment && (pp = ts_preprocess_fit (exp->data.preprocess, ds, 0, exp->data.whiten_epsilon, error)) == NULL)
    return NULL;
  if (!augment && pp->out_dim != ds->dim)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "data preview: %s does not keep the image shape; use zca",
                   ts_preprocess_name (pp->kind));
      return NULL;
    }
  g->ds = ds, g->n = rows * per_row, g->cols = per_row, g->zoom = MAX (1, 96 / ds->width);
  g->cells = g_new (float, (gsize) g->n * ds->dim);
  g->images = g_new (const float *, g->n);
  g->scales = g_new (TsPixelScale, g->n);
  for (guint r = 0; r < rows; r++)
    {
      guint i = r * (ds->n / rows); /* spread over the classes */
      const float *src = ds->x + (gsize) i * ds->dim;
      for (guint c = 0; c < per_row; c++, k++)
        {
          float *cell = g->cells + (gsize) k * ds->dim;
          g->scales[k] = c == 0 || augment ? TS_PIXELS_CLAMP : TS_PIXELS_RESCALE;
          if (c == 0)
            memcpy (cell, src, sizeof (float) * ds->dim);
          else if (augment)
            ts_augment_sample (aug, src, cell, ts_rng_key (exp->seed, TS_STREAM_AUGMENT + c), i);
          else
            ts_preprocess_apply_rows (pp, src, 1, cell);
          g->images[k] = cell;
        }
    }
  return g_steal_pointer (&g);
}

static int
data_preview (int argc, char **argv)
{
  g_autofree char *out = NULL, *augment = NULL, *preprocess = NULL;
  g_auto(GStrv) overrides = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "PNG to write", "grid.png" },
    { "augment", 0, 0, G_OPTION_ARG_STRING, &augment, "Augmentation, as data.augment, e.g. '{\"hflip\":0.5}'", "JSON" },
    { "preprocess", 0, 0, G_OPTION_ARG_STRING, &preprocess, "Preprocessing to show", "P" },
    { "set", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &overrides, "Set a data key", "KEY=VALUE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("SOURCE");
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) exp = NULL;
  g_autoptr(ImageGrid) grid = NULL;
  TsSourceData data = { 0 };
  int code = CLI_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!cli_parse (context, &argc, &argv))
    return CLI_BAD_INPUT;
  if (argc != 2 || out == NULL)
    return cli_bad_input ("data preview: expected SOURCE --out grid.png");
  if ((exp = experiment_for_source (argv[1], overrides, &error)) == NULL)
    return cli_bad_input ("%s", error->message);
  if (augment)
    {
      g_autofree char *json = g_strdup_printf ("{\"data\": {\"augment\": %s}}", augment);
      g_autoptr(TsExperiment) parsed = ts_experiment_from_json (json, -1, &error);
      if (parsed == NULL)
        return cli_bad_input ("--augment: %s", error->message);
      exp->data.augment = parsed->data.augment;
    }
  if (preprocess && !ts_experiment_set (exp, "data.preprocess", preprocess, &error))
    return cli_bad_input ("--preprocess: %s", error->message);
  if (!ts_source_load (&exp->data, exp->seed, &data, NULL, &error))
    {
      ts_source_data_clear (&data);
      return cli_bad_input ("%s", error->message);
    }
  print_warnings (&data);
  if (!ts_dataset_is_image (data.train))
    {
      g_autoptr(TsPreprocess) pp = preprocess ? ts_preprocess_fit (exp->data.preprocess, data.train, 0,
                                                                   exp->data.whiten_epsilon, &error) : NULL;
      g_autoptr(TsDataset) shown = pp ? ts_preprocess_apply (pp, data.train) : NULL;
      ScatterData s = { shown ? shown : data.train, argv[1] };
      if ((preprocess && pp == NULL) || s.ds->dim != 2)
        code = cli_bad_input ("data preview: %s", error ? error->message : "points are shown for 2-D sources only");
      else if (!ts_plot_save (draw_scatter, &s, 640, 480, 1, out, &error))
        code = cli_fail (error);
    }
  else if ((grid = image_preview (exp, data.train, augment != NULL, &error)) == NULL)
    code = cli_bad_input ("%s", error->message);
  else
    {
      int w, h;
      ts_plot_image_grid_size (grid->n, data.train->height, data.train->width, grid->cols, grid->zoom, &w, &h);
      if (!ts_plot_save (draw_image_grid, grid, w, h, 1, out, &error))
        code = cli_fail (error); /* could not write: exit 1 with the reason */
    }
  ts_source_data_clear (&data);
  return code;
}

int
cli_data (int argc, char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "info") == 0)
    return data_info (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "preview") == 0)
    return data_preview (argc - 1, argv + 1);
  return cli_bad_input ("data: expected \"info\" or \"preview\"");
}
