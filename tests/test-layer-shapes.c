/* What each layer kind makes of its input's shape, and its parameter
 * count: the benchmark CNN's shapes as PyTorch prints them, and each
 * refusal saying why. */
#include "ts-error.h"
#include "ts-types.h"

static TsShape
image (guint64 c, guint64 h, guint64 w)
{
  return (TsShape) { 3, { c, h, w } };
}

static void
assert_shape (const TsLayerSpec *spec, TsShape in, const char *expected)
{
  g_autoptr (GError) error = NULL;
  TsShape out;
  g_assert_true (ts_layer_output_shape (spec, &in, &out, &error));
  g_assert_no_error (error);
  g_autofree char *text = ts_shape_text (&out);
  g_assert_cmpstr (text, ==, expected);
}

static void
assert_refused (const TsLayerSpec *spec, TsShape in, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  TsShape out;
  g_assert_false (ts_layer_output_shape (spec, &in, &out, &error));
  g_assert_error (error, TS_ERROR, TS_ERROR_INVALID);
  if (!strstr (error->message, fragment))
    g_error ("\"%s\" does not say \"%s\"", error->message, fragment);
}

/* conv 5×5 32 same → pool 2 → conv 5×5 64 same → pool 2 → dense 128, on [1,28,28] */
static void
test_benchmark_cnn (void)
{
  TsLayerSpec conv1 = { .kind = TS_LAYER_CONV, .units = 32, .kernel = 5, .stride = 1, .padding = TS_PADDING_SAME };
  TsLayerSpec pool = { .kind = TS_LAYER_POOL, .pool = TS_POOL_MAX, .kernel = 2, .stride = 2 };
  TsLayerSpec conv2 = { .kind = TS_LAYER_CONV, .units = 64, .kernel = 5, .stride = 1, .padding = TS_PADDING_SAME };
  TsLayerSpec dense = { .units = 128 };
  TsShape in = image (1, 28, 28), after_pool = image (32, 14, 14), flat = image (64, 7, 7);

  assert_shape (&conv1, in, "[32,28,28]");
  g_assert_cmpuint (ts_layer_param_count (&conv1, &in), ==, 32 * 25 + 32);
  assert_shape (&pool, image (32, 28, 28), "[32,14,14]");
  assert_shape (&conv2, after_pool, "[64,14,14]");
  g_assert_cmpuint (ts_layer_param_count (&conv2, &after_pool), ==, 64 * 32 * 25 + 64);
  assert_shape (&dense, flat, "[128]");
  g_assert_cmpuint (ts_layer_param_count (&dense, &flat), ==, 128 * 3136 + 128);
}

static void
test_strides_and_padding (void)
{
  TsLayerSpec conv = { .kind = TS_LAYER_CONV, .units = 8, .kernel = 3, .stride = 2, .padding = 1 };
  TsLayerSpec valid = { .kind = TS_LAYER_CONV, .units = 4, .kernel = 5, .stride = 1, .padding = 0 };
  TsLayerSpec avg = { .kind = TS_LAYER_POOL, .pool = TS_POOL_AVG, .kernel = 3, .stride = 2 };
  TsLayerSpec gap = { .kind = TS_LAYER_GLOBAL_AVG_POOL };
  TsLayerSpec bn = { .kind = TS_LAYER_BATCHNORM };

  assert_shape (&conv, image (3, 32, 32), "[8,16,16]"); /* ⌊(32 + 2 − 3) / 2⌋ + 1 */
  assert_shape (&valid, image (1, 28, 28), "[4,24,24]");
  assert_shape (&avg, image (6, 7, 7), "[6,3,3]");
  assert_shape (&gap, image (64, 7, 7), "[64]");
  assert_shape (&bn, image (16, 5, 5), "[16,5,5]");
  g_assert_cmpuint (ts_layer_param_count (&bn, &(TsShape) { 3, { 16, 5, 5 } }), ==, 32);
  g_assert_cmpuint (ts_layer_padding (&(TsLayerSpec) { .kind = TS_LAYER_CONV, .kernel = 5, .padding = TS_PADDING_SAME }),
                    ==, 2);
}

static void
test_refusals (void)
{
  TsLayerSpec conv = { .kind = TS_LAYER_CONV, .units = 8, .kernel = 3, .stride = 1 };
  TsLayerSpec pool = { .kind = TS_LAYER_POOL, .kernel = 2, .stride = 2 };
  TsLayerSpec same_even = { .kind = TS_LAYER_CONV, .units = 8, .kernel = 4, .stride = 1, .padding = TS_PADDING_SAME };
  TsLayerSpec zero_stride = { .kind = TS_LAYER_CONV, .units = 8, .kernel = 3 };

  assert_refused (&conv, (TsShape) { 1, { 2 } }, "2-D point data");
  assert_refused (&conv, (TsShape) { 1, { 128 } }, "a vector of 128 features");
  assert_refused (&pool, image (64, 1, 1), "pool size 2 does not fit a 1×1 input");
  assert_refused (&same_even, image (1, 28, 28), "odd kernel");
  assert_refused (&zero_stride, image (1, 28, 28), "stride must be >= 1");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/layer-shapes/benchmark-cnn", test_benchmark_cnn);
  g_test_add_func ("/core/layer-shapes/strides-and-padding", test_strides_and_padding);
  g_test_add_func ("/core/layer-shapes/refusals", test_refusals);
  return g_test_run ();
}
