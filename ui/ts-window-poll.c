/* The poll: the window pulls new metrics from its runs on a timer and
 * paces the redraws of what shows them. */
#include "ts-window-private.h"
#include "ts-run-row.h"

/* The runs are polled ten times a second on a timer, not on the frame
 * clock's tick: a tick callback keeps the clock running 60 frames a second,
 * idle or not, and under X each frame asks the server about the window
 * manager (a tenth of the UI thread while training). Curves and progress
 * redraw five times a second: on two cores every millisecond the drawing
 * takes is one the training loses. */
#define POLL_INTERVAL_MS 100
#define REDRAW_INTERVAL_US 200000
/* The layer views (histograms over time, update ratios, gradient norms,
 * first-layer weights), the learning-rate plot (a schedule set before the
 * run; a ÷2 by hand shows in the progress line at once) and the sidebar's
 * sparklines change little in a fifth of a second: once a second while a
 * run trains. Each view redrawn in a frame widens what the Cairo renderer
 * composes and sends to the X server. */
#define SLOW_INTERVAL_US 1000000

/* what the accuracy plot shows changes only with an epoch (or a run
 * added, removed, overlaid or hidden): a hash of those */
static guint
epochs_seen (TsWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->runs)), h = 2166136261u ^ n;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      h = (h ^ GPOINTER_TO_UINT (run)) * 16777619u;
      h = (h ^ (ts_run_get_curves (run)->epoch->len * 2 + ts_run_get_overlay (run))) * 16777619u;
    }
  return h;
}

static gboolean
on_poll (gpointer data)
{
  TsWindow *self = TS_WINDOW (data);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->runs));
  gint64 now = g_get_monotonic_time ();
  gboolean any_active = FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      ts_run_poll (run); /* emits ::changed, which marks the plots dirty */
      any_active |= _ts_window_run_is_active (run);
    }
  if (any_active && now - self->last_redraw < REDRAW_INTERVAL_US)
    return G_SOURCE_CONTINUE;
  self->last_redraw = now;
  if (!any_active || now - self->last_rows >= SLOW_INTERVAL_US)
    {
      for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->run_list)); row;
           row = gtk_widget_get_next_sibling (row))
        if (g_object_get_data (G_OBJECT (row), "run"))
          ts_run_row_refresh (row);
      self->last_rows = now;
    }
  /* only what is on screen redraws; the Training page catches up when shown */
  if (self->plots_dirty && adw_view_stack_get_visible_child (self->view_stack) == self->training_page)
    {
      guint epochs = epochs_seen (self);
      gtk_widget_queue_draw (GTK_WIDGET (self->plots[TS_RUN_PLOT_LOSS]));
      if (epochs != self->epochs_drawn)
        gtk_widget_queue_draw (GTK_WIDGET (self->plots[TS_RUN_PLOT_ACCURACY]));
      self->epochs_drawn = epochs;
      self->slow_behind = TRUE;
      self->plots_dirty = FALSE;
    }
  if (self->slow_behind && (!any_active || now - self->last_slow >= SLOW_INTERVAL_US))
    {
      gtk_widget_queue_draw (GTK_WIDGET (self->plots[TS_RUN_PLOT_LR]));
      ts_layer_views_refresh (TS_LAYER_VIEWS (self->layer_views));
      self->last_slow = now;
      self->slow_behind = FALSE;
    }
  _ts_window_update_progress (self);
  return G_SOURCE_CONTINUE;
}

void
_ts_window_start_poll (TsWindow *self)
{
  self->poll_id = g_timeout_add (POLL_INTERVAL_MS, on_poll, self);
}
