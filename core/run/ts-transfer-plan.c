/* The transfer lab's verdicts and plan: the similarity rule, the 2×2
 * table's cell and recommendation, the five strategies as experiments,
 * their results, the winner, transfer.json. */
#include "ts-transfer-private.h"
#include "ts-error.h"
#include "ts-io.h"
#include "ts-json.h"

#include <math.h>
#include <string.h>

/* ULMFiT's discriminative rates (Howard & Ruder 2018): each stage below the
 * top one learns 2.6 times slower than the one above it */
#define DISCRIMINATIVE_FACTOR 2.6

gboolean
_ts_transfer_similar (const TsTransferReport *r)
{
  /* LogME scores are per sample and comparable between feature sets for one
   * target, not between targets of different class counts; so the verdict
   * compares the target's stages with each other: the target is similar when
   * the top stage suits it best, as it suits the source's own held-out data */
  return r->best_logme == r->n_stages - 1;
}

guint
_ts_transfer_tensor_layer (const TsTransfer *t, guint k)
{
  const GArray *layers = t->target->model.layers;
  guint K = 0;

  for (guint i = 0; i < layers->len; i++)
    {
      TsLayerKind kind = g_array_index (layers, TsLayerSpec, i).kind;
      if (kind == TS_LAYER_DENSE || kind == TS_LAYER_CONV || kind == TS_LAYER_BATCHNORM)
        if (K++ == k)
          return i;
    }
  return layers->len;
}

static const char *const cells[] = { "little-different", "little-similar", "lots-different", "lots-similar" };

const char *
ts_transfer_cell (const TsTransferReport *r)
{
  return cells[(r->lots ? 2 : 0) + (r->similar ? 1 : 0)];
}

const char *
ts_transfer_recommendation_text (const TsTransferReport *r)
{
  static const char *const text[] = {
    "very little data, different: linear classifiers from different stages (linear-stages)",
    "very little data, similar: a linear classifier on the top layer (linear-top)",
    "a lot of data, different: fine-tune a large number of layers (finetune-many)",
    "a lot of data, similar: fine-tune a few layers (finetune-few)",
  };
  return text[(r->lots ? 2 : 0) + (r->similar ? 1 : 0)];
}

/* ---- results ------------------------------------------------------------ */

void
ts_transfer_set_result (TsTransfer *t, TsStrategy s, const char *run_dir, JsonNode *summary)
{
  TsStrategyResult *res = &t->report.results[s];
  JsonObject *o = summary && JSON_NODE_HOLDS_OBJECT (summary) ? json_node_get_object (summary) : NULL;

  g_free (res->run);
  res->run = g_strdup (run_dir);
  res->val_acc = ts_json_number (o, "val_acc");
  res->test_acc = ts_json_number (o, "test_acc");
  res->seconds = ts_json_number (o, "seconds");
  res->state = NULL;
  if (o && json_object_has_member (o, "state"))
    res->state = g_intern_string (json_object_get_string_member_with_default (o, "state", ""));
}

static double
judged_acc (const TsTransferReport *r, int s)
{
  return r->test_count ? r->results[s].test_acc : r->results[s].val_acc;
}

gboolean
ts_transfer_recommendation_right (const TsTransfer *t)
{
  int winner = ts_transfer_winner (t);
  /* a tie with the winner counts: the table's choice did as well */
  return winner >= 0 && judged_acc (&t->report, t->report.recommended) == judged_acc (&t->report, winner);
}

int
ts_transfer_winner (const TsTransfer *t)
{
  const TsTransferReport *r = &t->report;
  gboolean by_test = r->test_count > 0;
  int best = -1;

  for (int s = 0; s < TS_N_STRATEGIES; s++)
    {
      double v = by_test ? r->results[s].test_acc : r->results[s].val_acc;
      double b = best < 0 ? NAN : by_test ? r->results[best].test_acc : r->results[best].val_acc;
      if (!isnan (v) && (best < 0 || v > b))
        best = s;
    }
  return best;
}

/* ---- transfer.json ------------------------------------------------------ */

static JsonNode *
similarity_json (const TsTransferReport *r)
{
  JsonObject *o = json_object_new (), *ev = json_object_new ();
  JsonArray *target = json_array_new (), *source = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  ts_json_set_number (o, "score", r->similarity);
  json_object_set_string_member (o, "method", "logme");
  for (guint s = 0; s < r->n_stages; s++)
    {
      json_array_add_double_element (target, r->stages[s].logme);
      if (isnan (r->stages[s].source_logme))
        json_array_add_null_element (source);
      else
        json_array_add_double_element (source, r->stages[s].source_logme);
    }
  json_object_set_array_member (ev, "target_logme", target);
  json_object_set_array_member (ev, "source_logme", source);
  json_object_set_int_member (ev, "target_best_stage", r->best_logme + 1);
  json_object_set_int_member (ev, "source_best_stage", r->source_best_logme + 1);
  json_object_set_int_member (ev, "top_stage", r->n_stages);
  json_object_set_int_member (ev, "source_count", r->source_count);
  ts_json_set_number (ev, "source_score", r->source_similarity);
  json_object_set_int_member (ev, "probe_best_stage", r->best_probe + 1);
  ts_json_set_number (ev, "probe_top_val_acc", r->stages[r->n_stages - 1].probe_val_acc);
  ts_json_set_number (ev, "probe_best_val_acc", r->stages[r->best_probe].probe_val_acc);
  json_object_set_string_member (ev, "rule", "similar when the top stage has the target's highest LogME");
  json_object_set_boolean_member (ev, "similar", r->similar);
  json_object_set_object_member (o, "evidence", ev);
  json_node_take_object (node, o);
  return node;
}

static JsonNode *
size_json (const TsTransferReport *r)
{
  JsonObject *o = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_int_member (o, "train_count", r->train_count);
  json_object_set_string_member (o, "verdict", r->lots ? "a lot" : "little");
  json_object_set_int_member (o, "val_count", r->val_count);
  json_object_set_int_member (o, "test_count", r->test_count);
  json_object_set_int_member (o, "classes", r->n_classes);
  ts_json_set_number (o, "per_class", r->n_classes ? (double) r->train_count / r->n_classes : NAN);
  json_object_set_int_member (o, "params_per_class", r->params_per_class);
  json_object_set_int_member (o, "params_finetune_few", (gint64) r->params_few);
  json_object_set_int_member (o, "params_finetune_many", (gint64) r->params_many);
  json_object_set_string_member (o, "rule", "a lot when the samples per class are at least the parameters each class's "
                                            "output has on the top stage (its width + 1)");
  json_node_take_object (node, o);
  return node;
}

JsonNode *
ts_transfer_to_json (const TsTransfer *t)
{
  const TsTransferReport *r = &t->report;
  JsonObject *root = json_object_new ();
  JsonArray *stages = json_array_new (), *strategies = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  int winner = ts_transfer_winner (t);

  json_object_set_string_member (root, "pretrained", r->pretrained);
  json_object_set_string_member (root, "data", r->source);
  for (guint s = 0; s < r->n_stages; s++)
    {
      JsonObject *o = json_object_new ();
      json_object_set_int_member (o, "layer", r->stages[s].layer);
      json_object_set_string_member (o, "name", r->stages[s].name);
      ts_json_set_number (o, "probe_val_acc", r->stages[s].probe_val_acc);
      ts_json_set_number (o, "probe_test_acc", r->stages[s].probe_test_acc);
      json_object_set_int_member (o, "features", r->stages[s].width);
      ts_json_set_number (o, "logme", r->stages[s].logme);
      json_array_add_object_element (stages, o);
    }
  json_object_set_array_member (root, "stages", stages);
  json_object_set_member (root, "similarity", similarity_json (r));
  json_object_set_member (root, "size", size_json (r));
  json_object_set_string_member (root, "cell", ts_transfer_cell (r));
  json_object_set_string_member (root, "recommendation", ts_strategy_name (r->recommended));
  json_object_set_string_member (root, "recommendation_text", ts_transfer_recommendation_text (r));
  for (int s = 0; s < TS_N_STRATEGIES; s++)
    {
      const TsStrategyResult *res = &r->results[s];
      JsonObject *o;
      if (res->run == NULL)
        continue;
      o = json_object_new ();
      json_object_set_string_member (o, "name", ts_strategy_name (s));
      ts_json_set_number (o, "val_acc", res->val_acc);
      ts_json_set_number (o, "test_acc", res->test_acc);
      ts_json_set_number (o, "seconds", res->seconds);
      json_object_set_string_member (o, "run", res->run);
      if (res->state)
        json_object_set_string_member (o, "state", res->state);
      json_array_add_object_element (strategies, o);
    }
  json_object_set_array_member (root, "strategies", strategies);
  if (winner >= 0)
    {
      json_object_set_string_member (root, "winner", ts_strategy_name (winner));
      json_object_set_string_member (root, "winner_by", r->test_count ? "test_acc" : "val_acc");
      JsonArray *tied = json_array_new ();
      for (int s = 0; s < TS_N_STRATEGIES; s++)
        if (s != winner && judged_acc (r, s) == judged_acc (r, winner))
          json_array_add_string_element (tied, ts_strategy_name (s));
      json_object_set_array_member (root, "tied_with_winner", tied);
      json_object_set_boolean_member (root, "recommendation_right", ts_transfer_recommendation_right (t));
    }
  else
    json_object_set_null_member (root, "winner");
  ts_json_set_number (root, "seconds", r->seconds);
  json_node_take_object (node, root);
  return node;
}

/* ---- the strategies as experiments -------------------------------------- */

void
_ts_transfer_clear_data_carving (TsExperiment *exp)
{
  /* which classes the source kept and how its files were read */
  g_array_set_size (exp->data.class_subset, 0);
  g_array_set_size (exp->data.image_shape, 0);
  g_array_set_size (exp->data.resize, 0);
}

void
_ts_transfer_discriminative_rates (const TsTransfer *t, TsExperiment *exp)
{
  const TsTransferReport *r = &t->report;

  for (guint s = 0; s < r->n_stages; s++)
    for (guint i = r->stages[s].first; i <= r->stages[s].layer; i++)
      g_array_index (exp->model.layers, TsLayerSpec, i).lr_scale
        = (float) pow (DISCRIMINATIVE_FACTOR, -(double) (r->n_stages - 1 - s));
}

TsExperiment *
ts_transfer_strategy_experiment (TsTransfer *t, TsStrategy s, GError **error)
{
  const TsTransferReport *r = &t->report;
  g_autoptr(TsExperiment) exp = ts_experiment_copy (t->target);
  guint top_first = r->stages[r->n_stages - 1].first;

  g_free (exp->name);
  exp->name = g_strdup_printf ("transfer · %s · %s", ts_strategy_name (s), t->target->data.source);
  g_free (exp->model.init_from);
  exp->model.init_from = g_strdup (s == TS_STRATEGY_SCRATCH ? "" : t->model_path);
  /* the target's classes are not the source's, even when as many */
  exp->model.reinit_head = TS_REINIT_TRUE;
  /* each strategy says what trains, from the first step to the last */
  exp->model.unfreeze_after = 0;
  for (guint i = 0; i < exp->model.layers->len; i++)
    {
      TsLayerSpec *spec = &g_array_index (exp->model.layers, TsLayerSpec, i);
      spec->frozen = FALSE;
      spec->lr_scale = 0.f;
    }
  switch (s)
    {
    case TS_STRATEGY_LINEAR_TOP:
      exp->model.freeze = exp->model.layers->len;
      break;
    case TS_STRATEGY_LINEAR_STAGES:
      /* the net cut after the best probed stage, all of it frozen: a
       * softmax classifier on that stage's features, trained as a run
       * (init_from takes the tensors it has and leaves the rest) */
      g_array_set_size (exp->model.layers, r->stages[r->best_probe].layer + 1);
      exp->model.freeze = exp->model.layers->len;
      break;
    case TS_STRATEGY_FINETUNE_FEW:
      exp->model.freeze = top_first;
      break;
    case TS_STRATEGY_FINETUNE_MANY:
      exp->model.freeze = 0;
      _ts_transfer_discriminative_rates (t, exp);
      break;
    case TS_STRATEGY_SCRATCH:
    default:
      exp->model.freeze = 0;
      break;
    }
  if (!ts_experiment_validate (exp, error))
    return NULL;
  return g_steal_pointer (&exp);
}
