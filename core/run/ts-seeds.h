/* ts-seeds.h — a seed group: copies of one experiment that differ only in
 * their seed (the experiment's seed + i), and the mean ± std of their final
 * metrics (group.json):
 *
 *   g_autoptr(TsExperiment) copy = ts_seed_variant (exp, i);   // seed + i
 *   ... train each into DIR/seed-S/ ...
 *   g_autoptr(JsonNode) group = ts_seed_group_summary (dirs, n, &error);
 */
#pragma once

#include "ts-experiment.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The i-th member: seed + i, the name marked with its seed. */
TsExperiment *ts_seed_variant (const TsExperiment *exp, guint i);
/* The summary.json of each run folder, and for every final metric
 * (train/val/test accuracy and loss, best val accuracy, seconds) its mean,
 * std (n − 1), min and max over the runs that have it:
 * {"runs": [{"seed", "path", "state", <metrics>}], "metrics": {"test_acc":
 * {"mean", "std", "min", "max", "n"}, …}}. An error names a folder without
 * a readable summary.json. */
JsonNode     *ts_seed_group_summary (char *const *run_dirs, guint n, GError **error);
/* DIR/group.json, written atomically: that summary of run_dirs (the members
 * that ended) with the base experiment's name, its first seed and the
 * number of seeds planned. The CLI's `run --seeds` and the window both
 * write it here. */
gboolean      ts_seed_group_write (const char *dir, const TsExperiment *exp, guint n_seeds, char *const *run_dirs,
                                   guint n, GError **error);
/* Whether dir is a seed group's folder: not a run folder itself, and it
 * holds group.json or a seed-S/ run folder. */
gboolean      ts_seed_group_is_dir (const char *dir);
/* The seed-S/ run folders of a group folder (char*, full paths), by seed;
 * an error naming the folder when it has none. */
GPtrArray    *ts_seed_group_list (const char *dir, GError **error);

G_END_DECLS
