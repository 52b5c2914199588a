/* The window's Search page: built beside the others, its settings the
 * window's, a trial's fold runs opened in the sidebar when its button
 * in the table is clicked, and its retrained top K trials queued as runs
 * and offered to the Ensemble page. */
#include "ts-ensemble-page.h"
#include "ts-window-private.h"

static TsRun *
find_open_run (TsWindow *self, const char *dir)
{
  for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (self->runs)); k++)
    {
      g_autoptr(TsRun) open = g_list_model_get_item (G_LIST_MODEL (self->runs), k);
      if (g_strcmp0 (ts_run_get_run_dir (open), dir) == 0)
        return open;
    }
  return NULL;
}

/* the trial's fold folders as runs (already open ones are selected again) */
static void
on_open_trial (TsSearchPage *page, guint trial, char **dirs, TsWindow *self)
{
  TsRun *first = NULL;

  if (dirs == NULL || dirs[0] == NULL)
    {
      _ts_window_toast (self, "Trial %u has no fold runs yet", trial);
      return;
    }
  for (guint i = 0; dirs[i]; i++)
    {
      g_autoptr(GError) error = NULL;
      TsRun *run = find_open_run (self, dirs[i]);
      if (run == NULL && (run = ts_window_open_run_dir (self, dirs[i], &error)) == NULL)
        {
          _ts_window_toast (self, "%s", error->message);
          continue;
        }
      first = first ? first : run;
    }
  if (first)
    {
      _ts_window_select (self, first);
      adw_view_stack_set_visible_child_name (self->view_stack, "training");
    }
}

/* the top trials as plain runs in the sidebar: those trained before opened
 * from their folders, the others queued — added best first, as the queue
 * starts the oldest first */
static void
on_train_top (TsSearchPage *page, GPtrArray *tasks, TsWindow *self)
{
  guint queued = 0;

  for (guint i = 0; i < tasks->len; i++)
    {
      TsSearchTask *task = tasks->pdata[i];
      g_autoptr(TsRun) run = NULL;
      g_autoptr(GError) error = NULL;

      if (find_open_run (self, task->dir))
        continue;
      if (ts_search_top_task_done (task))
        {
          if (ts_window_open_run_dir (self, task->dir, &error) == NULL)
            _ts_window_toast (self, "%s", error->message);
          continue;
        }
      run = ts_run_new (task->exp, self->next_colour);
      ts_run_set_run_dir (run, task->dir);
      _ts_window_add_run (self, run);
      ts_run_enqueue (run);
      queued++;
    }
  _ts_window_dispatch_queue (self);
  if (queued)
    _ts_window_toast (self, "Training the top %u trials on the whole training part, one after another", queued);
}

static void
on_top_trained (TsSearchPage *page, const char *title, const char *subtitle, char **dirs, TsWindow *self)
{
  ts_ensemble_page_add_members (TS_ENSEMBLE_PAGE (self->ensemble_page), title, subtitle, (const char *const *) dirs);
}

/* the Ensemble page with the top trials ticked, and only them */
static void
on_ensemble_top (TsSearchPage *page, const char *title, TsWindow *self)
{
  TsEnsemblePage *ensemble = TS_ENSEMBLE_PAGE (self->ensemble_page);

  ts_ensemble_page_refresh (ensemble);
  ts_ensemble_page_check (ensemble, "", FALSE);
  ts_ensemble_page_check (ensemble, title, TRUE);
  adw_view_stack_set_visible_child_name (self->view_stack, "ensemble");
}

/* shown: the search is on the selected run's experiment as it is now
 * (the editor may have changed it since it was selected) */
static void
on_page_shown (TsWindow *self)
{
  if (adw_view_stack_get_visible_child (self->view_stack) == self->search_page && self->selected
      && !ts_search_page_is_running (TS_SEARCH_PAGE (self->search)))
    ts_search_page_set_experiment (TS_SEARCH_PAGE (self->search), ts_run_get_experiment (self->selected));
}

void
_ts_window_build_search_page (TsWindow *self)
{
  self->search = ts_search_page_new ();
  gtk_widget_set_vexpand (self->search, TRUE);
  ts_search_page_set_settings (TS_SEARCH_PAGE (self->search), self->settings);
  gtk_box_append (GTK_BOX (self->search_page), self->search);
  g_signal_connect_object (self->search, "open-trial", G_CALLBACK (on_open_trial), self, 0);
  g_signal_connect_object (self->search, "train-top", G_CALLBACK (on_train_top), self, 0);
  g_signal_connect_object (self->search, "top-trained", G_CALLBACK (on_top_trained), self, 0);
  g_signal_connect_object (self->search, "ensemble-top", G_CALLBACK (on_ensemble_top), self, 0);
  g_signal_connect_object (self->view_stack, "notify::visible-child", G_CALLBACK (on_page_shown), self,
                           G_CONNECT_SWAPPED);
}
