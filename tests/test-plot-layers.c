/* The inside-the-net renderers, each drawn from a real training run: ridges
 * where the histogram's peak is, the update-ratio band, filters as images,
 * the decision heat map coloured by the grid, CSV and every export format.
 * TS_SHOT_DIR=dir keeps the PNGs to look at. */
#include "test-util.h"
#include "ts-plot-layers.h"

#include <glib/gstdio.h>

#define W 640
#define H 360

typedef struct {
  TsTraining     *t;
  TsRunStats      run;
  TsHistMode      mode;
  TsLayerMetric   metric;
  TsDecisionGrid *grid;
  TsModel        *model;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 40);

  f->t = train_to_end (exp);
  f->run = (TsRunStats) { "spiral", 2, f->t->stats, ts_metric_log_length (f->t->stats) };
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  ts_decision_grid_free (f->grid);
  ts_model_free (f->model);
  ts_training_free (f->t);
}

static guint32
pixel (cairo_surface_t *s, int x, int y)
{
  return *(guint32 *) (cairo_image_surface_get_data (s) + (gsize) y * cairo_image_surface_get_stride (s) + x * 4) & 0xffffff;
}

static gboolean
near_colour (guint32 p, const double rgb[3], int tolerance)
{
  return abs ((int) ((p >> 16) & 0xff) - (int) (rgb[0] * 255)) <= tolerance
         && abs ((int) ((p >> 8) & 0xff) - (int) (rgb[1] * 255)) <= tolerance
         && abs ((int) (p & 0xff) - (int) (rgb[2] * 255)) <= tolerance;
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

/* every format writes and reads back as what it claims to be */
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

/* ---- histograms over time ----------------------------------------------------- */

static void
draw_histograms (cairo_t *cr, double width, double height, gpointer data)
{
  Fixture *f = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_plot_layer_histograms (cr, width, height, &style, &f->run, 1, 0, TS_HIST_ACTIVATIONS, f->mode, NULL);
}

static void
test_histogram_peak_drawn (Fixture *f, gconstpointer data)
{
  const TsStatsRecord *last = ts_metric_log_get (f->t->stats, f->run.n - 1);
  const TsHistogram *h = &last->layers[0].hist[TS_HIST_ACTIVATIONS];
  double rgb[3], lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE, px = 24, pw = W - 24 - 86;
  int peak = 0, x, found = 0;
  g_autofree char *csv = NULL;

  ts_plot_palette (2, rgb);
  for (gsize i = 0; i < f->run.n; i++)
    {
      const TsHistogram *hi_ = &((const TsStatsRecord *) ts_metric_log_get (f->t->stats, i))->layers[0].hist[TS_HIST_ACTIVATIONS];
      lo = MIN (lo, hi_->edges[0]), hi = MAX (hi, hi_->edges[TS_HISTOGRAM_BINS]);
    }
  for (int b = 1; b < TS_HISTOGRAM_BINS; b++)
    if (h->counts[b] > h->counts[peak])
      peak = b;
  x = (int) (px + ((h->edges[peak] + h->edges[peak + 1]) / 2 - lo) / (hi - lo) * pw);

  for (int m = 0; m < 2; m++)
    {
      cairo_surface_t *s;
      f->mode = m;
      s = render (draw_histograms, f, m ? "hist-overlay.png" : "hist-offset.png");
      /* the newest ridge peaks at the top of its band: a run-coloured pixel
       * on the peak bin's top edge, which lies at 30% (offset) or 100%
       * (overlay) of the plot's height above the baseline */
      {
        double base = H - 44, top = base - (m ? base - 40 : (base - 40) * 0.3);
        found = 0;
        for (int dy = -2; dy <= 2; dy++)
          found |= near_colour (pixel (s, x, (int) top + dy), rgb, 60);
        g_assert_true (found);
      }
      cairo_surface_destroy (s);
    }
  assert_exports (draw_histograms, f);
  csv = ts_plot_layer_histograms_csv (&f->run, 1, 0, TS_HIST_WEIGHTS);
  g_assert_true (g_str_has_prefix (csv, "run,step,layer,kind,bin_lo,bin_hi,count\nspiral,1,1,weights,"));
  {
    g_auto(GStrv) lines = g_strsplit (csv, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 1 + f->run.n * TS_HISTOGRAM_BINS + 1);
  }
}

/* ---- per-layer curves ------------------------------------------------------------ */

static void
draw_metric (cairo_t *cr, double width, double height, gpointer data)
{
  Fixture *f = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_plot_layer_metric (cr, width, height, &style, &f->run, 1, f->metric, NULL);
}

static void
test_update_ratio_band (Fixture *f, gconstpointer data)
{
  double ly = log10 (3e-4), hy = log10 (3e-3), ax, ay, aw, ah, pad;
  cairo_surface_t *s;
  guint32 p, bg;
  g_autofree char *csv = NULL;

  f->metric = TS_LAYER_UPDATE_RATIO;
  s = render (draw_metric, f, "update-ratio.png");
  /* the y range the plot uses: every layer's ratios and the band, padded 5% */
  for (gsize i = 0; i < f->run.n; i++)
    {
      const TsStatsRecord *rec = ts_metric_log_get (f->t->stats, i);
      for (guint l = 0; l < rec->n_layers; l++)
        ly = MIN (ly, log10 (rec->layers[l].update_ratio)), hy = MAX (hy, log10 (rec->layers[l].update_ratio));
    }
  pad = (hy - ly) * 0.05, ly -= pad, hy += pad;
  ts_plot_curves_area (W, H, &ax, &ay, &aw, &ah);
  bg = pixel (s, 2, 2);
  /* just inside the band's edges at 3e-4 and 3e-3: tinted green; just outside: not */
  for (int k = 0; k < 2; k++)
    {
      double edge = log10 (k ? 3e-3 : 3e-4);
      int y = (int) (ay + ah - (edge - ly) / (hy - ly) * ah), inside = k ? 3 : -3;
      p = pixel (s, (int) (ax + 3), y + inside);
      g_assert_cmpuint (p, !=, bg);
      g_assert_cmpint ((p >> 8) & 0xff, >, (p >> 16) & 0xff); /* greener than red */
      g_assert_cmphex (pixel (s, (int) (ax + 3), y - inside), ==, bg);
    }
  cairo_surface_destroy (s);
  assert_exports (draw_metric, f);
  csv = ts_plot_layer_metric_csv (&f->run, 1, TS_LAYER_UPDATE_RATIO);
  g_assert_true (g_str_has_prefix (csv, "series,step,update-ratio\nlayer 1,1,"));
  g_assert_nonnull (strstr (csv, "\noutput,"));

  for (f->metric = TS_LAYER_GRAD_NORM; f->metric < TS_LAYER_N_METRICS; f->metric++)
    {
      g_autofree char *name = g_strdup_printf ("%s.png", ts_layer_metric_name (f->metric));
      cairo_surface_destroy (render (draw_metric, f, name));
    }
}

/* a conv net's pool layers have no weights: no line in the per-layer curves */
static void
test_metrics_skip_pool_layers (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:shapes", 1);
  TsTraining *t;
  TsRunStats run;

  g_assert_true (ts_experiment_set (exp, "data.samples", "120", NULL));
  g_assert_true (ts_experiment_set (exp, "model.layers", "conv4x3,maxpool2,conv4x3,gap", NULL));
  t = train_to_end (exp);
  run = (TsRunStats) { "cnn", 0, t->stats, ts_metric_log_length (t->stats) };
  g_assert_cmpuint (run.n, >, 0);
  for (TsLayerMetric m = 0; m < TS_LAYER_N_METRICS; m++)
    {
      g_autofree char *csv = ts_plot_layer_metric_csv (&run, 1, m);
      g_assert_nonnull (strstr (csv, "\nlayer 1,"));
      g_assert_null (strstr (csv, "\nlayer 2,"));  /* maxpool */
      g_assert_nonnull (strstr (csv, "\nlayer 3,"));
      g_assert_null (strstr (csv, "\nlayer 4,"));  /* global average pool */
      g_assert_true ((strstr (csv, "\noutput,") != NULL) == (m != TS_LAYER_UNHEALTHY));
    }
  ts_training_free (t);
}

/* ---- first-layer filters ----------------------------------------------------------- */

typedef struct {
  TsNet *net;
} FilterData;

static void
draw_filters (cairo_t *cr, double width, double height, gpointer data)
{
  FilterData *d = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_plot_filters (cr, width, height, &style, d->net, 3, 8, 8, NULL);
}

static void
test_filters_are_images (void)
{
  TsLayerSpec hidden = { .units = 4 };
  g_autoptr(TsNet) net = ts_net_new (3 * 8 * 8, &hidden, 1, TS_ACT_RELU, 0.01f, 0, 2, 4);
  FilterData d = { net };
  cairo_surface_t *s;
  g_autofree char *csv = NULL;

  /* unit 0: red channel +1, the others −1 → pure red; unit 1: all 0 → grey */
  for (guint i = 0; i < 3 * 64; i++)
    {
      net->params[net->layers[0].w + i] = i < 64 ? 1.f : -1.f;
      net->params[net->layers[0].w + 192 + i] = 0.f;
    }
  s = render (draw_filters, &d, "filters.png");
  {
    /* four tiles in one row: the largest that fit 640 × (360 − 28) */
    double tile = MIN ((W - 2.0 * 5) / 4, H - 28 - 2.0 * 2);
    int cx0 = (int) (2 + tile / 2), cx1 = (int) (2 + tile + 2 + tile / 2), cy = (int) (28 + 2 + tile / 2);
    g_assert_cmphex (pixel (s, cx0, cy), ==, 0xff0000);
    g_assert_cmphex (pixel (s, cx1, cy) & 0xfefefe, ==, 0x7e7e7e); /* 127.5 rounds either way */
  }
  cairo_surface_destroy (s);
  assert_exports (draw_filters, &d);
  csv = ts_plot_filters_csv (net, 1);
  g_assert_true (g_str_has_prefix (csv, "unit,input,weight\n0,0,1\n"));
  g_assert_cmpuint (strlen (csv), <, 10 * 192 + 32); /* one unit only */
}

/* ---- a batch-norm layer ---------------------------------------------------------------- */

typedef struct {
  TsNet *net;
  guint  layer;
} BnData;

static void
draw_bn (cairo_t *cr, double width, double height, gpointer data)
{
  BnData *d = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_plot_batchnorm (cr, width, height, &style, d->net, d->layer, "bn");
}

/* pixels of palette colour k inside panel k of the two-by-two layout */
static guint
quadrant_pixels (cairo_surface_t *s, guint k)
{
  double rgb[3];
  guint n = 0;

  ts_plot_palette (k, rgb);
  for (int y = (int) (k / 2) * H / 2; y < (int) (k / 2 + 1) * H / 2; y++)
    for (int x = (int) (k % 2) * W / 2; x < (int) (k % 2 + 1) * W / 2; x++)
      n += near_colour (pixel (s, x, y), rgb, 30);
  return n;
}

static void
test_batchnorm_parameters (void)
{
  const TsLayerSpec hidden[] = { { 3, TS_INHERIT_ACTIVATION },
                                 { 0, TS_INHERIT_ACTIVATION, TS_LAYER_BATCHNORM, TS_BN_MOMENTUM, TS_BN_EPS } };
  g_autoptr(TsNet) net = ts_net_new (2, hidden, 2, TS_ACT_TANH, 0.01f, 0, 2, 4);
  float *gamma = ts_net_layer_weights_mut (net, 1, NULL), *beta = ts_net_layer_bias_mut (net, 1);
  const float *mean, *var;
  BnData d = { net, 1 }, dense = { net, 0 };
  cairo_surface_t *s;
  g_autofree char *csv = NULL;

  g_assert_true (ts_net_layer_running_stats (net, 1, &mean, &var));
  for (guint u = 0; u < 3; u++)
    {
      gamma[u] = 1.5f + u, beta[u] = -0.5f * u;
      ((float *) mean)[u] = 0.25f * u, ((float *) var)[u] = 2.f + u;
    }
  csv = ts_plot_batchnorm_csv (net, 1);
  g_assert_cmpstr (csv, ==, "unit,gamma,beta,running_mean,running_var\n"
                            "0,1.5,-0,0,2\n1,2.5,-0.5,0.25,3\n2,3.5,-1,0.5,4\n");
  /* 640 × 360 is not wide enough for a row: two by two, each in its colour */
  s = render (draw_bn, &d, "batchnorm.png");
  for (guint k = 0; k < TS_BN_N_SERIES; k++)
    g_assert_cmpuint (quadrant_pixels (s, k), >=, 50);
  cairo_surface_destroy (s);
  assert_exports (draw_bn, &d);
  /* a dense layer has no batch-norm parameters: a message, no data */
  g_assert_null (ts_plot_batchnorm_csv (net, 0));
  s = render (draw_bn, &dense, "batchnorm-dense.png");
  for (guint k = 0; k < TS_BN_N_SERIES; k++)
    g_assert_cmpuint (quadrant_pixels (s, k), ==, 0);
  cairo_surface_destroy (s);
}

/* BatchNorm2d after a conv: one row per channel, not per C·H·W value */
static void
test_batchnorm_per_channel (void)
{
  const TsLayerSpec hidden[] = {
    { .kind = TS_LAYER_CONV, .units = 3, .kernel = 3, .stride = 1, .padding = TS_PADDING_SAME,
      .activation = TS_INHERIT_ACTIVATION },
    { .kind = TS_LAYER_BATCHNORM, .momentum = TS_BN_MOMENTUM, .eps = TS_BN_EPS } };
  TsShape input = { 3, { 2, 4, 4 } };
  g_autoptr(TsNet) net = ts_net_new_shaped (&input, hidden, 2, TS_ACT_RELU, 0.01f, 0, 2, 4);
  float *gamma = ts_net_layer_weights_mut (net, 1, NULL);
  g_autofree char *csv = NULL;

  for (guint c = 0; c < 3; c++)
    gamma[c] = 1.f + c;
  csv = ts_plot_batchnorm_csv (net, 1);
  g_assert_cmpstr (csv, ==, "unit,gamma,beta,running_mean,running_var\n"
                            "0,1,0,0,1\n1,2,0,0,1\n2,3,0,0,1\n");
}

/* ---- decision boundary --------------------------------------------------------------- */

typedef struct {
  const TsDecisionGrid *grid;
  const TsDataset      *ds;
} DecisionData;

static void
draw_decision (cairo_t *cr, double width, double height, gpointer data)
{
  DecisionData *d = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  ts_plot_decision (cr, width, height, &style, d->grid, d->ds, "spiral · decision boundary");
}

static void
test_decision_heat_map (Fixture *f, gconstpointer data)
{
  g_autoptr(TsDataset) empty = ts_dataset_new (0, 2, 3);
  g_autoptr(GError) error = NULL;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  DecisionData d;
  cairo_surface_t *s;
  guint checked = 0;
  g_autofree char *csv = NULL;
  TsNet *net = f->t->net;

  f->model = g_new0 (TsModel, 1);
  f->model->experiment = ts_experiment_copy (f->t->exp);
  f->model->net = ts_net_copy (net);
  f->model->preprocess = ts_preprocess_new_from_parts (f->t->data.preprocess->kind, 2, 2, f->t->data.preprocess->mean,
                                                       f->t->data.preprocess->std, NULL);
  f->grid = ts_decision_grid_new (f->model, -1.2, 1.2, -1.2, 1.2, 60, 60, &error);
  g_assert_no_error (error);
  /* without points the map alone shows: each sampled pixel is its cell's
   * class colour blended as the renderer promises */
  d = (DecisionData) { f->grid, empty };
  s = render (draw_decision, &d, "decision-empty.png");
  {
    double left = 48, size = MIN (W - 130 - left, H - 40 - 36) - 2;
    for (guint j = 5; j < 60; j += 10)
      for (guint i = 5; i < 60; i += 10)
        {
          gsize at = (gsize) j * 60 + i;
          double rgb[3], chance = 1.0 / 3, sure = CLAMP ((f->grid->confidence[at] - chance) / (1 - chance), 0, 1);
          double mix = 0.18 + 0.42 * sure;
          int x = (int) (left + 1 + (i + 0.5) * size / 60), y = (int) (36 + 1 + (59 - j + 0.5) * size / 60);
          ts_plot_palette (f->grid->classes[at], rgb);
          for (int c = 0; c < 3; c++)
            rgb[c] = style.background[c] * (1 - mix) + rgb[c] * mix;
          /* neighbouring cells blend in under bilinear filtering: only
           * cells whose neighbours agree are checked exactly */
          if (f->grid->classes[at] == f->grid->classes[at + 1] && f->grid->classes[at] == f->grid->classes[at - 60])
            {
              g_assert_true (near_colour (pixel (s, x, y), rgb, 40));
              checked++;
            }
        }
  }
  g_assert_cmpuint (checked, >=, 12);
  cairo_surface_destroy (s);
  d.ds = f->t->data.val;
  cairo_surface_destroy (render (draw_decision, &d, "decision.png"));
  assert_exports (draw_decision, &d);
  csv = ts_plot_decision_csv (f->grid);
  g_assert_true (g_str_has_prefix (csv, "x,y,class,confidence\n-1.18,-1.18,"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/plot/layers/histogram-peak-drawn", Fixture, NULL, fixture_set_up, test_histogram_peak_drawn,
              fixture_tear_down);
  g_test_add ("/plot/layers/update-ratio-band", Fixture, NULL, fixture_set_up, test_update_ratio_band,
              fixture_tear_down);
  g_test_add_func ("/plot/layers/filters-are-images", test_filters_are_images);
  g_test_add_func ("/plot/layers/metrics-skip-pool-layers", test_metrics_skip_pool_layers);
  g_test_add_func ("/plot/layers/batchnorm-parameters", test_batchnorm_parameters);
  g_test_add_func ("/plot/layers/batchnorm-per-channel", test_batchnorm_per_channel);
  g_test_add ("/plot/layers/decision-heat-map", Fixture, NULL, fixture_set_up, test_decision_heat_map,
              fixture_tear_down);
  return g_test_run ();
}
