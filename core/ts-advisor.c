#include "ts-advisor-private.h"

#include "ts-error.h"
#include "ts-io.h"
#include "ts-json.h"

#include <math.h>
#include <string.h>

const char *
ts_severity_name (TsSeverity severity)
{
  static const char *const names[] = { "info", "warning", "critical" };
  return names[severity];
}

void
ts_advice_free (TsAdvice *a)
{
  if (a == NULL)
    return;
  g_free (a->code);
  g_free (a->message);
  g_free (a->action);
  if (a->evidence)
    json_node_unref (a->evidence);
  g_free (a);
}

JsonObject *
_ts_advice_add (GPtrArray *out, const char *code, TsSeverity severity, double confidence,
            const char *action, const char *format, ...)
{
  TsAdvice *a = g_new0 (TsAdvice, 1);
  JsonObject *evidence = json_object_new ();
  va_list args;

  va_start (args, format);
  a->message = g_strdup_vprintf (format, args);
  va_end (args);
  a->code = g_strdup (code);
  a->severity = severity;
  a->confidence = CLAMP (confidence, 0.0, 1.0);
  a->action = g_strdup (action);
  a->evidence = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (a->evidence, evidence);
  g_ptr_array_add (out, a);
  return evidence;
}

static const TsEpochRecord *
last_epoch (const TsAdvisorInput *in)
{
  gsize n = ts_metric_log_length (in->epochs);
  return n ? ts_metric_log_epoch (in->epochs, n - 1) : NULL;
}

static void
rule_diverged (const TsAdvisorInput *in, GPtrArray *out)
{
  gsize n = ts_metric_log_length (in->steps);
  g_autofree char *action = NULL;
  JsonObject *ev;

  if (!in->diverged || n == 0)
    return;
  action = g_strdup_printf ("train.lr=%.2g", in->exp->train.lr / 5);
  ev = _ts_advice_add (out, "diverged", TS_SEVERITY_CRITICAL, 1.0, action,
                   "The loss became NaN or infinite at step %" G_GUINT64_FORMAT ": divide the learning rate by 5.",
                   ts_metric_log_step (in->steps, n - 1)->step);
  json_object_set_int_member (ev, "step", (gint64) ts_metric_log_step (in->steps, n - 1)->step);
  json_object_set_double_member (ev, "lr", in->exp->train.lr);
}

/* softmax with small weights starts near ln C: anything far off means the
 * initialisation (or the data's scale) is not what it should be */
static void
rule_initial_loss (const TsAdvisorInput *in, GPtrArray *out)
{
  double expected = log (MAX (in->n_classes, 2)), first;
  JsonObject *ev;

  if (in->exp->train.loss != TS_LOSS_SOFTMAX || ts_metric_log_length (in->steps) == 0)
    return;
  first = ts_metric_log_step (in->steps, 0)->loss;
  if (!isfinite (first) || (first < 3.0 * expected && first > 0.5 * expected))
    return;
  ev = _ts_advice_add (out, "initial_loss_unexpected", TS_SEVERITY_WARNING, 0.7, "model.init=xavier",
                   "The first loss was %.3g where ln(%u) = %.3g was expected: check the initialisation scale.",
                   first, in->n_classes, expected);
  json_object_set_double_member (ev, "first_loss", first);
  json_object_set_double_member (ev, "expected", expected);
}

static gboolean
has_worry (GPtrArray *advice)
{
  for (guint i = 0; i < advice->len; i++)
    if (((TsAdvice *) advice->pdata[i])->severity > TS_SEVERITY_INFO)
      return TRUE;
  return FALSE;
}

/* "model.layers=200:tanh,100": every hidden layer twice as wide, keeping
 * its activation (one of 100 if none) */
static char *
wider_layers (const TsExperiment *exp)
{
  g_autofree char *layers = ts_experiment_layers_text (exp, 2);
  return g_strdup_printf ("model.layers=%s", *layers ? layers : "100");
}

static void
rule_generalisation_gap (const TsAdvisorInput *in, GPtrArray *out)
{
  const TsEpochRecord *e = last_epoch (in);
  double gap;
  JsonObject *ev;
  g_autofree char *action = NULL;

  if (e == NULL || isnan (e->val_acc) || in->diverged)
    return;
  gap = e->train_acc - e->val_acc;
  if (gap > 0.1)
    {
      action = g_strdup_printf ("train.l2=%.2g", MAX (in->exp->train.l2 * 10, 1e-4));
      ev = _ts_advice_add (out, "overfitting", TS_SEVERITY_WARNING, MIN (1.0, gap * 4), action,
                       "Training accuracy is %.1f%% but validation only %.1f%%: regularise more "
                       "(L2, dropout, augmentation) or get more data.",
                       100 * e->train_acc, 100 * e->val_acc);
    }
  else if (gap < 0.03 && e->train_acc < 0.8 && !has_worry (out))
    {
      /* only when nothing else (LR, init, dead units) explains it */
      action = wider_layers (in->exp);
      ev = _ts_advice_add (out, "underfitting", TS_SEVERITY_WARNING, 0.6, action,
                       "Training and validation accuracy are both low (%.1f%%, %.1f%%) with no gap: "
                       "add capacity or regularise less.",
                       100 * e->train_acc, 100 * e->val_acc);
    }
  else
    return;
  json_object_set_int_member (ev, "epoch", e->epoch);
  json_object_set_double_member (ev, "train_acc", e->train_acc);
  json_object_set_double_member (ev, "val_acc", e->val_acc);
}

typedef void (*Rule) (const TsAdvisorInput *in, GPtrArray *out);

GPtrArray *
ts_advisor_diagnose (const TsAdvisorInput *in)
{
  static const Rule rules[] = {
    rule_diverged, rule_initial_loss, _ts_rule_lr_too_high, _ts_rule_lr_too_low, _ts_rule_dead_units,
    _ts_rule_saturated_units, _ts_rule_activation_scale, _ts_rule_update_ratio, rule_generalisation_gap,
    _ts_rule_plateau_decay,
  };
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ts_advice_free);
  gboolean worry = FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (rules); i++)
    rules[i] (in, out);
  for (guint i = 0; i < out->len; i++)
    worry |= ((TsAdvice *) out->pdata[i])->severity > TS_SEVERITY_INFO;
  if (!worry && last_epoch (in) != NULL)
    _ts_advice_add (out, "healthy", TS_SEVERITY_INFO, 0.6, "", "Nothing in the curves or the layers calls for a change.");
  return out;
}

JsonNode *
ts_advice_to_json (GPtrArray *advice)
{
  JsonObject *root = json_object_new ();
  JsonArray *list = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  for (guint i = 0; i < advice->len; i++)
    {
      const TsAdvice *a = advice->pdata[i];
      JsonObject *obj = json_object_new ();
      json_object_set_string_member (obj, "code", a->code);
      json_object_set_string_member (obj, "severity", ts_severity_name (a->severity));
      json_object_set_double_member (obj, "confidence", a->confidence);
      json_object_set_string_member (obj, "message", a->message);
      json_object_set_member (obj, "evidence", json_node_copy (a->evidence));
      json_object_set_string_member (obj, "action", a->action);
      json_array_add_object_element (list, obj);
    }
  json_object_set_array_member (root, "advice", list);
  json_node_take_object (node, root);
  return node;
}

/* a number member, or def when absent or not a number */
static double
member_number (JsonObject *o, const char *name, double def)
{
  JsonNode *n = json_object_get_member (o, name);
  GType t = n && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_value_type (n) : G_TYPE_INVALID;
  return t == G_TYPE_DOUBLE || t == G_TYPE_INT64 ? json_node_get_double (n) : def;
}

static const char *
member_text (JsonObject *o, const char *name)
{
  const char *text = ts_json_string (o, name);
  return text ? text : "";
}

GPtrArray *
ts_advice_load (const char *path, GError **error)
{
  g_autoptr(JsonNode) root = ts_json_load_file (path, error);
  g_autoptr(GPtrArray) out = NULL;
  JsonArray *list;

  if (root == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) ts_advice_free);
  list = JSON_NODE_HOLDS_OBJECT (root) ? ts_json_array (json_node_get_object (root), "advice") : NULL;
  if (list == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: expected {\"advice\": [...]}", path);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *severity = ts_json_string (o, "severity");
      JsonNode *evidence;
      TsAdvice *a;
      double confidence;
      if (o == NULL || ts_json_string (o, "code") == NULL)
        continue; /* a record that is not advice: the others still show */
      a = g_new0 (TsAdvice, 1);
      a->code = g_strdup (ts_json_string (o, "code"));
      a->message = g_strdup (member_text (o, "message"));
      a->action = g_strdup (member_text (o, "action"));
      a->severity = g_strcmp0 (severity, "critical") == 0 ? TS_SEVERITY_CRITICAL
                    : g_strcmp0 (severity, "warning") == 0 ? TS_SEVERITY_WARNING : TS_SEVERITY_INFO;
      confidence = member_number (o, "confidence", 0.5);
      a->confidence = isfinite (confidence) ? CLAMP (confidence, 0.0, 1.0) : 0.5;
      evidence = json_object_get_member (o, "evidence");
      a->evidence = evidence ? json_node_copy (evidence) : json_node_new (JSON_NODE_NULL);
      g_ptr_array_add (out, a);
    }
  return g_steal_pointer (&out);
}

TsExperiment *
ts_advice_apply (const TsAdvice *advice, const TsExperiment *exp, GError **error)
{
  g_autoptr(TsExperiment) next = ts_experiment_copy (exp);
  if (advice->action == NULL || strchr (advice->action, '=') == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: this advice has no change to try", advice->code);
      return NULL;
    }
  if (!ts_experiment_set_override (next, advice->action, error))
    return NULL;
  g_free (next->name);
  next->name = g_strdup_printf ("%s · %s", exp->name, advice->action);
  return g_steal_pointer (&next);
}
