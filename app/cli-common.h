/* Shared by the trainscope-cli subcommands. */
#pragma once

#include <trainscope.h>

#define CLI_OK 0
#define CLI_RUN_FAILED 1
#define CLI_BAD_INPUT 2

int cli_run (int argc, char **argv);
int cli_eval (int argc, char **argv);
int cli_data (int argc, char **argv);
int cli_lr_find (int argc, char **argv);
int cli_probe (int argc, char **argv);
int cli_ensemble (int argc, char **argv);
int cli_search (int argc, char **argv);

/* --set KEY=VALUE overrides, in order; the error names the key. */
gboolean cli_apply_overrides (TsExperiment *exp, char **overrides, GError **error);

/* Prints "trainscope-cli: MESSAGE" and returns CLI_BAD_INPUT. */
int cli_bad_input (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* Parses options; on failure prints the error and the usage. */
gboolean cli_parse (GOptionContext *context, int *argc, char ***argv);
void cli_print_json (JsonNode *node);
