/* ts-window-sidebar.c — the runs sidebar: dragged wider or narrower (its
 * width kept in GSettings), over the content when the window is too narrow
 * for both (AdwFlap folds it). */
#include "ts-window-private.h"

#define SIDEBAR_MIN 200
#define SIDEBAR_MAX 600

void
ts_window_set_sidebar_width (TsWindow *self, int width)
{
  width = CLAMP (width, SIDEBAR_MIN, SIDEBAR_MAX);
  gtk_widget_set_size_request (self->sidebar, width, -1);
}

static void
on_handle_drag_begin (GtkGestureDrag *gesture, double x, double y, TsWindow *self)
{
  int w;
  gtk_widget_get_size_request (self->sidebar, &w, NULL);
  self->drag_width = w > 0 ? w : gtk_widget_get_width (self->sidebar);
}

static void
on_handle_drag_update (GtkGestureDrag *gesture, double dx, double dy, TsWindow *self)
{
  ts_window_set_sidebar_width (self, self->drag_width + (int) dx);
}

static void
on_handle_drag_end (GtkGestureDrag *gesture, double dx, double dy, TsWindow *self)
{
  int w;
  gtk_widget_get_size_request (self->sidebar, &w, NULL);
  if (self->settings)
    g_settings_set_int (self->settings, "sidebar-width", w);
}

/* a folded sidebar hides again once a run is picked from it */
static void
on_row_activated (GtkListBox *box, GtkListBoxRow *row, TsWindow *self)
{
  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);
}

void
_ts_window_build_sidebar (TsWindow *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  g_autoptr(GdkCursor) cursor = gdk_cursor_new_from_name ("col-resize", NULL);

  gtk_widget_set_cursor (self->sidebar_handle, cursor);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_handle_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_handle_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_handle_drag_end), self);
  gtk_widget_add_controller (self->sidebar_handle, GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (self->run_list, "row-activated", G_CALLBACK (on_row_activated), self);
  if (self->settings)
    ts_window_set_sidebar_width (self, g_settings_get_int (self->settings, "sidebar-width"));
}

