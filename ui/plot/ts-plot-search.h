/* ts-plot-search.h — a search's trials against one hyper-parameter: each
 * trial's cross-validated accuracy (mean over folds) with an error bar of
 * ±1 std over its folds; a log axis for log-uniform keys, one column per
 * value for choices.
 *
 *   TsSearchPoint p[] = { { 0.01, 0.84, 0.004 }, … };
 *   ts_plot_search_key (cr, 640, 400, &style, p, n, TRUE, NULL, "train.lr", "12 trials × 3 folds");
 */
#pragma once

#include "ts-plot.h"

G_BEGIN_DECLS

typedef struct {
  double x;    /* the value, or the index of a choice */
  double mean; /* CV accuracy, 0…1 */
  double std;  /* over folds; NaN: no bar */
} TsSearchPoint;

/* choices: NULL-terminated names of a choice key's values (then x indexes
 * them), or NULL for a numeric key */
void ts_plot_search_key (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                         const TsSearchPoint *points, guint n, gboolean log_x, const char *const *choices,
                         const char *key, const char *caption);

G_END_DECLS
