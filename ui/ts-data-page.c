#include "ts-data-page-private.h"
#include "ts-figure.h"
#include "ts-plot-image.h"
#include "ts-plot.h"
#include "ts-plot-private.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

static void
views_clear (Views *v)
{
  g_clear_pointer (&v->ds, ts_dataset_free);
  g_clear_pointer (&v->std_pp, ts_preprocess_free);
  g_clear_pointer (&v->std_image, g_free);
  g_clear_pointer (&v->pca_pp, ts_preprocess_free);
  g_clear_pointer (&v->whitened, g_free);
  g_clear_pointer (&v->exp_pp, ts_preprocess_free);
  for (int k = 0; k < 4; k++)
    g_clear_pointer (&v->panels[k], ts_dataset_free);
}

G_DEFINE_FINAL_TYPE (TsDataPage, ts_data_page, GTK_TYPE_BOX)

enum { LOADED, AUGMENT_CHANGED, FORK, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *const slider_keys[7] = { "hflip", "crop_pad", "brightness", "contrast", "saturation",
                                            "fancy_pca", "erase" };
static const double slider_max[7] = { 1, 8, 1, 1, 1, 1, 1 };

TsAugmentSpec
ts_data_page_get_augment (TsDataPage *self)
{
  double v[7];
  for (int i = 0; i < 7; i++)
    v[i] = gtk_range_get_value (GTK_RANGE (self->sliders[i]));
  return (TsAugmentSpec) { v[0], (guint) v[1], v[2], v[3], v[4], v[5], v[6],
                           self->exp ? self->exp->data.augment.pad_reflect : 0 };
}

/* ---- loading, in a worker thread ------------------------------------------------ */

typedef struct {
  TsExperiment *exp;
  Views         v;
} Loaded;

static void
loaded_free (Loaded *l)
{
  ts_experiment_free (l->exp);
  views_clear (&l->v);
  g_free (l);
}

/* WHITENED samples spread over the set, ZCA-whitened with the PCA's
 * eigenvectors: Uᵀ·diag(1/√(λ+ε))·U·(x − μ) */
static float *
zca_samples (const TsDataset *ds, const TsPreprocess *pca, double epsilon)
{
  guint d = ds->dim;
  float *out = g_new0 (float, (gsize) WHITENED * d);
  g_autofree double *c = g_new (double, d);

  for (guint k = 0; k < WHITENED && k < ds->n; k++)
    {
      const float *x = ds->x + (gsize) ((guint64) k * ds->n / WHITENED) * d;
      for (guint r = 0; r < d; r++)
        {
          const float *u = pca->eigenvectors + (gsize) r * d;
          double dot = 0;
          for (guint j = 0; j < d; j++)
            dot += (double) u[j] * (x[j] - pca->mean[j]);
          c[r] = dot / sqrt (MAX (pca->eigenvalues[r], 0) + epsilon);
        }
      for (guint r = 0; r < d; r++)
        {
          const float *u = pca->eigenvectors + (gsize) r * d;
          for (guint j = 0; j < d; j++)
            out[(gsize) k * d + j] += (float) (c[r] * u[j]);
        }
    }
  return out;
}

static void
load_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Loaded *l = data;
  GError *error = NULL;
  /* shared with a run of the same source loading meanwhile: one decode */
  g_autoptr(TsSource) shared = ts_source_acquire (&l->exp->data, l->exp->seed, NULL, &error);
  const TsDataset *all;
  TsDataset *ds = NULL;

  if (shared == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  all = ts_source_get_data (shared)->train;
  if (all->n > MAX_FIT)
    ts_dataset_take_stratified (all, MAX_FIT, l->exp->seed, &ds, NULL);
  else
    ds = ts_dataset_copy (all);
  l->v.ds = ds;
  if (ds->dim == 2)
    {
      static const TsPreprocessKind kinds[4] = { TS_PRE_NONE, TS_PRE_CENTER, TS_PRE_PCA, TS_PRE_PCA_WHITEN };
      for (int k = 0; k < 4; k++)
        {
          g_autoptr(TsPreprocess) pp = ts_preprocess_fit (kinds[k], ds, 0, 1e-5, NULL);
          l->v.panels[k] = pp ? ts_preprocess_apply (pp, ds) : ts_dataset_copy (ds);
        }
    }
  g_task_return_boolean (task, TRUE);
}

/* The image views' fits (the std image, a PCA of up to MAX_FIT samples,
 * the whitened samples): seconds of work on two cores, done only once the
 * page is shown, so they do not take from a run training meanwhile. */
static void
fit_views_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Loaded *l = data;
  const TsDataset *ds = l->v.ds;
  TsPreprocessKind kind = l->exp->data.preprocess;

  l->v.std_pp = ts_preprocess_fit (TS_PRE_CENTER, ds, 0, 1e-5, NULL);
  l->v.std_image = g_new (float, ds->dim);
  for (guint j = 0; j < ds->dim; j++)
    {
      double s = 0, sq = 0;
      for (guint i = 0; i < ds->n; i++)
        s += ds->x[(gsize) i * ds->dim + j], sq += pow (ds->x[(gsize) i * ds->dim + j], 2);
      l->v.std_image[j] = (float) sqrt (MAX (sq / ds->n - pow (s / ds->n, 2), 0));
    }
  if (ds->dim <= 1024 && (l->v.pca_pp = ts_preprocess_fit (TS_PRE_PCA, ds, 0, 1e-5, NULL)))
    l->v.whitened = zca_samples (ds, l->v.pca_pp, l->exp->data.whiten_epsilon);
  /* the strip shows images: the PCA kinds change the shape, show standardize */
  if (kind == TS_PRE_PCA || kind == TS_PRE_PCA_WHITEN || (kind == TS_PRE_ZCA && ds->dim > 1024))
    kind = TS_PRE_STANDARDIZE;
  l->v.exp_pp = ts_preprocess_fit (kind, ds, 0, l->exp->data.whiten_epsilon, NULL);
  g_task_return_boolean (task, TRUE);
}

static void fit_views (TsDataPage *self);

static void
rebuild_augment (TsDataPage *self)
{
  TsAugmentSpec spec = ts_data_page_get_augment (self);

  g_clear_pointer (&self->augment, ts_augment_free);
  if (self->v.ds && ts_dataset_is_image (self->v.ds))
    self->augment = ts_augment_new (&spec, self->v.ds, NULL);
  gtk_widget_queue_draw (self->samples);
  gtk_widget_queue_draw (self->strip);
}

static gboolean
same_augment (const TsAugmentSpec *a, const TsAugmentSpec *b)
{
  return a->hflip == b->hflip && a->crop_pad == b->crop_pad && a->brightness == b->brightness
         && a->contrast == b->contrast && a->saturation == b->saturation && a->fancy_pca == b->fancy_pca
         && a->erase == b->erase;
}

/* the fork bar shows on a started run, its button live once a slider moved */
static void
update_fork_bar (TsDataPage *self)
{
  TsAugmentSpec spec = ts_data_page_get_augment (self);

  gtk_widget_set_visible (self->fork_bar, self->exp && !self->editable);
  gtk_widget_set_sensitive (self->fork_button, self->exp && !same_augment (&spec, &self->exp->data.augment));
}

/* a slider moved: redraw the preview; a run not yet started takes the value */
static void
on_slider (TsDataPage *self)
{
  rebuild_augment (self);
  if (self->setting || self->exp == NULL)
    return;
  if (self->editable)
    {
      self->exp->data.augment = ts_data_page_get_augment (self);
      g_signal_emit (self, signals[AUGMENT_CHANGED], 0);
    }
  update_fork_bar (self);
}

static void
on_fork_clicked (TsDataPage *self)
{
  g_signal_emit (self, signals[FORK], 0);
}

static void
describe (TsDataPage *self)
{
  const TsDataset *ds = self->v.ds;
  g_autofree char *shape = ts_dataset_is_image (ds) ? g_strdup_printf ("%u×%u×%u", ds->channels, ds->height, ds->width)
                                                    : g_strdup_printf ("%u features", ds->dim);
  g_autofree char *text = g_strdup_printf ("%s · %u samples shown%s · %s · %u classes", self->exp->data.source, ds->n,
                                           ds->n == MAX_FIT ? " (a stratified sample)" : "", shape, ds->n_classes);
  gtk_label_set_text (GTK_LABEL (self->facts), text);
}

static void
on_views_fitted (GObject *source, GAsyncResult *result, gpointer data)
{
  TsDataPage *self = TS_DATA_PAGE (source);
  Loaded *l = g_task_get_task_data (G_TASK (result));

  self->fitting = FALSE;
  if (GPOINTER_TO_UINT (data) != self->generation || !g_task_propagate_boolean (G_TASK (result), NULL))
    {
      fit_views (self); /* another data set came meanwhile */
      return;
    }
  /* the page keeps its own data set; the copy the fits were made on goes */
  self->v.std_pp = g_steal_pointer (&l->v.std_pp);
  self->v.std_image = g_steal_pointer (&l->v.std_image);
  self->v.pca_pp = g_steal_pointer (&l->v.pca_pp);
  self->v.whitened = g_steal_pointer (&l->v.whitened);
  self->v.exp_pp = g_steal_pointer (&l->v.exp_pp);
  self->fitted = TRUE;
  gtk_widget_queue_draw (self->strip);
  gtk_widget_queue_draw (self->views);
  gtk_widget_queue_draw (self->whitened);
}

static void
fit_views (TsDataPage *self)
{
  g_autoptr(GTask) task = NULL;
  Loaded *l;

  if (self->fitting || self->fitted || self->shown != self->generation || self->v.ds == NULL
      || !ts_dataset_is_image (self->v.ds)
      || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  self->fitting = TRUE;
  l = g_new0 (Loaded, 1);
  l->exp = ts_experiment_copy (self->exp);
  l->v.ds = ts_dataset_copy (self->v.ds);
  task = g_task_new (self, NULL, on_views_fitted, GUINT_TO_POINTER (self->generation));
  g_task_set_task_data (task, l, (GDestroyNotify) loaded_free);
  g_task_run_in_thread (task, fit_views_in_thread);
}

gboolean
ts_data_page_views_ready (TsDataPage *self)
{
  return self->fitted;
}

static void
on_loaded (GObject *source, GAsyncResult *result, gpointer data)
{
  TsDataPage *self = TS_DATA_PAGE (source);
  Loaded *l = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (GPOINTER_TO_UINT (data) != self->generation)
    return; /* another experiment is shown now */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      gtk_label_set_text (GTK_LABEL (self->facts), error->message);
      return;
    }
  views_clear (&self->v);
  self->v = l->v; /* the page owns them now */
  self->fitted = !ts_dataset_is_image (self->v.ds); /* images: fitted when the page is shown */
  self->shown = self->generation;
  l->v = (Views) { 0 };
  describe (self);
  gtk_widget_set_visible (self->image_box, ts_dataset_is_image (self->v.ds));
  /* saturation jitter does nothing to grey pixels: no slider for it */
  gtk_widget_set_visible (self->sliders[4], self->v.ds->channels == 3);
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (self->sliders[4]), "label"), self->v.ds->channels == 3);
  gtk_widget_set_visible (self->points, !ts_dataset_is_image (self->v.ds) && self->v.ds->dim == 2);
  rebuild_augment (self);
  gtk_widget_queue_draw (self->balance);
  gtk_widget_queue_draw (self->views);
  gtk_widget_queue_draw (self->points);
  g_signal_emit (self, signals[LOADED], 0);
  fit_views (self);
}

static gboolean
same_source (const TsExperiment *a, const TsExperiment *b)
{
  return a && b && g_str_equal (a->data.source, b->data.source) && a->data.samples == b->data.samples
         && a->data.classes == b->data.classes && a->data.noise == b->data.noise
         && a->data.image_size == b->data.image_size && a->data.preprocess == b->data.preprocess
         && a->seed == b->seed && g_str_equal (a->data.label_column, b->data.label_column);
}

/* the sliders show the experiment's augmentation */
static void
show_augment (TsDataPage *self, const TsAugmentSpec *a)
{
  const double v[7] = { a->hflip, a->crop_pad, a->brightness, a->contrast, a->saturation, a->fancy_pca, a->erase };

  self->setting = TRUE;
  for (int i = 0; i < 7; i++)
    gtk_range_set_value (GTK_RANGE (self->sliders[i]), v[i]);
  self->setting = FALSE;
}

void
ts_data_page_set_experiment (TsDataPage *self, const TsExperiment *exp, gboolean editable)
{
  g_autoptr(GTask) task = NULL;
  gboolean reload = !same_source (self->exp, exp);
  Loaded *l;

  g_clear_pointer (&self->exp, ts_experiment_free);
  self->exp = ts_experiment_copy (exp);
  self->editable = editable;
  show_augment (self, &exp->data.augment);
  update_fork_bar (self);
  if (!reload)
    return;
  self->generation++;
  self->fitted = FALSE;
  gtk_label_set_text (GTK_LABEL (self->facts), "Loading the data…");
  l = g_new0 (Loaded, 1);
  l->exp = ts_experiment_copy (exp);
  task = g_task_new (self, NULL, on_loaded, GUINT_TO_POINTER (self->generation));
  g_task_set_task_data (task, l, (GDestroyNotify) loaded_free);
  g_task_run_in_thread (task, load_in_thread);
}

const float *
ts_data_page_get_whitened (TsDataPage *self, guint *n)
{
  *n = self->v.whitened && self->v.ds ? MIN (WHITENED, self->v.ds->n) : 0;
  return self->v.whitened;
}

GtkRange *
ts_data_page_get_slider (TsDataPage *self, const char *key)
{
  for (int i = 0; i < 7; i++)
    if (g_str_equal (slider_keys[i], key))
      return GTK_RANGE (self->sliders[i]);
  return NULL;
}

GtkWidget *
ts_data_page_get_fork_button (TsDataPage *self)
{
  return self->fork_button;
}

const TsDataset *
ts_data_page_get_dataset (TsDataPage *self)
{
  return self->v.ds;
}

static GtkWidget *
area (TsDataPage *self, const char *name, TsFigureDraw draw, TsFigureCsv csv, int height, const char *label)
{
  GtkWidget *a = ts_figure_new (name, draw, csv, self);
  gtk_widget_set_size_request (a, -1, height);
  gtk_widget_set_hexpand (a, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (a), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return a;
}

static GtkWidget *
heading (const char *text)
{
  GtkWidget *label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  return label;
}

/* The wheel over a slider scrolls the page, as over anything else in it:
 * a slider under a page's scrolling pointer took the scroll as a change of
 * its value. Keys and drags still set it. */
static gboolean
on_slider_scroll (GtkEventControllerScroll *controller, double dx, double dy, gpointer data)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller)),
                                                 GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adj = scroller ? gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)) : NULL;
  double page, delta;

  if (adj == NULL)
    return FALSE;
  page = gtk_adjustment_get_page_size (adj);
  /* GtkScrolledWindow's own step for a wheel notch; touchpads give pixels */
  delta = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL ? dy * pow (page, 2.0 / 3.0) : dy;
  gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + delta);
  return TRUE;
}

static void
scroll_passes_over (GtkWidget *slider)
{
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);

  /* capture: before the slider's own scroll handling, which it then stops */
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_slider_scroll), NULL);
  gtk_widget_add_controller (slider, scroll);
}

static void
ts_data_page_dispose (GObject *object)
{
  TsDataPage *self = TS_DATA_PAGE (object);

  g_clear_pointer (&self->exp, ts_experiment_free);
  views_clear (&self->v);
  g_clear_pointer (&self->augment, ts_augment_free);
  G_OBJECT_CLASS (ts_data_page_parent_class)->dispose (object);
}

static void
ts_data_page_class_init (TsDataPageClass *klass)
{
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 0);
  /* a slider moved on a run not yet started: ts_data_page_get_augment has the values */
  signals[AUGMENT_CHANGED] = g_signal_new ("augment-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                           NULL, NULL, G_TYPE_NONE, 0);
  /* "Fork with These Settings" on a started run */
  signals[FORK] = g_signal_new ("fork", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                G_TYPE_NONE, 0);
  G_OBJECT_CLASS (klass)->dispose = ts_data_page_dispose;
}

static void
ts_data_page_init (TsDataPage *self)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  GtkWidget *controls = gtk_grid_new ();

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  g_signal_connect (self, "map", G_CALLBACK (fit_views), NULL);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (self), scroller);
  gtk_widget_set_margin_start (column, 16);
  gtk_widget_set_margin_end (column, 16);
  gtk_widget_set_margin_top (column, 10);
  gtk_widget_set_margin_bottom (column, 16);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), column);
  self->facts = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (self->facts), 0);
  gtk_label_set_wrap (GTK_LABEL (self->facts), TRUE);
  gtk_box_append (GTK_BOX (column), self->facts);
  gtk_box_append (GTK_BOX (column), heading ("Class balance"));
  self->balance = area (self, "class-balance", _ts_data_page_draw_balance, _ts_data_page_balance_csv, 120, "Samples per class");
  gtk_box_append (GTK_BOX (column), self->balance);

  self->image_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_box_append (GTK_BOX (self->image_box), heading ("Samples and their augmented copies"));
  gtk_grid_set_column_spacing (GTK_GRID (controls), 12);
  for (int i = 0; i < 7; i++)
    {
      GtkWidget *label = gtk_label_new (slider_keys[i]);
      self->sliders[i] = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, slider_max[i], i == 1 ? 1 : 0.05);
      gtk_scale_set_draw_value (GTK_SCALE (self->sliders[i]), TRUE);
      gtk_scale_set_digits (GTK_SCALE (self->sliders[i]), i == 1 ? 0 : 2);
      gtk_widget_set_hexpand (self->sliders[i], TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->sliders[i]), GTK_ACCESSIBLE_PROPERTY_LABEL, slider_keys[i], -1);
      g_signal_connect_swapped (self->sliders[i], "value-changed", G_CALLBACK (on_slider), self);
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      scroll_passes_over (self->sliders[i]);
      g_object_set_data (G_OBJECT (self->sliders[i]), "label", label);
      gtk_grid_attach (GTK_GRID (controls), label, (i % 2) * 2, i / 2, 1, 1);
      gtk_grid_attach (GTK_GRID (controls), self->sliders[i], (i % 2) * 2 + 1, i / 2, 1, 1);
    }
  gtk_box_append (GTK_BOX (self->image_box), controls);
  self->fork_bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  {
    GtkWidget *why = gtk_label_new ("This run has started: the sliders preview only. Fork it to train with them.");
    gtk_label_set_wrap (GTK_LABEL (why), TRUE);
    gtk_label_set_xalign (GTK_LABEL (why), 0);
    gtk_widget_set_hexpand (why, TRUE);
    gtk_widget_add_css_class (why, "dim-label");
    self->fork_button = gtk_button_new_with_mnemonic ("_Fork with These Settings");
    gtk_widget_set_tooltip_text (self->fork_button, "A new experiment: this one with the augmentation the sliders set");
    g_signal_connect_swapped (self->fork_button, "clicked", G_CALLBACK (on_fork_clicked), self);
    gtk_box_append (GTK_BOX (self->fork_bar), why);
    gtk_box_append (GTK_BOX (self->fork_bar), self->fork_button);
    gtk_widget_set_visible (self->fork_bar, FALSE);
  }
  gtk_box_append (GTK_BOX (self->image_box), self->fork_bar);
  self->samples = area (self, "augmented-samples", _ts_data_page_draw_samples, NULL, 6 * 64 + 8, "Samples, then four augmented copies of each");
  gtk_box_append (GTK_BOX (self->image_box), self->samples);
  gtk_box_append (GTK_BOX (self->image_box), heading ("What the net sees"));
  self->strip = area (self, "what-the-net-sees", _ts_data_page_draw_strip, NULL, 130, "One sample raw, augmented, and preprocessed");
  gtk_box_append (GTK_BOX (self->image_box), self->strip);
  gtk_box_append (GTK_BOX (self->image_box), heading ("Preprocessing"));
  self->views = area (self, "preprocessing", _ts_data_page_draw_views, _ts_data_page_preprocessing_csv, 130, "Mean image, std image, eigenvalue spectrum, top principal components");
  gtk_box_append (GTK_BOX (self->image_box), self->views);
  self->whitened = area (self, "whitened-samples", _ts_data_page_draw_whitened, NULL, 2 * 56 + 32, "Samples raw and ZCA-whitened");
  gtk_box_append (GTK_BOX (self->image_box), self->whitened);
  gtk_box_append (GTK_BOX (column), self->image_box);
  self->points = area (self, "whitening-panels", _ts_data_page_draw_points, _ts_data_page_panels_csv, 300, "The points raw, centred, decorrelated and whitened");
  gtk_box_append (GTK_BOX (column), self->points);
}

GtkWidget *
ts_data_page_new (void)
{
  return g_object_new (TS_TYPE_DATA_PAGE, NULL);
}
