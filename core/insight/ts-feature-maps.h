/* ts-feature-maps.h — what each conv layer of a model makes of one sample:
 * its activations as [C,H,W] maps, from one forward pass in evaluation mode
 * with the model's preprocessing applied. The window makes them in a worker
 * when the trainer publishes parameters; `run --plots` once at the end
 * (README, "Inside the network").
 *
 *   g_autoptr(TsFeatureMaps) fm = ts_feature_maps_new (model, ds->x + i * ds->dim, ds->dim, i, ds->y[i], &error);
 *   fm->layers[0].values;   // (C, H, W): the first conv layer's output
 */
#pragma once

#include "ts-model.h"

G_BEGIN_DECLS

typedef struct {
  guint        layer;      /* the conv layer (0-based, as model.layers counts) */
  TsActivation activation; /* what made the values (a batchnorm after the conv applies it) */
  TsShape      shape;      /* [C,H,W] */
  float       *values;     /* (C, H, W) */
} TsFeatureMap;

typedef struct {
  guint         sample;      /* its index in the data set */
  guint         label;
  TsShape       input_shape; /* [C,H,W] */
  float        *input;       /* (C, H, W): the sample before preprocessing */
  guint         n_layers;    /* conv layers */
  TsFeatureMap *layers;
} TsFeatureMaps;

/* One raw sample (dim values, before preprocessing; `sample` and `label`
 * say which it was) through the model: every conv layer's output, after the
 * batchnorm that follows it when there is one. NULL with an error when the
 * model does not read an image of that many values; a net without conv
 * layers gives n_layers 0. Uses the model's workspace: one thread at a time. */
TsFeatureMaps *ts_feature_maps_new (TsModel *model, const float *raw, guint dim, guint sample, guint label,
                                    GError **error);
void           ts_feature_maps_free (TsFeatureMaps *fm);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsFeatureMaps, ts_feature_maps_free)

G_END_DECLS
