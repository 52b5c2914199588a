/* Shared by the advisor (ts-advisor.c), what it measures of a run
 * (ts-advisor-facts.c) and its rules (ts-advisor-rules.c). */
#pragma once

#include "ts-advisor.h"
#include "ts-stats.h"

G_BEGIN_DECLS

/* What the rules read, measured once: the loss curve's shape, the layers
 * at step 0 (the first measurement is taken on the initial weights'
 * forward pass) and lately, and what each hidden layer computes. */
typedef struct {
  const TsAdvisorInput *in;
  double   expected;       /* ln C: softmax's loss at chance */

  /* the loss per epoch (metrics.csv's train_loss: what the plots show) */
  guint    n_epochs;
  double   loss_first, loss_last, loss_min;
  guint    falls, rises;   /* epoch-to-epoch changes by more than 1% */
  double   biggest_rise;   /* relative, of one epoch over the one before */
  gboolean falling;        /* lower at the end than at the start, falling in most epochs */
  gboolean flat;           /* within 2% of where it started */
  guint    late_epoch;     /* index of the epoch three quarters in (before the last) */
  gboolean still_falling;  /* fell over 3% from late_epoch to the last: the run ended mid-descent */
  /* the loss per step, smoothed over ~5% of the run */
  gsize    n_steps;
  double   step_first, step_mid, step_last, step_min;
  double   tail_spread;    /* std/mean of the raw loss over the last 30% */
  double   first_loss;     /* at step 0 (NaN: batches under 16 samples) */

  /* the layers: hidden ones, then the output layer */
  guint    n_layers;       /* measured; 0 when nothing was */
  guint    n_hidden;
  /* each (n_layers), owned: sized to the net */
  TsActivation *act;      /* as the net applies it: identity for pool, gap and a layer a batch norm follows */
  TsLayerKind  *kind;     /* the output layer: dense */
  double  *ratio;         /* ‖ΔW‖/‖W‖ lately, per layer; NaN for layers without weights */
  double  *init_std, *init_dead, *init_sat;
  double  *now_std, *now_dead, *now_sat;
  double   ratio_max, ratio_mean; /* ‖ΔW‖/‖W‖ lately: largest, geometric mean (NaN unmeasured) */
  guint    ratio_worst;    /* the layer with the largest (G_MAXUINT: none) */
  guint    first_weighted, last_weighted; /* the first and deepest dense, conv or batch-norm hidden layer (G_MAXUINT: none) */
  guint    n_weighted;     /* dense and conv hidden layers: the depth the init rules speak of */
  gboolean conv;           /* the net has a conv layer */
  guint    n_conv;         /* how many */

  const TsEpochRecord *last;
  double   lr_now;         /* of the last step */
} TsAdvisorFacts;

void _ts_advisor_facts_init (TsAdvisorFacts *f, const TsAdvisorInput *in);
void _ts_advisor_facts_clear (TsAdvisorFacts *f);

/* how the window's layer menu numbers layer l, with what it is: "conv
 * layer 3", "hidden layer 2", "layer 4 (the batch norm after conv layer 3)" */
char *_ts_layer_title (const TsAdvisorFacts *f, guint l);
/* whether layer l's outputs are channels of [C,H,W] maps (a conv layer,
 * the batch norm after one), measured by channel */
gboolean _ts_layer_is_maps (const TsAdvisorFacts *f, guint l);
/* what its units are called: "channels" for maps, else the given noun */
const char *_ts_layer_units (const TsAdvisorFacts *f, guint l, const char *dense_noun);

/* Appends an advice and returns its evidence object for the rule to fill. */
JsonObject *_ts_advice_add (GPtrArray *out, const char *code, TsSeverity severity, double confidence,
                            const char *action, const char *format, ...) G_GNUC_PRINTF (6, 7);

/* Helpers the rules share (ts-advisor-rules.c). */
gboolean    _ts_rule_explained (GPtrArray *out);
gboolean    _ts_rule_squashing (TsActivation a);
gboolean    _ts_rule_plain_relu (TsActivation a);
gboolean    _ts_rule_deep (const TsAdvisorFacts *f);
void        _ts_rule_add_consequence (JsonObject *ev, const char *code);
TsAdvice   *_ts_rule_last_added (GPtrArray *out);
void        _ts_rule_append_to_message (GPtrArray *out, const char *text);
guint       _ts_rule_worst_layer (const TsAdvisorFacts *f, const double *v, gboolean (*counts) (TsActivation));
void        _ts_rule_loss_evidence (const TsAdvisorFacts *f, JsonObject *ev);
gboolean    _ts_rule_both_low (const TsAdvisorFacts *f);

/* The causes, in the order they are looked for; each adds at most one
 * primary advice and folds what it explains into it. */
void _ts_rules_init (const TsAdvisorFacts *f, GPtrArray *out);
void _ts_rules_penalty (const TsAdvisorFacts *f, GPtrArray *out);
void _ts_rules_lr_high (const TsAdvisorFacts *f, GPtrArray *out);
void _ts_rules_lr_low (const TsAdvisorFacts *f, GPtrArray *out);
void _ts_rules_update_ratio (const TsAdvisorFacts *f, GPtrArray *out);
void _ts_rules_plateau (const TsAdvisorFacts *f, GPtrArray *out);
void _ts_rules_fit (const TsAdvisorFacts *f, GPtrArray *out);

G_END_DECLS
