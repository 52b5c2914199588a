/* The shapes an experiment's layers make of its data, before anything is
 * loaded or allocated: the input a named source's samples have (known for
 * the built-in generators, Fashion-MNIST and CIFAR; CSV, IDX and image
 * folders only once read), what data.view and data.preprocess make of it,
 * and every layer's output shape and parameter count through
 * ts_layer_output_shape / ts_layer_param_count — the one derivation the
 * net's layout uses too. */
#include "ts-experiment-private.h"
#include "ts-error.h"
#include "ts-limits.h"

#include <string.h>

/* builtin:shapes draws 32×32 RGB images of up to eight classes (core/data/ts-shapes.c) */
#define SHAPES_SIZE 32
#define SHAPES_CLASSES 8

/* the source's samples as loaded, before view and preprocessing */
static gboolean
source_shape (const char *source, TsShape *shape)
{
  if (strcmp (source, "builtin:shapes") == 0)
    *shape = (TsShape) { 3, { 3, SHAPES_SIZE, SHAPES_SIZE } };
  else if (g_str_has_prefix (source, "builtin:"))
    *shape = (TsShape) { 1, { 2 } }; /* the 2-D point sets */
  else if (strcmp (source, "fashion-mnist") == 0)
    *shape = (TsShape) { 3, { 1, 28, 28 } };
  else if (g_str_has_prefix (source, "cifar10:") || g_str_has_prefix (source, "cifar100:"))
    *shape = (TsShape) { 3, { 3, 32, 32 } };
  else if (g_str_has_prefix (source, "folder:"))
    return FALSE; /* resized to image_size, but grey or colour is known only from the files */
  else
    return FALSE; /* idx:, csv: — their headers say, once read */
  return TRUE;
}

static gboolean
pca_family (const TsExperiment *exp)
{
  return exp->data.preprocess == TS_PRE_PCA || exp->data.preprocess == TS_PRE_PCA_WHITEN;
}

/* the source's samples as the task carves them: a csv read as images
 * (data.image_shape), images resized (data.resize) */
static gboolean
task_shape (const TsExperiment *exp, TsShape *shape)
{
  const TsDataSpec *d = &exp->data;

  if (d->image_shape->len == 3 && g_str_has_prefix (d->source, "csv:"))
    *shape = (TsShape) { 3, { g_array_index (d->image_shape, guint, 0), g_array_index (d->image_shape, guint, 1),
                              g_array_index (d->image_shape, guint, 2) } };
  else if (!source_shape (d->source, shape))
    return FALSE;
  if (d->resize->len == 2 && shape->ndim == 3)
    {
      shape->dims[1] = g_array_index (d->resize, guint, 0);
      shape->dims[2] = g_array_index (d->resize, guint, 1);
    }
  return TRUE;
}

/* a sample of that shape after data.view, before preprocessing */
static void
view_of (const TsExperiment *exp, TsShape *shape)
{
  if (exp->data.view != TS_VIEW_ALL && shape->ndim == 3)
    {
      /* the half a view keeps (core/data/ts-view.c: top H/2, bottom H − H/2) */
      guint64 h = shape->dims[1], w = shape->dims[2];
      if (exp->data.view == TS_VIEW_TOP || exp->data.view == TS_VIEW_BOTTOM)
        shape->dims[1] = exp->data.view == TS_VIEW_TOP ? h / 2 : h - h / 2;
      else
        shape->dims[2] = exp->data.view == TS_VIEW_LEFT ? w / 2 : w - w / 2;
    }
}

/* the source's samples after data.view, before preprocessing */
static gboolean
viewed_shape (const TsExperiment *exp, TsShape *out)
{
  if (exp->data.source == NULL || !task_shape (exp, out))
    return FALSE;
  view_of (exp, out);
  return TRUE;
}

void
ts_experiment_input_shape_from (const TsExperiment *exp, const TsShape *source, TsShape *input)
{
  TsShape shape = *source;

  view_of (exp, &shape);
  if (pca_family (exp))
    {
      /* projections onto principal components are feature vectors, whatever
       * the samples were; centring, standardising and ZCA keep images */
      guint64 n = ts_shape_numel (&shape);
      if (exp->data.pca_components > 0 && exp->data.pca_components < n)
        n = exp->data.pca_components;
      shape = (TsShape) { 1, { n } };
    }
  *input = shape;
}

gboolean
ts_experiment_input_shape (const TsExperiment *exp, TsShape *input)
{
  TsShape shape;

  if (exp->data.source == NULL || !task_shape (exp, &shape))
    return FALSE;
  ts_experiment_input_shape_from (exp, &shape, input);
  return TRUE;
}

guint
ts_experiment_class_count (const TsExperiment *exp)
{
  const char *source = exp->data.source ? exp->data.source : "";

  if (exp->data.class_subset->len > 0)
    return exp->data.class_subset->len;
  if (strcmp (source, "builtin:shapes") == 0)
    return exp->data.classes >= 2 && exp->data.classes <= SHAPES_CLASSES ? exp->data.classes : SHAPES_CLASSES;
  if (strcmp (source, "builtin:xor") == 0 || strcmp (source, "builtin:moons") == 0)
    return 2;
  if (g_str_has_prefix (source, "builtin:"))
    return exp->data.classes;
  if (strcmp (source, "fashion-mnist") == 0 || g_str_has_prefix (source, "cifar10:"))
    return 10;
  if (g_str_has_prefix (source, "cifar100:"))
    return 100;
  return 0;
}

gboolean
ts_experiment_layer_shapes_for (const TsExperiment *exp, const TsShape *input, guint n_classes, TsShape *shapes,
                                guint64 *params, GError **error)
{
  const TsShape *in = input;
  guint n = exp->model.layers->len;
  TsShape flat;

  for (guint i = 0; i < n; i++)
    {
      const TsLayerSpec *spec = &g_array_index (exp->model.layers, TsLayerSpec, i);
      g_autoptr(GError) why = NULL;

      if (!ts_layer_output_shape (spec, in, &shapes[i], &why))
        {
          g_autofree char *there = ts_shape_text (in);
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "model.layers[%u]: %s (input %s)", i, why->message,
                       there);
          return FALSE;
        }
      if (params)
        params[i] = ts_layer_param_count (spec, in);
      in = &shapes[i];
    }
  /* the implicit output layer: dense to the classes, flattening in C,H,W order */
  shapes[n] = (TsShape) { 1, { n_classes } };
  flat = (TsShape) { 1, { ts_shape_numel (in) } };
  if (params)
    params[n] = n_classes ? (guint64) n_classes * flat.dims[0] + n_classes : 0;
  return TRUE;
}

gboolean
ts_experiment_layer_shapes (const TsExperiment *exp, const TsShape *input, TsShape *shapes, guint64 *params,
                            GError **error)
{
  return ts_experiment_layer_shapes_for (exp, input, ts_experiment_class_count (exp), shapes, params, error);
}

static gboolean
has_image_layers (const TsExperiment *exp)
{
  for (guint i = 0; i < exp->model.layers->len; i++)
    if (g_array_index (exp->model.layers, TsLayerSpec, i).kind >= TS_LAYER_CONV)
      return TRUE;
  return FALSE;
}

/* Every layer's shape when the source's is known without loading it (the
 * trainer checks again with the data), then the memory estimate: with the
 * data's shape it is the estimate, else the narrowest data (one input, two
 * classes) gives a lower bound, so what it refuses cannot fit. */
gboolean
_ts_experiment_validate_shapes (const TsExperiment *exp, GError **error)
{
  TsShape raw, input = { 1, { 1 } };
  guint n_classes = ts_experiment_class_count (exp);
  gboolean known = ts_experiment_input_shape (exp, &input);
  g_autofree TsShape *shapes = g_new (TsShape, exp->model.layers->len + 1);
  TsFootprint f;

  if (known && viewed_shape (exp, &raw) && raw.ndim == 3 && input.ndim == 1 && has_image_layers (exp))
    {
      /* the layers' own sentence would blame a vector; the key that made it is preprocessing */
      g_autofree char *text = ts_shape_text (&raw);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "data.preprocess: %s turns the %s images into %" G_GUINT64_FORMAT " components, which conv and "
                   "pool layers cannot slide over; use center, standardize or zca (they keep the pixels), or dense "
                   "layers only", ts_preprocess_name (exp->data.preprocess), text, input.dims[0]);
      return FALSE;
    }
  if (known && !ts_experiment_layer_shapes (exp, &input, shapes, NULL, error))
    return FALSE;
  f = ts_experiment_footprint_shaped (exp, &input, MAX (n_classes, 2));
  return ts_experiment_check_footprint (exp, &f, error);
}
