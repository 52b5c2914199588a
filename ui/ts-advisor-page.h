/* ts-advisor-page.h — the advisor's cards for the selected run (severity,
 * message, the evidence with its curve, "Fork with this fix") and the LR
 * finder, which sweeps on a copy of the experiment in a worker thread.
 * ::fork (TsExperiment *exp, gboolean start) asks the window for a new run. */
#pragma once

#include <gtk/gtk.h>

#include "ts-run.h"

G_BEGIN_DECLS

#define TS_TYPE_ADVISOR_PAGE (ts_advisor_page_get_type ())
G_DECLARE_FINAL_TYPE (TsAdvisorPage, ts_advisor_page, TS, ADVISOR_PAGE, GtkBox)

GtkWidget *ts_advisor_page_new (void);
void       ts_advisor_page_set_run (TsAdvisorPage *self, TsRun *run);
/* the cards shown, for tests */
guint      ts_advisor_page_get_n_cards (TsAdvisorPage *self);
/* the LR finder's result, once it has run (for tests) */
const TsLrFinderResult *ts_advisor_page_get_lr_result (TsAdvisorPage *self);
/* The finder's plot (.png, .svg, .pdf) or data (.csv) to path. */
gboolean   ts_advisor_page_export_lr (TsAdvisorPage *self, const char *path, GError **error);
/* Starts the LR finder on the run's experiment. */
void       ts_advisor_page_find_lr (TsAdvisorPage *self);

G_END_DECLS
