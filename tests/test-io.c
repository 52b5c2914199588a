/* safetensors and model files: round trips, PyTorch-saved models, and
 * malformed files that must fail with a message, never crash. */
#include "test-util.h"

#include <glib/gstdio.h>

static char *
write_temp (const char *dir, const char *name, const void *data, gsize len)
{
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
  return path;
}

static void
test_safetensors_round_trip (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "t.safetensors", NULL);
  g_autoptr(TsSafetensorsWriter) w = ts_safetensors_writer_new ();
  g_autoptr(TsSafetensors) st = NULL;
  g_autoptr(GError) error = NULL;
  float a[6] = { 1, -2, 3.5f, 1e-30f, -0.f, 7 }, b[3] = { 0.1f, 0.2f, 0.3f };
  g_autofree float *a2 = NULL, *b2 = NULL;
  TsShape shape;

  ts_safetensors_writer_add (w, "a", a, 2, (guint64[]) { 2, 3 });
  ts_safetensors_writer_add (w, "b", b, 1, (guint64[]) { 3 });
  ts_safetensors_writer_set_metadata (w, "note", "héllo \"quoted\"");
  g_assert_true (ts_safetensors_writer_save (w, path, &error));
  st = ts_safetensors_load (path, &error);
  g_assert_no_error (error);
  a2 = ts_safetensors_get_f32 (st, "a", &shape, &error);
  g_assert_cmpuint (shape.ndim, ==, 2);
  g_assert_cmpuint (shape.dims[1], ==, 3);
  g_assert_cmpmem (a, sizeof a, a2, sizeof a);
  b2 = ts_safetensors_get_f32 (st, "b", NULL, &error);
  g_assert_cmpmem (b, sizeof b, b2, sizeof b);
  g_assert_cmpstr (ts_safetensors_metadata (st, "note"), ==, "héllo \"quoted\"");
  g_assert_null (ts_safetensors_get_f32 (st, "missing", NULL, &error));
  g_assert_nonnull (strstr (error->message, "missing"));
}

static void
expect_load_error (const char *dir, const char *name, const void *data, gsize len, const char *message)
{
  g_autofree char *path = write_temp (dir, name, data, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsSafetensors) st = ts_safetensors_load (path, &error);

  g_assert_null (st);
  g_assert_nonnull (error);
  if (strstr (error->message, message) == NULL || strstr (error->message, name) == NULL)
    g_error ("expected \"%s\" naming %s in \"%s\"", message, name, error->message);
}

static GBytes *
safetensors_bytes (const char *header, gsize data_len)
{
  GByteArray *b = g_byte_array_new ();
  guint64 n = strlen (header);
  guint8 len[8];

  for (int i = 0; i < 8; i++)
    len[i] = (guint8) (n >> (8 * i));
  g_byte_array_append (b, len, 8);
  g_byte_array_append (b, (const guint8 *) header, (guint) n);
  for (gsize i = 0; i < data_len; i++)
    g_byte_array_append (b, (const guint8 *) "\0", 1);
  return g_byte_array_free_to_bytes (b);
}

static void
expect_header_error (const char *dir, const char *header, gsize data_len, const char *message)
{
  g_autoptr(GBytes) bytes = safetensors_bytes (header, data_len);
  expect_load_error (dir, "bad.safetensors", g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), message);
}

static void
test_safetensors_malformed (void)
{
  g_autofree char *dir = make_temp_dir ();
  guint8 huge[16] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, '{', '}' };

  expect_load_error (dir, "empty.safetensors", "", 0, "8-byte header length");
  expect_load_error (dir, "huge.safetensors", huge, sizeof huge, "exceeds the file");
  expect_header_error (dir, "{not json", 0, "not JSON");
  expect_header_error (dir, "[1,2]", 0, "JSON object");
  expect_header_error (dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", 8, "do not fit");
  expect_header_error (dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[8,4]}}", 16, "do not fit");
  expect_header_error (dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "shape[0]");
  expect_header_error (dir, "{\"w\":{\"dtype\":7,\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "dtype");
  expect_header_error (dir, "{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "dtype");
  expect_header_error (dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":{},\"data_offsets\":[0,8]}}", 8, "shape");
  expect_header_error (dir, "{\"w\":3}", 0, "expected a dtype");
}

static void
test_unsupported_dtype (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(GBytes) bytes = safetensors_bytes ("{\"w\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2);
  g_autofree char *path = write_temp (dir, "i8.safetensors", g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr(GError) error = NULL;
  g_autoptr(TsSafetensors) st = ts_safetensors_load (path, &error);

  g_assert_no_error (error);
  g_assert_null (ts_safetensors_get_f32 (st, "w", NULL, &error));
  g_assert_nonnull (strstr (error->message, "expected F32, F64 or I64"));
}

static void
test_model_round_trip_bit_exact (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "m.safetensors", NULL);
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  g_autoptr(TsNet) net = NULL;
  g_autoptr(TsModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsPreprocess) pp = NULL;
  g_autoptr(TsDataset) ds = ts_builtin_generate ("spiral", 300, 3, 0.1, 1, NULL);
  TsRng rng;

  g_assert_true (ts_experiment_set (exp, "model.layers", "9,5", &error));
  exp->model.activation = TS_ACT_PRELU;
  exp->data.preprocess = TS_PRE_ZCA;
  net = ts_net_new_from_experiment (exp, &(TsShape) { 1, { 2 } }, 3, 4);
  ts_rng_init (&rng, 5, 1);
  ts_net_init (net, TS_INIT_HE, 0, &rng);
  pp = ts_preprocess_fit (TS_PRE_ZCA, ds, 0, 1e-5, &error);
  g_assert_no_error (error);
  g_assert_true (ts_model_save (path, net, pp, exp, &error));
  model = ts_model_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (model->net->n_params, ==, net->n_params);
  g_assert_cmpmem (model->net->params, net->n_params * 4, net->params, net->n_params * 4);
  g_assert_cmpint (model->preprocess->kind, ==, TS_PRE_ZCA);
  g_assert_cmpmem (model->preprocess->projection, 16, pp->projection, 16);
  g_assert_cmpmem (model->preprocess->mean, 8, pp->mean, 8);
}

static void
test_model_saved_by_torch (void)
{
  g_autofree char *path = fixture_path ("torch/model-from-torch.safetensors");
  g_autofree char *expected_path = fixture_path ("torch/model-from-torch-expected.safetensors");
  g_autoptr(GError) error = NULL;
  g_autoptr(TsModel) model = ts_model_load (path, &error);
  g_autoptr(TsSafetensors) expected = ts_safetensors_load (expected_path, &error);
  g_autofree float *x = NULL, *logits = NULL, *prepared = NULL;
  TsShape shape;

  g_assert_no_error (error);
  x = ts_safetensors_get_f32 (expected, "x", &shape, &error);
  logits = ts_safetensors_get_f32 (expected, "logits", NULL, &error);
  prepared = g_new (float, shape.dims[0] * shape.dims[1]);
  ts_preprocess_apply_rows (model->preprocess, x, (guint) shape.dims[0], prepared);
  assert_close_array ("logits", ts_net_forward (model->net, prepared, (guint) shape.dims[0], FALSE, 0), logits,
                      shape.dims[0] * 4, 1e-5, 1e-6);
}

static void
test_model_errors (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "nometa.safetensors", NULL);
  g_autoptr(TsSafetensorsWriter) w = ts_safetensors_writer_new ();
  g_autoptr(GError) error = NULL;
  float v[4] = { 0 };

  ts_safetensors_writer_add (w, "layers.0.weight", v, 2, (guint64[]) { 2, 2 });
  g_assert_true (ts_safetensors_writer_save (w, path, &error));
  g_assert_null (ts_model_load (path, &error));
  g_assert_nonnull (strstr (error->message, "__metadata__.experiment"));
  g_clear_error (&error);
  /* an experiment whose layers do not match the tensors */
  ts_safetensors_writer_set_metadata (w, "experiment", "{\"model\":{\"layers\":[{\"units\":3}]}}");
  g_assert_true (ts_safetensors_writer_save (w, path, &error));
  g_assert_null (ts_model_load (path, &error));
  g_assert_nonnull (error);
}

/* every JSON reader goes through ts_json_parse: depth and size bounded
 * before json-glib recurses (100 000 '[' overflowed its stack) */
static void
test_json_parse_bounds (void)
{
  g_autofree char *open = g_strnfill (TS_JSON_MAX_DEPTH, '['), *close = g_strnfill (TS_JSON_MAX_DEPTH, ']');
  g_autofree char *many = g_strnfill (1000, '[');
  g_autofree char *ok = g_strconcat (open, close, NULL);
  g_autofree char *deep = g_strconcat ("{\"a\": ", open, NULL);
  g_autofree char *quoted = g_strconcat ("[\"", many, "\\\"\"]", NULL);
  g_autofree char *huge = g_malloc (TS_JSON_MAX_BYTES + 2);
  g_autoptr(JsonNode) root = ts_json_parse (ok, -1, "ok.json", NULL);
  g_autoptr(JsonNode) in_string = ts_json_parse (quoted, -1, "q.json", NULL);
  g_autoptr(JsonNode) wide = ts_json_parse ("[18446744073709551616, -9223372036854775809, 9223372036854775807]", -1,
                                            NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (root);
  g_assert_nonnull (in_string); /* brackets inside a string (and an escaped quote) do not nest */
  g_assert_null (ts_json_parse (deep, -1, "deep.json", &error));
  g_assert_cmpstr (error->message, ==, "deep.json: byte 69: nested deeper than 64 levels");
  g_clear_error (&error);
  memset (huge, ' ', TS_JSON_MAX_BYTES + 1);
  huge[TS_JSON_MAX_BYTES + 1] = '\0';
  g_assert_null (ts_json_parse (huge, -1, "huge.json", &error));
  g_assert_cmpstr (error->message, ==, "huge.json: 16777217 bytes of JSON; at most 16777216 are read");
  g_clear_error (&error);
  g_assert_null (ts_json_parse ("", -1, "empty.json", &error));
  g_assert_nonnull (strstr (error->message, "empty.json: empty"));
  /* integers beyond 64 bits are read as doubles, not wrapped (json-glib gives -1) */
  g_assert_nonnull (wide);
  g_assert_cmpfloat (json_array_get_double_element (json_node_get_array (wide), 0), ==, 18446744073709551616.0);
  g_assert_cmpfloat (json_array_get_double_element (json_node_get_array (wide), 1), <, -9.2e18);
  g_assert_cmpint (json_array_get_int_element (json_node_get_array (wide), 2), ==, G_MAXINT64);
}

/* every JSON text written is valid: UTF-8 strings and names, null for NaN and ±inf */
static void
test_json_written_valid (void)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL, back = NULL;
  g_autofree char *text = NULL;
  JsonObject *o;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "label"), json_builder_add_string_value (b, "caf\xe9");
  json_builder_set_member_name (b, "max"), json_builder_add_double_value (b, INFINITY);
  json_builder_set_member_name (b, "mean"), json_builder_add_double_value (b, NAN);
  json_builder_set_member_name (b, "n\xff"), json_builder_add_int_value (b, 3);
  json_builder_set_member_name (b, "ok"), json_builder_add_double_value (b, 0.5);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  text = ts_json_to_string (node, TRUE);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_null (strstr (text, "inf"));
  g_assert_null (strstr (text, "nan"));
  back = ts_json_parse (text, -1, "written", NULL);
  g_assert_nonnull (back);
  o = json_node_get_object (back);
  g_assert_cmpstr (json_object_get_string_member (o, "label"), ==, "caf\uFFFD");
  g_assert_true (json_object_get_null_member (o, "max"));
  g_assert_true (json_object_get_null_member (o, "mean"));
  g_assert_cmpint (json_object_get_int_member (o, "n\uFFFD"), ==, 3);
  g_assert_cmpfloat (json_object_get_double_member (o, "ok"), ==, 0.5);
  /* a fit tree is written as it is, without a copy */
  g_assert_null (ts_json_sanitized_copy (json_object_get_member (o, "ok")));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/json/parse-bounds", test_json_parse_bounds);
  g_test_add_func ("/core/json/written-valid", test_json_written_valid);
  g_test_add_func ("/core/safetensors/round-trip", test_safetensors_round_trip);
  g_test_add_func ("/core/safetensors/malformed", test_safetensors_malformed);
  g_test_add_func ("/core/safetensors/unsupported-dtype", test_unsupported_dtype);
  g_test_add_func ("/core/model/round-trip", test_model_round_trip_bit_exact);
  g_test_add_func ("/core/model/saved-by-torch", test_model_saved_by_torch);
  g_test_add_func ("/core/model/errors", test_model_errors);
  return g_test_run ();
}
