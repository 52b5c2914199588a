/* ts-linear-probe.h — a softmax classifier on fixed features: what a
 * representation offers a linear read-out. Features are standardised with
 * the training rows' mean and std, then a net with no hidden layer is fitted
 * by Adam from zero (softmax regression is convex, so only the shuffles are
 * left to the seed). Early fusion of an ensemble and the transfer lab's
 * per-stage probes both use it.
 *
 *   g_autoptr(TsLinearProbe) p = ts_linear_probe_fit (train, labels, n, F, C, 10, seed, NULL, NULL);
 *   double acc, loss;
 *   ts_linear_probe_evaluate (p, val, val_labels, n_val, &acc, &loss);
 */
#pragma once

#include "ts-net.h"

G_BEGIN_DECLS

#define TS_LINEAR_PROBE_BATCH 128
#define TS_LINEAR_PROBE_LR 1e-3 /* Adam on standardised features: early fusion's rate */
#define TS_LINEAR_PROBE_L2 1e-4

typedef struct {
  guint  F, C;
  float *mean; /* (F) of the training rows */
  float *std;  /* (F); 1 for a constant column */
  TsNet *net;  /* F → C, on standardised features */
} TsLinearProbe;

/* Called before each epoch with the share done; FALSE stops the fit (then
 * ts_linear_probe_fit returns NULL). */
typedef gboolean (*TsLinearProbeProgress) (double fraction, gpointer data);

/* train (n, F), labels in [0, C) */
TsLinearProbe *ts_linear_probe_fit (const float *train, const guint32 *labels, guint n, guint F, guint C,
                                    guint epochs, double lr, guint64 seed, TsLinearProbeProgress progress,
                                    gpointer data);
/* accuracy and mean softmax loss on x (n, F); NaN for n == 0 */
void           ts_linear_probe_evaluate (TsLinearProbe *p, const float *x, const guint32 *labels, guint n,
                                         double *acc, double *loss);
/* The epochs that give at least min_steps batches of TS_LINEAR_PROBE_BATCH
 * over n rows, and at least min_epochs: a small target needs many passes. */
guint          ts_linear_probe_epochs (guint n, guint min_epochs, guint min_steps);
void           ts_linear_probe_free (TsLinearProbe *p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsLinearProbe, ts_linear_probe_free)

G_END_DECLS
