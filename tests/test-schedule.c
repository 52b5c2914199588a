/* The plateau schedule against PyTorch's ReduceLROnPlateau on recorded
 * validation-loss series (tests/fixtures/torch/plateau.json, made by
 * tests/fixtures/make_plateau_fixture.py), and in a real run. */
#include "test-util.h"

static void
test_plateau_matches_torch (void)
{
  g_autofree char *path = fixture_path ("torch/plateau.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *cases;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  cases = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "cases");
  g_assert_cmpuint (json_array_get_length (cases), >=, 8);
  for (guint c = 0; c < json_array_get_length (cases); c++)
    {
      JsonObject *o = json_array_get_object_element (cases, c);
      JsonArray *losses = json_object_get_array_member (o, "val_loss");
      JsonArray *expected = json_object_get_array_member (o, "lr_after");
      guint patience = (guint) json_object_get_int_member (o, "patience");
      TsTrainSpec train = { .lr = json_object_get_double_member (o, "base_lr") };
      TsPlateau p;

      train.schedule = (TsScheduleSpec) { TS_SCHED_PLATEAU, 1, json_object_get_double_member (o, "factor"),
                                          patience, 0 };
      ts_plateau_init (&p);
      for (guint e = 0; e < json_array_get_length (losses); e++)
        {
          JsonNode *v = json_array_get_element (losses, e);
          double loss = JSON_NODE_HOLDS_NULL (v) ? NAN : json_node_get_double (v);
          double want = json_array_get_double_element (expected, e), got;

          ts_plateau_observe (&p, loss, patience);
          got = ts_schedule_lr (&train, train.lr, e + 1, 0, p.decays);
          if (fabs (got - want) > 1e-9 * want)
            g_error ("%s (patience %u, factor %g) after epoch %u: lr %.9g, PyTorch %.9g",
                     json_object_get_string_member (o, "name"), patience, train.schedule.factor, e + 1, got, want);
        }
    }
}

/* the reproducer: spiral, patience 3, factor 5; the validation loss
 * improves in every early epoch, so the LR must not fall then */
static void
test_plateau_keeps_lr_while_improving (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 10);
  g_autoptr(TsTraining) t = NULL;

  exp->train.schedule.type = TS_SCHED_PLATEAU;
  exp->train.schedule.patience = 3;
  exp->train.schedule.factor = 5;
  t = train_to_end (exp);
  for (gsize i = 0; i < ts_metric_log_length (t->epochs); i++)
    {
      const TsEpochRecord *e = ts_metric_log_epoch (t->epochs, i);
      /* an LR below the base needs more than `patience` epochs without a new best before it */
      if (e->lr < exp->train.lr * 0.99)
        g_assert_cmpuint (i, >, 3);
    }
  g_assert_cmpfloat (fabs (ts_metric_log_epoch (t->epochs, 3)->lr - exp->train.lr), <, 1e-9);
  g_assert_cmpfloat (fabs (ts_metric_log_epoch (t->epochs, 4)->lr - exp->train.lr), <, 1e-9);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/schedule/plateau-matches-torch", test_plateau_matches_torch);
  g_test_add_func ("/core/schedule/plateau-keeps-lr-while-improving", test_plateau_keeps_lr_while_improving);
  return g_test_run ();
}
