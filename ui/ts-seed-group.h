/* ts-seed-group.h — N runs of one experiment that differ only in their
 * seed (ts_seed_variant), trained into DIR/seed-S/ with DIR/group.json as
 * `trainscope-cli run --seeds` lays them out, and shown as one sidebar
 * entry: a TsRun whose curves are the members' mean with a ±1 std band.
 *
 *   g_autoptr(TsRun) entry = ts_seed_group_new (exp, 3, "runs/x-seeds", colour);
 *   TsSeedGroup *g = TS_SEED_GROUP (ts_run_get_seed_group (entry));
 *   ... add ts_seed_group_get_members (g) and then the entry to the
 *   ... window's runs; enqueue the members; poll the entry ...
 *   ts_seed_group_get_metric (g, "val_acc", &mean, &std, &n);  // as members end
 */
#pragma once

#include "ts-run.h"

G_BEGIN_DECLS

#define TS_TYPE_SEED_GROUP (ts_seed_group_get_type ())
G_DECLARE_FINAL_TYPE (TsSeedGroup, ts_seed_group, TS, SEED_GROUP, GObject)

/* The entry of n_seeds unstarted members of exp (seeds exp->seed … + n − 1)
 * training into dir/seed-S/; the entry takes colour, the members the
 * colours after it. The entry holds the group, the group its members. */
TsRun       *ts_seed_group_new (const TsExperiment *exp, guint n_seeds, const char *dir, guint colour);
/* The entry of a group folder on disk (the CLI's or the window's): its
 * seed-S/ runs as members, group.json's numbers when it has one. */
TsRun       *ts_seed_group_new_from_dir (const char *dir, guint colour, GError **error);

/* TsRun*, by seed */
GPtrArray   *ts_seed_group_get_members (TsSeedGroup *self);
const char  *ts_seed_group_get_dir (TsSeedGroup *self);
gboolean     ts_seed_group_get_expanded (TsSeedGroup *self);
void         ts_seed_group_set_expanded (TsSeedGroup *self, gboolean expanded);

/* Recomputes the entry's mean and std curves from what is new in the
 * members' curves and its state from theirs; writes group.json once every
 * member of a group trained here has ended. TRUE when something changed. */
gboolean     ts_seed_group_poll (TsSeedGroup *self);
/* A final metric over the members that ended ("val_acc", "test_acc",
 * "train_acc", "val_loss", …, as group.json has them): FALSE when none has it. */
gboolean     ts_seed_group_get_metric (TsSeedGroup *self, const char *key, double *mean, double *std, guint *n);
void         ts_seed_group_get_progress (TsSeedGroup *self, TsProgress *out);
char        *ts_seed_group_status_text (TsSeedGroup *self);
char        *ts_seed_group_status_line (TsSeedGroup *self);

G_END_DECLS
