/* The Cairo renderers: pixels where the data is, a legend, valid exports. */
#include "test-util.h"
#include "ts-plot-image.h"
#include "ts-plot-run.h"

#include <cairo-pdf.h>

static cairo_surface_t *
render_series (const double *x, const double *y, gsize n, gboolean log_y, TsPlotAxes *axes_out)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 400, 300);
  cairo_t *cr = cairo_create (surface);
  TsPlotStyle style = ts_plot_style_default (FALSE);
  TsPlotSeries s = { "run", 0, x, y, n, FALSE };
  TsPlotAxes axes = { "step", "loss", log_y };

  ts_plot_curves (cr, 400, 300, &style, &s, 1, &axes, "caption");
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  if (axes_out)
    *axes_out = axes;
  return surface;
}

/* is the pixel at (px, py), or one next to it, the series colour? */
static gboolean
has_series_colour (cairo_surface_t *surface, int px, int py)
{
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  double rgb[3];

  ts_plot_palette (0, rgb);
  for (int dy = -2; dy <= 2; dy++)
    {
      guint32 p = *(guint32 *) (data + (gsize) (py + dy) * stride + (gsize) px * 4);
      int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
      if (abs (r - (int) (rgb[0] * 255)) < 40 && abs (g - (int) (rgb[1] * 255)) < 40 && abs (b - (int) (rgb[2] * 255)) < 40)
        return TRUE;
    }
  return FALSE;
}

static void
data_to_pixel (const double *x, const double *y, gsize n, double vx, double vy, int *px, int *py)
{
  TsPlotSeries s = { "run", 0, x, y, n };
  TsPlotAxes axes = { "step", "loss", FALSE };
  double ax, ay, aw, ah, x0, x1, y0, y1;

  ts_plot_curves_area (400, 300, &ax, &ay, &aw, &ah);
  ts_plot_curves_ranges (&s, 1, &axes, &x0, &x1, &y0, &y1);
  *px = (int) (ax + (vx - x0) / (x1 - x0) * aw);
  *py = (int) (ay + ah - (vy - y0) / (y1 - y0) * ah);
}

static void
test_line_where_the_data_is (void)
{
  double x[100], y[100];
  cairo_surface_t *surface;
  int px, py;

  for (int i = 0; i < 100; i++)
    x[i] = i, y[i] = i < 50 ? 2.0 : 1.0; /* a step down at 50 */
  surface = render_series (x, y, 100, FALSE, NULL);
  data_to_pixel (x, y, 100, 20, 2.0, &px, &py);
  g_assert_true (has_series_colour (surface, px, py));
  data_to_pixel (x, y, 100, 80, 1.0, &px, &py);
  g_assert_true (has_series_colour (surface, px, py));
  data_to_pixel (x, y, 100, 80, 2.0, &px, &py);
  g_assert_false (has_series_colour (surface, px, py)); /* nothing where there is no data */
  cairo_surface_destroy (surface);
}

static void
test_million_points_decimated (void)
{
  gsize n = 1000000;
  g_autofree double *x = g_new (double, n), *y = g_new (double, n);
  cairo_surface_t *surface;
  gint64 t0;
  int px, py;

  for (gsize i = 0; i < n; i++)
    x[i] = i, y[i] = 1.0 + (i % 2 ? 0.5 : -0.5); /* every column spans 0.5 … 1.5 */
  t0 = g_get_monotonic_time ();
  surface = render_series (x, y, n, FALSE, NULL);
  g_test_message ("a million points drawn in %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  data_to_pixel (x, y, n, n / 2, 0.6, &px, &py);
  g_assert_true (has_series_colour (surface, px, py));
  data_to_pixel (x, y, n, n / 2, 1.4, &px, &py);
  g_assert_true (has_series_colour (surface, px, py));
  cairo_surface_destroy (surface);
}

static char *
export (const char *name, TsPlotDrawFunc draw, gpointer data)
{
  g_autofree char *dir = make_temp_dir ();
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (ts_plot_save (draw, data, 500, 300, 2, path, &error));
  g_assert_no_error (error);
  return path;
}

static void
draw_run (cairo_t *cr, double width, double height, gpointer data)
{
  TsPlotStyle style = ts_plot_style_default (TRUE);
  TsRunCurves run = { "demo", 1, data };
  ts_plot_run (cr, width, height, &style, TS_RUN_PLOT_ACCURACY, &run, 1, FALSE, "demo · seed 7");
}

static void
test_exports_are_valid (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:moons", 5);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTraining) t = ts_training_new (exp, NULL, &error);
  g_autoptr(TsCurveData) data = ts_curve_data_new ();
  g_autofree char *png = NULL, *svg = NULL, *pdf = NULL, *text = NULL, *csv = NULL;
  cairo_surface_t *image;
  gsize len;
  TsRunCurves run = { "demo", 1, NULL };

  while (!ts_training_done (t))
    ts_training_step (t);
  g_assert_true (ts_curve_data_update (data, t->steps, t->epochs));
  g_assert_false (ts_curve_data_update (data, t->steps, t->epochs)); /* nothing new */
  g_assert_cmpuint (data->epoch->len, ==, 5);
  png = export ("acc.png", draw_run, data);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 1000); /* 2× scale */
  cairo_surface_destroy (image);
  svg = export ("acc.svg", draw_run, data);
  g_assert_true (g_file_get_contents (svg, &text, &len, NULL));
  g_assert_nonnull (strstr (text, "<svg"));
  g_clear_pointer (&text, g_free);
  pdf = export ("acc.pdf", draw_run, data);
  g_assert_true (g_file_get_contents (pdf, &text, &len, NULL));
  g_assert_true (g_str_has_prefix (text, "%PDF-"));
  run.data = data;
  csv = ts_plot_run_csv (TS_RUN_PLOT_ACCURACY, &run, 1);
  g_assert_true (g_str_has_prefix (csv, "series,x,y\n\"demo · train\",1,"));
  g_assert_false (ts_plot_save (draw_run, data, 10, 10, 1, "/tmp/x.bmp", &error));
  g_assert_nonnull (strstr (error->message, ".png, .svg or .pdf"));
}

static void
test_curve_data_from_run_dir (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:xor", 3);
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsCurveData) live = ts_curve_data_new ();
  g_autoptr(TsCurveData) saved = NULL;

  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  ts_curve_data_update (live, ts_trainer_get_steps (tr), ts_trainer_get_epochs (tr));
  saved = ts_curve_data_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (saved->step->len, ==, live->step->len);
  g_assert_cmpuint (saved->epoch->len, ==, 3);
  g_assert_cmpfloat (fabs (g_array_index (saved->val_acc, double, 2) - g_array_index (live->val_acc, double, 2)), <, 1e-8);
}

static guint32
pixel_at (cairo_surface_t *s, int x, int y)
{
  cairo_surface_flush (s);
  return ((guint32 *) (cairo_image_surface_get_data (s) + y * cairo_image_surface_get_stride (s)))[x] & 0xffffff;
}

/* the one image painter: clamped, rescaled and signed values; grey or RGB;
 * a grid at the size it says */
static void
test_image_painter (void)
{
  const float clamp[3] = { -0.5f, 0.5f, 1.5f }, rescale[3] = { 2, 3, 4 }, weights[3] = { -0.2f, 0, 0.1f };
  const float rgb[3 * 2] = { 1, 0, /* R */ 0, 1, /* G */ 0, 0 /* B */ };
  cairo_surface_t *s = ts_plot_image_surface (clamp, 1, 1, 3, TS_PIXELS_CLAMP);
  const float *images[4] = { clamp, rescale, weights, clamp };
  const TsPixelScale scales[4] = { TS_PIXELS_CLAMP, TS_PIXELS_RESCALE, TS_PIXELS_SIGNED, TS_PIXELS_CLAMP };
  cairo_surface_t *grid;
  cairo_t *cr;
  int w, h;

  g_assert_cmphex (pixel_at (s, 0, 0), ==, 0x000000);
  g_assert_cmphex (pixel_at (s, 1, 0), ==, 0x808080);
  g_assert_cmphex (pixel_at (s, 2, 0), ==, 0xffffff);
  cairo_surface_destroy (s);
  s = ts_plot_image_surface (rescale, 1, 1, 3, TS_PIXELS_RESCALE);
  g_assert_cmphex (pixel_at (s, 0, 0), ==, 0x000000);
  g_assert_cmphex (pixel_at (s, 1, 0), ==, 0x808080);
  g_assert_cmphex (pixel_at (s, 2, 0), ==, 0xffffff);
  cairo_surface_destroy (s);
  s = ts_plot_image_surface (weights, 1, 1, 3, TS_PIXELS_SIGNED); /* ±0.2 → black / white, 0 grey */
  g_assert_cmphex (pixel_at (s, 0, 0), ==, 0x000000);
  g_assert_cmphex (pixel_at (s, 1, 0), ==, 0x808080);
  g_assert_cmphex (pixel_at (s, 2, 0), ==, 0xbfbfbf); /* 127.5 + 127.5 · ½ */
  cairo_surface_destroy (s);
  s = ts_plot_image_surface (rgb, 3, 1, 2, TS_PIXELS_CLAMP);
  g_assert_cmphex (pixel_at (s, 0, 0), ==, 0xff0000);
  g_assert_cmphex (pixel_at (s, 1, 0), ==, 0x00ff00);
  cairo_surface_destroy (s);
  /* two per row, 2× zoom: 2·(3·2 + 1) + 1 wide, 2·(1·2 + 1) + 1 high */
  ts_plot_image_grid_size (4, 1, 3, 2, 2, &w, &h);
  g_assert_cmpint (w, ==, 15);
  g_assert_cmpint (h, ==, 7);
  grid = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cr = cairo_create (grid);
  ts_plot_image_grid (cr, images, scales, 4, 1, 1, 3, 2, 2);
  cairo_destroy (cr);
  g_assert_cmphex (pixel_at (grid, 0, 0), ==, 0x303030);        /* the gap */
  g_assert_cmphex (pixel_at (grid, 1 + 4, 1), ==, 0xffffff);     /* image 0, third pixel */
  g_assert_cmphex (pixel_at (grid, 8, 1), ==, 0x000000);         /* image 1 rescaled, first pixel */
  g_assert_cmphex (pixel_at (grid, 1 + 2, 4 + 1), ==, 0x808080); /* image 2, its zero */
  cairo_surface_destroy (grid);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plot/curves/line-where-data-is", test_line_where_the_data_is);
  g_test_add_func ("/plot/curves/million-points", test_million_points_decimated);
  g_test_add_func ("/plot/export/formats", test_exports_are_valid);
  g_test_add_func ("/plot/curves/from-run-dir", test_curve_data_from_run_dir);
  g_test_add_func ("/plot/image/painter", test_image_painter);
  return g_test_run ();
}
