/* ts-experiment-text.c — an experiment's keys as text: ts_experiment_set
 * (the CLI's --set, the editor's rows, an advice's action) and
 * ts_experiment_get_text, which gives back a text that sets the same value. */
#include "ts-experiment-private.h"
#include "ts-error.h"
#include "ts-json.h"

#include <string.h>

gboolean
ts_experiment_set (TsExperiment *exp, const char *key, const char *value, GError **error)
{
  const TsKeySpec *spec = _ts_experiment_find_key (key);
  double v;

  if (spec == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: unknown key", key);
      return FALSE;
    }
  if (spec->kind == K_LAYERS)
    return _ts_experiment_set_layers_text (exp, value, error);
  if (spec->kind == K_STRING || spec->kind == K_ENUM)
    return _ts_experiment_set_string (spec, exp, value, error);
  if (!ts_parse_decimal (value, &v))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: must be a decimal number like 0.3 or 1e-4 (got \"%s\")",
                   key, value);
      return FALSE;
    }
  return _ts_experiment_set_number (spec, exp, v, value, error);
}

gboolean
ts_experiment_set_override (TsExperiment *exp, const char *text, GError **error)
{
  const char *eq = strchr (text, '=');
  g_autofree char *key = NULL;

  if (eq == NULL || eq == text)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "--set \"%s\": %s; expected KEY=VALUE, like train.lr=0.3", text,
                   eq ? "the key before '=' is empty" : "no '='");
      return FALSE;
    }
  key = g_strndup (text, (gsize) (eq - text));
  return ts_experiment_set (exp, key, eq + 1, error);
}

char *
ts_experiment_get_text (const TsExperiment *exp, const char *key)
{
  const TsKeySpec *spec = _ts_experiment_find_key (key);
  const char *field;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (spec != NULL, NULL);
  field = (const char *) exp + spec->offset;
  switch (spec->kind)
    {
    case K_STRING: return g_strdup (*(char *const *) field);
    case K_ENUM: return g_strdup (spec->choices[*(const int *) field]);
    case K_UINT: return g_strdup_printf ("%u", *(const guint *) field);
    case K_UINT64: return g_strdup_printf ("%" G_GUINT64_FORMAT, *(const guint64 *) field);
    case K_DOUBLE:
      {
        /* short for the eye, unless that would not set the same value back
         * (0.9999999 as "1" is out of momentum's range) */
        double v = *(const double *) field, back;
        g_ascii_formatd (buf, sizeof buf, "%.6g", v);
        if (!ts_parse_decimal (buf, &back) || back != v)
          g_ascii_formatd (buf, sizeof buf, "%.17g", v);
        return g_strdup (buf);
      }
    case K_LAYERS:
      /* no hidden layer as the JSON form: an empty text is refused */
      return exp->model.layers->len ? ts_experiment_layers_text (exp, 1) : g_strdup ("[]");
    }
  return NULL;
}
