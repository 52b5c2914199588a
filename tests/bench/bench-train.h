/* What bench-train.c and bench-train-cnn.c share: the batch sizes, the
 * measurement in rounds, the PyTorch reference. */
#pragma once

#include <trainscope.h>

#define N_BATCH_SIZES 3
#define ROUNDS 5

extern const guint batch_sizes[N_BATCH_SIZES];

typedef struct {
  double best, median;
} Rate;

typedef TsExperiment *(*BenchExperimentFn) (guint batch);

int      compare_double (const void *a, const void *b);
Rate     summarise (double *rates, int n);
/* samples/s of one window of at least `samples` samples, after a few untimed steps */
double   window (TsTraining *t, guint samples);
/* every batch size in turns, ROUNDS rounds, the sgemm peak in each */
gboolean measure_all (BenchExperimentFn make, guint samples, Rate *sps, Rate *peak);
/* data.source fashion-mnist, no validation split, lr 0.01, no L2, batch */
gboolean bench_set_common (TsExperiment *exp, guint batch, GError **error);
gboolean run_torch (const char *net, guint samples, Rate *torch_sps, int *torch_threads, guint64 *peak_rss_kb);

gboolean bench_cnn (guint samples, gboolean with_torch);
