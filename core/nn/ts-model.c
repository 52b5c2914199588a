#include "ts-model.h"
#include "ts-net-private.h"
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
      const TsNetTensor *t = &g_array_index (net->tensors, TsNetTensor, i);
      if (t->dtype == TS_DTYPE_I64)
        {
          gint64 count = (gint64) net->params[t->offset];
          ts_safetensors_writer_add_i64 (w, t->name, &count, t->shape.ndim, t->shape.dims);
        }
      else
        ts_safetensors_writer_add (w, t->name, net->params + t->offset, t->shape.ndim, t->shape.dims);
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
  guint out_dim = ts_net_in_dim (m->net), in_dim = out_dim;
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
same_shape (const TsShape *a, const TsShape *b)
{
  if (a->ndim != b->ndim)
    return FALSE;
  for (guint d = 0; d < a->ndim; d++)
    if (a->dims[d] != b->dims[d])
      return FALSE;
  return TRUE;
}

static char *
shape_text (const TsShape *shape)
{
  GString *s = g_string_new ("[");
  for (guint d = 0; d < shape->ndim; d++)
    g_string_append_printf (s, "%s%" G_GUINT64_FORMAT, d ? ", " : "", shape->dims[d]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/* Every tensor of the layout — parameters and buffers — is in the file
 * with its shape: checked from the header before anything is allocated,
 * so a file cannot make the net larger than the data it holds. */
static gboolean
check_tensors (const GArray *tensors, TsSafetensors *st, GError **error)
{
  for (guint i = 0; i < tensors->len; i++)
    {
      const TsNetTensor *t = &g_array_index (tensors, TsNetTensor, i);
      TsShape shape;

      if (!ts_safetensors_get_shape (st, t->name, &shape, error))
        return FALSE;
      if (!same_shape (&shape, &t->shape))
        {
          g_autofree char *want = shape_text (&t->shape), *got = shape_text (&shape);
          g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                       "%s: tensor \"%s\" has the wrong shape for the experiment (expected %s, got %s)",
                       ts_safetensors_path (st), t->name, want, got);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
load_state (TsNet *net, TsSafetensors *st, GError **error)
{
  for (guint i = 0; i < net->tensors->len; i++)
    {
      const TsNetTensor *t = &g_array_index (net->tensors, TsNetTensor, i);
      g_autofree float *data = ts_safetensors_get_f32 (st, t->name, NULL, error);

      if (data == NULL)
        return FALSE;
      memcpy (net->params + t->offset, data, sizeof (float) * ts_shape_numel (&t->shape));
    }
  return TRUE;
}

/* The spec's layout for in_dim inputs and n_classes outputs: its tensors,
 * and the name of the output layer's weight (the last dense weight). */
static GArray *
spec_layout (const TsExperiment *exp, guint in_dim, guint n_classes, char **output_weight)
{
  GArray *tensors = ts_net_spec_tensors (in_dim, (const TsLayerSpec *) exp->model.layers->data,
                                         exp->model.layers->len, exp->model.activation, n_classes, NULL, NULL);
  for (guint i = tensors->len; output_weight && i-- > 0;)
    {
      const TsNetTensor *t = &g_array_index (tensors, TsNetTensor, i);
      if (t->shape.ndim == 2)
        {
          *output_weight = g_strdup (t->name);
          break;
        }
    }
  return tensors;
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
  g_autoptr(GArray) probe = NULL, layout = NULL;
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
  probe = spec_layout (m->experiment, 1, 1, &last_name);
  if ((wl = ts_safetensors_get_f32 (st, last_name, &last, error)) == NULL)
    return NULL;
  if (first.ndim != 2 || last.ndim != 2 || last.dims[0] < 1 || last.dims[0] > 100000)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: the dense weights (layers.0.weight, %s) must be [out, in] matrices", path,
                   last_name);
      return NULL;
    }
  layout = spec_layout (m->experiment, (guint) first.dims[1], (guint) last.dims[0], NULL);
  if (!check_tensors (layout, st, error))
    return NULL;
  m->net = ts_net_new_from_experiment (m->experiment, (guint) first.dims[1], (guint) last.dims[0], 256);
  if (!load_state (m->net, st, error) || !load_preprocess (m, st, error))
    return NULL;
  return g_steal_pointer (&m);
}
