/* The advisor's rules, by cause. Each cause is looked for where it shows
 * first — the initialisation in the layers at step 0, the learning rate in
 * what appears once training runs, capacity and regularisation in the
 * accuracies — and gives one primary advice whose message and evidence
 * fold in the symptoms it explains ("consequences"). Every action changes
 * the experiment, and is the fix for the cause the message names.
 * Thresholds are the classic rules of thumb (CS231n): the first softmax
 * loss near ln C, update/weight ratios near 1e-3, activations that neither
 * die out nor blow up with depth. */
#include "ts-advisor-private.h"

#include <math.h>

/* ---- helpers ------------------------------------------------------------------- */

/* a primary advice at warning or above already explains the run */
static gboolean
explained (GPtrArray *out)
{
  for (guint i = 0; i < out->len; i++)
    if (((TsAdvice *) out->pdata[i])->severity > TS_SEVERITY_INFO)
      return TRUE;
  return FALSE;
}

static gboolean
squashing (TsActivation a)
{
  return a == TS_ACT_TANH || a == TS_ACT_SIGMOID;
}

/* the init that keeps the signal's scale through this activation */
static TsInit
fitting_init (TsActivation a)
{
  return squashing (a) ? TS_INIT_XAVIER : TS_INIT_HE;
}

static const char *
init_name (TsInit init)
{
  static const char *const names[] = { "zero", "small", "xavier", "he", "orthogonal" };
  return names[init];
}

static void
add_consequence (JsonObject *ev, const char *code)
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

static TsAdvice *
last_added (GPtrArray *out)
{
  return out->pdata[out->len - 1];
}

static void
append_to_message (GPtrArray *out, const char *text)
{
  TsAdvice *a = last_added (out);
  char *joined;

  if (text == NULL || *text == '\0')
    return;
  joined = g_strconcat (a->message, text, NULL);
  g_free (a->message);
  a->message = joined;
}

/* the deepest hidden layer where a field is largest */
static guint
worst_layer (const TsAdvisorFacts *f, const double *v, gboolean (*counts) (TsActivation))
{
  guint worst = G_MAXUINT;
  for (guint l = 0; l < f->n_hidden; l++)
    if (counts (f->act[l]) && (worst == G_MAXUINT || v[l] >= v[worst]))
      worst = l;
  return worst;
}

static gboolean
plain_relu (TsActivation a)
{
  return a == TS_ACT_RELU;
}

/* ---- the initialisation: what the step-0 measurements show ---------------------------------- */

static gboolean
init_vanishing (const TsAdvisorFacts *f)
{
  double last = f->init_std[f->n_hidden - 1];
  return f->n_hidden >= 2 && last < 0.02 && last < 0.1 * f->init_std[0];
}

static gboolean
init_exploding (const TsAdvisorFacts *f)
{
  double last = f->init_std[f->n_hidden - 1];
  return f->n_hidden >= 2 && last > 50 && last > 10 * f->init_std[0];
}

/* "model.init=xavier" when that changes the init, else NULL */
static char *
init_action (const TsAdvisorFacts *f)
{
  TsInit want = fitting_init (f->act[0]);
  return want != f->in->exp->model.init ? g_strdup_printf ("model.init=%s", init_name (want)) : NULL;
}

static void
flat_loss_consequence (const TsAdvisorFacts *f, GPtrArray *out, JsonObject *ev)
{
  g_autofree char *text = NULL;
  if (!(f->n_epochs >= 2 && !f->falling))
    return;
  text = g_strdup_printf (" This is why the loss stays near %.3g (epoch 1: %.3g).", f->loss_last, f->loss_first);
  append_to_message (out, text);
  add_consequence (ev, "lr_too_low");
  add_consequence (ev, "plateau_decay");
}

static void
rule_init_vanishing (const TsAdvisorFacts *f, GPtrArray *out)
{
  g_autofree char *action = init_action (f);
  double first = f->init_std[0], last = f->init_std[f->n_hidden - 1];
  JsonObject *ev;

  ev = _ts_advice_add (out, "vanishing_activations", TS_SEVERITY_WARNING, 0.85, action ? action : "",
                       "At step 0 the activations already shrink with depth (std %.3g in the first hidden layer, "
                       "%.3g in layer %u): the %s initialisation is too small for %u layers, so the signal dies "
                       "out before it reaches the output.%s",
                       first, last, f->n_hidden, init_name (f->in->exp->model.init), f->n_hidden,
                       action ? "" : " The init already suits the activation: use fewer layers.");
  if (action)
    append_to_message (out, squashing (f->act[0]) ? " Use xavier (1/√fan_in)." : " Use he (√(2/fan_in)).");
  json_object_set_string_member (ev, "cause", "init");
  json_object_set_string_member (ev, "appeared", "step 0");
  json_object_set_double_member (ev, "first_std", first);
  json_object_set_double_member (ev, "last_std", last);
  flat_loss_consequence (f, out, ev);
  add_consequence (ev, "update_ratio_low");
}

static void
rule_init_exploding (const TsAdvisorFacts *f, GPtrArray *out)
{
  g_autofree char *action = init_action (f);
  double first = f->init_std[0], last = f->init_std[f->n_hidden - 1];
  JsonObject *ev;

  if (action == NULL && f->in->exp->model.init == TS_INIT_SMALL)
    action = g_strdup_printf ("model.init_scale=%.2g", f->in->exp->model.init_scale / 10);
  ev = _ts_advice_add (out, "exploding_activations", TS_SEVERITY_WARNING, 0.85, action ? action : "",
                       "At step 0 the activations grow with depth (std %.3g in the first hidden layer, %.3g in "
                       "layer %u): the %s initialisation starts the weights too large.",
                       first, last, f->n_hidden, init_name (f->in->exp->model.init));
  json_object_set_string_member (ev, "cause", "init");
  json_object_set_string_member (ev, "appeared", "step 0");
  json_object_set_double_member (ev, "first_std", first);
  json_object_set_double_member (ev, "last_std", last);
  if (isfinite (f->first_loss) && f->first_loss > 3 * f->expected)
    {
      g_autofree char *text = g_strdup_printf (" This is why the first loss was %.3g, not ln %u = %.3g.",
                                               f->first_loss, f->in->n_classes, f->expected);
      append_to_message (out, text);
      add_consequence (ev, "initial_loss_unexpected");
    }
}

static void
rule_init_saturated (const TsAdvisorFacts *f, GPtrArray *out, guint layer)
{
  g_autofree char *action = init_action (f);
  gboolean raw = f->in->exp->data.preprocess == TS_PRE_NONE;
  JsonObject *ev;

  if (action == NULL && raw)
    action = g_strdup ("data.preprocess=standardize");
  ev = _ts_advice_add (out, "saturated_units", TS_SEVERITY_WARNING, MIN (1.0, f->init_sat[layer] + 0.3),
                       action ? action : "",
                       "At step 0, %.0f%% of the outputs of hidden layer %u already sit at the limits of their "
                       "activation, where its gradient is almost zero: %s", 100 * f->init_sat[layer], layer + 1,
                       action && g_str_has_prefix (action, "model.init")
                         ? "the weights start too large; use xavier."
                         : raw ? "the inputs are not scaled; standardise them."
                               : "the weights start too large for this input.");
  json_object_set_string_member (ev, "cause", action && g_str_has_prefix (action, "data") ? "data" : "init");
  json_object_set_string_member (ev, "appeared", "step 0");
  json_object_set_int_member (ev, "layer", layer + 1);
  json_object_set_double_member (ev, "saturated_fraction_step0", f->init_sat[layer]);
  json_object_set_double_member (ev, "saturated_fraction", f->now_sat[layer]);
}

static void
rule_init_dead (const TsAdvisorFacts *f, GPtrArray *out, guint layer)
{
  g_autofree char *action = init_action (f);
  JsonObject *ev;

  ev = _ts_advice_add (out, "dead_units", f->init_dead[layer] > 0.8 ? TS_SEVERITY_CRITICAL : TS_SEVERITY_WARNING,
                       MIN (1.0, f->init_dead[layer] + 0.2), action ? action : "model.activation=leaky_relu",
                       "At step 0, %.0f%% of the ReLUs of hidden layer %u never activate on a batch: the %s "
                       "initialisation leaves them without a gradient%s.", 100 * f->init_dead[layer], layer + 1,
                       init_name (f->in->exp->model.init), action ? "; use he" : "; use leaky ReLU");
  json_object_set_string_member (ev, "cause", "init");
  json_object_set_string_member (ev, "appeared", "step 0");
  json_object_set_int_member (ev, "layer", layer + 1);
  json_object_set_double_member (ev, "dead_fraction_step0", f->init_dead[layer]);
  flat_loss_consequence (f, out, ev);
}

/* the first loss far from ln C with nothing in the layers to say why: the
 * data's scale, or an init that is not calibrated */
static void
rule_initial_loss (const TsAdvisorFacts *f, GPtrArray *out)
{
  gboolean raw = f->in->exp->data.preprocess == TS_PRE_NONE;
  g_autofree char *action = raw ? g_strdup ("data.preprocess=standardize") : init_action (f);
  JsonObject *ev;

  if (f->in->exp->train.loss != TS_LOSS_SOFTMAX || !isfinite (f->first_loss)
      || (f->first_loss < 3.0 * f->expected && f->first_loss > 0.5 * f->expected))
    return;
  ev = _ts_advice_add (out, "initial_loss_unexpected", TS_SEVERITY_WARNING, 0.7, action ? action : "",
                       "The first loss was %.3g where ln(%u) = %.3g was expected: %s", f->first_loss,
                       f->in->n_classes, f->expected,
                       raw ? "the inputs enter unscaled (data.preprocess none), so the first logits are far "
                             "from zero; standardise them."
                           : action ? "the initialisation's scale is off; use the one calibrated for the "
                                      "activation."
                                    : "check the data's scale and the initialisation.");
  json_object_set_string_member (ev, "cause", raw ? "data" : "init");
  json_object_set_string_member (ev, "appeared", "step 0");
  json_object_set_double_member (ev, "first_loss", f->first_loss);
  json_object_set_double_member (ev, "expected", f->expected);
}

void
_ts_rules_init (const TsAdvisorFacts *f, GPtrArray *out)
{
  guint dead = f->n_layers ? worst_layer (f, f->init_dead, plain_relu) : G_MAXUINT;
  guint sat = f->n_layers ? worst_layer (f, f->init_sat, squashing) : G_MAXUINT;

  /* unscaled inputs show first, in the first loss: what they do to the
   * layers at step 0 follows from them */
  if (f->in->exp->data.preprocess == TS_PRE_NONE && isfinite (f->first_loss)
      && (f->first_loss >= 3.0 * f->expected || f->first_loss <= 0.5 * f->expected))
    return rule_initial_loss (f, out);
  if (f->n_layers >= 2)
    {
      if (dead != G_MAXUINT && f->init_dead[dead] > 0.4)
        return rule_init_dead (f, out, dead);
      if (init_vanishing (f))
        return rule_init_vanishing (f, out);
      if (init_exploding (f))
        return rule_init_exploding (f, out);
      if (sat != G_MAXUINT && f->init_sat[sat] > 0.3)
        return rule_init_saturated (f, out, sat);
    }
  rule_initial_loss (f, out);
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

static void
loss_evidence (const TsAdvisorFacts *f, JsonObject *ev)
{
  JsonArray *losses = json_array_new ();
  for (guint i = 0; i < f->n_epochs; i++)
    json_array_add_double_element (losses, ts_metric_log_epoch (f->in->epochs, i)->train_loss);
  json_object_set_array_member (ev, "epoch_train_loss", losses);
}

void
_ts_rules_lr_high (const TsAdvisorFacts *f, GPtrArray *out)
{
  const char *curve = high_lr_curve (f);
  guint dead = f->n_layers ? worst_layer (f, f->now_dead, plain_relu) : G_MAXUINT;
  guint sat = f->n_layers ? worst_layer (f, f->now_sat, squashing) : G_MAXUINT;
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
  gboolean vanished = f->n_hidden >= 2 && f->now_std[f->n_hidden - 1] < 0.02;
  g_autoptr(GString) why = g_string_new (NULL);
  g_autofree char *action = NULL;
  JsonObject *ev;

  if (f->in->diverged || explained (out) || (!curve && !dead_grew && !sat_grew))
    return;
  ev = json_object_new (); /* filled below, then moved into the advice */
  action = lr_action (f, TRUE, 5, why, ev);
  if (dead_grew)
    {
      _ts_advice_add (out, "dead_units", f->now_dead[dead] > 0.8 ? TS_SEVERITY_CRITICAL : TS_SEVERITY_WARNING,
                      MIN (1.0, f->now_dead[dead] + 0.2), action,
                      "%.0f%% of the ReLUs of hidden layer %u died during training (%.0f%% at step 0): the "
                      "learning rate %.2g is too high — large steps pushed them where no input makes them fire, "
                      "and a dead ReLU gets no gradient to come back. Divide it by 5.",
                      100 * f->now_dead[dead], dead + 1, 100 * f->init_dead[dead], f->in->exp->train.lr);
      json_object_set_int_member (ev, "layer", dead + 1);
      json_object_set_double_member (ev, "dead_fraction", f->now_dead[dead]);
      json_object_set_double_member (ev, "dead_fraction_step0", f->init_dead[dead]);
      if (vanished)
        {
          append_to_message (out, " The dead units are why the activations vanish in the last hidden layer");
          add_consequence (ev, "vanishing_activations");
        }
      if (f->n_epochs >= 2 && !f->falling)
        {
          g_autofree char *text = g_strdup_printf ("%s the loss plateaus at %.3g", vanished ? ", and why" : " The dead units are why",
                                                   f->loss_last);
          append_to_message (out, text);
          add_consequence (ev, "plateau_decay");
        }
      if (vanished || (f->n_epochs >= 2 && !f->falling))
        append_to_message (out, ".");
    }
  else if (sat_grew && !curve)
    {
      _ts_advice_add (out, "saturated_units", TS_SEVERITY_WARNING, MIN (1.0, f->now_sat[sat] + 0.2), action,
                      "%.0f%% of the outputs of hidden layer %u sit at the limits of their activation, where its "
                      "gradient is almost zero — %.0f%% at step 0: training put them there, not the "
                      "initialisation. The learning rate %.2g is too high; divide it by 5.",
                      100 * f->now_sat[sat], sat + 1, 100 * f->init_sat[sat], f->in->exp->train.lr);
      json_object_set_int_member (ev, "layer", sat + 1);
      json_object_set_double_member (ev, "saturated_fraction", f->now_sat[sat]);
      json_object_set_double_member (ev, "saturated_fraction_step0", f->init_sat[sat]);
      if (curve)
        {
          g_autofree char *text = g_strdup_printf (" The loss %s (epoch losses %.3g → %.3g, lowest %.3g).", curve,
                                                   f->loss_first, f->loss_last, f->loss_min);
          append_to_message (out, text);
          add_consequence (ev, "lr_too_high");
        }
    }
  else
    {
      _ts_advice_add (out, "lr_too_high", TS_SEVERITY_WARNING, 0.75, action,
                      "The loss %s (epoch losses %.3g → %.3g, lowest %.3g): the learning rate %.2g is too high; "
                      "divide it by 5.", curve, f->loss_first, f->loss_last, f->loss_min, f->in->exp->train.lr);
      if (sat_grew)
        {
          g_autofree char *text = g_strdup_printf (" The large steps are also why %.0f%% of the outputs of hidden "
                                                   "layer %u now sit at the limits of their activation (%.0f%% at "
                                                   "step 0): the initialisation is not to blame.",
                                                   100 * f->now_sat[sat], sat + 1, 100 * f->init_sat[sat]);
          append_to_message (out, text);
          add_consequence (ev, "saturated_units");
          json_object_set_double_member (ev, "saturated_fraction", f->now_sat[sat]);
          json_object_set_double_member (ev, "saturated_fraction_step0", f->init_sat[sat]);
        }
    }
  if (isfinite (f->ratio_mean) && f->ratio_mean > 3e-2)
    {
      g_autofree char *text = g_strdup_printf (" Each step changes the weights by %.1e of their size (healthy: "
                                               "~1e-3).", f->ratio_mean);
      append_to_message (out, text);
      add_consequence (ev, "update_ratio_high");
    }
  append_to_message (out, why->str);
  json_object_set_string_member (ev, "cause", "lr");
  json_object_set_string_member (ev, "appeared", "during training");
  if (curve)
    json_object_set_string_member (ev, "curve", curve);
  loss_evidence (f, ev);
  json_node_take_object (last_added (out)->evidence, ev);
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
  loss_evidence (f, ev);
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
  loss_evidence (f, ev);
  return TRUE;
}

/* both accuracies under 80% with no gap: the model has not fit the data */
static gboolean
both_low (const TsAdvisorFacts *f)
{
  return f->last && !isnan (f->last->val_acc) && f->last->train_acc - f->last->val_acc < 0.03
         && f->last->train_acc < 0.8;
}

void
_ts_rules_lr_low (const TsAdvisorFacts *f, GPtrArray *out)
{
  double drop, share;
  gboolean slow, still, cut_short;
  g_autoptr(GString) why = g_string_new (NULL);
  g_autofree char *action = NULL;
  JsonObject *ev;

  if (f->in->diverged || explained (out) || f->n_steps < 40 || f->n_epochs < 2)
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
  cut_short = f->still_falling && both_low (f) && isfinite (f->ratio_max) && f->ratio_max < 1e-3;
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
      append_to_message (out, text);
      add_consequence (ev, "update_ratio_low");
    }
  append_to_message (out, why->str);
  json_object_set_string_member (ev, "appeared", "during training");
  json_object_set_double_member (ev, "second_half_share", share);
  loss_evidence (f, ev);
  json_node_take_object (last_added (out)->evidence, ev);
}

/* ‖ΔW‖/‖W‖ far from ~1e-3 while the curve says nothing clear */
void
_ts_rules_update_ratio (const TsAdvisorFacts *f, GPtrArray *out)
{
  g_autoptr(GString) why = g_string_new (NULL);
  g_autofree char *action = NULL;
  JsonObject *ev = NULL;

  if (f->in->diverged || explained (out) || !isfinite (f->ratio_mean))
    return;
  if (f->ratio_max < 1e-4 && f->last && f->last->train_acc < 0.9 && f->lr_now >= f->in->exp->train.lr / 8)
    {
      ev = json_object_new ();
      action = lr_action (f, FALSE, 10, why, ev);
      _ts_advice_add (out, "update_ratio_low", TS_SEVERITY_WARNING, 0.7, action,
                      "Each step changes the weights by at most %.1e of their size, far below the ~1e-3 of a "
                      "healthy run: raise the learning rate.", f->ratio_max);
    }
  else if (f->ratio_mean > 3e-2)
    {
      ev = json_object_new ();
      action = lr_action (f, TRUE, 10, why, ev);
      _ts_advice_add (out, "update_ratio_high", TS_SEVERITY_WARNING, 0.7, action,
                      "Each step changes the weights by %.1e of their size, far above the ~1e-3 of a healthy "
                      "run: lower the learning rate.", f->ratio_mean);
    }
  else
    return;
  append_to_message (out, why->str);
  json_object_set_double_member (ev, "update_ratio", f->ratio_mean);
  json_object_set_double_member (ev, "update_ratio_max", f->ratio_max);
  json_object_set_string_member (ev, "cause", "lr");
  json_node_take_object (last_added (out)->evidence, ev);
}

/* ---- the schedule ---------------------------------------------------------------------------- */

void
_ts_rules_plateau (const TsAdvisorFacts *f, GPtrArray *out)
{
  gsize since = 0;
  double best = G_MAXDOUBLE;
  guint patience;
  JsonObject *ev;

  if (f->in->diverged || f->n_epochs < 8 || f->in->exp->train.schedule.type != TS_SCHED_NONE || explained (out))
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

  if (e == NULL || f->in->diverged || explained (out) || e->train_acc >= 0.8 || (t->l2 < 1e-2 && t->l1 < 1e-3)
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
      guint dead = worst_layer (f, f->now_dead, plain_relu);
      if (dead != G_MAXUINT && f->now_dead[dead] > 0.4)
        {
          g_autofree char *text = g_strdup_printf (" That is also why %.0f%% of the ReLUs of hidden layer %u no "
                                                   "longer fire.", 100 * f->now_dead[dead], dead + 1);
          append_to_message (out, text);
          add_consequence (ev, "dead_units");
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
  if (gap > 0.1 && !explained (out))
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
  else if (both_low (f) && !explained (out))
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
        loss_evidence (f, ev);
    }
  else
    return;
  json_object_set_int_member (ev, "epoch", e->epoch);
  json_object_set_double_member (ev, "train_acc", e->train_acc);
  json_object_set_double_member (ev, "val_acc", e->val_acc);
}
