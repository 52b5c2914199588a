/* ts-data-page-draw.c — the Data page's figures: samples and their
 * augmented copies, what the net sees, the preprocessing views, the
 * whitened samples, the 2-D panels and the class balance. Each draws what
 * the page holds (its Views), computed beforehand in a worker. */
#include "ts-data-page-private.h"
#include "ts-plot-image.h"
#include "ts-plot-private.h"

#include <math.h>
#include <string.h>

/* one (C, H, W) image at (x, y), scale× its size: as it is (values in
 * [0, 1]) or rescaled to be seen */
static void
paint_image (cairo_t *cr, const float *img, guint C, guint H, guint W, double x, double y, double scale,
             gboolean rescale)
{
  ts_plot_image (cr, img, C, H, W, rescale ? TS_PIXELS_RESCALE : TS_PIXELS_CLAMP, x, y, W * scale, H * scale);
}

static void
paint_background (cairo_t *cr, const TsPlotStyle *style)
{
  ts_plot_set_rgb (cr, style->background);
  cairo_paint (cr);
}

static guint
sample_index (const TsDataset *ds, guint row)
{
  return (guint) ((guint64) row * ds->n / SAMPLE_ROWS); /* spread over the classes */
}

/* originals, then AUGMENTED augmented copies of each */
void
_ts_data_page_draw_samples (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsDataPage *self = data;
  const TsDataset *ds = self->v.ds;
  g_autofree float *tmp = NULL;
  double cell, scale;

  paint_background (cr, style);
  if (ds == NULL || !ts_dataset_is_image (ds) || self->augment == NULL)
    return;
  tmp = g_new (float, ds->dim);
  cell = MIN ((width - 8.0) / (1 + AUGMENTED), (height - 8.0) / SAMPLE_ROWS);
  scale = floor ((cell - 4) / ds->width * 4) / 4;
  for (guint r = 0; r < SAMPLE_ROWS && r < ds->n; r++)
    {
      guint i = sample_index (ds, r);
      const float *src = ds->x + (gsize) i * ds->dim;
      paint_image (cr, src, ds->channels, ds->height, ds->width, 4, 4 + r * cell, scale, FALSE);
      for (guint k = 0; k < AUGMENTED; k++)
        {
          ts_augment_sample (self->augment, src, tmp, ts_rng_key (self->exp->seed, TS_STREAM_AUGMENT + k), i);
          paint_image (cr, tmp, ds->channels, ds->height, ds->width, 4 + (k + 1) * cell + 8, 4 + r * cell, scale, FALSE);
        }
    }
}

/* raw → augmented → preprocessed, for the first sample */
void
_ts_data_page_draw_strip (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsDataPage *self = data;
  const TsDataset *ds = self->v.ds;
  g_autofree float *aug = NULL, *pre = NULL;
  const char *labels[3] = { "raw", "augmented", "preprocessed (rescaled to be seen)" };
  double scale;

  paint_background (cr, style);
  if (ds == NULL || !ts_dataset_is_image (ds) || self->augment == NULL)
    return;
  aug = g_new (float, ds->dim);
  pre = g_new (float, ds->dim);
  scale = floor ((height - 24.0) / ds->height * 4) / 4;
  ts_augment_sample (self->augment, ds->x, aug, ts_rng_key (self->exp->seed, TS_STREAM_AUGMENT), 0);
  if (self->v.exp_pp == NULL)
    return;
  ts_preprocess_apply_rows (self->v.exp_pp, aug, 1, pre);
  for (int k = 0; k < 3; k++)
    {
      double x = 4 + k * (ds->width * scale + 60);
      paint_image (cr, k == 0 ? ds->x : k == 1 ? aug : pre, ds->channels, ds->height, ds->width, x, 20, scale, k == 2);
      ts_plot_set_rgb (cr, style->foreground);
      ts_plot_text (cr, labels[k], x, 8, 11, 0, 0.5);
      if (k < 2)
        ts_plot_text (cr, "→", x + ds->width * scale + 30, 20 + ds->height * scale / 2, 18, 0.5, 0.5);
    }
}

/* mean and std images, the eigenvalue spectrum (log), the top components */
void
_ts_data_page_draw_views (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsDataPage *self = data;
  const TsDataset *ds = self->v.ds;
  double scale, x = 4;

  paint_background (cr, style);
  if (ds == NULL || !ts_dataset_is_image (ds) || self->v.std_pp == NULL)
    return;
  scale = floor (96.0 / ds->width * 4) / 4;
  ts_plot_set_rgb (cr, style->foreground);
  ts_plot_text (cr, "mean", x, 8, 11, 0, 0.5);
  paint_image (cr, self->v.std_pp->mean, ds->channels, ds->height, ds->width, x, 20, scale, FALSE);
  x += ds->width * scale + 16;
  ts_plot_set_rgb (cr, style->foreground);
  ts_plot_text (cr, "std (rescaled)", x, 8, 11, 0, 0.5);
  paint_image (cr, self->v.std_image, ds->channels, ds->height, ds->width, x, 20, scale, TRUE);
  x += ds->width * scale + 24;
  if (self->v.pca_pp == NULL)
    {
      ts_plot_set_rgb (cr, style->foreground);
      ts_plot_text (cr, "(principal components: images of at most 1024 values)", x, 60, 11, 0, 0.5);
      return;
    }
  {
    /* spectrum: log10 eigenvalue against index */
    double w = 220, h = ds->height * scale, top = 20, lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
    guint n = self->v.pca_pp->in_dim;
    for (guint k = 0; k < n; k++)
      if (self->v.pca_pp->eigenvalues[k] > 0)
        lo = MIN (lo, log10 (self->v.pca_pp->eigenvalues[k])), hi = MAX (hi, log10 (self->v.pca_pp->eigenvalues[k]));
    ts_plot_set_rgb (cr, style->foreground);
    ts_plot_text (cr, "eigenvalues (log)", x, 8, 11, 0, 0.5);
    ts_plot_set_rgb (cr, style->grid);
    cairo_rectangle (cr, x, top, w, h);
    cairo_fill (cr);
    {
      double rgb[3];
      ts_plot_palette (0, rgb);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
    }
    cairo_set_line_width (cr, 1.5);
    for (guint k = 0; k < n; k++)
      {
        double v = self->v.pca_pp->eigenvalues[k] > 0 ? log10 (self->v.pca_pp->eigenvalues[k]) : lo;
        double px = x + w * k / MAX (n - 1, 1), py = top + h * (1 - (v - lo) / MAX (hi - lo, 1e-9));
        k ? cairo_line_to (cr, px, py) : cairo_move_to (cr, px, py);
      }
    cairo_stroke (cr);
    x += w + 24;
  }
  ts_plot_set_rgb (cr, style->foreground);
  ts_plot_text (cr, "top principal components", x, 8, 11, 0, 0.5);
  for (guint k = 0; k < 8 && x + ds->width * scale / 2 < width; k++)
    {
      paint_image (cr, self->v.pca_pp->eigenvectors + (gsize) k * ds->dim, ds->channels, ds->height, ds->width, x, 20,
                   scale / 2, TRUE);
      x += ds->width * scale / 2 + 6;
    }
}

/* the same samples raw (top) and ZCA-whitened (below, rescaled to be seen) */
void
_ts_data_page_draw_whitened (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsDataPage *self = data;
  const TsDataset *ds = self->v.ds;
  double scale, cell;

  paint_background (cr, style);
  if (ds == NULL || !ts_dataset_is_image (ds) || self->v.whitened == NULL)
    {
      ts_plot_set_rgb (cr, style->foreground);
      ts_plot_text (cr, "Whitened samples: for images of at most 1024 values", 4, height / 2, 11, 0, 0.5);
      return;
    }
  scale = floor ((height - 28.0) / 2 / ds->height * 4) / 4;
  cell = ds->width * scale + 6;
  ts_plot_set_rgb (cr, style->foreground);
  ts_plot_text (cr, "raw, then ZCA-whitened: edges survive, the shared colour and brightness go", 4, 8, 11, 0, 0.5);
  for (guint k = 0; k < WHITENED && k < ds->n; k++)
    {
      const float *x = ds->x + (gsize) ((guint64) k * ds->n / WHITENED) * ds->dim;
      paint_image (cr, x, ds->channels, ds->height, ds->width, 4 + k * cell, 20, scale, FALSE);
      paint_image (cr, self->v.whitened + (gsize) k * ds->dim, ds->channels, ds->height, ds->width, 4 + k * cell,
                   24 + ds->height * scale, scale, TRUE);
    }
}

/* 2-D sets: the classic four panels */
void
_ts_data_page_draw_points (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsDataPage *self = data;
  const TsDataset *ds = self->v.ds;
  static const char *const titles[4] = { "raw", "zero-centred", "decorrelated (PCA)", "whitened" };
  double w = width / 4.0;

  paint_background (cr, style);
  if (ds == NULL || self->v.panels[0] == NULL)
    return;
  for (int k = 0; k < 4; k++)
    {
      cairo_save (cr);
      cairo_translate (cr, k * w, 0);
      cairo_rectangle (cr, 0, 0, w, height);
      cairo_clip (cr);
      ts_plot_scatter (cr, w + 110, height, style, self->v.panels[k], titles[k]); /* the legend falls outside */
      cairo_restore (cr);
    }
}

void
_ts_data_page_draw_balance (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsDataPage *self = data;
  const TsDataset *ds = self->v.ds;
  g_autofree guint *counts = NULL;
  guint peak = 1;
  double bar;

  paint_background (cr, style);
  if (ds == NULL)
    return;
  counts = g_new (guint, ds->n_classes);
  ts_dataset_class_counts (ds, counts);
  for (guint c = 0; c < ds->n_classes; c++)
    peak = MAX (peak, counts[c]);
  bar = (height - 4.0) / MAX (ds->n_classes, 1);
  for (guint c = 0; c < ds->n_classes && c < 40; c++)
    {
      double rgb[3], y = 2 + c * bar;
      char label[96];
      ts_plot_palette (c, rgb);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_rectangle (cr, 130, y + 1, (width - 200) * counts[c] / (double) peak, bar - 2);
      cairo_fill (cr);
      ts_plot_set_rgb (cr, style->foreground);
      ts_plot_text (cr, ds->class_names ? ds->class_names[c] : "", 124, y + bar / 2, 11, 1, 0.5);
      g_snprintf (label, sizeof label, "%u", counts[c]);
      ts_plot_text (cr, label, 136 + (width - 200) * counts[c] / (double) peak, y + bar / 2, 11, 0, 0.5);
    }
}

char *
_ts_data_page_balance_csv (gpointer data)
{
  TsDataPage *self = data;
  g_autofree guint *counts = NULL;
  GString *csv;

  if (self->v.ds == NULL)
    return NULL;
  counts = g_new (guint, self->v.ds->n_classes);
  ts_dataset_class_counts (self->v.ds, counts);
  csv = g_string_new ("class,name,count\n");
  for (guint c = 0; c < self->v.ds->n_classes; c++)
    g_string_append_printf (csv, "%u,\"%s\",%u\n", c, self->v.ds->class_names ? self->v.ds->class_names[c] : "", counts[c]);
  return g_string_free (csv, FALSE);
}

/* per input value: the mean and std images; the eigenvalues when fitted */
char *
_ts_data_page_preprocessing_csv (gpointer data)
{
  TsDataPage *self = data;
  GString *csv;

  if (self->v.std_pp == NULL || self->v.std_image == NULL)
    return NULL;
  csv = g_string_new (self->v.pca_pp ? "index,mean,std,eigenvalue\n" : "index,mean,std\n");
  for (guint k = 0; k < self->v.std_pp->in_dim; k++)
    {
      g_string_append_printf (csv, "%u,%.9g,%.9g", k, self->v.std_pp->mean[k], self->v.std_image[k]);
      if (self->v.pca_pp)
        g_string_append_printf (csv, ",%.9g", self->v.pca_pp->eigenvalues[k]);
      g_string_append_c (csv, '\n');
    }
  return g_string_free (csv, FALSE);
}

char *
_ts_data_page_panels_csv (gpointer data)
{
  TsDataPage *self = data;
  static const char *const names[4] = { "raw", "centred", "decorrelated", "whitened" };
  GString *csv;

  if (self->v.panels[0] == NULL)
    return NULL;
  csv = g_string_new ("panel,x,y,label\n");
  for (int k = 0; k < 4; k++)
    for (guint i = 0; i < self->v.panels[k]->n; i++)
      g_string_append_printf (csv, "%s,%.6g,%.6g,%u\n", names[k], self->v.panels[k]->x[2 * i],
                              self->v.panels[k]->x[2 * i + 1], self->v.panels[k]->y[i]);
  return g_string_free (csv, FALSE);
}

