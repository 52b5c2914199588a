#include "fuzz-common.h"

/* --set as the CLI takes it: each line of the input one KEY=VALUE applied
 * to the default experiment, in order. A refused line changes nothing; an
 * experiment that validates must survive JSON and every key's text. */
static void
check_round_trips (const TsExperiment *exp)
{
  g_autofree char *json = ts_experiment_to_json (exp);
  g_autoptr(TsExperiment) again = ts_experiment_from_json (json, -1, NULL);
  g_autofree char *json_again = NULL;
  const TsExperimentKeyDoc *docs;
  guint n;

  g_assert (again != NULL);
  json_again = ts_experiment_to_json (again);
  g_assert (strcmp (json, json_again) == 0);
  /* every key's text (what the window shows) sets that key back */
  docs = ts_experiment_key_docs (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = ts_experiment_get_text (exp, docs[i].key);
      g_autoptr(TsExperiment) copy = ts_experiment_copy (exp);
      g_autoptr(GError) error = NULL;
      if (!ts_experiment_set (copy, docs[i].key, text, &error))
        g_error ("%s: its own text \"%s\" is refused: %s", docs[i].key, text, error->message);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto(GStrv) lines = g_strsplit (text, "\n", 16);
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();

  for (int i = 0; lines[i]; i++)
    {
      g_autoptr(TsExperiment) before = ts_experiment_copy (exp);
      GError *error = NULL;

      if (!ts_experiment_set_override (exp, lines[i], &error))
        {
          g_autofree char *json_before = ts_experiment_to_json (before);
          g_autofree char *json_after = ts_experiment_to_json (exp);
          g_assert (error != NULL && error->message[0] != '\0');
          g_assert (strcmp (json_before, json_after) == 0);
          g_clear_error (&error);
        }
    }
  if (ts_experiment_validate (exp, NULL))
    check_round_trips (exp);
  return 0;
}
