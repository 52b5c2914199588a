/* ts-window-arguments.c — what the command line asked for: the files it
 * named opened, or a page saying in full what could not be (a toast would
 * cut it short and go away), and nothing started in its place. */
#include "ts-window-private.h"

#include <string.h>

static void
dismiss_problem (GtkButton *button, TsWindow *self)
{
  if (self->problem_page == NULL)
    return;
  adw_view_stack_remove (self->view_stack, self->problem_page);
  self->problem_page = NULL;
  g_clear_pointer (&self->problem, g_free);
  adw_view_stack_set_visible_child_name (self->view_stack, "training");
}

/* A page saying what could not be opened, in full (a toast would cut it
 * short and go away). */
static void
show_problem (TsWindow *self, const char *title, const char *text)
{
  g_autofree char *markup = g_markup_escape_text (text, -1);
  GtkWidget *page = adw_status_page_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic ("_Dismiss");

  if (self->problem_page)
    adw_view_stack_remove (self->view_stack, self->problem_page);
  g_free (self->problem);
  self->problem = g_strdup (text);
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (page), "dialog-error-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (page), title);
  adw_status_page_set_description (ADW_STATUS_PAGE (page), markup);
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "pill");
  g_signal_connect (button, "clicked", G_CALLBACK (dismiss_problem), self);
  adw_status_page_set_child (ADW_STATUS_PAGE (page), button);
  self->problem_page = page;
  adw_view_stack_add_titled (self->view_stack, page, "problem", "Problem");
  adw_view_stack_page_set_icon_name (adw_view_stack_get_page (self->view_stack, page), "dialog-error-symbolic");
  adw_view_stack_set_visible_child (self->view_stack, page);
}

const char *
ts_window_get_problem (TsWindow *self)
{
  return self->problem;
}

gboolean
ts_window_open_arguments (TsWindow *self, const char *const *paths, gboolean start, GError **error)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autofree char *first = NULL;
  guint opened = 0, failed = 0;

  for (int i = 0; paths && paths[i]; i++)
    {
      g_autoptr(GError) inner = NULL;
      if (ts_window_open_path (self, paths[i], &inner))
        {
          opened++;
          continue;
        }
      if (failed > 0)
        g_string_append (problems, "\n\n");
      /* experiment errors name the key, not the file: name it here */
      if (strstr (inner->message, paths[i]) == NULL)
        g_string_append_printf (problems, "%s: ", paths[i]);
      g_string_append (problems, inner->message);
      if (first == NULL)
        first = g_path_get_basename (paths[i]);
      failed++;
    }
  if (failed > 0)
    {
      g_autofree char *title = failed == 1 ? g_strdup_printf ("Could not open “%s”", first)
                                           : g_strdup_printf ("Could not open %u files", failed);
      /* nothing starts: not the default in place of what was asked for,
       * nor a run the user did not name */
      show_problem (self, title, problems->str);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s", problems->str);
      return FALSE;
    }
  if (opened == 0)
    {
      /* the built-in default, ready to press Start */
      g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
      ts_window_add_experiment (self, exp);
    }
  if (start)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.start-pause", NULL);
  return TRUE;
}

