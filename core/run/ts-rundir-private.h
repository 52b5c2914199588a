/* ts-rundir-private.h — how a run writer claims its folder (ts-rundir-claim.c). */
#pragma once

#include "ts-experiment.h"

G_BEGIN_DECLS

#define _TS_RUN_RESERVE_FILE ".trainscope.reserve"
#define _TS_RUN_RESERVE_BYTES (16 * 1024) /* a summary, with room for its temporary file */

/* Locks dir for this writer: the descriptor of its lock file (close it to
 * let go), or -1 with TS_ERROR_BUSY naming the holder. */
int      _ts_run_dir_lock (const char *dir, GError **error);
/* With the lock held: accepts an empty folder, or a finished run of exp,
 * whose files it removes (and the temporary files of a run killed while
 * writing); refuses anything else with TS_ERROR_INVALID saying what is
 * there and what to do. */
gboolean _ts_run_dir_take (const char *dir, const TsExperiment *exp, GError **error);
/* Keeps some space on the disk for the summary of a run that fails because
 * the disk is full; _ts_run_dir_release_reserve gives it back. */
void     _ts_run_dir_reserve (const char *dir);
void     _ts_run_dir_release_reserve (const char *dir);

G_END_DECLS
