/* ts-plot-search-files.h — a search's figures as the CLI writes them and
 * the window shows them: the points of one key (from search.json's
 * content), DIR/search-KEY.png for every key and DIR/search-curves.png.
 *
 *   guint n = ts_search_key_points (dim, result, points);   // points: one per trial
 *   g_autoptr(TsSearchCurves) c = ts_search_curves_read (tasks, trials, folds, epochs);
 *   ts_search_write_figures (space, tasks, result, trials, folds, exp->name, epochs, "out", &error);
 */
#pragma once

#include "ts-plot-search.h"

#include <trainscope.h>

G_BEGIN_DECLS

/* the finished trials of search.json's content against dim (points holds
 * one per trial); returns how many */
guint    ts_search_key_points (const TsSpaceDim *dim, JsonNode *result, TsSearchPoint *points);
/* Draws one key's figure: choices (NULL-terminated) named on its axis */
void     ts_search_draw_key (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                             const TsSpaceDim *dim, const TsSearchPoint *points, guint n, const char *caption);
/* every trial's validation accuracy per epoch, the mean over its folds
 * (read from their metrics.csv: not in a draw function) */
typedef struct _TsSearchCurves TsSearchCurves;
TsSearchCurves *ts_search_curves_read (GPtrArray *tasks, guint trials, guint folds, guint epochs);
void            ts_search_curves_draw (cairo_t *cr, double width, double height, const TsPlotStyle *style,
                                       const TsSearchCurves *curves, const char *caption);
void            ts_search_curves_free (TsSearchCurves *curves);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsSearchCurves, ts_search_curves_free)

/* OUT/search-KEY.png for each key and OUT/search-curves.png: every
 * trial's validation curve, averaged over its folds, overlaid */
gboolean ts_search_write_figures (const TsSearchSpace *space, GPtrArray *tasks, JsonNode *result, guint trials,
                                  guint folds, const char *name, guint epochs, const char *out, GError **error);

G_END_DECLS
