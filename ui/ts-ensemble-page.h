/* ts-ensemble-page.h — the Ensemble page: pick trained models (finished
 * runs, a seed group's seeds, a search's retrained top K, the checkpoints
 * of one run), choose late or
 * early fusion or both, and measure them as one in a worker thread, with
 * progress and Cancel. Shows each member's accuracy, the fused accuracies,
 * the members' disagreement and accuracy as members are added, and writes
 * ensemble.json as `trainscope-cli ensemble` does.
 *
 *   GtkWidget *page = ts_ensemble_page_new (runs);    // the window's TsRun list
 *   ts_ensemble_page_refresh (TS_ENSEMBLE_PAGE (page));
 *   ts_ensemble_page_check (TS_ENSEMBLE_PAGE (page), "3 seeds", TRUE);
 *   ts_ensemble_page_start (TS_ENSEMBLE_PAGE (page));  // ::finished when done
 */
#pragma once

#include <gtk/gtk.h>
#include <trainscope.h>

G_BEGIN_DECLS

#define TS_TYPE_ENSEMBLE_PAGE (ts_ensemble_page_get_type ())
G_DECLARE_FINAL_TYPE (TsEnsemblePage, ts_ensemble_page, TS, ENSEMBLE_PAGE, GtkWidget)

GtkWidget              *ts_ensemble_page_new (GListModel *runs);
/* rebuilds the list of members to pick from (ticks kept by path) */
void                    ts_ensemble_page_refresh (TsEnsemblePage *self);
/* A choice of several run folders as one (a search's top K, all ticked
 * at once like a seed group's seeds), listed from now on above the runs';
 * one with the same title is replaced. */
void                    ts_ensemble_page_add_members (TsEnsemblePage *self, const char *title, const char *subtitle,
                                                      const char *const *paths);
/* ticks (or clears) every choice whose title contains text; how many */
guint                   ts_ensemble_page_check (TsEnsemblePage *self, const char *text, gboolean active);
/* how many choices are ticked */
guint                   ts_ensemble_page_checked (TsEnsemblePage *self);
/* "late", "early" or "both" */
void                    ts_ensemble_page_set_fusion (TsEnsemblePage *self, const char *fusion);
/* measures the ticked members; FALSE when none is ticked or one is under way */
gboolean                ts_ensemble_page_start (TsEnsemblePage *self);
void                    ts_ensemble_page_cancel (TsEnsemblePage *self);
gboolean                ts_ensemble_page_is_busy (TsEnsemblePage *self);
/* the last result and the folder its ensemble.json went to, or NULL; the
 * error of the last attempt, or NULL */
const TsEnsembleResult *ts_ensemble_page_get_result (TsEnsemblePage *self);
const char             *ts_ensemble_page_get_output_dir (TsEnsemblePage *self);
const char             *ts_ensemble_page_get_error (TsEnsemblePage *self);

G_END_DECLS
