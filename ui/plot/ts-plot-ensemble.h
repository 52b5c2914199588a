/* ts-plot-ensemble.h — an ensemble's accuracy as members are added (in the
 * greedy order ts_ensemble_evaluate chose), beside its best and its mean
 * member: the CLI's ensemble-curve.png and the window's Ensemble page.
 *
 *   ts_plot_ensemble_curve (cr, 640, 400, &style, result, "5 members · fashion-mnist");
 */
#pragma once

#include "ts-plot-curves.h"

G_BEGIN_DECLS

void  ts_plot_ensemble_curve (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                              const TsEnsembleResult *r, const char *caption);
/* the curve's data as CSV: members,added,test_acc */
char *ts_plot_ensemble_curve_csv (const TsEnsembleResult *r);

G_END_DECLS
