/* The Cairo renderers: pixels where the data is, a legend, valid exports. */
#include "test-util.h"
#include "ts-plot-labels.h"
#include "ts-plot-private.h"
#include "ts-plot-image.h"
#include "ts-plot-run.h"

#include <cairo-pdf.h>
#include <math.h>

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

/* how many coverage levels the curve's edge pixels take: pixels that are
 * the series colour over the white background at some opacity between
 * 5% and 90% (those mixed with a grid line or text are left out) */
static guint
curve_coverage_levels (gboolean screen)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 400, 300);
  cairo_t *cr = cairo_create (surface);
  TsPlotStyle style = ts_plot_style_default (FALSE);
  double x[200], y[200], rgb[3];
  TsPlotSeries s = { "run", 0, x, y, G_N_ELEMENTS (x), FALSE };
  TsPlotAxes axes = { "step", "loss", FALSE };
  gboolean seen[256] = { FALSE };
  guint levels = 0;
  guint8 *data;

  for (gsize i = 0; i < G_N_ELEMENTS (x); i++) /* every slope, so every coverage a grid can give */
    x[i] = i, y[i] = sin (i / 15.0);
  style.screen = screen;
  ts_plot_curves (cr, 400, 300, &style, &s, 1, &axes, NULL);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  ts_plot_palette (0, rgb);
  for (int py = 0; py < 300; py++)
    for (int px = 0; px < 400; px++)
      {
        guint32 p = *(guint32 *) (data + (gsize) py * cairo_image_surface_get_stride (surface) + (gsize) px * 4);
        int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
        double a = 1 - r / 255.0; /* the palette's first colour has no red */
        if (a < 0.05 || a > 0.9 /* faint text edges; near-opaque over a grid line */
            || fabs (g - 255 * (1 - a + a * rgb[1])) > 2 || fabs (b - 255 * (1 - a + a * rgb[2])) > 2 || seen[r])
          continue;
        seen[r] = TRUE;
        levels++;
      }
  cairo_surface_destroy (surface);
  return levels;
}

/* On screen (the window replays a plot's drawing at every frame that shows
 * it) curves are antialiased on a 4×4 grid: 17 coverage levels at most.
 * Exports keep the full grid. */
static void
test_screen_curves_cheaper (void)
{
  guint screen = curve_coverage_levels (TRUE), export = curve_coverage_levels (FALSE);

  g_test_message ("coverage levels: %u on screen, %u in exports", screen, export);
  g_assert_cmpuint (screen, <=, 17);
  g_assert_cmpuint (export, >, 17);
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

  /* a run killed while loading leaves both CSVs empty: no curve, no read
   * past the end (the old reader started at line 1 of none) */
  {
    g_autofree char *steps = g_build_filename (dir, "steps.csv", NULL);
    g_autofree char *metrics = g_build_filename (dir, "metrics.csv", NULL);
    g_autoptr(TsCurveData) empty = NULL;
    g_assert_true (g_file_set_contents (steps, "", -1, NULL));
    g_assert_true (g_file_set_contents (metrics, "", -1, NULL));
    empty = ts_curve_data_load (dir, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (empty->step->len, ==, 0);
    g_assert_cmpuint (empty->epoch->len, ==, 0);
  }
}

/* the LR plot marks where the LR was divided at once (÷2 by hand at step
 * 40, then a smooth decay that is not marked); its CSV holds the line */
static void
test_lr_plot_marks_divisions (void)
{
  g_autoptr(TsCurveData) data = ts_curve_data_new ();
  TsRunCurves run = { "demo", 0, NULL };
  g_autofree char *csv = NULL;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 400, 300);
  cairo_t *cr = cairo_create (surface);
  TsPlotStyle style = ts_plot_style_default (FALSE);

  for (guint i = 1; i <= 100; i++)
    {
      double step = i, lr = (i <= 40 ? 0.1 : 0.05) * pow (0.999, i), loss = 1.0 / i;
      g_array_append_val (data->step, step);
      g_array_append_val (data->lr, lr);
      g_array_append_val (data->loss, loss);
    }
  run.data = data;
  csv = ts_plot_run_csv (TS_RUN_PLOT_LR, &run, 1);
  /* one vertical line, between steps 40 and 41, from the lowest LR to the highest */
  g_assert_nonnull (strstr (csv, "\"LR divided\",40.5,"));
  {
    g_auto(GStrv) parts = g_strsplit (csv, "LR divided", -1);
    g_assert_cmpuint (g_strv_length (parts), ==, 4); /* three points: bottom, top, gap */
  }
  ts_plot_run (cr, 400, 300, &style, TS_RUN_PLOT_LR, &run, 1, TRUE, NULL);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  /* the loss plot has no such line */
  g_clear_pointer (&csv, g_free);
  csv = ts_plot_run_csv (TS_RUN_PLOT_LOSS, &run, 1);
  g_assert_null (strstr (csv, "LR divided"));
}


/* ---- names that tell runs apart ------------------------------------------ */

static void
assert_labels (const char *const *names, guint n, const char *const *expected, const char *expected_common)
{
  g_autofree char *common = NULL;
  g_auto(GStrv) labels = ts_plot_distinct_labels (names, n, &common);

  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (labels[i], ==, expected[i]);
  g_assert_null (labels[n]);
  if (expected_common)
    g_assert_cmpstr (common, ==, expected_common);
}

static void
test_distinct_labels (void)
{
  const char *six[] = { "FMNIST relu he", "FMNIST relu xavier", "FMNIST relu small",
                        "FMNIST tanh he", "FMNIST tanh xavier", "FMNIST tanh small" };
  const char *six_short[] = { "relu he", "relu xavier", "relu small", "tanh he", "tanh xavier", "tanh small" };
  const char *race[] = { "race · xavier · tanh · 10×500", "race · he · tanh · 10×500", "race · he · relu · 10×500" };
  const char *race_short[] = { "xavier tanh", "he tanh", "he relu" };
  const char *lrs[] = { "Spiral · ReLU · He · lr 0.1", "Spiral · ReLU · He · lr 0.3" };
  const char *lrs_short[] = { "lr 0.1", "lr 0.3" };
  /* a base name and its variant: the base keeps its whole name */
  const char *base[] = { "FMNIST relu", "FMNIST relu he" };
  const char *base_short[] = { "FMNIST relu", "he" };
  /* the same words reordered: the whole names, still different */
  const char *reordered[] = { "a relu he", "a he relu", "a tanh he" };
  const char *reordered_short[] = { "a relu he", "a he relu", "tanh" };
  /* a number after a shared word that is not a key stays alone */
  const char *readme[] = { "Fashion-MNIST · sigmoid · small init", "Fashion-MNIST · 100 ReLU · He" };
  const char *readme_short[] = { "sigmoid small init", "100 ReLU He" };
  const char *one[] = { "only run" };
  const char *same[] = { "twin", "twin" };
  const char *with_null[] = { NULL, "x y" };
  const char *with_null_short[] = { "", "x y" };

  assert_labels (six, 6, six_short, "FMNIST");
  assert_labels (race, 3, race_short, "race 10×500");
  assert_labels (lrs, 2, lrs_short, "Spiral ReLU He lr");
  assert_labels (base, 2, base_short, "FMNIST relu");
  assert_labels (reordered, 3, reordered_short, "a he");
  assert_labels (readme, 2, readme_short, "Fashion-MNIST");
  assert_labels (one, 1, one, "");
  assert_labels (same, 2, same, "twin");
  assert_labels (with_null, 2, with_null_short, NULL);
}

/* the legend of six similar runs names each by what differs, on screen
 * and at export size; twelve go in rows, still uncut */
static void
test_legend_tells_runs_apart (void)
{
  const char *names[] = { "FMNIST relu he", "FMNIST relu xavier", "FMNIST relu small",
                          "FMNIST tanh he", "FMNIST tanh xavier", "FMNIST tanh small",
                          "FMNIST elu he", "FMNIST elu xavier", "FMNIST elu small",
                          "FMNIST sigmoid he", "FMNIST sigmoid xavier", "FMNIST sigmoid small" };
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 10, 10);
  cairo_t *cr = cairo_create (surface);
  double x[3] = { 1, 2, 3 }, y[3] = { 2, 1, 0.5 };
  TsPlotSeries series[12];
  const double widths[] = { 480, 960 };
  const guint counts[] = { 6, 12 };

  for (int i = 0; i < 12; i++)
    series[i] = (TsPlotSeries) { names[i], i, x, y, 3 };
  for (gsize w = 0; w < G_N_ELEMENTS (widths); w++)
    for (gsize c = 0; c < G_N_ELEMENTS (counts); c++)
      {
        gboolean boxed;
        g_auto(GStrv) labels = _ts_plot_legend_labels (cr, series, counts[c], widths[w], &boxed);
        g_assert_cmpuint (g_strv_length (labels), ==, counts[c]);
        for (guint i = 0; i < counts[c]; i++)
          {
            g_assert_null (strstr (labels[i], "…"));
            g_assert_true (g_str_has_suffix (names[i], labels[i]));
            for (guint j = 0; j < i; j++)
              g_assert_cmpstr (labels[i], !=, labels[j]);
          }
        g_test_message ("%u runs at %.0f pt: \"%s\" …%s", counts[c], widths[w], labels[0], boxed ? " in rows" : "");
      }
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

/* ---- axes that do not mislead --------------------------------------------- */

static void
ranges_of (TsRunPlotKind kind, gboolean log_y, const double *y, gsize n, gboolean diverged, const double *y2,
           double *y0, double *y1)
{
  g_autofree double *x = g_new (double, n);
  TsRunPlotOptions options = { log_y, 0, 0, 0.6 };
  TsPlotSeries s[2] = { { "a", 0, x, y, n, .diverged = diverged }, { "b", 1, x, y2, n } };
  TsPlotAxes axes;
  double x0, x1;

  for (gsize i = 0; i < n; i++)
    x[i] = i + 1;
  ts_plot_run_axes (kind, &options, &axes);
  ts_plot_curves_ranges (s, y2 ? 2 : 1, &axes, &x0, &x1, y0, y1);
}

static void
test_log_axis_within_a_decade (void)
{
  double y[4] = { 2.36, 2.33, 2.29, 2.26 }, y0, y1, ticks[64];
  guint n;

  ranges_of (TS_RUN_PLOT_LOSS, TRUE, y, 4, FALSE, NULL, &y0, &y1);
  n = ts_plot_y_ticks (y0, y1, TRUE, ticks, 64);
  g_assert_cmpuint (n, >=, 3); /* labels inside 2.26 … 2.36, not none */
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpfloat (ticks[i], >=, y0);
      g_assert_cmpfloat (ticks[i], <=, y1);
    }
  /* a range over decades keeps its decade labels */
  n = ts_plot_y_ticks (-2, 1, TRUE, ticks, 64);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpfloat (fabs (ticks[0] + 2), <, 1e-9);
}

/* layers and epochs are labelled at whole numbers only, however few */
static void
test_whole_x_ticks (void)
{
  g_assert_cmpfloat (ts_plot_x_step (1, 5, FALSE), ==, 0.5);
  g_assert_cmpfloat (ts_plot_x_step (1, 5, TRUE), ==, 1);
  g_assert_cmpfloat (ts_plot_x_step (1, 60, TRUE), ==, 10);
}

/* the y labels are drawn: ink left of the plotting area */
static void
test_log_axis_labels_drawn (void)
{
  double x[4] = { 1, 2, 3, 4 }, y[4] = { 2.36, 2.33, 2.29, 2.26 };
  cairo_surface_t *surface = render_series (x, y, 4, TRUE, NULL);
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface), dark = 0;
  double ax, ay, aw, ah;

  ts_plot_curves_area (400, 300, &ax, &ay, &aw, &ah);
  for (int py = (int) ay; py < (int) (ay + ah); py++)
    for (int px = 24; px < (int) ax - 4; px++) /* between the axis title and the frame */
      dark += (*(guint32 *) (data + (gsize) py * stride + (gsize) px * 4) & 0xff) < 128;
  g_assert_cmpint (dark, >, 40);
  cairo_surface_destroy (surface);
}

static void
test_accuracy_at_chance_not_zoomed (void)
{
  double y[4] = { 0.098, 0.1, 0.101, 0.099 }, y0, y1;

  ranges_of (TS_RUN_PLOT_ACCURACY, FALSE, y, 4, FALSE, NULL, &y0, &y1);
  g_assert_cmpfloat (y1 - y0, >=, 0.1);
  g_assert_cmpfloat (y0, >=, 0);
  /* near 1 the span stays inside [0, 1] before padding */
  {
    double top[3] = { 0.995, 0.997, 0.996 };
    ranges_of (TS_RUN_PLOT_ACCURACY, FALSE, top, 3, FALSE, NULL, &y0, &y1);
    g_assert_cmpfloat (y1, <=, 1.06);
    g_assert_cmpfloat (y1 - y0, >=, 0.1);
  }
}

static void
test_linear_lr_never_below_zero (void)
{
  double constant[3] = { 0.1, 0.1, 0.1 }, warmup[3] = { 0, 0.05, 0.1 }, y0, y1;

  ranges_of (TS_RUN_PLOT_LR, FALSE, constant, 3, FALSE, NULL, &y0, &y1);
  g_assert_cmpfloat (y0, >=, 0);
  g_assert_cmpfloat (y0, <, 0.1);
  g_assert_cmpfloat (y1, >, 0.1);
  ranges_of (TS_RUN_PLOT_LR, FALSE, warmup, 3, FALSE, NULL, &y0, &y1);
  g_assert_cmpfloat (y0, ==, 0);
}

static void
test_diverged_run_does_not_flatten_others (void)
{
  double blown[5] = { 2.3, 5, 1e4, 1e9, NAN }, fine[5] = { 2.3, 1.5, 1.0, 0.6, 0.4 }, y0, y1;

  /* linear: the axis is the healthy run's, not 0 … 1e9 */
  ranges_of (TS_RUN_PLOT_LOSS, FALSE, blown, 5, TRUE, fine, &y0, &y1);
  g_assert_cmpfloat (y1, <, 3);
  /* log too */
  ranges_of (TS_RUN_PLOT_LOSS, TRUE, blown, 5, TRUE, fine, &y0, &y1);
  g_assert_cmpfloat (y1, <, log10 (3));
  /* alone, a diverged run shows its start, up to ten times its first loss */
  ranges_of (TS_RUN_PLOT_LOSS, FALSE, blown, 5, TRUE, NULL, &y0, &y1);
  g_assert_cmpfloat (y1, <, 10);
  g_assert_cmpfloat (y1, >, 5);
}

/* a loss that turned NaN marks its run diverged, without being told */
static void
test_nan_loss_marks_divergence (void)
{
  g_autoptr(TsCurveData) d = ts_curve_data_new ();
  g_autoptr(TsCurveData) ok = ts_curve_data_new ();
  double blown[5] = { 2.3, 5, 1e4, 1e9, NAN }, fine[5] = { 2.3, 1.5, 1.0, 0.6, 0.4 };
  TsRunCurves runs[2] = { { "blown", 0, d }, { "fine", 1, ok } };
  TsRunPlotOptions options = { FALSE, 0, 0, 0.6 };
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 400, 300);
  cairo_t *cr = cairo_create (surface);
  TsPlotStyle style = ts_plot_style_default (FALSE);
  guint8 *data;
  int stride, top_ink = 0;
  double ax, ay, aw, ah, rgb[3];

  for (int i = 0; i < 5; i++)
    {
      double step = i + 1;
      g_array_append_val (d->step, step), g_array_append_val (ok->step, step);
      g_array_append_val (d->loss, blown[i]), g_array_append_val (ok->loss, fine[i]);
      g_array_append_val (d->lr, step), g_array_append_val (ok->lr, step);
    }
  ts_plot_run_with (cr, 400, 300, &style, TS_RUN_PLOT_LOSS, runs, 2, &options, NULL);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  /* the healthy curve fills the height: its first point is near the top */
  ts_plot_curves_area (400, 300, &ax, &ay, &aw, &ah);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  ts_plot_palette (1, rgb);
  for (int py = (int) ay; py < (int) (ay + ah * 0.2); py++)
    for (int px = (int) ax; px < (int) (ax + aw * 0.2); px++)
      {
        guint32 p = *(guint32 *) (data + (gsize) py * stride + (gsize) px * 4);
        top_ink += abs ((int) ((p >> 16) & 0xff) - (int) (rgb[0] * 255)) < 30
                   && abs ((int) ((p >> 8) & 0xff) - (int) (rgb[1] * 255)) < 30
                   && abs ((int) (p & 0xff) - (int) (rgb[2] * 255)) < 30;
      }
  g_assert_cmpint (top_ink, >, 3);
  cairo_surface_destroy (surface);
}

/* ---- smoothing ----------------------------------------------------------- */

static void
test_smoothing_is_tensorboards (void)
{
  double y[5] = { 1, 2, NAN, 3, 3 }, out[5], expect[5];
  double last = 0, w = 0.5;
  int k = 0;

  /* TensorBoard: last = last·w + (1−w)·y; shown as last / (1 − w^k) */
  for (int i = 0; i < 5; i++)
    {
      if (isfinite (y[i]))
        last = last * w + (1 - w) * y[i], k++;
      expect[i] = last / (1 - pow (w, k));
    }
  ts_plot_smooth (y, 5, w, out);
  for (int i = 0; i < 5; i++)
    g_assert_cmpfloat (fabs (out[i] - expect[i]), <, 1e-12);
  g_assert_cmpfloat (fabs (out[0] - 1), <, 1e-12); /* debiased: starts at the data, not at 0 */
  g_assert_cmpfloat (fabs (out[1] - 5.0 / 3), <, 1e-12);
  /* weight 0 is the raw data */
  ts_plot_smooth (y, 2, 0, out);
  g_assert_cmpfloat (out[1], ==, 2);
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

/* a seed group's ±1 std band: in the y range, filled faintly under the line,
 * and in the CSV as its own series */
static void
test_std_band (void)
{
  double x[10], y[10], sd[10], x0, x1, y0, y1, ax, ay, aw, ah, rgb[3];
  TsPlotStyle style = ts_plot_style_default (FALSE);
  TsPlotAxes axes = { "epoch", "accuracy" };
  gboolean banded[2];
  g_autoptr(TsCurveData) d = ts_curve_data_new ();
  g_autofree char *csv = NULL;

  for (int i = 0; i < 10; i++)
    x[i] = i + 1, y[i] = 0.5, sd[i] = 0.1;
  ts_plot_curves_ranges (&(TsPlotSeries) { "group", 0, x, y, 10, .spread = sd }, 1, &axes, &x0, &x1, &y0, &y1);
  g_assert_cmpfloat (y0, <=, 0.4);
  g_assert_cmpfloat (y1, >=, 0.6);
  ts_plot_curves_area (400, 300, &ax, &ay, &aw, &ah);
  ts_plot_palette (0, rgb);
  for (int with = 0; with < 2; with++)
    {
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 400, 300);
      cairo_t *cr = cairo_create (surface);
      TsPlotSeries s = { "group", 0, x, y, 10, .spread = with ? sd : NULL };
      /* the same axes both times: 0.45 lies inside the band, off the line */
      TsPlotAxes fixed = { "epoch", "accuracy", .y_min = y0, .y_max = y1 };
      int px = (int) (ax + (5.5 - x0) / (x1 - x0) * aw), py;
      guint32 p;
      double blend;

      ts_plot_curves (cr, 400, 300, &style, &s, 1, &fixed, NULL);
      cairo_destroy (cr);
      cairo_surface_flush (surface);
      ts_plot_curves_ranges (&s, 1, &fixed, &x0, &x1, &y0, &y1);
      py = (int) (ay + ah - (0.45 - y0) / (y1 - y0) * ah);
      p = *(guint32 *) (cairo_image_surface_get_data (surface) + (gsize) py * cairo_image_surface_get_stride (surface) + (gsize) px * 4);
      /* the series' colour, faint: lighter than it, darker than the background */
      blend = 0.22 * rgb[2] + 0.78 * style.background[2];
      g_test_message ("band %d: pixel (%d, %d) = %06x", with, px, py, p & 0xffffff);
      /* tinted blue as the palette's first colour is, not a grey grid line */
      banded[with] = (int) (p & 0xff) - (int) ((p >> 16) & 0xff) > 25 && (int) ((p >> 16) & 0xff) > (int) (255 * rgb[0]) + 40
                     && abs ((int) (p & 0xff) - (int) round (255 * blend)) < 40;
      cairo_surface_destroy (surface);
    }
  g_assert_false (banded[0]);
  g_assert_true (banded[1]);
  /* the CSV: the mean, then "NAME · std" */
  for (int i = 0; i < 3; i++)
    {
      double e = i + 1, a = 0.5;
      g_array_append_val (d->epoch, e), g_array_append_val (d->train_acc, a), g_array_append_val (d->val_acc, a);
    }
  d->val_acc_std = g_array_new (FALSE, FALSE, sizeof (double));
  for (int i = 0; i < 3; i++)
    {
      double s = 0.1;
      g_array_append_val (d->val_acc_std, s);
    }
  csv = ts_plot_run_csv (TS_RUN_PLOT_ACCURACY, &(TsRunCurves) { "group", 0, d }, 1);
  g_assert_nonnull (strstr (csv, "\"group · val · std\",3,0.10000000000000001"));
  g_assert_null (strstr (csv, "train · std"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plot/curves/line-where-data-is", test_line_where_the_data_is);
  g_test_add_func ("/plot/curves/whole-x-ticks", test_whole_x_ticks);
  g_test_add_func ("/plot/curves/million-points", test_million_points_decimated);
  g_test_add_func ("/plot/curves/screen-cheaper", test_screen_curves_cheaper);
  g_test_add_func ("/plot/export/formats", test_exports_are_valid);
  g_test_add_func ("/plot/curves/from-run-dir", test_curve_data_from_run_dir);
  g_test_add_func ("/plot/run/lr-divisions-marked", test_lr_plot_marks_divisions);
  g_test_add_func ("/plot/labels/distinct", test_distinct_labels);
  g_test_add_func ("/plot/labels/legend-six-runs", test_legend_tells_runs_apart);
  g_test_add_func ("/plot/axes/log-within-a-decade", test_log_axis_within_a_decade);
  g_test_add_func ("/plot/axes/log-labels-drawn", test_log_axis_labels_drawn);
  g_test_add_func ("/plot/axes/accuracy-at-chance", test_accuracy_at_chance_not_zoomed);
  g_test_add_func ("/plot/axes/lr-not-below-zero", test_linear_lr_never_below_zero);
  g_test_add_func ("/plot/axes/diverged-run-clipped", test_diverged_run_does_not_flatten_others);
  g_test_add_func ("/plot/axes/nan-loss-marks-divergence", test_nan_loss_marks_divergence);
  g_test_add_func ("/plot/smoothing/tensorboard", test_smoothing_is_tensorboards);
  g_test_add_func ("/plot/image/painter", test_image_painter);
  g_test_add_func ("/plot/curves/std-band", test_std_band);
  return g_test_run ();
}
