/* ts-window-private.h — the window's parts, shared by ts-window.c (layout,
 * runs, the frame-clock poll), ts-window-actions.c (commands, files,
 * exports) and ts-window-lab.c (the Init lab's picks and races). */
#pragma once

#include <adwaita.h>

#include "ts-advisor-page.h"
#include "ts-data-page.h"
#include "ts-experiment-editor.h"
#include "ts-init-lab.h"
#include "ts-layer-views.h"
#include "ts-plot-view.h"
#include "ts-search-page.h"
#include "ts-run.h"
#include "ts-window.h"

G_BEGIN_DECLS

struct _TsWindow {
  AdwApplicationWindow parent_instance;

  /* template widgets */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkButton       *start_button;
  GtkListBox      *run_list;
  AdwViewStack    *view_stack;
  GtkWidget       *training_page;
  GtkWidget       *experiment_page;
  GtkWidget       *advisor_page;
  GtkWidget       *initlab_page;
  GtkWidget       *data_page;
  GtkWidget       *search_page;
  GtkGrid         *plot_grid;
  GtkBox          *training_content;
  GtkProgressBar  *progress_bar;
  GtkInscription  *progress_label;
  GtkToggleButton *log_toggle;
  GtkAdjustment   *smoothing;
  AdwFlap         *flap;
  GtkWidget       *sidebar;
  GtkWidget       *sidebar_handle;
  GMenu           *examples_menu; /* filled from the built-in experiments */

  /* owned */
  GSettings       *settings;
  GListStore      *runs;         /* TsRun, newest first */
  TsRun           *selected;
  TsPlotView      *plots[3];     /* by TsRunPlotKind */
  GtkWidget       *editor;
  GtkWidget       *advisor;      /* TsAdvisorPage */
  GtkWidget       *init_lab;     /* TsInitLab */
  GtkWidget       *data_view;    /* TsDataPage */
  GtkWidget       *layer_views;  /* TsLayerViews */
  GtkWidget       *search;       /* TsSearchPage */
  GtkWidget       *problem_page; /* AdwStatusPage: what the command line could not open */
  GtkWidget       *ensemble_page; /* TsEnsemblePage (ts-window-seeds.c) */
  GtkWidget       *transfer_page; /* TsTransferPage (ts-window-transfer.c) */
  char            *problem;
  guint            poll_id;      /* the runs' poll (on_poll) */
  guint            next_colour;
  gboolean         plots_dirty;  /* new data not yet drawn */
  gint64           last_redraw;  /* monotonic time of the last plot redraw, µs */
  gint64           last_slow;    /* … and of the views redrawn once a second (SLOW_INTERVAL_US) */
  gboolean         slow_behind;  /* those have not drawn the newest data */
  gint64           last_rows;    /* … and of the sidebar's sparklines */
  int              drag_width;   /* the sidebar's width when a resize began */
  guint            epochs_drawn; /* what the accuracy plot last showed (epochs_seen) */
};

void     _ts_window_install_actions (TsWindowClass *klass);
void     _ts_window_install_drop_target (TsWindow *self);
void     _ts_window_update_actions (TsWindow *self);
void     _ts_window_build_examples_menu (TsWindow *self);
void     _ts_window_toast (TsWindow *self, const char *format, ...) G_GNUC_PRINTF (2, 3);
TsRun   *_ts_window_add_run (TsWindow *self, TsRun *run);
void     _ts_window_select (TsWindow *self, TsRun *run);
/* exp, a changed copy of the selected run's experiment, as its fork: named
 * for its changes, and renamed as they go on (ts_experiment_fork_name) */
TsRun   *_ts_window_fork (TsWindow *self, TsExperiment *exp);
char    *_ts_window_runs_root (void);
/* the Init lab's ::pick and ::train-all (ts-window-lab.c) */
void     _ts_window_connect_init_lab (TsWindow *self);
/* the sidebar's resize handle and its folding (ts-window-sidebar.c) */
void     _ts_window_build_sidebar (TsWindow *self);
/* the Search page and its trials opened as runs (ts-window-search.c) */
void     _ts_window_build_search_page (TsWindow *self);
/* starts queued runs while fewer than the allowed number are training */
void     _ts_window_dispatch_queue (TsWindow *self);
/* loading, running or paused (a seed group's entry never: its seeds are) */
gboolean _ts_window_run_is_active (TsRun *run);
void     _ts_window_update_progress (TsWindow *self);
/* ts-window-poll.c: pull the runs' metrics ten times a second, pace redraws */
void     _ts_window_start_poll (TsWindow *self);
/* a run folder (or seed group folder) in the recent runs, kept across restarts */
void     _ts_window_remember_run (TsWindow *self, const char *dir);
/* seed groups and ensembles (ts-window-seeds.c): "Repeat with N seeds",
 * a group folder opened as one sidebar entry, the Ensemble page */
void     _ts_window_install_seed_actions (TsWindowClass *klass);
void     _ts_window_build_ensemble_page (TsWindow *self);
/* the Transfer page, its strategies queued as runs (ts-window-transfer.c) */
void     _ts_window_build_transfer_page (TsWindow *self);
/* the runs' right-click menu: Repeat With Seeds…, Fork, Fine-Tune From This Run, Remove */
void     _ts_window_build_run_menu (TsWindow *self);
TsRun   *_ts_window_open_seed_group (TsWindow *self, const char *dir, gboolean select, GError **error);
/* Start/pause on a seed group's entry: pauses or resumes its seeds, or
 * over, trains the group again with as many seeds; FALSE for other runs */
gboolean _ts_window_start_pause_group (TsWindow *self, TsRun *run);
/* after the entry of a seed group left the list: its members too */
void     _ts_window_remove_group_members (TsWindow *self, TsRun *entry);

G_END_DECLS
