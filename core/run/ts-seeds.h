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

G_END_DECLS
