/* The advisor's rules on the schedule, capacity and regularisation: what
 * the accuracies and the validation loss show (ts-advisor-rules.c says how
 * the rules work together). */
#include "ts-advisor-private.h"

#include <math.h>

/* ---- the schedule ---------------------------------------------------------------------------- */

void
_ts_rules_plateau (const TsAdvisorFacts *f, GPtrArray *out)
{
  gsize since = 0;
  double best = G_MAXDOUBLE;
  guint patience;
  JsonObject *ev;

  if (f->in->diverged || f->n_epochs < 8 || f->in->exp->train.schedule.type != TS_SCHED_NONE || _ts_rule_explained (out))
    return;
  for (guint i = 0; i < f->n_epochs; i++)
    {
      double v = ts_metric_log_epoch (f->in->epochs, i)->val_loss;
      if (!isfinite (v))
        return;
      if (v < best * 0.995)
        best = v, since = 0;
      else
        since++;
    }
  patience = MAX (3, f->n_epochs / 4);
  if (since < patience)
    return;
  if (f->in->running)
    ev = _ts_advice_add (out, "plateau_decay", TS_SEVERITY_INFO, 0.6, "train.schedule.type=plateau",
                         "Validation loss has not improved for %zu epochs (best %.3g): divide the learning rate "
                         "by 2 or 5 now (÷2, ÷5 on the Training page), or fork with a plateau schedule that does "
                         "it whenever the loss stalls.", since, best);
  else
    ev = _ts_advice_add (out, "plateau_decay", TS_SEVERITY_INFO, 0.6, "train.schedule.type=plateau",
                         "Validation loss has not improved for %zu epochs (best %.3g): divide the learning rate "
                         "by 2 or 5 when it stalls (a plateau schedule does this).", since, best);
  json_object_set_int_member (ev, "epochs_without_improvement", (gint64) since);
  json_object_set_double_member (ev, "best_val_loss", best);
  json_object_set_boolean_member (ev, "running", f->in->running);
  json_object_set_string_member (ev, "cause", "schedule");
}

/* ---- capacity and regularisation: the accuracies ----------------------------------------------- */

/* a penalty so strong that the weights cannot grow: both accuracies low,
 * and the layers' symptoms (units that no longer fire, a flat loss) are its
 * consequences, not the learning rate's */
void
_ts_rules_penalty (const TsAdvisorFacts *f, GPtrArray *out)
{
  const TsTrainSpec *t = &f->in->exp->train;
  const TsEpochRecord *e = f->last;
  g_autofree char *action = NULL;
  JsonObject *ev;

  if (e == NULL || f->in->diverged || _ts_rule_explained (out) || e->train_acc >= 0.8 || (t->l2 < 1e-2 && t->l1 < 1e-3)
      || (!isnan (e->val_acc) && e->train_acc - e->val_acc > 0.05))
    return;
  action = t->l2 >= 1e-2 ? g_strdup_printf ("train.l2=%.2g", t->l2 / 100)
                         : g_strdup_printf ("train.l1=%.2g", t->l1 / 100);
  ev = _ts_advice_add (out, "underfitting", TS_SEVERITY_WARNING, 0.75, action,
                       "Training and validation accuracy are both low (%.1f%%, %.1f%%) with no gap: the %s penalty "
                       "(%.2g) holds the weights %s; regularise less.", 100 * e->train_acc, 100 * e->val_acc,
                       t->l2 >= 1e-2 ? "L2" : "L1", t->l2 >= 1e-2 ? t->l2 : t->l1,
                       t->l2 >= 1e-2 ? "near zero" : "at zero");
  json_object_set_string_member (ev, "cause", "regularisation");
  json_object_set_int_member (ev, "epoch", e->epoch);
  json_object_set_double_member (ev, "train_acc", e->train_acc);
  json_object_set_double_member (ev, "val_acc", e->val_acc);
  if (f->n_hidden > 0)
    {
      guint dead = _ts_rule_worst_layer (f, f->now_dead, _ts_rule_plain_relu);
      if (dead != G_MAXUINT && f->now_dead[dead] > 0.4)
        {
          g_autofree char *title = _ts_layer_title (f, dead);
          g_autofree char *text = g_strdup_printf (" That is also why %.0f%% of the %s of %s no "
                                                   "longer fire.", 100 * f->now_dead[dead],
                                                   _ts_layer_units (f, dead, "ReLUs"), title);
          _ts_rule_append_to_message (out, text);
          _ts_rule_add_consequence (ev, "dead_units");
        }
    }
}

/* "model.layers=200:tanh,100": every hidden layer twice as wide, keeping
 * its activation (one of 100 if none) */
static char *
wider_layers (const TsExperiment *exp)
{
  g_autofree char *layers = ts_experiment_layers_text (exp, 2);
  return g_strdup_printf ("model.layers=%s", *layers ? layers : "100");
}

static guint
widest_layer (const TsExperiment *exp)
{
  guint widest = 0;
  for (guint l = 0; l < exp->model.layers->len; l++)
    widest = MAX (widest, g_array_index (exp->model.layers, TsLayerSpec, l).units);
  return widest;
}

/* why both accuracies are low, and the change that addresses it */
static const char *
underfit_cause (const TsExperiment *exp, char **action)
{
  const TsTrainSpec *t = &exp->train;
  if (t->l2 >= 1e-2)
    {
      *action = g_strdup_printf ("train.l2=%.2g", t->l2 / 100);
      return "the L2 penalty holds the weights near zero: regularise less";
    }
  if (t->l1 >= 1e-3)
    {
      *action = g_strdup_printf ("train.l1=%.2g", t->l1 / 100);
      return "the L1 penalty holds the weights at zero: regularise less";
    }
  if (exp->model.dropout >= 0.3 && widest_layer (exp) <= 64 && exp->model.layers->len > 0)
    {
      *action = g_strdup ("model.dropout=0");
      return "dropout this high starves a net this small: drop less (or none)";
    }
  if (exp->data.preprocess == TS_PRE_NONE)
    {
      *action = g_strdup ("data.preprocess=standardize");
      return "the inputs enter unscaled: standardise them";
    }
  *action = wider_layers (exp);
  return "the model is too small for the data: add capacity";
}

void
_ts_rules_fit (const TsAdvisorFacts *f, GPtrArray *out)
{
  const TsEpochRecord *e = f->last;
  const TsExperiment *exp = f->in->exp;
  g_autofree char *action = NULL;
  JsonObject *ev;
  double gap;

  if (e == NULL || isnan (e->val_acc) || f->in->diverged)
    return;
  gap = e->train_acc - e->val_acc;
  if (gap > 0.1 && !_ts_rule_explained (out))
    {
      /* a wide gap needs a penalty that bites: 1e-4 does little to it */
      if (exp->train.l2 < 1e-2)
        action = g_strdup_printf ("train.l2=%.2g", MAX (exp->train.l2 * 10, gap > 0.15 ? 1e-2 : 1e-3));
      else
        action = g_strdup_printf ("model.dropout=%.2g", MAX (exp->model.dropout + 0.2, 0.3));
      ev = _ts_advice_add (out, "overfitting", TS_SEVERITY_WARNING, MIN (1.0, gap * 4), action,
                           "Training accuracy is %.1f%% but validation only %.1f%%: the model learns the training "
                           "set by heart; regularise more (L2, dropout, augmentation) or get more data.",
                           100 * e->train_acc, 100 * e->val_acc);
      json_object_set_string_member (ev, "cause", "regularisation");
    }
  else if (_ts_rule_both_low (f) && !_ts_rule_explained (out))
    {
      const char *cause = underfit_cause (exp, &action);
      g_autofree char *cut_short = NULL;
      if (g_str_has_prefix (action, "model.layers") && f->still_falling)
        {
          /* a model still learning when the run ended has not shown its size */
          g_free (action);
          action = g_strdup_printf ("train.epochs=%u", MIN (exp->train.epochs * 3, 1000000));
          cause = cut_short = g_strdup_printf ("the loss still falls at the end (epoch %u: %.3g → %.3g): the run "
                                               "ended before the model fit, not for want of capacity; train longer",
                                               f->late_epoch + 1,
                                               ts_metric_log_epoch (f->in->epochs, f->late_epoch)->train_loss,
                                               f->loss_last);
        }
      ev = _ts_advice_add (out, "underfitting", TS_SEVERITY_WARNING, 0.6, action,
                           "Training and validation accuracy are both low (%.1f%%, %.1f%%) with no gap: %s.",
                           100 * e->train_acc, 100 * e->val_acc, cause);
      json_object_set_string_member (ev, "cause", g_str_has_prefix (action, "model.layers") ? "capacity"
                                                  : g_str_has_prefix (action, "data") ? "data"
                                                  : cut_short ? "training" : "regularisation");
      if (cut_short)
        _ts_rule_loss_evidence (f, ev);
    }
  else
    return;
  json_object_set_int_member (ev, "epoch", e->epoch);
  json_object_set_double_member (ev, "train_acc", e->train_acc);
  json_object_set_double_member (ev, "val_acc", e->val_acc);
}
