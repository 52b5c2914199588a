/* ts-plot-image.h — the one way Trainscope paints pixels: a (C, H, W)
 * float image as a Cairo image surface, drawn scaled with nearest-neighbour
 * filtering. The Data page, the first-layer weight views and
 * `trainscope-cli data preview` all paint through it.
 *
 *   ts_plot_image (cr, ds->x, ds->channels, ds->height, ds->width, TS_PIXELS_CLAMP, 4, 4, 96, 96);
 *   // a grid, as `data preview` writes it:
 *   ts_plot_image_grid (cr, images, scales, 12, 3, 32, 32, 6, 3);
 */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  TS_PIXELS_CLAMP,   /* values in [0, 1], clamped: images as they enter the net */
  TS_PIXELS_RESCALE, /* the image's min..max to black..white: preprocessed images, means, eigenvectors */
  TS_PIXELS_SIGNED,  /* 0 grey, ±the largest |value| white / black: weights */
} TsPixelScale;

/* An RGB24 surface of W × H pixels; one channel (or any count but 3) is
 * shown as grey from the first. */
cairo_surface_t *ts_plot_image_surface (const float *img, guint channels, guint height, guint width,
                                        TsPixelScale scale);
/* Paints img into the box (x, y, w, h), nearest-neighbour. */
void             ts_plot_image (cairo_t *cr, const float *img, guint channels, guint height, guint width,
                                TsPixelScale scale, double x, double y, double w, double h);
/* the same with lo black and hi white (all three channels alike): images
 * that share a range, such as the feature maps of one layer */
void             ts_plot_image_in_range (cairo_t *cr, const float *img, guint channels, guint height, guint width,
                                         float lo, float hi, double x, double y, double w, double h);
/* n images of height × width in rows filling a box, gap pixels between and
 * around them: the columns (*cols) that make them largest and the zoom —
 * screen pixels per image pixel, whole when it is 3 or more */
double           ts_plot_image_fit (guint n, guint height, guint width, double box_width, double box_height,
                                    double gap, guint *cols);
/* n images in rows of cols, each zoom× its size, a pixel apart on dark grey
 * (scales: per image); the grid is cols·(W·zoom + 1) + 1 pixels wide. */
void             ts_plot_image_grid (cairo_t *cr, const float *const *images, const TsPixelScale *scales, guint n,
                                     guint channels, guint height, guint width, guint cols, guint zoom);
/* the size ts_plot_image_grid draws */
void             ts_plot_image_grid_size (guint n, guint height, guint width, guint cols, guint zoom, int *grid_width,
                                          int *grid_height);

G_END_DECLS
