#include "ts-json.h"
#include "ts-ensemble-private.h"
#include "ts-checkpoints.h"
#include "ts-error.h"
#include "ts-view.h"

#include <math.h>
#include <string.h>

static const char *const rule_names[] = { "mean", "geometric", "vote", NULL };

const char *
ts_late_rule_name (TsLateRule rule)
{
  return rule_names[rule];
}

gboolean
ts_late_rule_from_name (const char *name, TsLateRule *out)
{
  for (int i = 0; rule_names[i]; i++)
    if (g_strcmp0 (rule_names[i], name) == 0)
      {
        *out = (TsLateRule) i;
        return TRUE;
      }
  return FALSE;
}

/* ---- members ------------------------------------------------------------ */

TsEnsemble *
ts_ensemble_new (const char *source)
{
  TsEnsemble *e = g_new0 (TsEnsemble, 1);
  e->models = g_ptr_array_new_with_free_func ((GDestroyNotify) ts_model_free);
  e->paths = g_ptr_array_new_with_free_func (g_free);
  e->source = g_strdup (source);
  return e;
}

void
ts_ensemble_free (TsEnsemble *e)
{
  if (e == NULL)
    return;
  g_ptr_array_unref (e->models);
  g_ptr_array_unref (e->paths);
  g_free (e->source);
  g_free (e);
}

guint
ts_ensemble_size (const TsEnsemble *e)
{
  return e->models->len;
}

const TsExperiment *
ts_ensemble_experiment (const TsEnsemble *e)
{
  return e->models->len ? ((TsModel *) e->models->pdata[0])->experiment : NULL;
}

static gboolean
add_file (TsEnsemble *e, const char *path, GError **error)
{
  g_autoptr(TsModel) m = NULL;
  const TsModel *first = e->models->len ? e->models->pdata[0] : NULL;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: no such model file", path);
      return FALSE;
    }
  /* loaded for the data it will see, as eval loads a model for --data: a
   * file that does not say its input's shape (a global average pool
   * forgets the image size) takes the data's */
  if ((m = ts_model_load_for (path, e->source ? e->source : first ? first->experiment->data.source : NULL, error))
      == NULL)
    return FALSE;
  /* members that each see a view of the images are checked against the
   * data instead: their input sizes are the views' */
  if (first && m->experiment->data.view == TS_VIEW_ALL && first->experiment->data.view == TS_VIEW_ALL
      && m->preprocess->in_dim != first->preprocess->in_dim)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: takes %u inputs per sample, but %s takes %u", path,
                   m->preprocess->in_dim, (char *) e->paths->pdata[0], first->preprocess->in_dim);
      return FALSE;
    }
  if (first && ts_net_n_classes (m->net) != ts_net_n_classes (first->net))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: predicts %u classes, but %s predicts %u", path,
                   ts_net_n_classes (m->net), (char *) e->paths->pdata[0], ts_net_n_classes (first->net));
      return FALSE;
    }
  g_ptr_array_add (e->models, g_steal_pointer (&m));
  g_ptr_array_add (e->paths, g_strdup (path));
  return TRUE;
}

gboolean
ts_ensemble_add (TsEnsemble *e, const char *member, gboolean checkpoints, GError **error)
{
  g_autoptr(GPtrArray) paths = NULL;
  g_autofree char *model = NULL;

  if (!g_file_test (member, G_FILE_TEST_IS_DIR))
    {
      if (checkpoints)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: not a run folder (--checkpoints takes run folders)", member);
          return FALSE;
        }
      return add_file (e, member, error);
    }
  if (!checkpoints)
    {
      model = g_build_filename (member, "model.safetensors", NULL);
      if (!g_file_test (model, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: no model.safetensors in this run folder", member);
          return FALSE;
        }
      return add_file (e, model, error);
    }
  if ((paths = ts_checkpoint_list (member, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < paths->len; i++)
    if (!add_file (e, paths->pdata[i], error))
      return FALSE;
  return TRUE;
}

gboolean
ts_ensemble_load_splits (const TsEnsemble *e, TsSplits *raw, GError **error)
{
  g_autoptr(TsExperiment) exp = NULL;

  if (ts_ensemble_experiment (e) == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "an ensemble needs at least one member");
      return FALSE;
    }
  exp = ts_experiment_copy (ts_ensemble_experiment (e));
  exp->data.view = TS_VIEW_ALL; /* whole samples: each member cuts its own view */
  if (e->source)
    {
      g_free (exp->data.source);
      exp->data.source = g_strdup (e->source);
    }
  return ts_splits_load (exp, raw, NULL, error);
}

void
_ts_ensemble_forward (TsEnsemble *e, guint m, const TsDataset *ds, TsEnsembleVisit visit, gpointer data)
{
  TsModel *model = e->models->pdata[m];
  TsView view = model->experiment->data.view;
  g_autofree float *x = g_new (float, (gsize) TS_ENSEMBLE_ROWS * model->preprocess->out_dim);
  g_autofree float *cut = view == TS_VIEW_ALL ? NULL : g_new (float, (gsize) TS_ENSEMBLE_ROWS * model->preprocess->in_dim);

  for (guint start = 0; start < ds->n; start += TS_ENSEMBLE_ROWS)
    {
      guint rows = MIN (TS_ENSEMBLE_ROWS, ds->n - start);
      const float *in = ds->x + (gsize) start * ds->dim, *logits;

      /* a member that saw one view of the images sees the same view here */
      if (cut)
        {
          ts_view_rows (view, ds->channels, ds->height, ds->width, in, rows, cut);
          in = cut;
        }
      ts_preprocess_apply_rows (model->preprocess, in, rows, x);
      logits = ts_net_forward (model->net, x, rows, FALSE, 0);
      visit (model->net, logits, start, rows, data);
    }
}

/* ---- late fusion ---------------------------------------------------------- */

typedef struct {
  float *probs; /* (n, C) */
  guint  C;
} ProbsJob;

static void
softmax_rows (const TsNet *net, const float *logits, guint start, guint rows, gpointer data)
{
  ProbsJob *job = data;

  for (guint r = 0; r < rows; r++)
    {
      const float *z = logits + (gsize) r * job->C;
      float *p = job->probs + (gsize) (start + r) * job->C, top = z[0];
      double sum = 0;
      for (guint c = 1; c < job->C; c++)
        top = MAX (top, z[c]);
      for (guint c = 0; c < job->C; c++)
        sum += p[c] = expf (z[c] - top);
      for (guint c = 0; c < job->C; c++)
        p[c] = (float) (p[c] / sum);
    }
}

gboolean
_ts_ensemble_progress (const TsEnsembleOptions *opts, double fraction, GError **error)
{
  if (g_cancellable_set_error_if_cancelled (opts->cancellable, error))
    return FALSE;
  if (opts->progress)
    opts->progress (CLAMP (fraction, 0, 1), opts->progress_data);
  return TRUE;
}

/* every member's class probabilities of ds: (M, n, C); the progress told
 * goes from `from` to `to` over the members. NULL when cancelled. */
static float *
member_probs (TsEnsemble *e, const TsDataset *ds, guint C, const TsEnsembleOptions *opts, double from, double to,
              GError **error)
{
  g_autofree float *probs = g_new (float, MAX ((gsize) e->models->len * ds->n * C, 1));

  for (guint m = 0; m < e->models->len; m++)
    {
      ProbsJob job = { probs + (gsize) m * ds->n * C, C };
      if (!_ts_ensemble_progress (opts, from + (to - from) * m / e->models->len, error))
        return NULL;
      _ts_ensemble_forward (e, m, ds, softmax_rows, &job);
    }
  return g_steal_pointer (&probs);
}

static guint
argmax (const float *p, guint C)
{
  guint best = 0;
  for (guint c = 1; c < C; c++)
    if (p[c] > p[best])
      best = c;
  return best;
}

/* accuracy and mean negative log-likelihood of probabilities (n, C) */
static void
score (const float *p, const guint32 *y, guint n, guint C, double *acc, double *loss)
{
  guint correct = 0;
  double nll = 0;

  for (guint i = 0; i < n; i++)
    {
      correct += argmax (p + (gsize) i * C, C) == y[i];
      nll -= log (MAX (p[(gsize) i * C + y[i]], 1e-12f));
    }
  *acc = n ? (double) correct / n : NAN;
  *loss = n ? nll / n : NAN;
}

/* the members `which` (k of them) combined by rule into out (n, C) */
static void
combine (const float *probs, const guint *which, guint k, guint n, guint C, TsLateRule rule, float *out)
{
  gsize size = (gsize) n * C;

  memset (out, 0, sizeof (float) * size);
  for (guint j = 0; j < k; j++)
    {
      const float *p = probs + (gsize) which[j] * size;
      for (gsize i = 0; i < size; i++)
        out[i] += rule == TS_LATE_GEOMETRIC ? logf (MAX (p[i], 1e-30f)) / k : p[i] / k;
    }
  if (rule == TS_LATE_GEOMETRIC)
    /* exp of the mean log-probability, renormalised over the classes */
    softmax_rows (NULL, out, 0, n, &(ProbsJob) { out, C });
  else if (rule == TS_LATE_VOTE)
    {
      /* one vote per member; a tie goes to the higher mean probability:
       * half the mean is below one vote, so it only breaks ties */
      g_autofree float *votes = g_new0 (float, size);
      for (guint j = 0; j < k; j++)
        for (guint i = 0; i < n; i++)
          votes[(gsize) i * C + argmax (probs + (gsize) which[j] * size + (gsize) i * C, C)] += 1.f;
      for (gsize i = 0; i < size; i++)
        out[i] = votes[i] + 0.5f * out[i];
    }
}

static double
disagreement (const float *probs, guint M, guint n, guint C)
{
  g_autofree guint *labels = g_new (guint, MAX ((gsize) M * n, 1));
  double sum = 0;
  guint pairs = 0;

  for (guint m = 0; m < M; m++)
    for (guint i = 0; i < n; i++)
      labels[(gsize) m * n + i] = argmax (probs + ((gsize) m * n + i) * C, C);
  for (guint a = 0; a < M; a++)
    for (guint b = a + 1; b < M; b++, pairs++)
      {
        guint differ = 0;
        for (guint i = 0; i < n; i++)
          differ += labels[(gsize) a * n + i] != labels[(gsize) b * n + i];
        sum += n ? (double) differ / n : 0;
      }
  return pairs ? sum / pairs : 0.0;
}

/* Caruana et al. 2004, without replacement: start from the member best on
 * the selection split, then add whichever member makes the (mean-rule)
 * ensemble most accurate there — ties to the lower loss, then the earlier
 * member — and measure each prefix on the evaluation split. */
static void
greedy_curve (TsEnsembleResult *r, const float *sel_probs, const guint32 *sel_y, guint n_sel,
              const float *eval_probs, const guint32 *eval_y, guint n_eval, guint C)
{
  guint M = r->n_members;
  g_autofree gboolean *used = g_new0 (gboolean, M);
  g_autofree float *tmp = g_new (float, MAX ((gsize) MAX (n_sel, n_eval) * C, 1));

  for (guint k = 0; k < M; k++)
    {
      guint best = G_MAXUINT;
      double best_acc = -1, best_loss = INFINITY, loss;

      for (guint c = 0; c < M; c++)
        {
          double acc;
          if (used[c])
            continue;
          r->curve_order[k] = c;
          combine (sel_probs, r->curve_order, k + 1, n_sel, C, TS_LATE_MEAN, tmp);
          score (tmp, sel_y, n_sel, C, &acc, &loss);
          if (acc > best_acc || (acc == best_acc && loss < best_loss))
            {
              best = c;
              best_acc = acc;
              best_loss = loss;
            }
        }
      used[best] = TRUE;
      r->curve_order[k] = best;
      combine (eval_probs, r->curve_order, k + 1, n_eval, C, TS_LATE_MEAN, tmp);
      score (tmp, eval_y, n_eval, C, &r->curve_acc[k], &loss);
    }
}

static gboolean
check_data (TsEnsemble *e, const TsSplits *raw, const char *source, GError **error)
{
  for (guint m = 0; m < e->models->len; m++)
    {
      TsModel *model = e->models->pdata[m];
      TsView view = model->experiment->data.view;
      guint row0, h, col0, w, dim = raw->train->dim;

      if (view != TS_VIEW_ALL && !ts_dataset_is_image (raw->train))
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: sees one view of images, but the data (%s) has none",
                       (char *) e->paths->pdata[m], source);
          return FALSE;
        }
      if (view != TS_VIEW_ALL)
        {
          ts_view_window (view, raw->train->height, raw->train->width, &row0, &h, &col0, &w);
          dim = raw->train->channels * h * w;
        }
      if (dim != model->preprocess->in_dim)
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: takes %u inputs per sample, but the data (%s) has %u",
                       (char *) e->paths->pdata[m], model->preprocess->in_dim, source, dim);
          return FALSE;
        }
      if (raw->train->n_classes != ts_net_n_classes (model->net))
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: predicts %u classes, but the data (%s) has %u",
                       (char *) e->paths->pdata[m], ts_net_n_classes (model->net), source,
                       raw->train->n_classes);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
fuse_early (TsEnsemble *e, TsEnsembleResult *r, const TsSplits *raw, const TsDataset *eval,
            const TsEnsembleOptions *opts, GError **error)
{
  guint F = 0, F_eval = 0, C = raw->train->n_classes;
  g_autofree float *train = NULL, *test = NULL;

  if (!_ts_ensemble_progress (opts, 0.6, error))
    return FALSE;
  train = ts_ensemble_features (e, raw->train, &F, error);
  if (train == NULL || (test = ts_ensemble_features (e, eval, &F_eval, error)) == NULL)
    return FALSE;
  /* only the training split's labels reach the fit */
  _ts_ensemble_fit_early (r, train, raw->train->y, raw->train->n, test, eval->y, eval->n, F, C,
                          opts->early_epochs ? opts->early_epochs : 10, opts->seed, opts);
  return _ts_ensemble_progress (opts, 1, error);
}

TsEnsembleResult *
ts_ensemble_evaluate (TsEnsemble *e, const TsSplits *raw, const TsEnsembleOptions *opts, GError **error)
{
  g_autoptr(TsEnsembleResult) r = g_new0 (TsEnsembleResult, 1);
  const TsDataset *eval = raw->test && raw->test->n ? raw->test : raw->val;
  const TsDataset *sel = raw->val && raw->val->n ? raw->val : eval;
  guint M = e->models->len, C, n;
  g_autofree float *probs = NULL, *sel_probs = NULL, *fused = NULL;
  g_autofree guint *all = NULL;

  if (M == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "an ensemble needs at least one member");
      return NULL;
    }
  if (!check_data (e, raw, opts->source ? opts->source : ts_ensemble_experiment (e)->data.source, error))
    return NULL;
  if (eval == NULL || eval->n == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: no test or validation samples to measure the ensemble on",
                   ts_ensemble_experiment (e)->data.source);
      return NULL;
    }
  C = raw->train->n_classes;
  n = eval->n;
  r->n_members = M;
  r->paths = g_new0 (char *, M + 1);
  r->member_acc = g_new (double, M);
  r->member_loss = g_new (double, M);
  r->curve_order = g_new (guint, M);
  r->curve_acc = g_new (double, M);
  r->split = eval == raw->test ? "test" : "val";
  r->curve_split = sel == raw->val && sel != eval ? "val" : r->split;
  r->count = n;
  r->rule = opts->rule;
  r->early_acc = r->early_loss = NAN;
  if ((probs = member_probs (e, eval, C, opts, 0, 0.3, error)) == NULL)
    return NULL;
  r->best_member_acc = 0;
  r->mean_member_acc = 0;
  for (guint m = 0; m < M; m++)
    {
      r->paths[m] = g_strdup (e->paths->pdata[m]);
      score (probs + (gsize) m * n * C, eval->y, n, C, &r->member_acc[m], &r->member_loss[m]);
      r->best_member_acc = MAX (r->best_member_acc, r->member_acc[m]);
      r->mean_member_acc += r->member_acc[m] / M;
    }
  r->disagreement = disagreement (probs, M, n, C);
  if (opts->late)
    {
      r->has_late = TRUE;
      all = g_new (guint, M);
      fused = g_new (float, (gsize) n * C);
      for (guint m = 0; m < M; m++)
        all[m] = m;
      for (int rule = 0; rule < TS_N_LATE_RULES; rule++)
        {
          combine (probs, all, M, n, C, rule, fused);
          score (fused, eval->y, n, C, &r->late_acc[rule], &r->late_loss[rule]);
        }
      r->late_loss[TS_LATE_VOTE] = NAN; /* votes are no probabilities */
    }
  if (sel != eval && (sel_probs = member_probs (e, sel, C, opts, 0.3, 0.6, error)) == NULL)
    return NULL;
  greedy_curve (r, sel_probs ? sel_probs : probs, sel->y, sel->n, probs, eval->y, n, C);
  if (opts->early && !fuse_early (e, r, raw, eval, opts, error))
    return NULL;
  if (!_ts_ensemble_progress (opts, 1, error))
    return NULL;
  return g_steal_pointer (&r);
}

void
ts_ensemble_result_free (TsEnsembleResult *r)
{
  if (r == NULL)
    return;
  g_strfreev (r->paths);
  g_free (r->member_acc);
  g_free (r->member_loss);
  g_free (r->curve_order);
  g_free (r->curve_acc);
  ts_net_free (r->early_net);
  g_free (r);
}

/* ---- ensemble.json ---------------------------------------------------------- */

static JsonObject *
scores_object (double acc, double loss)
{
  JsonObject *o = json_object_new ();
  ts_json_set_number (o, "test_acc", acc);
  ts_json_set_number (o, "test_loss", loss);
  return o;
}

JsonNode *
ts_ensemble_result_to_json (const TsEnsembleResult *r)
{
  JsonObject *root = json_object_new ();
  JsonArray *members = json_array_new (), *curve = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  for (guint m = 0; m < r->n_members; m++)
    {
      JsonObject *o = scores_object (r->member_acc[m], r->member_loss[m]);
      json_object_set_string_member (o, "path", r->paths[m]);
      json_array_add_object_element (members, o);
    }
  json_object_set_array_member (root, "members", members);
  if (r->has_late)
    {
      JsonObject *late = scores_object (r->late_acc[r->rule], r->late_loss[r->rule]);
      JsonObject *rules = json_object_new ();
      json_object_set_string_member (late, "rule", ts_late_rule_name (r->rule));
      for (int rule = 0; rule < TS_N_LATE_RULES; rule++)
        json_object_set_object_member (rules, ts_late_rule_name (rule),
                                       scores_object (r->late_acc[rule], r->late_loss[rule]));
      json_object_set_object_member (late, "rules", rules);
      json_object_set_object_member (root, "late", late);
    }
  else
    json_object_set_null_member (root, "late");
  if (r->has_early)
    {
      JsonObject *early = scores_object (r->early_acc, r->early_loss);
      json_object_set_int_member (early, "features", r->early_features);
      json_object_set_string_member (early, "fitted_on", "train");
      json_object_set_object_member (root, "early", early);
    }
  else
    json_object_set_null_member (root, "early");
  ts_json_set_number (root, "best_member_acc", r->best_member_acc);
  ts_json_set_number (root, "mean_member_acc", r->mean_member_acc);
  if (r->has_late)
    {
      ts_json_set_number (root, "gain_over_best", r->late_acc[r->rule] - r->best_member_acc);
      ts_json_set_number (root, "gain_over_mean", r->late_acc[r->rule] - r->mean_member_acc);
    }
  ts_json_set_number (root, "disagreement", r->disagreement);
  for (guint k = 0; k < r->n_members; k++)
    {
      JsonObject *o = json_object_new ();
      json_object_set_int_member (o, "members", k + 1);
      ts_json_set_number (o, "test_acc", r->curve_acc[k]);
      json_object_set_string_member (o, "added", r->paths[r->curve_order[k]]);
      json_array_add_object_element (curve, o);
    }
  json_object_set_array_member (root, "curve", curve);
  json_object_set_string_member (root, "curve_order_chosen_on", r->curve_split);
  json_object_set_string_member (root, "split", r->split);
  json_object_set_int_member (root, "count", r->count);
  json_node_take_object (node, root);
  return node;
}
