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

static void
rule_diverged (const TsAdvisorFacts *f, GPtrArray *out)
{
  const TsAdvisorInput *in = f->in;
  const TsStepRecord *last;
  double lr = in->exp->train.lr, target = lr / 5;
  /* a start that is itself sane: an LR five times too high is still ruin */
  double usual = in->exp->train.optimizer == TS_OPT_ADAM || in->exp->train.optimizer == TS_OPT_RMSPROP ? 1e-3 : 0.1;
  g_autofree char *action = NULL;
  g_autofree char *finder_note = NULL;
  char text[G_ASCII_DTOSTR_BUF_SIZE];
  JsonObject *ev;

  if (!in->diverged || f->n_steps == 0)
    return;
  last = ts_metric_log_step (in->steps, f->n_steps - 1);
  target = MIN (target, usual);
  if (in->finder && in->finder->suggested < target)
    {
      target = in->finder->suggested;
      finder_note = g_strdup_printf (" The LR finder's valley, %.2g, is lower still: use it.", target);
    }
  else if (in->finder)
    finder_note = g_strdup_printf (" (The LR finder's valley, %.2g, is not below a fifth of it.)",
                                   in->finder->suggested);
  action = g_strdup_printf ("train.lr=%s", g_ascii_formatd (text, sizeof text, "%.2g", target));
  ev = _ts_advice_add (out, "diverged", TS_SEVERITY_CRITICAL, 1.0, action,
                       "The loss became NaN or infinite at step %" G_GUINT64_FORMAT ": the learning rate %.2g "
                       "is far too high; divide it by 5 or more (proposed: %s).%s", last->step, lr, text, finder_note ? finder_note : "");
  json_object_set_int_member (ev, "step", (gint64) last->step);
  json_object_set_double_member (ev, "lr", lr);
  json_object_set_string_member (ev, "cause", "lr");
}

static int
by_severity (gconstpointer a, gconstpointer b)
{
  const TsAdvice *x = *(TsAdvice *const *) a, *y = *(TsAdvice *const *) b;
  if (x->severity != y->severity)
    return x->severity > y->severity ? -1 : 1;
  return 0; /* g_ptr_array_sort is stable: the causes keep their order */
}

GPtrArray *
ts_advisor_diagnose (const TsAdvisorInput *in)
{
  /* the order says which cause is looked for first: a later rule stays
   * silent when an earlier one already explains the run */
  static void (*const rules[]) (const TsAdvisorFacts *, GPtrArray *) = {
    rule_diverged, _ts_rules_init, _ts_rules_penalty, _ts_rules_lr_high, _ts_rules_lr_low, _ts_rules_update_ratio, _ts_rules_fit,
    _ts_rules_plateau,
  };
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ts_advice_free);
  gboolean worry = FALSE;
  TsAdvisorFacts facts;

  _ts_advisor_facts_init (&facts, in);
  for (gsize i = 0; i < G_N_ELEMENTS (rules); i++)
    rules[i] (&facts, out);
  g_ptr_array_sort (out, by_severity);
  for (guint i = 0; i < out->len; i++)
    worry |= ((TsAdvice *) out->pdata[i])->severity > TS_SEVERITY_INFO;
  if (!worry && facts.last != NULL)
    _ts_advice_add (out, "healthy", TS_SEVERITY_INFO, 0.6, "", "Nothing in the curves or the layers calls for a change.");
  _ts_advisor_facts_clear (&facts);
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
      confidence = ts_json_number (o, "confidence"); /* NaN when missing: 0.5 below */
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
