/* The advisor's rules, by cause. Each cause is looked for where it shows
 * first — the initialisation in the layers at step 0, the learning rate in
 * what appears once training runs, capacity and regularisation in the
 * accuracies — and gives one primary advice whose message and evidence
 * fold in the symptoms it explains ("consequences"). Every action changes
 * the experiment, and is the fix for the cause the message names.
 * Thresholds are the classic rules of thumb (CS231n): the first softmax
 * loss near ln C, update/weight ratios near 1e-3, activations that neither
 * die out nor blow up with depth. This file holds the helpers every rule
 * shares and the learning-rate rules; ts-advisor-rules-init.c the
 * initialisation's, ts-advisor-rules-fit.c the schedule's, capacity's and
 * regularisation's. In a conv net the layers are named as the window's
 * layer menu names them ("conv layer 3") and their units are channels. */
#include "ts-advisor-private.h"

#include <math.h>

/* ---- helpers ------------------------------------------------------------------- */

/* a primary advice at warning or above already explains the run */
gboolean
_ts_rule_explained (GPtrArray *out)
{
  for (guint i = 0; i < out->len; i++)
    if (((TsAdvice *) out->pdata[i])->severity > TS_SEVERITY_INFO)
      return TRUE;
  return FALSE;
}

/* tanh and sigmoid: bounded, so they saturate */
gboolean
_ts_rule_squashing (TsActivation a)
{
  return a == TS_ACT_TANH || a == TS_ACT_SIGMOID;
}

/* names a symptom the advice explains */
void
_ts_rule_add_consequence (JsonObject *ev, const char *code)
{
  if (!json_object_has_member (ev, "consequences"))
    json_object_set_array_member (ev, "consequences", json_array_new ());
  json_array_add_string_element (json_object_get_array_member (ev, "consequences"), code);
}

static char *
format_lr (double lr)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup (g_ascii_formatd (text, sizeof text, "%.2g", lr));
}

/* "train.lr=…" lowered (down) or raised by factor, or to the LR finder's
 * valley when it lies that way; why says which, and why not the finder */
static char *
lr_action (const TsAdvisorFacts *f, gboolean down, double factor, GString *why, JsonObject *ev)
{
  const TsLrFinderResult *finder = f->in->finder;
  double base = f->in->exp->train.lr, target = down ? base / factor : base * factor;
  g_autofree char *text = NULL;

  if (finder)
    {
      double valley = finder->suggested;
      json_object_set_double_member (ev, "lr_finder_valley", valley);
      if (down ? valley < base / 1.5 : valley > base * 1.5)
        {
          target = valley;
          g_string_append_printf (why, " The LR finder's valley, %.2g, lies that way: use it.", valley);
        }
      else
        g_string_append_printf (why, " The LR finder's valley (%.2g) is %s the current %.2g: its short sweeps "
                                "start from fresh weights, while this run's curve shows what %.2g does over "
                                "%zu steps, so the advice keeps %s%g.", valley, down ? "not below" : "not above",
                                base, base, f->n_steps, down ? "÷" : "×", factor);
    }
  text = format_lr (target);
  json_object_set_double_member (ev, "lr", base);
  json_object_set_double_member (ev, "lr_proposed", g_ascii_strtod (text, NULL));
  return g_strdup_printf ("train.lr=%s", text);
}

/* the advice a rule just added */
TsAdvice *
_ts_rule_last_added (GPtrArray *out)
{
  return out->pdata[out->len - 1];
}

/* adds text to the message of the advice just added */
void
_ts_rule_append_to_message (GPtrArray *out, const char *text)
{
  TsAdvice *a = _ts_rule_last_added (out);
  char *joined;

  if (text == NULL || *text == '\0')
    return;
  joined = g_strconcat (a->message, text, NULL);
  g_free (a->message);
  a->message = joined;
}

/* the deepest hidden layer where a field is largest, among those whose
 * applied activation counts (pools apply none, so they never count) */
guint
_ts_rule_worst_layer (const TsAdvisorFacts *f, const double *v, gboolean (*counts) (TsActivation))
{
  guint worst = G_MAXUINT;
  for (guint l = 0; l < f->n_hidden; l++)
    if (counts (f->act[l]) && (worst == G_MAXUINT || v[l] >= v[worst]))
      worst = l;
  return worst;
}

/* the depth the signal crosses: from the first dense or conv layer to the
 * deepest one with outputs of its own (pools only resample them) */
gboolean
_ts_rule_deep (const TsAdvisorFacts *f)
{
  return f->n_weighted >= 2 && f->last_weighted < f->n_hidden && f->last_weighted != f->first_weighted;
}

/* plain ReLU: the one whose units die for good */
gboolean
_ts_rule_plain_relu (TsActivation a)
{
  return a == TS_ACT_RELU;
}

/* the epoch losses, the evidence of a rule that reads the curve */
void
_ts_rule_loss_evidence (const TsAdvisorFacts *f, JsonObject *ev)
{
  JsonArray *losses = json_array_new ();
  for (guint i = 0; i < f->n_epochs; i++)
    json_array_add_double_element (losses, ts_metric_log_epoch (f->in->epochs, i)->train_loss);
  json_object_set_array_member (ev, "epoch_train_loss", losses);
}

/* both accuracies under 80% with no gap: the model has not fit the data */
gboolean
_ts_rule_both_low (const TsAdvisorFacts *f)
{
  return f->last && !isnan (f->last->val_acc) && f->last->train_acc - f->last->val_acc < 0.03
         && f->last->train_acc < 0.8;
}

/* ---- the learning rate: what appears once training runs ---------------------------------------- */

/* what the loss curve does that a too-high LR makes it do; NULL if nothing */
static const char *
high_lr_curve (const TsAdvisorFacts *f)
{
  if (f->n_steps < 40)
    return NULL;
  if (f->step_last > 2.0 * f->step_min && f->step_last > 0.1 * f->expected)
    return "climbs back up";
  if (f->n_epochs >= 3 && f->rises * 3 >= f->n_epochs - 1 && f->biggest_rise > 0.1 && !f->falling
      && f->loss_last > 0.3 * f->expected)
    return "jumps up and down from epoch to epoch";
  if (f->step_last > 0.5 * f->expected && f->tail_spread > 0.6)
    return "stays high and jumps around";
  if (f->step_last > 1.05 * f->expected && f->step_first < f->first_loss && !f->falling
      && f->step_mid - f->step_last < 0.02 * f->step_mid)
    return "stays at chance level after a first drop";
  return NULL;
}

void
_ts_rules_lr_high (const TsAdvisorFacts *f, GPtrArray *out)
{
  const char *curve = high_lr_curve (f);
  guint dead = f->n_layers ? _ts_rule_worst_layer (f, f->now_dead, _ts_rule_plain_relu) : G_MAXUINT;
  guint sat = f->n_layers ? _ts_rule_worst_layer (f, f->now_sat, _ts_rule_squashing) : G_MAXUINT;
  /* units that stopped firing in a run that still learns well (its loss
   * falling, or already down to a tenth of chance's), or that overfits
   * (capacity to spare), are ones the net does not need: not damage */
  gboolean learns_well = f->last && f->last->train_acc > 0.9 && (f->falling || f->loss_last < 0.1 * f->expected);
  gboolean fine = learns_well
                  || (f->last && !isnan (f->last->val_acc) && f->last->train_acc - f->last->val_acc > 0.1);
  gboolean dead_grew = dead != G_MAXUINT && f->now_dead[dead] > 0.4 && f->now_dead[dead] > f->init_dead[dead] + 0.2
                       && !fine;
  gboolean sat_grew = sat != G_MAXUINT && f->init_sat[sat] <= 0.3 && f->now_sat[sat] > f->init_sat[sat] + 0.3
                      && (f->now_sat[sat] > 0.7 || (f->now_sat[sat] > 0.5 && curve));
  gboolean vanished = _ts_rule_deep (f) && f->now_std[f->last_weighted] < 0.02;
  g_autofree char *dead_title = dead != G_MAXUINT ? _ts_layer_title (f, dead) : NULL;
  g_autofree char *sat_title = sat != G_MAXUINT ? _ts_layer_title (f, sat) : NULL;
  g_autoptr(GString) why = g_string_new (NULL);
  g_autofree char *action = NULL;
  JsonObject *ev;

  if (f->in->diverged || _ts_rule_explained (out) || (!curve && !dead_grew && !sat_grew))
    return;
  ev = json_object_new (); /* filled below, then moved into the advice */
  action = lr_action (f, TRUE, 5, why, ev);
  if (dead_grew)
    {
      _ts_advice_add (out, "dead_units", f->now_dead[dead] > 0.8 ? TS_SEVERITY_CRITICAL : TS_SEVERITY_WARNING,
                      MIN (1.0, f->now_dead[dead] + 0.2), action,
                      "%.0f%% of the %s of %s died during training (%.0f%% at step 0): the "
                      "learning rate %.2g is too high — large steps pushed them where no input makes them fire%s, "
                      "and a dead %s gets no gradient to come back. Divide it by 5.",
                      100 * f->now_dead[dead], _ts_layer_units (f, dead, "ReLUs"), dead_title,
                      100 * f->init_dead[dead], f->in->exp->train.lr,
                      _ts_layer_is_maps (f, dead) ? " at any position" : "",
                      _ts_layer_is_maps (f, dead) ? "channel" : "ReLU");
      json_object_set_string_member (ev, "unit", _ts_layer_is_maps (f, dead) ? "channel" : "unit");
      json_object_set_int_member (ev, "layer", dead + 1);
      json_object_set_double_member (ev, "dead_fraction", f->now_dead[dead]);
      json_object_set_double_member (ev, "dead_fraction_step0", f->init_dead[dead]);
      if (vanished)
        {
          _ts_rule_append_to_message (out, _ts_layer_is_maps (f, dead) ? " The dead channels are why the activations vanish in the deepest layers"
                                                              : " The dead units are why the activations vanish in the last hidden layer");
          _ts_rule_add_consequence (ev, "vanishing_activations");
        }
      if (f->n_epochs >= 2 && !f->falling)
        {
          g_autofree char *text = g_strdup_printf ("%s the loss plateaus at %.3g", vanished ? ", and why"
                                                   : _ts_layer_is_maps (f, dead) ? " The dead channels are why"
                                                                                 : " The dead units are why",
                                                   f->loss_last);
          _ts_rule_append_to_message (out, text);
          _ts_rule_add_consequence (ev, "plateau_decay");
        }
      if (vanished || (f->n_epochs >= 2 && !f->falling))
        _ts_rule_append_to_message (out, ".");
    }
  else if (sat_grew && !curve)
    {
      _ts_advice_add (out, "saturated_units", TS_SEVERITY_WARNING, MIN (1.0, f->now_sat[sat] + 0.2), action,
                      "%.0f%% of the outputs of %s%s sit at the limits of their activation, where its "
                      "gradient is almost zero — %.0f%% at step 0: training put them there, not the "
                      "initialisation. The learning rate %.2g is too high; divide it by 5.",
                      100 * f->now_sat[sat], sat_title, _ts_layer_is_maps (f, sat) ? " (over all its channels and positions)" : "",
                      100 * f->init_sat[sat], f->in->exp->train.lr);
      json_object_set_string_member (ev, "unit", _ts_layer_is_maps (f, sat) ? "channel" : "unit");
      json_object_set_int_member (ev, "layer", sat + 1);
      json_object_set_double_member (ev, "saturated_fraction", f->now_sat[sat]);
      json_object_set_double_member (ev, "saturated_fraction_step0", f->init_sat[sat]);
      if (curve)
        {
          g_autofree char *text = g_strdup_printf (" The loss %s (epoch losses %.3g → %.3g, lowest %.3g).", curve,
                                                   f->loss_first, f->loss_last, f->loss_min);
          _ts_rule_append_to_message (out, text);
          _ts_rule_add_consequence (ev, "lr_too_high");
        }
    }
  else
    {
      _ts_advice_add (out, "lr_too_high", TS_SEVERITY_WARNING, 0.75, action,
                      "The loss %s (epoch losses %.3g → %.3g, lowest %.3g): the learning rate %.2g is too high; "
                      "divide it by 5.", curve, f->loss_first, f->loss_last, f->loss_min, f->in->exp->train.lr);
      if (sat_grew)
        {
          g_autofree char *text = g_strdup_printf (" The large steps are also why %.0f%% of the outputs of %s now "
                                                   "sit at the limits of their activation (%.0f%% at "
                                                   "step 0): the initialisation is not to blame.",
                                                   100 * f->now_sat[sat], sat_title, 100 * f->init_sat[sat]);
          _ts_rule_append_to_message (out, text);
          _ts_rule_add_consequence (ev, "saturated_units");
          json_object_set_double_member (ev, "saturated_fraction", f->now_sat[sat]);
          json_object_set_double_member (ev, "saturated_fraction_step0", f->init_sat[sat]);
        }
    }
  if (isfinite (f->ratio_mean) && f->ratio_mean > 3e-2)
    {
      g_autofree char *text = g_strdup_printf (" Each step changes the weights by %.1e of their size (healthy: "
                                               "~1e-3).", f->ratio_mean);
      _ts_rule_append_to_message (out, text);
      _ts_rule_add_consequence (ev, "update_ratio_high");
    }
  _ts_rule_append_to_message (out, why->str);
  json_object_set_string_member (ev, "cause", "lr");
  json_object_set_string_member (ev, "appeared", "during training");
  if (curve)
    json_object_set_string_member (ev, "curve", curve);
  _ts_rule_loss_evidence (f, ev);
  json_node_take_object (_ts_rule_last_added (out)->evidence, ev);
}

/* how far to raise a low LR: ×10, or as far as brings the largest update
 * ratio to the healthy ~1e-3 (it grows with the LR), up to ×100 */
static double
raise_factor (const TsAdvisorFacts *f)
{
  double wanted = isfinite (f->ratio_max) && f->ratio_max > 0 ? 1e-3 / f->ratio_max : 10;
  return round (CLAMP (wanted, 10, 100) / 10) * 10;
}

/* the schedule has already divided the LR a lot: the fix is the schedule */
static char *
schedule_action (const TsAdvisorFacts *f, double *divided)
{
  const TsTrainSpec *train = &f->in->exp->train;

  *divided = train->lr / f->lr_now;
  if (*divided < 8)
    return NULL;
  switch (train->schedule.type)
    {
    case TS_SCHED_STEP:
    case TS_SCHED_EXP:
      return g_strdup ("train.schedule.type=plateau");
    case TS_SCHED_PLATEAU:
      return g_strdup_printf ("train.schedule.patience=%u", train->schedule.patience * 2 + 1);
    default:
      return NULL;
    }
}

/* the schedule divided the LR so early that the loss stopped falling well
 * short of a good fit */
static gboolean
schedule_stalled (const TsAdvisorFacts *f, GPtrArray *out)
{
  double divided = 1, late;
  g_autofree char *action = schedule_action (f, &divided);
  guint q = f->n_epochs * 3 / 4;
  JsonObject *ev;

  if (action == NULL || f->n_epochs < 4 || f->last->train_acc > 0.9)
    return FALSE;
  late = ts_metric_log_epoch (f->in->epochs, q)->train_loss;
  if (late - f->loss_last > 0.05 * late)
    return FALSE; /* still falling: rule_lr_low looks at it */
  ev = _ts_advice_add (out, "lr_too_low", TS_SEVERITY_WARNING, 0.8, action,
                       "The loss stopped falling at %.3g (epoch %u: %.3g) with the training accuracy at %.1f%%, "
                       "because the schedule has already divided the learning rate by %.3g (now %.2g): it decays "
                       "too early. %s", f->loss_last, q + 1, late, 100 * f->last->train_acc,
                       divided, f->lr_now,
                       f->in->exp->train.schedule.type == TS_SCHED_PLATEAU
                         ? "Wait longer before each division."
                         : "Divide it only when the validation loss stalls (a plateau schedule).");
  json_object_set_string_member (ev, "cause", "schedule");
  json_object_set_string_member (ev, "appeared", "during training");
  json_object_set_double_member (ev, "lr_now", f->lr_now);
  json_object_set_double_member (ev, "divided_by", divided);
  _ts_rule_loss_evidence (f, ev);
  return TRUE;
}

/* so large a batch that an epoch is a handful of steps: the run has taken
 * too few to get anywhere */
static gboolean
few_steps (const TsAdvisorFacts *f, GPtrArray *out)
{
  double per_epoch = (double) f->n_steps / f->n_epochs;
  guint batch = f->in->exp->train.batch_size, smaller = MAX (32, batch / 16);
  double share = f->step_first > f->step_mid && f->step_mid > f->step_last
                   ? (f->step_mid - f->step_last) / (f->step_first - f->step_last) : 0;
  JsonObject *ev;
  g_autofree char *action = NULL;

  if (per_epoch >= 8 || batch <= smaller || !f->falling || share < 0.1 || f->last->train_acc > 0.9)
    return FALSE;
  action = g_strdup_printf ("train.batch_size=%u", smaller);
  ev = _ts_advice_add (out, "lr_too_low", TS_SEVERITY_WARNING, 0.7, action,
                       "The loss still falls (epoch losses %.3g → %.3g, %.0f%% of the fall in the second half) "
                       "after only %zu steps: batches of %u make an epoch %.0f steps. Use batches of %u, so each "
                       "epoch takes %u× as many steps.", f->loss_first, f->loss_last, 100 * share, f->n_steps,
                       batch, per_epoch, smaller, batch / smaller);
  json_object_set_string_member (ev, "cause", "batch_size");
  json_object_set_string_member (ev, "appeared", "during training");
  json_object_set_double_member (ev, "steps_per_epoch", per_epoch);
  _ts_rule_loss_evidence (f, ev);
  return TRUE;
}

void
_ts_rules_lr_low (const TsAdvisorFacts *f, GPtrArray *out)
{
  double drop, share;
  gboolean slow, still, cut_short;
  g_autoptr(GString) why = g_string_new (NULL);
  g_autofree char *action = NULL;
  JsonObject *ev;

  if (f->in->diverged || _ts_rule_explained (out) || f->n_steps < 40 || f->n_epochs < 2)
    return;
  if (schedule_stalled (f, out) || few_steps (f, out) || !f->falling)
    return;
  drop = (f->loss_first - f->loss_last) / f->loss_first;
  /* the share of the fall in the second half of the run: in [0, 1] when
   * the smoothed loss falls through the middle */
  share = f->step_first > f->step_mid && f->step_mid > f->step_last
            ? (f->step_mid - f->step_last) / (f->step_first - f->step_last) : 0;
  slow = drop < 0.5 && share > 0.15;
  still = share > 0.1 && isfinite (f->ratio_max) && f->ratio_max < 5e-4;
  /* a fast first fall, then the run ends mid-descent short of a fit while
   * the weights move less than a healthy step: the LR, not the model's size */
  cut_short = f->still_falling && _ts_rule_both_low (f) && isfinite (f->ratio_max) && f->ratio_max < 1e-3;
  if (!(f->loss_last > 0.3 * f->expected && (slow || still || cut_short)))
    return;
  ev = json_object_new ();
  action = lr_action (f, FALSE, raise_factor (f), why, ev);
  /* weights that barely move (every layer under 1e-4 of its size a step,
   * a tenth of healthy) are worse than a merely slow descent */
  if (slow || still)
    _ts_advice_add (out, "lr_too_low", isfinite (f->ratio_max) && f->ratio_max < 1e-4 ? TS_SEVERITY_CRITICAL
                                                                                      : TS_SEVERITY_WARNING,
                    CLAMP (0.5 + share, 0, 0.95), action,
                    "The loss falls slowly and steadily (epoch losses %.3g → %.3g, %.0f%% of the fall in the "
                    "second half): the learning rate %.2g is too low; raise it %.0f×.", f->loss_first,
                    f->loss_last, 100 * share, f->in->exp->train.lr, raise_factor (f));
  else
    _ts_advice_add (out, "lr_too_low", TS_SEVERITY_WARNING, 0.7, action,
                    "Training and validation accuracy are both low (%.1f%%, %.1f%%), and the loss still falls at "
                    "the end (epoch %u: %.3g → %.3g) while no layer's step moves its weights by more than %.1e "
                    "of their size (healthy: ~1e-3): the learning rate %.2g is too low for this run, not the model "
                    "too small; raise it %.0f×.", 100 * f->last->train_acc, 100 * f->last->val_acc,
                    f->late_epoch + 1, ts_metric_log_epoch (f->in->epochs, f->late_epoch)->train_loss,
                    f->loss_last, f->ratio_max, f->in->exp->train.lr, raise_factor (f));
  json_object_set_string_member (ev, "cause", "lr");
  if (isfinite (f->ratio_max) && f->ratio_max < 1e-4)
    {
      g_autofree char *text = g_strdup_printf (" No layer's step moves its weights by more than %.1e of their "
                                               "size (healthy: ~1e-3).", f->ratio_max);
      _ts_rule_append_to_message (out, text);
      _ts_rule_add_consequence (ev, "update_ratio_low");
    }
  _ts_rule_append_to_message (out, why->str);
  json_object_set_string_member (ev, "appeared", "during training");
  json_object_set_double_member (ev, "second_half_share", share);
  _ts_rule_loss_evidence (f, ev);
  json_node_take_object (_ts_rule_last_added (out)->evidence, ev);
}

/* each layer with weights and its ratio lately, for the evidence: pool
 * and global average pool layers have none and are left out */
static void
ratio_evidence (const TsAdvisorFacts *f, JsonObject *ev)
{
  JsonArray *layers = json_array_new ();

  for (guint l = 0; l < f->n_layers; l++)
    if (isfinite (f->ratio[l]))
      {
        JsonObject *o = json_object_new ();
        json_object_set_int_member (o, "layer", l + 1);
        json_object_set_string_member (o, "kind", l >= f->n_hidden ? "output"
                                                  : f->kind[l] == TS_LAYER_CONV ? "conv"
                                                  : f->kind[l] == TS_LAYER_BATCHNORM ? "batchnorm" : "dense");
        json_object_set_double_member (o, "update_ratio", f->ratio[l]);
        json_array_add_object_element (layers, o);
      }
  json_object_set_array_member (ev, "layers", layers);
}

/* ‖ΔW‖/‖W‖ far from ~1e-3 while the curve says nothing clear */
void
_ts_rules_update_ratio (const TsAdvisorFacts *f, GPtrArray *out)
{
  g_autoptr(GString) why = g_string_new (NULL);
  g_autofree char *action = NULL;
  g_autofree char *worst = NULL;
  JsonObject *ev = NULL;

  if (f->in->diverged || _ts_rule_explained (out) || !isfinite (f->ratio_mean))
    return;
  worst = _ts_layer_title (f, f->ratio_worst);
  if (f->ratio_max < 1e-4 && f->last && f->last->train_acc < 0.9 && f->lr_now >= f->in->exp->train.lr / 8)
    {
      ev = json_object_new ();
      action = lr_action (f, FALSE, 10, why, ev);
      _ts_advice_add (out, "update_ratio_low", TS_SEVERITY_WARNING, 0.7, action,
                      "Each step changes the weights by at most %.1e of their size (in %s; every other layer "
                      "less), far below the ~1e-3 of a healthy run: raise the learning rate.", f->ratio_max, worst);
    }
  else if (f->ratio_mean > 3e-2)
    {
      ev = json_object_new ();
      action = lr_action (f, TRUE, 10, why, ev);
      _ts_advice_add (out, "update_ratio_high", TS_SEVERITY_WARNING, 0.7, action,
                      "Each step changes the weights by %.1e of their size (%.1e in %s), far above the ~1e-3 of a "
                      "healthy run: lower the learning rate.", f->ratio_mean, f->ratio_max, worst);
    }
  else
    return;
  _ts_rule_append_to_message (out, why->str);
  json_object_set_double_member (ev, "update_ratio", f->ratio_mean);
  json_object_set_double_member (ev, "update_ratio_max", f->ratio_max);
  json_object_set_int_member (ev, "update_ratio_max_layer", f->ratio_worst + 1);
  ratio_evidence (f, ev);
  json_object_set_string_member (ev, "cause", "lr");
  json_node_take_object (_ts_rule_last_added (out)->evidence, ev);
}
