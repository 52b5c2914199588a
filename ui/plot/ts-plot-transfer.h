/* ts-plot-transfer.h — the transfer lab's curve: linear-probe accuracy of
 * every stage's features on the target (validation and test), from the
 * input side to the top: the CLI's transfer-stages.png and the window's
 * Transfer page.
 *
 *   ts_plot_transfer_stages (cr, 640, 400, &style, ts_transfer_report (t), "fashion-mnist · 100 samples");
 */
#pragma once

#include "ts-plot-curves.h"

G_BEGIN_DECLS

void  ts_plot_transfer_stages (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                               const TsTransferReport *r, const char *caption);
/* the curve's data as CSV: stage,name,features,probe_val_acc,probe_test_acc,logme */
char *ts_plot_transfer_stages_csv (const TsTransferReport *r);

G_END_DECLS
