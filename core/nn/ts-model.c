#include "ts-model.h"
#include "ts-net-private.h"
#include "ts-error.h"
#include "ts-safetensors.h"
#include "ts-source.h"

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
  {
    /* images: the tensors alone do not tell the input's height and width */
    g_autofree char *input = ts_shape_text (&net->in_shape);
    ts_safetensors_writer_set_metadata (w, "input_shape", input);
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
      if (!ts_shape_equal (&shape, &t->shape))
        {
          g_autofree char *want = ts_shape_text_spaced (&t->shape), *got = ts_shape_text_spaced (&shape);
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

/* The spec's layout for this input shape, or NULL when it does not fit */
static GArray *
spec_layout (const TsExperiment *exp, const TsShape *input, guint n_classes, GError **error)
{
  return ts_net_spec_tensors_shaped (input, (const TsLayerSpec *) exp->model.layers->data, exp->model.layers->len,
                                     exp->model.activation, n_classes, NULL, NULL, error);
}

/* "[1,28,28]" → shape; FALSE unless 1 to 3 positive dimensions */
static gboolean
parse_shape (const char *text, TsShape *shape)
{
  g_auto(GStrv) parts = NULL;
  guint n;

  if (text == NULL || !g_str_has_prefix (text, "[") || !g_str_has_suffix (text, "]"))
    return FALSE;
  {
    g_autofree char *inner = g_strndup (text + 1, strlen (text) - 2);
    parts = g_strsplit (inner, ",", -1);
  }
  n = g_strv_length (parts);
  if (n < 1 || n > 3 || n == 2)
    return FALSE;
  shape->ndim = n;
  for (guint i = 0; i < n; i++)
    {
      guint64 v;
      if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, 1, G_MAXINT32, &v, NULL))
        return FALSE;
      shape->dims[i] = v;
    }
  return TRUE;
}

/* Its layout's tensors are all in the file with their shapes */
static gboolean
layout_matches (const TsExperiment *exp, const TsShape *input, guint n_classes, TsSafetensors *st)
{
  g_autoptr(GArray) layout = spec_layout (exp, input, n_classes, NULL);
  return layout && check_tensors (layout, st, NULL);
}

/* The shape the samples of `source` have as this experiment's net sees
 * them (data.view, PCA): without loading when the source's name says it
 * (fashion-mnist, CIFAR, the builtin sets), else from its files (read
 * once more here: only models that do not say their input's shape pay it) */
static gboolean
source_shape (const TsExperiment *exp, const char *source, TsShape *input, GError **error)
{
  g_autoptr(TsExperiment) copy = ts_experiment_copy (exp);
  g_autoptr(TsSource) loaded = NULL;
  const TsDataset *ds;
  TsShape raw;

  g_free (copy->data.source);
  copy->data.source = g_strdup (source);
  if (ts_experiment_input_shape (copy, input))
    return TRUE;
  if ((loaded = ts_source_acquire (&copy->data, copy->seed, NULL, error)) == NULL)
    return FALSE;
  ds = ts_source_get_data (loaded)->train;
  raw = ds->channels ? (TsShape) { 3, { ds->channels, ds->height, ds->width } } : (TsShape) { 1, { ds->dim } };
  ts_experiment_input_shape_from (copy, &raw, input);
  return TRUE;
}

/* The input's shape: as the file says (__metadata__.input_shape, which
 * Trainscope writes), a dense first layer's [in], the shape of the data
 * it is to run on (`source`, when given) or else of its experiment's own
 * data.source when the tensors fit it, or for a conv net the one square
 * [C,s,s] whose layout the tensors fit — not unique when a global average
 * pool forgets the size: then the file or the data must say. */
static gboolean
input_shape (const TsExperiment *exp, TsSafetensors *st, const TsShape *first, guint n_classes, const char *source,
             TsShape *input, GError **error)
{
  const char *path = ts_safetensors_path (st), *meta = ts_safetensors_metadata (st, "input_shape");
  guint found = 0;

  if (meta)
    {
      if (parse_shape (meta, input))
        return TRUE;
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                   "%s: __metadata__.input_shape is \"%s\"; expected [C,H,W] or [D] with positive sizes", path, meta);
      return FALSE;
    }
  if (first->ndim == 2)
    {
      *input = (TsShape) { 1, { first->dims[1] } };
      return TRUE;
    }
  if (source)
    {
      /* what the data gives is the input, whether or not the tensors fit
       * it: when they do not, the layout check names the tensor */
      return source_shape (exp, source, input, error);
    }
  /* its own data, when that is here to say */
  if (exp->data.source && source_shape (exp, exp->data.source, input, NULL) && layout_matches (exp, input, n_classes, st))
    return TRUE;
  for (guint64 side = 1; side <= 4096 && found < 2; side++)
    {
      TsShape square = { 3, { first->ndim == 4 ? first->dims[1] : first->dims[0], side, side } };
      if (layout_matches (exp, &square, n_classes, st) && found++ == 0)
        *input = square;
    }
  if (found == 1)
    return TRUE;
  if (found)
    g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                 "%s: the tensors do not tell the input's shape: several image sizes fit them (a global average "
                 "pool forgets the size), and the data.source of its __metadata__.experiment (%s) cannot be "
                 "read here or gives no shape they fit; add __metadata__.input_shape, e.g. \"[3,32,32]\", or give the data it runs on "
                 "(--data SOURCE)", path, exp->data.source ? exp->data.source : "none");
  else
    g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                 "%s: the tensors do not tell the input's shape (no square image size fits them); add "
                 "__metadata__.input_shape, e.g. \"[3,32,32]\"", path);
  return FALSE;
}

/* the output layer's weight: the last layers.K.weight (K counts on without gaps) */
static char *
output_weight_name (TsSafetensors *st)
{
  char *last = NULL;

  for (guint k = 0;; k++)
    {
      g_autofree char *name = g_strdup_printf ("layers.%u.weight", k);
      if (!ts_safetensors_has (st, name))
        return last;
      g_free (last);
      last = g_steal_pointer (&name);
    }
}

TsModel *
ts_model_load (const char *path, GError **error)
{
  return ts_model_load_for (path, NULL, error);
}

TsModel *
ts_model_load_for (const char *path, const char *source, GError **error)
{
  g_autoptr(TsSafetensors) st = ts_safetensors_load (path, error);
  g_autoptr(TsModel) m = NULL;
  const char *json;
  TsShape first, last, input;
  g_autofree char *last_name = NULL;
  g_autoptr(GArray) layout = NULL;
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
  /* the output size from the last weight (the output layer's), the input's from the first */
  if (!ts_safetensors_get_shape (st, "layers.0.weight", &first, error))
    return NULL;
  last_name = output_weight_name (st);
  if (!ts_safetensors_get_shape (st, last_name, &last, error))
    return NULL;
  if (last.ndim != 2 || last.dims[0] < 1 || last.dims[0] > 100000)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: the output layer's weight %s must be an [out, in] matrix",
                   path, last_name);
      return NULL;
    }
  if (!input_shape (m->experiment, st, &first, (guint) last.dims[0], source, &input, error))
    return NULL;
  if ((layout = spec_layout (m->experiment, &input, (guint) last.dims[0], &inner)) == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: %s", path, inner->message);
      g_error_free (inner);
      return NULL;
    }
  if (!check_tensors (layout, st, error))
    return NULL;
  m->net = ts_net_new_from_experiment (m->experiment, &input, (guint) last.dims[0], 256);
  if (!load_state (m->net, st, error) || !load_preprocess (m, st, error))
    return NULL;
  return g_steal_pointer (&m);
}
