#include "ts-plot.h"
#include "ts-plot-private.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <math.h>
#include <pango/pangocairo.h>

TsPlotStyle
ts_plot_style_default (gboolean dark)
{
  if (dark)
    return (TsPlotStyle) { { 0.14, 0.14, 0.15 }, { 0.88, 0.88, 0.88 }, { 0.26, 0.26, 0.28 }, TRUE };
  return (TsPlotStyle) { { 1, 1, 1 }, { 0.18, 0.18, 0.2 }, { 0.9, 0.9, 0.92 }, FALSE };
}

/* Okabe–Ito, then a few more distinct hues */
void
ts_plot_palette (guint i, double rgb[3])
{
  static const guint32 colours[] = { 0x0072b2, 0xe69f00, 0x009e73, 0xcc79a7, 0x56b4e9, 0xd55e00,
                                     0xf0e442, 0x8c564b, 0x7f7f7f, 0x17becf };
  guint32 c = colours[i % G_N_ELEMENTS (colours)];
  rgb[0] = ((c >> 16) & 0xff) / 255.0;
  rgb[1] = ((c >> 8) & 0xff) / 255.0;
  rgb[2] = (c & 0xff) / 255.0;
}

static PangoLayout *
text_layout (cairo_t *cr, const char *text, double size)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string ("Sans");

  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  pango_font_description_free (font);
  return layout;
}

void
ts_plot_text (cairo_t *cr, const char *text, double x, double y, double size, double align_x, double align_y)
{
  PangoLayout *layout = text_layout (cr, text, size);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - align_x * w, y - align_y * h);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

double
ts_plot_text_width (cairo_t *cr, const char *text, double size)
{
  PangoLayout *layout = text_layout (cr, text, size);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  g_object_unref (layout);
  return w;
}

static void
draw_text (cairo_t *cr, const char *text, double x, double y, double size, double align)
{
  ts_plot_text (cr, text, x, y, size, align, 0.5);
}

/* the grid's classes as an image, each pixel its class colour blended into
 * the background by how sure the model is beyond chance */
static void
paint_decision (cairo_t *cr, const TsPlotStyle *style, const TsDecisionGrid *grid, double x0, double y0,
                double size)
{
  cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_RGB24, grid->nx, grid->ny);
  guint8 *data = cairo_image_surface_get_data (img);
  int stride = cairo_image_surface_get_stride (img);
  double chance = 1.0 / MAX (grid->n_classes, 2);

  cairo_surface_flush (img);
  for (guint j = 0; j < grid->ny; j++)
    for (guint i = 0; i < grid->nx; i++)
      {
        gsize at = (gsize) j * grid->nx + i;
        double rgb[3], sure = CLAMP ((grid->confidence[at] - chance) / (1 - chance), 0, 1), mix = 0.18 + 0.42 * sure;
        guint32 *px = (guint32 *) (data + (gsize) (grid->ny - 1 - j) * stride) + i; /* row 0 is the top */
        ts_plot_palette (grid->classes[at], rgb);
        for (int c = 0; c < 3; c++)
          rgb[c] = style->background[c] * (1 - mix) + rgb[c] * mix;
        *px = ((guint32) (rgb[0] * 255) << 16) | ((guint32) (rgb[1] * 255) << 8) | (guint32) (rgb[2] * 255);
      }
  cairo_surface_mark_dirty (img);
  cairo_save (cr);
  cairo_rectangle (cr, x0, y0, size, size);
  cairo_clip (cr);
  cairo_translate (cr, x0, y0);
  cairo_scale (cr, size / grid->nx, size / grid->ny);
  cairo_set_source_surface (cr, img, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_surface_destroy (img);
}

void
_ts_plot_scatter_over (cairo_t *cr, double width, double height, const TsPlotStyle *style, const TsDataset *ds,
                       const TsDecisionGrid *grid, const char *caption)
{
  double lo[2] = { G_MAXDOUBLE, G_MAXDOUBLE }, hi[2] = { -G_MAXDOUBLE, -G_MAXDOUBLE };
  double left = 48, right = width - 130, top = 36, bottom = height - 40;
  double size = MIN (right - left, bottom - top), x0 = left, y0 = top;

  cairo_save (cr);
  cairo_set_source_rgb (cr, style->background[0], style->background[1], style->background[2]);
  cairo_paint (cr);
  if (grid)
    lo[0] = grid->x0, hi[0] = grid->x1, lo[1] = grid->y0, hi[1] = grid->y1;
  else
    {
      for (guint i = 0; i < ds->n; i++)
        for (int a = 0; a < 2; a++)
          {
            lo[a] = MIN (lo[a], ds->x[i * ds->dim + a]);
            hi[a] = MAX (hi[a], ds->x[i * ds->dim + a]);
          }
      for (int a = 0; a < 2; a++)
        {
          double pad = MAX (hi[a] - lo[a], 1e-6) * 0.05;
          lo[a] -= pad, hi[a] += pad;
        }
    }
  cairo_set_source_rgb (cr, style->grid[0], style->grid[1], style->grid[2]);
  cairo_rectangle (cr, x0, y0, size, size);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, style->background[0], style->background[1], style->background[2]);
  cairo_rectangle (cr, x0 + 1, y0 + 1, size - 2, size - 2);
  cairo_fill (cr);
  if (grid)
    paint_decision (cr, style, grid, x0 + 1, y0 + 1, size - 2);
  cairo_save (cr);
  cairo_rectangle (cr, x0, y0, size, size); /* points beyond a grid's bounds are not drawn */
  cairo_clip (cr);
  for (guint i = 0; i < ds->n; i++)
    {
      double rgb[3];
      double px = x0 + (ds->x[i * ds->dim] - lo[0]) / (hi[0] - lo[0]) * size;
      double py = y0 + size - (ds->x[i * ds->dim + 1] - lo[1]) / (hi[1] - lo[1]) * size;
      ts_plot_palette (ds->y[i], rgb);
      cairo_set_source_rgba (cr, rgb[0], rgb[1], rgb[2], 0.85);
      cairo_arc (cr, px, py, 2.4, 0, 2 * G_PI);
      if (grid) /* a rim keeps points visible on their own class's colour */
        {
          cairo_fill_preserve (cr);
          ts_plot_set_rgb (cr, style->background);
          cairo_set_line_width (cr, 0.6);
          cairo_stroke (cr);
        }
      else
        cairo_fill (cr);
    }
  cairo_restore (cr);
  cairo_set_source_rgb (cr, style->foreground[0], style->foreground[1], style->foreground[2]);
  {
    char buf[64];
    g_snprintf (buf, sizeof buf, "%.2g", lo[0]);
    draw_text (cr, buf, x0, bottom + 14, 11, 0);
    g_snprintf (buf, sizeof buf, "%.2g", hi[0]);
    draw_text (cr, buf, x0 + size, bottom + 14, 11, 1);
    g_snprintf (buf, sizeof buf, "%.2g", lo[1]);
    draw_text (cr, buf, x0 - 6, y0 + size, 11, 1);
    g_snprintf (buf, sizeof buf, "%.2g", hi[1]);
    draw_text (cr, buf, x0 - 6, y0, 11, 1);
  }
  if (caption)
    draw_text (cr, caption, x0, 16, 13, 0);
  for (guint c = 0; c < ds->n_classes; c++)
    {
      double rgb[3], ly = top + 12 + 22 * c;
      ts_plot_palette (c, rgb);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_arc (cr, x0 + size + 24, ly, 5, 0, 2 * G_PI);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, style->foreground[0], style->foreground[1], style->foreground[2]);
      draw_text (cr, ds->class_names ? ds->class_names[c] : "", x0 + size + 36, ly, 12, 0);
    }
  cairo_restore (cr);
}

void
ts_plot_scatter (cairo_t *cr, double width, double height, const TsPlotStyle *style, const TsDataset *ds,
                 const char *caption)
{
  _ts_plot_scatter_over (cr, width, height, style, ds, NULL, caption);
}

void
ts_plot_message (cairo_t *cr, double width, double height, const TsPlotStyle *style, const char *title,
                 const char *text)
{
  cairo_save (cr);
  ts_plot_set_rgb (cr, style->background);
  cairo_paint (cr);
  ts_plot_set_rgb (cr, style->foreground);
  if (title)
    ts_plot_text (cr, title, 24, 14, 12, 0, 0.5);
  ts_plot_set_rgb (cr, style->grid);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, 24.5, 32.5, MAX (width - 49, 1), MAX (height - 57, 1));
  cairo_stroke (cr);
  cairo_set_source_rgba (cr, style->foreground[0], style->foreground[1], style->foreground[2], 0.7);
  ts_plot_text (cr, text, width / 2, height / 2 + 8, 12, 0.5, 0.5);
  cairo_restore (cr);
}

static cairo_status_t
append_bytes (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

gboolean
ts_plot_save (TsPlotDrawFunc draw, gpointer data, double width, double height, double scale, const char *path,
              GError **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  gboolean png = g_str_has_suffix (path, ".png");

  if (png)
    {
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) ceil (width * scale), (int) ceil (height * scale));
      cairo_surface_set_device_scale (surface, scale, scale);
    }
  else if (g_str_has_suffix (path, ".svg"))
    surface = cairo_svg_surface_create_for_stream (append_bytes, bytes, width, height);
  else if (g_str_has_suffix (path, ".pdf"))
    surface = cairo_pdf_surface_create_for_stream (append_bytes, bytes, width, height);
  else
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: expected a .png, .svg or .pdf file name", path);
      return FALSE;
    }
  cr = cairo_create (surface);
  draw (cr, width, height, data);
  cairo_destroy (cr);
  if (png)
    status = cairo_surface_write_to_png_stream (surface, append_bytes, bytes);
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: %s", path, cairo_status_to_string (status));
      return FALSE;
    }
  return ts_write_file_atomic (path, bytes->data, bytes->len, error);
}
