/* ts-plot-labels.h — short names that still tell runs apart, for legends:
 * the words every name shares are dropped, the ones that differ kept in
 * order (with the word before a differing number, so "lr 0.1" stays
 * "lr 0.1", not "0.1").
 *
 *   const char *names[] = { "FMNIST relu he", "FMNIST relu xavier" };
 *   g_auto(GStrv) labels = ts_plot_distinct_labels (names, 2, &common);
 *   // labels: "he", "xavier"; common: "FMNIST relu"
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One label per name (NULL names give ""), each different from the others
 * whenever the names are; common (if not NULL) gets the words they all
 * share, in the first name's order, or "" when none. */
char **ts_plot_distinct_labels (const char *const *names, guint n, char **common);

G_END_DECLS
