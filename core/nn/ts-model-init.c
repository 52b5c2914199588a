/* model.init_from: a net's parameters (and batch-norm statistics) taken
 * from a trained model — a Trainscope run's or a PyTorch-made
 * .safetensors in the checkpoint layout — matched tensor by tensor, by
 * name and shape. A model of another input or another preprocessing is
 * refused, saying which; the output layer is loaded only when it is the
 * model's own output layer with the same shape, unless model.reinit_head
 * says otherwise. */
#include "ts-model.h"
#include "ts-error.h"
#include "ts-safetensors.h"

#include <stdlib.h>
#include <string.h>

void
ts_init_report_free (TsInitReport *report)
{
  if (report == NULL)
    return;
  g_free (report->path);
  g_free (report->parent_name);
  g_free (report);
}

char *
ts_init_from_resolve (const char *path, GError **error)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *file = g_build_filename (path, "model.safetensors", NULL);
      if (!g_file_test (file, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                       "model.init_from: the folder %s has no model.safetensors (not a run folder, or a run that did "
                       "not finish)", path);
          return NULL;
        }
      return g_steal_pointer (&file);
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "model.init_from: %s: no such file or folder; expected a run folder or a .safetensors file", path);
      return NULL;
    }
  return g_strdup (path);
}

/* "layers.3.weight" → 3; -1 for a tensor outside the layers (preprocess.*) */
static int
layer_index (const char *name)
{
  char *end;
  long k;

  if (!g_str_has_prefix (name, "layers."))
    return -1;
  k = strtol (name + 7, &end, 10);
  return end != name + 7 && *end == '.' && k >= 0 && k < G_MAXINT ? (int) k : -1;
}

static int
last_layer_index (GStrv names)
{
  int last = -1;
  for (guint i = 0; names[i]; i++)
    last = MAX (last, layer_index (names[i]));
  return last;
}

/* The model's own experiment, when it has one, says what it was trained
 * on: another preprocessing makes every feature it learned read other
 * numbers. (A PyTorch-made file without one cannot be checked.) */
static gboolean
check_preprocessing (const TsExperiment *parent, const TsExperiment *exp, const char *path, GError **error)
{
  const TsDataSpec *p = &parent->data, *d = &exp->data;
  gboolean pca = d->preprocess == TS_PRE_PCA || d->preprocess == TS_PRE_PCA_WHITEN;

  if (p->preprocess == d->preprocess && (!pca || p->pca_components == d->pca_components))
    return TRUE;
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
               "model.init_from: %s was trained on data preprocessed with %s%s, this experiment uses %s%s: another "
               "preprocessing; set data.preprocess=%s",
               path, ts_preprocess_name (p->preprocess),
               p->preprocess == TS_PRE_PCA || p->preprocess == TS_PRE_PCA_WHITEN ? " (data.pca_components set)" : "",
               ts_preprocess_name (d->preprocess), pca ? " (data.pca_components set)" : "",
               ts_preprocess_name (p->preprocess));
  return FALSE;
}

/* The first layer's weight reads the input: its second size is the input's
 * width (dense) or channels (conv) — another one is another input. */
static gboolean
check_input (const TsNetTensor *t, const TsShape *file_shape, const TsExperiment *parent, const char *path,
             GError **error)
{
  g_autofree char *want = NULL, *got = NULL, *trained_on = NULL;

  if (strcmp (t->name, "layers.0.weight") != 0 || file_shape->ndim != t->shape.ndim || t->shape.ndim < 2
      || file_shape->dims[1] == t->shape.dims[1])
    return TRUE;
  want = ts_shape_text_spaced (&t->shape);
  got = ts_shape_text_spaced (file_shape);
  trained_on = parent ? g_strdup_printf (", trained on %s", parent->data.source) : g_strdup ("");
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
               "model.init_from: %s takes another input shape: %" G_GUINT64_FORMAT " %s (layers.0.weight %s%s), "
               "this experiment's data give %" G_GUINT64_FORMAT " (layers.0.weight %s); resize the images "
               "(data.resize) or choose a model trained on this input",
               path, file_shape->dims[1], t->shape.ndim == 2 ? "values" : "channels", got, trained_on,
               t->shape.dims[1], want);
  return FALSE;
}

/* the head's tensors: the output layer's, the net's last K */
static gboolean
is_head (const TsNetTensor *t, int head_k)
{
  return layer_index (t->name) == head_k;
}

/* Whether the file's tensors of the head fit it as the model's own output
 * layer; else *why says how not. */
static gboolean
head_fits (const GArray *tensors, TsSafetensors *st, int head_k, int file_last, char **why)
{
  for (guint i = 0; i < tensors->len; i++)
    {
      const TsNetTensor *t = &g_array_index (tensors, TsNetTensor, i);
      TsShape shape;

      if (!is_head (t, head_k))
        continue;
      if (!ts_safetensors_get_shape (st, t->name, &shape, NULL))
        {
          *why = g_strdup_printf ("the model has no %s", t->name);
          return FALSE;
        }
      if (!ts_shape_equal (&shape, &t->shape))
        {
          g_autofree char *want = ts_shape_text_spaced (&t->shape), *got = ts_shape_text_spaced (&shape);
          *why = g_strdup_printf ("the model's %s is %s, this experiment's output layer needs %s", t->name, got, want);
          return FALSE;
        }
    }
  if (head_k != file_last)
    {
      *why = g_strdup_printf ("layers.%d is not the model's output layer (that is layers.%d)", head_k, file_last);
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_tensor (TsNet *net, const TsNetTensor *t, TsSafetensors *st, const TsExperiment *parent, const char *path,
             GError **error)
{
  TsShape shape;
  g_autofree float *data = NULL;

  if (!ts_safetensors_get_shape (st, t->name, &shape, NULL))
    {
      g_autofree char *want = ts_shape_text_spaced (&t->shape);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "model.init_from: %s has no tensor %s (this experiment's model needs it, %s): a model of other layers",
                   path, t->name, want);
      return FALSE;
    }
  if (!check_input (t, &shape, parent, path, error))
    return FALSE;
  if (!ts_shape_equal (&shape, &t->shape))
    {
      g_autofree char *want = ts_shape_text_spaced (&t->shape), *got = ts_shape_text_spaced (&shape);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "model.init_from: tensor %s is %s in %s, this experiment's model needs %s", t->name, got, path, want);
      return FALSE;
    }
  if ((data = ts_safetensors_get_f32 (st, t->name, NULL, error)) == NULL)
    return FALSE;
  memcpy (ts_net_state (net) + t->offset, data, sizeof (float) * ts_shape_numel (&t->shape));
  return TRUE;
}

static TsExperiment *
parent_experiment (TsSafetensors *st, const char *path, GError **error)
{
  const char *json = ts_safetensors_metadata (st, "experiment");
  GError *inner = NULL;
  TsExperiment *parent;

  if (json == NULL)
    return NULL; /* PyTorch-made: nothing to check against */
  if ((parent = ts_experiment_from_json (json, -1, &inner)) == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "model.init_from: %s: __metadata__.experiment: %s", path,
                   inner->message);
      g_error_free (inner);
    }
  return parent;
}

TsInitReport *
ts_net_init_from (TsNet *net, const TsExperiment *exp, GError **error)
{
  g_autofree char *path = ts_init_from_resolve (exp->model.init_from, error);
  g_autoptr(TsSafetensors) st = NULL;
  g_autoptr(TsExperiment) parent = NULL;
  g_autoptr(TsInitReport) report = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *why = NULL;
  const GArray *tensors = ts_net_tensors (net);
  int head_k, file_last;
  gboolean load_head;
  guint used = 0;

  if (path == NULL || (st = ts_safetensors_load (path, error)) == NULL)
    return NULL;
  parent = parent_experiment (st, path, error);
  if (parent == NULL && error && *error)
    return NULL;
  if (parent && !check_preprocessing (parent, exp, path, error))
    return NULL;
  names = ts_safetensors_names (st);
  file_last = last_layer_index (names);
  head_k = layer_index (g_array_index (tensors, TsNetTensor, tensors->len - 1).name);
  load_head = exp->model.reinit_head != TS_REINIT_TRUE && head_fits (tensors, st, head_k, file_last, &why);
  if (!load_head && exp->model.reinit_head == TS_REINIT_FALSE)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "model.reinit_head: false, but the output layer cannot be loaded from %s: %s", path, why);
      return NULL;
    }
  report = g_new0 (TsInitReport, 1);
  for (guint i = 0; i < tensors->len; i++)
    {
      const TsNetTensor *t = &g_array_index (tensors, TsNetTensor, i);
      if (is_head (t, head_k) && !load_head)
        continue;
      if (!load_tensor (net, t, st, parent, path, error))
        return NULL;
      report->loaded++;
    }
  for (guint i = 0; names[i]; i++)
    used += layer_index (names[i]) >= 0;
  report->path = g_steal_pointer (&path);
  report->parent_name = g_strdup (parent ? parent->name : NULL);
  report->head_reinitialised = !load_head;
  report->unused = used - report->loaded;
  return g_steal_pointer (&report);
}
