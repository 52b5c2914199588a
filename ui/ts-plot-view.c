#include "ts-plot-view.h"
#include "ts-run.h"

#include <adwaita.h>
#include <math.h>

struct _TsPlotView {
  GtkWidget     parent_instance;

  TsRunPlotKind kind;
  gboolean      log_y;
  double        smoothing; /* EMA weight of the loss's strong line */
  GListModel   *runs;
  double        zoom_min, zoom_max; /* x range; equal: fit the data */
  double        drag_start_min, drag_start_max;
  GtkWidget    *menu;      /* owned: the right-click export menu */
  guint         draws;     /* snapshots taken */
};

G_DEFINE_FINAL_TYPE (TsPlotView, ts_plot_view, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_LOG_Y, PROP_SMOOTHING, N_PROPS };
static GParamSpec *properties[N_PROPS];

static const char *const titles[] = { "Loss per iteration", "Accuracy per epoch", "Learning rate" };

/* the runs to draw: those overlaid, in list order */
static guint
visible_runs (TsPlotView *self, TsRunCurves *out, guint max)
{
  guint n = 0, total = self->runs ? g_list_model_get_n_items (self->runs) : 0;

  for (guint i = 0; i < total && n < max; i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (self->runs, i);
      if (ts_run_get_overlay (run))
        out[n++] = (TsRunCurves) { ts_run_get_name (run), ts_run_get_colour (run), ts_run_get_curves (run),
                                   ts_run_get_state (run) == TS_RUN_DIVERGED };
    }
  return n;
}

static void
draw_styled (TsPlotView *self, cairo_t *cr, double width, double height, const TsPlotStyle *style)
{
  TsRunCurves runs[32];
  guint n = visible_runs (self, runs, G_N_ELEMENTS (runs));
  g_autofree char *caption = NULL;

  if (n == 1)
    {
      g_autoptr(TsRun) first = NULL;
      for (guint i = 0; first == NULL && i < g_list_model_get_n_items (self->runs); i++)
        {
          g_autoptr(TsRun) run = g_list_model_get_item (self->runs, i);
          if (ts_run_get_overlay (run))
            first = g_object_ref (run);
        }
      if (ts_run_get_seed_group (first)) /* its name says how many seeds */
        caption = g_strdup_printf ("%s · %s · mean ± std · step %u", titles[self->kind], ts_run_get_name (first),
                                   ts_run_get_curves (first)->step->len);
      else
        caption = g_strdup_printf ("%s · %s · seed %" G_GUINT64_FORMAT " · step %u", titles[self->kind],
                                   ts_run_get_name (first), ts_run_get_experiment (first)->seed,
                                   ts_run_get_curves (first)->step->len);
    }
  else
    caption = g_strdup_printf ("%s · %u runs", titles[self->kind], n);
  TsRunPlotOptions options = { self->log_y && self->kind != TS_RUN_PLOT_ACCURACY, self->zoom_min, self->zoom_max,
                               self->smoothing };
  ts_plot_run_with (cr, width, height, style, self->kind, runs, n, &options, caption);
}

void
ts_plot_view_draw (TsPlotView *self, cairo_t *cr, double width, double height, gboolean dark)
{
  TsPlotStyle style = ts_plot_style_default (dark);
  draw_styled (self, cr, width, height, &style);
}

static void
ts_plot_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  TsPlotView *self = TS_PLOT_VIEW (widget);
  double w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  TsPlotStyle style = ts_plot_style_default (adw_style_manager_get_dark (adw_style_manager_get_default ()));

  style.screen = TRUE; /* replayed at every frame that shows it, while exports draw once */
  draw_styled (self, cr, w, h, &style);
  cairo_destroy (cr);
  self->draws++;
}

static void
on_runs_changed (TsPlotView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- pointer: hover, zoom, pan ------------------------------------------ */

static gboolean
pointer_to_x (TsPlotView *self, double px, double *x)
{
  TsRunCurves runs[32];
  guint n = visible_runs (self, runs, G_N_ELEMENTS (runs));
  double ax, ay, aw, ah, x0, x1, y0, y1;
  TsPlotSeries s[1];
  TsPlotAxes axes = { 0 };

  if (n == 0)
    return FALSE;
  ts_plot_curves_area (gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)), &ax, &ay,
                       &aw, &ah);
  if (self->zoom_max > self->zoom_min)
    x0 = self->zoom_min, x1 = self->zoom_max;
  else
    {
      const GArray *xs = self->kind == TS_RUN_PLOT_ACCURACY ? runs[0].data->epoch : runs[0].data->step;
      s[0] = (TsPlotSeries) { NULL, 0, (const double *) xs->data, (const double *) xs->data, xs->len };
      ts_plot_curves_ranges (s, 1, &axes, &x0, &x1, &y0, &y1);
    }
  *x = x0 + (px - ax) / aw * (x1 - x0);
  return px >= ax && px <= ax + aw;
}

static gboolean
on_query_tooltip (GtkWidget *widget, int px, int py, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  TsPlotView *self = TS_PLOT_VIEW (widget);
  TsRunCurves runs[32];
  guint n = visible_runs (self, runs, G_N_ELEMENTS (runs));
  GString *text = g_string_new (NULL);
  double x;

  if (!pointer_to_x (self, px, &x))
    {
      g_string_free (text, TRUE);
      return FALSE;
    }
  for (guint r = 0; r < n; r++)
    {
      const TsCurveData *d = runs[r].data;
      gboolean per_epoch = self->kind == TS_RUN_PLOT_ACCURACY;
      const GArray *xs = per_epoch ? d->epoch : d->step;
      /* steps and epochs count from 1, one per array index */
      guint i = (guint) CLAMP (round (x) - 1, 0, MAX ((int) xs->len - 1, 0));
      if (xs->len == 0)
        continue;
      if (per_epoch)
        g_string_append_printf (text, "%s%s · epoch %.0f: train %.2f%%, val %.2f%%", r ? "\n" : "", runs[r].name,
                                g_array_index (xs, double, i), 100 * g_array_index (d->train_acc, double, i),
                                100 * g_array_index (d->val_acc, double, i));
      else
        g_string_append_printf (text, "%s%s · step %.0f: %s %.5g", r ? "\n" : "", runs[r].name,
                                g_array_index (xs, double, i), self->kind == TS_RUN_PLOT_LOSS ? "loss" : "lr",
                                g_array_index (self->kind == TS_RUN_PLOT_LOSS ? d->loss : d->lr, double, i));
    }
  gtk_tooltip_set_text (tooltip, text->str);
  g_string_free (text, TRUE);
  return n > 0;
}

static void
current_range (TsPlotView *self, double *x0, double *x1)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self)), ax, ay, aw, ah;
  ts_plot_curves_area (w, gtk_widget_get_height (GTK_WIDGET (self)), &ax, &ay, &aw, &ah);
  if (!pointer_to_x (self, ax, x0) && self->zoom_max <= self->zoom_min)
    *x0 = 0;
  pointer_to_x (self, ax + aw, x1);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, gpointer data)
{
  TsPlotView *self = data;
  double x0, x1, at, factor = dy > 0 ? 1.25 : 0.8;
  double px = 0, py = 0;
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));

  if (event == NULL || !gdk_event_get_position (event, &px, &py))
    return FALSE;
  current_range (self, &x0, &x1);
  if (!pointer_to_x (self, px, &at) || x1 <= x0)
    return FALSE;
  self->zoom_min = at - (at - x0) * factor;
  self->zoom_max = at + (x1 - at) * factor;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, gpointer data)
{
  TsPlotView *self = data;
  current_range (self, &self->drag_start_min, &self->drag_start_max);
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, gpointer data)
{
  TsPlotView *self = data;
  double ax, ay, aw, ah, span = self->drag_start_max - self->drag_start_min;

  ts_plot_curves_area (gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)), &ax, &ay,
                       &aw, &ah);
  if (span <= 0)
    return;
  self->zoom_min = self->drag_start_min - dx / aw * span;
  self->zoom_max = self->drag_start_max - dx / aw * span;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, gpointer data)
{
  TsPlotView *self = data;
  if (n_press == 2)
    {
      self->zoom_min = self->zoom_max = 0;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

/* ---- the export menu: right-click, Shift+F10 or the Menu key --------------- */

/* the window's export actions, aimed at this plot */
static GtkWidget *
export_menu (TsRunPlotKind kind)
{
  static const char *const items[][2] = {
    { "Export as _PNG…", "png" }, { "Export as _SVG…", "svg" }, { "Export as P_DF…", "pdf" },
    { "Export the Data as _CSV…", "csv" },
  };
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autofree char *copy = g_strdup_printf ("win.copy-plot::%s", ts_run_plot_name (kind));
  GtkWidget *popover;

  for (gsize i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autofree char *action = g_strdup_printf ("win.export::%s.%s", ts_run_plot_name (kind), items[i][1]);
      g_menu_append (menu, items[i][0], action);
    }
  g_menu_append (menu, "_Copy Image", copy);
  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  gtk_widget_set_halign (popover, GTK_ALIGN_START);
  return popover;
}

static void
popup_menu (TsPlotView *self, double x, double y)
{
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

static void
on_secondary_pressed (GtkGestureClick *gesture, int n_press, double x, double y, gpointer data)
{
  popup_menu (data, x, y);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
menu_action (GtkWidget *widget, const char *action, GVariant *param)
{
  popup_menu (TS_PLOT_VIEW (widget), gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0);
}

static void
ts_plot_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  gtk_popover_present (GTK_POPOVER (TS_PLOT_VIEW (widget)->menu));
}

/* ---- GObject ------------------------------------------------------------ */

static void
ts_plot_view_dispose (GObject *object)
{
  TsPlotView *self = TS_PLOT_VIEW (object);

  if (self->runs)
    g_signal_handlers_disconnect_by_data (self->runs, self);
  g_clear_object (&self->runs);
  g_clear_pointer (&self->menu, gtk_widget_unparent);
  G_OBJECT_CLASS (ts_plot_view_parent_class)->dispose (object);
}

static void
ts_plot_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  if (prop_id == PROP_LOG_Y)
    g_value_set_boolean (value, TS_PLOT_VIEW (object)->log_y);
  else if (prop_id == PROP_SMOOTHING)
    g_value_set_double (value, TS_PLOT_VIEW (object)->smoothing);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ts_plot_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  if (prop_id == PROP_LOG_Y)
    ts_plot_view_set_log_y (TS_PLOT_VIEW (object), g_value_get_boolean (value));
  else if (prop_id == PROP_SMOOTHING)
    ts_plot_view_set_smoothing (TS_PLOT_VIEW (object), g_value_get_double (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ts_plot_view_class_init (TsPlotViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_plot_view_dispose;
  object_class->get_property = ts_plot_view_get_property;
  object_class->set_property = ts_plot_view_set_property;
  widget_class->snapshot = ts_plot_view_snapshot;
  widget_class->size_allocate = ts_plot_view_size_allocate;
  gtk_widget_class_install_action (widget_class, "plot.menu", NULL, menu_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "plot.menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "plot.menu", NULL);
  properties[PROP_LOG_Y] = g_param_spec_boolean ("log-y", NULL, NULL, FALSE,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SMOOTHING] = g_param_spec_double ("smoothing", NULL, NULL, 0, 0.99, TS_PLOT_DEFAULT_SMOOTHING,
                                                    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "plotview");
}

static void
ts_plot_view_init (TsPlotView *self)
{
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *secondary = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (secondary), GDK_BUTTON_SECONDARY);
  g_signal_connect (secondary, "pressed", G_CALLBACK (on_secondary_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (secondary));
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_size_request (GTK_WIDGET (self), 320, 200);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark", G_CALLBACK (gtk_widget_queue_draw), self,
                           G_CONNECT_SWAPPED);
}

GtkWidget *
ts_plot_view_new (TsRunPlotKind kind)
{
  TsPlotView *self = g_object_new (TS_TYPE_PLOT_VIEW, NULL);
  static const char *const descriptions[] = {
    "Training loss at every iteration, raw and smoothed, for each overlaid run",
    "Training and validation accuracy after every epoch, for each overlaid run",
    "The learning rate at every iteration, for each overlaid run",
  };

  self->kind = kind;
  self->smoothing = TS_PLOT_DEFAULT_SMOOTHING;
  self->menu = export_menu (kind);
  gtk_widget_set_parent (self->menu, GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, titles[kind],
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, descriptions[kind], -1);
  return GTK_WIDGET (self);
}

guint
ts_plot_view_get_draws (TsPlotView *self)
{
  return self->draws;
}

TsRunPlotKind
ts_plot_view_get_kind (TsPlotView *self)
{
  return self->kind;
}

void
ts_plot_view_set_runs (TsPlotView *self, GListModel *runs)
{
  if (self->runs)
    g_signal_handlers_disconnect_by_data (self->runs, self);
  g_set_object (&self->runs, runs);
  if (runs)
    g_signal_connect_swapped (runs, "items-changed", G_CALLBACK (on_runs_changed), self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ts_plot_view_set_log_y (TsPlotView *self, gboolean log_y)
{
  if (self->log_y == log_y)
    return;
  self->log_y = log_y;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_Y]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ts_plot_view_set_smoothing (TsPlotView *self, double smoothing)
{
  smoothing = CLAMP (smoothing, 0, 0.99);
  if (self->smoothing == smoothing)
    return;
  self->smoothing = smoothing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SMOOTHING]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
ts_plot_view_get_smoothing (TsPlotView *self)
{
  return self->smoothing;
}

gboolean
ts_plot_view_get_log_y (TsPlotView *self)
{
  return self->log_y;
}

char *
ts_plot_view_csv (TsPlotView *self)
{
  TsRunCurves runs[32];
  guint n = visible_runs (self, runs, G_N_ELEMENTS (runs));
  return ts_plot_run_csv (self->kind, runs, n);
}
