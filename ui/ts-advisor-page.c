#include "ts-advisor-page.h"
#include "ts-export.h"
#include "ts-figure.h"
#include "ts-plot-lr.h"
#include "ts-run-row.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

struct _TsAdvisorPage {
  GtkBox            parent_instance;

  GtkWidget        *cards;     /* box of advice cards */
  GtkWidget        *lr_box;    /* the finder: button, status, plot, suggestions */
  GtkWidget        *lr_button;
  GtkWidget        *lr_status;
  GtkWidget        *lr_plot;
  GtkWidget        *lr_choices;
  TsRun            *run;
  char             *codes;     /* what the cards show now */
  TsLrFinderResult *lr_result;
  guint             generation; /* bumped with each run shown; stale finder results are dropped */
};

G_DEFINE_FINAL_TYPE (TsAdvisorPage, ts_advisor_page, GTK_TYPE_BOX)

enum { FORK, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *const severity_icons[] = { "dialog-information-symbolic", "dialog-warning-symbolic",
                                              "dialog-error-symbolic" };

typedef struct {
  TsRun   *run;
  gboolean curve;
} Evidence;

static void
evidence_free (Evidence *e)
{
  g_object_unref (e->run);
  g_free (e);
}

/* the smoothed loss; for curve-based advice, its last 30% in the warning colour */
static void
draw_evidence (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  Evidence *e = data;

  if (e->curve)
    {
      cairo_set_source_rgba (cr, 0.9, 0.6, 0.0, 0.18);
      cairo_rectangle (cr, width * 0.7, 0, width * 0.3, height);
      cairo_fill (cr);
    }
  ts_run_draw_loss (e->run, cr, (int) width, (int) height, TRUE);
}

static char *
evidence_csv (gpointer data)
{
  Evidence *e = data;
  TsRunCurves run = { ts_run_get_name (e->run), 0, ts_run_get_curves (e->run) };
  return ts_plot_run_csv (TS_RUN_PLOT_LOSS, &run, 1);
}

static void
on_fork (GtkButton *button, TsAdvisorPage *self)
{
  /* the card keeps copies: the run replaces its advice as it trains */
  TsAdvice advice = { .code = g_object_get_data (G_OBJECT (button), "code"),
                      .action = g_object_get_data (G_OBJECT (button), "action") };
  gboolean start = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "start"));
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) exp = ts_advice_apply (&advice, ts_run_get_experiment (self->run), &error);

  if (exp)
    g_signal_emit (self, signals[FORK], 0, exp, start);
}

static GtkWidget *
card_for (TsAdvisorPage *self, TsAdvice *a)
{
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *head = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *title = gtk_label_new (a->code);
  GtkWidget *confidence = gtk_label_new (NULL);
  GtkWidget *message = gtk_label_new (a->message);
  Evidence *e = g_new (Evidence, 1);
  g_autofree char *name = g_strdup_printf ("evidence-%s", a->code);
  GtkWidget *evidence;
  g_autofree char *conf = g_strdup_printf ("%s · confidence %.0f%%", ts_severity_name (a->severity), 100 * a->confidence);
  g_autofree char *ev_text = a->evidence ? ts_json_to_string (a->evidence, FALSE) : NULL;
  gboolean curve = g_str_has_prefix (a->code, "lr_") || g_str_equal (a->code, "plateau_decay")
                   || g_str_equal (a->code, "diverged");

  gtk_widget_add_css_class (card, "card");
  gtk_widget_set_margin_bottom (card, 12);
  for (GtkWidget *w = head; w; w = w == head ? message : NULL)
    {
      gtk_widget_set_margin_start (w, 12);
      gtk_widget_set_margin_end (w, 12);
    }
  gtk_widget_set_margin_top (head, 10);
  gtk_box_append (GTK_BOX (head), gtk_image_new_from_icon_name (severity_icons[a->severity]));
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (head), title);
  gtk_widget_add_css_class (confidence, "dim-label");
  gtk_label_set_text (GTK_LABEL (confidence), conf);
  gtk_widget_set_hexpand (confidence, TRUE);
  gtk_label_set_xalign (GTK_LABEL (confidence), 1);
  gtk_box_append (GTK_BOX (head), confidence);
  gtk_box_append (GTK_BOX (card), head);
  gtk_label_set_wrap (GTK_LABEL (message), TRUE);
  gtk_label_set_xalign (GTK_LABEL (message), 0);
  gtk_label_set_selectable (GTK_LABEL (message), TRUE);
  /* selectable by the mouse, but not a focus stop: focused, a selectable
   * label selects all its text, and the page opened with a card's selected */
  gtk_widget_set_focusable (message, FALSE);
  gtk_box_append (GTK_BOX (card), message);
  *e = (Evidence) { g_object_ref (self->run), curve };
  evidence = ts_figure_new (name, draw_evidence, evidence_csv, e);
  g_object_set_data_full (G_OBJECT (evidence), "evidence", e, (GDestroyNotify) evidence_free);
  gtk_widget_set_size_request (evidence, -1, 48);
  gtk_widget_set_margin_start (evidence, 12);
  gtk_widget_set_margin_end (evidence, 12);
  gtk_widget_set_tooltip_text (evidence, ev_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (evidence), GTK_ACCESSIBLE_PROPERTY_LABEL, "Evidence: the loss curve",
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, ev_text ? ev_text : "", -1);
  gtk_box_append (GTK_BOX (card), evidence);
  if (a->action && *a->action)
    {
      GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      TsRunState state = ts_run_get_state (self->run);

      /* a stalled run that still trains: divide its LR now, no fork needed */
      if (g_str_equal (a->code, "plateau_decay") && (state == TS_RUN_RUNNING || state == TS_RUN_PAUSED))
        for (int factor = 2; factor <= 5; factor += 3)
          {
            g_autofree char *text = g_strdup_printf ("÷%d Now", factor);
            GtkWidget *now = gtk_button_new_with_label (text);
            gtk_actionable_set_action_name (GTK_ACTIONABLE (now), "win.lr-divide");
            gtk_actionable_set_action_target (GTK_ACTIONABLE (now), "i", factor);
            gtk_widget_set_tooltip_text (now, factor == 2 ? "Divide the learning rate by 2 from the next step (Ctrl+D)"
                                                          : "Divide the learning rate by 5 from the next step (Ctrl+Shift+D)");
            gtk_box_append (GTK_BOX (buttons), now);
          }
      g_autofree char *label = g_strdup_printf ("Fork with %s", a->action);
      GtkWidget *fork = gtk_button_new_with_label (label);
      GtkWidget *start = gtk_button_new_with_label ("Fork and Start");
      gtk_widget_set_halign (buttons, GTK_ALIGN_END);
      gtk_widget_set_margin_end (buttons, 12);
      gtk_widget_set_margin_bottom (buttons, 10);
      for (GtkWidget *b = fork; b; b = b == fork ? start : NULL)
        {
          g_object_set_data_full (G_OBJECT (b), "code", g_strdup (a->code), g_free);
          g_object_set_data_full (G_OBJECT (b), "action", g_strdup (a->action), g_free);
        }
      g_object_set_data (G_OBJECT (start), "start", GINT_TO_POINTER (TRUE));
      g_signal_connect (fork, "clicked", G_CALLBACK (on_fork), self);
      g_signal_connect (start, "clicked", G_CALLBACK (on_fork), self);
      gtk_widget_add_css_class (start, "suggested-action");
      gtk_box_append (GTK_BOX (buttons), fork);
      gtk_box_append (GTK_BOX (buttons), start);
      gtk_box_append (GTK_BOX (card), buttons);
    }
  else
    gtk_widget_set_margin_bottom (evidence, 10);
  return card;
}

static void
rebuild_cards (TsAdvisorPage *self)
{
  GtkWidget *child;
  GString *codes = g_string_new (NULL);
  GPtrArray *advice = self->run ? ts_run_get_advice (self->run) : NULL;

  /* the codes and their actions: an LR finder's result changes an action */
  for (guint i = 0; advice && i < advice->len; i++)
    g_string_append_printf (codes, "%s:%s ", ((TsAdvice *) advice->pdata[i])->code,
                            ((TsAdvice *) advice->pdata[i])->action);
  if (g_strcmp0 (codes->str, self->codes) == 0)
    {
      g_string_free (codes, TRUE);
      /* same advice: only the evidence curves move */
      for (child = gtk_widget_get_first_child (self->cards); child; child = gtk_widget_get_next_sibling (child))
        gtk_widget_queue_draw (child);
      return;
    }
  g_free (self->codes);
  self->codes = g_string_free (codes, FALSE);
  while ((child = gtk_widget_get_first_child (self->cards)))
    gtk_box_remove (GTK_BOX (self->cards), child);
  if (advice == NULL || advice->len == 0)
    {
      GtkWidget *empty = gtk_label_new ("No advice yet: it comes as the run trains.");
      gtk_widget_add_css_class (empty, "dim-label");
      gtk_box_append (GTK_BOX (self->cards), empty);
      return;
    }
  for (guint i = 0; i < advice->len; i++)
    gtk_box_append (GTK_BOX (self->cards), card_for (self, advice->pdata[i]));
}

/* ---- the LR finder ------------------------------------------------------------ */

static void
draw_lr (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsAdvisorPage *self = data;
  if (self->lr_result)
    ts_plot_lr_finder (cr, width, height, style, self->lr_result, "Learning-rate range test");
}

static char *
lr_csv (gpointer data)
{
  TsAdvisorPage *self = data;
  GString *csv;

  if (self->lr_result == NULL)
    return NULL;
  csv = g_string_new ("lr,loss,loss_lo,loss_hi\n");
  for (guint i = 0; i < self->lr_result->n; i++)
    g_string_append_printf (csv, "%.9g,%.9g,%.9g,%.9g\n", self->lr_result->lr[i], self->lr_result->loss[i],
                            self->lr_result->loss_lo[i], self->lr_result->loss_hi[i]);
  return g_string_free (csv, FALSE);
}

static void
on_use_lr (GtkButton *button, TsAdvisorPage *self)
{
  double *lr = g_object_get_data (G_OBJECT (button), "lr");
  g_autoptr(TsExperiment) exp = NULL;
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  if (self->run == NULL)
    return;
  exp = ts_experiment_copy (ts_run_get_experiment (self->run));
  g_ascii_formatd (text, sizeof text, "%.2g", *lr);
  ts_experiment_set (exp, "train.lr", text, NULL);
  g_free (exp->name);
  exp->name = g_strdup_printf ("%s · lr %s", ts_run_get_name (self->run), text);
  g_signal_emit (self, signals[FORK], 0, exp, FALSE);
}

static void on_export (GtkButton *button, TsAdvisorPage *self);

static void
show_lr_result (TsAdvisorPage *self)
{
  const struct { const char *name; double lr; } picks[] = {
    { "valley", self->lr_result->valley }, { "steepest", self->lr_result->steepest },
    { "minimum ÷ 10", self->lr_result->min_over_10 },
  };
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->lr_choices)))
    gtk_flow_box_remove (GTK_FLOW_BOX (self->lr_choices), child);
  for (gsize i = 0; i < G_N_ELEMENTS (picks); i++)
    {
      g_autofree char *label = g_strdup_printf ("Use %.2g (%s)", picks[i].lr, picks[i].name);
      GtkWidget *button = gtk_button_new_with_label (label);
      double *lr = g_new (double, 1);
      *lr = picks[i].lr;
      g_object_set_data_full (G_OBJECT (button), "lr", lr, g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (on_use_lr), self);
      if (i == 0)
        gtk_widget_add_css_class (button, "suggested-action");
      gtk_flow_box_append (GTK_FLOW_BOX (self->lr_choices), button);
    }
  for (int f = 0; f < 4; f++)
    {
      static const char *const names[] = { "lr_find.png", "lr_find.svg", "lr_find.pdf", "lr_find.csv" };
      static const char *const labels[] = { "PNG…", "SVG…", "PDF…", "CSV…" };
      GtkWidget *button = gtk_button_new_with_label (labels[f]);
      g_object_set_data (G_OBJECT (button), "name", (gpointer) names[f]);
      gtk_widget_set_tooltip_text (button, "Export the range test");
      gtk_widget_add_css_class (button, "flat");
      g_signal_connect (button, "clicked", G_CALLBACK (on_export), self);
      gtk_flow_box_prepend (GTK_FLOW_BOX (self->lr_choices), button);
    }
  gtk_widget_set_visible (self->lr_plot, TRUE);
  gtk_widget_queue_draw (self->lr_plot);
}

static void
find_lr_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;
  TsLrFinderResult *r = ts_lr_find (data, &(TsLrFinderOptions) { 1e-6, 10, 200, 3 }, NULL, &error);

  if (r)
    g_task_return_pointer (task, r, (GDestroyNotify) ts_lr_finder_result_free);
  else
    g_task_return_error (task, error);
}

static void
on_lr_found (GObject *source, GAsyncResult *result, gpointer data)
{
  TsAdvisorPage *self = TS_ADVISOR_PAGE (source);
  g_autoptr(GError) error = NULL;
  TsLrFinderResult *r = g_task_propagate_pointer (G_TASK (result), &error);

  gtk_widget_set_sensitive (self->lr_button, TRUE);
  if (GPOINTER_TO_UINT (data) != self->generation)
    {
      ts_lr_finder_result_free (r); /* another run is shown now */
      return;
    }
  if (r == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->lr_status), error->message);
      return;
    }
  g_clear_pointer (&self->lr_result, ts_lr_finder_result_free);
  self->lr_result = r;
  /* the LR advice now uses its valley, or says why not */
  gtk_label_set_text (GTK_LABEL (self->lr_status),
                      ts_run_set_lr_finder (self->run, r)
                        ? "Three sweeps from 1e-6 to 10 on a copy of the model; the run itself is untouched. "
                          "The learning-rate advice above takes them into account."
                        : "Three sweeps from 1e-6 to 10 on a copy of the model; the run itself is untouched. "
                          "This run has not trained here (not started, or read from disk): its advice is as "
                          "written, without the sweeps.");
  show_lr_result (self);
}

void
ts_advisor_page_find_lr (TsAdvisorPage *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->run == NULL)
    return;
  task = g_task_new (self, NULL, on_lr_found, GUINT_TO_POINTER (self->generation));
  g_task_set_task_data (task, ts_experiment_copy (ts_run_get_experiment (self->run)), (GDestroyNotify) ts_experiment_free);
  gtk_widget_set_sensitive (self->lr_button, FALSE);
  gtk_label_set_text (GTK_LABEL (self->lr_status), "Sweeping the learning rate…");
  g_task_run_in_thread (task, find_lr_in_thread);
}

/* ---- export of the finder's plot and data --------------------------------------- */

gboolean
ts_advisor_page_export_lr (TsAdvisorPage *self, const char *path, GError **error)
{
  if (self->lr_result == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "run the learning-rate finder first");
      return FALSE;
    }
  return ts_figure_export (TS_FIGURE (self->lr_plot), path, 2, error);
}

static gboolean
save_lr (const char *path, double scale, gpointer data, GError **error)
{
  return ts_advisor_page_export_lr (data, path, error);
}

static void
on_export (GtkButton *button, TsAdvisorPage *self)
{
  ts_export_ask (GTK_WIDGET (self), "Export the Range Test", g_object_get_data (G_OBJECT (button), "name"), save_lr,
                 self);
}

/* ---- the page ------------------------------------------------------------------- */

void
ts_advisor_page_set_run (TsAdvisorPage *self, TsRun *run)
{
  if (self->run)
    g_signal_handlers_disconnect_by_data (self->run, self);
  g_set_object (&self->run, run);
  self->generation++;
  g_clear_pointer (&self->codes, g_free);
  g_clear_pointer (&self->lr_result, ts_lr_finder_result_free);
  gtk_widget_set_visible (self->lr_plot, FALSE);
  gtk_label_set_text (GTK_LABEL (self->lr_status), "");
  {
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (self->lr_choices)))
      gtk_box_remove (GTK_BOX (self->lr_choices), child);
  }
  if (run)
    g_signal_connect_swapped (run, "changed", G_CALLBACK (rebuild_cards), self);
  rebuild_cards (self);
}

guint
ts_advisor_page_get_n_cards (TsAdvisorPage *self)
{
  guint n = 0;
  for (GtkWidget *c = gtk_widget_get_first_child (self->cards); c; c = gtk_widget_get_next_sibling (c))
    n += gtk_widget_has_css_class (c, "card");
  return n;
}

const TsLrFinderResult *
ts_advisor_page_get_lr_result (TsAdvisorPage *self)
{
  return self->lr_result;
}

static void
ts_advisor_page_dispose (GObject *object)
{
  TsAdvisorPage *self = TS_ADVISOR_PAGE (object);

  if (self->run)
    g_signal_handlers_disconnect_by_data (self->run, self);
  g_clear_object (&self->run);
  g_clear_pointer (&self->codes, g_free);
  g_clear_pointer (&self->lr_result, ts_lr_finder_result_free);
  G_OBJECT_CLASS (ts_advisor_page_parent_class)->dispose (object);
}

static void
ts_advisor_page_class_init (TsAdvisorPageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ts_advisor_page_dispose;
  signals[FORK] = g_signal_new ("fork", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_BOOLEAN);
}

static void
ts_advisor_page_init (TsAdvisorPage *self)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *lr_head = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *lr_title = gtk_label_new ("Learning-rate finder");
  GtkWidget *cards_title = gtk_label_new ("Diagnoses");

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_box_append (GTK_BOX (self), scroller);
  gtk_widget_set_margin_start (column, 24);
  gtk_widget_set_margin_end (column, 24);
  gtk_widget_set_margin_top (column, 12);
  gtk_widget_set_margin_bottom (column, 24);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), column);

  gtk_widget_add_css_class (cards_title, "title-4");
  gtk_label_set_xalign (GTK_LABEL (cards_title), 0);
  gtk_box_append (GTK_BOX (column), cards_title);
  self->cards = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (column), self->cards);

  gtk_widget_add_css_class (lr_title, "title-4");
  gtk_label_set_xalign (GTK_LABEL (lr_title), 0);
  gtk_widget_set_hexpand (lr_title, TRUE);
  gtk_box_append (GTK_BOX (lr_head), lr_title);
  self->lr_button = gtk_button_new_with_label ("Find a Learning Rate");
  g_signal_connect_swapped (self->lr_button, "clicked", G_CALLBACK (ts_advisor_page_find_lr), self);
  gtk_box_append (GTK_BOX (lr_head), self->lr_button);
  gtk_box_append (GTK_BOX (column), lr_head);
  self->lr_status = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->lr_status), 0);
  gtk_label_set_wrap (GTK_LABEL (self->lr_status), TRUE); /* a long note must not widen the window */
  gtk_widget_add_css_class (self->lr_status, "dim-label");
  gtk_box_append (GTK_BOX (column), self->lr_status);
  self->lr_plot = ts_figure_new ("lr_find", draw_lr, lr_csv, self);
  gtk_widget_set_size_request (self->lr_plot, -1, 320);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->lr_plot), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Smoothed loss against the learning rate", -1);
  gtk_widget_set_visible (self->lr_plot, FALSE);
  gtk_box_append (GTK_BOX (column), self->lr_plot);
  /* seven buttons: in a row they held the page (and its cards) wider than
   * the window; they wrap instead */
  self->lr_choices = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (self->lr_choices), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (self->lr_choices), 8);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (self->lr_choices), 6);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (self->lr_choices), 6);
  gtk_box_append (GTK_BOX (column), self->lr_choices);
}

GtkWidget *
ts_advisor_page_new (void)
{
  return g_object_new (TS_TYPE_ADVISOR_PAGE, NULL);
}
