#include "ts-feature-maps.h"
#include "ts-error.h"

#include <string.h>

/* the layer whose output shows what conv layer l made: a batchnorm right
 * after it normalises its maps and applies its activation */
static guint
shown_layer (const TsNet *net, guint l)
{
  return l + 1 < ts_net_n_layers (net) && ts_net_layer_kind (net, l + 1) == TS_LAYER_BATCHNORM ? l + 1 : l;
}

static gboolean
fits (const TsModel *model, const TsShape *in, guint dim, GError **error)
{
  const TsPreprocess *pp = model->preprocess;

  if (in->ndim != 3)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "feature maps: the model reads %" G_GUINT64_FORMAT
                   " values, not an image", ts_shape_numel (in));
      return FALSE;
    }
  if (pp->in_dim != dim || pp->out_dim != ts_shape_numel (in))
    {
      g_autofree char *shape = ts_shape_text (in);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "feature maps: the sample has %u values, the model takes %u and reads them as %s", dim,
                   pp->in_dim, shape);
      return FALSE;
    }
  return TRUE;
}

TsFeatureMaps *
ts_feature_maps_new (TsModel *model, const float *raw, guint dim, guint sample, guint label, GError **error)
{
  TsNet *net = model->net;
  g_autoptr(TsFeatureMaps) fm = g_new0 (TsFeatureMaps, 1);
  g_autofree float *x = NULL;
  TsShape in;
  guint n = 0;

  ts_net_in_shape (net, &in);
  if (!fits (model, &in, dim, error))
    return NULL;
  fm->sample = sample, fm->label = label, fm->input_shape = in;
  fm->input = g_memdup2 (raw, (gsize) dim * sizeof (float));
  x = g_new (float, ts_shape_numel (&in)); /* (1, C·H·W) */
  ts_preprocess_apply_rows (model->preprocess, raw, 1, x);
  ts_net_forward (net, x, 1, FALSE, 0);
  for (guint l = 0; l < ts_net_n_layers (net); l++)
    n += ts_net_layer_kind (net, l) == TS_LAYER_CONV;
  fm->layers = g_new0 (TsFeatureMap, n);
  for (guint l = 0; l < ts_net_n_layers (net); l++)
    if (ts_net_layer_kind (net, l) == TS_LAYER_CONV)
      {
        TsFeatureMap *map = &fm->layers[fm->n_layers++];
        guint src = shown_layer (net, l);
        map->layer = l;
        map->activation = ts_net_layer_activation (net, src);
        ts_net_layer_out_shape (net, src, &map->shape);
        map->values = g_memdup2 (ts_net_layer_a (net, src), ts_shape_numel (&map->shape) * sizeof (float));
      }
  return g_steal_pointer (&fm);
}

void
ts_feature_maps_free (TsFeatureMaps *fm)
{
  if (fm == NULL)
    return;
  for (guint l = 0; l < fm->n_layers; l++)
    g_free (fm->layers[l].values);
  g_free (fm->layers);
  g_free (fm->input);
  g_free (fm);
}
