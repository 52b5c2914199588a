/* ts-window.h — the workbench window: runs in the sidebar, the training
 * plots and the experiment editor, the header's commands. */
#pragma once

#include <adwaita.h>
#include <trainscope.h>

#include "ts-run.h"

G_BEGIN_DECLS

#define TS_TYPE_WINDOW (ts_window_get_type ())
G_DECLARE_FINAL_TYPE (TsWindow, ts_window, TS, WINDOW, AdwApplicationWindow)

TsWindow *ts_window_new (GtkApplication *app);
/* Adds a new, unstarted run of exp and selects it. */
TsRun    *ts_window_add_experiment (TsWindow *self, const TsExperiment *exp);
/* Adds a finished run directory (the GUI's or trainscope-cli's). */
TsRun    *ts_window_open_run_dir (TsWindow *self, const char *dir, GError **error);
/* Opens an experiment file or a run directory, as the command line does. */
gboolean  ts_window_open_path (TsWindow *self, const char *path, GError **error);
/* The command line's files (NULL-terminated): each opened, or its error
 * shown in the window on a page that names the file. The built-in default
 * is added only when no file was given, and `start` starts the selected run
 * only when every file opened: a bad file starts nothing. FALSE (with every
 * error in one) when any failed. */
gboolean  ts_window_open_arguments (TsWindow *self, const char *const *paths, gboolean start, GError **error);
/* The text of that page, or NULL when it is not shown. */
const char *ts_window_get_problem (TsWindow *self);
TsRun    *ts_window_get_selected (TsWindow *self);
/* Selects a run as a click in the sidebar does. */
void      ts_window_select_run (TsWindow *self, TsRun *run);
GListModel *ts_window_get_runs (TsWindow *self);
/* The plot widget of a kind (for tests and exports). */
GtkWidget *ts_window_get_plot (TsWindow *self, int kind);
GtkWidget *ts_window_get_editor (TsWindow *self);
GtkWidget *ts_window_get_advisor (TsWindow *self);
/* the Search page (a TsSearchPage) */
GtkWidget *ts_window_get_search_page (TsWindow *self);
GtkWidget *ts_window_get_init_lab (TsWindow *self);
GtkWidget *ts_window_get_data_page (TsWindow *self);
GtkWidget *ts_window_get_layer_views (TsWindow *self);
/* "Repeat with N seeds" on the selected run (a seed group's entry or seed:
 * its experiment): N queued copies differing only in seed, trained into a
 * group folder under the runs root as `trainscope-cli run --seeds` lays it
 * out, shown as one sidebar entry, which is selected and returned. */
TsRun     *ts_window_repeat_with_seeds (TsWindow *self, guint n_seeds);
/* The Ensemble page (TsEnsemblePage). */
GtkWidget *ts_window_get_ensemble_page (TsWindow *self);
GtkWidget *ts_window_get_transfer_page (TsWindow *self);
/* The Runs sidebar's width (200–600 px), as dragging its edge sets it. */
void       ts_window_set_sidebar_width (TsWindow *self, int width);

G_END_DECLS
