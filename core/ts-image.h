/* ts-image.h — samples as pictures: grids of images for previews.
 *
 *   const float *rows[8] = { ds->x, ... };  // (C, H, W) each, values in [0,1]
 *   GdkPixbuf *grid = ts_image_grid (rows, 8, ds->channels, ds->height, ds->width, 4, 3);
 *   gdk_pixbuf_save (grid, "grid.png", "png", &error, NULL);
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* n images in rows of `cols`, each scaled up `scale` times (nearest
 * neighbour), one pixel of gap; values are clamped to [0, 1]. */
GdkPixbuf *ts_image_grid (const float *const *images, guint n, guint channels, guint height, guint width,
                          guint cols, guint scale);

/* Rescales v (n values) to [0, 1] by its min and max, for showing
 * preprocessed images, means and eigenvectors. */
void       ts_image_normalize (const float *v, gsize n, float *out);

G_END_DECLS
