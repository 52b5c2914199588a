/* Shared by the trainscope-cli subcommands. */
#pragma once

#include <trainscope.h>

#define CLI_OK 0
#define CLI_RUN_FAILED 1
#define CLI_BAD_INPUT 2

/* the usage text of every command */
extern const char cli_usage[];

/* --set KEY=VALUE overrides, in order; the error names the key. With
 * data_only, only data.* keys and seed apply (data info, data preview). */
gboolean cli_apply_overrides (TsExperiment *exp, char **overrides, gboolean data_only, GError **error);

/* A numeric flag given as text (NULL: not given, *out unchanged): decimal
 * digits only, the whole text, within [lo, hi]; the error names the flag. */
gboolean cli_parse_count (const char *flag, const char *text, guint64 lo, guint64 hi, guint64 *out, GError **error);
gboolean cli_parse_real (const char *flag, const char *text, double lo_exclusive, double hi, double *out,
                         GError **error);
/* Exit status for a failed step: could not write (TS_ERROR_WRITE) is a
 * failed run (1), anything else bad input (2); prints the message. */
int      cli_fail (const GError *error);

/* Makes the output folder OUT (and its parents); FALSE after printing
 * "trainscope-cli: OUT: cannot create the folder: …" (a failed run). */
gboolean cli_make_folder (const char *out);
/* Prints "trainscope-cli: MESSAGE" and returns CLI_BAD_INPUT. */
int cli_bad_input (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* Parses options; on failure prints the error and the usage. */
gboolean cli_parse (GOptionContext *context, int *argc, char ***argv);
void cli_print_json (JsonNode *node);
