#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = fuzz_write_file ("input.csv", data, size);
  TsSourceData out = { 0 };
  GError *error = NULL;

  if (ts_csv_load (path, "", &out, &error))
    g_assert (out.train->n > 0 && out.train->n_classes > 0);
  ts_source_data_clear (&out);
  g_clear_error (&error);
  return 0;
}
