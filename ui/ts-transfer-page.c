#include "ts-transfer-page.h"
#include "ts-figure.h"
#include "ts-page-frame.h"
#include "ts-page-job.h"
#include "ts-plot-transfer.h"
#include "ts-run.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

struct _TsTransferPage {
  GtkWidget       parent_instance;

  /* widgets */
  GtkWidget      *scroller;
  AdwComboRow    *model_row;   /* the runs with a model, and chosen files */
  GtkStringList  *model_names;
  AdwEntryRow    *source_row;
  AdwEntryRow    *set_row;
  GtkLabel       *status;
  GtkWidget      *figure;
  GtkLabel       *evidence;
  GtkWidget      *table;       /* the 2×2 grid */
  GtkWidget      *cells[4];    /* by ts_transfer_cell's order: little-different, little-similar, lots-… */
  GtkWidget      *strategies_button;
  GtkGrid        *results;
  GtkLabel       *winner;

  /* owned */
  GListModel     *runs;
  GPtrArray      *model_paths; /* char*, parallel to model_names */
  TsPageJob      *job;         /* the measurement: Analyse, Cancel, the progress bar */
  guint           poll_id;
  TsTransfer     *transfer;
  char           *output_dir;
  char           *error;
  char           *caption;
  char           *run_dirs[TS_N_STRATEGIES]; /* strategies asked for, NULL otherwise */
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (TsTransferPage, ts_transfer_page, GTK_TYPE_WIDGET)

enum { FINISHED, TRAIN_STRATEGIES, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- the model to start from ------------------------------------------------------ */

static void
add_model_choice (TsTransferPage *self, const char *name, const char *path)
{
  gtk_string_list_append (self->model_names, name);
  g_ptr_array_add (self->model_paths, g_strdup (path));
}

void
ts_transfer_page_refresh (TsTransferPage *self)
{
  g_autofree char *chosen = g_strdup (ts_transfer_page_get_model (self));
  guint n = self->runs ? g_list_model_get_n_items (self->runs) : 0, keep = GTK_INVALID_LIST_POSITION;

  gtk_string_list_splice (self->model_names, 0, g_list_model_get_n_items (G_LIST_MODEL (self->model_names)), NULL);
  g_ptr_array_set_size (self->model_paths, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TsRun) run = g_list_model_get_item (self->runs, i);
      g_autofree char *model = NULL;
      if (ts_run_holds_trainer (run) || (model = ts_run_dup_model_path (run)) == NULL)
        continue;
      add_model_choice (self, ts_run_get_name (run), model);
    }
  /* a chosen file stays a choice */
  if (chosen && !g_ptr_array_find_with_equal_func (self->model_paths, chosen, g_str_equal, NULL))
    {
      g_autofree char *base = g_path_get_basename (chosen);
      add_model_choice (self, base, chosen);
    }
  for (guint i = 0; chosen && i < self->model_paths->len; i++)
    if (g_str_equal (self->model_paths->pdata[i], chosen))
      keep = i;
  if (keep != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (self->model_row, keep);
}

void
ts_transfer_page_set_model (TsTransferPage *self, const char *path)
{
  g_autofree char *model = g_file_test (path, G_FILE_TEST_IS_DIR)
                             ? g_build_filename (path, "model.safetensors", NULL) : g_strdup (path);
  g_autofree char *base = g_path_get_basename (path);

  for (guint i = 0; i < self->model_paths->len; i++)
    if (g_str_equal (self->model_paths->pdata[i], model))
      {
        adw_combo_row_set_selected (self->model_row, i);
        return;
      }
  add_model_choice (self, base, model);
  adw_combo_row_set_selected (self->model_row, self->model_paths->len - 1);
}

const char *
ts_transfer_page_get_model (TsTransferPage *self)
{
  guint i = adw_combo_row_get_selected (self->model_row);
  return i < self->model_paths->len ? self->model_paths->pdata[i] : NULL;
}

void
ts_transfer_page_set_target (TsTransferPage *self, const char *source, const char *overrides)
{
  gtk_editable_set_text (GTK_EDITABLE (self->source_row), source);
  gtk_editable_set_text (GTK_EDITABLE (self->set_row), overrides ? overrides : "");
}

static void
on_file_chosen (GtkNativeDialog *dialog, int response, TsTransferPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      if (path)
        ts_transfer_page_set_model (self, path);
    }
  g_clear_object (&self->chooser);
}

static void
choose_file (TsTransferPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileFilter *filter = gtk_file_filter_new ();

  if (self->chooser)
    return;
  self->chooser = gtk_file_chooser_native_new ("Pre-trained Model", GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, "_Open", "_Cancel");
  gtk_file_filter_set_name (filter, "Models (.safetensors)");
  gtk_file_filter_add_suffix (filter, "safetensors");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_unref (filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_file_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- showing a measurement ------------------------------------------------------- */

static void
draw_stages (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data)
{
  TsTransferPage *self = data;

  if (self->transfer)
    ts_plot_transfer_stages (cr, width, height, style, ts_transfer_report (self->transfer), self->caption);
  else
    {
      cairo_set_source_rgb (cr, style->background[0], style->background[1], style->background[2]);
      cairo_paint (cr);
    }
}

static char *
stages_csv (gpointer data)
{
  TsTransferPage *self = data;
  return self->transfer ? ts_plot_transfer_stages_csv (ts_transfer_report (self->transfer)) : NULL;
}

static void
show_evidence (TsTransferPage *self)
{
  const TsTransferReport *r = ts_transfer_report (self->transfer);
  guint top = r->n_stages - 1;
  g_autoptr(GString) s = g_string_new (NULL);

  g_string_append_printf (s, "Similarity: LogME %.4f at the top stage (%s). The target's best stage by LogME is %u of "
                             "%u, so it is <b>%s</b> (similar when the top stage suits the target best)",
                          r->similarity, r->stages[top].name, r->best_logme + 1, r->n_stages,
                          r->similar ? "similar" : "different");
  if (r->source_count)
    g_string_append_printf (s, ". The source's own held-out data, for comparison (%u samples): LogME %.4f at the "
                               "top, best stage %u", r->source_count,
                            r->source_similarity, r->source_best_logme + 1);
  g_string_append_printf (s, ". LogME per stage:");
  for (guint k = 0; k < r->n_stages; k++)
    g_string_append_printf (s, " %u: %.4f%s", k + 1, r->stages[k].logme, k + 1 < r->n_stages ? "," : ".");
  g_string_append_printf (s, " The linear probe is best at stage %u (%.1f%%; %.1f%% at the top).\n",
                          r->best_probe + 1, 100 * r->stages[r->best_probe].probe_val_acc,
                          100 * r->stages[top].probe_val_acc);
  g_string_append_printf (s, "Size: %u training samples of %u classes, %.1f a class, against %u parameters a class "
                             "(the top stage's %u features + 1) → <b>%s</b>. A fine-tune of the top stage trains "
                             "%" G_GUINT64_FORMAT " parameters, of every layer %" G_GUINT64_FORMAT ".",
                          r->train_count, r->n_classes, (double) r->train_count / MAX (r->n_classes, 1),
                          r->params_per_class, r->stages[top].width, r->lots ? "a lot" : "little", r->params_few,
                          r->params_many);
  gtk_label_set_markup (self->evidence, s->str);
  for (guint c = 0; c < 4; c++)
    if (c == (guint) ((r->lots ? 2 : 0) + (r->similar ? 1 : 0)))
      gtk_widget_add_css_class (self->cells[c], "current");
    else
      gtk_widget_remove_css_class (self->cells[c], "current");
}

static void
grid_clear (GtkGrid *grid)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))) != NULL)
    gtk_grid_remove (grid, child);
}

static gboolean
grid_is_table (GtkGrid *grid)
{
  return g_object_get_data (G_OBJECT (grid), "table") != NULL;
}

static void
grid_cell (GtkGrid *grid, int col, int row, const char *text, gboolean heading)
{
  GtkWidget *label = gtk_label_new (text);
  /* row names left, numbers right, the 2×2 table's column names centred */
  gtk_label_set_xalign (GTK_LABEL (label), col == 0 ? 0 : heading && row == 0 && col <= 2 && grid_is_table (grid) ? 0.5 : 1);
  gtk_widget_add_css_class (label, heading ? "heading" : "numeric");
  gtk_grid_attach (grid, label, col, row, 1, 1);
}

static char *
percent (double v)
{
  return isnan (v) ? g_strdup ("—") : g_strdup_printf ("%.2f%%", 100 * v);
}

static void
show_results (TsTransferPage *self)
{
  const TsTransferReport *r = ts_transfer_report (self->transfer);
  int winner = ts_transfer_winner (self->transfer), row = 1;
  const char *heads[] = { "Strategy", "Val acc", "Test acc", "Seconds", "State" };

  grid_clear (self->results);
  for (int c = 0; c < 5; c++)
    grid_cell (self->results, c, 0, heads[c], TRUE);
  for (int s = 0; s < TS_N_STRATEGIES; s++)
    {
      const TsStrategyResult *res = &r->results[s];
      g_autofree char *name = NULL, *val = percent (res->val_acc), *test = percent (res->test_acc);
      g_autofree char *secs = isnan (res->seconds) ? g_strdup ("—") : g_strdup_printf ("%.1f", res->seconds);
      if (self->run_dirs[s] == NULL)
        continue;
      name = g_strdup_printf ("%s%s%s", ts_strategy_name (s), s == winner ? " ★" : "",
                              s == (int) r->recommended ? " (recommended)" : "");
      grid_cell (self->results, 0, row, name, FALSE);
      grid_cell (self->results, 1, row, val, FALSE);
      grid_cell (self->results, 2, row, test, FALSE);
      grid_cell (self->results, 3, row, secs, FALSE);
      grid_cell (self->results, 4, row++, res->run ? (res->state ? res->state : "ended") : "queued", FALSE);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->results), row > 1);
  if (winner >= 0)
    {
      g_autofree char *text = g_strdup_printf ("Winner so far: %s (by %s accuracy). The table recommended %s: %s.",
                                               ts_strategy_name (winner), r->test_count ? "test" : "validation",
                                               ts_strategy_name (r->recommended),
                                               ts_transfer_recommendation_right (self->transfer) ? "right" : "wrong");
      gtk_label_set_text (self->winner, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->winner), winner >= 0);
}

static void
draw_light (cairo_t *cr, double width, double height, gpointer data)
{
  TsPlotStyle style = ts_plot_style_default (FALSE);
  draw_stages (cr, width, height, &style, data);
}

/* transfer.json (and the curve at the first write), as the CLI writes them */
static gboolean
write_result (TsTransferPage *self, gboolean plot, GError **error)
{
  g_autoptr(JsonNode) node = ts_transfer_to_json (self->transfer);
  g_autofree char *json = g_build_filename (self->output_dir, "transfer.json", NULL);
  g_autofree char *png = g_build_filename (self->output_dir, "transfer-stages.png", NULL);

  if (!ts_page_make_dir (self->output_dir, error))
    return FALSE;
  return ts_write_json_atomic (json, node, error) && (!plot || ts_plot_save (draw_light, self, 640, 400, 2, png, error));
}

/* ---- the strategies ----------------------------------------------------------------- */

void
ts_transfer_page_poll (TsTransferPage *self)
{
  gboolean changed = FALSE;

  for (int s = 0; self->transfer && s < TS_N_STRATEGIES; s++)
    {
      g_autofree char *path = NULL;
      g_autoptr(JsonNode) summary = NULL;
      if (self->run_dirs[s] == NULL || ts_transfer_report (self->transfer)->results[s].run != NULL)
        continue;
      path = g_build_filename (self->run_dirs[s], "summary.json", NULL);
      /* written last, atomically: once it is there the run has ended */
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || (summary = ts_json_load_file (path, NULL)) == NULL)
        continue;
      ts_transfer_set_result (self->transfer, s, self->run_dirs[s], summary);
      changed = TRUE;
    }
  if (changed)
    {
      g_autoptr(GError) error = NULL;
      if (!write_result (self, FALSE, &error))
        gtk_label_set_text (self->status, error->message);
      show_results (self);
    }
}

static gboolean
on_poll (gpointer data)
{
  ts_transfer_page_poll (data);
  return G_SOURCE_CONTINUE;
}

gboolean
ts_transfer_page_run_strategies (TsTransferPage *self)
{
  g_autoptr(GPtrArray) exps = g_ptr_array_new_with_free_func ((GDestroyNotify) ts_experiment_free);
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  if (self->transfer == NULL || ts_page_job_is_busy (self->job))
    return FALSE;
  for (int s = 0; s < TS_N_STRATEGIES; s++)
    {
      TsExperiment *exp = ts_transfer_strategy_experiment (self->transfer, s, &error);
      if (exp == NULL)
        {
          gtk_label_set_text (self->status, error->message);
          g_free (self->error);
          self->error = g_strdup (error->message);
          return FALSE;
        }
      g_ptr_array_add (exps, exp);
      g_ptr_array_add (dirs, g_build_filename (self->output_dir, ts_strategy_name (s), NULL));
    }
  for (int s = 0; s < TS_N_STRATEGIES; s++)
    {
      g_free (self->run_dirs[s]);
      self->run_dirs[s] = g_strdup (dirs->pdata[s]);
    }
  g_ptr_array_add (dirs, NULL);
  g_signal_emit (self, signals[TRAIN_STRATEGIES], 0, exps, dirs->pdata);
  gtk_widget_set_sensitive (self->strategies_button, FALSE);
  if (self->poll_id == 0)
    self->poll_id = g_timeout_add_seconds (1, on_poll, self);
  show_results (self);
  return TRUE;
}

/* ---- the measurement, in a worker ------------------------------------------------- */

typedef struct {
  char           *model, *source;
  GStrv           overrides;
} Job;

static void
job_free (Job *job)
{
  g_free (job->model);
  g_free (job->source);
  g_strfreev (job->overrides);
  g_free (job);
}

static void
on_progress (double fraction, const char *what, gpointer data)
{
  ts_page_job_report (data, fraction, what);
}

static gpointer
measure (TsPageJob *page_job, gpointer data, GCancellable *cancellable, GError **error)
{
  Job *job = data;
  TsTransfer *t = ts_transfer_new (job->model, error);

  if (t == NULL || !ts_transfer_set_target (t, job->source, job->overrides, error)
      || !ts_transfer_analyse (t, &(TsTransferOptions) { cancellable, on_progress, page_job }, error))
    {
      ts_transfer_free (t);
      return NULL;
    }
  return t;
}

/* the step under way, as the worker names it */
static void
on_tick (gpointer owner, double fraction, const char *what)
{
  TsTransferPage *self = owner;

  if (what)
    {
      g_autofree char *text = g_strdup_printf ("%s…", what);
      gtk_label_set_text (self->status, text);
    }
}

static void
on_measured (gpointer owner, gpointer result, const GError *error)
{
  TsTransferPage *self = owner;
  TsTransfer *t = result;
  g_autoptr(GError) write_error = NULL;

  g_clear_pointer (&self->error, g_free);
  if (t == NULL)
    {
      self->error = g_strdup (error->message);
      gtk_label_set_text (self->status, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? "Cancelled."
                                                                                              : error->message);
    }
  else
    {
      const TsTransferReport *r = ts_transfer_report (t);
      g_autofree char *text = NULL;
      g_clear_pointer (&self->transfer, ts_transfer_free);
      self->transfer = t;
      for (int s = 0; s < TS_N_STRATEGIES; s++)
        g_clear_pointer (&self->run_dirs[s], g_free);
      g_free (self->output_dir);
      self->output_dir = ts_page_output_dir ("transfers", r->source);
      g_free (self->caption);
      self->caption = g_strdup_printf ("%s · %u training samples", r->source, r->train_count);
      if (!write_result (self, TRUE, &write_error))
        self->error = g_strdup (write_error->message);
      text = g_strdup_printf ("Measured in %.1f s: cell %s — %s. Written to %s", r->seconds, ts_transfer_cell (r),
                              ts_transfer_recommendation_text (r), self->output_dir);
      gtk_label_set_text (self->status, self->error ? self->error : text);
      show_evidence (self);
      show_results (self);
      gtk_widget_set_visible (self->figure, TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->evidence), TRUE);
      gtk_widget_set_visible (self->table, TRUE);
      gtk_widget_set_visible (self->strategies_button, TRUE);
      gtk_widget_set_sensitive (self->strategies_button, TRUE);
      gtk_widget_queue_draw (self->figure);
    }
  g_signal_emit (self, signals[FINISHED], 0);
}

static GStrv
split_overrides (const char *text)
{
  g_auto (GStrv) parts = g_strsplit_set (text, ";\n", -1);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (int i = 0; parts[i]; i++)
    if (*g_strstrip (parts[i]))
      g_strv_builder_add (b, parts[i]);
  return g_strv_builder_end (b);
}

gboolean
ts_transfer_page_start (TsTransferPage *self)
{
  const char *model = ts_transfer_page_get_model (self);
  const char *source = gtk_editable_get_text (GTK_EDITABLE (self->source_row));
  Job *job;

  if (ts_page_job_is_busy (self->job))
    return FALSE;
  if (model == NULL || *source == '\0')
    {
      gtk_label_set_text (self->status, model ? "Name the target's data source." : "Choose a pre-trained model.");
      return FALSE;
    }
  job = g_new0 (Job, 1);
  job->model = g_strdup (model);
  job->source = g_strdup (source);
  job->overrides = split_overrides (gtk_editable_get_text (GTK_EDITABLE (self->set_row)));
  ts_page_job_start (self->job, measure, job, (GDestroyNotify) job_free, (GDestroyNotify) ts_transfer_free);
  gtk_label_set_text (self->status, "Loading the target…");
  return TRUE;
}

void ts_transfer_page_cancel (TsTransferPage *self) { ts_page_job_cancel (self->job); }
gboolean ts_transfer_page_is_busy (TsTransferPage *self) { return ts_page_job_is_busy (self->job); }
TsTransfer *ts_transfer_page_get_transfer (TsTransferPage *self) { return self->transfer; }
const char *ts_transfer_page_get_output_dir (TsTransferPage *self) { return self->output_dir; }
const char *ts_transfer_page_get_error (TsTransferPage *self) { return self->error; }

const TsTransferReport *
ts_transfer_page_get_report (TsTransferPage *self)
{
  return self->transfer ? ts_transfer_report (self->transfer) : NULL;
}

/* ---- GObject -------------------------------------------------------------------- */

static void
ts_transfer_page_dispose (GObject *object)
{
  TsTransferPage *self = TS_TRANSFER_PAGE (object);

  g_clear_pointer (&self->job, ts_page_job_abandon); /* the measurement's end is dropped */
  if (self->poll_id)
    g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->runs);
  G_OBJECT_CLASS (ts_transfer_page_parent_class)->dispose (object);
}

static void
ts_transfer_page_finalize (GObject *object)
{
  TsTransferPage *self = TS_TRANSFER_PAGE (object);

  g_clear_pointer (&self->transfer, ts_transfer_free);
  for (int s = 0; s < TS_N_STRATEGIES; s++)
    g_free (self->run_dirs[s]);
  g_free (self->output_dir);
  g_free (self->error);
  g_free (self->caption);
  g_ptr_array_unref (self->model_paths);
  G_OBJECT_CLASS (ts_transfer_page_parent_class)->finalize (object);
}

static void
ts_transfer_page_class_init (TsTransferPageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ts_transfer_page_dispose;
  G_OBJECT_CLASS (klass)->finalize = ts_transfer_page_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
  /* a measurement ended: with a result, an error or cancelled */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 0);
  /* (GPtrArray *experiments of TsExperiment, char **run_dirs): train each
   * experiment into its folder, as runs */
  signals[TRAIN_STRATEGIES] = g_signal_new ("train-strategies", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                            NULL, NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_POINTER);
}

/* the tips' 2×2 table: rows little / a lot of data, columns similar / different */
static GtkWidget *
build_table (TsTransferPage *self)
{
  GtkWidget *grid = gtk_grid_new ();
  static const char *const text[4] = {
    "Linear classifiers from different stages\n(linear-stages)",
    "A linear classifier on the top layer\n(linear-top)",
    "Fine-tune a large number of layers\n(finetune-many)",
    "Fine-tune a few layers\n(finetune-few)",
  };

  g_object_set_data (G_OBJECT (grid), "table", GINT_TO_POINTER (1));
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 6);
  grid_cell (GTK_GRID (grid), 1, 0, "Similar data set", TRUE);
  grid_cell (GTK_GRID (grid), 2, 0, "Different data set", TRUE);
  grid_cell (GTK_GRID (grid), 0, 1, "Very little data", TRUE);
  grid_cell (GTK_GRID (grid), 0, 2, "A lot of data", TRUE);
  for (guint c = 0; c < 4; c++)
    {
      GtkWidget *label = gtk_label_new (text[c]);
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_widget_add_css_class (label, "transfer-cell");
      self->cells[c] = label;
      /* c: bit 1 = a lot, bit 0 = similar */
      gtk_grid_attach (GTK_GRID (grid), label, c & 1 ? 1 : 2, c & 2 ? 2 : 1, 1, 1);
    }
  return grid;
}

static void
build (TsTransferPage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *buttons = ts_page_job_build_row (self->job, "_Analyse", G_CALLBACK (ts_transfer_page_start));
  GtkWidget *file = gtk_button_new_with_mnemonic ("Choose _File…");
  GtkWidget *refresh = gtk_button_new_from_icon_name ("view-refresh-symbolic");
  GtkWidget *suffix = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), "Transfer Lab");
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         "What a trained model offers new data: how well a linear classifier reads "
                                         "each stage's features, how similar the data are (LogME), whether there is "
                                         "little or a lot of it — and which way of reusing the model wins.");
  gtk_widget_set_tooltip_text (refresh, "Refresh the list of runs");
  g_signal_connect_swapped (refresh, "clicked", G_CALLBACK (ts_transfer_page_refresh), self);
  g_signal_connect_swapped (file, "clicked", G_CALLBACK (choose_file), self);
  gtk_box_append (GTK_BOX (suffix), file);
  gtk_box_append (GTK_BOX (suffix), refresh);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), suffix);
  self->model_names = gtk_string_list_new (NULL);
  self->model_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->model_row), "Pre-trained model");
  adw_combo_row_set_model (self->model_row, G_LIST_MODEL (self->model_names));
  g_object_unref (self->model_names); /* the row keeps it */
  self->source_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->source_row), "Target data source");
  gtk_editable_set_text (GTK_EDITABLE (self->source_row), "fashion-mnist");
  self->set_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->set_row),
                                 "Target settings (KEY=VALUE; …, e.g. data.class_subset=5,6,7,8,9; data.limit=125)");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->model_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->source_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->set_row));


  self->status = GTK_LABEL (ts_page_wrapping_label ("Choose a trained model and the target's data, then Analyse: "
                                                    "every stage's features are extracted once and probed by a "
                                                    "softmax classifier."));
  self->figure = ts_figure_new ("transfer-stages", draw_stages, stages_csv, self);
  gtk_widget_set_size_request (self->figure, -1, 320);
  gtk_widget_set_visible (self->figure, FALSE);
  self->evidence = GTK_LABEL (ts_page_wrapping_label (""));
  gtk_widget_set_visible (GTK_WIDGET (self->evidence), FALSE);
  self->table = build_table (self);
  gtk_widget_set_visible (self->table, FALSE);
  self->strategies_button = gtk_button_new_with_mnemonic ("_Run Strategies");
  gtk_widget_set_tooltip_text (self->strategies_button, "Train linear-top, linear-stages, finetune-few, "
                                                        "finetune-many and scratch as runs, one after another");
  gtk_widget_set_halign (self->strategies_button, GTK_ALIGN_START);
  gtk_widget_set_visible (self->strategies_button, FALSE);
  g_signal_connect_swapped (self->strategies_button, "clicked", G_CALLBACK (ts_transfer_page_run_strategies), self);
  self->results = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_column_spacing (self->results, 18);
  gtk_grid_set_row_spacing (self->results, 4);
  gtk_widget_set_visible (GTK_WIDGET (self->results), FALSE);
  self->winner = GTK_LABEL (ts_page_wrapping_label (""));
  gtk_widget_set_visible (GTK_WIDGET (self->winner), FALSE);

  gtk_box_append (GTK_BOX (box), group);
  gtk_box_append (GTK_BOX (box), buttons);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status));
  gtk_box_append (GTK_BOX (box), self->figure);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->evidence));
  gtk_box_append (GTK_BOX (box), self->table);
  gtk_box_append (GTK_BOX (box), self->strategies_button);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->results));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->winner));
  self->scroller = ts_page_frame (GTK_WIDGET (self), box);
}

static void
ts_transfer_page_init (TsTransferPage *self)
{
  self->model_paths = g_ptr_array_new_with_free_func (g_free);
  self->job = ts_page_job_new (self, on_tick, on_measured);
  build (self);
  /* shown again: runs may have finished meanwhile */
  g_signal_connect (self, "map", G_CALLBACK (ts_transfer_page_refresh), NULL);
}

GtkWidget *
ts_transfer_page_new (GListModel *runs)
{
  TsTransferPage *self = g_object_new (TS_TYPE_TRANSFER_PAGE, NULL);

  self->runs = g_object_ref (runs);
  ts_transfer_page_refresh (self);
  return GTK_WIDGET (self);
}
