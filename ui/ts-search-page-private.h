/* ts-search-page-private.h — the Search page's parts, shared by
 * ts-search-page.c (the form, the table, the scatter),
 * ts-search-page-space.c (the space rows), ts-search-page-run.c
 * (running the tasks here or on Slurm) and ts-search-page-top.c (the
 * best trials retrained and ensembled). */
#pragma once

#include "ts-search-page.h"
#include "ts-plot-search-files.h"

G_BEGIN_DECLS

typedef struct {
  char   *state;   /* what the table's fold cell says */
  guint   attempt; /* Slurm submissions so far */
  double  seconds; /* NaN until finished */
  double  val_acc; /* NaN until done */
} TsTaskView;

struct _TsSearchPage {
  GtkWidget parent_instance;

  /* widgets */
  GtkWidget      *scroller;
  GtkListBox     *space_rows;
  GtkSpinButton  *trials, *folds, *epochs, *seed;
  GtkEntry       *folder;
  GtkDropDown    *backend;
  GtkWidget      *start_button, *stop_button, *resume_button;
  GtkProgressBar *progress;
  GtkLabel       *status;
  GtkLabel       *message_label;
  GtkGrid        *table;
  GPtrArray      *cells;   /* GtkLabel: per trial its folds, then CV, then seconds */
  GtkDropDown    *key_pick;
  GtkWidget      *scatter;
  GtkWidget      *curves_figure;
  GtkSpinButton  *top_k;
  GtkWidget      *top_button, *ensemble_button;
  GtkProgressBar *top_progress;
  GtkLabel       *top_status;

  /* owned */
  GSettings     *settings;
  TsExperiment  *base;
  char          *message;
  /* the search running or last run */
  TsExperiment  *exp;
  TsSearchSpace *space;
  JsonNode      *space_json;
  GPtrArray     *tasks;  /* TsSearchTask */
  guint          n_trials, n_folds;
  char          *out;
  TsTaskView    *views;  /* one per task */
  JsonNode      *result; /* search.json's content as of the last collect */
  TsSearchCurves *curves; /* as of the last collect */
  TsSearchPoint *points;
  guint          n_points;
  guint          shown_dim;
  gboolean       running;
  gboolean       stopping; /* Stop pressed: no next task starts */
  guint          timer;
  /* local: the task training now */
  TsTrainer     *trainer;
  guint          current;
  /* slurm: the submitter's thread and what it tells */
  GThread       *thread;
  GCancellable  *cancel;
  GAsyncQueue   *events;
  /* the top trials retrained (TsSearchTask, OUT/top/trial-T), polled
   * while top_timer runs */
  GPtrArray     *top_tasks;
  guint          top_timer;
};

/* ts-search-page-space.c: a row of the space (kind: a TsSpaceKind) */
void     _ts_search_page_add_row (TsSearchPage *self, const char *key, guint kind, const char *values);
void     _ts_search_page_add_empty_row (TsSearchPage *self);

/* ts-search-page-run.c */
gboolean _ts_search_page_run (TsSearchPage *self, gboolean resume, GError **error);
void     _ts_search_page_stop (TsSearchPage *self);
void     _ts_search_page_clear_run (TsSearchPage *self);
/* ts-search-page-top.c */
GtkWidget *_ts_search_page_build_top (TsSearchPage *self);
void     _ts_search_page_update_top (TsSearchPage *self);
void     _ts_search_page_clear_top (TsSearchPage *self);
void     _ts_search_page_install_top_signals (GObjectClass *klass);
/* ts-search-page.c: the table and scatter redrawn from views and result */
void     _ts_search_page_refresh (TsSearchPage *self);
void     _ts_search_page_set_message (TsSearchPage *self, const char *message);
void     _ts_search_page_update_buttons (TsSearchPage *self);

G_END_DECLS
