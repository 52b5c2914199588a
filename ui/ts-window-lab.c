/* The Init lab's hand-offs to the window: a picked cell as an experiment,
 * Train All as a race of every cell, each at a learning rate of its own. */
#include "ts-race.h"
#include "ts-window-private.h"

/* the selected experiment (or the default) as the lab's net: spec.layers
 * hidden layers of spec.width units — or, after a stack probe, its own
 * layers, each with the cell's activation as the probe had them — and the
 * init and activation of the cell */
static TsExperiment *
lab_experiment (TsWindow *self, const TsProbeSpec *spec, TsInit init, TsActivation activation)
{
  TsExperiment *exp = self->selected ? ts_experiment_copy (ts_run_get_experiment (self->selected))
                                     : ts_experiment_new_default ();

  exp->model.init = init;
  exp->model.activation = activation;
  exp->model.init_scale = spec->init_scale;
  if (ts_init_lab_probed_stack (TS_INIT_LAB (self->init_lab)))
    {
      for (guint l = 0; l < exp->model.layers->len; l++)
        g_array_index (exp->model.layers, TsLayerSpec, l).activation = TS_INHERIT_ACTIVATION;
      return exp;
    }
  g_array_set_size (exp->model.layers, 0);
  for (guint l = 0; l < spec->layers; l++)
    g_array_append_val (exp->model.layers, ((TsLayerSpec) { spec->width, TS_INHERIT_ACTIVATION }));
  return exp;
}

/* "4×32", or for a stack probe "5 layers" */
static char *
lab_net_name (TsWindow *self, const TsProbeSpec *spec, const TsExperiment *exp)
{
  if (ts_init_lab_probed_stack (TS_INIT_LAB (self->init_lab)))
    return g_strdup_printf ("%u layers", exp->model.layers->len);
  return g_strdup_printf ("%u×%u", spec->layers, spec->width);
}

/* a cell of the init lab: the net it probed, as a new experiment */
static void
on_init_lab_pick (TsInitLab *lab, int init, int activation, TsWindow *self)
{
  TsProbeSpec spec;
  g_autoptr(TsExperiment) exp = NULL;

  if (ts_init_lab_get_cell (lab, 0, &spec) == NULL)
    return;
  exp = lab_experiment (self, &spec, init, activation);
  {
    g_autofree char *net = lab_net_name (self, &spec, exp);
    g_free (exp->name);
    exp->name = g_strdup_printf ("%s · %s · %s", ts_init_name (init), ts_activation_name (activation), net);
  }
  ts_window_add_experiment (self, exp);
  _ts_window_toast (self, "New experiment “%s”: press Start to train it", exp->name);
}

/* every cell at its own learning rate: queued, only these runs overlaid */
static void
on_race_planned (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(TsWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) exps = ts_race_plan_finish (result, &error);
  g_autoptr(GPtrArray) race = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  if (self->runs == NULL)
    return; /* the window closed meanwhile */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->runs));
  ts_init_lab_set_racing (TS_INIT_LAB (self->init_lab), FALSE);
  if (exps == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _ts_window_toast (self, "Train All: %s", error->message);
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      ts_run_set_overlay (run, FALSE);
    }
  for (guint i = 0; i < exps->len; i++)
    {
      TsExperiment *exp = exps->pdata[i];
      char lr[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *name = g_strdup_printf ("%s · lr %s", exp->name, g_ascii_formatd (lr, sizeof lr, "%.2g", exp->train.lr));
      g_free (exp->name);
      exp->name = g_steal_pointer (&name);
      g_ptr_array_add (race, g_object_ref (ts_window_add_experiment (self, exp)));
    }
  for (guint i = 0; i < race->len; i++)
    ts_run_enqueue (race->pdata[i]);
  _ts_window_dispatch_queue (self);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.page", "s", "training");
  _ts_window_toast (self, "Racing %u runs, each at the learning rate its LR-finder sweep chose", race->len);
}

/* "Train All": every cell's init and activation at the lab's depth and
 * width, on the selected experiment's data, each first given its own
 * learning rate by a short LR-finder sweep (in a worker: ts-race.h) — one
 * shared rate would race the rate, not the inits */
static void
on_init_lab_train_all (TsInitLab *lab, TsWindow *self)
{
  g_autoptr(GPtrArray) exps = g_ptr_array_new_with_free_func ((GDestroyNotify) ts_experiment_free);
  const TsProbeCell *cell;
  TsProbeSpec spec;

  if (ts_init_lab_get_cell (lab, 0, &spec) == NULL)
    {
      _ts_window_toast (self, "Run the probe first: Train All races its cells");
      return;
    }
  for (guint c = 0; (cell = ts_init_lab_get_cell (lab, c, NULL)); c++)
    {
      TsExperiment *exp = lab_experiment (self, &spec, cell->init, cell->activation);
      g_autofree char *net = lab_net_name (self, &spec, exp);
      g_free (exp->name);
      exp->name = g_strdup_printf ("race · %s · %s · %s", ts_init_name (cell->init),
                                   ts_activation_name (cell->activation), net);
      g_ptr_array_add (exps, exp);
    }
  ts_init_lab_set_racing (lab, TRUE);
  _ts_window_toast (self, "Finding a learning rate for each of %u cells (%u steps each)…", exps->len,
                    TS_RACE_SWEEP_STEPS);
  ts_race_plan_async (g_steal_pointer (&exps), NULL, on_race_planned, g_object_ref (self));
}

void
_ts_window_connect_init_lab (TsWindow *self)
{
  g_signal_connect (self->init_lab, "pick", G_CALLBACK (on_init_lab_pick), self);
  g_signal_connect (self->init_lab, "train-all", G_CALLBACK (on_init_lab_train_all), self);
}
