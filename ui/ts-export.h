/* ts-export.h — saving and copying what a view draws: the save dialog with
 * its PNG resolution choice, the file written by extension, and the image
 * put on the clipboard. Results are told in a toast of the nearest
 * AdwToastOverlay.
 *
 *   ts_export_ask (widget, "Export Plot", "loss.png", save_func, view);
 */
#pragma once

#include <gtk/gtk.h>

#include "ts-plot.h"

G_BEGIN_DECLS

/* writes path (its extension says the format); scale: PNG pixels per point */
typedef gboolean (*TsExportSave) (const char *path, double scale, gpointer data, GError **error);

/* Asks where to save, then calls save — unless widget was destroyed
 * meanwhile; data must live as long as widget (the widget itself, or
 * something its window owns). */
void        ts_export_ask (GtkWidget *widget, const char *title, const char *suggested, TsExportSave save,
                           gpointer data);
/* The save dialog ts_export_ask shows: a named filter for the suggested
 * name's type and, for PNG, the resolution choice. */
GtkFileChooserNative *ts_export_dialog_new (GtkWindow *parent, const char *title, const char *suggested);
/* the PNG resolution chosen in such a dialog; NULL for other types */
const char *ts_export_dialog_scale (GtkFileChooser *dialog);
/* Writes path with save and says in a toast (on widget's window) where it
 * went, or why not. */
gboolean    ts_export_save_to (GtkWidget *widget, const char *path, double scale, TsExportSave save, gpointer data);
/* draw's picture as a texture of width × height points at scale */
GdkTexture *ts_export_texture (TsPlotDrawFunc draw, gpointer data, int width, int height, double scale);
void        ts_export_copy (GtkWidget *widget, TsPlotDrawFunc draw, gpointer data, int width, int height,
                            const char *what);
/* a toast on the widget's AdwToastOverlay, if it is inside one */
void        ts_export_toast (GtkWidget *widget, const char *text);

G_END_DECLS
