#include "ts-model.h"
#include "ts-error.h"
#include "ts-safetensors.h"

#include <string.h>

static void
add_vector (TsSafetensorsWriter *w, const char *name, const float *data, guint n)
{
  guint64 dims[1] = { n };
  ts_safetensors_writer_add (w, name, data, 1, dims);
}

gboolean
ts_model_save (const char *path, const TsNet *net, const TsPreprocess *pp, const TsExperiment *exp,
               GError **error)
{
  g_autoptr(TsSafetensorsWriter) w = ts_safetensors_writer_new ();
  g_autofree char *json = ts_experiment_to_json (exp);

  for (guint i = 0; i < net->tensors->len; i++)
    {
      const TsParamTensor *t = &g_array_index (net->tensors, TsParamTensor, i);
      guint64 dims[2] = { t->rows, t->cols };
      ts_safetensors_writer_add (w, t->name, net->params + t->offset, t->cols ? 2 : 1, dims);
    }
  if (pp && pp->kind != TS_PRE_NONE)
    {
      add_vector (w, "preprocess.mean", pp->mean, pp->in_dim);
      if (pp->std)
        add_vector (w, "preprocess.std", pp->std, pp->in_dim);
      if (pp->projection)
        {
          guint64 dims[2] = { pp->out_dim, pp->in_dim };
          ts_safetensors_writer_add (w, "preprocess.projection", pp->projection, 2, dims);
        }
    }
  ts_safetensors_writer_set_metadata (w, "experiment", json);
  ts_safetensors_writer_set_metadata (w, "format", "pt");
  return ts_safetensors_writer_save (w, path, error);
}

void
ts_model_free (TsModel *model)
{
  if (model == NULL)
    return;
  ts_experiment_free (model->experiment);
  ts_net_free (model->net);
  ts_preprocess_free (model->preprocess);
  g_free (model);
}

static gboolean
shape_is (const TsShape *shape, guint rows, guint cols)
{
  return cols ? shape->ndim == 2 && shape->dims[0] == rows && shape->dims[1] == cols
              : shape->ndim == 1 && shape->dims[0] == rows;
}

static gboolean
load_preprocess (TsModel *m, TsSafetensors *st, GError **error)
{
  TsPreprocessKind kind = m->experiment->data.preprocess;
  guint out_dim = m->net->in_dim, in_dim = out_dim;
  g_autofree float *mean = NULL, *std = NULL, *projection = NULL;
  TsShape shape;

  if (kind == TS_PRE_NONE || !ts_safetensors_has (st, "preprocess.mean"))
    {
      if (kind != TS_PRE_NONE)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                       "%s: the experiment preprocesses with %s but the file has no preprocess.mean tensor",
                       ts_safetensors_path (st), ts_preprocess_name (kind));
          return FALSE;
        }
      m->preprocess = ts_preprocess_new_from_parts (TS_PRE_NONE, in_dim, in_dim, NULL, NULL, NULL);
      return TRUE;
    }
  if ((mean = ts_safetensors_get_f32 (st, "preprocess.mean", &shape, error)) == NULL)
    return FALSE;
  in_dim = shape.ndim == 1 ? (guint) shape.dims[0] : 0;
  if (ts_safetensors_has (st, "preprocess.std")
      && ((std = ts_safetensors_get_f32 (st, "preprocess.std", &shape, error)) == NULL || !shape_is (&shape, in_dim, 0)))
    goto bad_shape;
  if (ts_safetensors_has (st, "preprocess.projection")
      && ((projection = ts_safetensors_get_f32 (st, "preprocess.projection", &shape, error)) == NULL
          || !shape_is (&shape, out_dim, in_dim)))
    goto bad_shape;
  if (projection == NULL && in_dim != out_dim)
    goto bad_shape;
  m->preprocess = ts_preprocess_new_from_parts (kind, in_dim, out_dim, mean, std, projection);
  return TRUE;

bad_shape:
  if (error && *error == NULL)
    g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                 "%s: the preprocess.* tensors do not agree with each other or with layers.0.weight",
                 ts_safetensors_path (st));
  return FALSE;
}

static gboolean
load_parameters (TsNet *net, TsSafetensors *st, GError **error)
{
  for (guint i = 0; i < net->tensors->len; i++)
    {
      const TsParamTensor *t = &g_array_index (net->tensors, TsParamTensor, i);
      TsShape shape;
      g_autofree float *data = ts_safetensors_get_f32 (st, t->name, &shape, error);

      if (data == NULL)
        return FALSE;
      if (!shape_is (&shape, t->rows, t->cols))
        {
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: tensor \"%s\" has the wrong shape for the experiment "
                       "(expected [%u%s%.0u])", ts_safetensors_path (st), t->name, t->rows, t->cols ? ", " : "", t->cols);
          return FALSE;
        }
      memcpy (net->params + t->offset, data, sizeof (float) * t->rows * MAX (t->cols, 1));
    }
  return TRUE;
}

/* K of the output layer: every hidden layer counts, and so does each PReLU */
static guint
output_layer_index (const TsExperiment *exp)
{
  guint k = 0;
  for (guint l = 0; l < exp->model.layers->len; l++)
    k += ts_experiment_layer_activation (exp, l) == TS_ACT_PRELU ? 2 : 1;
  return k;
}

/* what the net would allocate, checked against the file before allocating */
static guint64
expected_parameters (const TsExperiment *exp, guint64 in_dim, guint64 n_classes)
{
  guint64 total = 0, fan_in = in_dim;
  for (guint l = 0; l <= exp->model.layers->len; l++)
    {
      guint64 out = l < exp->model.layers->len ? g_array_index (exp->model.layers, TsLayerSpec, l).units : n_classes;
      total += fan_in * out + out;
      fan_in = out;
    }
  return total;
}

TsModel *
ts_model_load (const char *path, GError **error)
{
  g_autoptr(TsSafetensors) st = ts_safetensors_load (path, error);
  g_autoptr(TsModel) m = NULL;
  const char *json;
  TsShape first, last;
  g_autofree float *w0 = NULL, *wl = NULL;
  g_autofree char *last_name = NULL;
  GError *inner = NULL;

  if (st == NULL)
    return NULL;
  json = ts_safetensors_metadata (st, "experiment");
  if (json == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                   "%s: __metadata__.experiment is missing; expected the experiment JSON that describes the model", path);
      return NULL;
    }
  m = g_new0 (TsModel, 1);
  if ((m->experiment = ts_experiment_from_json (json, -1, &inner)) == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: __metadata__.experiment: %s", path, inner->message);
      g_error_free (inner);
      return NULL;
    }
  /* the input and output sizes come from the first and last dense weights */
  if ((w0 = ts_safetensors_get_f32 (st, "layers.0.weight", &first, error)) == NULL)
    return NULL;
  last_name = g_strdup_printf ("layers.%u.weight", output_layer_index (m->experiment));
  if ((wl = ts_safetensors_get_f32 (st, last_name, &last, error)) == NULL)
    return NULL;
  if (first.ndim != 2 || last.ndim != 2 || last.dims[0] < 1 || last.dims[0] > 100000)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: the dense weights must be [out, in] matrices", path);
      return NULL;
    }
  if (expected_parameters (m->experiment, first.dims[1], last.dims[0]) > ts_safetensors_data_size (st) / 4)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                   "%s: the experiment's layers need more weights than the file holds", path);
      return NULL;
    }
  m->net = ts_net_new_from_experiment (m->experiment, (guint) first.dims[1], (guint) last.dims[0], 256);
  if (!load_parameters (m->net, st, error) || !load_preprocess (m, st, error))
    return NULL;
  return g_steal_pointer (&m);
}
