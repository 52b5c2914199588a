#include "ts-seed-group.h"
#include "ts-json.h"

#include <math.h>
#include <string.h>

struct _TsSeedGroup {
  GObject     parent_instance;

  char       *dir;
  TsRun      *entry;      /* weak: the entry holds the group */
  GPtrArray  *members;    /* TsRun, by seed */
  guint       n_seeds;    /* planned */
  guint       first_seed;
  TsExperiment *base;     /* the experiment every member is a seed of */
  gboolean    writes_summary; /* trained here: group.json is ours to write */
  gboolean    summary_written;
  gboolean    expanded;
  /* what the mean curves were made from: each member's lengths */
  guint      *seen_steps, *seen_epochs;
  guint       ended;      /* members in a final state, as of the summary */
  JsonNode   *summary;    /* ts_seed_group_summary of the members that ended */
};

G_DEFINE_FINAL_TYPE (TsSeedGroup, ts_seed_group, G_TYPE_OBJECT)

enum { PROP_0, PROP_EXPANDED, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
ts_seed_group_finalize (GObject *object)
{
  TsSeedGroup *self = TS_SEED_GROUP (object);

  if (self->entry)
    g_object_remove_weak_pointer (G_OBJECT (self->entry), (gpointer *) &self->entry);
  for (guint i = 0; i < self->members->len; i++)
    ts_run_set_member_of (self->members->pdata[i], NULL);
  g_ptr_array_unref (self->members);
  g_free (self->dir);
  g_free (self->seen_steps);
  g_free (self->seen_epochs);
  g_clear_pointer (&self->summary, json_node_unref);
  g_clear_pointer (&self->base, ts_experiment_free);
  G_OBJECT_CLASS (ts_seed_group_parent_class)->finalize (object);
}

static void
ts_seed_group_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  if (prop_id == PROP_EXPANDED)
    g_value_set_boolean (value, TS_SEED_GROUP (object)->expanded);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ts_seed_group_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  if (prop_id == PROP_EXPANDED)
    ts_seed_group_set_expanded (TS_SEED_GROUP (object), g_value_get_boolean (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ts_seed_group_class_init (TsSeedGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ts_seed_group_finalize;
  object_class->get_property = ts_seed_group_get_property;
  object_class->set_property = ts_seed_group_set_property;
  /* the sidebar shows the members' rows while it is set */
  properties[PROP_EXPANDED] = g_param_spec_boolean ("expanded", NULL, NULL, FALSE,
                                                    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ts_seed_group_init (TsSeedGroup *self)
{
  self->members = g_ptr_array_new_with_free_func (g_object_unref);
}

/* the entry: the base experiment, named for the group; it holds the group */
static TsRun *
make_entry (TsSeedGroup *self, guint colour)
{
  g_autoptr(TsExperiment) exp = ts_experiment_copy (self->base);

  g_free (exp->name);
  exp->name = g_strdup_printf ("%s · %u seeds", self->base->name, self->n_seeds);
  self->entry = ts_run_new_group_entry (exp, colour, self->dir, G_OBJECT (self));
  g_object_add_weak_pointer (G_OBJECT (self->entry), (gpointer *) &self->entry);
  self->seen_steps = g_new0 (guint, self->members->len);
  self->seen_epochs = g_new0 (guint, self->members->len);
  for (guint i = 0; i < self->members->len; i++)
    {
      ts_run_set_member_of (self->members->pdata[i], G_OBJECT (self));
      ts_run_set_overlay (self->members->pdata[i], FALSE); /* the mean stands for them; each on demand */
    }
  ts_seed_group_poll (self);
  return self->entry;
}

TsRun *
ts_seed_group_new (const TsExperiment *exp, guint n_seeds, const char *dir, guint colour)
{
  g_autoptr(TsSeedGroup) self = g_object_new (TS_TYPE_SEED_GROUP, NULL);

  self->dir = g_strdup (dir);
  self->base = ts_experiment_copy (exp);
  self->n_seeds = n_seeds;
  self->first_seed = exp->seed;
  self->writes_summary = TRUE;
  for (guint i = 0; i < n_seeds; i++)
    {
      g_autoptr(TsExperiment) member = ts_seed_variant (exp, i);
      g_autofree char *name = g_strdup_printf ("seed-%" G_GUINT64_FORMAT, member->seed);
      g_autofree char *run_dir = g_build_filename (dir, name, NULL);
      TsRun *run = ts_run_new (member, colour + 1 + i);
      ts_run_set_run_dir (run, run_dir);
      g_ptr_array_add (self->members, run);
    }
  return make_entry (self, colour);
}

/* "NAME · seed 7" → "NAME", as ts_seed_variant named it */
static char *
base_name (const char *name, guint64 seed)
{
  g_autofree char *suffix = g_strdup_printf (" · seed %" G_GUINT64_FORMAT, seed);
  return g_str_has_suffix (name, suffix) ? g_strndup (name, strlen (name) - strlen (suffix)) : g_strdup (name);
}

TsRun *
ts_seed_group_new_from_dir (const char *dir, guint colour, GError **error)
{
  g_autoptr(TsSeedGroup) self = g_object_new (TS_TYPE_SEED_GROUP, NULL);
  g_autoptr(GPtrArray) dirs = ts_seed_group_list (dir, error);
  g_autofree char *group_path = g_build_filename (dir, "group.json", NULL);
  g_autoptr(JsonNode) group = NULL;
  JsonObject *root = NULL;

  if (dirs == NULL)
    return NULL;
  self->dir = g_strdup (dir);
  for (guint i = 0; i < dirs->len; i++)
    {
      TsRun *run = ts_run_new_from_dir (dirs->pdata[i], colour + 1 + i, error);
      if (run == NULL)
        return NULL;
      ts_run_set_overlay (run, FALSE);
      g_ptr_array_add (self->members, run);
    }
  self->base = ts_experiment_copy (ts_run_get_experiment (self->members->pdata[0]));
  self->first_seed = self->base->seed;
  self->n_seeds = dirs->len;
  if (g_file_test (group_path, G_FILE_TEST_IS_REGULAR) && (group = ts_json_load_file (group_path, NULL)) != NULL
      && JSON_NODE_HOLDS_OBJECT (group))
    {
      root = json_node_get_object (group);
      if (json_object_has_member (root, "first_seed"))
        self->first_seed = self->base->seed = (guint64) json_object_get_int_member (root, "first_seed");
      if (json_object_get_int_member_with_default (root, "seeds", 0) > 0)
        self->n_seeds = MAX (self->n_seeds, (guint) json_object_get_int_member (root, "seeds"));
    }
  {
    /* the base experiment's name: group.json's, or the first member's without its seed */
    g_autofree char *name = root && json_object_has_member (root, "experiment")
                              ? g_strdup (json_object_get_string_member (root, "experiment"))
                              : base_name (ts_run_get_name (self->members->pdata[0]),
                                           ts_run_get_experiment (self->members->pdata[0])->seed);
    g_free (self->base->name);
    self->base->name = g_steal_pointer (&name);
  }
  self->summary_written = TRUE; /* what is on disk stays as it was made */
  return make_entry (self, colour);
}

GPtrArray *ts_seed_group_get_members (TsSeedGroup *self) { return self->members; }
const char *ts_seed_group_get_dir (TsSeedGroup *self) { return self->dir; }
gboolean ts_seed_group_get_expanded (TsSeedGroup *self) { return self->expanded; }

void
ts_seed_group_set_expanded (TsSeedGroup *self, gboolean expanded)
{
  if (self->expanded == expanded)
    return;
  self->expanded = expanded;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPANDED]);
}

/* ---- the mean curves ---------------------------------------------------------- */

typedef const GArray *(*Pick) (const TsCurveData *d);

static const GArray *pick_step (const TsCurveData *d) { return d->step; }
static const GArray *pick_loss (const TsCurveData *d) { return d->loss; }
static const GArray *pick_lr (const TsCurveData *d) { return d->lr; }
static const GArray *pick_epoch (const TsCurveData *d) { return d->epoch; }
static const GArray *pick_train_acc (const TsCurveData *d) { return d->train_acc; }
static const GArray *pick_val_acc (const TsCurveData *d) { return d->val_acc; }
static const GArray *pick_train_loss (const TsCurveData *d) { return d->train_loss; }
static const GArray *pick_val_loss (const TsCurveData *d) { return d->val_loss; }

/* mean (and std, n − 1, when wanted) of point i over the members that have
 * it; x arrays (std NULL, first TRUE) take the first member's value */
static void
point (TsSeedGroup *self, Pick pick, guint i, gboolean first, double *mean, double *std)
{
  double sum = 0, ss = 0;
  guint k = 0;

  for (guint m = 0; m < self->members->len; m++)
    {
      const GArray *a = pick (ts_run_get_curves (self->members->pdata[m]));
      double v;
      if (i >= a->len || !isfinite (v = g_array_index (a, double, i)))
        continue;
      if (first)
        {
          *mean = v;
          return;
        }
      sum += v, k++;
    }
  *mean = k ? sum / k : NAN;
  for (guint m = 0; std && m < self->members->len; m++)
    {
      const GArray *a = pick (ts_run_get_curves (self->members->pdata[m]));
      double v;
      if (i < a->len && isfinite (v = g_array_index (a, double, i)))
        ss += (v - *mean) * (v - *mean);
    }
  if (std)
    *std = k > 1 ? sqrt (ss / (k - 1)) : (k == 1 ? 0.0 : NAN);
}

/* out[from…len) (and its std) recomputed */
static void
fill (TsSeedGroup *self, Pick pick, GArray *out, GArray *std, guint from, guint len, gboolean x)
{
  g_array_set_size (out, MIN (from, out->len));
  if (std)
    g_array_set_size (std, MIN (from, std->len));
  for (guint i = out->len; i < len; i++)
    {
      double m = NAN, s = NAN;
      point (self, pick, i, x, &m, std ? &s : NULL);
      g_array_append_val (out, m);
      if (std)
        g_array_append_val (std, s);
    }
}

/* only the points some member added since the last update */
static gboolean
update_curves (TsSeedGroup *self)
{
  TsCurveData *d = ts_run_entry_curves (self->entry);
  guint from_steps = G_MAXUINT, from_epochs = G_MAXUINT, steps = 0, epochs = 0;

  for (guint m = 0; m < self->members->len; m++)
    {
      const TsCurveData *c = ts_run_get_curves (self->members->pdata[m]);
      if (c->step->len != self->seen_steps[m])
        from_steps = MIN (from_steps, MIN (self->seen_steps[m], c->step->len));
      if (c->epoch->len != self->seen_epochs[m])
        from_epochs = MIN (from_epochs, MIN (self->seen_epochs[m], c->epoch->len));
      self->seen_steps[m] = c->step->len, self->seen_epochs[m] = c->epoch->len;
      steps = MAX (steps, c->step->len), epochs = MAX (epochs, c->epoch->len);
    }
  if (from_steps == G_MAXUINT && from_epochs == G_MAXUINT)
    return FALSE;
  if (d->loss_std == NULL)
    {
      d->loss_std = g_array_new (FALSE, FALSE, sizeof (double));
      d->train_acc_std = g_array_new (FALSE, FALSE, sizeof (double));
      d->val_acc_std = g_array_new (FALSE, FALSE, sizeof (double));
    }
  if (from_steps != G_MAXUINT)
    {
      fill (self, pick_step, d->step, NULL, from_steps, steps, TRUE);
      fill (self, pick_loss, d->loss, d->loss_std, from_steps, steps, FALSE);
      fill (self, pick_lr, d->lr, NULL, from_steps, steps, FALSE);
    }
  if (from_epochs != G_MAXUINT)
    {
      fill (self, pick_epoch, d->epoch, NULL, from_epochs, epochs, TRUE);
      fill (self, pick_train_acc, d->train_acc, d->train_acc_std, from_epochs, epochs, FALSE);
      fill (self, pick_val_acc, d->val_acc, d->val_acc_std, from_epochs, epochs, FALSE);
      fill (self, pick_train_loss, d->train_loss, NULL, from_epochs, epochs, FALSE);
      fill (self, pick_val_loss, d->val_loss, NULL, from_epochs, epochs, FALSE);
    }
  return TRUE;
}

/* ---- state and final numbers ----------------------------------------------------- */

static TsRunState
group_state (TsSeedGroup *self, guint *ended)
{
  gboolean any[TS_RUN_FAILED + 1] = { FALSE };
  guint final = 0;

  for (guint m = 0; m < self->members->len; m++)
    {
      TsRunState s = ts_run_get_state (self->members->pdata[m]);
      any[s] = TRUE;
      final += ts_run_state_is_final (s);
    }
  *ended = final;
  if (any[TS_RUN_RUNNING])
    return TS_RUN_RUNNING;
  if (any[TS_RUN_LOADING])
    return TS_RUN_LOADING;
  if (any[TS_RUN_PAUSED])
    return TS_RUN_PAUSED;
  if (final < self->members->len)
    return TS_RUN_READY; /* members waiting in the queue */
  if (any[TS_RUN_FAILED])
    return TS_RUN_FAILED;
  if (any[TS_RUN_DIVERGED])
    return TS_RUN_DIVERGED;
  return any[TS_RUN_STOPPED] ? TS_RUN_STOPPED : TS_RUN_DONE;
}

/* group.json's numbers over the members that ended with a summary */
static void
update_summary (TsSeedGroup *self, gboolean all_ended)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  for (guint m = 0; m < self->members->len; m++)
    {
      TsRun *run = self->members->pdata[m];
      g_autofree char *path = ts_run_get_run_dir (run) ? g_build_filename (ts_run_get_run_dir (run), "summary.json", NULL) : NULL;
      if (ts_run_state_is_final (ts_run_get_state (run)) && !ts_run_holds_trainer (run) && path
          && g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (dirs, (char *) ts_run_get_run_dir (run));
    }
  g_clear_pointer (&self->summary, json_node_unref);
  if (dirs->len == 0)
    return;
  self->summary = ts_seed_group_summary ((char *const *) dirs->pdata, dirs->len, &error);
  if (self->summary == NULL)
    g_warning ("%s", error->message);
  else if (all_ended && self->writes_summary && !self->summary_written)
    {
      g_autoptr(TsExperiment) exp = ts_experiment_copy (self->base);
      self->summary_written = TRUE;
      if (!ts_seed_group_write (self->dir, exp, self->n_seeds, (char *const *) dirs->pdata, dirs->len, &error))
        g_warning ("%s", error->message);
    }
}

gboolean
ts_seed_group_poll (TsSeedGroup *self)
{
  guint ended = 0, released = 0; /* a member's summary is complete once its trainer has let go */
  TsRunState state;
  gboolean changed;

  if (self->entry == NULL)
    return FALSE;
  state = group_state (self, &ended);
  changed = update_curves (self);
  for (guint m = 0; m < self->members->len; m++)
    released += ts_run_state_is_final (ts_run_get_state (self->members->pdata[m]))
                && !ts_run_holds_trainer (self->members->pdata[m]);
  if (released != self->ended || (self->summary == NULL && released > 0))
    {
      self->ended = released;
      update_summary (self, released == self->members->len);
      changed = TRUE;
    }
  /* the entry ends when the group.json it says it wrote is there */
  if (ts_run_state_is_final (state) && released < self->members->len)
    state = TS_RUN_RUNNING;
  if (changed || state != ts_run_get_state (self->entry))
    ts_run_entry_update (self->entry, state, changed);
  return changed;
}

gboolean
ts_seed_group_get_metric (TsSeedGroup *self, const char *key, double *mean, double *std, guint *n)
{
  JsonObject *metrics, *m;

  if (self->summary == NULL)
    return FALSE;
  metrics = json_object_get_object_member (json_node_get_object (self->summary), "metrics");
  m = metrics && json_object_has_member (metrics, key) ? json_object_get_object_member (metrics, key) : NULL;
  if (m == NULL || json_object_get_int_member (m, "n") == 0)
    return FALSE;
  *mean = ts_json_number (m, "mean");
  *std = ts_json_number (m, "std");
  *n = (guint) json_object_get_int_member (m, "n");
  return TRUE;
}

void
ts_seed_group_get_progress (TsSeedGroup *self, TsProgress *out)
{
  const TsCurveData *d = ts_run_get_curves (self->entry);
  guint epochs = 0, done = 0;

  *out = (TsProgress) { .state = ts_run_get_state (self->entry), .eta = -1, .loss = NAN, .lr = NAN,
                        .base_lr = self->base->train.lr };
  for (guint m = 0; m < self->members->len; m++)
    {
      TsRun *run = self->members->pdata[m];
      TsProgress p;
      ts_run_get_progress (run, &p);
      epochs += ts_run_get_experiment (run)->train.epochs;
      done += ts_run_get_curves (run)->epoch->len;
      if (p.state == TS_RUN_RUNNING || p.state == TS_RUN_PAUSED || p.state == TS_RUN_LOADING)
        {
          out->batch = p.batch, out->batches = p.batches, out->loaded = p.loaded;
          out->samples_per_second = p.samples_per_second;
          out->lr = p.lr;
        }
    }
  out->epochs = epochs;
  out->epoch = done;
  out->step = d->step->len ? (guint64) g_array_index (d->step, double, d->step->len - 1) : 0;
  out->loss = d->loss->len ? g_array_index (d->loss, double, d->loss->len - 1) : NAN;
  out->best_val_acc = ts_run_get_best_val_acc (self->entry);
}

/* "val acc 85.12 ± 0.40%" */
static void
append_metric (TsSeedGroup *self, GString *s, const char *key, const char *label, gboolean percent)
{
  double mean, std;
  guint n;

  if (!ts_seed_group_get_metric (self, key, &mean, &std, &n))
    return;
  if (percent)
    g_string_append_printf (s, " · %s %.2f ± %.2f%%", label, 100 * mean, 100 * (isfinite (std) ? std : 0));
  else
    g_string_append_printf (s, " · %s %.4f ± %.4f", label, mean, isfinite (std) ? std : 0);
}

static guint
count_state (TsSeedGroup *self, gboolean final)
{
  guint n = 0;
  for (guint m = 0; m < self->members->len; m++)
    {
      TsRunState s = ts_run_get_state (self->members->pdata[m]);
      n += final ? ts_run_state_is_final (s) : (s == TS_RUN_RUNNING || s == TS_RUN_LOADING || s == TS_RUN_PAUSED);
    }
  return n;
}

char *
ts_seed_group_status_text (TsSeedGroup *self)
{
  GString *s = g_string_new (NULL);
  guint ended = count_state (self, TRUE), active = count_state (self, FALSE);

  g_string_append_printf (s, "%u seeds", self->members->len);
  if (ended < self->members->len)
    g_string_append_printf (s, " · %u done%s", ended, active ? " · training" : " · queued");
  else
    g_string_append_printf (s, " · %s", ts_run_state_name (ts_run_get_state (self->entry)));
  append_metric (self, s, "val_acc", "val", TRUE);
  return g_string_free (s, FALSE);
}

char *
ts_seed_group_status_line (TsSeedGroup *self)
{
  GString *s = g_string_new (NULL);
  guint ended = count_state (self, TRUE);

  g_string_append_printf (s, "Seed group of %u (seeds %u–%u) · %u ended", self->members->len, self->first_seed,
                          self->first_seed + self->members->len - 1, ended);
  append_metric (self, s, "val_acc", "val acc", TRUE);
  append_metric (self, s, "test_acc", "test acc", TRUE);
  append_metric (self, s, "train_acc", "train acc", TRUE);
  append_metric (self, s, "val_loss", "val loss", FALSE);
  g_string_append (s, " (mean ± std over the seeds that ended)");
  return g_string_free (s, FALSE);
}
