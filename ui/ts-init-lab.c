#include "ts-init-lab.h"
#include "ts-figure.h"
#include "ts-plot-probe.h"
#include "ts-run.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

#define MAX_CELLS 35
/* a stack's rows: a conv layer's maps over 1000 images run to GBs per thread */
#define MAX_STACK_SAMPLES 512

typedef struct {
  TsInitLab   *lab;
  TsProbeCell *cell;
} CellView;

struct _TsInitLab {
  GtkBox       parent_instance;

  GtkWidget   *layers, *width, *samples, *scale; /* spin buttons */
  GtkWidget   *act_checks[TS_N_USER_ACTIVATIONS];
  GtkWidget   *init_checks[5];
  GtkWidget   *stack_choice; /* an MLP of layers × width, or the experiment's own layers */
  GtkWidget   *input_choice; /* Gaussian noise, or a batch of the data */
  GtkWidget   *show_choice;  /* activation or weight histograms */
  GtkWidget   *batchnorm;    /* probe with batch norm before each activation */
  GtkWidget   *run_button;
  GtkWidget   *train_button;
  GtkWidget   *status;
  GtkWidget   *progress;     /* the data loading for a stack probe */
  const TsDataset *ds;       /* borrowed: the selected experiment's data */
  TsRun       *run;          /* owned: the selected experiment's run, whose stack is probed */
  TsProbeSpec  spec;         /* of the cells shown */
  gboolean     from_data;    /* the cells shown were probed with data */
  gboolean     stack;        /* the cells shown are of the experiment's own layers */
  GCancellable *cancellable; /* of the probe running */
  gboolean     disposed;     /* a probe that ends after the page went finds no widgets */
  guint        progress_source;
  gpointer     loading;      /* the stack probe's Job whose loading the bar shows (the task owns it) */
  CellView     views[MAX_CELLS];
  GtkWidget   *grid;
  GtkWidget   *depth_plots[TS_PROBE_N_DEPTH_PLOTS];
  TsProbeCell *cells[MAX_CELLS];
  guint        n_cells;
  guint        n_acts;
};

G_DEFINE_FINAL_TYPE (TsInitLab, ts_init_lab, GTK_TYPE_BOX)

enum { PICK, TRAIN_ALL, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef struct {
  TsProbeSpec  spec;
  TsInit       inits[5];
  TsActivation acts[TS_N_USER_ACTIVATIONS];
  guint        n_inits, n_acts;
  float       *input;  /* (spec.samples, in_dim), or NULL for Gaussian noise */
  guint        in_dim;
  TsExperiment *exp;   /* a stack probe's experiment, or NULL for the MLP */
  guint        rows;   /* a stack probe's rows of data, once loaded */
  gint         permille; /* (atomic) the data's loading, for the progress bar */
  TsProbeGrid *grid;
  double       seconds; /* the probe's own time */
} Job;

static void
job_free (Job *job)
{
  ts_probe_grid_free (job->grid);
  g_free (job->input);
  ts_experiment_free (job->exp);
  g_free (job);
}

static void
on_load_progress (double fraction, gpointer data)
{
  g_atomic_int_set (&((Job *) data)->permille, (gint) (1000 * CLAMP (fraction, 0, 1)));
}

/* the experiment's data loaded and preprocessed, then its stack probed */
static TsProbeGrid *
probe_stack (Job *job, GCancellable *cancellable, GError **error)
{
  TsLoadContext ctx = { cancellable, on_load_progress, job };
  g_autoptr(TsProbeBatch) batch = ts_probe_batch_load (job->exp, job->spec.samples, &ctx, error);

  if (batch == NULL)
    return NULL;
  job->rows = batch->rows->n;
  g_atomic_int_set (&job->permille, 1000);
  return ts_probe_stack_new (job->exp, batch, job->inits, job->n_inits, job->acts, job->n_acts,
                             (guint) ts_blas_threads (), error);
}

/* the whole grid on the worker and the cores' other threads */
static void
probe_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();

  if (job->exp)
    job->grid = probe_stack (job, cancellable, &error);
  else
    job->grid = ts_probe_grid_new (&job->spec, job->inits, job->n_inits, job->acts, job->n_acts, job->input,
                                   job->in_dim, (guint) ts_blas_threads (), &error);
  job->seconds = (g_get_monotonic_time () - start) * 1e-6;
  if (job->grid == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
draw_cell (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  CellView *view = data;
  gboolean weights = gtk_drop_down_get_selected (GTK_DROP_DOWN (view->lab->show_choice)) == 1;
  ts_plot_probe_cell (cr, width, height, style, view->cell, weights);
}

static char *
cell_csv (gpointer data)
{
  return ts_plot_probe_cell_csv (((CellView *) data)->cell);
}

typedef struct {
  TsInitLab       *lab;
  TsProbeDepthKind kind;
} DepthView;

static void
draw_depth (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  DepthView *view = data;
  static const char *titles[] = { "Activation mean by depth", "Activation spread by depth",
                                  "Gradient spread by depth" };
  if (view->lab->n_cells > 0)
    ts_plot_probe_depth (cr, width, height, style, view->lab->cells, view->lab->n_cells, view->kind);
  else
    ts_plot_message (cr, width, height, style, titles[view->kind], "Press Run Probe");
}

static char *
depth_csv (gpointer data)
{
  DepthView *view = data;
  GString *csv;

  if (view->lab->n_cells == 0)
    return NULL;
  csv = g_string_new ("init,activation,layer,kind,act_mean,act_std,grad_std,dead_fraction,saturated_fraction,"
                      "batchnorm\n");
  for (guint c = 0; c < view->lab->n_cells; c++)
    {
      const TsProbeCell *cell = view->lab->cells[c];
      for (guint l = 0; l < cell->n_layers; l++)
        {
          const TsProbeLayer *p = &cell->layers[l];
          g_string_append_printf (csv, "%s,%s,%u,%s,%.6g,%.6g,%.6g,%.6g,%.6g,%d\n", ts_init_name (cell->init),
                                  ts_activation_name (cell->activation), l + 1, ts_layer_kind_name (p->kind),
                                  p->act_mean, p->act_std, p->grad_std,
                                  p->dead_fraction, p->saturated_fraction, cell->batchnorm);
        }
    }
  return g_string_free (csv, FALSE);
}

static void
on_cell_pressed (GtkGestureClick *gesture, int n, double x, double y, CellView *view)
{
  g_signal_emit (view->lab, signals[PICK], 0, (int) view->cell->init, (int) view->cell->activation);
}

static void
show_cells (TsInitLab *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->grid)))
    gtk_grid_remove (GTK_GRID (self->grid), child);
  for (guint c = 0; c < self->n_cells; c++)
    {
      g_autofree char *name = g_strdup_printf ("probe-%s-%s", ts_init_name (self->cells[c]->init),
                                               ts_activation_name (self->cells[c]->activation));
      GtkWidget *area;
      GtkGesture *click = gtk_gesture_click_new ();
      g_autofree char *label = g_strdup_printf ("%s with %s: per-layer histograms; click to try it, right-click to "
                                                "export", ts_init_name (self->cells[c]->init),
                                                ts_activation_name (self->cells[c]->activation));
      self->views[c] = (CellView) { self, self->cells[c] };
      area = ts_figure_new (name, draw_cell, cell_csv, &self->views[c]);
      gtk_widget_set_size_request (area, 220, 110);
      gtk_widget_set_hexpand (area, TRUE);
      gtk_widget_set_tooltip_text (area, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (area), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      g_signal_connect (click, "pressed", G_CALLBACK (on_cell_pressed), &self->views[c]);
      gtk_widget_add_controller (area, GTK_EVENT_CONTROLLER (click));
      gtk_grid_attach (GTK_GRID (self->grid), area, c % self->n_acts, c / self->n_acts, 1, 1);
    }
  gtk_widget_set_sensitive (self->train_button, self->n_cells > 0);
  for (int k = 0; k < TS_PROBE_N_DEPTH_PLOTS; k++)
    gtk_widget_queue_draw (self->depth_plots[k]);
}

static void
on_probed (GObject *source, GAsyncResult *result, gpointer data)
{
  TsInitLab *self = TS_INIT_LAB (source);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->loading = NULL;
  if (self->disposed)
    return;
  gtk_widget_set_sensitive (self->run_button, TRUE);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_object (&self->cancellable);
  gtk_widget_set_visible (self->progress, FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      gtk_label_set_text (GTK_LABEL (self->status), error->message);
      return;
    }
  for (guint c = 0; c < self->n_cells; c++)
    ts_probe_cell_free (self->cells[c]);
  self->n_cells = job->n_inits * job->n_acts;
  self->n_acts = job->n_acts;
  for (guint c = 0; c < self->n_cells; c++)
    self->cells[c] = g_steal_pointer (&job->grid->cells[c]);
  self->spec = job->spec;
  self->from_data = job->input != NULL || job->exp != NULL;
  self->stack = job->exp != NULL;
  if (job->exp)
    {
      g_autofree char *text = g_strdup_printf (
        "The %u layers of “%s” on %u images of %s (after its preprocessing), forward and backward, untrained: %u "
        "cells in %.2f s, the data's loading included. Click a cell to make an experiment of it; Train All races "
        "them, each at the learning rate a short LR-finder sweep finds for it.", job->exp->model.layers->len,
        job->exp->name, job->rows, job->exp->data.source, self->n_cells, job->seconds);
      gtk_label_set_text (GTK_LABEL (self->status), text);
    }
  else
  {
    g_autofree char *text = g_strdup_printf (
      "%s through the untrained net%s, forward and backward: %u cells in %.2f s. Click a cell to make an experiment "
      "of it; Train All races them, each at the learning rate a short LR-finder sweep finds for it.",
      job->input ? "A batch of the data (each feature standardised)" : "Gaussian input",
      job->spec.batchnorm ? " with batch norm before every activation" : "", self->n_cells, job->seconds);
    gtk_label_set_text (GTK_LABEL (self->status), text);
  }
  show_cells (self);
  /* toggled while this probe ran: probe again, so the figures show the toggle */
  if (!job->exp && job->spec.batchnorm != gtk_check_button_get_active (GTK_CHECK_BUTTON (self->batchnorm)))
    ts_init_lab_run (self);
}

/* the figures follow the toggle: a shown probe runs again (one running
 * already is run again when it ends, see on_probed) */
static void
on_batchnorm_toggled (TsInitLab *self)
{
  if (self->n_cells > 0 && !self->stack && gtk_widget_get_sensitive (self->run_button))
    ts_init_lab_run (self);
}

static gboolean
show_progress (gpointer data)
{
  TsInitLab *self = data;
  Job *job = self->loading;

  if (job)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), g_atomic_int_get (&job->permille) / 1000.0);
  return G_SOURCE_CONTINUE;
}

/* the MLP's controls mean nothing to a stack probe */
static void
on_stack_chosen (TsInitLab *self)
{
  gboolean mlp = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->stack_choice)) == 0;

  gtk_widget_set_sensitive (self->layers, mlp);
  gtk_widget_set_sensitive (self->width, mlp);
  gtk_widget_set_sensitive (self->input_choice, mlp);
  gtk_widget_set_sensitive (self->batchnorm, mlp);
}

/* rows spread over the set, each feature to mean 0 and std 1 over the batch */
static float *
standardised_batch (const TsDataset *ds, guint rows)
{
  float *x = g_new (float, (gsize) rows * ds->dim);

  for (guint r = 0; r < rows; r++)
    memcpy (x + (gsize) r * ds->dim, ds->x + (gsize) ((guint64) r * ds->n / rows) * ds->dim, sizeof (float) * ds->dim);
  for (guint j = 0; j < ds->dim; j++)
    {
      double sum = 0, sq = 0, mean, std;
      for (guint r = 0; r < rows; r++)
        sum += x[(gsize) r * ds->dim + j], sq += (double) x[(gsize) r * ds->dim + j] * x[(gsize) r * ds->dim + j];
      mean = sum / rows;
      std = sqrt (MAX (sq / rows - mean * mean, 0));
      for (guint r = 0; r < rows; r++)
        x[(gsize) r * ds->dim + j] = (float) ((x[(gsize) r * ds->dim + j] - mean) / (std > 1e-6 ? std : 1));
    }
  return x;
}

void
ts_init_lab_run (TsInitLab *self)
{
  Job *job = g_new0 (Job, 1);
  g_autoptr(GTask) task = NULL;

  job->spec = (TsProbeSpec) {
    (guint) gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->layers)),
    (guint) gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->width)),
    (guint) gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->samples)),
    gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->scale)), 7,
    gtk_check_button_get_active (GTK_CHECK_BUTTON (self->batchnorm)) };
  for (int i = 0; i < 5; i++)
    if (gtk_check_button_get_active (GTK_CHECK_BUTTON (self->init_checks[i])))
      job->inits[job->n_inits++] = i;
  for (int a = 0; a < TS_N_USER_ACTIVATIONS; a++)
    if (gtk_check_button_get_active (GTK_CHECK_BUTTON (self->act_checks[a])))
      job->acts[job->n_acts++] = a;
  if (job->n_inits == 0 || job->n_acts == 0)
    {
      gtk_label_set_text (GTK_LABEL (self->status), "Choose at least one init scheme and one activation.");
      job_free (job);
      return;
    }
  if (gtk_drop_down_get_selected (GTK_DROP_DOWN (self->stack_choice)) == 1)
    {
      if (self->run == NULL)
        {
          gtk_label_set_text (GTK_LABEL (self->status), "Select an experiment first: its layers are probed.");
          job_free (job);
          return;
        }
      job->exp = ts_experiment_copy (ts_run_get_experiment (self->run));
      job->spec.samples = MIN (job->spec.samples, MAX_STACK_SAMPLES);
      job->spec.batchnorm = FALSE;
    }
  else if (gtk_drop_down_get_selected (GTK_DROP_DOWN (self->input_choice)) == 1)
    {
      if (self->ds == NULL || self->ds->n == 0)
        {
          gtk_label_set_text (GTK_LABEL (self->status), "The data has not loaded yet: see the Data page.");
          job_free (job);
          return;
        }
      job->spec.samples = MIN (job->spec.samples, self->ds->n);
      job->in_dim = self->ds->dim;
      job->input = standardised_batch (self->ds, job->spec.samples);
    }
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, on_probed, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  gtk_widget_set_sensitive (self->run_button, FALSE);
  if (job->exp)
    {
      g_autofree char *text = g_strdup_printf ("Loading %s for “%s”, then probing its %u layers…",
                                               job->exp->data.source, job->exp->name, job->exp->model.layers->len);
      gtk_label_set_text (GTK_LABEL (self->status), text);
      /* the job lives as long as the task, which holds the page: the bar reads it until on_probed */
      self->loading = job;
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), 0);
      gtk_widget_set_visible (self->progress, TRUE);
      self->progress_source = g_timeout_add (100, show_progress, self);
    }
  else
    gtk_label_set_text (GTK_LABEL (self->status), "Probing…");
  g_task_run_in_thread (task, probe_in_thread);
}

void
ts_init_lab_set_run (TsInitLab *self, TsRun *run)
{
  g_set_object (&self->run, run);
}

void
ts_init_lab_use_stack (TsInitLab *self, gboolean stack)
{
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->stack_choice), stack ? 1 : 0);
}

gboolean
ts_init_lab_probed_stack (TsInitLab *self)
{
  return self->stack;
}

void
ts_init_lab_set_batchnorm (TsInitLab *self, gboolean batchnorm)
{
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->batchnorm), batchnorm);
}

void
ts_init_lab_set_dataset (TsInitLab *self, const TsDataset *ds)
{
  self->ds = ds;
}

void
ts_init_lab_use_data (TsInitLab *self, gboolean data)
{
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->input_choice), data ? 1 : 0);
}

const TsProbeCell *
ts_init_lab_get_cell (TsInitLab *self, guint i, TsProbeSpec *spec)
{
  if (spec)
    *spec = self->spec;
  return i < self->n_cells ? self->cells[i] : NULL;
}

gboolean
ts_init_lab_probed_data (TsInitLab *self)
{
  return self->from_data;
}

guint
ts_init_lab_get_n_cells (TsInitLab *self)
{
  return self->n_cells;
}

void
ts_init_lab_set_size (TsInitLab *self, guint layers, guint width, guint samples)
{
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->layers), layers);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->width), width);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->samples), samples);
}

void
ts_init_lab_set_racing (TsInitLab *self, gboolean racing)
{
  gtk_widget_set_sensitive (self->train_button, !racing && self->n_cells > 0);
  gtk_button_set_label (GTK_BUTTON (self->train_button), racing ? "Finding LRs…" : "Train All");
}

static void
redraw_cells (TsInitLab *self)
{
  for (GtkWidget *c = gtk_widget_get_first_child (self->grid); c; c = gtk_widget_get_next_sibling (c))
    gtk_widget_queue_draw (c);
}

static void
emit_train_all (TsInitLab *self)
{
  g_signal_emit (self, signals[TRAIN_ALL], 0);
}

/* a row of controls that wraps onto more lines in a narrow window */
static GtkWidget *
wrapping_row (void)
{
  GtkWidget *row = gtk_flow_box_new ();

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (row), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (row), 16);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (row), 8);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (row), 4);
  return row;
}

static GtkWidget *
labelled (GtkWidget *row, const char *text, GtkWidget *widget)
{
  GtkWidget *pair = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_box_append (GTK_BOX (pair), gtk_label_new (text));
  gtk_box_append (GTK_BOX (pair), widget);
  gtk_flow_box_append (GTK_FLOW_BOX (row), pair);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  return widget;
}

static void
ts_init_lab_dispose (GObject *object)
{
  TsInitLab *self = TS_INIT_LAB (object);
  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_object (&self->run);
  for (guint c = 0; c < self->n_cells; c++)
    g_clear_pointer (&self->cells[c], ts_probe_cell_free);
  self->n_cells = 0;
  G_OBJECT_CLASS (ts_init_lab_parent_class)->dispose (object);
}

static void
ts_init_lab_class_init (TsInitLabClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ts_init_lab_dispose;
  signals[TRAIN_ALL] = g_signal_new ("train-all", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 0);
  signals[PICK] = g_signal_new ("pick", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
}

static void
ts_init_lab_init (TsInitLab *self)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  GtkWidget *sizes = wrapping_row (), *choices = wrapping_row (), *acts = wrapping_row (), *inits = wrapping_row ();
  GtkWidget *grid_scroller = gtk_scrolled_window_new ();
  GtkWidget *plots = gtk_grid_new ();
  const gboolean act_default[] = { FALSE, TRUE, TRUE, FALSE, FALSE, FALSE, FALSE };
  const gboolean init_default[] = { FALSE, TRUE, TRUE, TRUE, FALSE };

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_widget_set_vexpand (scroller, TRUE);
  /* the controls wrap; only a grid of many activations scrolls sideways */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_box_append (GTK_BOX (self), scroller);
  for (GtkWidget *w = column; w; w = NULL)
    {
      gtk_widget_set_margin_start (w, 16);
      gtk_widget_set_margin_end (w, 16);
      gtk_widget_set_margin_top (w, 10);
      gtk_widget_set_margin_bottom (w, 16);
    }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), column);

  self->layers = labelled (sizes, "Layers", gtk_spin_button_new_with_range (1, 64, 1));
  self->width = labelled (sizes, "Width", gtk_spin_button_new_with_range (10, 2000, 10));
  self->samples = labelled (sizes, "Samples", gtk_spin_button_new_with_range (100, 5000, 100));
  self->scale = labelled (sizes, "σ of small", gtk_spin_button_new_with_range (0.0001, 10, 0.01));
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (self->scale), 4);
  ts_init_lab_set_size (self, 10, 500, 1000);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->scale), 0.01);
  self->run_button = gtk_button_new_with_label ("Run Probe");
  gtk_widget_add_css_class (self->run_button, "suggested-action");
  g_signal_connect_swapped (self->run_button, "clicked", G_CALLBACK (ts_init_lab_run), self);
  self->stack_choice = labelled (choices, "Stack",
                                 gtk_drop_down_new_from_strings ((const char *[]) { "MLP (layers × width)",
                                                                                    "This experiment's layers", NULL }));
  gtk_widget_set_tooltip_text (self->stack_choice, "An MLP of the chosen depth and width, or the selected "
                                                   "experiment's own layers (conv, pool, batch norm, dense) on a batch "
                                                   "of its data after its preprocessing (at most 512 images); each "
                                                   "cell's activation then applies to every layer");
  g_signal_connect_swapped (self->stack_choice, "notify::selected", G_CALLBACK (on_stack_chosen), self);
  self->input_choice = labelled (choices, "Input",
                                 gtk_drop_down_new_from_strings ((const char *[]) { "Gaussian noise", "A batch of the data",
                                                                                    NULL }));
  self->show_choice = labelled (choices, "Show",
                                gtk_drop_down_new_from_strings ((const char *[]) { "Activations", "Weights", NULL }));
  g_signal_connect_swapped (self->show_choice, "notify::selected", G_CALLBACK (redraw_cells), self);
  self->batchnorm = gtk_check_button_new_with_label ("Batch norm");
  gtk_widget_set_tooltip_text (self->batchnorm, "Normalise each layer's pre-activations over the probe's batch (per "
                                                "unit to mean 0 and variance 1, as batch norm does while training, "
                                                "γ = 1, β = 0) before the activation: it keeps the spread alive through "
                                                "depth even under the small init. Picking a cell makes an experiment "
                                                "without it");
  g_signal_connect_swapped (self->batchnorm, "toggled", G_CALLBACK (on_batchnorm_toggled), self);
  gtk_flow_box_append (GTK_FLOW_BOX (choices), self->batchnorm);
  self->train_button = gtk_button_new_with_label ("Train All");
  gtk_widget_set_tooltip_text (self->train_button, "Train every cell's init and activation at this depth and width on "
                                                   "the selected data, their loss curves overlaid. Each cell first gets "
                                                   "its own learning rate from a short LR-finder sweep, so the race "
                                                   "compares the inits, not how one rate suits each");
  gtk_widget_set_sensitive (self->train_button, FALSE);
  g_signal_connect_swapped (self->train_button, "clicked", G_CALLBACK (emit_train_all), self);
  gtk_flow_box_append (GTK_FLOW_BOX (choices), self->run_button);
  gtk_flow_box_append (GTK_FLOW_BOX (choices), self->train_button);
  gtk_box_append (GTK_BOX (column), sizes);
  gtk_box_append (GTK_BOX (column), choices);

  gtk_flow_box_append (GTK_FLOW_BOX (acts), gtk_label_new ("Activations"));
  for (int a = 0; a < TS_N_USER_ACTIVATIONS; a++)
    {
      self->act_checks[a] = gtk_check_button_new_with_label (ts_activation_name (a));
      gtk_check_button_set_active (GTK_CHECK_BUTTON (self->act_checks[a]), act_default[a]);
      gtk_flow_box_append (GTK_FLOW_BOX (acts), self->act_checks[a]);
    }
  gtk_box_append (GTK_BOX (column), acts);
  gtk_flow_box_append (GTK_FLOW_BOX (inits), gtk_label_new ("Init schemes"));
  for (int i = 0; i < 5; i++)
    {
      self->init_checks[i] = gtk_check_button_new_with_label (ts_init_name (i));
      gtk_check_button_set_active (GTK_CHECK_BUTTON (self->init_checks[i]), init_default[i]);
      gtk_flow_box_append (GTK_FLOW_BOX (inits), self->init_checks[i]);
    }
  gtk_box_append (GTK_BOX (column), inits);
  self->status = gtk_label_new ("Press Run Probe: rows are init schemes, columns activations.");
  gtk_label_set_xalign (GTK_LABEL (self->status), 0);
  gtk_label_set_wrap (GTK_LABEL (self->status), TRUE);
  gtk_widget_add_css_class (self->status, "dim-label");
  gtk_box_append (GTK_BOX (column), self->status);
  self->progress = gtk_progress_bar_new ();
  gtk_widget_set_visible (self->progress, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Loading the data", -1);
  gtk_box_append (GTK_BOX (column), self->progress);
  self->grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (self->grid), 8);
  gtk_grid_set_column_spacing (GTK_GRID (self->grid), 8);
  gtk_grid_set_column_homogeneous (GTK_GRID (self->grid), TRUE);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (grid_scroller), GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (grid_scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (grid_scroller), self->grid);
  gtk_box_append (GTK_BOX (column), grid_scroller);
  for (int k = 0; k < TS_PROBE_N_DEPTH_PLOTS; k++)
    {
      static const char *labels[] = { "Activation mean by depth", "Activation spread by depth",
                                      "Gradient spread by depth" };
      DepthView *view = g_new (DepthView, 1);
      g_autofree char *name = g_strdup_printf ("%s-by-depth", ts_probe_depth_name (k));
      *view = (DepthView) { self, k };
      self->depth_plots[k] = ts_figure_new (name, draw_depth, depth_csv, view);
      g_object_set_data_full (G_OBJECT (self->depth_plots[k]), "view", view, g_free);
      gtk_widget_set_size_request (self->depth_plots[k], -1, 300);
      gtk_widget_set_hexpand (self->depth_plots[k], TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->depth_plots[k]), GTK_ACCESSIBLE_PROPERTY_LABEL, labels[k],
                                      -1);
      /* the two forward plots side by side, the backward one below: each wide
       * enough for its legend of every cell */
      gtk_grid_attach (GTK_GRID (plots), self->depth_plots[k], k == 2 ? 0 : k, k == 2 ? 1 : 0, k == 2 ? 2 : 1, 1);
    }
  gtk_grid_set_row_spacing (GTK_GRID (plots), 8);
  gtk_grid_set_column_spacing (GTK_GRID (plots), 8);
  gtk_grid_set_column_homogeneous (GTK_GRID (plots), TRUE);
  gtk_box_append (GTK_BOX (column), plots);
}

GtkWidget *
ts_init_lab_new (void)
{
  return g_object_new (TS_TYPE_INIT_LAB, NULL);
}
