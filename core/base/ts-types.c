/* Shapes: what each layer kind makes of its input's shape, checked before
 * anything is allocated, and its parameter count. The one derivation the
 * experiment's validation, the net's layout and the Experiment page share. */
#include "ts-types.h"
#include "ts-error.h"

guint64
ts_shape_numel (const TsShape *shape)
{
  guint64 n = 1;
  for (guint i = 0; i < shape->ndim; i++)
    n *= shape->dims[i];
  return n;
}

static char *
shape_text (const TsShape *shape, const char *separator)
{
  GString *text = g_string_new ("[");
  for (guint i = 0; i < shape->ndim; i++)
    g_string_append_printf (text, "%s%" G_GUINT64_FORMAT, i ? separator : "", shape->dims[i]);
  g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

char *
ts_shape_text (const TsShape *shape)
{
  return shape_text (shape, ",");
}

char *
ts_shape_text_spaced (const TsShape *shape)
{
  return shape_text (shape, ", ");
}

gboolean
ts_shape_equal (const TsShape *a, const TsShape *b)
{
  if (a->ndim != b->ndim)
    return FALSE;
  for (guint d = 0; d < a->ndim; d++)
    if (a->dims[d] != b->dims[d])
      return FALSE;
  return TRUE;
}

guint
ts_layer_padding (const TsLayerSpec *spec)
{
  if (spec->kind != TS_LAYER_CONV)
    return 0;
  return spec->padding == TS_PADDING_SAME ? (spec->kernel - 1) / 2 : (guint) spec->padding;
}

const char *
ts_layer_kind_name (TsLayerKind kind)
{
  switch (kind)
    {
    case TS_LAYER_CONV: return "conv";
    case TS_LAYER_POOL: return "pool";
    case TS_LAYER_GLOBAL_AVG_POOL: return "global_avg_pool";
    case TS_LAYER_BATCHNORM: return "batchnorm";
    case TS_LAYER_DENSE: default: return "dense";
    }
}

/* conv and pool windows: one output per stride that the window fits in */
static gboolean
window_fits (const TsLayerSpec *spec, const TsShape *in, guint pad, const char *what, guint64 *h, guint64 *w,
             GError **error)
{
  guint64 ph = in->dims[1] + 2 * (guint64) pad, pw = in->dims[2] + 2 * (guint64) pad;

  if (spec->kernel == 0 || spec->stride == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s %s and stride must be >= 1", ts_layer_kind_name (spec->kind), what);
      return FALSE;
    }
  if (spec->kernel > ph || spec->kernel > pw)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "%s %s %u does not fit a %" G_GUINT64_FORMAT "×%" G_GUINT64_FORMAT " input%s",
                   ts_layer_kind_name (spec->kind), what, spec->kernel, in->dims[1], in->dims[2],
                   pad ? " (with its padding)" : "");
      return FALSE;
    }
  *h = (ph - spec->kernel) / spec->stride + 1;
  *w = (pw - spec->kernel) / spec->stride + 1;
  return TRUE;
}

static gboolean
needs_image (const TsLayerSpec *spec, const TsShape *in, GError **error)
{
  if (in->ndim == 3)
    return TRUE;
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
               "a %s layer needs an image input [C,H,W], but its input is a vector of %" G_GUINT64_FORMAT
               " features (%s); convolutions and pooling slide over height and width, which points and "
               "flattened layers do not have",
               ts_layer_kind_name (spec->kind), ts_shape_numel (in),
               in->ndim == 1 && in->dims[0] == 2 ? "2-D point data" : "the data are feature vectors, or a dense layer came before");
  return FALSE;
}

static gboolean
conv_shape (const TsLayerSpec *spec, const TsShape *in, TsShape *out, GError **error)
{
  guint64 h, w;

  if (!needs_image (spec, in, error))
    return FALSE;
  if (spec->units == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "conv filters must be >= 1");
      return FALSE;
    }
  if (spec->padding == TS_PADDING_SAME && (spec->kernel % 2 == 0 || spec->stride != 1))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "conv padding \"same\" needs an odd kernel and stride 1 (got kernel %u, stride %u)", spec->kernel,
                   spec->stride);
      return FALSE;
    }
  if (spec->padding < TS_PADDING_SAME)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "conv padding must be >= 0 or \"same\" (got %d)",
                   spec->padding);
      return FALSE;
    }
  if (!window_fits (spec, in, ts_layer_padding (spec), "kernel", &h, &w, error))
    return FALSE;
  *out = (TsShape) { 3, { spec->units, h, w } };
  return TRUE;
}

gboolean
ts_layer_output_shape (const TsLayerSpec *spec, const TsShape *in, TsShape *out, GError **error)
{
  guint64 h, w;

  switch (spec->kind)
    {
    case TS_LAYER_CONV:
      return conv_shape (spec, in, out, error);
    case TS_LAYER_POOL:
      if (!needs_image (spec, in, error) || !window_fits (spec, in, 0, "size", &h, &w, error))
        return FALSE;
      *out = (TsShape) { 3, { in->dims[0], h, w } };
      return TRUE;
    case TS_LAYER_GLOBAL_AVG_POOL:
      if (!needs_image (spec, in, error))
        return FALSE;
      *out = (TsShape) { 1, { in->dims[0] } };
      return TRUE;
    case TS_LAYER_BATCHNORM:
      *out = *in;
      return TRUE;
    case TS_LAYER_DENSE:
    default:
      if (spec->units == 0)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "dense units must be >= 1");
          return FALSE;
        }
      *out = (TsShape) { 1, { spec->units } };
      return TRUE;
    }
}

guint64
ts_layer_param_count (const TsLayerSpec *spec, const TsShape *in)
{
  switch (spec->kind)
    {
    case TS_LAYER_CONV:
      return (guint64) spec->units * in->dims[0] * spec->kernel * spec->kernel + spec->units;
    case TS_LAYER_BATCHNORM:
      return 2 * in->dims[0]; /* per channel ([C,H,W]) or per unit ([n]) */
    case TS_LAYER_DENSE:
      return (guint64) spec->units * ts_shape_numel (in) + spec->units;
    default:
      return 0;
    }
}
