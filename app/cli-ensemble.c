/* trainscope-cli ensemble MEMBER… --data SOURCE --out DIR: late and early
 * fusion of trained models, written as DIR/ensemble.json and
 * DIR/ensemble-curve.png. */
#include "cli-train.h"
#include "ts-plot-ensemble.h"

#include <math.h>

typedef struct {
  const TsEnsembleResult *r;
  const char             *caption;
} CurveJob;

static void
draw_curve (cairo_t *cr, double width, double height, gpointer data)
{
  CurveJob *job = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);

  ts_plot_ensemble_curve (cr, width, height, &style, job->r, job->caption);
}

static void
print_result (const TsEnsembleResult *r, const char *dir)
{
  g_print ("%u members on %u %s samples: best member %.2f%%, mean member %.2f%%, disagreement %.3f\n",
           r->n_members, r->count, r->split, 100 * r->best_member_acc, 100 * r->mean_member_acc, r->disagreement);
  if (r->has_late)
    g_print ("late fusion (%s): %.2f%% (%+.2f over the best member, %+.2f over the mean); geometric %.2f%%, vote %.2f%%\n",
             ts_late_rule_name (r->rule), 100 * r->late_acc[r->rule], 100 * (r->late_acc[r->rule] - r->best_member_acc),
             100 * (r->late_acc[r->rule] - r->mean_member_acc), 100 * r->late_acc[TS_LATE_GEOMETRIC],
             100 * r->late_acc[TS_LATE_VOTE]);
  if (r->has_early)
    g_print ("early fusion (%u features, fitted on the training split): %.2f%%\n", r->early_features,
             100 * r->early_acc);
  g_print ("→ %s\n", dir);
}

int
cli_ensemble_members (char **members, guint n, const char *data, gboolean checkpoints, const TsEnsembleOptions *opts,
                      const char *out, CliPrint print, TsEnsembleResult **result)
{
  g_autoptr(TsEnsemble) e = ts_ensemble_new (data);
  g_autoptr(TsExperiment) exp = NULL;
  g_autoptr(TsEnsembleResult) r = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json_path = g_build_filename (out, "ensemble.json", NULL);
  g_autofree char *png_path = g_build_filename (out, "ensemble-curve.png", NULL);
  g_autofree char *caption = NULL;
  TsSplits raw = { 0 };

  for (guint i = 0; i < n; i++)
    if (!ts_ensemble_add (e, members[i], checkpoints, &error))
      return cli_bad_input ("%s", error->message);
  exp = ts_experiment_copy (ts_ensemble_experiment (e));
  if (data)
    {
      g_free (exp->data.source);
      exp->data.source = g_strdup (data);
    }
  if (!ts_ensemble_load_splits (e, &raw, &error))
    return cli_bad_input ("%s", error->message);
  r = ts_ensemble_evaluate (e, &raw, &(TsEnsembleOptions) { opts->late, opts->early, opts->rule, opts->early_epochs,
                                                             opts->seed, exp->data.source, NULL, NULL, NULL }, &error);
  ts_splits_clear (&raw);
  if (r == NULL)
    return cli_bad_input ("%s", error->message);
  node = ts_ensemble_result_to_json (r);
  caption = g_strdup_printf ("%u members · %s · order chosen on %s", r->n_members, exp->data.source, r->curve_split);
  if (g_mkdir_with_parents (out, 0755) != 0 || !ts_write_json_atomic (json_path, node, &error)
      || !ts_plot_save (draw_curve, &(CurveJob) { r, caption }, 640, 400, 2, png_path, &error))
    {
      g_printerr ("trainscope-cli: %s\n", error ? error->message : out);
      return CLI_RUN_FAILED;
    }
  if (print == CLI_PRINT_JSON)
    cli_print_json (node);
  else if (print == CLI_PRINT_TEXT)
    print_result (r, out);
  if (result)
    *result = g_steal_pointer (&r);
  return CLI_OK;
}

int
cli_ensemble (int argc, char **argv)
{
  g_autofree char *data = NULL, *out = NULL, *fusion = NULL, *rule = NULL;
  gboolean json = FALSE, checkpoints = FALSE;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_STRING, &data, "Data source (default: the first member's)", "SOURCE" },
    { "fusion", 0, 0, G_OPTION_ARG_STRING, &fusion, "late, early or both (default both)", "late|early|both" },
    { "rule", 0, 0, G_OPTION_ARG_STRING, &rule, "Late fusion: mean of probabilities (default), geometric mean, majority vote", "mean|geometric|vote" },
    { "checkpoints", 0, 0, G_OPTION_ARG_NONE, &checkpoints, "Each run folder's checkpoints are members (a snapshot ensemble)", NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Folder for ensemble.json and ensemble-curve.png", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print ensemble.json", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("MEMBER…");
  TsEnsembleOptions opts = { TRUE, TRUE, TS_LATE_MEAN, 0, 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!cli_parse (context, &argc, &argv))
    return CLI_BAD_INPUT;
  if (argc < 2)
    return cli_bad_input ("ensemble: expected one or more members (model files or run folders)");
  if (out == NULL)
    return cli_bad_input ("ensemble: --out DIR is required");
  if (fusion && !g_strv_contains ((const char *const[]) { "late", "early", "both", NULL }, fusion))
    return cli_bad_input ("--fusion: expected late, early or both (got \"%s\")", fusion);
  if (rule && !ts_late_rule_from_name (rule, &opts.rule))
    return cli_bad_input ("--rule: expected mean, geometric or vote (got \"%s\")", rule);
  opts.late = fusion == NULL || g_strcmp0 (fusion, "early") != 0;
  opts.early = fusion == NULL || g_strcmp0 (fusion, "late") != 0;
  return cli_ensemble_members (argv + 1, argc - 1, data, checkpoints, &opts, out,
                               json ? CLI_PRINT_JSON : CLI_PRINT_TEXT, NULL);
}
