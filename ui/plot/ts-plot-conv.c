#include "ts-plot-conv.h"
#include "ts-plot-image.h"
#include "ts-plot-private.h"

#include <math.h>

/* Tiles sit on a dark grey backdrop (as `data preview`'s grid does), so a
 * white edge of a tile stands apart from a light background. Its extent:
 * the union of the tiles' boxes, a gap around. */
typedef struct {
  double x0, y0, x1, y1;
} Extent;

static void
extent_add (Extent *e, const double box[4])
{
  e->x0 = MIN (e->x0, box[0] - TS_PLOT_TILE_GAP), e->y0 = MIN (e->y0, box[1] - TS_PLOT_TILE_GAP);
  e->x1 = MAX (e->x1, box[0] + box[2] + TS_PLOT_TILE_GAP), e->y1 = MAX (e->y1, box[1] + box[3] + TS_PLOT_TILE_GAP);
}

static void
backdrop (cairo_t *cr, const Extent *e)
{
  if (e->x1 <= e->x0)
    return;
  cairo_set_source_rgb (cr, TS_PLOT_BACKDROP / 255.0, TS_PLOT_BACKDROP / 255.0, TS_PLOT_BACKDROP / 255.0);
  cairo_rectangle (cr, e->x0, e->y0, e->x1 - e->x0, e->y1 - e->y0);
  cairo_fill (cr);
}

#define NO_EXTENT { G_MAXDOUBLE, G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE }

/* ---- first-layer filters ------------------------------------------------------ */

/* colour (1 or 3 channels): a tile per filter; else a tile per filter and channel */
static guint
tiles_per_filter (guint in)
{
  return in == 1 || in == 3 ? 1 : in;
}

static guint
filters_drawn (guint out)
{
  return MIN (out, TS_PLOT_MAX_FILTERS);
}

gboolean
ts_plot_conv_filters_tile (guint out, guint in, guint kh, guint kw, double width, double height, guint i,
                           double box[4])
{
  guint n = filters_drawn (out) * tiles_per_filter (in), cols;
  double zoom, gap = TS_PLOT_TILE_GAP;

  if (i >= n || kh == 0 || kw == 0)
    return FALSE;
  zoom = ts_plot_image_fit (n, kh, kw, width, height - TS_PLOT_CAPTION, gap, &cols);
  box[2] = zoom * kw, box[3] = zoom * kh;
  box[0] = gap + (i % cols) * (box[2] + gap);
  box[1] = TS_PLOT_CAPTION + gap + (i / cols) * (box[3] + gap);
  return TRUE;
}

/* the largest |w| of one filter, over all its channels */
static float
filter_peak (const float *f, gsize n)
{
  float peak = 0;

  for (gsize k = 0; k < n; k++)
    peak = MAX (peak, fabsf (f[k]));
  return peak > 0 ? peak : 1; /* all zero: grey */
}

void
ts_plot_conv_filters (cairo_t *cr, double width, double height, const TsPlotStyle *style, const float *w, guint out,
                      guint in, guint kh, guint kw, const char *caption)
{
  gsize plane = (gsize) kh * kw, per = (gsize) in * plane;
  guint shown = filters_drawn (out), tiles = tiles_per_filter (in);
  char title[200];

  Extent extent = NO_EXTENT;
  double box[4];

  cairo_save (cr);
  ts_plot_set_rgb (cr, style->background);
  cairo_paint (cr);
  for (guint i = 0; ts_plot_conv_filters_tile (out, in, kh, kw, width, height, i, box); i++)
    extent_add (&extent, box);
  backdrop (cr, &extent);
  for (guint u = 0; u < shown; u++)
    {
      const float *f = w + u * per;
      float peak = filter_peak (f, per);
      for (guint t = 0; t < tiles; t++)
        {
          ts_plot_conv_filters_tile (out, in, kh, kw, width, height, u * tiles + t, box);
          ts_plot_image_in_range (cr, tiles == 1 ? f : f + t * plane, tiles == 1 ? in : 1, kh, kw, -peak, peak,
                                  box[0], box[1], box[2], box[3]);
        }
    }
  g_snprintf (title, sizeof title, "First-layer filters · %u%s of %u · %u×%u%s · each ±max|w|",
              shown, shown < out ? " (the first)" : "", out, kh, kw,
              in == 3 ? " · RGB" : in == 1 ? "" : " · a tile per channel");
  ts_plot_set_rgb (cr, style->foreground);
  ts_plot_text (cr, caption ? caption : title, TS_PLOT_TILE_GAP, TS_PLOT_CAPTION / 2.0, 12, 0, 0.5);
  cairo_restore (cr);
}

char *
ts_plot_conv_filters_csv (const float *w, guint out, guint in, guint kh, guint kw, guint max_filters)
{
  GString *csv = g_string_new ("filter,channel,row,col,weight\n");
  gsize at = 0;

  for (guint u = 0; u < MIN (out, max_filters); u++)
    for (guint c = 0; c < in; c++)
      for (guint y = 0; y < kh; y++)
        for (guint x = 0; x < kw; x++)
          g_string_append_printf (csv, "%u,%u,%u,%u,%.9g\n", u, c, y, x, w[at++]);
  return g_string_free (csv, FALSE);
}

/* ---- feature maps ------------------------------------------------------------- */

#define LABEL 16 /* a band's title line */

static guint
maps_drawn (const TsFeatureMap *map)
{
  return (guint) MIN (map->shape.dims[0], TS_PLOT_MAX_MAPS);
}

/* the sample's column at the left: its width */
static double
input_column (double width, double height)
{
  return floor (MIN (0.22 * width, height - TS_PLOT_CAPTION - LABEL));
}

gboolean
ts_plot_feature_maps_tile (const TsFeatureMaps *fm, double width, double height, guint layer, guint channel,
                           double box[4])
{
  double left = input_column (width, height), gap = TS_PLOT_TILE_GAP, x0 = left + 12, band, zoom;
  const TsFeatureMap *map;
  guint cols, H, W;

  if (layer == G_MAXUINT)
    {
      H = (guint) fm->input_shape.dims[1], W = (guint) fm->input_shape.dims[2];
      zoom = ts_plot_image_fit (1, H, W, left, left, gap, &cols);
      box[0] = gap, box[1] = TS_PLOT_CAPTION + LABEL + gap, box[2] = zoom * W, box[3] = zoom * H;
      return channel == 0;
    }
  if (layer >= fm->n_layers || channel >= maps_drawn (&fm->layers[layer]))
    return FALSE;
  map = &fm->layers[layer];
  H = (guint) map->shape.dims[1], W = (guint) map->shape.dims[2];
  band = floor ((height - TS_PLOT_CAPTION) / fm->n_layers);
  zoom = ts_plot_image_fit (maps_drawn (map), H, W, width - x0, band - LABEL, gap, &cols);
  box[2] = zoom * W, box[3] = zoom * H;
  box[0] = x0 + gap + (channel % cols) * (box[2] + gap);
  box[1] = TS_PLOT_CAPTION + layer * band + LABEL + gap + (channel / cols) * (box[3] + gap);
  return TRUE;
}

void
ts_plot_feature_map_range (const TsFeatureMap *map, float *lo_out, float *hi_out)
{
  gsize n = (gsize) maps_drawn (map) * map->shape.dims[1] * map->shape.dims[2];
  float lo = 0, hi = 0;

  for (gsize i = 0; i < n; i++)
    if (isfinite (map->values[i]))
      lo = MIN (lo, map->values[i]), hi = MAX (hi, map->values[i]);
  if (lo < 0) /* signed (tanh, a linear conv): grey is 0 */
    hi = MAX (hi, -lo), lo = -hi;
  if (!(hi > lo)) /* all zero: black, as dead maps are */
    hi = 1;
  *lo_out = lo, *hi_out = hi;
}

static void
draw_layer_band (cairo_t *cr, const TsPlotStyle *style, const TsFeatureMaps *fm, guint l, double width,
                 double height)
{
  const TsFeatureMap *map = &fm->layers[l];
  gsize plane = (gsize) map->shape.dims[1] * map->shape.dims[2];
  guint shown = maps_drawn (map), C = (guint) map->shape.dims[0];
  double box[4];
  float lo, hi;
  g_autofree char *shape = ts_shape_text (&map->shape);
  g_autofree char *title = NULL;

  Extent extent = NO_EXTENT;

  ts_plot_feature_map_range (map, &lo, &hi);
  for (guint c = 0; c < shown; c++)
    {
      ts_plot_feature_maps_tile (fm, width, height, l, c, box);
      extent_add (&extent, box);
    }
  backdrop (cr, &extent);
  for (guint c = 0; c < shown; c++)
    {
      ts_plot_feature_maps_tile (fm, width, height, l, c, box);
      ts_plot_image_in_range (cr, map->values + c * plane, 1, (guint) map->shape.dims[1], (guint) map->shape.dims[2],
                              lo, hi, box[0], box[1], box[2], box[3]);
    }
  ts_plot_feature_maps_tile (fm, width, height, l, 0, box);
  title = g_strdup_printf ("layer %u · conv %s · %s%s · black %.3g … white %.3g", map->layer + 1, shape,
                           ts_activation_name (map->activation), shown < C ? " · the first 64 channels" : "", lo, hi);
  ts_plot_set_rgb (cr, style->foreground);
  ts_plot_text (cr, title, box[0], box[1] - TS_PLOT_TILE_GAP - LABEL / 2.0, 11, 0, 0.5);
}

void
ts_plot_feature_maps (cairo_t *cr, double width, double height, const TsPlotStyle *style, const TsFeatureMaps *fm,
                      const char *caption)
{
  double box[4];
  char label[64];

  cairo_save (cr);
  ts_plot_set_rgb (cr, style->background);
  cairo_paint (cr);
  if (fm == NULL || fm->n_layers == 0)
    {
      cairo_restore (cr);
      ts_plot_message (cr, width, height, style, "Feature maps", "This net has no conv layers");
      return;
    }
  ts_plot_feature_maps_tile (fm, width, height, G_MAXUINT, 0, box);
  ts_plot_image (cr, fm->input, (guint) fm->input_shape.dims[0], (guint) fm->input_shape.dims[1],
                 (guint) fm->input_shape.dims[2], TS_PIXELS_RESCALE, box[0], box[1], box[2], box[3]);
  g_snprintf (label, sizeof label, "sample %u · class %u", fm->sample, fm->label);
  ts_plot_set_rgb (cr, style->foreground);
  ts_plot_text (cr, label, box[0], box[1] - TS_PLOT_TILE_GAP - LABEL / 2.0, 11, 0, 0.5);
  for (guint l = 0; l < fm->n_layers; l++)
    draw_layer_band (cr, style, fm, l, width, height);
  ts_plot_set_rgb (cr, style->foreground);
  ts_plot_text (cr, caption ? caption : "Feature maps · each layer to its own range", TS_PLOT_TILE_GAP,
                TS_PLOT_CAPTION / 2.0, 12, 0, 0.5);
  cairo_restore (cr);
}

char *
ts_plot_feature_maps_csv (const TsFeatureMaps *fm)
{
  GString *csv = g_string_new ("layer,channel,row,col,value\n");

  for (guint l = 0; fm && l < fm->n_layers; l++)
    {
      const TsFeatureMap *map = &fm->layers[l];
      guint H = (guint) map->shape.dims[1], W = (guint) map->shape.dims[2];
      gsize at = 0;
      for (guint c = 0; c < maps_drawn (map); c++)
        for (guint y = 0; y < H; y++)
          for (guint x = 0; x < W; x++)
            g_string_append_printf (csv, "%u,%u,%u,%u,%.9g\n", map->layer + 1, c, y, x, map->values[at++]);
    }
  return g_string_free (csv, FALSE);
}
