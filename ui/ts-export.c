#include "ts-export.h"

#include <adwaita.h>

typedef struct {
  GtkWidget   *widget; /* weak: for the toast */
  TsExportSave save;
  gpointer     data;
} Ask;

void
ts_export_toast (GtkWidget *widget, const char *text)
{
  GtkWidget *overlay = widget ? gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY) : NULL;

  if (overlay)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
  else
    g_message ("%s", text);
}

static void
on_response (GtkNativeDialog *dialog, int response, Ask *ask)
{
  /* the widget is gone (a probe redrew its cells): so may its data be */
  if (response == GTK_RESPONSE_ACCEPT && ask->widget)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;
      const char *choice = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "scale");
      double scale = choice ? g_ascii_strtod (choice, NULL) : 2;

      if (ask->save (path, scale, ask->data, &error))
        {
          g_autofree char *text = g_strdup_printf ("Saved %s", path);
          ts_export_toast (ask->widget, text);
        }
      else
        ts_export_toast (ask->widget, error->message);
    }
  g_clear_weak_pointer (&ask->widget);
  g_free (ask);
  g_object_unref (dialog);
}

void
ts_export_ask (GtkWidget *widget, const char *title, const char *suggested, TsExportSave save, gpointer data)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                              GTK_FILE_CHOOSER_ACTION_SAVE, "_Save", "_Cancel");
  Ask *ask = g_new0 (Ask, 1);

  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  if (g_str_has_suffix (suggested, ".png"))
    {
      gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (dialog), "scale", "Resolution",
                                   (const char *[]) { "1", "2", "4", NULL },
                                   (const char *[]) { "1× (96 dpi)", "2× (192 dpi)", "4× (384 dpi)", NULL });
      gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (dialog), "scale", "2");
    }
  g_set_weak_pointer (&ask->widget, widget);
  ask->save = save;
  ask->data = data;
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), ask);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

GdkTexture *
ts_export_texture (TsPlotDrawFunc draw, gpointer data, int width, int height, double scale)
{
  int pw = (int) (width * scale), ph = (int) (height * scale);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, pw, ph);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(GBytes) bytes = NULL;
  GdkTexture *texture;

  cairo_scale (cr, scale, scale);
  draw (cr, width, height, data);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  bytes = g_bytes_new (cairo_image_surface_get_data (surface), (gsize) cairo_image_surface_get_stride (surface) * ph);
  texture = gdk_memory_texture_new (pw, ph, GDK_MEMORY_DEFAULT, bytes, cairo_image_surface_get_stride (surface));
  cairo_surface_destroy (surface);
  return texture;
}

void
ts_export_copy (GtkWidget *widget, TsPlotDrawFunc draw, gpointer data, int width, int height, const char *what)
{
  g_autoptr(GdkTexture) texture = ts_export_texture (draw, data, width, height, 2);
  g_autofree char *text = g_strdup_printf ("Copied the %s plot", what);

  gdk_clipboard_set_texture (gtk_widget_get_clipboard (widget), texture);
  ts_export_toast (widget, text);
}
