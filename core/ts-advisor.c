#include "ts-advisor-private.h"

#include "ts-error.h"
#include "ts-io.h"

#include <math.h>

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

GPtrArray *
ts_advice_load (const char *path, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ts_advice_free);
  JsonArray *list;

  if (!json_parser_load_from_file (parser, path, error))
    {
      g_ptr_array_unref (out);
      return NULL;
    }
  list = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
           ? ts_json_array (json_node_get_object (json_parser_get_root (parser)), "advice") : NULL;
  if (list == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: expected {\"advice\": [...]}", path);
      g_ptr_array_unref (out);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      TsAdvice *a;
      const char *severity = ts_json_string (o, "severity");
      if (o == NULL || ts_json_string (o, "code") == NULL)
        continue;
      a = g_new0 (TsAdvice, 1);
      a->code = g_strdup (ts_json_string (o, "code"));
      a->message = g_strdup (ts_json_string (o, "message") ? ts_json_string (o, "message") : "");
      a->action = g_strdup (ts_json_string (o, "action") ? ts_json_string (o, "action") : "");
      a->severity = g_strcmp0 (severity, "critical") == 0 ? TS_SEVERITY_CRITICAL
                    : g_strcmp0 (severity, "warning") == 0 ? TS_SEVERITY_WARNING : TS_SEVERITY_INFO;
      a->confidence = json_object_has_member (o, "confidence") ? json_object_get_double_member (o, "confidence") : 0.5;
      a->evidence = json_object_has_member (o, "evidence") ? json_node_copy (json_object_get_member (o, "evidence"))
                                                           : json_node_new (JSON_NODE_NULL);
      g_ptr_array_add (out, a);
    }
  return out;
}

TsExperiment *
ts_advice_apply (const TsAdvice *advice, const TsExperiment *exp, GError **error)
{
  g_autoptr(TsExperiment) next = ts_experiment_copy (exp);
  g_auto(GStrv) kv = g_strsplit (advice->action ? advice->action : "", "=", 2);

  if (kv[0] == NULL || kv[1] == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: this advice has no change to try", advice->code);
      return NULL;
    }
  if (!ts_experiment_set (next, kv[0], kv[1], error))
    return NULL;
  g_free (next->name);
  next->name = g_strdup_printf ("%s · %s", exp->name, advice->action);
  return g_steal_pointer (&next);
}
