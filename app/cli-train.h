/* Training one run synchronously, for the trainscope-cli commands that
 * train several (run --seeds, search). */
#pragma once

#include "cli-common.h"
#include "cli-slurm.h"

/* Trains exp into dir (the live line on a terminal starts with label).
 * Ctrl-C or SIGTERM stops the run and sets *interrupted; the run's files
 * are written either way. *summary (may be NULL) gets summary.json's
 * content; *error the failure of a TS_RUN_FAILED run. */
TsRunState cli_train (const TsExperiment *exp, const char *dir, const char *label, gboolean *interrupted,
                      JsonNode **summary, GError **error);
/* A number of a summary, NaN when it is missing or null. */
double     cli_summary_number (JsonNode *summary, const char *key);

/* run EXP --seeds N --out DIR: DIR/seed-S/ runs and DIR/group.json */
/* (slurm: --backend slurm runs the seeds as a job array) */
int        cli_run_seeds (const TsExperiment *exp, guint n_seeds, const char *out, const CliSlurmOptions *slurm);

typedef enum { CLI_PRINT_TEXT, CLI_PRINT_JSON, CLI_PRINT_NOTHING } CliPrint;

/* The ensemble of members (model files or run folders) on data (NULL: the
 * first member's source): DIR/ensemble.json and DIR/ensemble-curve.png, and
 * a summary or the JSON printed; *result (may be NULL) keeps the numbers. */
int        cli_ensemble_members (char **members, guint n, const char *data, gboolean checkpoints,
                                 const TsEnsembleOptions *opts, const char *out, CliPrint print,
                                 TsEnsembleResult **result);
