/* The window's Transfer page: built beside the others, and its strategies
 * trained as runs through the window's queue — in the sidebar, overlaid
 * on the Training page, one after another. */
#include "ts-transfer-page.h"
#include "ts-window-private.h"

static void
on_train_strategies (TsTransferPage *page, GPtrArray *exps, char **dirs, TsWindow *self)
{
  TsRun *first = NULL;

  for (guint i = 0; i < exps->len; i++)
    {
      g_autoptr(TsRun) run = ts_run_new (exps->pdata[i], self->next_colour);
      ts_run_set_run_dir (run, dirs[i]);
      ts_run_set_overlay (run, TRUE);
      _ts_window_add_run (self, run);
      ts_run_enqueue (run);
      first = first ? first : run;
    }
  _ts_window_dispatch_queue (self);
  if (first)
    _ts_window_select (self, first);
  _ts_window_toast (self, "Training the %u transfer strategies one after another", exps->len);
}

void
_ts_window_build_transfer_page (TsWindow *self)
{
  AdwViewStackPage *page;

  self->transfer_page = ts_transfer_page_new (G_LIST_MODEL (self->runs));
  page = adw_view_stack_add_titled (self->view_stack, self->transfer_page, "transfer", "Transfer");
  adw_view_stack_page_set_icon_name (page, "send-to-symbolic");
  g_signal_connect_object (self->transfer_page, "train-strategies", G_CALLBACK (on_train_strategies), self, 0);
}

GtkWidget *
ts_window_get_transfer_page (TsWindow *self)
{
  return self->transfer_page;
}
