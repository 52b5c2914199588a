#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = fuzz_write_file ("input.safetensors", data, size);
  GError *error = NULL;
  TsSafetensors *st = ts_safetensors_load (path, &error);
  TsModel *model;

  if (st)
    {
      /* every tensor the header names can be read */
      const char *names[] = { "layers.0.weight", "layers.0.bias", "x", "w", "preprocess.mean" };
      for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        {
          float *t = ts_safetensors_get_f32 (st, names[i], NULL, NULL);
          g_free (t);
        }
      ts_safetensors_free (st);
    }
  g_clear_error (&error);
  model = ts_model_load (path, &error);
  ts_model_free (model);
  g_clear_error (&error);
  return 0;
}
