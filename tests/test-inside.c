/* What the while-training views read: exact per-layer histograms in the
 * stats log, the published parameter snapshot, and the decision grid. */
#include "test-util.h"

/* the SIMD sums against plain double loops, on lengths that leave a tail,
 * and a tight spread around a large mean (sigmoid units near ½) */
static void
test_moments_match_double_sums (void)
{
  const gsize lengths[] = { 0, 1, 15, 17, 1023, 1024, 1025, 50001 };
  TsRng rng;

  ts_rng_init (&rng, 3, TS_STREAM_DATA);
  for (guint c = 0; c < G_N_ELEMENTS (lengths); c++)
    for (int tight = 0; tight < 2; tight++)
      {
        gsize n = lengths[c];
        g_autofree float *v = g_new (float, MAX (n, 1));
        double sum = 0, sq = 0, mean, std;
        TsMoments m;

        for (gsize i = 0; i < n; i++)
          v[i] = tight ? 0.5f + 1e-6f * (float) ts_rng_normal (&rng) : 3.f * (float) ts_rng_normal (&rng) - 1.f;
        for (gsize i = 0; i < n; i++)
          sum += v[i];
        mean = n ? sum / n : 0;
        for (gsize i = 0; i < n; i++)
          sq += (v[i] - mean) * (v[i] - mean);
        std = n ? sqrt (sq / n) : 0;
        m = ts_moments (v, n);
        g_assert_cmpfloat_with_epsilon (m.mean, mean, 1e-6 * MAX (fabs (mean), 1e-3));
        g_assert_cmpfloat_with_epsilon (m.std, std, 1e-3 * std + 1e-12); /* a 1e-6 spread kept to 0.1% */
        for (gsize i = 0; i < n; i++)
          g_assert_true (v[i] >= m.min && v[i] <= m.max);
        if (n > 0)
          {
            gboolean min_seen = FALSE, max_seen = FALSE;
            for (gsize i = 0; i < n; i++)
              min_seen |= v[i] == m.min, max_seen |= v[i] == m.max;
            g_assert_true (min_seen && max_seen);
          }
      }
  g_assert_true (isnan (ts_moments ((float[]) { 1, NAN, 2 }, 3).std));
  g_assert_cmpfloat (ts_moments ((float[]) { 1, NAN, 2 }, 3).max, ==, 2); /* the range skips NaN */
  g_assert_false (isfinite (ts_moments ((float[]) { 1, 2, INFINITY }, 3).mean));
}

/* dead and saturated shares as plain loops over z and a count them, for
 * every kind; PReLU with a negative slope has a > 0 where z < 0, and its
 * dead units are still those whose z never is positive */
static void
test_dead_and_saturated_match_plain_counts (void)
{
  const TsActivation kinds[] = { TS_ACT_RELU, TS_ACT_LEAKY_RELU, TS_ACT_ELU, TS_ACT_PRELU, TS_ACT_TANH,
                                 TS_ACT_SIGMOID };
  enum { IN = 6, UNITS = 37, B = 50 };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      TsLayerSpec hidden[1] = { { UNITS, kinds[k] } };
      g_autoptr(TsNet) net = ts_net_new (IN, hidden, 1, kinds[k], 0.1f, 0, 3, B);
      float x[B * IN];
      g_autofree TsStatsRecord *rec = ts_stats_record_new (net->n_layers);
      TsRng rng;
      guint dead = 0, saturated = 0;

      ts_rng_init (&rng, 4 + k, TS_STREAM_INIT);
      ts_net_init (net, TS_INIT_SMALL, 1.5, &rng);
      for (guint j = 0; j < UNITS; j++) /* biases that kill some units and saturate others */
        net->params[net->layers[0].b + j] = (float) j / UNITS * 20.f - 14.f;
      if (net->layers[0].prelu != TS_NO_PARAM)
        net->params[net->layers[0].prelu] = -0.5f;
      for (int i = 0; i < B * IN; i++)
        x[i] = (float) ts_rng_normal (&rng);
      ts_net_forward (net, x, B, FALSE, 0);
      ts_stats_measure_forward (net, B, TRUE, rec);
      for (guint j = 0; j < UNITS; j++)
        {
          gboolean alive = FALSE;
          for (guint r = 0; r < B; r++)
            alive |= net->z[0][r * UNITS + j] > 0.f;
          dead += !alive;
        }
      for (guint i = 0; i < B * UNITS; i++)
        {
          float a = net->a[0][i];
          saturated += kinds[k] == TS_ACT_TANH ? fabsf (a) > 0.99f : kinds[k] == TS_ACT_SIGMOID && (a < 0.01f || a > 0.99f);
        }
      if (kinds[k] == TS_ACT_TANH || kinds[k] == TS_ACT_SIGMOID)
        {
          g_assert_cmpfloat (rec->layers[0].dead_fraction, ==, 0.f);
          g_assert_cmpuint (saturated, >, 0);
        }
      else
        g_assert_cmpuint (dead, >, 0);
      g_assert_cmpfloat_with_epsilon (rec->layers[0].dead_fraction * UNITS, kinds[k] == TS_ACT_TANH || kinds[k] == TS_ACT_SIGMOID ? 0 : dead, 1e-4);
      g_assert_cmpfloat_with_epsilon (rec->layers[0].saturated_fraction * B * UNITS, saturated, 1e-3);
    }
}

/* A conv layer's dead share counts channels: one dead everywhere, one
 * alive at a single position of one sample, one alive everywhere, one
 * exactly 0 (dead: not positive) → 2 of 4. Counted per position it would
 * be 26 of 36. Saturation stays a share of values. */
static void
test_conv_channels_dead (void)
{
  enum { B = 2, C = 4, P = 9 };
  float a[B * C * P], t[B * C * P];
  TsLayerStats s = { 0 };

  for (guint r = 0; r < B; r++)
    for (guint c = 0; c < C; c++)
      for (guint p = 0; p < P; p++)
        {
          float *v = &a[(r * C + c) * P + p];
          *v = c == 0 ? -1.f - p : c == 1 ? (r == 1 && p == 4 ? 0.5f : -0.25f) : c == 2 ? 1.f + p : 0.f;
          t[(r * C + c) * P + p] = c == 2 ? 0.999f : c == 0 && p < 3 ? -0.995f : 0.1f;
        }
  ts_stats_activations_planes (&s, a, a, B, C, P, TS_ACT_RELU);
  g_assert_cmpfloat (s.dead_fraction, ==, 0.5f);
  g_assert_cmpfloat (s.saturated_fraction, ==, 0.f);
  ts_stats_activations (&s, a, a, B, C * P, TS_ACT_RELU); /* the same values as 36 units */
  g_assert_cmpfloat_with_epsilon (s.dead_fraction, 26.f / 36, 1e-6);
  ts_stats_activations_planes (&s, t, t, B, C, P, TS_ACT_TANH);
  g_assert_cmpfloat (s.dead_fraction, ==, 0.f);
  g_assert_cmpfloat_with_epsilon (s.saturated_fraction, (B * P + B * 3.f) / (B * C * P), 1e-6);
}

/* Through a net: conv 4 filters 3×3 "same" on a 6×6 image with one bright
 * pixel. Filter 0's bias −100 kills it; filter 1 (centre weight 1, bias
 * −0.5) fires at that pixel alone; 2 and 3 (bias +1) everywhere. One
 * channel of four is dead (per position it would be 16 + 15 of 64); and a
 * maxpool after it is measured by channel too. */
static void
test_conv_net_dead_channels (void)
{
  TsShape input = { 3, { 1, 6, 6 } };
  TsLayerSpec layers[] = { { .units = 4, .activation = TS_ACT_RELU, .kind = TS_LAYER_CONV, .kernel = 3, .stride = 1,
                             .padding = TS_PADDING_SAME },
                           { .kind = TS_LAYER_POOL, .pool = TS_POOL_MAX, .kernel = 2, .stride = 2 } };
  g_autoptr(TsNet) net = ts_net_new_shaped (&input, layers, 2, TS_ACT_RELU, 0, 0, 2, 2);
  g_autofree TsStatsRecord *rec = ts_stats_record_new (ts_net_n_layers (net));
  float x[2 * 36] = { 0 }, *w, *b;
  TsShape shape;

  g_assert_nonnull (net);
  w = ts_net_layer_weights_mut (net, 0, &shape);
  b = ts_net_layer_bias_mut (net, 0);
  g_assert_cmpuint (shape.ndim, ==, 4);
  memset (w, 0, ts_shape_numel (&shape) * sizeof (float));
  w[9 + 4] = 1; /* filter 1's centre */
  b[0] = -100, b[1] = -0.5f, b[2] = 1, b[3] = 1;
  x[2 * 6 + 3] = 1; /* sample 0: one bright pixel; sample 1 dark */
  ts_net_forward (net, x, 2, FALSE, 0);
  ts_stats_measure_forward (net, 2, TRUE, rec);
  g_assert_cmpfloat (rec->layers[0].dead_fraction, ==, 0.25f);
  g_assert_cmpfloat (rec->layers[1].dead_fraction, ==, 0.f); /* a pool has no activation of its own */
  g_assert_cmpfloat (rec->layers[0].saturated_fraction, ==, 0.f);

  /* the same net's feature maps of sample 0: the conv layer's output only */
  {
    TsModel model = { NULL, net, ts_preprocess_new_from_parts (TS_PRE_NONE, 36, 36, NULL, NULL, NULL) };
    g_autoptr(TsFeatureMaps) fm = ts_feature_maps_new (&model, x, 36, 0, 1, NULL);
    g_autoptr(GError) error = NULL;
    const float *v;

    g_assert_nonnull (fm);
    g_assert_cmpuint (fm->n_layers, ==, 1);
    g_assert_cmpuint (fm->layers[0].layer, ==, 0);
    g_assert_cmpint (fm->layers[0].activation, ==, TS_ACT_RELU);
    g_assert_cmpuint (fm->layers[0].shape.ndim, ==, 3);
    g_assert_cmpuint (fm->layers[0].shape.dims[0], ==, 4);
    g_assert_cmpuint (fm->layers[0].shape.dims[2], ==, 6);
    g_assert_cmpuint (fm->label, ==, 1);
    g_assert_cmpfloat (fm->input[2 * 6 + 3], ==, 1);
    v = fm->layers[0].values;
    for (int i = 0; i < 36; i++)
      {
        g_assert_cmpfloat (v[i], ==, 0);                          /* dead */
        g_assert_cmpfloat (v[36 + i], ==, i == 15 ? 0.5f : 0.f);  /* the bright pixel only */
        g_assert_cmpfloat (v[72 + i], ==, 1);
      }
    g_assert_null (ts_feature_maps_new (&model, x, 35, 0, 0, &error));
    g_assert_nonnull (strstr (error->message, "35 values"));
    ts_preprocess_free (model.preprocess);
  }
}

static void
test_histogram_counts_exactly (void)
{
  float v[] = { 0, 1, 2, 3, 4, 4, NAN, INFINITY, -1e30f, 1e30f };
  TsHistogram h;
  guint total = 0;

  ts_histogram_fill (&h, v, 6, 0, 0); /* the data's range: [0, 4] */
  g_assert_cmpfloat (h.edges[0], ==, 0);
  g_assert_cmpfloat (h.edges[TS_HISTOGRAM_BINS], ==, 4);
  g_assert_cmpuint (h.counts[0], ==, 1);
  g_assert_cmpuint (h.counts[TS_HISTOGRAM_BINS / 4], ==, 1); /* 1 starts bin 10 */
  g_assert_cmpuint (h.counts[TS_HISTOGRAM_BINS - 1], ==, 2); /* the maximum lands in the last bin */

  ts_histogram_fill (&h, v, G_N_ELEMENTS (v), -1, 1); /* a given range: outliers go to the ends */
  for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
    total += h.counts[b];
  g_assert_cmpuint (total, ==, 8); /* NaN and Inf are not counted */
  g_assert_cmpuint (h.counts[0], ==, 1);
  g_assert_cmpuint (h.counts[TS_HISTOGRAM_BINS - 1], ==, 6); /* 1 (the upper edge), 2, 3, 4, 4, 1e30 */

  ts_histogram_fill (&h, v + 6, 2, 0, 0); /* nothing finite: an empty histogram, a valid range */
  g_assert_cmpfloat (h.edges[TS_HISTOGRAM_BINS], >, h.edges[0]);
  ts_histogram_fill (&h, (float[]) { -3e38f, 3e38f, 1 }, 3, 0, 0); /* a diverged net's range: no overflow */
  g_assert_cmpuint (h.counts[0] + h.counts[TS_HISTOGRAM_BINS / 2] + h.counts[TS_HISTOGRAM_BINS - 1], ==, 3);
  {
    /* many values (vectorised blocks and a tail), some outside the range: as a plain loop bins them */
    enum { N = 10007 };
    g_autofree float *many = g_new (float, N);
    guint want[TS_HISTOGRAM_BINS] = { 0 };
    TsRng rng;
    ts_rng_init (&rng, 8, TS_STREAM_DATA);
    for (int i = 0; i < N; i++)
      {
        float f;
        many[i] = 2.f * (float) ts_rng_normal (&rng);
        f = (many[i] - -2.f) * (float) (TS_HISTOGRAM_BINS / 5.0);
        want[(int) MIN (MAX (f, 0.f), TS_HISTOGRAM_BINS - 1.f)]++;
      }
    ts_histogram_fill (&h, many, N, -2, 3);
    for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
      g_assert_cmpuint (h.counts[b], ==, want[b]);
  }
  ts_histogram_fill (&h, (float[]) { 0, 0, 0 }, 3, 0, 0); /* zero init: one spike, not a division by 0 */
  g_assert_cmpfloat (h.edges[TS_HISTOGRAM_BINS], >, h.edges[0]);
  total = 0;
  for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
    total += h.counts[b];
  g_assert_cmpuint (total, ==, 3);
}

static TsTraining *
train_spiral (guint epochs)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", epochs);
  return train_to_end (exp);
}

static guint
histogram_total (const TsHistogram *h)
{
  guint total = 0;
  for (int b = 0; b < TS_HISTOGRAM_BINS; b++)
    total += h->counts[b];
  return total;
}

static void
test_stats_hold_layer_histograms (void)
{
  g_autoptr(TsTraining) t = train_spiral (10);
  gsize n = ts_metric_log_length (t->stats);
  const TsStatsRecord *first, *last;

  g_assert_cmpuint (n, >=, 3);
  first = ts_metric_log_get (t->stats, 0);
  last = ts_metric_log_get (t->stats, n - 1);
  g_assert_cmpuint (last->n_layers, ==, t->net->n_layers);
  for (guint l = 0; l < last->n_layers; l++)
    {
      const TsNetLayer *layer = &t->net->layers[l];
      const TsLayerStats *s = &last->layers[l];
      guint batch = t->exp->train.batch_size;
      g_assert_cmpuint (histogram_total (&s->hist[TS_HIST_WEIGHTS]), ==, layer->in * layer->out);
      g_assert_cmpuint (histogram_total (&s->hist[TS_HIST_GRADIENTS]), ==, layer->in * layer->out);
      /* the rows of the batch measured: a full one, or an epoch's short last one */
      guint rows = histogram_total (&s->hist[TS_HIST_ACTIVATIONS]) / layer->out;
      g_assert_cmpuint (histogram_total (&s->hist[TS_HIST_ACTIVATIONS]) % layer->out, ==, 0);
      g_assert_true (rows == batch || rows == t->data.train->n % batch);
    }
  /* training moved the first layer's weights: its histogram changed */
  g_assert_true (memcmp (&first->layers[0].hist[TS_HIST_WEIGHTS], &last->layers[0].hist[TS_HIST_WEIGHTS],
                         sizeof (TsHistogram)) != 0);
  /* ReLU hidden activations are never negative */
  g_assert_cmpfloat (last->layers[0].hist[TS_HIST_ACTIVATIONS].edges[0], >=, 0);
}

static void
test_snapshot_follows_epochs (void)
{
  g_autoptr(TsTraining) t = train_spiral (3);
  g_autofree float *params = g_new (float, t->net->n_params);

  g_assert_cmpuint (ts_snapshot_get_size (t->snapshot), ==, t->net->n_params);
  g_assert_cmpuint (ts_snapshot_get_step (t->snapshot), ==, t->step);
  g_assert_cmpuint (ts_snapshot_read (t->snapshot, params), ==, t->step);
  g_assert_cmpmem (params, sizeof (float) * t->net->n_params, t->net->params, sizeof (float) * t->net->n_params);
}

static void
test_trainer_model_predicts_live (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:spiral", 40);
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, NULL);
  g_autoptr(TsModel) model = NULL;
  g_autoptr(TsDecisionGrid) grid = NULL;
  g_autoptr(GError) error = NULL;
  TsSplits splits = { 0 };
  guint64 step = 0;
  guint agree = 0;

  g_assert_null (ts_trainer_dup_model (tr, NULL));
  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  model = ts_trainer_dup_model (tr, &step);
  g_assert_nonnull (model);
  g_assert_cmpuint (step, >, 0);

  /* the raw training points, as the window has them; the grid's cell under
   * each point predicts its label (the default reaches ≥ 97%) */
  g_assert_true (ts_splits_load (exp, &splits, NULL, &error));
  {
    double x0, x1, y0, y1;
    const TsDataset *ds = splits.train;
    ts_decision_bounds (ds, 0.05, &x0, &x1, &y0, &y1);
    grid = ts_decision_grid_new (model, x0, x1, y0, y1, 200, 200, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (grid->n_classes, ==, 3);
    for (guint i = 0; i < ds->n; i++)
      {
        guint gx = (guint) ((ds->x[2 * i] - x0) / (x1 - x0) * 200);
        guint gy = (guint) ((ds->x[2 * i + 1] - y0) / (y1 - y0) * 200);
        agree += grid->classes[MIN (gy, 199) * 200 + MIN (gx, 199)] == ds->y[i];
        g_assert_cmpfloat (grid->confidence[MIN (gy, 199) * 200 + MIN (gx, 199)], >=, 1.0 / 3 - 1e-6);
      }
    g_test_message ("grid agrees with %u of %u training labels", agree, ds->n);
    g_assert_cmpfloat ((double) agree / ds->n, >=, 0.93);
  }
  ts_splits_clear (&splits);
}

/* layers.csv holds every measurement; read back, it is the same records */
static void
test_layers_csv_round_trip (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:moons", 6);
  g_autoptr(TsTrainer) tr = ts_trainer_new (exp, dir);
  g_autoptr(TsMetricLog) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "layers.csv", NULL);
  TsMetricLog *live;
  gsize n;

  ts_trainer_start (tr);
  g_assert_cmpint (ts_trainer_wait (tr), ==, TS_RUN_DONE);
  live = ts_trainer_get_stats (tr);
  n = ts_metric_log_length (live);
  loaded = ts_run_dir_load_stats (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ts_metric_log_length (loaded), ==, n);
  g_assert_cmpuint (n, >=, 50);
  for (gsize i = 0; i < n; i++)
    {
      const TsStatsRecord *a = ts_metric_log_get (live, i), *b = ts_metric_log_get (loaded, i);
      g_assert_cmpuint (a->step, ==, b->step);
      g_assert_cmpuint (a->n_layers, ==, b->n_layers);
      for (guint l = 0; l < a->n_layers; l++)
        {
          g_assert_cmpfloat (a->layers[l].act_std, ==, b->layers[l].act_std); /* %.9g keeps every float digit */
          g_assert_true (a->layers[l].update_ratio == b->layers[l].update_ratio
                         || (isnan (a->layers[l].update_ratio) && isnan (b->layers[l].update_ratio)));
          g_assert_cmpmem (a->layers[l].hist, sizeof a->layers[l].hist, b->layers[l].hist, sizeof b->layers[l].hist);
        }
    }
  /* a damaged file is refused by name and line: a non-number, a layer out
   * of order, an empty or infinite histogram range, a cut row */
  {
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    const char *edits[][2] = { { ",1,", ",1,x" }, { ",1,", ",2," }, { ",1,", ",1," }, { ",1,", ",1," } };
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    lines = g_strsplit (text, "\n", 3); /* header, first row, the rest */
    for (guint k = 0; k < G_N_ELEMENTS (edits); k++)
      {
        g_autofree char *row = g_strdup (lines[1]);
        g_autofree char *bad = NULL;
        if (k < 2)
          {
            char *at = strstr (row, edits[k][0]);
            g_autofree char *head = g_strndup (row, at - row);
            bad = g_strconcat (lines[0], "\n", head, edits[k][1], at + strlen (edits[k][0]), "\n", NULL);
          }
        else /* weights_hi = weights_lo, then weights_lo = -inf (found by fuzzing): columns 9 and 10 */
          {
            g_auto(GStrv) f = g_strsplit (row, ",", -1);
            g_free (f[10]);
            f[10] = g_strdup (f[9]);
            if (k == 3)
              {
                g_free (f[9]);
                f[9] = g_strdup ("-inf");
              }
            g_autofree char *joined = g_strjoinv (",", f);
            bad = g_strconcat (lines[0], "\n", joined, "\n", NULL);
          }
        g_assert_true (g_file_set_contents (path, bad, -1, NULL));
        g_clear_pointer (&loaded, ts_metric_log_free);
        g_clear_error (&error);
        loaded = ts_run_dir_load_stats (dir, &error);
        g_assert_null (loaded);
        g_assert_nonnull (strstr (error->message, "layers.csv:2:"));
      }
    g_assert_true (g_file_set_contents (path, text, -1, NULL));
  }
  {
    g_autofree char *text = NULL;
    gsize whole;
    g_clear_pointer (&loaded, ts_metric_log_free);
    g_clear_error (&error);
    loaded = ts_run_dir_load_stats (dir, &error); /* the file restored whole */
    whole = ts_metric_log_length (loaded);
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    text[strlen (text) / 2] = '\0'; /* cut mid-row, as a kill leaves it: the whole rows load */
    g_clear_error (&error);
    g_assert_true (g_file_set_contents (path, text, -1, NULL));
    g_clear_pointer (&loaded, ts_metric_log_free);
    loaded = ts_run_dir_load_stats (dir, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ts_metric_log_length (loaded), >, 0);
    g_assert_cmpuint (ts_metric_log_length (loaded), <, whole);
    for (gsize i = 0; i < ts_metric_log_length (loaded); i++) /* no measurement cut short either */
      g_assert_cmpuint (((const TsStatsRecord *) ts_metric_log_get (loaded, i))->n_layers, ==,
                        ((const TsStatsRecord *) ts_metric_log_get (loaded, 0))->n_layers);
  }
}

static void
test_decision_grid_needs_2d (void)
{
  g_autoptr(TsExperiment) exp = quick_experiment ("builtin:shapes", 1);
  g_autoptr(TsModel) model = g_new0 (TsModel, 1);
  g_autoptr(GError) error = NULL;

  model->experiment = ts_experiment_copy (exp);
  model->net = ts_net_new_from_experiment (exp, &(TsShape) { 1, { 3072 } }, 8, 16);
  model->preprocess = ts_preprocess_new_from_parts (TS_PRE_NONE, 3072, 3072, NULL, NULL, NULL);
  g_assert_null (ts_decision_grid_new (model, 0, 1, 0, 1, 4, 4, &error));
  g_assert_error (error, TS_ERROR, TS_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "3072 inputs"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/inside/moments-match-double-sums", test_moments_match_double_sums);
  g_test_add_func ("/inside/dead-and-saturated-match-plain-counts", test_dead_and_saturated_match_plain_counts);
  g_test_add_func ("/inside/conv-channels-dead", test_conv_channels_dead);
  g_test_add_func ("/inside/conv-net-dead-channels", test_conv_net_dead_channels);
  g_test_add_func ("/inside/histogram-counts-exactly", test_histogram_counts_exactly);
  g_test_add_func ("/inside/stats-hold-layer-histograms", test_stats_hold_layer_histograms);
  g_test_add_func ("/inside/snapshot-follows-epochs", test_snapshot_follows_epochs);
  g_test_add_func ("/inside/trainer-model-predicts-live", test_trainer_model_predicts_live);
  g_test_add_func ("/inside/decision-grid-needs-2d", test_decision_grid_needs_2d);
  g_test_add_func ("/inside/layers-csv-round-trip", test_layers_csv_round_trip);
  return g_test_run ();
}
