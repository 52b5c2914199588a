/* trainscope-cli lr-find: the learning-rate range test on a copy of the model. */
#include "cli-commands.h"
#include "ts-plot-lr.h"

#include <math.h>
#include <string.h>

typedef struct {
  const TsLrFinderResult *result;
  const char             *caption;
} PlotData;

static void
draw (cairo_t *cr, double width, double height, gpointer data)
{
  PlotData *p = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_plot_lr_finder (cr, width, height, &style, p->result, p->caption);
}

static gboolean
write_outputs (const char *dir, const TsExperiment *exp, const TsLrFinderResult *r, GError **error)
{
  g_autofree char *csv_path = g_build_filename (dir, "lr_find.csv", NULL);
  g_autofree char *json_path = g_build_filename (dir, "suggestion.json", NULL);
  g_autofree char *png_path = g_build_filename (dir, "lr_find.png", NULL);
  g_autofree char *caption = g_strdup_printf ("LR range test · %s · seed %" G_GUINT64_FORMAT, exp->name, exp->seed);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  GString *csv = g_string_new ("lr,loss,loss_lo,loss_hi\n");
  PlotData plot = { r, caption };
  gboolean ok;

  for (guint i = 0; i < r->n; i++)
    g_string_append_printf (csv, "%.9g,%.9g,%.9g,%.9g\n", r->lr[i], r->loss[i], r->loss_lo[i], r->loss_hi[i]);
  ok = ts_write_file_atomic (csv_path, csv->str, csv->len, error);
  g_string_free (csv, TRUE);
  if (!ok)
    return FALSE;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "suggested"), json_builder_add_double_value (b, r->suggested);
  json_builder_set_member_name (b, "valley"), json_builder_add_double_value (b, r->valley);
  json_builder_set_member_name (b, "steepest"), json_builder_add_double_value (b, r->steepest);
  json_builder_set_member_name (b, "min_over_10"), json_builder_add_double_value (b, r->min_over_10);
  json_builder_set_member_name (b, "action");
  {
    g_autofree char *action = g_strdup_printf ("train.lr=%g", r->suggested);
    json_builder_add_string_value (b, action);
  }
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  return ts_write_json_atomic (json_path, node, error) && ts_plot_save (draw, &plot, 720, 400, 2, png_path, error);
}

int
cli_lr_find (int argc, char **argv)
{
  g_autofree char *out = NULL, *iterations_text = NULL, *sweeps_text = NULL;
  g_auto(GStrv) overrides = NULL;
  guint64 iterations = 200, sweeps = 3;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Folder to write lr_find.csv, suggestion.json, lr_find.png", "DIR" },
    { "iterations", 0, 0, G_OPTION_ARG_STRING, &iterations_text, "Steps per sweep (default 200)", "N" },
    { "sweeps", 0, 0, G_OPTION_ARG_STRING, &sweeps_text, "Sweeps for the spread (default 3)", "N" },
    { "set", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &overrides, "Override any key", "KEY=VALUE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("EXP.json|EXAMPLE");
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) exp = NULL;
  g_autoptr(TsLrFinderResult) result = NULL;
  TsLrFinderOptions options;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!cli_parse (context, &argc, &argv))
    return CLI_BAD_INPUT;
  if (argc != 2 || out == NULL)
    return cli_bad_input ("lr-find: expected EXP.json|EXAMPLE --out DIR");
  /* the sweeps' losses are kept (8 bytes a step): at most 16 MB */
  if (!cli_parse_count ("iterations", iterations_text, 20, 100000, &iterations, &error)
      || !cli_parse_count ("sweeps", sweeps_text, 1, 20, &sweeps, &error))
    return cli_bad_input ("%s", error->message);
  exp = ts_experiment_load_named (argv[1], &error);
  if (exp == NULL || !cli_apply_overrides (exp, overrides, FALSE, &error) || !ts_experiment_validate (exp, &error))
    return cli_bad_input ("%s", error->message);
  if (!cli_make_folder (out))
    return CLI_RUN_FAILED;
  options = (TsLrFinderOptions) { 1e-6, 10, (guint) iterations, (guint) sweeps };
  if ((result = ts_lr_find (exp, &options, NULL, &error)) == NULL)
    return g_error_matches (error, TS_ERROR, TS_ERROR_DIVERGED) ? (g_printerr ("trainscope-cli: %s\n", error->message),
                                                                  CLI_RUN_FAILED)
                                                               : cli_fail (error);
  if (!write_outputs (out, exp, result, &error))
    {
      g_printerr ("trainscope-cli: %s\n", error->message);
      return CLI_RUN_FAILED;
    }
  g_print ("%s: suggested learning rate %.3g (valley; steepest %.3g, minimum/10 %.3g) → %s\n", exp->name,
           result->suggested, result->steepest, result->min_over_10, out);
  return CLI_OK;
}
