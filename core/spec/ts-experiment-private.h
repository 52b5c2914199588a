/* ts-experiment-private.h — the key table behind ts-experiment.c, shared
 * with ts-experiment-text.c (setting and reading keys as text). */
#pragma once

#include "ts-experiment.h"

#include <stddef.h>

G_BEGIN_DECLS

typedef enum { K_STRING, K_UINT, K_UINT64, K_DOUBLE, K_ENUM, K_LAYERS } TsKeyKind;

/* Allowed ranges, each with the phrase an error message uses. */
typedef enum {
  R_ANY,
  R_GT0,       /* > 0 */
  R_GE0,       /* >= 0 */
  R_UNIT,      /* [0, 1] */
  R_UNIT_OPEN, /* [0, 1) */
  R_GE1,       /* >= 1 */
} TsKeyRange;

typedef struct {
  const char        *key;
  TsKeyKind          kind;
  gsize              offset;
  TsKeyRange         range;
  const char *const *choices;
  const char        *default_text;
  const char        *doc;
  double             max; /* whole-number keys: the largest allowed (0: the type's) */
} TsKeySpec;

extern const char *const _ts_activation_names[];
extern const char *const _ts_pool_names[]; /* a TsPoolKind's name: max, avg */

const TsKeySpec *_ts_experiment_find_key (const char *key);
/* v checked against the key's range; given (the user's text) or v in the message */
gboolean         _ts_experiment_set_number (const TsKeySpec *spec, TsExperiment *exp, double v, const char *given,
                                            GError **error);
gboolean         _ts_experiment_set_string (const TsKeySpec *spec, TsExperiment *exp, const char *text, GError **error);
/* model.layers from a JSON array of layer objects */
gboolean         _ts_experiment_parse_layers (TsExperiment *exp, JsonNode *node, GError **error);
/* model.layers' entries and the order of their kinds */
gboolean         _ts_experiment_validate_layers (const TsExperiment *exp, GError **error);
/* the layers' shapes when the source's is known, and the memory estimate */
gboolean         _ts_experiment_validate_shapes (const TsExperiment *exp, GError **error);
guint            _ts_experiment_dense_layers (const TsExperiment *exp);
/* model.layers from its --set text (ts-experiment-layers-text.c); a bad text changes nothing */
gboolean         _ts_experiment_set_layers_text (TsExperiment *exp, const char *text, GError **error);
JsonNode        *_ts_experiment_layers_to_node (const TsExperiment *exp);
char            *_ts_experiment_choices_text (const char *const *choices);

G_END_DECLS
