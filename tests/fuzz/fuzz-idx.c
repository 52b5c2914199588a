#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const uint8_t labels[] = { 0, 0, 8, 1, 0, 0, 0, 2, 1, 0 };
  static const uint8_t images[] = { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 9, 8, 7, 6 };
  g_autofree char *input = g_strdup (fuzz_write_file ("input-idx", data, size));
  g_autofree char *good_labels = g_strdup (fuzz_write_file ("labels-idx1-ubyte", labels, sizeof labels));
  g_autofree char *good_images = g_strdup (fuzz_write_file ("images-idx3-ubyte", images, sizeof images));
  GError *error = NULL;
  TsDataset *ds;

  /* the input as the images of good labels, then as the labels of good images */
  ds = ts_idx_load (input, good_labels, &error);
  ts_dataset_free (ds);
  g_clear_error (&error);
  ds = ts_idx_load (good_images, input, &error);
  ts_dataset_free (ds);
  g_clear_error (&error);
  return 0;
}
