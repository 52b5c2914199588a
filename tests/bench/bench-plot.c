/* What one frame of the Training page's plots costs the UI thread, drawn as
 * GTK's Cairo renderer draws them: a widget's drawing is recorded at
 * snapshot time and replayed onto the frame's image at every frame that
 * shows it, so the replay is the cost that recurs.
 *
 *   build/tests/bench/bench-plot [FRAMES]
 *
 * The curves are shaped like a 3-epoch Fashion-MNIST run's (1 266 steps of
 * a noisy, falling loss, made up from a fixed seed; three epochs of
 * accuracy; a constant learning rate), at about the sizes a 1280 × 800
 * window gives the plots (the loss plot 961 × 276); each is drawn with the style
 * the window uses (screen) and the one exports use, and the thread's CPU
 * time is reported, which other load on the machine barely moves. */
#include "ts-plot-layers.h"
#include "ts-plot-run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
thread_cpu (void)
{
  struct timespec t;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static TsCurveData *
fashion_mnist_like (guint steps)
{
  TsCurveData *d = ts_curve_data_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < steps; i++)
    {
      double step = i + 1, lr = 0.05, loss = 0.4 + 1.9 * exp (-(double) i / 80) + g_rand_double_range (rand, -0.15, 0.15);
      g_array_append_val (d->step, step);
      g_array_append_val (d->loss, loss);
      g_array_append_val (d->lr, lr);
    }
  for (int e = 0; e < 3; e++)
    {
      double epoch = e + 1, train = 0.82 + 0.03 * e, val = 0.81 + 0.025 * e, train_loss = 0.5 - 0.06 * e,
             val_loss = 0.52 - 0.05 * e;
      g_array_append_val (d->epoch, epoch);
      g_array_append_val (d->train_acc, train);
      g_array_append_val (d->val_acc, val);
      g_array_append_val (d->train_loss, train_loss);
      g_array_append_val (d->val_loss, val_loss);
    }
  return d;
}

/* a hidden layer's weights measured 24 times (what the histogram figure
 * draws at most), spreading out as it trains */
static TsMetricLog *
weight_histograms (void)
{
  TsMetricLog *log = ts_metric_log_new (ts_stats_record_size (1));
  g_autofree TsStatsRecord *rec = ts_stats_record_new (1);

  for (int m = 0; m < TS_HIST_MAX_RIDGES; m++)
    {
      TsHistogram *h = &rec->layers[0].hist[TS_HIST_WEIGHTS];
      double spread = 0.05 * (1 + m / 10.0);
      rec->step = 50 * m;
      rec->n_layers = 1;
      for (int b = 0; b <= TS_HISTOGRAM_BINS; b++)
        h->edges[b] = (float) (-3 * spread + 6 * spread * b / TS_HISTOGRAM_BINS);
      for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
        {
          double z = (b + 0.5 - TS_HISTOGRAM_BINS / 2.0) / (TS_HISTOGRAM_BINS / 6.0);
          h->counts[b] = (guint) (4000 * exp (-z * z / 2) + 3);
        }
      ts_metric_log_append (log, rec);
    }
  return log;
}

typedef struct {
  TsRunPlotKind kind; /* or the histograms, with stats */
  const TsRunCurves *run;
  const TsMetricLog *stats;
} Plot;

static void
draw (cairo_t *cr, double width, double height, const TsPlotStyle *style, const Plot *plot)
{
  TsRunPlotOptions options = { plot->kind == TS_RUN_PLOT_LOSS, 0, 0, 0.6 };

  if (plot->stats)
    {
      TsRunStats run = { "bench", 0, plot->stats, ts_metric_log_length (plot->stats) };
      ts_plot_layer_histograms (cr, width, height, style, &run, 1, 0, TS_HIST_WEIGHTS, TS_HIST_OFFSET, NULL);
    }
  else
    ts_plot_run_with (cr, width, height, style, plot->kind, plot->run, 1, &options, "Loss per iteration · bench");
}

/* milliseconds of CPU per replay of one recorded plot */
static double
replay_ms (const Plot *plot, double width, double height, gboolean screen, guint frames)
{
  TsPlotStyle style = ts_plot_style_default (FALSE);
  cairo_surface_t *recording = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA,
                                                               &(cairo_rectangle_t) { 0, 0, width, height });
  cairo_surface_t *frame = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) width, (int) height);
  cairo_t *cr = cairo_create (recording);
  double t0;

  style.screen = screen;
  draw (cr, width, height, &style, plot);
  cairo_destroy (cr);
  t0 = thread_cpu ();
  for (guint f = 0; f < frames; f++)
    {
      cr = cairo_create (frame);
      cairo_set_source_surface (cr, recording, 0, 0);
      cairo_paint (cr);
      cairo_destroy (cr);
    }
  t0 = (thread_cpu () - t0) / frames * 1e3;
  cairo_surface_destroy (frame);
  cairo_surface_destroy (recording);
  return t0;
}

int
main (int argc, char **argv)
{
  guint frames = argc > 1 ? (guint) MAX (atoi (argv[1]), 1) : 40;
  g_autoptr(TsCurveData) data = fashion_mnist_like (1266);
  TsRunCurves run = { "Fashion-MNIST MLP 784-512-256-10", 0, data, FALSE };
  g_autoptr(TsMetricLog) stats = weight_histograms ();
  const struct {
    const char *name;
    Plot plot;
    double width, height;
  } plots[] = { { "loss", { TS_RUN_PLOT_LOSS, &run }, 1000, 330 },
                { "accuracy", { TS_RUN_PLOT_ACCURACY, &run }, 495, 330 },
                { "lr", { TS_RUN_PLOT_LR, &run }, 495, 330 },
                { "weights histograms", { 0, NULL, stats }, 330, 340 } };

  for (gsize p = 0; p < G_N_ELEMENTS (plots); p++)
    printf ("%-18s %4.0f × %.0f: %6.2f ms a frame on screen, %6.2f ms at export quality\n", plots[p].name,
            plots[p].width, plots[p].height, replay_ms (&plots[p].plot, plots[p].width, plots[p].height, TRUE, frames),
            replay_ms (&plots[p].plot, plots[p].width, plots[p].height, FALSE, frames));
  return 0;
}
