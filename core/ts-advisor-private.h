/* Shared by the advisor and its rules (ts-advisor-rules.c). */
#pragma once

#include "ts-advisor.h"

G_BEGIN_DECLS

/* Appends an advice and returns its evidence object for the rule to fill. */
JsonObject *_ts_advice_add (GPtrArray *out, const char *code, TsSeverity severity, double confidence,
                            const char *action, const char *format, ...) G_GNUC_PRINTF (6, 7);

void _ts_rule_lr_too_low (const TsAdvisorInput *in, GPtrArray *out);
void _ts_rule_lr_too_high (const TsAdvisorInput *in, GPtrArray *out);
void _ts_rule_plateau_decay (const TsAdvisorInput *in, GPtrArray *out);
void _ts_rule_dead_units (const TsAdvisorInput *in, GPtrArray *out);
void _ts_rule_saturated_units (const TsAdvisorInput *in, GPtrArray *out);
void _ts_rule_activation_scale (const TsAdvisorInput *in, GPtrArray *out);
void _ts_rule_update_ratio (const TsAdvisorInput *in, GPtrArray *out);

G_END_DECLS
