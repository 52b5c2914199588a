#include "ts-run.h"
#include "ts-seed-group.h"

#include <math.h>
#include <string.h>

struct _TsRun {
  GObject       parent_instance;

  TsExperiment *experiment;
  TsExperiment *fork_parent; /* a fork's parent, while its name follows the changes */
  TsTrainer    *trainer;     /* NULL before start and for runs read from disk */
  TsCurveData  *curves;
  char         *run_dir;
  char         *message;
  GPtrArray    *advice;
  gint64        advised_at; /* µs */
  gsize         stats_len;   /* stats records read at the last poll */
  TsMetricLog  *saved_stats; /* a run from disk: its layers.csv */
  TsModel      *model;       /* the latest parameters, for the views that predict */
  guint64       model_step;  /* of the parameters in model */
  gboolean      model_tried; /* a run from disk: model.safetensors was read (or missing) */
  TsProgress    final_progress; /* a finished run's last progress, kept when its trainer goes */
  gboolean      has_final_progress;
  guint         colour;
  TsRunState    state;
  gboolean      queued;
  gboolean      overlay;
  double        best_val_acc;
  double        saved_sps;   /* a run from disk: its summary's samples/s */
  char         *status;      /* ts_run_status_text as last notified */
  /* the loss's EMA as of ema_len steps, at weight ema_weight (see ts_plot_smooth) */
  double        ema_weight, ema, ema_norm;
  guint         ema_len;
  GObject      *seed_group;  /* a seed group's entry: its group (owned) */
  GObject      *member_of;   /* a seed group's member: its group (weak) */
};

G_DEFINE_FINAL_TYPE (TsRun, ts_run, G_TYPE_OBJECT)

static void notify_status (TsRun *self);

enum { PROP_0, PROP_NAME, PROP_EXPERIMENT, PROP_STATE, PROP_STATUS, PROP_OVERLAY, PROP_BEST_VAL_ACC, N_PROPS };
enum { CHANGED, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
ts_run_finalize (GObject *object)
{
  TsRun *self = TS_RUN (object);

  g_clear_pointer (&self->trainer, ts_trainer_unref);
  g_clear_pointer (&self->experiment, ts_experiment_free);
  g_clear_pointer (&self->fork_parent, ts_experiment_free);
  g_clear_pointer (&self->curves, ts_curve_data_free);
  g_free (self->run_dir);
  g_free (self->message);
  g_free (self->status);
  g_clear_pointer (&self->advice, g_ptr_array_unref);
  g_clear_pointer (&self->model, ts_model_free);
  g_clear_pointer (&self->saved_stats, ts_metric_log_free);
  g_clear_object (&self->seed_group);
  if (self->member_of)
    g_object_remove_weak_pointer (self->member_of, (gpointer *) &self->member_of);
  G_OBJECT_CLASS (ts_run_parent_class)->finalize (object);
}

static void
ts_run_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TsRun *self = TS_RUN (object);

  switch (prop_id)
    {
    case PROP_NAME: g_value_set_string (value, ts_run_get_name (self)); break;
    case PROP_EXPERIMENT: g_value_set_pointer (value, self->experiment); break;
    case PROP_STATE: g_value_set_int (value, self->state); break;
    case PROP_STATUS: g_value_take_string (value, ts_run_status_text (self)); break;
    case PROP_OVERLAY: g_value_set_boolean (value, self->overlay); break;
    case PROP_BEST_VAL_ACC: g_value_set_double (value, self->best_val_acc); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_run_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TsRun *self = TS_RUN (object);

  switch (prop_id)
    {
    case PROP_OVERLAY: ts_run_set_overlay (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_run_class_init (TsRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ts_run_finalize;
  object_class->get_property = ts_run_get_property;
  object_class->set_property = ts_run_set_property;
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* notified when an unstarted run's experiment is replaced (edited) */
  properties[PROP_EXPERIMENT] = g_param_spec_pointer ("experiment", NULL, NULL,
                                                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, 0, TS_RUN_FAILED, TS_RUN_READY,
                                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* ts_run_status_text changed: every place showing it updates at once */
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OVERLAY] = g_param_spec_boolean ("overlay", NULL, NULL, TRUE,
                                                   G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BEST_VAL_ACC] = g_param_spec_double ("best-val-acc", NULL, NULL, 0, 1, 0,
                                                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
ts_run_init (TsRun *self)
{
  self->curves = ts_curve_data_new ();
  self->advice = g_ptr_array_new_with_free_func ((GDestroyNotify) ts_advice_free);
  self->overlay = TRUE;
  self->state = TS_RUN_READY;
}

TsRun *
ts_run_new (const TsExperiment *exp, guint colour)
{
  TsRun *self = g_object_new (TS_TYPE_RUN, NULL);
  self->experiment = ts_experiment_copy (exp);
  self->colour = colour;
  return self;
}

/* The end state summary.json records; a run without one was still being
 * written (or was killed) and shows as stopped; a summary that does not
 * read shows as failed, saying why. */
static TsRunState
state_from_summary (TsRun *self, const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  g_autoptr(GError) error = NULL;
  TsRunSummary summary;
  TsRunState state = TS_RUN_DONE;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TS_RUN_STOPPED;
  if (!ts_run_dir_load_summary (dir, &summary, &error))
    {
      g_free (self->message);
      self->message = g_strdup (error->message);
      return TS_RUN_FAILED;
    }
  if (strcmp (summary.state, "interrupted") == 0)
    state = TS_RUN_STOPPED;
  self->saved_sps = isfinite (summary.samples_per_second) ? summary.samples_per_second : 0;
  for (int s = TS_RUN_DONE; s <= TS_RUN_FAILED; s++)
    if (strcmp (summary.state, ts_run_state_name (s)) == 0)
      state = s;
  if (summary.error)
    {
      g_free (self->message);
      self->message = g_strdup (summary.error);
    }
  ts_run_summary_clear (&summary);
  return state;
}

static void
update_best (TsRun *self)
{
  const GArray *val = self->curves->val_acc;
  double best = self->best_val_acc;

  for (guint i = 0; i < val->len; i++)
    if (isfinite (g_array_index (val, double, i)))
      best = MAX (best, g_array_index (val, double, i));
  if (best != self->best_val_acc)
    {
      self->best_val_acc = best;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BEST_VAL_ACC]);
    }
}

/* layers.csv, when the run has one (runs written before it existed do not) */
static void
load_saved_stats (TsRun *self)
{
  g_autofree char *path = g_build_filename (self->run_dir, "layers.csv", NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  self->saved_stats = ts_run_dir_load_stats (self->run_dir, &error);
  if (self->saved_stats == NULL)
    g_warning ("%s", error->message);
  else
    self->stats_len = ts_metric_log_length (self->saved_stats);
}

TsRun *
ts_run_new_from_dir (const char *dir, guint colour, GError **error)
{
  g_autofree char *exp_path = g_build_filename (dir, "experiment.json", NULL);
  g_autoptr(TsExperiment) exp = ts_experiment_load_file (exp_path, error);
  g_autoptr(TsCurveData) curves = NULL;
  TsRun *self;

  if (exp == NULL)
    {
      /* the experiment's errors name the key; say which file */
      if (error && *error && strstr ((*error)->message, exp_path) == NULL)
        g_prefix_error (error, "%s: ", exp_path);
      return NULL;
    }
  if ((curves = ts_curve_data_load (dir, error)) == NULL)
    return NULL;
  self = ts_run_new (exp, colour);
  ts_curve_data_free (self->curves);
  self->curves = g_steal_pointer (&curves);
  self->run_dir = g_strdup (dir);
  self->state = state_from_summary (self, dir);
  load_saved_stats (self);
  update_best (self);
  {
    g_autofree char *advice_path = g_build_filename (dir, "advice.json", NULL);
    GPtrArray *advice = ts_advice_load (advice_path, NULL);
    if (advice)
      {
        g_ptr_array_unref (self->advice);
        self->advice = advice;
      }
  }
  return self;
}

const char *ts_run_get_name (TsRun *self) { return self->experiment->name; }
guint ts_run_get_colour (TsRun *self) { return self->colour; }
const TsExperiment *ts_run_get_experiment (TsRun *self) { return self->experiment; }
const char *ts_run_get_run_dir (TsRun *self) { return self->run_dir; }
const TsExperiment *ts_run_get_fork_parent (TsRun *self) { return self->fork_parent; }

void
ts_run_set_fork_parent (TsRun *self, const TsExperiment *parent)
{
  g_clear_pointer (&self->fork_parent, ts_experiment_free);
  self->fork_parent = parent ? ts_experiment_copy (parent) : NULL;
}
TsRunState ts_run_get_state (TsRun *self) { return self->state; }
gboolean ts_run_is_queued (TsRun *self) { return self->queued; }
gboolean ts_run_get_overlay (TsRun *self) { return self->overlay; }
double ts_run_get_best_val_acc (TsRun *self) { return self->best_val_acc; }
const TsCurveData *ts_run_get_curves (TsRun *self) { return self->curves; }
const char *ts_run_get_message (TsRun *self) { return self->message; }
GPtrArray *ts_run_get_advice (TsRun *self) { return self->advice; }

const TsMetricLog *
ts_run_get_stats (TsRun *self, gsize *n)
{
  TsMetricLog *log = self->trainer ? ts_trainer_get_stats (self->trainer) : self->saved_stats;

  *n = log ? self->stats_len : 0;
  return log;
}

/* a run from disk predicts with its saved model, if it has one */
static void
load_saved_model (TsRun *self)
{
  g_autofree char *path = NULL;

  self->model_tried = TRUE;
  if (self->run_dir == NULL)
    return;
  path = g_build_filename (self->run_dir, "model.safetensors", NULL);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GError) error = NULL;
      self->model = ts_model_load (path, &error);
      if (error)
        g_warning ("%s", error->message);
      self->model_step = self->curves->step->len;
    }
}

gboolean
ts_run_holds_trainer (TsRun *self)
{
  return self->trainer != NULL;
}

guint64
ts_run_get_params_step (TsRun *self)
{
  TsSnapshot *snap = self->trainer ? ts_trainer_get_snapshot (self->trainer) : NULL;
  g_autofree char *path = NULL;

  if (self->trainer)
    return snap ? MAX (ts_snapshot_get_step (snap), 1) : 0;
  if (self->model)
    return MAX (self->model_step, 1);
  path = ts_run_dup_model_path (self);
  return path ? MAX (self->curves->step->len, 1) : 0;
}

TsModel *
ts_run_dup_model (TsRun *self, guint64 *step)
{
  TsSnapshot *snap = self->trainer ? ts_trainer_get_snapshot (self->trainer) : NULL;

  if (snap == NULL)
    return NULL;
  return ts_trainer_dup_model (self->trainer, step);
}

char *
ts_run_dup_model_path (TsRun *self)
{
  g_autofree char *path = NULL;

  if (self->trainer || self->run_dir == NULL)
    return NULL;
  path = g_build_filename (self->run_dir, "model.safetensors", NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS) ? g_steal_pointer (&path) : NULL;
}

TsModel *
ts_run_get_model (TsRun *self, guint64 *step)
{
  TsSnapshot *snap = self->trainer ? ts_trainer_get_snapshot (self->trainer) : NULL;

  if (self->trainer == NULL && !self->model_tried)
    load_saved_model (self);
  else if (snap && self->model == NULL)
    self->model = ts_trainer_dup_model (self->trainer, &self->model_step);
  else if (snap && ts_snapshot_get_step (snap) != self->model_step)
    self->model_step = ts_snapshot_read (snap, ts_net_state (self->model->net));
  *step = self->model_step;
  return self->model;
}

guint
ts_run_count_warnings (TsRun *self)
{
  guint n = 0;
  for (guint i = 0; i < self->advice->len; i++)
    n += ((TsAdvice *) self->advice->pdata[i])->severity > TS_SEVERITY_INFO;
  return n;
}

static char *
advice_codes (GPtrArray *advice)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < advice->len; i++)
    g_string_append_printf (s, "%s ", ((TsAdvice *) advice->pdata[i])->code);
  return g_string_free (s, FALSE);
}

/* The advisor runs live, once a second, and once more at the end. */
static gboolean
update_advice (TsRun *self, gboolean final)
{
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GPtrArray) next = NULL;
  g_autofree char *before = NULL, *after = NULL;

  if (!final && now - self->advised_at < G_USEC_PER_SEC)
    return FALSE;
  self->advised_at = now;
  next = ts_trainer_diagnose (self->trainer);
  before = advice_codes (self->advice);
  after = advice_codes (next);
  g_ptr_array_unref (self->advice);
  self->advice = g_steal_pointer (&next);
  return g_strcmp0 (before, after) != 0;
}

void
ts_run_set_experiment (TsRun *self, const TsExperiment *exp)
{
  g_return_if_fail (self->trainer == NULL);
  ts_experiment_free (self->experiment);
  self->experiment = ts_experiment_copy (exp);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPERIMENT]);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
ts_run_set_overlay (TsRun *self, gboolean overlay)
{
  if (self->overlay == overlay)
    return;
  self->overlay = overlay;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERLAY]);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
ts_run_get_progress (TsRun *self, TsProgress *out)
{
  if (self->seed_group)
    ts_seed_group_get_progress (TS_SEED_GROUP (self->seed_group), out);
  else if (self->trainer)
    ts_trainer_get_progress (self->trainer, out);
  else if (self->has_final_progress)
    *out = self->final_progress;
  else
    {
      /* a run from disk (or not started): what its files say */
      const GArray *steps = self->curves->step, *loss = self->curves->loss, *lr = self->curves->lr;
      *out = (TsProgress) { .state = self->state, .epochs = self->experiment->train.epochs,
                            .epoch = self->curves->epoch->len, .eta = -1, .loss = NAN,
                            .lr = lr->len ? g_array_index (lr, double, lr->len - 1) : NAN,
                            .base_lr = self->experiment->train.lr,
                            .best_val_acc = self->best_val_acc, .samples_per_second = self->saved_sps };
      if (steps->len > 0)
        {
          out->step = (guint64) g_array_index (steps, double, steps->len - 1);
          out->loss = g_array_index (loss, double, loss->len - 1);
        }
    }
}

double
ts_run_get_smoothed_loss (TsRun *self, double weight)
{
  const GArray *loss = self->curves->loss;

  if (weight != self->ema_weight || loss->len < self->ema_len)
    self->ema_weight = weight, self->ema = self->ema_norm = 0, self->ema_len = 0;
  /* only the steps since the last call: the same sums as ts_plot_smooth */
  for (; self->ema_len < loss->len; self->ema_len++)
    {
      double y = g_array_index (loss, double, self->ema_len);
      if (isfinite (y))
        {
          self->ema = weight * self->ema + (1 - weight) * y;
          self->ema_norm = weight * self->ema_norm + (1 - weight);
        }
    }
  return self->ema_norm > 0 ? self->ema / self->ema_norm : NAN;
}

char *
ts_run_new_dir_name (const TsExperiment *exp)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  GString *slug = g_string_new (NULL);

  for (const char *p = exp->name; *p && slug->len < 40; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_isalnum (c))
        g_string_append_unichar (slug, g_unichar_tolower (c));
      else if (slug->len > 0 && slug->str[slug->len - 1] != '-')
        g_string_append_c (slug, '-');
    }
  g_autofree char *text = g_string_free (slug, FALSE);
  return g_strdup_printf ("%s-%s-%d", stamp, text, g_random_int_range (1000, 9999));
}

void
ts_run_start (TsRun *self, const char *runs_root)
{
  g_autofree char *name = NULL;

  g_return_if_fail (self->trainer == NULL);
  if (self->run_dir == NULL) /* else set by ts_run_set_run_dir */
    {
      name = ts_run_new_dir_name (self->experiment);
      self->run_dir = g_build_filename (runs_root, name, NULL);
    }
  self->trainer = ts_trainer_new (self->experiment, self->run_dir);
  self->queued = FALSE;
  ts_trainer_start (self->trainer);
  ts_run_poll (self);
}

void
ts_run_enqueue (TsRun *self)
{
  g_return_if_fail (self->seed_group == NULL); /* its seeds are queued, never the entry */
  self->queued = TRUE;
  g_signal_emit (self, signals[CHANGED], 0);
  notify_status (self);
}

/* an entry's commands go to each of its group's members */
static gboolean
to_members (TsRun *self, void (*command) (TsRun *))
{
  GPtrArray *members;

  if (self->seed_group == NULL)
    return FALSE;
  members = ts_seed_group_get_members (TS_SEED_GROUP (self->seed_group));
  for (guint i = 0; i < members->len; i++)
    command (members->pdata[i]);
  return TRUE;
}

void ts_run_pause (TsRun *self) { if (!to_members (self, ts_run_pause) && self->trainer) ts_trainer_pause (self->trainer); }
void ts_run_resume (TsRun *self) { if (!to_members (self, ts_run_resume) && self->trainer) ts_trainer_resume (self->trainer); }
void ts_run_step (TsRun *self) { if (!to_members (self, ts_run_step) && self->trainer) ts_trainer_step (self->trainer); }

void
ts_run_divide_lr (TsRun *self, double factor)
{
  if (self->trainer && !ts_run_state_is_final (ts_trainer_get_state (self->trainer)))
    ts_trainer_divide_lr (self->trainer, factor);
}

gboolean
ts_run_set_lr_finder (TsRun *self, const TsLrFinderResult *result)
{
  if (self->trainer == NULL)
    return FALSE; /* read from disk: its advice.json stays as written */
  ts_trainer_set_lr_finder (self->trainer, result);
  if (ts_trainer_get_steps (self->trainer) && update_advice (self, TRUE))
    g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

void
ts_run_stop (TsRun *self)
{
  if (to_members (self, ts_run_stop))
    return;
  if (self->trainer)
    ts_trainer_stop (self->trainer);
  else if (self->queued)
    {
      self->queued = FALSE;
      self->state = TS_RUN_STOPPED;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      notify_status (self);
    }
}

/* loading shares and epochs change the status without new curves */
static void
notify_status (TsRun *self)
{
  g_autofree char *status = ts_run_status_text (self);

  if (g_strcmp0 (status, self->status) == 0)
    return;
  g_free (self->status);
  self->status = g_steal_pointer (&status);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

/* A finished run keeps what the views show — its curves, advice, layer
 * statistics and the model they predict with — and lets the trainer go with
 * its data splits, net, optimizer and step logs: that was most of its memory
 * (~200 MB for Fashion-MNIST). */
static void
release_trainer (TsRun *self)
{
  TsSnapshot *snap;

  if (self->run_dir == NULL)
    return; /* its model could not be read back */
  ts_trainer_get_progress (self->trainer, &self->final_progress);
  self->has_final_progress = TRUE;
  ts_trainer_wait (self->trainer); /* its thread has closed its files */
  snap = ts_trainer_get_snapshot (self->trainer);
  if (self->model && snap && ts_snapshot_get_step (snap) != self->model_step)
    self->model_step = ts_snapshot_read (snap, ts_net_state (self->model->net));
  self->saved_stats = ts_trainer_steal_stats (self->trainer);
  self->stats_len = self->saved_stats ? ts_metric_log_length (self->saved_stats) : 0;
  g_clear_pointer (&self->trainer, ts_trainer_unref);
  self->model_tried = self->model != NULL;
}

gboolean
ts_run_poll (TsRun *self)
{
  TsRunState state;
  gboolean changed;

  if (self->seed_group)
    return ts_seed_group_poll (TS_SEED_GROUP (self->seed_group));
  if (self->trainer == NULL)
    return FALSE;
  if (ts_run_state_is_final (self->state))
    {
      /* a poll after the one that saw it end: its thread has long exited,
       * so the join in the release does not hold up the frame that shows
       * the end (Stop answers within 100 ms) */
      release_trainer (self);
      return FALSE;
    }
  state = ts_trainer_get_state (self->trainer);
  changed = ts_curve_data_update (self->curves, ts_trainer_get_steps (self->trainer),
                                  ts_trainer_get_epochs (self->trainer));
  if (changed)
    update_best (self);
  {
    TsMetricLog *stats = ts_trainer_get_stats (self->trainer);
    gsize n = stats ? ts_metric_log_length (stats) : 0;
    changed |= n != self->stats_len;
    self->stats_len = n;
  }
  if (changed || state != self->state)
    changed |= update_advice (self, state != self->state);
  if (state != self->state)
    {
      self->state = state;
      if (state == TS_RUN_FAILED)
        {
          g_autoptr(GError) error = ts_trainer_dup_error (self->trainer);
          g_free (self->message);
          self->message = g_strdup (error ? error->message : "the run failed");
        }
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      changed = TRUE;
    }
  if (changed)
    g_signal_emit (self, signals[CHANGED], 0);
  notify_status (self);
  return changed;
}

/* ---- seed groups ---------------------------------------------------------- */

void
ts_run_set_run_dir (TsRun *self, const char *dir)
{
  g_return_if_fail (self->trainer == NULL);
  g_free (self->run_dir);
  self->run_dir = g_strdup (dir);
}

TsRun *
ts_run_new_group_entry (const TsExperiment *exp, guint colour, const char *dir, GObject *group)
{
  TsRun *self = ts_run_new (exp, colour);

  self->run_dir = g_strdup (dir);
  self->seed_group = g_object_ref (group);
  return self;
}

GObject *ts_run_get_seed_group (TsRun *self) { return self->seed_group; }
GObject *ts_run_get_member_of (TsRun *self) { return self->member_of; }

void
ts_run_set_member_of (TsRun *self, GObject *group)
{
  if (self->member_of)
    g_object_remove_weak_pointer (self->member_of, (gpointer *) &self->member_of);
  self->member_of = group;
  if (group)
    g_object_add_weak_pointer (group, (gpointer *) &self->member_of);
}

TsCurveData *
ts_run_entry_curves (TsRun *self)
{
  g_return_val_if_fail (self->seed_group != NULL, NULL);
  return self->curves;
}

void
ts_run_entry_update (TsRun *self, TsRunState state, gboolean curves_changed)
{
  g_return_if_fail (self->seed_group != NULL);
  if (curves_changed)
    {
      /* the mean may fall as members arrive: the best is of the curve now */
      self->best_val_acc = 0;
      update_best (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BEST_VAL_ACC]);
    }
  if (state != self->state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (curves_changed)
    g_signal_emit (self, signals[CHANGED], 0);
  notify_status (self);
}
