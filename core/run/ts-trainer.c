#include "ts-json.h"
#include "ts-trainer.h"
#include "ts-advisor.h"
#include "ts-blas.h"
#include "ts-checkpoints.h"
#include "ts-io.h"
#include "ts-model.h"
#include "ts-error.h"
#include "ts-rundir.h"

#include <math.h>
#include <pthread.h>

struct _TsTrainer {
  gint          ref_count;
  TsExperiment *exp;
  char         *run_dir;
  GThread      *thread;
  GCancellable *cancellable; /* stops the loading */
  TsTraining   *training;  /* published once loaded; owned until the trainer dies */
  TsRunWriter  *writer;    /* the run folder, locked until the trainer dies */
  gint          stop;      /* atomic */
  gint          state;     /* atomic TsRunState */

  /* pthread rather than GMutex: GLib's futex mutex is invisible to TSan */
  pthread_mutex_t lock;    /* guards what follows */
  pthread_cond_t  wake;
  gboolean      paused;
  guint         step_budget;
  double        pending_lr; /* NaN: none */
  TsProgress    progress;
  GError       *error;
  JsonNode     *summary;
  TsLrFinderResult *finder; /* a range test of this experiment, for the advice; or NULL */
};

static const char *const state_names[] = {
  "ready", "loading", "running", "paused", "done", "stopped", "diverged", "failed",
};

const char *
ts_run_state_name (TsRunState state)
{
  return state_names[state];
}

gboolean
ts_run_state_is_final (TsRunState state)
{
  return state >= TS_RUN_DONE;
}

TsTrainer *
ts_trainer_new (const TsExperiment *exp, const char *run_dir)
{
  TsTrainer *tr = g_new0 (TsTrainer, 1);

  tr->ref_count = 1;
  tr->exp = ts_experiment_copy (exp);
  tr->run_dir = g_strdup (run_dir);
  tr->pending_lr = NAN;
  tr->cancellable = g_cancellable_new ();
  tr->progress.epochs = exp->train.epochs;
  tr->progress.base_lr = tr->progress.lr = exp->train.lr;
  tr->progress.eta = -1;
  pthread_mutex_init (&tr->lock, NULL);
  pthread_cond_init (&tr->wake, NULL);
  return tr;
}

void
ts_trainer_unref (TsTrainer *tr)
{
  if (tr == NULL || !g_atomic_int_dec_and_test (&tr->ref_count))
    return;
  if (tr->thread)
    {
      ts_trainer_stop (tr);
      g_thread_join (tr->thread);
    }
  ts_training_free (tr->training);
  ts_run_writer_free (tr->writer);
  g_object_unref (tr->cancellable);
  ts_experiment_free (tr->exp);
  g_free (tr->run_dir);
  g_clear_error (&tr->error);
  g_clear_pointer (&tr->summary, json_node_unref);
  ts_lr_finder_result_free (tr->finder);
  pthread_mutex_destroy (&tr->lock);
  pthread_cond_destroy (&tr->wake);
  g_free (tr);
}

static void
set_state (TsTrainer *tr, TsRunState state)
{
  g_atomic_int_set (&tr->state, state);
  pthread_mutex_lock (&tr->lock);
  tr->progress.state = state;
  pthread_mutex_unlock (&tr->lock);
}

/* ---- commands ----------------------------------------------------------- */

void
ts_trainer_pause (TsTrainer *tr)
{
  pthread_mutex_lock (&tr->lock);
  tr->paused = TRUE;
  pthread_mutex_unlock (&tr->lock);
}

void
ts_trainer_resume (TsTrainer *tr)
{
  pthread_mutex_lock (&tr->lock);
  tr->paused = FALSE;
  pthread_cond_broadcast (&tr->wake);
  pthread_mutex_unlock (&tr->lock);
}

void
ts_trainer_step (TsTrainer *tr)
{
  pthread_mutex_lock (&tr->lock);
  tr->paused = TRUE;
  tr->step_budget++;
  pthread_cond_broadcast (&tr->wake);
  pthread_mutex_unlock (&tr->lock);
}

void
ts_trainer_stop (TsTrainer *tr)
{
  g_atomic_int_set (&tr->stop, 1);
  g_cancellable_cancel (tr->cancellable);
  pthread_mutex_lock (&tr->lock);
  pthread_cond_broadcast (&tr->wake);
  pthread_mutex_unlock (&tr->lock);
}

void
ts_trainer_set_lr (TsTrainer *tr, double lr)
{
  g_return_if_fail (lr > 0 && isfinite (lr));
  pthread_mutex_lock (&tr->lock);
  tr->pending_lr = lr;
  pthread_mutex_unlock (&tr->lock);
}

void
ts_trainer_divide_lr (TsTrainer *tr, double factor)
{
  double base;

  g_return_if_fail (factor > 0);
  pthread_mutex_lock (&tr->lock);
  base = isnan (tr->pending_lr) ? tr->progress.base_lr : tr->pending_lr;
  pthread_mutex_unlock (&tr->lock);
  ts_trainer_set_lr (tr, base / factor);
}

/* ---- queries -------------------------------------------------------------- */

TsRunState
ts_trainer_get_state (TsTrainer *tr)
{
  return (TsRunState) g_atomic_int_get (&tr->state);
}

void
ts_trainer_get_progress (TsTrainer *tr, TsProgress *out)
{
  pthread_mutex_lock (&tr->lock);
  *out = tr->progress;
  pthread_mutex_unlock (&tr->lock);
}

TsMetricLog *
ts_trainer_get_steps (TsTrainer *tr)
{
  TsTraining *t = g_atomic_pointer_get (&tr->training);
  return t ? t->steps : NULL;
}

TsMetricLog *
ts_trainer_get_epochs (TsTrainer *tr)
{
  TsTraining *t = g_atomic_pointer_get (&tr->training);
  return t ? t->epochs : NULL;
}

TsMetricLog *
ts_trainer_get_stats (TsTrainer *tr)
{
  TsTraining *t = g_atomic_pointer_get (&tr->training);
  return t ? t->stats : NULL;
}

TsMetricLog *
ts_trainer_steal_stats (TsTrainer *tr)
{
  TsTraining *t = g_atomic_pointer_get (&tr->training);

  g_return_val_if_fail (tr->thread == NULL, NULL);
  return t ? g_steal_pointer (&t->stats) : NULL;
}

TsSnapshot *
ts_trainer_get_snapshot (TsTrainer *tr)
{
  TsTraining *t = g_atomic_pointer_get (&tr->training);
  return t ? t->snapshot : NULL;
}

TsModel *
ts_trainer_dup_model (TsTrainer *tr, guint64 *step)
{
  TsTraining *t = g_atomic_pointer_get (&tr->training);
  const TsPreprocess *pp;
  TsModel *model;
  TsShape input;
  guint64 at;

  if (t == NULL)
    return NULL;
  pp = t->data.preprocess;
  model = g_new0 (TsModel, 1);
  model->experiment = ts_experiment_copy (tr->exp);
  ts_net_in_shape (t->net, &input);
  model->net = ts_net_new_from_experiment (tr->exp, &input, ts_net_n_classes (t->net), 256);
  model->preprocess = ts_preprocess_new_from_parts (pp->kind, pp->in_dim, pp->out_dim, pp->mean, pp->std,
                                                    pp->projection);
  at = ts_snapshot_read (t->snapshot, ts_net_state (model->net));
  if (step)
    *step = at;
  return model;
}

GPtrArray *
ts_trainer_diagnose (TsTrainer *tr)
{
  TsTraining *t = g_atomic_pointer_get (&tr->training);
  TsRunState state = ts_trainer_get_state (tr);
  g_autoptr(TsLrFinderResult) finder = NULL;
  TsAdvisorInput in;

  if (t == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) ts_advice_free);
  pthread_mutex_lock (&tr->lock);
  finder = tr->finder ? ts_lr_finder_result_copy (tr->finder) : NULL;
  pthread_mutex_unlock (&tr->lock);
  in = (TsAdvisorInput) { tr->exp, t->steps, t->epochs, t->stats, ts_net_n_classes (t->net), state == TS_RUN_DIVERGED,
                          finder, state == TS_RUN_RUNNING || state == TS_RUN_PAUSED };
  return ts_advisor_diagnose (&in);
}

void
ts_trainer_set_lr_finder (TsTrainer *tr, const TsLrFinderResult *result)
{
  TsLrFinderResult *copy = result ? ts_lr_finder_result_copy (result) : NULL;

  pthread_mutex_lock (&tr->lock);
  ts_lr_finder_result_free (tr->finder);
  tr->finder = copy;
  pthread_mutex_unlock (&tr->lock);
}

const TsExperiment *
ts_trainer_get_experiment (TsTrainer *tr)
{
  return tr->exp;
}

const char *
ts_trainer_get_run_dir (TsTrainer *tr)
{
  return tr->run_dir;
}

const GPtrArray *
ts_trainer_get_warnings (TsTrainer *tr)
{
  TsTraining *t = g_atomic_pointer_get (&tr->training);
  return t ? t->data.warnings : NULL;
}

GError *
ts_trainer_dup_error (TsTrainer *tr)
{
  GError *copy;
  pthread_mutex_lock (&tr->lock);
  copy = tr->error ? g_error_copy (tr->error) : NULL;
  pthread_mutex_unlock (&tr->lock);
  return copy;
}

JsonNode *
ts_trainer_dup_summary (TsTrainer *tr)
{
  JsonNode *copy;
  pthread_mutex_lock (&tr->lock);
  copy = tr->summary ? json_node_copy (tr->summary) : NULL;
  pthread_mutex_unlock (&tr->lock);
  return copy;
}

/* ---- the thread ------------------------------------------------------------ */

/* Blocks while paused; returns FALSE when asked to stop. */
static gboolean
wait_for_go (TsTrainer *tr, TsTraining *t)
{
  gboolean go;

  pthread_mutex_lock (&tr->lock);
  while (tr->paused && tr->step_budget == 0 && !g_atomic_int_get (&tr->stop))
    {
      tr->progress.state = TS_RUN_PAUSED;
      g_atomic_int_set (&tr->state, TS_RUN_PAUSED);
      pthread_cond_wait (&tr->wake, &tr->lock);
    }
  go = !g_atomic_int_get (&tr->stop);
  if (go && tr->paused)
    tr->step_budget--;
  if (go && !isnan (tr->pending_lr))
    {
      ts_training_set_base_lr (t, tr->pending_lr);
      tr->progress.base_lr = t->base_lr;
      tr->pending_lr = NAN;
    }
  tr->progress.state = tr->paused ? TS_RUN_PAUSED : TS_RUN_RUNNING;
  g_atomic_int_set (&tr->state, tr->progress.state);
  pthread_mutex_unlock (&tr->lock);
  return go;
}

static void
update_progress (TsTrainer *tr, TsTraining *t)
{
  gsize n_epochs = ts_metric_log_length (t->epochs);
  TsProgress *p = &tr->progress;
  double sps = ts_training_samples_per_second (t);
  double remaining = (double) (t->exp->train.epochs - t->epoch) * t->data.train->n
                     - (double) t->batch * t->exp->train.batch_size;

  pthread_mutex_lock (&tr->lock);
  p->epoch = t->epoch;
  p->step = t->step;
  p->batch = t->batch;
  p->batches = t->n_batches;
  p->lr = t->lr;
  p->base_lr = t->base_lr;
  p->loss = ts_metric_log_length (t->steps) ? ts_metric_log_step (t->steps, ts_metric_log_length (t->steps) - 1)->loss : NAN;
  if (n_epochs > 0)
    {
      const TsEpochRecord *e = ts_metric_log_epoch (t->epochs, n_epochs - 1);
      p->train_acc = e->train_acc;
      p->val_acc = e->val_acc;
      if (!isnan (e->val_acc))
        p->best_val_acc = MAX (p->best_val_acc, e->val_acc);
    }
  p->samples_per_second = sps;
  p->elapsed = (g_get_monotonic_time () - t->start_time) * 1e-6;
  p->eta = sps > 0 ? MAX (remaining, 0.0) / sps : -1;
  pthread_mutex_unlock (&tr->lock);
}

static void
fail (TsTrainer *tr, GError *error)
{
  pthread_mutex_lock (&tr->lock);
  g_clear_error (&tr->error);
  tr->error = error;
  pthread_mutex_unlock (&tr->lock);
}

static JsonNode *
build_summary (TsTrainer *tr, TsTraining *t, TsRunState end, double test_loss, double test_acc)
{
  JsonObject *o = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  gsize n = ts_metric_log_length (t->epochs);
  const TsEpochRecord *last = n ? ts_metric_log_epoch (t->epochs, n - 1) : NULL;
  double best = NAN;

  for (gsize i = 0; i < n; i++)
    if (!isnan (ts_metric_log_epoch (t->epochs, i)->val_acc))
      best = isnan (best) ? ts_metric_log_epoch (t->epochs, i)->val_acc : MAX (best, ts_metric_log_epoch (t->epochs, i)->val_acc);

#define SET_NUMBER(key, v) ts_json_set_number (o, key, v)
  json_object_set_string_member (o, "name", t->exp->name);
  json_object_set_string_member (o, "state", ts_run_state_name (end));
  json_object_set_int_member (o, "epochs_completed", t->epoch);
  json_object_set_int_member (o, "steps", (gint64) t->step);
  SET_NUMBER ("train_loss", last ? last->train_loss : NAN);
  SET_NUMBER ("train_acc", last ? last->train_acc : NAN);
  SET_NUMBER ("val_loss", last ? last->val_loss : NAN);
  SET_NUMBER ("val_acc", last ? last->val_acc : NAN);
  SET_NUMBER ("best_val_acc", best);
  SET_NUMBER ("test_loss", test_loss);
  SET_NUMBER ("test_acc", test_acc);
  SET_NUMBER ("first_loss", t->first_loss);
  json_object_set_double_member (o, "samples_per_second", ts_training_samples_per_second (t));
  json_object_set_double_member (o, "seconds", (g_get_monotonic_time () - t->start_time) * 1e-6);
  json_object_set_int_member (o, "parameters", (gint64) ts_net_n_params (t->net));
  json_object_set_int_member (o, "train_samples", t->data.train->n);
  json_object_set_int_member (o, "val_samples", t->data.val->n);
  json_object_set_int_member (o, "test_samples", t->data.test ? t->data.test->n : 0);
  json_object_set_string_member (o, "blas_core", ts_blas_core ());
  json_object_set_int_member (o, "threads", ts_blas_threads ());
  json_object_set_boolean_member (o, "diverged", t->diverged);
  {
    /* what the loader skipped (unreadable images), each naming its file */
    JsonArray *warnings = json_array_new ();
    for (guint i = 0; t->data.warnings && i < t->data.warnings->len; i++)
      json_array_add_string_element (warnings, t->data.warnings->pdata[i]);
    json_object_set_array_member (o, "warnings", warnings);
  }
  {
    JsonArray *changes = json_array_new ();
    for (guint i = 0; i < t->lr_changes->len; i++)
      {
        const TsLrChange *c = &g_array_index (t->lr_changes, TsLrChange, i);
        JsonObject *change = json_object_new ();
        json_object_set_int_member (change, "step", (gint64) c->step);
        json_object_set_double_member (change, "from", c->from);
        json_object_set_double_member (change, "to", c->to);
        json_array_add_object_element (changes, change);
      }
    json_object_set_array_member (o, "lr_changes", changes);
  }
#undef SET_NUMBER
  json_node_take_object (node, o);
  return node;
}

static gboolean
write_outputs (TsTrainer *tr, TsTraining *t, TsRunWriter *w, JsonNode *summary, GError **error)
{
  TsAdvisorInput in = { t->exp, t->steps, t->epochs, t->stats, ts_net_n_classes (t->net), t->diverged };
  g_autoptr(GPtrArray) advice = ts_advisor_diagnose (&in);
  g_autoptr(JsonNode) advice_json = ts_advice_to_json (advice);
  g_autofree char *summary_path = ts_run_writer_path (w, "summary.json");
  g_autofree char *advice_path = ts_run_writer_path (w, "advice.json");
  g_autofree char *model_path = ts_run_writer_path (w, "model.safetensors");

  if (!ts_run_writer_add_steps (w, t->steps, error) || !ts_run_writer_add_stats (w, t->stats, error)
      || !ts_write_json_atomic (advice_path, advice_json, error))
    return FALSE;
  /* a diverged net holds NaN: no model is better than a garbage one */
  if (!t->diverged && !ts_model_save (model_path, t->net, t->data.preprocess, t->exp, error))
    return FALSE;
  return ts_write_json_atomic (summary_path, summary, error);
}

/* summary.json for a run that ended before its data had loaded */
static JsonNode *
summary_without_training (TsTrainer *tr, const char *state, const GError *why)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "name", tr->exp->name);
  json_object_set_string_member (o, "state", state);
  json_object_set_string_member (o, "error", why->message);
  json_object_set_int_member (o, "epochs_completed", 0);
  json_object_set_int_member (o, "steps", 0);
  json_object_set_boolean_member (o, "diverged", FALSE);
  json_node_take_object (node, o);
  return node;
}

/* A run that ends with an error still says so in summary.json, when its
 * folder is its own and the disk lets it (the writer kept a reserve). */
static void
write_failure_summary (TsTrainer *tr, TsTraining *t, TsRunWriter *w, const GError *why)
{
  g_autoptr(JsonNode) node = NULL;

  if (w == NULL)
    return;
  if (t == NULL)
    node = summary_without_training (tr, "failed", why);
  else
    {
      node = build_summary (tr, t, TS_RUN_FAILED, NAN, NAN);
      json_object_set_string_member (json_node_get_object (node), "error", why->message);
    }
  ts_run_writer_write_summary (w, node, NULL); /* the run's own error is the one to report */
}

static void
finish (TsTrainer *tr, TsTraining *t, TsRunWriter *w)
{
  TsRunState end = t->diverged ? TS_RUN_DIVERGED
                   : g_atomic_int_get (&tr->stop) ? TS_RUN_STOPPED : TS_RUN_DONE;
  double test_loss = NAN, test_acc = NAN;
  GError *error = NULL;
  JsonNode *summary;

  if (end == TS_RUN_DONE && t->data.test && t->data.test->n > 0)
    ts_training_evaluate (t, t->data.test, &test_loss, &test_acc);
  update_progress (tr, t);
  summary = build_summary (tr, t, end, test_loss, test_acc);
  if (w && !write_outputs (tr, t, w, summary, &error))
    {
      write_failure_summary (tr, t, w, error);
      fail (tr, error);
      end = TS_RUN_FAILED;
      json_object_set_string_member (json_node_get_object (summary), "state", ts_run_state_name (end));
    }
  if (w)
    ts_run_writer_close (w);
  pthread_mutex_lock (&tr->lock);
  tr->summary = summary;
  pthread_mutex_unlock (&tr->lock);
  set_state (tr, end);
}

static void
on_load_progress (double fraction, gpointer data)
{
  TsTrainer *tr = data;
  pthread_mutex_lock (&tr->lock);
  tr->progress.loaded = fraction;
  pthread_mutex_unlock (&tr->lock);
}

/* Stopped before the data was loaded: nothing trained, and the summary
 * says so. */
static void
interrupted_while_loading (TsTrainer *tr, TsRunWriter *w)
{
  g_autoptr(GError) why = g_error_new (TS_ERROR, TS_ERROR_CANCELLED, "interrupted while loading the data");
  JsonNode *summary = summary_without_training (tr, "interrupted", why);

  if (w)
    {
      ts_run_writer_write_summary (w, summary, NULL); /* a stop has nothing more to say */
      ts_run_writer_close (w);
    }
  pthread_mutex_lock (&tr->lock);
  tr->summary = summary;
  pthread_mutex_unlock (&tr->lock);
  set_state (tr, TS_RUN_STOPPED);
}

static gpointer
run_thread (gpointer data)
{
  TsTrainer *tr = data;
  TsRunWriter *writer = NULL;
  TsLoadContext load = { tr->cancellable, on_load_progress, tr };
  GError *error = NULL;
  TsTraining *t = NULL;
  gsize epochs_written = 0;

  set_state (tr, TS_RUN_LOADING);
  if (tr->run_dir && (writer = tr->writer = ts_run_writer_new (tr->run_dir, tr->exp, &error)) == NULL)
    goto failed;
  if ((t = ts_training_new (tr->exp, &load, &error)) == NULL)
    {
      if (g_error_matches (error, TS_ERROR, TS_ERROR_CANCELLED))
        {
          g_clear_error (&error);
          interrupted_while_loading (tr, writer);
          return NULL;
        }
      goto failed;
    }
  t->stop = &tr->stop;
  g_atomic_pointer_set (&tr->training, t);
  while (!ts_training_done (t) && wait_for_go (tr, t))
    {
      ts_training_step (t);
      update_progress (tr, t);
      for (; writer && epochs_written < ts_metric_log_length (t->epochs); epochs_written++)
        if (!ts_run_writer_add_epoch (writer, ts_metric_log_epoch (t->epochs, epochs_written), &error)
            || !ts_run_writer_add_steps (writer, t->steps, &error)
            || !ts_run_writer_add_stats (writer, t->stats, &error)
            || (ts_schedule_checkpoint_due (&t->exp->train, epochs_written + 1)
                && !ts_checkpoint_save (tr->run_dir, epochs_written + 1, t->net, t->data.preprocess, t->exp, &error)))
          goto failed;
    }
  finish (tr, t, writer);
  return NULL;

failed:
  write_failure_summary (tr, t, writer, error);
  if (writer)
    ts_run_writer_close (writer);
  fail (tr, error);
  set_state (tr, TS_RUN_FAILED);
  return NULL;
}

void
ts_trainer_start (TsTrainer *tr)
{
  g_return_if_fail (tr->thread == NULL);
  tr->thread = g_thread_new ("ts-trainer", run_thread, tr);
}

TsRunState
ts_trainer_wait (TsTrainer *tr)
{
  if (tr->thread)
    {
      g_thread_join (tr->thread);
      tr->thread = NULL;
    }
  return ts_trainer_get_state (tr);
}
