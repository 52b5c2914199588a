/* trainscope-cli eval: a saved model on a source's test (or validation) split. */
#include "cli-commands.h"

int
cli_eval (int argc, char **argv)
{
  g_autofree char *data = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data, "Data source, as data.source in an experiment", "SOURCE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("MODEL.safetensors");
  g_autoptr(GError) error = NULL;
  g_autoptr(TsModel) model = NULL;
  TsSplits splits = { 0 };
  const TsDataset *set;
  const char *split_name;
  double loss = 0, acc = 0;
  guint correct = 0;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!cli_parse (context, &argc, &argv))
    return CLI_BAD_INPUT;
  if (argc != 2 || data == NULL)
    return cli_bad_input ("eval: expected MODEL.safetensors --data SOURCE");
  /* the data gives the input's shape when the file cannot (a global average pool) */
  if ((model = ts_model_load_for (argv[1], data, &error)) == NULL)
    return cli_bad_input ("%s", error->message);
  g_free (model->experiment->data.source);
  model->experiment->data.source = g_strdup (data);
  if (!ts_splits_load (model->experiment, &splits, NULL, &error))
    return cli_bad_input ("%s", error->message);
  if (splits.train->dim != model->preprocess->in_dim)
    {
      int code = cli_bad_input ("eval: %s gives %u features per sample; %s expects %u", data, splits.train->dim,
                                argv[1], model->preprocess->in_dim);
      ts_splits_clear (&splits);
      return code;
    }
  if (splits.train->n_classes > ts_net_n_classes (model->net))
    {
      int code = cli_bad_input ("eval: %s has %u classes; %s predicts %u", data, splits.train->n_classes, argv[1],
                                ts_net_n_classes (model->net));
      ts_splits_clear (&splits);
      return code;
    }
  ts_splits_apply (&splits, g_steal_pointer (&model->preprocess), FALSE);
  set = splits.test ? splits.test : splits.val;
  split_name = splits.test ? "test" : "val";
  if (set->n == 0)
    {
      int code = cli_bad_input ("eval: nothing to evaluate: %s has no test split, and the validation split is empty "
                                "(%s was trained with data.val_fraction %g)", data, argv[1],
                                model->experiment->data.val_fraction);
      ts_splits_clear (&splits);
      return code;
    }
  for (guint start = 0; start < set->n; start += 256)
    {
      guint rows = MIN (256, set->n - start);
      const float *logits = ts_net_forward (model->net, set->x + (gsize) start * set->dim, rows, FALSE, 0);
      loss += rows * ts_loss_forward_backward (model->experiment->train.loss, logits, set->y + start, rows,
                                               ts_net_n_classes (model->net), NULL, &correct);
    }
  acc = set->n ? (double) correct / set->n : 0.0;
  loss = set->n ? loss / set->n : 0.0;
  if (json)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "accuracy"), json_builder_add_double_value (b, acc);
      json_builder_set_member_name (b, "loss"), json_builder_add_double_value (b, loss);
      json_builder_set_member_name (b, "count"), json_builder_add_int_value (b, set->n);
      json_builder_set_member_name (b, "split"), json_builder_add_string_value (b, split_name);
      json_builder_end_object (b);
      node = json_builder_get_root (b);
      cli_print_json (node);
    }
  else
    g_print ("%s split of %s: accuracy %.2f%%, loss %.4f over %u samples\n", split_name, data, 100 * acc, loss, set->n);
  ts_splits_clear (&splits);
  return CLI_OK;
}
