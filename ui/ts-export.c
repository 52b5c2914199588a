#include "ts-export.h"

#include <adwaita.h>

typedef struct {
  GtkWidget   *widget; /* weak: for the toast */
  TsExportSave save;
  gpointer     data;
} Ask;

/* the first AdwToastOverlay under root, depth first */
static GtkWidget *
overlay_under (GtkWidget *root)
{
  if (ADW_IS_TOAST_OVERLAY (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = overlay_under (child);
      if (found)
        return found;
    }
  return NULL;
}

void
ts_export_toast (GtkWidget *widget, const char *text)
{
  GtkWidget *overlay = widget ? gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY) : NULL;

  /* a window's own actions export from the window, which holds its overlay
   * rather than sitting inside it */
  if (overlay == NULL && widget && gtk_widget_get_root (widget))
    overlay = overlay_under (GTK_WIDGET (gtk_widget_get_root (widget)));

  if (overlay)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
  else
    g_message ("%s", text);
}

const char *
ts_export_dialog_scale (GtkFileChooser *dialog)
{
  /* only a PNG dialog has the choice: asking another for it is a warning */
  return g_object_get_data (G_OBJECT (dialog), "has-scale") ? gtk_file_chooser_get_choice (dialog, "scale") : NULL;
}

gboolean
ts_export_save_to (GtkWidget *widget, const char *path, double scale, TsExportSave save, gpointer data)
{
  g_autofree char *base = g_path_get_basename (path), *folder = g_path_get_dirname (path), *text = NULL;
  g_autoptr(GError) error = NULL;

  if (!save (path, scale, data, &error))
    {
      ts_export_toast (widget, error->message);
      return FALSE;
    }
  text = g_strdup_printf ("Saved “%s” in %s", base, folder);
  ts_export_toast (widget, text);
  return TRUE;
}

static void
on_response (GtkNativeDialog *dialog, int response, Ask *ask)
{
  /* the widget is gone (a probe redrew its cells): so may its data be */
  if (response == GTK_RESPONSE_ACCEPT && ask->widget)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      const char *scale = ts_export_dialog_scale (GTK_FILE_CHOOSER (dialog));
      if (path)
        ts_export_save_to (ask->widget, path, scale ? g_ascii_strtod (scale, NULL) : 2, ask->save, ask->data);
    }
  g_clear_weak_pointer (&ask->widget);
  g_free (ask);
  g_object_unref (dialog);
}

static const struct {
  const char *ext, *name, *mime;
} file_types[] = {
  { ".png", "PNG image", "image/png" },
  { ".svg", "SVG image", "image/svg+xml" },
  { ".pdf", "PDF document", "application/pdf" },
  { ".csv", "CSV table", "text/csv" },
  { ".json", "Experiment (JSON)", "application/json" },
};

GtkFileChooserNative *
ts_export_dialog_new (GtkWindow *parent, const char *title, const char *suggested)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (title, parent, GTK_FILE_CHOOSER_ACTION_SAVE, "_Save",
                                                              "_Cancel");

  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  /* a filter without a name shows as "(None)" in the dialog's type menu */
  for (gsize i = 0; i < G_N_ELEMENTS (file_types); i++)
    if (g_str_has_suffix (suggested, file_types[i].ext))
      {
        g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
        g_autofree char *pattern = g_strconcat ("*", file_types[i].ext, NULL);
        g_autofree char *name = g_strdup_printf ("%s (%s)", file_types[i].name, pattern);
        gtk_file_filter_set_name (filter, name);
        gtk_file_filter_add_pattern (filter, pattern);
        gtk_file_filter_add_mime_type (filter, file_types[i].mime);
        gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
      }
  if (g_str_has_suffix (suggested, ".png"))
    {
      gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (dialog), "scale", "Resolution",
                                   (const char *[]) { "1", "2", "4", NULL },
                                   (const char *[]) { "1× (96 dpi)", "2× (192 dpi)", "4× (384 dpi)", NULL });
      gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (dialog), "scale", "2");
      g_object_set_data (G_OBJECT (dialog), "has-scale", GINT_TO_POINTER (TRUE));
    }
  return dialog;
}

void
ts_export_ask (GtkWidget *widget, const char *title, const char *suggested, TsExportSave save, gpointer data)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog = ts_export_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, title,
                                                       suggested);
  Ask *ask = g_new0 (Ask, 1);

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
