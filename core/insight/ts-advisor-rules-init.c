/* The advisor's rules on the initialisation: what the layers show at
 * step 0, before any step could be blamed (ts-advisor-rules.c says how the
 * rules work together). */
#include "ts-advisor-private.h"

#include <math.h>

/* ---- the initialisation: what the step-0 measurements show ---------------------------------- */

/* the init that keeps the signal's scale through this activation */
static TsInit
fitting_init (TsActivation a)
{
  return _ts_rule_squashing (a) ? TS_INIT_XAVIER : TS_INIT_HE;
}

static const char *
init_name (TsInit init)
{
  static const char *const names[] = { "zero", "small", "xavier", "he", "orthogonal" };
  return names[init];
}

static gboolean
init_vanishing (const TsAdvisorFacts *f)
{
  double last = _ts_rule_deep (f) ? f->init_std[f->last_weighted] : 0;
  return _ts_rule_deep (f) && last < 0.02 && last < 0.1 * f->init_std[f->first_weighted];
}

static gboolean
init_exploding (const TsAdvisorFacts *f)
{
  double last = _ts_rule_deep (f) ? f->init_std[f->last_weighted] : 0;
  return _ts_rule_deep (f) && last > 50 && last > 10 * f->init_std[f->first_weighted];
}

/* "model.init=xavier" when that changes the init, else NULL */
static char *
init_action (const TsAdvisorFacts *f)
{
  TsInit want = fitting_init (f->first_weighted != G_MAXUINT ? f->act[f->first_weighted] : f->act[0]);
  return want != f->in->exp->model.init ? g_strdup_printf ("model.init=%s", init_name (want)) : NULL;
}

static void
flat_loss_consequence (const TsAdvisorFacts *f, GPtrArray *out, JsonObject *ev)
{
  g_autofree char *text = NULL;
  if (!(f->n_epochs >= 2 && !f->falling))
    return;
  text = g_strdup_printf (" This is why the loss stays near %.3g (epoch 1: %.3g).", f->loss_last, f->loss_first);
  _ts_rule_append_to_message (out, text);
  _ts_rule_add_consequence (ev, "lr_too_low");
  _ts_rule_add_consequence (ev, "plateau_decay");
}

static void
rule_init_vanishing (const TsAdvisorFacts *f, GPtrArray *out)
{
  g_autofree char *action = init_action (f);
  g_autofree char *first_title = _ts_layer_title (f, f->first_weighted);
  g_autofree char *last_title = _ts_layer_title (f, f->last_weighted);
  double first = f->init_std[f->first_weighted], last = f->init_std[f->last_weighted];
  JsonObject *ev;

  ev = _ts_advice_add (out, "vanishing_activations", TS_SEVERITY_WARNING, 0.85, action ? action : "",
                       "At step 0 the activations already shrink with depth (std %.3g in %s, %.3g in %s): the %s "
                       "initialisation is too small for %u %slayers, so the signal dies out before it reaches the "
                       "output.%s", first, first_title, last, last_title, init_name (f->in->exp->model.init),
                       f->n_weighted, f->n_conv == f->n_weighted ? "conv " : f->conv ? "conv and dense " : "",
                       action ? "" : " The init already suits the activation: use fewer layers.");
  if (action)
    _ts_rule_append_to_message (out, _ts_rule_squashing (f->act[f->first_weighted])
                              ? f->conv ? " Use xavier (1/√fan_in, fan_in = C·k·k for a conv layer)." : " Use xavier (1/√fan_in)."
                              : f->conv ? " Use he (√(2/fan_in), fan_in = C·k·k for a conv layer)." : " Use he (√(2/fan_in)).");
  json_object_set_string_member (ev, "cause", "init");
  json_object_set_string_member (ev, "appeared", "step 0");
  json_object_set_double_member (ev, "first_std", first);
  json_object_set_double_member (ev, "last_std", last);
  json_object_set_int_member (ev, "layer", f->last_weighted + 1);
  flat_loss_consequence (f, out, ev);
  _ts_rule_add_consequence (ev, "update_ratio_low");
}

static void
rule_init_exploding (const TsAdvisorFacts *f, GPtrArray *out)
{
  g_autofree char *action = init_action (f);
  g_autofree char *first_title = _ts_layer_title (f, f->first_weighted);
  g_autofree char *last_title = _ts_layer_title (f, f->last_weighted);
  double first = f->init_std[f->first_weighted], last = f->init_std[f->last_weighted];
  JsonObject *ev;

  if (action == NULL && f->in->exp->model.init == TS_INIT_SMALL)
    action = g_strdup_printf ("model.init_scale=%.2g", f->in->exp->model.init_scale / 10);
  ev = _ts_advice_add (out, "exploding_activations", TS_SEVERITY_WARNING, 0.85, action ? action : "",
                       "At step 0 the activations grow with depth (std %.3g in %s, %.3g in %s): the %s "
                       "initialisation starts the weights too large.",
                       first, first_title, last, last_title, init_name (f->in->exp->model.init));
  json_object_set_string_member (ev, "cause", "init");
  json_object_set_string_member (ev, "appeared", "step 0");
  json_object_set_double_member (ev, "first_std", first);
  json_object_set_double_member (ev, "last_std", last);
  if (isfinite (f->first_loss) && f->first_loss > 3 * f->expected)
    {
      g_autofree char *text = g_strdup_printf (" This is why the first loss was %.3g, not ln %u = %.3g.",
                                               f->first_loss, f->in->n_classes, f->expected);
      _ts_rule_append_to_message (out, text);
      _ts_rule_add_consequence (ev, "initial_loss_unexpected");
    }
}

static void
rule_init_saturated (const TsAdvisorFacts *f, GPtrArray *out, guint layer)
{
  g_autofree char *action = init_action (f);
  gboolean raw = f->in->exp->data.preprocess == TS_PRE_NONE;
  g_autofree char *title = _ts_layer_title (f, layer);
  JsonObject *ev;

  if (action == NULL && raw)
    action = g_strdup ("data.preprocess=standardize");
  ev = _ts_advice_add (out, "saturated_units", TS_SEVERITY_WARNING, MIN (1.0, f->init_sat[layer] + 0.3),
                       action ? action : "",
                       "At step 0, %.0f%% of the outputs of %s%s already sit at the limits of their "
                       "activation, where its gradient is almost zero: %s", 100 * f->init_sat[layer], title,
                       _ts_layer_is_maps (f, layer) ? " (over all its channels and positions)" : "",
                       action && g_str_has_prefix (action, "model.init")
                         ? "the weights start too large; use xavier."
                         : raw ? "the inputs are not scaled; standardise them."
                               : "the weights start too large for this input.");
  json_object_set_string_member (ev, "cause", action && g_str_has_prefix (action, "data") ? "data" : "init");
  json_object_set_string_member (ev, "appeared", "step 0");
  json_object_set_int_member (ev, "layer", layer + 1);
  json_object_set_double_member (ev, "saturated_fraction_step0", f->init_sat[layer]);
  json_object_set_double_member (ev, "saturated_fraction", f->now_sat[layer]);
  json_object_set_string_member (ev, "unit", _ts_layer_is_maps (f, layer) ? "channel" : "unit");
}

static void
rule_init_dead (const TsAdvisorFacts *f, GPtrArray *out, guint layer)
{
  g_autofree char *action = init_action (f);
  g_autofree char *title = _ts_layer_title (f, layer);
  JsonObject *ev;

  ev = _ts_advice_add (out, "dead_units", f->init_dead[layer] > 0.8 ? TS_SEVERITY_CRITICAL : TS_SEVERITY_WARNING,
                       MIN (1.0, f->init_dead[layer] + 0.2), action ? action : "model.activation=leaky_relu",
                       "At step 0, %.0f%% of the %s of %s never activate on a batch%s: the %s "
                       "initialisation leaves them without a gradient%s.", 100 * f->init_dead[layer],
                       _ts_layer_units (f, layer, "ReLUs"), title,
                       _ts_layer_is_maps (f, layer) ? " (at no position of any sample)" : "",
                       init_name (f->in->exp->model.init), action ? "; use he" : "; use leaky ReLU");
  json_object_set_string_member (ev, "cause", "init");
  json_object_set_string_member (ev, "appeared", "step 0");
  json_object_set_int_member (ev, "layer", layer + 1);
  json_object_set_double_member (ev, "dead_fraction_step0", f->init_dead[layer]);
  json_object_set_string_member (ev, "unit", _ts_layer_is_maps (f, layer) ? "channel" : "unit");
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
  guint dead = f->n_layers ? _ts_rule_worst_layer (f, f->init_dead, _ts_rule_plain_relu) : G_MAXUINT;
  guint sat = f->n_layers ? _ts_rule_worst_layer (f, f->init_sat, _ts_rule_squashing) : G_MAXUINT;

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
