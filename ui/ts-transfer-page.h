/* ts-transfer-page.h — the Transfer page: the transfer lab of
 * `trainscope-cli transfer` in the window. Choose a pre-trained model (a
 * finished run, or a .safetensors file) and the target data; Analyse
 * measures in a worker thread (progress, Cancel): the linear-probe
 * accuracy of every stage as a curve, the similarity (LogME) with its
 * evidence, the size verdict and the 2×2 table with the target's cell
 * highlighted. Run Strategies asks the window (::train-strategies) to
 * train the five strategies as runs through its queue; the results table
 * fills as their summary.json appear, and says which won and whether the
 * table's recommendation was right. transfer.json is written as the CLI
 * writes it, into a folder under ~/.local/share/trainscope/transfers/.
 *
 *   GtkWidget *page = ts_transfer_page_new (runs);
 *   ts_transfer_page_set_model (TS_TRANSFER_PAGE (page), "runs/source");
 *   ts_transfer_page_set_target (TS_TRANSFER_PAGE (page), "fashion-mnist", "data.limit=125");
 *   ts_transfer_page_start (TS_TRANSFER_PAGE (page));   // ::finished when measured
 */
#pragma once

#include <gtk/gtk.h>
#include <trainscope.h>

G_BEGIN_DECLS

#define TS_TYPE_TRANSFER_PAGE (ts_transfer_page_get_type ())
G_DECLARE_FINAL_TYPE (TsTransferPage, ts_transfer_page, TS, TRANSFER_PAGE, GtkWidget)

GtkWidget              *ts_transfer_page_new (GListModel *runs);
/* the runs with a model to pick from, again */
void                    ts_transfer_page_refresh (TsTransferPage *self);
/* a run folder or a model file */
void                    ts_transfer_page_set_model (TsTransferPage *self, const char *path);
const char             *ts_transfer_page_get_model (TsTransferPage *self);
/* the source and the --set overrides, "KEY=VALUE; KEY=VALUE" */
void                    ts_transfer_page_set_target (TsTransferPage *self, const char *source, const char *overrides);
/* measures; FALSE when no model is chosen or a measurement is under way */
gboolean                ts_transfer_page_start (TsTransferPage *self);
void                    ts_transfer_page_cancel (TsTransferPage *self);
gboolean                ts_transfer_page_is_busy (TsTransferPage *self);
/* asks the window to train the strategies (::train-strategies); FALSE before a measurement */
gboolean                ts_transfer_page_run_strategies (TsTransferPage *self);
/* reads the strategies' summary.json now (the page also does it every second) */
void                    ts_transfer_page_poll (TsTransferPage *self);
/* the last measurement, NULL before one; its folder; the last error */
const TsTransferReport *ts_transfer_page_get_report (TsTransferPage *self);
TsTransfer             *ts_transfer_page_get_transfer (TsTransferPage *self);
const char             *ts_transfer_page_get_output_dir (TsTransferPage *self);
const char             *ts_transfer_page_get_error (TsTransferPage *self);

G_END_DECLS
