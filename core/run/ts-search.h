/* ts-search.h — cross-validated random search: a space of experiment keys
 * (log_uniform, uniform, int, choice), trials drawn from it by seed, and
 * every trial × fold as a task — a run folder trained on the other folds
 * of the training part and validated on its own (data.folds, data.fold).
 * The tasks are a manifest any backend runs (here one after another; a
 * Slurm job array later); a task is finished when its run folder's
 * summary.json (written atomically, last) says done or diverged.
 *
 *   g_autoptr(TsSearchSpace) space = ts_search_space_load ("space.json", exp, &error);
 *   g_autoptr(GPtrArray) tasks = ts_search_plan (exp, space, 12, 3, "out", &error); // TsSearchTask*
 *   ts_search_write_plan (tasks, "out", &error);      // trials/T/fold-F.json, tasks.csv
 *   for each task not ts_search_task_finished (): train task->exp into task->dir
 *   g_autoptr(JsonNode) result = ts_search_collect (space, tasks, 12, 3, "out", 3, &error);
 *   // out/results.csv, out/search.json
 */
#pragma once

#include "ts-experiment.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum { TS_SPACE_LOG_UNIFORM, TS_SPACE_UNIFORM, TS_SPACE_INT, TS_SPACE_CHOICE } TsSpaceKind;

typedef struct {
  char       *key;     /* an experiment key */
  TsSpaceKind kind;
  double      lo, hi;  /* log_uniform, uniform, int */
  GPtrArray  *choices; /* char*: values as ts_experiment_set takes them */
} TsSpaceDim;

typedef struct {
  GPtrArray *dims; /* TsSpaceDim*, in the file's order */
} TsSearchSpace;

/* Each key must be an experiment key, each range non-empty and valid for
 * the key at both ends, each choice list non-empty and valid; errors name
 * the file and the key. */
TsSearchSpace *ts_search_space_from_json (const char *json, const char *name, const TsExperiment *base,
                                          GError **error);
TsSearchSpace *ts_search_space_load (const char *path, const TsExperiment *base, GError **error);
void           ts_search_space_free (TsSearchSpace *space);
/* The values of trial `trial` (one per dimension, as text): drawn from the
 * stream (seed, trial), so a trial's values never depend on how many trials
 * there are. */
GStrv          ts_search_space_draw (const TsSearchSpace *space, guint64 seed, guint trial);

typedef struct {
  guint         trial;
  guint         fold;
  GStrv         values;   /* the trial's, one per dimension */
  TsExperiment *exp;      /* base + values, data.folds/data.fold set */
  char         *dir;      /* OUT/trials/T/fold-F */
  char         *exp_path; /* OUT/trials/T/fold-F.json */
  char         *failure;  /* set by a backend: the task failed every try (its log's last lines) */
} TsSearchTask;

/* OUT/search-config.json says which search a folder holds (experiment,
 * space as given, folds): a folder that holds one is refused unless
 * resume, and resumed only with the same three (more trials may be asked
 * for). Write failures are TS_ERROR_WRITE. */
gboolean   ts_search_claim (const TsExperiment *exp, JsonNode *space_json, guint folds, const char *out,
                            gboolean resume, GError **error);

void       ts_search_task_free (TsSearchTask *task);
/* trials × folds tasks, trial-major; the trials drawn with base->seed */
GPtrArray *ts_search_plan (const TsExperiment *base, const TsSearchSpace *space, guint trials, guint folds,
                           const char *out, GError **error);
/* Each task's experiment file and OUT/tasks.csv
 * (task,trial,fold,experiment,out — paths relative to OUT), atomically. */
gboolean   ts_search_write_plan (GPtrArray *tasks, const char *out, GError **error);
gboolean   ts_search_task_finished (const TsSearchTask *task);
/* Reads every task's summary.json (missing: pending) and writes
 * OUT/results.csv (trial,fold,<each key>,val_acc,val_loss,seconds,state,log:
 * a task with a failure is "failed", its log the failure)
 * and OUT/search.json ({"trials": [{"trial", "params", "cv_mean", "cv_std",
 * "folds", "state"}], "best", "top"}: top holds the top_k trials by CV
 * accuracy); returns search.json's content. */
JsonNode  *ts_search_collect (const TsSearchSpace *space, GPtrArray *tasks, guint trials, guint folds,
                              const char *out, guint top_k, GError **error);

/* `search --top K`'s runs: the best k trials of a collected search (its
 * "top" order, best first; fewer when fewer finished), each trained on the
 * whole training part (data.folds 0, named "BASE · trial T") into
 * OUT/top/trial-T — fold 0 and no exp_path. The CLI and the window's
 * Search page both train these, so `trainscope-cli ensemble OUT/top/trial-*`
 * takes either's. */
GPtrArray *ts_search_top_tasks (const TsExperiment *base, const TsSearchSpace *space, JsonNode *result, guint k,
                                const char *out, GError **error);
/* A top task is trained when its summary.json says done. */
gboolean   ts_search_top_task_done (const TsSearchTask *task);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsSearchSpace, ts_search_space_free)

G_END_DECLS
