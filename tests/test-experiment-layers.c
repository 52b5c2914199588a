/* model.layers of every kind (issue 13): the JSON form and the --set text
 * form read, checked and written back the same; each refusal naming the
 * entry and the key; the source's input shape known without loading, and
 * every layer's output shape and parameter count. */
#include "test-util.h"

#include <string.h>

#define FMNIST_CNN "conv32x5/same,maxpool2,conv64x5/same,maxpool2,128"

static void
expect_error_text (GError *error, const char *fragment)
{
  g_assert_nonnull (error);
  g_assert_error (error, TS_ERROR, TS_ERROR_INVALID);
  if (strstr (error->message, fragment) == NULL)
    g_error ("expected \"%s\" in \"%s\"", fragment, error->message);
}

static TsExperiment *
with_layers (const char *source, const char *layers)
{
  TsExperiment *exp = ts_experiment_new_default ();
  g_autoptr(GError) error = NULL;

  g_free (exp->data.source);
  exp->data.source = g_strdup (source);
  g_assert_true (ts_experiment_set (exp, "model.layers", layers, &error));
  g_assert_no_error (error);
  return exp;
}

/* the file's form of every kind, read into TsLayerSpec, written back the same */
static void
test_json_every_kind (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) exp = ts_experiment_from_json (
    "{\"data\": {\"source\": \"fashion-mnist\"}, \"model\": {\"layers\": ["
    " {\"type\": \"conv\", \"filters\": 32, \"kernel\": 5, \"padding\": \"same\", \"activation\": \"relu\"},"
    " {\"type\": \"batchnorm\"},"
    " {\"type\": \"pool\", \"kind\": \"max\", \"size\": 2},"
    " {\"type\": \"conv\", \"filters\": 64, \"kernel\": 3, \"stride\": 2, \"padding\": 1},"
    " {\"type\": \"pool\", \"kind\": \"avg\", \"size\": 3, \"stride\": 1},"
    " {\"type\": \"global_avg_pool\"},"
    " {\"type\": \"dense\", \"units\": 16}, {\"type\": \"batchnorm\", \"momentum\": 0.2}]}}", -1, &error);
  g_autofree char *json = NULL, *again = NULL, *text = NULL;
  g_autoptr(TsExperiment) back = NULL;
  const TsLayerSpec *l;

  g_assert_no_error (error);
  g_assert_cmpuint (exp->model.layers->len, ==, 8);
  l = &g_array_index (exp->model.layers, TsLayerSpec, 0);
  g_assert_cmpint (l->kind, ==, TS_LAYER_CONV);
  g_assert_cmpuint (l->units, ==, 32);
  g_assert_cmpuint (l->kernel, ==, 5);
  g_assert_cmpuint (l->stride, ==, 1);
  g_assert_cmpint (l->padding, ==, TS_PADDING_SAME);
  g_assert_cmpint (l->activation, ==, TS_ACT_RELU);
  l = &g_array_index (exp->model.layers, TsLayerSpec, 2);
  g_assert_cmpint (l->kind, ==, TS_LAYER_POOL);
  g_assert_cmpint (l->pool, ==, TS_POOL_MAX);
  g_assert_cmpuint (l->kernel, ==, 2);
  g_assert_cmpuint (l->stride, ==, 2); /* the size */
  l = &g_array_index (exp->model.layers, TsLayerSpec, 3);
  g_assert_cmpuint (l->stride, ==, 2);
  g_assert_cmpint (l->padding, ==, 1);
  g_assert_cmpint (l->activation, ==, TS_INHERIT_ACTIVATION);
  l = &g_array_index (exp->model.layers, TsLayerSpec, 4);
  g_assert_cmpint (l->pool, ==, TS_POOL_AVG);
  g_assert_cmpuint (l->stride, ==, 1);
  g_assert_cmpint (g_array_index (exp->model.layers, TsLayerSpec, 5).kind, ==, TS_LAYER_GLOBAL_AVG_POOL);

  json = ts_experiment_to_json (exp);
  g_assert_nonnull (strstr (json, "\"type\" : \"conv\""));
  g_assert_nonnull (strstr (json, "\"padding\" : \"same\""));
  g_assert_nonnull (strstr (json, "\"type\" : \"global_avg_pool\""));
  back = ts_experiment_from_json (json, -1, &error);
  g_assert_no_error (error);
  again = ts_experiment_to_json (back);
  g_assert_cmpstr (json, ==, again);
  text = ts_experiment_get_text (exp, "model.layers");
  g_assert_cmpstr (text, ==, "conv32x5/same:relu,bn,maxpool2,conv64x3/s2/p1,avgpool3/s1,gap,16,bn:momentum=0.2");
}

/* each value out of range, each unknown key and each bad order, named */
static void
test_json_errors (void)
{
  static const struct { const char *layers, *message; } cases[] = {
    { "[{\"type\": \"conv\", \"kernel\": 3}]", "model.layers[0].filters: missing" },
    { "[{\"type\": \"conv\", \"filters\": 8}]", "model.layers[0].kernel: missing" },
    { "[{\"type\": \"conv\", \"filters\": 0, \"kernel\": 3}]",
      "model.layers[0].filters: must be a whole number in [1, 1000000] (got 0)" },
    { "[{\"type\": \"conv\", \"filters\": 2.5, \"kernel\": 3}]",
      "model.layers[0].filters: must be a whole number in [1, 1000000] (got 2.5)" },
    { "[{\"type\": \"conv\", \"filters\": 8, \"kernel\": 0}]",
      "model.layers[0].kernel: must be a whole number in [1, 1024] (got 0)" },
    { "[{\"type\": \"conv\", \"filters\": 8, \"kernel\": 3, \"stride\": 0}]",
      "model.layers[0].stride: must be a whole number in [1, 1024] (got 0)" },
    { "[{\"type\": \"conv\", \"filters\": 8, \"kernel\": 3, \"padding\": -1}]",
      "model.layers[0].padding: must be a whole number in [0, 1024] (got -1)" },
    { "[{\"type\": \"conv\", \"filters\": 8, \"kernel\": 3, \"padding\": \"valid\"}]",
      "model.layers[0].padding: must be a whole number in [0, 1024] or \"same\" (got \"valid\")" },
    { "[{\"type\": \"conv\", \"filters\": 8, \"kernel\": 4, \"padding\": \"same\"}]",
      "model.layers[0].padding: \"same\" needs an odd kernel and stride 1 (got kernel 4, stride 1)" },
    { "[{\"type\": \"conv\", \"filters\": 8, \"kernel\": 3, \"stride\": 2, \"padding\": \"same\"}]",
      "model.layers[0].padding: \"same\" needs an odd kernel and stride 1 (got kernel 3, stride 2)" },
    { "[{\"type\": \"conv\", \"filters\": 8, \"kernel\": 3, \"activation\": \"swish\"}]",
      "model.layers[0].activation: must be one of sigmoid" },
    { "[{\"type\": \"conv\", \"filters\": 8, \"kernel\": 3, \"units\": 4}]",
      "model.layers[0].units: unknown key for a conv" },
    { "[{\"type\": \"pool\", \"kind\": \"min\"}]", "model.layers[0].kind: must be \"max\" or \"avg\"" },
    { "[{\"type\": \"pool\", \"size\": 0}]", "model.layers[0].size: must be a whole number in [1, 1024] (got 0)" },
    { "[{\"type\": \"pool\", \"size\": 2, \"stride\": 2000}]",
      "model.layers[0].stride: must be a whole number in [1, 1024] (got 2000)" },
    { "[{\"type\": \"pool\", \"padding\": 1}]", "model.layers[0].padding: unknown key for a pool" },
    { "[{\"type\": \"global_avg_pool\", \"size\": 2}]", "model.layers[0].size: unknown key for a global_avg_pool" },
    { "[{\"type\": \"flatten\"}]",
      "model.layers[0].type: must be \"dense\", \"conv\", \"pool\", \"global_avg_pool\" or \"batchnorm\"" },
    { "[{\"type\": \"pool\"}, {\"type\": \"batchnorm\"}]",
      "model.layers[1]: a batchnorm must follow a dense or conv layer (it follows a pool)" },
    { "[{\"type\": \"global_avg_pool\"}, {\"type\": \"batchnorm\"}]",
      "model.layers[1]: a batchnorm must follow a dense or conv layer (it follows a global_avg_pool)" },
    { "[{\"type\": \"dense\", \"units\": 8}, {\"type\": \"conv\", \"filters\": 8, \"kernel\": 3}]",
      "model.layers[1]: a conv layer needs an image input [C,H,W], but its input is a vector of 8 features" },
    { "[{\"type\": \"dense\", \"units\": 8}, {\"type\": \"batchnorm\"}, {\"type\": \"pool\"}]",
      "model.layers[2]: a pool layer needs an image input [C,H,W], but its input is a vector of 8 features" },
    { "[{\"type\": \"conv\", \"filters\": 6, \"kernel\": 3}, {\"type\": \"global_avg_pool\"}, {\"type\": \"global_avg_pool\"}]",
      "model.layers[2]: a global_avg_pool layer needs an image input [C,H,W], but its input is a vector of 6 features" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *json = g_strdup_printf ("{\"data\": {\"source\": \"csv:x.csv\"}, \"model\": {\"layers\": %s}}",
                                               cases[i].layers);
      g_autoptr(TsExperiment) exp = ts_experiment_from_json (json, -1, &error);
      g_assert_null (exp);
      expect_error_text (error, cases[i].message);
    }
}

/* the text form of every kind: read, written back the same, and the same
 * layers as its JSON */
static void
test_text_round_trips (void)
{
  static const struct { const char *text, *back; } cases[] = {
    { FMNIST_CNN, NULL },
    { "conv64x3/s2/p1:tanh,conv8x1,gap", NULL },
    { "conv32x5/same,bn,maxpool2,conv64x5/same,bn,maxpool2,128,bn:momentum=0.2:frozen,64:elu", NULL },
    { "avgpool3/s2,maxpool2/s1,maxpool3/s3", "avgpool3/s2,maxpool2/s1,maxpool3" },
    { "conv8x3/p1/s2", "conv8x3/s2/p1" },
    { " conv8x3 , gap ", "conv8x3,gap" },
    { "512:tanh,bn,256", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TsExperiment) exp = with_layers ("csv:x.csv", cases[i].text);
      g_autofree char *text = ts_experiment_get_text (exp, "model.layers");
      g_autofree char *json = ts_experiment_to_json (exp);
      g_autoptr(TsExperiment) back = NULL;
      g_autofree char *again = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpstr (text, ==, cases[i].back ? cases[i].back : cases[i].text);
      back = ts_experiment_from_json (json, -1, &error);
      g_assert_no_error (error);
      again = ts_experiment_get_text (back, "model.layers");
      g_assert_cmpstr (again, ==, text);
      g_assert_cmpmem (back->model.layers->data, back->model.layers->len * sizeof (TsLayerSpec),
                       exp->model.layers->data, exp->model.layers->len * sizeof (TsLayerSpec));
    }
}

/* --set's JSON form takes every kind too */
static void
test_text_json_form (void)
{
  g_autoptr(TsExperiment) exp = with_layers (
    "fashion-mnist", "[{\"type\":\"conv\",\"filters\":32,\"kernel\":5,\"stride\":1,\"padding\":\"same\","
    "\"activation\":\"relu\"},{\"type\":\"pool\",\"kind\":\"max\",\"size\":2,\"stride\":2},"
    "{\"type\":\"global_avg_pool\"},10]");
  g_autofree char *text = ts_experiment_get_text (exp, "model.layers");

  g_assert_cmpstr (text, ==, "conv32x5/same:relu,maxpool2,gap,10");
}

static void
test_text_errors (void)
{
  static const struct { const char *text, *message; } cases[] = {
    { "conv32", "model.layers[0]: \"conv32\" is not a conv layer; expected convFILTERSxKERNEL[/sSTRIDE][/pPADDING or "
                "/same][:ACTIVATION], like conv32x5 or conv64x3/s2/p1:tanh" },
    { "8,convx3", "model.layers[1]: \"convx3\" is not a conv layer" },
    { "conv", "model.layers[0]: \"conv\" is not a conv layer" },
    { "conv8x", "model.layers[0]: \"conv8x\" is not a conv layer" },
    { "conv0x3", "model.layers[0].filters: must be a whole number in [1, 1000000] (got \"0\")" },
    { "conv8x0", "model.layers[0].kernel: must be a whole number in [1, 1024] (got \"0\")" },
    { "conv8x3/s0", "model.layers[0].stride: must be a whole number in [1, 1024] (got \"0\")" },
    { "conv8x3/p2000", "model.layers[0].padding: must be a whole number in [0, 1024] (got \"2000\")" },
    { "conv8x3/q1", "model.layers[0]: \"/q1\" in \"conv8x3/q1\" is not a conv option; expected /sSTRIDE, then "
                    "/pPADDING or /same" },
    { "conv8x3/s2/s2", "model.layers[0]: \"/s2\" in \"conv8x3/s2/s2\" is given twice" },
    { "conv8x3/same/p1", "model.layers[0]: \"/p1\" in \"conv8x3/same/p1\" is given twice" },
    { "conv8x3:swish", "model.layers[0].activation: must be one of sigmoid" },
    { "maxpool", "model.layers[0]: \"maxpool\" is not a pool layer; expected maxpoolSIZE or avgpoolSIZE[/sSTRIDE], "
                 "like maxpool2 or avgpool3/s2" },
    { "maxpool0", "model.layers[0].size: must be a whole number in [1, 1024] (got \"0\")" },
    { "avgpool2/p1", "model.layers[0]: \"/p1\" in \"avgpool2/p1\" is not a pool option; expected /sSTRIDE" },
    { "maxpool2:relu", "model.layers[0]: \"maxpool2:relu\": a pool has no activation" },
    { "gap2", "model.layers[0]: \"gap2\": gap (global_avg_pool) takes no size, stride or activation" },
    { "minpool2", "model.layers[0]: \"minpool2\" is not a layer; expected unit counts like 512,256" },
    { "bn:width=3", "model.layers[0]: \"width=3\" is not a batchnorm option" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
      g_autoptr(GError) error = NULL;
      g_autofree char *before = ts_experiment_get_text (exp, "model.layers");
      g_autofree char *after = NULL;

      g_assert_false (ts_experiment_set (exp, "model.layers", cases[i].text, &error));
      expect_error_text (error, cases[i].message);
      after = ts_experiment_get_text (exp, "model.layers");
      g_assert_cmpstr (after, ==, before); /* a bad text changes nothing */
    }
}

/* the advisor's "add capacity": dense units and conv filters widen, the
 * windows and pools stay */
static void
test_width_factor (void)
{
  g_autoptr(TsExperiment) exp = with_layers ("fashion-mnist", "conv32x5/same:tanh,bn,maxpool2,conv64x3/s2/p1,gap,128");
  g_autofree char *wide = ts_experiment_layers_text (exp, 2);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (wide, ==, "conv64x5/same:tanh,bn,maxpool2,conv128x3/s2/p1,gap,256");
  g_assert_true (ts_experiment_set (exp, "model.layers", wide, &error));
  g_assert_no_error (error);
  g_assert_true (ts_experiment_validate (exp, &error));
  g_assert_no_error (error);
}

static void
assert_input (const char *source, const char *key, const char *value, const char *expected)
{
  g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
  TsShape shape;

  g_free (exp->data.source);
  exp->data.source = g_strdup (source);
  if (key)
    g_assert_true (ts_experiment_set (exp, key, value, NULL));
  if (expected == NULL)
    g_assert_false (ts_experiment_input_shape (exp, &shape));
  else
    {
      g_autofree char *text = NULL;
      g_assert_true (ts_experiment_input_shape (exp, &shape));
      text = ts_shape_text (&shape);
      g_assert_cmpstr (text, ==, expected);
    }
}

/* known without loading, or FALSE: what the loaders make (checked against
 * the loaded data below) */
static void
test_input_shape (void)
{
  assert_input ("fashion-mnist", NULL, NULL, "[1,28,28]");
  assert_input ("builtin:shapes", NULL, NULL, "[3,32,32]");
  assert_input ("builtin:spiral", NULL, NULL, "[2]");
  assert_input ("builtin:moons", NULL, NULL, "[2]");
  assert_input ("cifar10:/nowhere", NULL, NULL, "[3,32,32]");
  assert_input ("cifar100:/nowhere", NULL, NULL, "[3,32,32]");
  assert_input ("csv:x.csv", NULL, NULL, NULL);
  assert_input ("idx:/nowhere", NULL, NULL, NULL);
  assert_input ("folder:/nowhere", NULL, NULL, NULL);
  assert_input ("fashion-mnist", "data.view", "top", "[1,14,28]");
  assert_input ("builtin:shapes", "data.view", "right", "[3,32,16]");
  assert_input ("fashion-mnist", "data.preprocess", "zca", "[1,28,28]");
  assert_input ("fashion-mnist", "data.preprocess", "center", "[1,28,28]");
  assert_input ("fashion-mnist", "data.preprocess", "pca", "[784]");
  {
    g_autoptr(TsExperiment) exp = with_layers ("fashion-mnist", "64");
    TsShape shape;
    g_autofree char *text = NULL;
    g_assert_true (ts_experiment_set (exp, "data.preprocess", "pca_whiten", NULL));
    g_assert_true (ts_experiment_set (exp, "data.pca_components", "50", NULL));
    g_assert_true (ts_experiment_input_shape (exp, &shape));
    text = ts_shape_text (&shape);
    g_assert_cmpstr (text, ==, "[50]");
  }
}

/* the loaded data agree with what is known before loading */
static void
test_input_shape_matches_loaded (void)
{
  static const char *const sources[] = { "builtin:shapes", "builtin:spiral", "fashion-mnist" };

  for (gsize i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      g_autoptr(TsExperiment) exp = with_layers (sources[i], "8");
      TsSplits splits = { 0 };
      g_autoptr(GError) error = NULL;
      TsShape known, loaded;

      if (strcmp (sources[i], "fashion-mnist") == 0
          && !g_file_test (TS_FASHION_MNIST_DIR "/train-images-idx3-ubyte.gz", G_FILE_TEST_EXISTS))
        continue;
      exp->data.samples = 64;
      g_assert_true (ts_experiment_set (exp, "data.view", i == 0 ? "bottom" : "all", NULL));
      g_assert_true (ts_experiment_input_shape (exp, &known));
      g_assert_true (ts_splits_load (exp, &splits, NULL, &error));
      g_assert_no_error (error);
      loaded = ts_dataset_is_image (splits.train)
               ? (TsShape) { 3, { splits.train->channels, splits.train->height, splits.train->width } }
               : (TsShape) { 1, { splits.train->dim } };
      g_assert_cmpmem (&known, sizeof known, &loaded, sizeof loaded);
      g_assert_cmpuint (ts_experiment_class_count (exp), ==, splits.train->n_classes);
      ts_splits_clear (&splits);
    }
}

/* the Fashion-MNIST CNN as PyTorch's summary gives it */
static void
test_layer_shapes (void)
{
  g_autoptr(TsExperiment) exp = with_layers ("fashion-mnist", FMNIST_CNN);
  static const char *const expected[] = { "[32,28,28]", "[32,14,14]", "[64,14,14]", "[64,7,7]", "[128]", "[10]" };
  static const guint64 params[] = { 832, 0, 51264, 0, 401536, 1290 };
  TsShape input, shapes[6];
  guint64 counts[6];
  g_autoptr(GError) error = NULL;

  g_assert_true (ts_experiment_input_shape (exp, &input));
  g_assert_true (ts_experiment_layer_shapes (exp, &input, shapes, counts, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *text = ts_shape_text (&shapes[i]);
      g_assert_cmpstr (text, ==, expected[i]);
      g_assert_cmpuint (counts[i], ==, params[i]);
    }
  /* batchnorm 2-D: γ and β per channel */
  g_assert_true (ts_experiment_set (exp, "model.layers", "conv32x5/same,bn,maxpool2,gap", NULL));
  g_assert_true (ts_experiment_layer_shapes (exp, &input, shapes, counts, &error));
  g_assert_cmpuint (counts[1], ==, 64);
  g_assert_cmpuint (counts[4], ==, 32 * 10 + 10);
  /* classes unknown until loaded: the output layer says 0 */
  g_free (exp->data.source);
  exp->data.source = g_strdup ("idx:/nowhere");
  g_assert_true (ts_experiment_layer_shapes (exp, &input, shapes, counts, &error));
  g_assert_cmpuint (shapes[4].dims[0], ==, 0);
  g_assert_cmpuint (counts[4], ==, 0);
  g_assert_true (ts_experiment_layer_shapes_for (exp, &input, 7, shapes, counts, &error));
  g_assert_cmpuint (counts[4], ==, 32 * 7 + 7);
}

/* validation checks the shapes when the source's is known: each refusal
 * names the entry, says why and gives the shape there */
static void
test_validation_shapes (void)
{
  static const struct { const char *source, *layers, *key, *value, *message; } cases[] = {
    { "builtin:spiral", "conv8x3", NULL, NULL,
      "model.layers[0]: a conv layer needs an image input [C,H,W], but its input is a vector of 2 features (2-D point "
      "data); convolutions and pooling slide over height and width, which points and flattened layers do not have "
      "(input [2])" },
    { "fashion-mnist", "conv8x3,maxpool2", "data.preprocess", "pca",
      "data.preprocess: pca turns the [1,28,28] images into 784 components, which conv and pool layers cannot slide "
      "over; use center, standardize or zca (they keep the pixels), or dense layers only" },
    { "fashion-mnist", "conv8x5,maxpool2,conv8x5,maxpool2,conv8x3,maxpool2,maxpool2", NULL, NULL,
      "model.layers[6]: pool size 2 does not fit a 1×1 input (input [8,1,1])" },
    { "fashion-mnist", "conv8x29", NULL, NULL, "model.layers[0]: conv kernel 29 does not fit a 28×28 input (input [1,28,28])" },
    { "builtin:shapes", "conv8x3/s2,conv8x3/s2,conv8x3/s2,conv8x3/s2,conv8x3/s2", NULL, NULL,
      "model.layers[4]: conv kernel 3 does not fit a 1×1 input (input [8,1,1])" },
    { "fashion-mnist", "maxpool2", "data.view", "left", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TsExperiment) exp = with_layers (cases[i].source, cases[i].layers);
      g_autoptr(GError) error = NULL;

      if (cases[i].key)
        g_assert_true (ts_experiment_set (exp, cases[i].key, cases[i].value, NULL));
      if (cases[i].message == NULL)
        {
          g_assert_true (ts_experiment_validate (exp, &error));
          g_assert_no_error (error);
          continue;
        }
      g_assert_false (ts_experiment_validate (exp, &error));
      expect_error_text (error, cases[i].message);
    }
  /* unknown until loaded: the shapes wait for the data */
  {
    g_autoptr(TsExperiment) exp = with_layers ("csv:x.csv", "conv8x3,maxpool2");
    g_assert_true (ts_experiment_validate (exp, NULL));
  }
}

/* the three CNN examples: found by name and by title, valid, and their
 * stacks' shapes as the issue gives them */
static void
test_cnn_examples (void)
{
  static const struct { const char *name, *title, *layers, *last_hidden; guint64 params; } cases[] = {
    { "fashion-cnn", "Fashion-MNIST · CNN", FMNIST_CNN, "[128]", 832 + 51264 + 401536 + 1290 },
    { "fashion-cnn-bn", "Fashion-MNIST · CNN · BN", "conv32x5/same,bn,maxpool2,conv64x5/same,bn,maxpool2,128",
      "[128]", 832 + 64 + 51264 + 128 + 401536 + 1290 },
    { "shapes-cnn-augmented", "Shapes · CNN · augmented",
      "conv16x3/same,maxpool2,conv32x3/same,maxpool2,conv64x3/same,gap", "[64]",
      448 + 4640 + 18496 + 64 * 8 + 8 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TsExperiment) exp = ts_experiment_new_example (cases[i].name);
      g_autoptr(TsExperiment) by_title = ts_experiment_new_example (cases[i].title);
      g_autofree char *layers = NULL, *last = NULL, *a = NULL, *b = NULL;
      g_autoptr(GError) error = NULL;
      guint n;
      TsShape input, shapes[16];
      guint64 params[16], total = 0;

      g_assert_nonnull (exp);
      g_assert_cmpstr (exp->name, ==, cases[i].title);
      a = ts_experiment_to_json (exp);
      b = ts_experiment_to_json (by_title);
      g_assert_cmpstr (a, ==, b);
      g_assert_true (g_strv_contains (ts_experiment_example_names (), cases[i].name));
      g_assert_true (ts_experiment_validate (exp, &error));
      g_assert_no_error (error);
      layers = ts_experiment_get_text (exp, "model.layers");
      g_assert_cmpstr (layers, ==, cases[i].layers);
      n = exp->model.layers->len;
      g_assert_true (ts_experiment_input_shape (exp, &input));
      g_assert_true (ts_experiment_layer_shapes (exp, &input, shapes, params, &error));
      last = ts_shape_text (&shapes[n - 1]);
      g_assert_cmpstr (last, ==, cases[i].last_hidden);
      for (guint l = 0; l <= n; l++)
        total += params[l];
      g_assert_cmpuint (total, ==, cases[i].params);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/experiment-layers/json-every-kind", test_json_every_kind);
  g_test_add_func ("/core/experiment-layers/json-errors", test_json_errors);
  g_test_add_func ("/core/experiment-layers/text-round-trips", test_text_round_trips);
  g_test_add_func ("/core/experiment-layers/text-json-form", test_text_json_form);
  g_test_add_func ("/core/experiment-layers/text-errors", test_text_errors);
  g_test_add_func ("/core/experiment-layers/width-factor", test_width_factor);
  g_test_add_func ("/core/experiment-layers/input-shape", test_input_shape);
  g_test_add_func ("/core/experiment-layers/input-shape-matches-loaded", test_input_shape_matches_loaded);
  g_test_add_func ("/core/experiment-layers/layer-shapes", test_layer_shapes);
  g_test_add_func ("/core/experiment-layers/validation-shapes", test_validation_shapes);
  g_test_add_func ("/core/experiment-layers/cnn-examples", test_cnn_examples);
  return g_test_run ();
}
