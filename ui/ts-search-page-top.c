/* The Search page's "Retrain Top K": once a search has finished, the best K
 * trials by CV (search.json's "top") trained on the whole training part
 * into OUT/top/trial-T — core's ts_search_top_tasks, the runs `trainscope-cli
 * search --top K` trains — through the window's run queue (::train-top
 * hands the window the tasks), their progress read from their folders;
 * when all have trained, ::top-trained offers them to the Ensemble page as
 * one choice and "Ensemble Them" (::ensemble-top) opens it on them. */
#include "ts-search-page-private.h"

enum { SIGNAL_TRAIN_TOP, SIGNAL_TOP_TRAINED, SIGNAL_ENSEMBLE_TOP, N_SIGNALS };
static guint signals[N_SIGNALS];

/* "Search top 3": the Ensemble page's choice, and what ::ensemble-top ticks */
static char *
top_title (TsSearchPage *self)
{
  return g_strdup_printf ("Search top %u", self->top_tasks ? self->top_tasks->len : 0);
}

static guint
count_top_done (TsSearchPage *self)
{
  guint n = 0;
  for (guint i = 0; self->top_tasks && i < self->top_tasks->len; i++)
    n += ts_search_top_task_done (self->top_tasks->pdata[i]);
  return n;
}

static void
emit_top_trained (TsSearchPage *self)
{
  g_autofree char *title = top_title (self);
  g_autofree char *top_dir = g_build_filename (self->out, "top", NULL);
  g_autofree char *subtitle = g_strdup_printf ("the best %u trials by CV, retrained on the whole training part in %s",
                                               self->top_tasks->len, top_dir);
  g_autofree char **dirs = g_new0 (char *, self->top_tasks->len + 1);

  for (guint i = 0; i < self->top_tasks->len; i++)
    dirs[i] = ((TsSearchTask *) self->top_tasks->pdata[i])->dir;
  g_signal_emit (self, signals[SIGNAL_TOP_TRAINED], 0, title, subtitle, dirs);
}

/* the top runs' folders, polled: the queue trains them, not this page */
static gboolean
on_top_timer (gpointer data)
{
  TsSearchPage *self = data;
  guint done = count_top_done (self), n = self->top_tasks->len;
  g_autofree char *text = g_strdup_printf ("Top %u: %u of %u trained on the whole training part", n, done, n);

  gtk_label_set_text (self->top_status, text);
  gtk_progress_bar_set_fraction (self->top_progress, (double) done / MAX (n, 1));
  if (done < n)
    return G_SOURCE_CONTINUE;
  self->top_timer = 0;
  emit_top_trained (self);
  _ts_search_page_update_buttons (self);
  return G_SOURCE_REMOVE;
}

gboolean
ts_search_page_retrain_top (TsSearchPage *self, guint k, GError **error)
{
  g_autoptr(GPtrArray) tasks = NULL;

  if (self->running || self->result == NULL || self->top_timer)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   self->top_timer ? "The top trials are training already" : "Run a search to the end first");
      return FALSE;
    }
  if ((tasks = ts_search_top_tasks (self->exp, self->space, self->result, k, self->out, error)) == NULL)
    return FALSE;
  if (tasks->len == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "No trial has finished all its folds: nothing to retrain");
      return FALSE;
    }
  g_clear_pointer (&self->top_tasks, g_ptr_array_unref);
  self->top_tasks = g_steal_pointer (&tasks);
  g_signal_emit (self, signals[SIGNAL_TRAIN_TOP], 0, self->top_tasks);
  gtk_widget_set_visible (GTK_WIDGET (self->top_progress), TRUE);
  if (on_top_timer (self) == G_SOURCE_CONTINUE)
    self->top_timer = g_timeout_add (250, on_top_timer, self);
  _ts_search_page_update_buttons (self);
  return TRUE;
}

gboolean
ts_search_page_top_trained (TsSearchPage *self)
{
  return self->top_tasks && self->top_timer == 0 && count_top_done (self) == self->top_tasks->len;
}

gboolean
ts_search_page_ensemble_top (TsSearchPage *self)
{
  g_autofree char *title = NULL;

  if (!ts_search_page_top_trained (self))
    return FALSE;
  title = top_title (self);
  g_signal_emit (self, signals[SIGNAL_ENSEMBLE_TOP], 0, title);
  return TRUE;
}

static void
on_retrain (TsSearchPage *self)
{
  g_autoptr(GError) error = NULL;

  if (!ts_search_page_retrain_top (self, (guint) gtk_spin_button_get_value_as_int (self->top_k), &error))
    _ts_search_page_set_message (self, error->message);
}

/* K at most the trials of the search, or of the form before one ran */
void
_ts_search_page_update_top (TsSearchPage *self)
{
  guint trials = self->result ? self->n_trials : (guint) gtk_spin_button_get_value_as_int (self->trials);
  gboolean finished = self->result && !self->running;

  gtk_spin_button_set_range (self->top_k, 1, MAX (trials, 1));
  gtk_widget_set_sensitive (self->top_button, finished && self->top_timer == 0);
  gtk_widget_set_sensitive (self->ensemble_button, ts_search_page_top_trained (self));
}

void
_ts_search_page_clear_top (TsSearchPage *self)
{
  g_clear_handle_id (&self->top_timer, g_source_remove);
  g_clear_pointer (&self->top_tasks, g_ptr_array_unref);
  if (self->top_progress)
    gtk_widget_set_visible (GTK_WIDGET (self->top_progress), FALSE);
  if (self->top_status)
    gtk_label_set_text (self->top_status, "");
}

GtkWidget *
_ts_search_page_build_top (TsSearchPage *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new ("Top");

  self->top_k = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, 100000, 1));
  gtk_spin_button_set_value (self->top_k, 3);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->top_k), "How many of the best trials by CV accuracy");
  self->top_button = gtk_button_new_with_label ("Retrain Top K");
  gtk_widget_set_tooltip_text (self->top_button, "Train the best K trials on the whole training part (into the "
                                                 "folder's top/trial-T, as trainscope-cli search --top K does), in "
                                                 "the run queue");
  self->ensemble_button = gtk_button_new_with_label ("Ensemble Them");
  gtk_widget_set_tooltip_text (self->ensemble_button, "Open the Ensemble page on the retrained top trials");
  g_signal_connect_swapped (self->top_button, "clicked", G_CALLBACK (on_retrain), self);
  g_signal_connect_swapped (self->ensemble_button, "clicked", G_CALLBACK (ts_search_page_ensemble_top), self);
  self->top_progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->top_progress), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->top_progress), GTK_ALIGN_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (self->top_progress), FALSE);
  self->top_status = GTK_LABEL (gtk_label_new (""));
  gtk_widget_add_css_class (GTK_WIDGET (self->top_status), "dim-label");
  gtk_box_append (GTK_BOX (row), label);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->top_k));
  gtk_box_append (GTK_BOX (row), self->top_button);
  gtk_box_append (GTK_BOX (row), self->ensemble_button);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->top_progress));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->top_status));
  return row;
}

void
_ts_search_page_install_top_signals (GObjectClass *klass)
{
  /* (GPtrArray of TsSearchTask: experiment and run folder of each; the
   * handler trains those not done, the page polls their folders) */
  signals[SIGNAL_TRAIN_TOP] = g_signal_new ("train-top", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                            NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* (title, subtitle, the run folders, best first) */
  signals[SIGNAL_TOP_TRAINED] = g_signal_new ("top-trained", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                              NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRV);
  /* (the title ::top-trained gave) */
  signals[SIGNAL_ENSEMBLE_TOP] = g_signal_new ("ensemble-top", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                               NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}
