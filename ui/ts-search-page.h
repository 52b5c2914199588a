/* ts-search-page.h — the window's Search page: a cross-validated random
 * search on the current experiment, the same one `trainscope-cli search`
 * runs. Rows of key + distribution + range define the space (checked by
 * core's space reader: the CLI's errors for space.json); trials, folds,
 * epochs and seed; Start runs it in the background — trial × fold runs one
 * after another on this machine, or a Slurm job array (Preferences) — into
 * a folder in the CLI's layout (so `trainscope-cli search --resume` and the
 * page's Resume continue each other's). A table of the trials (params,
 * each fold's state, CV mean ± std, seconds) and a scatter of CV accuracy
 * against a chosen key, and every trial's validation curve (the mean over
 * its folds), fill as tasks finish; a trial's button emits
 * ::open-trial with its fold run folders. Once it has finished, "Retrain
 * Top K" trains the best K trials on the whole training part (::train-top:
 * the window queues them) into OUT/top/trial-T as `search --top K` does;
 * when they have trained, ::top-trained offers them as one ensemble and
 * "Ensemble Them" emits ::ensemble-top.
 *
 *   GtkWidget *page = ts_search_page_new ();
 *   ts_search_page_set_experiment (TS_SEARCH_PAGE (page), exp);
 *   ts_search_page_set_space (TS_SEARCH_PAGE (page), "{\"train.lr\": {\"log_uniform\": [0.01, 0.5]}}", &error);
 *   ts_search_page_start (TS_SEARCH_PAGE (page), "out", FALSE, &error);
 */
#pragma once

#include <gtk/gtk.h>
#include <trainscope.h>

G_BEGIN_DECLS

#define TS_TYPE_SEARCH_PAGE (ts_search_page_get_type ())
G_DECLARE_FINAL_TYPE (TsSearchPage, ts_search_page, TS, SEARCH_PAGE, GtkWidget)

GtkWidget  *ts_search_page_new (void);
/* the base every trial changes (copied); the form's epochs and seed follow
 * it when it differs from the one before */
void        ts_search_page_set_experiment (TsSearchPage *self, const TsExperiment *exp);
/* Fills the space rows from space.json's text (as the CLI reads it). */
gboolean    ts_search_page_set_space (TsSearchPage *self, const char *json, GError **error);
/* The rows as space.json's text (what Start checks and writes). */
char       *ts_search_page_dup_space (TsSearchPage *self);
void        ts_search_page_set_counts (TsSearchPage *self, guint trials, guint folds, guint epochs, guint64 seed);
/* backend, partition, parallelism, retries (the Preferences' keys) */
void        ts_search_page_set_settings (TsSearchPage *self, GSettings *settings);
/* Binds a "local"/"slurm" drop-down (a GtkDropDown) to the search-backend
 * key: the page's and Preferences' share it. */
void        ts_search_backend_bind (GSettings *settings, gpointer dropdown);
/* Start (resume FALSE: a folder that holds a search is refused) or
 * Resume; FALSE with the CLI's message for a bad space or count, a
 * folder in use or no sbatch. */
gboolean    ts_search_page_start (TsSearchPage *self, const char *out, gboolean resume, GError **error);
/* Resume the search in out: the form takes its experiment, space, folds
 * and trials (search-config.json, tasks.csv), then it continues. */
gboolean    ts_search_page_resume (TsSearchPage *self, const char *out, GError **error);
void        ts_search_page_stop (TsSearchPage *self);
gboolean    ts_search_page_is_running (TsSearchPage *self);
/* the message of the last start or run, NULL when fine */
const char *ts_search_page_get_message (TsSearchPage *self);
/* the table's text of one task (its fold cell): "done 81.2%", "RUNNING"… */
char       *ts_search_page_dup_task_state (TsSearchPage *self, guint trial, guint fold);
/* The best k trials by CV retrained (k capped at the trials with every
 * fold done): FALSE while a search runs, before one finished, or while the
 * top trials train. */
gboolean    ts_search_page_retrain_top (TsSearchPage *self, guint k, GError **error);
/* every retrained top trial's summary says done */
gboolean    ts_search_page_top_trained (TsSearchPage *self);
/* "Ensemble Them": emits ::ensemble-top; FALSE until they have trained */
gboolean    ts_search_page_ensemble_top (TsSearchPage *self);
/* the figures (TsFigure) and the table's grid, for tests and screenshots */
GtkWidget  *ts_search_page_get_scatter (TsSearchPage *self);
GtkWidget  *ts_search_page_get_curves (TsSearchPage *self);
GtkWidget  *ts_search_page_get_table (TsSearchPage *self);
/* the key the scatter shows (index in the space) */
void        ts_search_page_set_scatter_key (TsSearchPage *self, guint dim);

G_END_DECLS
