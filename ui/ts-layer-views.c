#include "ts-layer-views.h"
#include "ts-figure.h"
#include "ts-plot-conv.h"

#include <math.h>

#define MAX_RUNS 16
#define GRID_CELLS 120     /* decision grid: cells per side, at most */
#define GRID_MIN_CELLS 24
#define GRID_BUDGET 1e8    /* multiply-adds per grid */
#define MAPS_EVERY (G_USEC_PER_SEC) /* feature maps while training: at most once a second */

struct _TsLayerViews {
  GtkBox          parent_instance;

  GListModel     *runs;
  TsRun          *run;
  const TsDataset *ds;
  guint           layer;
  TsHistKind      kind;
  TsHistMode      mode;

  GtkWidget      *layer_choice;
  GtkWidget      *kind_choice;
  GtkWidget      *overlay_toggle;
  GtkWidget      *histograms;
  GtkWidget      *metrics[TS_LAYER_N_METRICS];
  GtkWidget      *filters;
  GtkWidget      *batchnorm;
  GtkWidget      *decision;
  GtkWidget      *maps_row;    /* the feature maps and their sample: conv nets on images */
  GtkWidget      *feature_maps;
  GtkWidget      *sample_choice;

  /* made off the UI thread (update_model): the draw functions only paint them */
  TsModel        *model;      /* a copy of the selected run's newest parameters */
  TsDecisionGrid *grid;       /* what that model predicts over the 2-D data, or NULL */
  TsFeatureMaps  *maps;       /* what a sample makes of each conv layer, or NULL */
  char           *maps_error; /* why there are none */
  guint64         maps_step;  /* the parameters they are of */
  gint64          maps_time;  /* when the last job making them started (monotonic µs) */
  guint           maps_retry; /* a source asking again once a second has passed */
  guint64         model_step; /* which parameters they are of */
  TsRun          *model_run;  /* weak: which run */
  guint           generation; /* of the job in flight: a newer run or data set drops its result */
  gboolean        busy;       /* a job is in flight */
  guint           stats_drawn; /* what the histograms and metrics last showed (stats_seen) */
};

G_DEFINE_FINAL_TYPE (TsLayerViews, ts_layer_views, GTK_TYPE_BOX)

/* the selected run, then the other overlaid runs, that measured anything */
static guint
collect_runs (TsLayerViews *self, TsRunStats *out)
{
  guint n = 0, total = self->runs ? g_list_model_get_n_items (self->runs) : 0;
  gsize len;
  const TsMetricLog *log = self->run ? ts_run_get_stats (self->run, &len) : NULL;

  if (log && len > 0)
    out[n++] = (TsRunStats) { ts_run_get_name (self->run), ts_run_get_colour (self->run), log, len };
  for (guint i = 0; i < total && n < MAX_RUNS; i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (self->runs, i);
      if (run == self->run || !ts_run_get_overlay (run) || (log = ts_run_get_stats (run, &len)) == NULL || len == 0)
        continue;
      out[n++] = (TsRunStats) { ts_run_get_name (run), ts_run_get_colour (run), log, len };
    }
  return n;
}

static const char *
no_stats_reason (TsLayerViews *self)
{
  TsRunState state = self->run ? ts_run_get_state (self->run) : TS_RUN_READY;

  if (ts_run_state_is_final (state) && state != TS_RUN_FAILED && ts_run_get_run_dir (self->run))
    return "This run was saved without layer statistics (layers.csv)";
  return "Start a run: its layers are measured as it trains";
}

/* ---- drawing ---------------------------------------------------------------- */

static void
draw_histograms (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsLayerViews *self = data;
  TsRunStats runs[MAX_RUNS];
  guint n = collect_runs (self, runs);

  if (n == 0)
    ts_plot_message (cr, width, height, style, "Histograms over time", no_stats_reason (self));
  else
    ts_plot_layer_histograms (cr, width, height, style, runs, n, self->layer, self->kind, self->mode, NULL);
}

static char *
histograms_csv (gpointer data)
{
  TsLayerViews *self = data;
  TsRunStats runs[MAX_RUNS];
  guint n = collect_runs (self, runs);
  return n ? ts_plot_layer_histograms_csv (runs, n, self->layer, self->kind) : NULL;
}

typedef struct {
  TsLayerViews *self;
  TsLayerMetric metric;
} MetricView;

static void
draw_metric (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  MetricView *view = data;
  TsRunStats runs[MAX_RUNS];
  guint n = collect_runs (view->self, runs);
  static const char *titles[] = { "Update / weight ratio", "Gradient norm", "Dead or saturated units" };

  if (n == 0)
    ts_plot_message (cr, width, height, style, titles[view->metric], no_stats_reason (view->self));
  else
    ts_plot_layer_metric (cr, width, height, style, runs, n, view->metric, NULL);
}

static char *
metric_csv (gpointer data)
{
  MetricView *view = data;
  TsRunStats runs[MAX_RUNS];
  guint n = collect_runs (view->self, runs);
  return n ? ts_plot_layer_metric_csv (runs, n, view->metric) : NULL;
}

static gboolean
image_shape_fits (const TsLayerViews *self, const TsModel *model)
{
  return self->ds && ts_dataset_is_image (self->ds) && model
         && ts_net_in_dim (model->net) == (gsize) self->ds->channels * self->ds->height * self->ds->width;
}

static void
draw_filters (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsLayerViews *self = data;
  TsModel *model = self->model_run == self->run ? self->model : NULL;

  if (model == NULL || self->ds == NULL)
    ts_plot_message (cr, width, height, style, "First-layer weights", "Start a run to see its first layer");
  else if (!image_shape_fits (self, model))
    ts_plot_message (cr, width, height, style, "First-layer weights",
                     "The preprocessing changed the input's shape: no images to show");
  else
    ts_plot_filters (cr, width, height, style, model->net, self->ds->channels, self->ds->height, self->ds->width,
                     NULL);
}

static char *
filters_csv (gpointer data)
{
  TsLayerViews *self = data;
  return self->model && self->model_run == self->run ? ts_plot_filters_csv (self->model->net, 100) : NULL;
}

/* the selected layer, as the experiment lists it, is a batch norm */
static gboolean
layer_is_batchnorm (const TsLayerViews *self)
{
  const TsExperiment *exp = self->run ? ts_run_get_experiment (self->run) : NULL;
  return exp && self->layer < exp->model.layers->len
         && g_array_index (exp->model.layers, TsLayerSpec, self->layer).kind == TS_LAYER_BATCHNORM;
}

static void
draw_batchnorm (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsLayerViews *self = data;
  TsModel *model = self->model_run == self->run ? self->model : NULL;
  g_autofree char *caption = NULL;

  if (model == NULL)
    {
      ts_plot_message (cr, width, height, style, "Batch norm", "Start a run to see γ, β and the running statistics");
      return;
    }
  caption = g_strdup_printf ("Layer %u · step %" G_GUINT64_FORMAT, self->layer + 1, self->model_step);
  ts_plot_batchnorm (cr, width, height, style, model->net, self->layer, caption);
}

static char *
batchnorm_csv (gpointer data)
{
  TsLayerViews *self = data;
  return self->model && self->model_run == self->run ? ts_plot_batchnorm_csv (self->model->net, self->layer) : NULL;
}

/* the selected run's experiment has a conv layer */
static gboolean
run_has_conv (const TsLayerViews *self)
{
  const TsExperiment *exp = self->run ? ts_run_get_experiment (self->run) : NULL;

  for (guint l = 0; exp && l < exp->model.layers->len; l++)
    if (g_array_index (exp->model.layers, TsLayerSpec, l).kind == TS_LAYER_CONV)
      return TRUE;
  return FALSE;
}

static guint
chosen_sample (TsLayerViews *self)
{
  guint i = (guint) gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->sample_choice));
  return self->ds && self->ds->n ? MIN (i, self->ds->n - 1) : 0;
}

static void
draw_feature_maps (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsLayerViews *self = data;
  g_autofree char *caption = NULL;

  if (self->model_run != self->run || (self->maps == NULL && self->maps_error == NULL))
    ts_plot_message (cr, width, height, style, "Feature maps", "Start a run to see what its conv layers make of a sample");
  else if (self->maps == NULL)
    ts_plot_message (cr, width, height, style, "Feature maps", self->maps_error);
  else
    {
      caption = g_strdup_printf ("Feature maps · %s · step %" G_GUINT64_FORMAT " · each layer to its own range",
                                 ts_run_get_name (self->run), self->maps_step);
      ts_plot_feature_maps (cr, width, height, style, self->maps, caption);
    }
}

static char *
feature_maps_csv (gpointer data)
{
  TsLayerViews *self = data;
  return self->maps && self->model_run == self->run ? ts_plot_feature_maps_csv (self->maps) : NULL;
}

/* cells per side: the grid is made in a worker, but on two cores the worker
 * takes from the training, so a big net gets a coarser one (about 10⁸
 * multiply-adds at most) */
static guint
grid_cells (const TsNet *net)
{
  double per_row = 0;

  for (guint l = 0; l < ts_net_n_layers (net); l++)
    per_row += (double) ts_net_layer_inputs (net, l) * ts_net_layer_units (net, l);
  return (guint) CLAMP (sqrt (GRID_BUDGET / MAX (per_row, 1)), GRID_MIN_CELLS, GRID_CELLS);
}

static void
draw_decision (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsLayerViews *self = data;
  g_autofree char *caption = NULL;

  if (self->grid == NULL || self->model_run != self->run || self->ds == NULL)
    {
      ts_plot_message (cr, width, height, style, "Decision boundary", "Start a run to see what it predicts");
      return;
    }
  caption = g_strdup_printf ("Decision boundary · %s · step %" G_GUINT64_FORMAT, ts_run_get_name (self->run),
                             self->model_step);
  ts_plot_decision (cr, width, height, style, self->grid, self->ds, caption);
}

static char *
decision_csv (gpointer data)
{
  TsLayerViews *self = data;
  return self->grid && self->model_run == self->run ? ts_plot_decision_csv (self->grid) : NULL;
}

/* ---- the model and its grid, in a worker ------------------------------------------ */

typedef struct {
  TsModel        *model;    /* a copy of the newest parameters, or NULL: load path */
  char           *path;
  gboolean        grid;     /* 2-D data: make the decision grid over bounds */
  double          x0, x1, y0, y1;
  TsDecisionGrid *out_grid;
  float          *sample;   /* (dim): a raw sample to make feature maps of, or NULL */
  guint           dim, index, label;
  TsFeatureMaps  *out_maps;
  char           *maps_error;
  guint64         step;
  TsRun          *run;      /* a reference, to say which run it was */
} ModelJob;

static void
model_job_free (ModelJob *job)
{
  g_clear_pointer (&job->model, ts_model_free);
  g_clear_pointer (&job->out_grid, ts_decision_grid_free);
  g_clear_pointer (&job->out_maps, ts_feature_maps_free);
  g_free (job->sample);
  g_free (job->maps_error);
  g_free (job->path);
  g_clear_object (&job->run);
  g_free (job);
}

static void
model_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  ModelJob *job = data;
  GError *error = NULL;

  if (job->model == NULL && (job->model = ts_model_load (job->path, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (job->grid && job->model->preprocess->in_dim == 2)
    {
      guint cells = grid_cells (job->model->net);
      job->out_grid = ts_decision_grid_new (job->model, job->x0, job->x1, job->y0, job->y1, cells, cells, NULL);
    }
  if (job->sample) /* one sample's forward pass, on the job's own copy of the model */
    {
      job->out_maps = ts_feature_maps_new (job->model, job->sample, job->dim, job->index, job->label, &error);
      if (job->out_maps == NULL)
        job->maps_error = g_strdup (error->message), g_clear_error (&error);
    }
  g_task_return_boolean (task, TRUE);
}

static void update_model (TsLayerViews *self);

static gboolean
is_training (TsRun *run)
{
  TsRunState state = ts_run_get_state (run);
  return state == TS_RUN_RUNNING || state == TS_RUN_LOADING;
}

static void
on_model_ready (GObject *source, GAsyncResult *result, gpointer data)
{
  TsLayerViews *self = TS_LAYER_VIEWS (source);
  ModelJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->busy = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("%s", error->message);
  else if (GPOINTER_TO_UINT (data) == self->generation)
    {
      g_clear_pointer (&self->model, ts_model_free);
      g_clear_pointer (&self->grid, ts_decision_grid_free);
      self->model = g_steal_pointer (&job->model);
      self->grid = g_steal_pointer (&job->out_grid);
      self->model_step = job->step;
      if (job->sample)
        {
          g_clear_pointer (&self->maps, ts_feature_maps_free);
          g_free (self->maps_error);
          self->maps = g_steal_pointer (&job->out_maps);
          self->maps_error = g_steal_pointer (&job->maps_error);
          self->maps_step = job->step;
          gtk_widget_queue_draw (self->feature_maps);
        }
      g_set_weak_pointer (&self->model_run, job->run);
      gtk_widget_queue_draw (self->filters);
      gtk_widget_queue_draw (self->decision);
      gtk_widget_queue_draw (self->batchnorm);
    }
  /* Newer parameters may have come meanwhile. While the run trains, the
   * window's next redraw asks for them (ts_layer_views_refresh): asking here
   * too copied the model and redrew the views as fast as the worker went. */
  if (self->run && !is_training (self->run))
    update_model (self);
}

static gboolean
retry_maps (gpointer data)
{
  TsLayerViews *self = data;

  self->maps_retry = 0;
  update_model (self);
  return G_SOURCE_REMOVE;
}

/* the feature maps shown are of another sample or older parameters */
static gboolean
maps_stale (TsLayerViews *self, guint64 step)
{
  if (self->model_run != self->run || self->maps_step != step)
    return TRUE;
  return self->maps ? self->maps->sample != chosen_sample (self) : self->maps_error == NULL;
}

/* While training, feature maps are made at most once a second: FALSE (and
 * a retry set up) when the last were made less than that ago. */
static gboolean
maps_due (TsLayerViews *self)
{
  gint64 wait = self->maps_time + MAPS_EVERY - g_get_monotonic_time ();

  if (!is_training (self->run) || wait <= 0)
    return TRUE;
  if (self->maps_retry == 0)
    self->maps_retry = g_timeout_add ((guint) (wait / 1000) + 1, retry_maps, self);
  return FALSE;
}

/* When the selected run has newer parameters than the views show (and they
 * are on screen), a worker copies or loads them and makes the grid and the
 * feature maps. */
static void
update_model (TsLayerViews *self)
{
  g_autoptr(GTask) task = NULL;
  ModelJob *job;
  guint64 step;
  gboolean image, plane, maps;

  if (self->busy || self->run == NULL || self->ds == NULL)
    return;
  image = ts_dataset_is_image (self->ds);
  plane = !image && self->ds->dim == 2;
  maps = image && self->ds->n > 0 && gtk_widget_get_mapped (self->feature_maps);
  if (!(image ? gtk_widget_get_mapped (self->filters) : plane && gtk_widget_get_mapped (self->decision))
      && !gtk_widget_get_mapped (self->batchnorm) && !maps)
    return;
  step = ts_run_get_params_step (self->run);
  maps = maps && maps_stale (self, step);
  if (step == 0 || ((self->model_run == self->run && step == self->model_step) && !maps))
    return;
  if (maps && !maps_due (self))
    return;
  job = g_new0 (ModelJob, 1);
  job->run = g_object_ref (self->run);
  job->model = ts_run_dup_model (self->run, &job->step);
  if (job->model == NULL && (job->path = ts_run_dup_model_path (self->run)) == NULL)
    {
      model_job_free (job);
      return;
    }
  job->step = step; /* what was asked for (the copy may be a little newer) */
  job->grid = plane;
  if (maps) /* the sample copied: the data page may replace its data set meanwhile */
    {
      job->index = chosen_sample (self), job->dim = self->ds->dim, job->label = self->ds->y[job->index];
      job->sample = g_memdup2 (self->ds->x + (gsize) job->index * job->dim, (gsize) job->dim * sizeof (float));
      self->maps_time = g_get_monotonic_time ();
    }
  if (plane)
    ts_decision_bounds (self->ds, 0.05, &job->x0, &job->x1, &job->y0, &job->y1);
  self->busy = TRUE;
  task = g_task_new (self, NULL, on_model_ready, GUINT_TO_POINTER (self->generation));
  g_task_set_task_data (task, job, (GDestroyNotify) model_job_free);
  g_task_run_in_thread (task, model_in_thread);
}

/* the views show another run or data set: what was made is stale */
static void
forget_model (TsLayerViews *self)
{
  self->generation++;
  g_clear_pointer (&self->model, ts_model_free);
  g_clear_pointer (&self->grid, ts_decision_grid_free);
  g_clear_pointer (&self->maps, ts_feature_maps_free);
  g_clear_pointer (&self->maps_error, g_free);
  g_clear_weak_pointer (&self->model_run);
  self->model_step = 0;
  self->maps_step = 0;
}

/* ---- state -------------------------------------------------------------------- */

static void
update_side_views (TsLayerViews *self)
{
  gboolean image = self->ds && ts_dataset_is_image (self->ds);
  gtk_widget_set_visible (self->filters, image);
  gtk_widget_set_visible (self->decision, self->ds && !image && self->ds->dim == 2);
  gtk_widget_set_visible (self->batchnorm, layer_is_batchnorm (self));
  gtk_widget_set_visible (self->maps_row, image && run_has_conv (self));
  if (self->ds)
    gtk_spin_button_set_range (GTK_SPIN_BUTTON (self->sample_choice), 0, MAX (self->ds->n, 1) - 1);
}

/* the histograms and metrics change only with a new measurement (every
 * few dozen steps) or another set of runs shown: a hash of those */
static guint
stats_seen (TsLayerViews *self)
{
  TsRunStats runs[MAX_RUNS];
  guint n = collect_runs (self, runs), h = (2166136261u ^ n ^ GPOINTER_TO_UINT (self->run)) * 16777619u;

  for (guint i = 0; i < n; i++)
    {
      h = (h ^ GPOINTER_TO_UINT (runs[i].stats)) * 16777619u;
      h = (h ^ (guint) runs[i].n) * 16777619u;
    }
  return h;
}

void
ts_layer_views_refresh (TsLayerViews *self)
{
  guint seen = stats_seen (self);

  if (seen != self->stats_drawn)
    {
      gtk_widget_queue_draw (self->histograms);
      for (int m = 0; m < TS_LAYER_N_METRICS; m++)
        gtk_widget_queue_draw (self->metrics[m]);
      self->stats_drawn = seen;
    }
  update_model (self); /* the picture views redraw when it is made */
}

static void
fill_layer_choice (TsLayerViews *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  const TsExperiment *exp = self->run ? ts_run_get_experiment (self->run) : NULL;
  guint n = exp ? exp->model.layers->len : 0;

  for (guint l = 0; l < n; l++)
    {
      const TsLayerSpec *spec = &g_array_index (exp->model.layers, TsLayerSpec, l);
      gboolean normalised = l + 1 < n && g_array_index (exp->model.layers, TsLayerSpec, l + 1).kind == TS_LAYER_BATCHNORM;
      g_autofree char *name = NULL;

      /* a batchnorm's weights are γ; its activations come after the
       * activation of the dense layer it normalises, which shows its
       * pre-activation */
      if (spec->kind == TS_LAYER_BATCHNORM)
        name = g_strdup_printf ("Layer %u · batch norm (weights: γ) · %s", l + 1,
                                ts_activation_name (l > 0 ? ts_experiment_layer_activation (exp, l - 1) : exp->model.activation));
      else if (spec->kind == TS_LAYER_CONV)
        name = g_strdup_printf ("Layer %u · conv %u×%u, %u filters %s", l + 1, spec->kernel, spec->kernel,
                                spec->units,
                                normalised ? "before its batch norm" : ts_activation_name (ts_experiment_layer_activation (exp, l)));
      else if (spec->kind == TS_LAYER_POOL)
        name = g_strdup_printf ("Layer %u · %s pool %u (no weights)", l + 1, spec->pool == TS_POOL_MAX ? "max" : "avg",
                                spec->kernel);
      else if (spec->kind == TS_LAYER_GLOBAL_AVG_POOL)
        name = g_strdup_printf ("Layer %u · global average pool (no weights)", l + 1);
      else
        name = g_strdup_printf ("Layer %u · %u %s", l + 1, spec->units,
                                normalised ? "before its batch norm" : ts_activation_name (ts_experiment_layer_activation (exp, l)));
      gtk_string_list_append (names, name);
    }
  gtk_string_list_append (names, "Output layer");
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->layer_choice), G_LIST_MODEL (names));
  self->layer = MIN (self->layer, n);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->layer_choice), self->layer);
  update_side_views (self);
}

void
ts_layer_views_set_runs (TsLayerViews *self, GListModel *runs)
{
  g_set_object (&self->runs, runs);
  ts_layer_views_refresh (self);
}

/* The layer names say each layer's activation: an edit of the selected,
 * unstarted experiment (its activation, its layers) renames them. Without
 * this the menu kept the names of the experiment as it was when selected. */
static void
on_experiment_changed (TsLayerViews *self)
{
  fill_layer_choice (self);
  ts_layer_views_refresh (self);
}

void
ts_layer_views_set_run (TsLayerViews *self, TsRun *run)
{
  if (self->run == run)
    return;
  if (self->run)
    g_signal_handlers_disconnect_by_data (self->run, self);
  g_set_object (&self->run, run);
  if (run)
    g_signal_connect_swapped (run, "notify::experiment", G_CALLBACK (on_experiment_changed), self);
  forget_model (self);
  gtk_widget_queue_draw (self->filters);
  gtk_widget_queue_draw (self->decision);
  gtk_widget_queue_draw (self->batchnorm);
  gtk_widget_queue_draw (self->feature_maps);
  fill_layer_choice (self);
  ts_layer_views_refresh (self);
}

void
ts_layer_views_set_dataset (TsLayerViews *self, const TsDataset *ds)
{
  self->ds = ds;
  forget_model (self);
  gtk_widget_queue_draw (self->filters);
  gtk_widget_queue_draw (self->decision);
  gtk_widget_queue_draw (self->batchnorm);
  gtk_widget_queue_draw (self->feature_maps);
  update_side_views (self);
  ts_layer_views_refresh (self);
}

guint
ts_layer_views_get_maps_sample (TsLayerViews *self)
{
  return self->maps && self->model_run == self->run ? self->maps->sample : G_MAXUINT;
}

void
ts_layer_views_get_view (TsLayerViews *self, guint *layer, TsHistKind *kind, TsHistMode *mode)
{
  *layer = self->layer, *kind = self->kind, *mode = self->mode;
}

void
ts_layer_views_bind_settings (TsLayerViews *self, GSettings *settings)
{
  g_settings_bind (settings, "layer-histogram-kind", self->kind_choice, "selected", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "layer-histograms-overlaid", self->overlay_toggle, "active", G_SETTINGS_BIND_DEFAULT);
}

void
ts_layer_views_show (TsLayerViews *self, guint layer, TsHistKind kind, TsHistMode mode)
{
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->layer_choice), layer);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->kind_choice), kind);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->overlay_toggle), mode == TS_HIST_OVERLAY);
}

static void
on_choice (TsLayerViews *self)
{
  guint layer = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->layer_choice));
  self->layer = layer == GTK_INVALID_LIST_POSITION ? 0 : layer;
  self->kind = MIN (gtk_drop_down_get_selected (GTK_DROP_DOWN (self->kind_choice)), TS_HIST_N_KINDS - 1);
  self->mode = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->overlay_toggle)) ? TS_HIST_OVERLAY
                                                                                         : TS_HIST_OFFSET;
  gtk_widget_queue_draw (self->histograms);
  gtk_widget_queue_draw (self->batchnorm);
  update_side_views (self);
}

/* ---- construction ---------------------------------------------------------------- */

static GtkWidget *
figure (const char *name, TsFigureDraw draw, TsFigureCsv csv, gpointer data, int height)
{
  GtkWidget *f = ts_figure_new (name, draw, csv, data);
  gtk_widget_set_size_request (f, 200, height); /* three in a row fit an 800 px window */
  gtk_widget_set_hexpand (f, TRUE);
  gtk_widget_add_css_class (f, "card");
  return f;
}

static GtkWidget *
controls (TsLayerViews *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8), *title = gtk_label_new ("Inside the network");
  GtkWidget *offset = gtk_toggle_button_new_with_label ("Offset"), *modes = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  gtk_widget_add_css_class (title, "heading");
  gtk_widget_set_hexpand (title, TRUE);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_box_append (GTK_BOX (row), title);
  self->layer_choice = gtk_drop_down_new (NULL, NULL);
  gtk_widget_set_tooltip_text (self->layer_choice, "The layer whose histograms are shown");
  self->kind_choice = gtk_drop_down_new_from_strings ((const char *[]) { "Weights", "Activations", "Gradients", NULL });
  gtk_widget_set_tooltip_text (self->kind_choice, "What is binned: the weights, the activations of the last measured "
                                                  "batch, or the gradients of the weights");
  self->overlay_toggle = gtk_toggle_button_new_with_label ("Overlay");
  gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (self->overlay_toggle), GTK_TOGGLE_BUTTON (offset));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (offset), TRUE);
  gtk_widget_set_tooltip_text (offset, "One ridge per measurement, later ones in front");
  gtk_widget_set_tooltip_text (self->overlay_toggle, "All measurements on one axis, the newest strongest");
  gtk_widget_add_css_class (modes, "linked");
  gtk_box_append (GTK_BOX (modes), offset);
  gtk_box_append (GTK_BOX (modes), self->overlay_toggle);
  gtk_box_append (GTK_BOX (row), self->layer_choice);
  gtk_box_append (GTK_BOX (row), self->kind_choice);
  gtk_box_append (GTK_BOX (row), modes);
  g_signal_connect_swapped (self->layer_choice, "notify::selected", G_CALLBACK (on_choice), self);
  g_signal_connect_swapped (self->kind_choice, "notify::selected", G_CALLBACK (on_choice), self);
  g_signal_connect_swapped (self->overlay_toggle, "toggled", G_CALLBACK (on_choice), self);
  return row;
}

/* the feature maps under a line choosing their sample */
static GtkWidget *
maps_row (TsLayerViews *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4), *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label = gtk_label_new ("Feature maps of sample");

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  self->sample_choice = gtk_spin_button_new_with_range (0, 0, 1);
  gtk_widget_set_tooltip_text (self->sample_choice, "Which sample of the Data page's training part goes through the "
                                                    "net: its conv layers' outputs are drawn");
  gtk_box_append (GTK_BOX (line), label);
  gtk_box_append (GTK_BOX (line), self->sample_choice);
  self->feature_maps = figure ("feature-maps", draw_feature_maps, feature_maps_csv, self, 420);
  gtk_box_append (GTK_BOX (row), line);
  gtk_box_append (GTK_BOX (row), self->feature_maps);
  g_signal_connect_swapped (self->sample_choice, "value-changed", G_CALLBACK (update_model), self);
  return row;
}

static void
ts_layer_views_dispose (GObject *object)
{
  TsLayerViews *self = TS_LAYER_VIEWS (object);

  g_clear_object (&self->runs);
  if (self->run)
    g_signal_handlers_disconnect_by_data (self->run, self);
  g_clear_object (&self->run);
  forget_model (self);
  g_clear_handle_id (&self->maps_retry, g_source_remove);
  G_OBJECT_CLASS (ts_layer_views_parent_class)->dispose (object);
}

static void
ts_layer_views_class_init (TsLayerViewsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ts_layer_views_dispose;
}

static void
ts_layer_views_init (TsLayerViews *self)
{
  static const char *metric_names[] = { "update-ratio", "grad-norm", "dead-saturated" };
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8), *bottom = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  MetricView *mine = g_new (MetricView, TS_LAYER_N_METRICS);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 8);
  gtk_box_append (GTK_BOX (self), controls (self));
  self->histograms = figure ("histograms", draw_histograms, histograms_csv, self, 340);
  self->filters = figure ("first-layer-weights", draw_filters, filters_csv, self, 340);
  self->decision = figure ("decision-boundary", draw_decision, decision_csv, self, 340);
  gtk_widget_set_hexpand (self->filters, FALSE);
  gtk_widget_set_hexpand (self->decision, FALSE);
  gtk_widget_set_size_request (self->histograms, 280, 340);
  gtk_widget_set_size_request (self->filters, 360, 340);
  gtk_widget_set_size_request (self->decision, 380, 340);
  gtk_box_append (GTK_BOX (top), self->histograms);
  gtk_box_append (GTK_BOX (top), self->filters);
  gtk_box_append (GTK_BOX (top), self->decision);
  gtk_box_set_homogeneous (GTK_BOX (bottom), TRUE);
  for (int m = 0; m < TS_LAYER_N_METRICS; m++)
    {
      mine[m] = (MetricView) { self, m };
      self->metrics[m] = figure (metric_names[m], draw_metric, metric_csv, &mine[m], 260);
      gtk_box_append (GTK_BOX (bottom), self->metrics[m]);
    }
  g_object_set_data_full (G_OBJECT (self), "metric-views", mine, g_free);
  self->maps_row = maps_row (self);
  /* a row of its own, shown while a batchnorm layer is chosen */
  self->batchnorm = figure ("batchnorm", draw_batchnorm, batchnorm_csv, self, 220);
  gtk_box_append (GTK_BOX (self), top);
  gtk_box_append (GTK_BOX (self), self->maps_row);
  gtk_box_append (GTK_BOX (self), self->batchnorm);
  gtk_box_append (GTK_BOX (self), bottom);
  fill_layer_choice (self);
  update_side_views (self);
  /* scrolled or switched into view: make what it shows */
  g_signal_connect_swapped (self->filters, "map", G_CALLBACK (update_model), self);
  g_signal_connect_swapped (self->decision, "map", G_CALLBACK (update_model), self);
  g_signal_connect_swapped (self->batchnorm, "map", G_CALLBACK (update_model), self);
  g_signal_connect_swapped (self->feature_maps, "map", G_CALLBACK (update_model), self);
}

GtkWidget *
ts_layer_views_new (void)
{
  return g_object_new (TS_TYPE_LAYER_VIEWS, NULL);
}
