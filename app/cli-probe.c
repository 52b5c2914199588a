/* trainscope-cli probe: the initialisation experiment over a grid of init
 * schemes × activations, cells spread over the cores: an MLP of --layers ×
 * --width on Gaussian input, or an experiment's own layer stack (conv,
 * pool, batch norm, dense) on a batch of its data (ts-probe-stack.h). */
#include "cli-commands.h"
#include "ts-plot-probe.h"

#include <math.h>
#include <string.h>

static void
add_histogram (JsonBuilder *b, const char *name, const TsHistogram *h)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "edges");
  json_builder_begin_array (b);
  for (int i = 0; i <= TS_HISTOGRAM_BINS; i++)
    json_builder_add_double_value (b, h->edges[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "counts");
  json_builder_begin_array (b);
  for (int i = 0; i < TS_HISTOGRAM_BINS; i++)
    json_builder_add_int_value (b, h->counts[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static JsonNode *
grid_json (const TsProbeGrid *g)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cells");
  json_builder_begin_array (b);
  for (guint c = 0; c < g->n_cells; c++)
    {
      const TsProbeCell *cell = g->cells[c];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "init"), json_builder_add_string_value (b, ts_init_name (cell->init));
      json_builder_set_member_name (b, "activation"), json_builder_add_string_value (b, ts_activation_name (cell->activation));
      json_builder_set_member_name (b, "batchnorm"), json_builder_add_boolean_value (b, cell->batchnorm);
      json_builder_set_member_name (b, "layers");
      json_builder_begin_array (b);
      for (guint l = 0; l < cell->n_layers; l++)
        {
          const TsProbeLayer *p = &cell->layers[l];
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "kind"), json_builder_add_string_value (b, ts_layer_kind_name (p->kind));
          json_builder_set_member_name (b, "shape");
          json_builder_begin_array (b);
          for (guint d = 0; d < p->shape.ndim; d++)
            json_builder_add_int_value (b, (gint64) p->shape.dims[d]);
          json_builder_end_array (b);
          json_builder_set_member_name (b, "act_mean"), json_builder_add_double_value (b, p->act_mean);
          json_builder_set_member_name (b, "act_std"), json_builder_add_double_value (b, p->act_std);
          json_builder_set_member_name (b, "dead_fraction"), json_builder_add_double_value (b, p->dead_fraction);
          json_builder_set_member_name (b, "saturated_fraction"), json_builder_add_double_value (b, p->saturated_fraction);
          json_builder_set_member_name (b, "grad_std"), json_builder_add_double_value (b, p->grad_std);
          add_histogram (b, "act_hist", &p->act_hist);
          add_histogram (b, "weight_hist", &p->weight_hist);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

typedef struct {
  const TsProbeGrid *grid;
  TsProbeDepthKind   kind;
} DepthPlot;

static void
draw_depth (cairo_t *cr, double width, double height, gpointer data)
{
  DepthPlot *d = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_plot_probe_depth (cr, width, height, &style, d->grid->cells, d->grid->n_cells, d->kind);
}

/* probe-activation-mean.png, probe-activation-std.png, probe-gradient-std.png */
static gboolean
write_depth_plots (const TsProbeGrid *g, const char *out, GError **error)
{
  for (int k = 0; k < TS_PROBE_N_DEPTH_PLOTS; k++)
    {
      DepthPlot plot = { g, k };
      g_autofree char *name = g_strdup_printf ("probe-%s.png", ts_probe_depth_name (k));
      g_autofree char *path = g_build_filename (out, name, NULL);
      if (!ts_plot_save (draw_depth, &plot, 720, 400, 2, path, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_list (const char *text, const char *what, int *out, guint *n, gboolean (*lookup) (const char *, int *),
            GError **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  *n = 0;
  for (int i = 0; parts[i]; i++)
    {
      if (*n == 16)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "--%s: at most 16 names", what);
          return FALSE;
        }
      if (!lookup (g_strstrip (parts[i]), &out[*n]))
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "--%s: unknown name \"%s\"", what, parts[i]);
          return FALSE;
        }
      (*n)++;
    }
  return *n > 0;
}

static gboolean
lookup_init (const char *name, int *out)
{
  TsInit v;
  if (!ts_init_from_name (name, &v))
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
lookup_activation (const char *name, int *out)
{
  TsActivation v;
  if (!ts_activation_from_name (name, &v))
    return FALSE;
  *out = v;
  return TRUE;
}

static int
write_outputs (const TsProbeGrid *grid, const char *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = grid_json (grid);
  g_autofree char *json_path = g_build_filename (out, "probe.json", NULL);

  if (!ts_write_json_atomic (json_path, json, &error) || !write_depth_plots (grid, out, &error))
    {
      g_printerr ("trainscope-cli: %s\n", error->message);
      return CLI_RUN_FAILED;
    }
  return CLI_OK;
}

typedef struct {
  const char *out, *act_text, *init_text, *scale_text;
  guint64     samples;
  char      **overrides;
} StackArgs;

/* probe EXP.json: its model.layers on a batch of its data; the inits and
 * activations default to the experiment's own */
static int
probe_stack (const char *name, const StackArgs *a)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) exp = ts_experiment_load_named (name, &error);
  g_autoptr(TsProbeBatch) batch = NULL;
  g_autoptr(TsProbeGrid) grid = NULL;
  int inits[16], acts[16];
  guint n_inits = 1, n_acts = 1;
  double scale;
  gint64 t0;

  if (exp == NULL || !cli_apply_overrides (exp, a->overrides, FALSE, &error)
      || !ts_experiment_validate (exp, &error))
    return cli_bad_input ("%s", error->message);
  inits[0] = exp->model.init, acts[0] = exp->model.activation;
  if ((a->act_text && !parse_list (a->act_text, "activation", acts, &n_acts, lookup_activation, &error))
      || (a->init_text && !parse_list (a->init_text, "init", inits, &n_inits, lookup_init, &error)))
    return cli_bad_input ("%s", error ? error->message : "probe: empty list");
  if (a->scale_text)
    {
      if (!cli_parse_real ("init-scale", a->scale_text, 0, 1e6, &scale, &error))
        return cli_bad_input ("%s", error->message);
      exp->model.init_scale = scale;
    }
  t0 = g_get_monotonic_time ();
  /* the data, its shape checked against every layer, before the folder is made */
  if ((batch = ts_probe_batch_load (exp, (guint) a->samples, NULL, &error)) == NULL)
    return cli_bad_input ("%s", error->message);
  if ((grid = ts_probe_stack_new (exp, batch, (TsInit *) inits, n_inits, (TsActivation *) acts, n_acts,
                                  (guint) ts_blas_threads (), &error)) == NULL)
    return cli_bad_input ("%s", error->message);
  if (!cli_make_folder (a->out))
    return CLI_RUN_FAILED;
  g_print ("%u cells of the %u layers of %s on %u samples of %s probed in %.0f ms\n", grid->n_cells,
           exp->model.layers->len, exp->name, batch->rows->n, exp->data.source,
           (g_get_monotonic_time () - t0) / 1000.0);
  return write_outputs (grid, a->out);
}

int
cli_probe (int argc, char **argv)
{
  g_autofree char *out = NULL, *act_text = NULL, *init_text = NULL;
  g_autofree char *layers_text = NULL, *width_text = NULL, *samples_text = NULL, *scale_text = NULL;
  g_auto(GStrv) overrides = NULL;
  guint64 layers = 10, width = 500, samples = 1000;
  double init_scale = 0.01;
  gboolean batchnorm = FALSE;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Folder for probe.json and the plots", "DIR" },
    { "layers", 0, 0, G_OPTION_ARG_STRING, &layers_text, "Hidden layers (default 10; not with EXP)", "N" },
    { "width", 0, 0, G_OPTION_ARG_STRING, &width_text, "Units per layer (default 500; not with EXP)", "N" },
    { "samples", 0, 0, G_OPTION_ARG_STRING, &samples_text, "Rows of N(0,1) input (default 1000), or of EXP's data "
      "(default 256)", "N" },
    { "activation", 0, 0, G_OPTION_ARG_STRING, &act_text, "Activations (default tanh,relu; EXP's own)", "A,B" },
    { "init", 0, 0, G_OPTION_ARG_STRING, &init_text, "Init schemes (default small,xavier,he; EXP's own)", "A,B" },
    { "init-scale", 0, 0, G_OPTION_ARG_STRING, &scale_text, "σ of the small init (default 0.01; EXP's)", "S" },
    { "batchnorm", 0, 0, G_OPTION_ARG_NONE, &batchnorm, "Normalise each layer's pre-activations over the batch "
      "(batch norm, γ=1, β=0) before the activation (not with EXP: add batchnorm layers)", NULL },
    { "set", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &overrides, "Override any key of EXP", "KEY=VALUE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("[EXP.json|EXAMPLE]");
  g_autoptr(GError) error = NULL;
  int inits[16], acts[16];
  guint n_inits, n_acts;
  g_autoptr(TsProbeGrid) grid = NULL;
  TsProbeSpec spec;
  gint64 t0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!cli_parse (context, &argc, &argv))
    return CLI_BAD_INPUT;
  if (argc > 2 || out == NULL)
    return cli_bad_input ("probe: expected [EXP.json|EXAMPLE] --out DIR");
  if (argc == 2)
    {
      StackArgs a = { out, act_text, init_text, scale_text, TS_PROBE_STACK_SAMPLES, overrides };
      if (layers_text || width_text || batchnorm)
        return cli_bad_input ("probe: --%s is the MLP probe's; with %s the probe takes its model.layers (add "
                              "batchnorm layers there, or --set model.layers=…)",
                              layers_text ? "layers" : width_text ? "width" : "batchnorm", argv[1]);
      if (!cli_parse_count ("samples", samples_text, 2, 100000, &a.samples, &error))
        return cli_bad_input ("%s", error->message);
      return probe_stack (argv[1], &a);
    }
  if (overrides)
    return cli_bad_input ("probe: --set changes an experiment's keys; give EXP.json or an example's name");
  if (!cli_parse_count ("layers", layers_text, 1, TS_MAX_HIDDEN_LAYERS, &layers, &error)
      || !cli_parse_count ("width", width_text, 1, 10000, &width, &error)
      || !cli_parse_count ("samples", samples_text, 2, 100000, &samples, &error)
      || !cli_parse_real ("init-scale", scale_text, 0, 1e6, &init_scale, &error))
    return cli_bad_input ("%s", error->message);
  if (!parse_list (act_text ? act_text : "tanh,relu", "activation", acts, &n_acts, lookup_activation, &error)
      || !parse_list (init_text ? init_text : "small,xavier,he", "init", inits, &n_inits, lookup_init, &error))
    return cli_bad_input ("%s", error ? error->message : "probe: empty list");
  spec = (TsProbeSpec) { (guint) layers, (guint) width, (guint) samples, init_scale, 7, batchnorm };
  /* refused before the folder is made; the same estimate the window's probe meets */
  if (!ts_probe_check_memory (&spec, 0, n_inits, n_acts, (guint) ts_blas_threads (), &error))
    return cli_bad_input ("%s", error->message);
  if (!cli_make_folder (out))
    return CLI_RUN_FAILED;
  t0 = g_get_monotonic_time ();
  grid = ts_probe_grid_new (&spec, (TsInit *) inits, n_inits, (TsActivation *) acts, n_acts, NULL, 0,
                            (guint) ts_blas_threads (), &error);
  if (grid == NULL)
    return cli_bad_input ("%s", error->message);
  g_print ("%u cells of %u layers × %u units × %u samples%s probed in %.0f ms\n", grid->n_cells, (guint) layers,
           (guint) width, (guint) samples, batchnorm ? " with batch norm" : "",
           (g_get_monotonic_time () - t0) / 1000.0);
  return write_outputs (grid, out);
}
