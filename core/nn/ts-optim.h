/* ts-optim.h — update rules over one flat parameter block, and LR schedules.
 *
 * The update rules follow PyTorch's definitions exactly (momentum: v = μv + g,
 * w -= lr·v), so a step can be checked against torch.optim. A net moves
 * its layers' ranges itself (ts_net_update, the team step), each at its
 * own rate and none of a frozen layer's:
 *
 *   TsOptimizer *opt = ts_optimizer_new (TS_OPT_ADAM, ts_net_n_params (net), 0.9);
 *   ts_optimizer_begin_step (opt);
 *   ts_optimizer_update (opt, params, grads, offset, count, lr, l2, l1);  // every range once
 */
#pragma once

#include "ts-types.h"

G_BEGIN_DECLS

typedef struct _TsTrainSpec TsTrainSpec; /* ts-experiment.h */

#define TS_ADAM_BETA1 0.9f
#define TS_ADAM_BETA2 0.999f
#define TS_ADAM_EPS 1e-8f
#define TS_RMSPROP_ALPHA 0.99f
#define TS_RMSPROP_EPS 1e-8f

typedef struct {
  TsOptimizerKind kind;
  float    momentum;
  gsize    n;
  float   *m;     /* (n) velocity / first moment / running mean square */
  float   *v;     /* (n) adam's second moment */
  guint64  t;     /* steps taken */
} TsOptimizer;

TsOptimizer *ts_optimizer_new (TsOptimizerKind kind, gsize n_params, double momentum);
void         ts_optimizer_free (TsOptimizer *opt);
/* A step in pieces, for threads that each own part of the block: begin
 * once, then update every range [offset, offset + count) once, with the
 * penalty l2·w + l1·sign(w) added to its gradient (0 for what is not a
 * weight); grads are left as they were. */
void         ts_optimizer_begin_step (TsOptimizer *opt);
void         ts_optimizer_update (TsOptimizer *opt, float *params, float *grads, gsize offset, gsize count,
                                  float lr, float l2, float l1);
/* The same for a range that started training after the first t0 steps
 * (a layer unfrozen then): its state is fresh, so Adam's bias correction
 * counts its own steps, as PyTorch's per-parameter state does. */
void         ts_optimizer_update_since (TsOptimizer *opt, float *params, float *grads, gsize offset, gsize count,
                                        float lr, float l2, float l1, guint64 t0);

/* Momentum without L1 can take its step in two halves: the weight-gradient
 * GEMM adds the gradient straight into the velocity (v = μv + g, with
 * ts_dense_accumulate_weights into opt->m + offset), then this adds the L2
 * term (v += l2·w) and moves the weights (w -= lr·v). The gradient itself
 * is never stored: one pass over memory fewer on the largest arrays. */
gboolean     ts_optimizer_can_fuse (const TsOptimizer *opt, float l1);
void         ts_optimizer_finish_momentum (TsOptimizer *opt, float *params, gsize offset, gsize count,
                                           float lr, float l2);

/* Learning rate for a point in training: epoch (0-based) + fraction done.
 * plateau_decays counts how often the plateau rule has fired so far. */
double       ts_schedule_lr (const TsTrainSpec *train, double base_lr, guint epoch,
                             double epoch_fraction, guint plateau_decays);

/* The plateau rule, as PyTorch's ReduceLROnPlateau (mode "min", relative
 * threshold 1e-4, no cooldown): an epoch improves when its loss is below
 * best·(1 − 1e-4); after more than `patience` epochs in a row that do not,
 * the LR is divided once more and the count starts again. The best loss
 * starts at +∞, so the first finite loss always improves. */
typedef struct {
  double best;       /* +∞ until a finite loss is seen */
  guint  bad_epochs; /* in a row, since the last improvement or decay */
  guint  decays;     /* how often the LR has been divided */
} TsPlateau;

#define TS_PLATEAU_THRESHOLD 1e-4

void         ts_plateau_init (TsPlateau *p);
/* One epoch's monitored loss (NaN counts as no improvement); TRUE when it
 * made the LR fall. */
gboolean     ts_plateau_observe (TsPlateau *p, double loss, guint patience);

/* TRUE when the epochs_completed-th epoch ends a checkpoint interval
 * (train.checkpoint_every) or a cosine_restarts cycle: a snapshot is due. */
gboolean     ts_schedule_checkpoint_due (const TsTrainSpec *train, guint epochs_completed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsOptimizer, ts_optimizer_free)

G_END_DECLS
