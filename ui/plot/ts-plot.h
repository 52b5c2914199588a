/* ts-plot.h — pure Cairo renderers shared by the window, the exports and
 * the CLI. Each draws into any cairo_t (screen, PNG, SVG, PDF) within a
 * width × height box, with a palette that follows light or dark style.
 *
 *   TsPlotStyle style = ts_plot_style_default (FALSE);
 *   ts_plot_scatter (cr, 640, 480, &style, ds, "spiral · 1500 samples");
 *   ts_plot_save (draw_func, data, 640, 480, "spiral.png", &error);  // png, svg or pdf by extension
 */
#pragma once

#include <cairo.h>
#include <trainscope.h>

G_BEGIN_DECLS

typedef struct {
  double background[3];
  double foreground[3]; /* axes, text */
  double grid[3];
  gboolean dark;
  /* drawn for the window, where GTK's Cairo renderer replays the drawing at
   * every frame that shows it: curves are antialiased on a 4×4 grid
   * (CAIRO_ANTIALIAS_FAST) and joined bevelled, about five times cheaper
   * than the 256×15 grid and round joins that exports keep (FALSE) */
  gboolean screen;
} TsPlotStyle;

TsPlotStyle ts_plot_style_default (gboolean dark);
/* The class / run palette: colour i of a fixed, colour-blind-safe list. */
void        ts_plot_palette (guint i, double rgb[3]);

/* 2-D points coloured by class, with axes and a legend. */
void        ts_plot_scatter (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                             const TsDataset *ds, const char *caption);

/* a view with nothing to draw yet: its title and why, centred */
void        ts_plot_message (cairo_t *cr, double width, double height, const TsPlotStyle *style, const char *title,
                             const char *text);

typedef void (*TsPlotDrawFunc) (cairo_t *cr, double width, double height, gpointer data);
/* Renders to PATH: .png (at `scale`× pixels), .svg or .pdf. */
gboolean    ts_plot_save (TsPlotDrawFunc draw, gpointer data, double width, double height, double scale,
                          const char *path, GError **error);

G_END_DECLS
