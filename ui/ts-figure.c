#include "ts-figure.h"
#include "ts-export.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>
#include <trainscope.h>

#define EXPORT_WIDTH 960

struct _TsFigure {
  GtkWidget    parent_instance;

  char        *name;
  TsFigureDraw draw;
  TsFigureCsv  csv;
  gpointer     data;
  GtkWidget   *menu;
};

G_DEFINE_FINAL_TYPE (TsFigure, ts_figure, GTK_TYPE_WIDGET)

const char *
ts_figure_get_name (TsFigure *self)
{
  return self->name;
}

static void
ts_figure_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  TsFigure *self = TS_FIGURE (widget);
  double w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  TsPlotStyle style = ts_plot_style_default (adw_style_manager_get_dark (adw_style_manager_get_default ()));
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));

  style.screen = TRUE; /* replayed at every frame that shows it, while exports draw once */
  self->draw (cr, w, h, &style, self->data);
  cairo_destroy (cr);
}

/* exports keep the on-screen shape, 960 points wide */
static double
export_height (TsFigure *self)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  return w > 0 && h > 0 ? round ((double) EXPORT_WIDTH * h / w) : 540;
}

static void
draw_light (cairo_t *cr, double width, double height, gpointer data)
{
  TsFigure *self = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  self->draw (cr, width, height, &style, self->data);
}

gboolean
ts_figure_export (TsFigure *self, const char *path, double scale, GError **error)
{
  if (g_str_has_suffix (path, ".csv"))
    {
      g_autofree char *csv = self->csv ? self->csv (self->data) : NULL;
      if (csv == NULL)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: this view has no data to export yet", self->name);
          return FALSE;
        }
      return ts_write_file_atomic (path, csv, strlen (csv), error);
    }
  return ts_plot_save (draw_light, self, EXPORT_WIDTH, export_height (self), scale, path, error);
}

static gboolean
save (const char *path, double scale, gpointer data, GError **error)
{
  return ts_figure_export (data, path, scale, error);
}

static void
export_action (GtkWidget *widget, const char *action, GVariant *param)
{
  TsFigure *self = TS_FIGURE (widget);
  g_autofree char *suggested = g_strdup_printf ("%s.%s", self->name, g_variant_get_string (param, NULL));
  ts_export_ask (widget, "Export View", suggested, save, self);
}

static void
copy_action (GtkWidget *widget, const char *action, GVariant *param)
{
  TsFigure *self = TS_FIGURE (widget);
  ts_export_copy (widget, draw_light, self, EXPORT_WIDTH, (int) export_height (self), self->name);
}

static void
popup_menu (TsFigure *self, double x, double y)
{
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

static void
on_pressed (GtkGestureClick *gesture, int n, double x, double y, TsFigure *self)
{
  popup_menu (self, x, y);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
menu_action (GtkWidget *widget, const char *action, GVariant *param)
{
  popup_menu (TS_FIGURE (widget), gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0);
}

static void
ts_figure_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  gtk_popover_present (GTK_POPOVER (TS_FIGURE (widget)->menu));
}

static void
ts_figure_dispose (GObject *object)
{
  TsFigure *self = TS_FIGURE (object);

  g_clear_pointer (&self->menu, gtk_widget_unparent);
  g_clear_pointer (&self->name, g_free);
  G_OBJECT_CLASS (ts_figure_parent_class)->dispose (object);
}

static void
ts_figure_class_init (TsFigureClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ts_figure_dispose;
  widget_class->snapshot = ts_figure_snapshot;
  widget_class->size_allocate = ts_figure_size_allocate;
  gtk_widget_class_install_action (widget_class, "figure.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "figure.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "figure.menu", NULL, menu_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "figure.menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "figure.menu", NULL);
  gtk_widget_class_set_css_name (widget_class, "figure");
}

static void
ts_figure_init (TsFigure *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), "Right-click to export as PNG, SVG, PDF or CSV");
}

GtkWidget *
ts_figure_new (const char *name, TsFigureDraw draw, TsFigureCsv csv, gpointer data)
{
  TsFigure *self = g_object_new (TS_TYPE_FIGURE, NULL);
  g_autoptr(GMenu) menu = g_menu_new ();

  g_menu_append (menu, "Export as _PNG…", "figure.export::png");
  g_menu_append (menu, "Export as _SVG…", "figure.export::svg");
  g_menu_append (menu, "Export as P_DF…", "figure.export::pdf");
  if (csv)
    g_menu_append (menu, "Export the Data as _CSV…", "figure.export::csv");
  g_menu_append (menu, "_Copy Image", "figure.copy");
  self->menu = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
  gtk_widget_set_halign (self->menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->menu, GTK_WIDGET (self));
  self->name = g_strdup (name);
  self->draw = draw;
  self->csv = csv;
  self->data = data;
  return GTK_WIDGET (self);
}
