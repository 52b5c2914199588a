#include "ts-ensemble-page.h"
#include "ts-figure.h"
#include "ts-page-frame.h"
#include "ts-page-job.h"
#include "ts-plot-ensemble.h"
#include "ts-run.h"
#include "ts-seed-group.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

struct _TsEnsemblePage {
  GtkWidget         parent_instance;

  /* widgets */
  GtkWidget        *scroller;
  GtkListBox       *choices;     /* AdwActionRow, each with a check and its "paths" */
  AdwComboRow      *fusion;
  GtkLabel         *summary;
  GtkLabel         *members;
  GtkWidget        *figure;

  /* owned */
  GListModel       *runs;
  GPtrArray        *groups;      /* Group: choices given by ts_ensemble_page_add_members */
  TsPageJob        *job;         /* the evaluation: Evaluate, Cancel, the progress bar */
  TsEnsembleResult *result;
  char             *output_dir;
  char             *error;
  char             *caption;
};

G_DEFINE_FINAL_TYPE (TsEnsemblePage, ts_ensemble_page, GTK_TYPE_WIDGET)

enum { FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *const fusions[] = { "both", "late", "early" };

/* ---- the choices ------------------------------------------------------------- */

/* a choice is known across refreshes by its title and subtitle */
static char *
choice_key (const char *title, const char *subtitle)
{
  return g_strconcat (title, "\n", subtitle, NULL);
}

static void
add_choice (TsEnsemblePage *self, const char *title, const char *subtitle, GStrv paths, GHashTable *ticked)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  g_autofree char *key = choice_key (title, subtitle);

  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_hash_table_contains (ticked, key));
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  g_object_set_data (G_OBJECT (row), "check", check);
  g_object_set_data_full (G_OBJECT (row), "key", g_steal_pointer (&key), g_free);
  g_object_set_data_full (G_OBJECT (row), "paths", paths, (GDestroyNotify) g_strfreev);
  gtk_list_box_append (self->choices, row);
}

/* a choice of several run folders that is no seed group (a search's top K) */
typedef struct {
  char *title, *subtitle;
  GStrv paths;
} Group;

static void
group_free (Group *g)
{
  g_free (g->title);
  g_free (g->subtitle);
  g_strfreev (g->paths);
  g_free (g);
}

void
ts_ensemble_page_add_members (TsEnsemblePage *self, const char *title, const char *subtitle,
                              const char *const *paths)
{
  Group *g = g_new0 (Group, 1);

  for (guint i = 0; i < self->groups->len; i++)
    if (g_strcmp0 (((Group *) self->groups->pdata[i])->title, title) == 0)
      g_ptr_array_remove_index (self->groups, i--);
  g->title = g_strdup (title);
  g->subtitle = g_strdup (subtitle);
  g->paths = g_strdupv ((char **) paths);
  g_ptr_array_add (self->groups, g);
  ts_ensemble_page_refresh (self);
}

/* the model files of a list of runs (those that have one) */
static GStrv
model_paths (GPtrArray *runs)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; i < runs->len; i++)
    {
      g_autofree char *path = ts_run_dup_model_path (runs->pdata[i]);
      if (path)
        g_strv_builder_add (b, path);
    }
  return g_strv_builder_end (b);
}

static void
add_run_choices (TsEnsemblePage *self, TsRun *run, GHashTable *ticked)
{
  GObject *group = ts_run_get_seed_group (run);
  g_autofree char *model = NULL;
  g_autoptr(GPtrArray) checkpoints = NULL;

  if (group)
    {
      GStrv paths = model_paths (ts_seed_group_get_members (TS_SEED_GROUP (group)));
      g_autofree char *subtitle = g_strdup_printf ("%u trained seeds in %s", g_strv_length (paths),
                                                   ts_seed_group_get_dir (TS_SEED_GROUP (group)));
      if (paths[0] == NULL)
        g_strfreev (paths);
      else
        add_choice (self, ts_run_get_name (run), subtitle, paths, ticked);
      return;
    }
  if ((model = ts_run_dup_model_path (run)) == NULL)
    return;
  add_choice (self, ts_run_get_name (run), model, g_strdupv ((char *[]) { model, NULL }), ticked);
  /* a snapshot ensemble: each checkpoint of the run is a choice too */
  checkpoints = ts_checkpoint_list (ts_run_get_run_dir (run), NULL);
  for (guint i = 0; checkpoints && i < checkpoints->len; i++)
    {
      g_autofree char *base = g_path_get_basename (checkpoints->pdata[i]);
      g_autofree char *title = g_strdup_printf ("%s · checkpoint %s", ts_run_get_name (run), base);
      add_choice (self, title, checkpoints->pdata[i], g_strdupv ((char *[]) { checkpoints->pdata[i], NULL }), ticked);
    }
}

/* the ticked choices' model files, in list order, each once */
static GPtrArray *
ticked_paths (TsEnsemblePage *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->choices)); row;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "check");
      char **paths = g_object_get_data (G_OBJECT (row), "paths");
      if (check == NULL || !gtk_check_button_get_active (GTK_CHECK_BUTTON (check)))
        continue;
      for (int i = 0; paths[i]; i++)
        if (!g_ptr_array_find_with_equal_func (out, paths[i], g_str_equal, NULL))
          g_ptr_array_add (out, g_strdup (paths[i]));
    }
  return out;
}

void
ts_ensemble_page_refresh (TsEnsemblePage *self)
{
  g_autoptr(GHashTable) ticked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n = self->runs ? g_list_model_get_n_items (self->runs) : 0;
  GtkWidget *child;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->choices)); row;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "check");
      if (check && gtk_check_button_get_active (GTK_CHECK_BUTTON (check)))
        g_hash_table_add (ticked, g_strdup (g_object_get_data (G_OBJECT (row), "key")));
    }
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->choices))) != NULL)
    gtk_list_box_remove (self->choices, child);
  for (guint i = self->groups->len; i-- > 0;) /* newest first, as the runs are */
    {
      Group *g = self->groups->pdata[i];
      add_choice (self, g->title, g->subtitle, g_strdupv (g->paths), ticked);
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (self->runs, i);
      if (!ts_run_holds_trainer (run) || ts_run_get_seed_group (run))
        add_run_choices (self, run, ticked);
    }
  if (gtk_widget_get_first_child (GTK_WIDGET (self->choices)) == NULL)
    {
      GtkWidget *row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), "No trained model yet: finish a run, or open a run folder");
      gtk_list_box_append (self->choices, row);
    }
}

guint
ts_ensemble_page_check (TsEnsemblePage *self, const char *text, gboolean active)
{
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->choices)); row;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "check");
      if (check && strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), text))
        {
          gtk_check_button_set_active (GTK_CHECK_BUTTON (check), active);
          n++;
        }
    }
  return n;
}

guint
ts_ensemble_page_checked (TsEnsemblePage *self)
{
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->choices)); row;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "check");
      n += check && gtk_check_button_get_active (GTK_CHECK_BUTTON (check));
    }
  return n;
}

void
ts_ensemble_page_set_fusion (TsEnsemblePage *self, const char *fusion)
{
  for (guint i = 0; i < G_N_ELEMENTS (fusions); i++)
    if (g_strcmp0 (fusion, fusions[i]) == 0)
      adw_combo_row_set_selected (self->fusion, i);
}

/* ---- the result ---------------------------------------------------------------- */

static void
draw_curve (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsEnsemblePage *self = data;

  if (self->result)
    ts_plot_ensemble_curve (cr, width, height, style, self->result, self->caption);
  else
    {
      cairo_set_source_rgb (cr, style->background[0], style->background[1], style->background[2]);
      cairo_paint (cr);
    }
}

static char *
curve_csv (gpointer data)
{
  TsEnsemblePage *self = data;
  return self->result ? ts_plot_ensemble_curve_csv (self->result) : NULL;
}

static void
show_result (TsEnsemblePage *self)
{
  const TsEnsembleResult *r = self->result;
  g_autoptr(GString) s = g_string_new (NULL), m = g_string_new (NULL);

  g_string_append_printf (s, "%u members on %u %s samples: best member %.2f%%, mean member %.2f%%, "
                             "disagreement %.3f (the share of samples two members label differently)",
                          r->n_members, r->count, r->split, 100 * r->best_member_acc, 100 * r->mean_member_acc,
                          r->disagreement);
  if (r->has_late)
    g_string_append_printf (s, "\nLate fusion (mean of probabilities): %.2f%% (%+.2f over the best member, %+.2f over "
                               "the mean); geometric mean %.2f%%, majority vote %.2f%%",
                            100 * r->late_acc[TS_LATE_MEAN], 100 * (r->late_acc[TS_LATE_MEAN] - r->best_member_acc),
                            100 * (r->late_acc[TS_LATE_MEAN] - r->mean_member_acc), 100 * r->late_acc[TS_LATE_GEOMETRIC],
                            100 * r->late_acc[TS_LATE_VOTE]);
  if (r->has_early)
    g_string_append_printf (s, "\nEarly fusion (one classifier on the %u concatenated penultimate features, fitted on "
                               "the training split): %.2f%%",
                            r->early_features, 100 * r->early_acc);
  g_string_append_printf (s, "\nWritten to %s", self->output_dir);
  for (guint k = 0; k < r->n_members; k++)
    g_string_append_printf (m, "%s%s: %.2f%% (loss %.4f)", k ? "\n" : "", r->paths[k], 100 * r->member_acc[k],
                            r->member_loss[k]);
  gtk_label_set_text (self->summary, s->str);
  gtk_label_set_text (self->members, m->str);
  gtk_widget_set_visible (GTK_WIDGET (self->members), TRUE);
  gtk_widget_set_visible (self->figure, TRUE);
  gtk_widget_queue_draw (self->figure);
}

/* ---- the evaluation, in a worker ------------------------------------------------- */

typedef struct {
  GPtrArray         *paths;
  gboolean           late, early;
} Job;

static void
job_free (Job *job)
{
  g_ptr_array_unref (job->paths);
  g_free (job);
}

static void
on_progress (double fraction, gpointer data)
{
  ts_page_job_report (data, fraction, NULL);
}

static gpointer
evaluate (TsPageJob *page_job, gpointer data, GCancellable *cancellable, GError **error)
{
  Job *job = data;
  g_autoptr(TsEnsemble) e = ts_ensemble_new (NULL);
  TsSplits raw = { 0 };
  TsEnsembleResult *r;

  for (guint i = 0; i < job->paths->len; i++)
    if (!ts_ensemble_add (e, job->paths->pdata[i], FALSE, error))
      return NULL;
  if (!ts_ensemble_load_splits (e, &raw, error))
    return NULL;
  /* the CLI's defaults: the same numbers for the same members */
  r = ts_ensemble_evaluate (e, &raw, &(TsEnsembleOptions) { job->late, job->early, TS_LATE_MEAN, 0, 0, NULL,
                                                             cancellable, on_progress, page_job }, error);
  ts_splits_clear (&raw);
  return r;
}

static void
draw_light (cairo_t *cr, double width, double height, gpointer data)
{
  TsEnsemblePage *self = data;
  TsPlotStyle style = ts_plot_style_default (FALSE);
  draw_curve (cr, width, height, &style, self);
}

/* ensemble.json and ensemble-curve.png, as the CLI writes them */
static gboolean
write_result (TsEnsemblePage *self, GError **error)
{
  g_autoptr(JsonNode) node = ts_ensemble_result_to_json (self->result);
  g_autofree char *json = g_build_filename (self->output_dir, "ensemble.json", NULL);
  g_autofree char *png = g_build_filename (self->output_dir, "ensemble-curve.png", NULL);

  if (!ts_page_make_dir (self->output_dir, error))
    return FALSE;
  return ts_write_json_atomic (json, node, error) && ts_plot_save (draw_light, self, 640, 400, 2, png, error);
}

static void
on_evaluated (gpointer owner, gpointer result, const GError *error)
{
  TsEnsemblePage *self = owner;
  TsEnsembleResult *r = result;
  g_autoptr(GError) write_error = NULL;

  g_clear_pointer (&self->error, g_free);
  if (r == NULL)
    {
      self->error = g_strdup (error->message);
      gtk_label_set_text (self->summary, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                                           ? "Cancelled." : error->message);
    }
  else
    {
      g_clear_pointer (&self->result, ts_ensemble_result_free);
      self->result = r;
      g_autofree char *name = g_strdup_printf ("%u-members", r->n_members);
      g_free (self->output_dir);
      self->output_dir = ts_page_output_dir ("ensembles", name);
      g_free (self->caption);
      self->caption = g_strdup_printf ("%u members · measured on %s · order chosen on %s", r->n_members, r->split,
                                       r->curve_split);
      if (!write_result (self, &write_error))
        self->error = g_strdup (write_error->message);
      show_result (self);
      if (self->error)
        gtk_label_set_text (self->summary, self->error);
    }
  g_signal_emit (self, signals[FINISHED], 0);
}

gboolean
ts_ensemble_page_start (TsEnsemblePage *self)
{
  Job *job;
  guint fusion = adw_combo_row_get_selected (self->fusion);

  if (ts_page_job_is_busy (self->job))
    return FALSE;
  job = g_new0 (Job, 1);
  job->paths = ticked_paths (self);
  if (job->paths->len == 0)
    {
      job_free (job);
      gtk_label_set_text (self->summary, "Tick at least one member.");
      return FALSE;
    }
  job->late = fusion != 2;
  job->early = fusion != 1;
  ts_page_job_start (self->job, evaluate, job, (GDestroyNotify) job_free, (GDestroyNotify) ts_ensemble_result_free);
  gtk_label_set_text (self->summary, "Measuring each member, then the fused models…");
  return TRUE;
}

void ts_ensemble_page_cancel (TsEnsemblePage *self) { ts_page_job_cancel (self->job); }
gboolean ts_ensemble_page_is_busy (TsEnsemblePage *self) { return ts_page_job_is_busy (self->job); }
const TsEnsembleResult *ts_ensemble_page_get_result (TsEnsemblePage *self) { return self->result; }
const char *ts_ensemble_page_get_output_dir (TsEnsemblePage *self) { return self->output_dir; }
const char *ts_ensemble_page_get_error (TsEnsemblePage *self) { return self->error; }

/* ---- GObject -------------------------------------------------------------------- */

static void
ts_ensemble_page_dispose (GObject *object)
{
  TsEnsemblePage *self = TS_ENSEMBLE_PAGE (object);

  g_clear_pointer (&self->job, ts_page_job_abandon); /* the evaluation's end is dropped */
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->runs);
  G_OBJECT_CLASS (ts_ensemble_page_parent_class)->dispose (object);
}

static void
ts_ensemble_page_finalize (GObject *object)
{
  TsEnsemblePage *self = TS_ENSEMBLE_PAGE (object);

  g_clear_pointer (&self->result, ts_ensemble_result_free);
  g_free (self->output_dir);
  g_free (self->error);
  g_free (self->caption);
  g_ptr_array_unref (self->groups);
  G_OBJECT_CLASS (ts_ensemble_page_parent_class)->finalize (object);
}

static void
ts_ensemble_page_class_init (TsEnsemblePageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ts_ensemble_page_dispose;
  G_OBJECT_CLASS (klass)->finalize = ts_ensemble_page_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
  /* an evaluation ended: with a result, an error or cancelled */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 0);
}

static void
build (TsEnsemblePage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *options = adw_preferences_group_new ();
  GtkWidget *buttons = ts_page_job_build_row (self->job, "_Evaluate Ensemble", G_CALLBACK (ts_ensemble_page_start));
  GtkWidget *refresh = gtk_button_new_with_mnemonic ("_Refresh List");
  GtkStringList *fusion = gtk_string_list_new ((const char *[]) { "Late and early", "Late: average the members' "
                                                                  "probabilities", "Early: one classifier on their "
                                                                  "features", NULL });

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), "Members");
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         "Trained models to combine: finished runs, all the seeds of a seed group, "
                                         "a search's retrained top K (Search page), or the checkpoints of one run "
                                         "(a snapshot ensemble). They must share the "
                                         "data's input size and classes.");
  self->choices = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->choices, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->choices), "boxed-list");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->choices));
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), refresh);
  g_signal_connect_swapped (refresh, "clicked", G_CALLBACK (ts_ensemble_page_refresh), self);

  self->fusion = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->fusion), "Fusion");
  adw_combo_row_set_model (self->fusion, G_LIST_MODEL (fusion));
  g_object_unref (fusion);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (options), GTK_WIDGET (self->fusion));

  self->summary = GTK_LABEL (ts_page_wrapping_label ("Tick two or more members and press Evaluate: each is "
                                                     "measured on the data's test split, then the fused models."));
  self->members = GTK_LABEL (ts_page_wrapping_label (""));
  gtk_widget_add_css_class (GTK_WIDGET (self->members), "caption");
  gtk_widget_set_visible (GTK_WIDGET (self->members), FALSE);
  self->figure = ts_figure_new ("ensemble-curve", draw_curve, curve_csv, self);
  gtk_widget_set_size_request (self->figure, -1, 360);
  gtk_widget_set_visible (self->figure, FALSE);

  gtk_box_append (GTK_BOX (box), group);
  gtk_box_append (GTK_BOX (box), options);
  gtk_box_append (GTK_BOX (box), buttons);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->summary));
  gtk_box_append (GTK_BOX (box), self->figure);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->members));
  self->scroller = ts_page_frame (GTK_WIDGET (self), box);
}

static void
ts_ensemble_page_init (TsEnsemblePage *self)
{
  self->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);
  self->job = ts_page_job_new (self, NULL, on_evaluated);
  build (self);
  /* shown again: runs may have finished meanwhile */
  g_signal_connect (self, "map", G_CALLBACK (ts_ensemble_page_refresh), NULL);
}

GtkWidget *
ts_ensemble_page_new (GListModel *runs)
{
  TsEnsemblePage *self = g_object_new (TS_TYPE_ENSEMBLE_PAGE, NULL);

  self->runs = g_object_ref (runs);
  ts_ensemble_page_refresh (self);
  return GTK_WIDGET (self);
}
