#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  TsExperiment *exp = ts_experiment_from_json ((const char *) data, (gssize) size, &error);

  if (exp)
    {
      /* a valid experiment survives a round trip */
      g_autofree char *json = ts_experiment_to_json (exp);
      TsExperiment *again = ts_experiment_from_json (json, -1, NULL);
      g_assert (again != NULL);
      ts_experiment_free (again);
    }
  ts_experiment_free (exp);
  g_clear_error (&error);
  return 0;
}
