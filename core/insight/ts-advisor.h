/* ts-advisor.h — rules that read a run's curves and give advice with evidence.
 *
 *   g_autoptr(GPtrArray) advice = ts_advisor_diagnose (&input);
 *   JsonNode *json = ts_advice_to_json (advice);   // {"advice": [...]} (README, "The advisor")
 *
 * Codes are stable identifiers (README, "The advisor"); each advice names its evidence
 * and the experiment change to try. One advice per cause: the symptoms a
 * cause explains are folded into its message and listed in its evidence
 * ("consequences"); the most severe comes first.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ts-experiment.h"
#include "ts-lr-finder-result.h"
#include "ts-metrics.h"

G_BEGIN_DECLS

typedef enum { TS_SEVERITY_INFO, TS_SEVERITY_WARNING, TS_SEVERITY_CRITICAL } TsSeverity;

typedef struct {
  char       *code;
  TsSeverity  severity;
  double      confidence; /* 0..1 */
  char       *message;    /* one plain sentence */
  JsonNode   *evidence;   /* object: which curve, which numbers */
  char       *action;     /* the change to try, as "key=value" pairs */
} TsAdvice;

typedef struct {
  const TsExperiment *exp;
  const TsMetricLog  *steps;
  const TsMetricLog  *epochs;
  const TsMetricLog  *stats;  /* TsStatsRecord; may be NULL */
  guint               n_classes;
  gboolean            diverged;
  /* optional: a range test of this experiment; LR advice uses its valley
   * when it lies the way the curves point, and says why when it does not */
  const TsLrFinderResult *finder;
  gboolean            running; /* still training: the LR can be divided now */
} TsAdvisorInput;

GPtrArray  *ts_advisor_diagnose (const TsAdvisorInput *input); /* of TsAdvice */
void        ts_advice_free (TsAdvice *advice);
JsonNode   *ts_advice_to_json (GPtrArray *advice);
/* advice.json back into TsAdvice records; NULL with an error naming the file */
GPtrArray  *ts_advice_load (const char *path, GError **error);
/* "train.lr=0.02" applied to a copy of exp; NULL if the action is empty or bad */
TsExperiment *ts_advice_apply (const TsAdvice *advice, const TsExperiment *exp, GError **error);
const char *ts_severity_name (TsSeverity severity);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsAdvice, ts_advice_free)

G_END_DECLS
