#include "ts-limits.h"
#include "ts-error.h"
#include "ts-blas.h"

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

/* im2col: each thread unfolds this many samples' columns at a time (the
 * engine bounds its buffers per thread, never a whole batch) */
#define IM2COL_SAMPLES 8

/* one hidden layer of `in` → `out`: its parameters, the per-channel
 * buffers beside them, and the floats it holds per batch row */
static void
count_layer (const TsExperiment *exp, guint l, const TsShape *in, const TsShape *out, TsFootprint *f,
             double *buffers, double *row_floats)
{
  const TsLayerSpec *spec = &g_array_index (exp->model.layers, TsLayerSpec, l);
  double n_out = (double) ts_shape_numel (out), channels = (double) out->dims[0];
  TsActivation act = ts_experiment_layer_activation (exp, l);
  gboolean weighted = spec->kind == TS_LAYER_DENSE || spec->kind == TS_LAYER_CONV;

  f->params += (double) ts_layer_param_count (spec, in);
  switch (spec->kind)
    {
    case TS_LAYER_BATCHNORM:
      /* the running mean and variance beside γ and β (per unit or per
       * channel); per row x̂, the normalised output and its gradient */
      *buffers += 2 * (double) in->dims[0];
      *row_floats += 3 * n_out;
      return;
    case TS_LAYER_DENSE:
      /* z, a, ∂: three floats per unit and row */
      *row_floats += 3 * n_out;
      break;
    case TS_LAYER_CONV:
    case TS_LAYER_POOL:
      /* per element of C·H·W: z, a, the layer's output y and its gradient
       * (a pool's y holds the max's position) */
      *row_floats += 4 * n_out;
      break;
    case TS_LAYER_GLOBAL_AVG_POOL:
      *row_floats += 3 * n_out;
      break;
    }
  if (!weighted)
    return;
  /* PReLU's slopes (per unit or channel); dropout's output and mask two
   * floats more, RReLU's drawn slopes one */
  f->params += act == TS_ACT_PRELU ? channels : 0;
  *row_floats += n_out * ((exp->model.dropout > 0 ? 2 : 0) + (act == TS_ACT_RRELU));
}

/* the unfolded columns of IM2COL_SAMPLES samples, and their gradient, per
 * thread, for the conv with the widest columns */
static double
im2col_floats (const TsExperiment *exp, const TsShape *shapes, const TsShape *input, guint n_layers)
{
  double widest = 0;

  for (guint l = 0; l < n_layers; l++)
    {
      const TsLayerSpec *spec = &g_array_index (exp->model.layers, TsLayerSpec, l);
      const TsShape *in = l ? &shapes[l - 1] : input;
      if (spec->kind == TS_LAYER_CONV)
        widest = MAX (widest, (double) in->dims[0] * spec->kernel * spec->kernel * shapes[l].dims[1] * shapes[l].dims[2]);
    }
  return 2.0 * IM2COL_SAMPLES * widest * MAX (ts_blas_threads (), 1);
}

TsFootprint
ts_experiment_footprint_shaped (const TsExperiment *exp, const TsShape *input, guint n_classes)
{
  const TsModelSpec *model = &exp->model;
  guint n = model->layers->len;
  g_autofree TsShape *shapes = g_new0 (TsShape, n + 1);
  TsFootprint f = { 0 };
  double row_floats = 0, buffers = 0, rows = MAX (exp->train.batch_size, EVAL_ROWS), in_floats;
  const TsShape *in = input;
  guint l;

  /* a shape that does not work out (an image layer on a vector while the
   * data's shape is unknown) ends the count there: what is counted is a
   * lower bound, and the shapes are checked on their own */
  for (l = 0; l < n && ts_layer_output_shape (&g_array_index (model->layers, TsLayerSpec, l), in, &shapes[l], NULL);
       l++)
    {
      count_layer (exp, l, in, &shapes[l], &f, &buffers, &row_floats);
      in = &shapes[l];
    }
  if (l == n)
    {
      /* the output layer: dense to the classes, flattening C,H,W */
      double fan_in = (double) ts_shape_numel (in), out = MAX (n_classes, 2);
      f.params += fan_in * out + out;
      row_floats += 3 * out;
    }
  in_floats = (double) MAX (ts_shape_numel (input), 1);
  f.param_bytes = sizeof (float) * (f.params * param_blocks (exp->train.optimizer) + 2 * buffers);
  /* the batch being trained (and its raw copy when augmenting), beside the
   * workspace; the per-thread im2col columns */
  f.act_bytes = sizeof (float) * (rows * (row_floats + 2.0 * in_floats) + im2col_floats (exp, shapes, input, l));
  f.bytes = f.param_bytes + f.act_bytes + f.stats_bytes;
  return f;
}

TsFootprint
ts_experiment_footprint (const TsExperiment *exp, guint in_dim, guint n_classes)
{
  TsShape input = { 1, { MAX (in_dim, 1) } };
  return ts_experiment_footprint_shaped (exp, &input, n_classes);
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
