/* ts-checkpoints.h — the checkpoints one run keeps while it trains
 * (train.checkpoint_every, and the end of every cosine_restarts cycle): the
 * members of a snapshot ensemble, in the run folder's checkpoints/ folder.
 *
 *   if (ts_schedule_checkpoint_due (&exp->train, epochs_done))
 *     ts_checkpoint_save (run_dir, epochs_done, net, preprocess, exp, &error);
 *   g_autoptr(GPtrArray) paths = ts_checkpoint_list (run_dir, &error); // epoch order
 */
#pragma once

#include "ts-model.h"

G_BEGIN_DECLS

/* RUN_DIR/checkpoints/epoch-NNN.safetensors (three digits or more) */
char      *ts_checkpoint_path (const char *run_dir, guint epoch);
/* Writes the model as it is after `epoch` epochs, atomically. */
gboolean   ts_checkpoint_save (const char *run_dir, guint epoch, const TsNet *net, const TsPreprocess *preprocess,
                               const TsExperiment *exp, GError **error);
/* The checkpoint files of a run folder (char*), in epoch order; an error
 * naming the folder when it has none. */
GPtrArray *ts_checkpoint_list (const char *run_dir, GError **error);

G_END_DECLS
