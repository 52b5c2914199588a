#include "ts-limits.h"
#include "ts-error.h"

#include <unistd.h>

/* the rows an evaluation forward pass takes at once (ts-training.c): the
 * workspace grows to them when the batch is smaller */
#define EVAL_ROWS 1024

double
ts_memory_physical (void)
{
  double pages = (double) sysconf (_SC_PHYS_PAGES), size = (double) sysconf (_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? pages * size : 0;
}

/* blocks the size of the parameters: the parameters, their gradients, the
 * copy that measures updates, the published snapshot, and the optimizer's
 * state (velocity; Adam's two moments) */
static double
param_blocks (TsOptimizerKind kind)
{
  return 4 + (kind == TS_OPT_ADAM ? 2 : kind == TS_OPT_SGD ? 0 : 1);
}

TsFootprint
ts_experiment_footprint (const TsExperiment *exp, guint in_dim, guint n_classes)
{
  const TsModelSpec *model = &exp->model;
  TsFootprint f = { 0 };
  double fan_in = MAX (in_dim, 1), row_floats = 0, buffers = 0, rows = MAX (exp->train.batch_size, EVAL_ROWS);
  guint n_layers = model->layers->len + 1;

  for (guint l = 0; l < n_layers; l++)
    {
      gboolean hidden = l < model->layers->len;
      double out;
      TsActivation act;

      if (hidden && g_array_index (model->layers, TsLayerSpec, l).kind == TS_LAYER_BATCHNORM)
        {
          /* γ and β trained, the running mean and variance beside them;
           * per row x̂, the normalised output and its gradient */
          f.params += 2 * fan_in;
          buffers += 2 * fan_in;
          row_floats += 3 * fan_in;
          continue;
        }
      out = hidden ? g_array_index (model->layers, TsLayerSpec, l).units : MAX (n_classes, 2);
      act = hidden ? ts_experiment_layer_activation (exp, l) : TS_ACT_IDENTITY;
      /* weights, bias, and PReLU's slopes */
      f.params += fan_in * out + out + (act == TS_ACT_PRELU ? out : 0);
      /* z, a, ∂: three floats per unit and row; dropout's output and mask
       * two more; RReLU's drawn slopes one */
      row_floats += out * (3 + (hidden && model->dropout > 0 ? 2 : 0) + (act == TS_ACT_RRELU));
      fan_in = out;
    }
  f.param_bytes = sizeof (float) * (f.params * param_blocks (exp->train.optimizer) + 2 * buffers);
  /* the batch being trained (and its raw copy when augmenting), beside the workspace */
  f.act_bytes = sizeof (float) * rows * (row_floats + 2.0 * MAX (in_dim, 1));
  f.bytes = f.param_bytes + f.act_bytes + f.stats_bytes;
  return f;
}

gboolean
ts_check_memory (const char *key, const char *what, double bytes, GError **error)
{
  double ram = ts_memory_physical ();

  if (ram <= 0 || bytes <= ram * TS_MEMORY_SHARE)
    return TRUE;
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: %s need about %.1f GB; this machine has %.1f GB (a run may use "
               "half)", key, what, bytes / 1e9, ram / 1e9);
  return FALSE;
}

gboolean
ts_experiment_check_memory (const TsExperiment *exp, guint in_dim, guint n_classes, GError **error)
{
  TsFootprint f = ts_experiment_footprint (exp, in_dim, n_classes);

  return ts_experiment_check_footprint (exp, &f, error);
}

gboolean
ts_experiment_check_footprint (const TsExperiment *exp, const TsFootprint *footprint, GError **error)
{
  TsFootprint f = *footprint;
  g_autofree char *what = NULL;

  if (f.param_bytes >= f.act_bytes)
    what = g_strdup_printf ("%.0f parameters with their gradients and optimizer state, and the activations at "
                            "train.batch_size %u,", f.params, exp->train.batch_size);
  else
    what = g_strdup_printf ("the activations of %u layers at train.batch_size %u, and %.0f parameters,",
                            exp->model.layers->len + 1, exp->train.batch_size, f.params);
  return ts_check_memory (f.param_bytes >= f.act_bytes ? "model.layers" : "train.batch_size", what, f.bytes, error);
}
