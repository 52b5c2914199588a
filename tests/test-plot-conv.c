/* The conv views on made-up arrays whose pictures are known: filters in
 * colour (channels as R, G, B) and grey, each to its own range, tiles a gap
 * apart; feature maps stacked by layer, each layer to one range (a dead
 * channel black, a signed layer grey at 0); CSV and every export format.
 * TS_SHOT_DIR=dir keeps the PNGs to look at. */
#include "test-util.h"
#include "ts-plot-conv.h"

#include <glib/gstdio.h>
#include <math.h>

#define W 640
#define H 360

static guint32
pixel (cairo_surface_t *s, int x, int y)
{
  return *(guint32 *) (cairo_image_surface_get_data (s) + (gsize) y * cairo_image_surface_get_stride (s) + x * 4)
         & 0xffffff;
}

static cairo_surface_t *
render (TsPlotDrawFunc draw, gpointer data, const char *name)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cairo_t *cr = cairo_create (s);

  draw (cr, W, H, data);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  if (g_getenv ("TS_SHOT_DIR"))
    {
      g_autofree char *path = g_build_filename (g_getenv ("TS_SHOT_DIR"), name, NULL);
      cairo_surface_write_to_png (s, path);
    }
  return s;
}

/* 0 on a ± scale: 127.5, which rounds either way */
static gboolean
mid_grey (guint32 p)
{
  return p == 0x7f7f7f || p == 0x808080;
}

/* the pixel at a fraction (fx, fy) of a box, e.g. (0.5, 0.5) its centre */
static guint32
pixel_in (cairo_surface_t *s, const double box[4], double fx, double fy)
{
  return pixel (s, (int) (box[0] + fx * box[2]), (int) (box[1] + fy * box[3]));
}

static void
assert_exports (TsPlotDrawFunc draw, gpointer data)
{
  g_autofree char *dir = make_temp_dir ();
  const char *names[] = { "v.png", "v.svg", "v.pdf" }, *magic[] = { "\x89PNG", "<?xml", "%PDF-" };

  for (int k = 0; k < 3; k++)
    {
      g_autofree char *path = g_build_filename (dir, names[k], NULL);
      g_autofree char *text = NULL;
      g_autoptr(GError) error = NULL;
      gsize len;
      g_assert_true (ts_plot_save (draw, data, W, H, 1, path, &error));
      g_assert_true (g_file_get_contents (path, &text, &len, NULL));
      g_assert_cmpuint (len, >, 500);
      g_assert_true (g_str_has_prefix (text, magic[k]));
      g_unlink (path);
    }
  g_rmdir (dir);
}

/* ---- filters ---------------------------------------------------------------------- */

typedef struct {
  const float *w;
  guint out, in, kh, kw;
} Filters;

static void
draw_filters (cairo_t *cr, double width, double height, gpointer data)
{
  Filters *f = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_plot_conv_filters (cr, width, height, &style, f->w, f->out, f->in, f->kh, f->kw, NULL);
}

/* [4, 3, 5, 5]: red, all zero, a weak green, a bright top-left corner */
static void
test_filters_colour (void)
{
  enum { K = 5, P = K * K, F = 3 * P };
  float w[4 * F] = { 0 };
  Filters f = { w, 4, 3, K, K };
  TsPlotStyle style = ts_plot_style_default (FALSE);
  guint32 bg = ((guint32) (style.background[0] * 255 + 0.5) << 16) | ((guint32) (style.background[1] * 255 + 0.5) << 8)
               | (guint32) (style.background[2] * 255 + 0.5);
  double box[4][4], b4[4];
  cairo_surface_t *s;
  g_autofree char *csv = NULL;

  for (int i = 0; i < P; i++)
    {
      w[i] = 1, w[P + i] = -1, w[2 * P + i] = -1;                           /* filter 0: R+, G−, B− */
      w[2 * F + i] = -0.01f, w[2 * F + P + i] = 0.01f, w[2 * F + 2 * P + i] = -0.01f; /* filter 2: weak green */
    }
  for (int c = 0; c < 3; c++)
    w[3 * F + c * P] = 2; /* filter 3: (0, 0) white in every channel, the rest 0 */
  for (guint i = 0; i < 4; i++)
    g_assert_true (ts_plot_conv_filters_tile (4, 3, K, K, W, H, i, box[i]));
  g_assert_false (ts_plot_conv_filters_tile (4, 3, K, K, W, H, 4, b4)); /* one tile per RGB filter */
  /* whole pixels per weight, in the box, a gap apart */
  g_assert_cmpfloat (box[0][2], >=, 5 * K);
  g_assert_cmpfloat (fmod (box[0][2], K), ==, 0);
  g_assert_cmpfloat (box[1][0] - (box[0][0] + box[0][2]), ==, TS_PLOT_TILE_GAP);
  g_assert_cmpfloat (box[3][0] + box[3][2], <=, W);
  g_assert_cmpfloat (box[3][1] + box[3][3], <=, H);

  s = render (draw_filters, &f, "conv-filters-rgb.png");
  g_assert_cmphex (pixel_in (s, box[0], 0.5, 0.5), ==, 0xff0000);
  g_assert_true (mid_grey (pixel_in (s, box[1], 0.5, 0.5))); /* 0 is grey (127.5 either way) */
  g_assert_cmphex (pixel_in (s, box[2], 0.5, 0.5), ==, 0x00ff00);            /* ±0.01 at full contrast */
  g_assert_cmphex (pixel_in (s, box[3], 0.1, 0.1), ==, 0xffffff);
  g_assert_true (mid_grey (pixel_in (s, box[3], 0.5, 0.5)));
  g_assert_cmphex (pixel (s, (int) (box[0][0] + box[0][2]) + 1, (int) (box[0][1] + box[0][3] / 2)), ==, 0x303030); /* the gap */
  g_assert_cmphex (pixel (s, (int) (box[1][0] + box[1][2]) + TS_PLOT_TILE_GAP + 4, (int) box[1][1]), ==, bg); /* beyond */
  cairo_surface_destroy (s);
  assert_exports (draw_filters, &f);

  csv = ts_plot_conv_filters_csv (w, 4, 3, K, K, 1);
  g_assert_true (g_str_has_prefix (csv, "filter,channel,row,col,weight\n0,0,0,0,1\n0,0,0,1,1\n"));
  g_assert_nonnull (strstr (csv, "\n0,1,4,4,-1\n"));
  g_assert_null (strstr (csv, "\n1,")); /* the first filter only */
}

/* one channel: grey, left column black and right white; two channels: a
 * tile each */
static void
test_filters_grey (void)
{
  enum { K = 3 };
  float w[2 * 2 * K * K] = { 0 };
  Filters f = { w, 2, 1, K, K };
  double box[4];
  cairo_surface_t *s;

  for (int y = 0; y < K; y++)
    for (int x = 0; x < K; x++)
      w[y * K + x] = (float) (x - 1) * 0.3f; /* −0.3, 0, 0.3 */
  g_assert_true (ts_plot_conv_filters_tile (2, 1, K, K, W, H, 0, box));
  s = render (draw_filters, &f, "conv-filters-grey.png");
  g_assert_cmphex (pixel_in (s, box, 0.1, 0.5), ==, 0x000000);
  g_assert_cmphex (pixel_in (s, box, 0.9, 0.5), ==, 0xffffff);
  g_assert_true (mid_grey (pixel_in (s, box, 0.5, 0.5)));
  cairo_surface_destroy (s);

  /* [2, 2, 3, 3]: filter 0's channel 1 is all +1, so its tile (1) is white
   * while channel 0's left column is black */
  for (int i = 0; i < K * K; i++)
    w[K * K + i] = 1;
  f = (Filters) { w, 2, 2, K, K };
  g_assert_true (ts_plot_conv_filters_tile (2, 2, K, K, W, H, 3, box));
  g_assert_false (ts_plot_conv_filters_tile (2, 2, K, K, W, H, 4, box));
  s = render (draw_filters, &f, "conv-filters-2ch.png");
  g_assert_true (ts_plot_conv_filters_tile (2, 2, K, K, W, H, 1, box));
  g_assert_cmphex (pixel_in (s, box, 0.1, 0.5), ==, 0xffffff);
  g_assert_true (ts_plot_conv_filters_tile (2, 2, K, K, W, H, 0, box));
  g_assert_cmphex (pixel_in (s, box, 0.1, 0.5), ==, 0x595959); /* −0.3 of the filter's peak 1, not black */
  g_assert_true (mid_grey (pixel_in (s, box, 0.5, 0.5)));
  cairo_surface_destroy (s);
}

/* ---- feature maps ----------------------------------------------------------------- */

static void
draw_maps (cairo_t *cr, double width, double height, gpointer data)
{
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_plot_feature_maps (cr, width, height, &style, data, NULL);
}

/* layer 1 [3,6,6] ReLU: dead, 4 everywhere, 1 everywhere; layer 3 [2,3,3]
 * tanh: −0.5 and +0.5 with one zero; the sample 3×8×8 red */
static void
test_feature_maps (void)
{
  float input[3 * 64] = { 0 }, a[3 * 36] = { 0 }, b[2 * 9];
  TsFeatureMap layers[2] = { { 0, TS_ACT_RELU, { 3, { 3, 6, 6 } }, a }, { 2, TS_ACT_TANH, { 3, { 2, 3, 3 } }, b } };
  TsFeatureMaps fm = { 7, 2, { 3, { 3, 8, 8 } }, input, 2, layers };
  double box[4];
  float lo, hi;
  cairo_surface_t *s;
  g_autofree char *csv = NULL;

  for (int i = 0; i < 64; i++)
    input[i] = 1; /* red; green and blue 0 */
  for (int i = 0; i < 36; i++)
    a[36 + i] = 4, a[72 + i] = 1;
  for (int i = 0; i < 9; i++)
    b[i] = -0.5f, b[9 + i] = 0.5f;
  b[4] = 0;
  ts_plot_feature_map_range (&layers[0], &lo, &hi);
  g_assert_cmpfloat (lo, ==, 0);
  g_assert_cmpfloat (hi, ==, 4);
  ts_plot_feature_map_range (&layers[1], &lo, &hi);
  g_assert_cmpfloat (lo, ==, -0.5f);
  g_assert_cmpfloat (hi, ==, 0.5f);

  s = render (draw_maps, &fm, "conv-feature-maps.png");
  g_assert_true (ts_plot_feature_maps_tile (&fm, W, H, G_MAXUINT, 0, box));
  g_assert_cmphex (pixel_in (s, box, 0.5, 0.5), ==, 0xff0000);
  g_assert_true (ts_plot_feature_maps_tile (&fm, W, H, 0, 0, box));
  g_assert_cmpfloat (box[0], >, 0.2 * W); /* right of the sample */
  g_assert_cmphex (pixel_in (s, box, 0.5, 0.5), ==, 0x000000); /* dead: black */
  g_assert_true (ts_plot_feature_maps_tile (&fm, W, H, 0, 1, box));
  g_assert_cmphex (pixel_in (s, box, 0.5, 0.5), ==, 0xffffff); /* the layer's largest */
  g_assert_true (ts_plot_feature_maps_tile (&fm, W, H, 0, 2, box));
  g_assert_cmphex (pixel_in (s, box, 0.5, 0.5), ==, 0x404040); /* a quarter of it */
  g_assert_false (ts_plot_feature_maps_tile (&fm, W, H, 0, 3, box));
  g_assert_true (ts_plot_feature_maps_tile (&fm, W, H, 1, 0, box));
  g_assert_cmpfloat (box[1], >, H / 2.0); /* the second layer below the first */
  g_assert_cmphex (pixel_in (s, box, 0.1, 0.1), ==, 0x000000);
  g_assert_true (mid_grey (pixel_in (s, box, 0.5, 0.5))); /* signed: 0 grey */
  g_assert_true (ts_plot_feature_maps_tile (&fm, W, H, 1, 1, box));
  g_assert_cmphex (pixel_in (s, box, 0.5, 0.5), ==, 0xffffff);
  g_assert_cmpfloat (box[1] + box[3], <=, H);
  cairo_surface_destroy (s);
  assert_exports (draw_maps, &fm);

  csv = ts_plot_feature_maps_csv (&fm);
  g_assert_true (g_str_has_prefix (csv, "layer,channel,row,col,value\n1,0,0,0,0\n"));
  g_assert_nonnull (strstr (csv, "\n1,1,5,5,4\n"));
  g_assert_nonnull (strstr (csv, "\n3,0,1,1,0\n3,0,1,2,-0.5\n"));
}

/* 100 channels: the first 64 are drawn */
static void
test_feature_maps_many (void)
{
  g_autofree float *v = g_new0 (float, 100 * 4);
  float input[16] = { 0 };
  TsFeatureMap layer = { 0, TS_ACT_RELU, { 3, { 100, 2, 2 } }, v };
  TsFeatureMaps fm = { 0, 0, { 3, { 1, 4, 4 } }, input, 1, &layer };
  double box[4];

  g_assert_true (ts_plot_feature_maps_tile (&fm, W, H, 0, TS_PLOT_MAX_MAPS - 1, box));
  g_assert_cmpfloat (box[0] + box[2], <=, W);
  g_assert_cmpfloat (box[1] + box[3], <=, H);
  g_assert_false (ts_plot_feature_maps_tile (&fm, W, H, 0, TS_PLOT_MAX_MAPS, box));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plot/conv/filters-colour", test_filters_colour);
  g_test_add_func ("/plot/conv/filters-grey", test_filters_grey);
  g_test_add_func ("/plot/conv/feature-maps", test_feature_maps);
  g_test_add_func ("/plot/conv/feature-maps-many", test_feature_maps_many);
  return g_test_run ();
}
