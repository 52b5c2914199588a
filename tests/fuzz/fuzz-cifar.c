#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  TsSourceData out = { 0 };
  GError *error = NULL;

  /* CIFAR-100 reads one train.bin; CIFAR-10 stops at the missing batch 2 */
  fuzz_write_file ("train.bin", data, size);
  fuzz_write_file ("data_batch_1.bin", data, size);
  ts_cifar_load_dir (fuzz_dir (), TRUE, &out, NULL, &error);
  ts_source_data_clear (&out);
  g_clear_error (&error);
  ts_cifar_load_dir (fuzz_dir (), FALSE, &out, NULL, &error);
  ts_source_data_clear (&out);
  g_clear_error (&error);
  return 0;
}
