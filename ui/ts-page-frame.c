/* The pages' shared frame, labels and result folders; see ts-page-frame.h. */
#include "ts-page-frame.h"

#include <adwaita.h>
#include <errno.h>

GtkWidget *
ts_page_frame (GtkWidget *page, GtkWidget *content)
{
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();

  gtk_widget_set_margin_top (content, 18), gtk_widget_set_margin_bottom (content, 18);
  gtk_widget_set_margin_start (content, 12), gtk_widget_set_margin_end (content, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 960);
  adw_clamp_set_child (ADW_CLAMP (clamp), content);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_widget_set_parent (scroller, page);
  return scroller;
}

GtkWidget *
ts_page_wrapping_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  return label;
}

char *
ts_page_output_dir (const char *kind, const char *name)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *safe = g_strcanon (g_strdup (name), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", '-');
  g_autofree char *folder = g_strdup_printf ("%s-%s-%d", stamp, safe, g_random_int_range (1000, 9999));

  return g_build_filename (g_get_user_data_dir (), "trainscope", kind, folder, NULL);
}

gboolean
ts_page_make_dir (const char *dir, GError **error)
{
  if (g_mkdir_with_parents (dir, 0777) == 0)
    return TRUE;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: cannot create the folder", dir);
  return FALSE;
}
