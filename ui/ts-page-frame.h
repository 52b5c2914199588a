/* ts-page-frame.h — what the Ensemble and Transfer pages build alike: the
 * page's content in a centred column that scrolls, labels of prose that
 * wrap and can be copied, and the new folder a result is written to.
 *
 *   GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
 *   gtk_box_append (GTK_BOX (box), ts_page_wrapping_label ("Tick two or more members…"));
 *   self->scroller = ts_page_frame (GTK_WIDGET (self), box);  // dispose unparents it
 *   self->output_dir = ts_page_output_dir ("ensembles", "3-members");
 *   if (!ts_page_make_dir (self->output_dir, error)) …
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* content, with the pages' margins, in a column at most 960 wide that
 * scrolls vertically; the scroller, parented to page (a GtkBinLayout) */
GtkWidget *ts_page_frame (GtkWidget *page, GtkWidget *content);
GtkWidget *ts_page_wrapping_label (const char *text);
/* ~/.local/share/trainscope/KIND/STAMP-NAME-NNNN: the time, name with
 * only [A-Za-z0-9_-] (others become '-'), four random digits */
char      *ts_page_output_dir (const char *kind, const char *name);
/* dir and its parents; the error names it */
gboolean   ts_page_make_dir (const char *dir, GError **error);

G_END_DECLS
