/* What the trainscope-cli subcommands share: the usage text, strict
 * parsing of flags and --set overrides, and one way to report failure. */
#include "cli-common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char cli_usage[] =
  "Usage:\n"
  "  trainscope-cli run EXP.json|EXAMPLE --out DIR [--epochs N] [--seed S] [--threads N] [--set KEY=VALUE]…\n"
  "                     [--plots png,svg,pdf]\n"
  "  trainscope-cli run EXP.json|EXAMPLE --seeds N --out DIR [--set KEY=VALUE]…\n"
  "  trainscope-cli eval MODEL.safetensors --data SOURCE [--json]\n"
  "  trainscope-cli lr-find EXP.json|EXAMPLE --out DIR [--iterations N] [--sweeps N]\n"
  "  trainscope-cli probe [--layers 10] [--width 500] [--activation tanh,relu] [--init small,xavier,he]\n"
  "                       [--init-scale S] [--samples N] [--batchnorm] --out DIR\n"
  "  trainscope-cli data info SOURCE [--json] [--set data.KEY=VALUE]…\n"
  "  trainscope-cli data preview SOURCE [--augment JSON] [--preprocess P] --out grid.png\n"
  "  trainscope-cli ensemble MEMBER… [--data SOURCE] [--fusion late|early|both] [--rule mean|geometric|vote]\n"
  "                          [--checkpoints] --out DIR [--json]\n"
  "  trainscope-cli search EXP.json|EXAMPLE --space SPACE.json --trials N [--folds K] --out DIR [--top K] [--resume]\n"
  "                        [--seed S] [--epochs N] [--set KEY=VALUE]… [--json]\n"
  "  trainscope-cli transfer PRETRAINED --data SOURCE [--set KEY=VALUE]… --out DIR [--strategies LIST|none]\n"
  "                          [--json]\n"
  "  trainscope-cli --version\n"
  "EXAMPLE: a built-in experiment — default, deep-small, deep-small-bn (the batch-norm rescue pair)\n";

int
cli_bad_input (const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("trainscope-cli: %s\n", message);
  return CLI_BAD_INPUT;
}

gboolean
cli_make_folder (const char *out)
{
  int saved;

  if (g_mkdir_with_parents (out, 0755) == 0)
    return TRUE;
  saved = errno;
  g_printerr ("trainscope-cli: %s: cannot create the folder: %s\n", out, g_strerror (saved));
  return FALSE;
}

gboolean
cli_parse (GOptionContext *context, int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;

  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;
  g_printerr ("trainscope-cli: %s\n%s", error->message, cli_usage);
  return FALSE;
}

gboolean
cli_apply_overrides (TsExperiment *exp, char **overrides, gboolean data_only, GError **error)
{
  for (int i = 0; overrides && overrides[i]; i++)
    {
      const char *text = overrides[i];

      if (data_only && !g_str_has_prefix (text, "data.") && !g_str_has_prefix (text, "seed=")
          && strchr (text, '=') != NULL && text[0] != '=')
        {
          g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "--set %s: does not apply here; only data.* keys and seed do",
                       text);
          return FALSE;
        }
      if (!ts_experiment_set_override (exp, text, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
cli_parse_count (const char *flag, const char *text, guint64 lo, guint64 hi, guint64 *out, GError **error)
{
  /* GOption's own integers take "0x10", "010" (8) and wrap silently */
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, lo, hi, out, NULL))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "--%s: must be a whole number in [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] (got \"%s\")", flag,
                   lo, hi, text);
      return FALSE;
    }
  return TRUE;
}

gboolean
cli_parse_real (const char *flag, const char *text, double lo_exclusive, double hi, double *out, GError **error)
{
  double v;

  if (text == NULL)
    return TRUE;
  if (!ts_parse_decimal (text, &v) || !(v > lo_exclusive && v <= hi))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "--%s: must be a decimal number > %g and <= %g (got \"%s\")",
                   flag, lo_exclusive, hi, text);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

int
cli_fail (const GError *error)
{
  g_printerr ("trainscope-cli: %s\n", error->message);
  return g_error_matches (error, TS_ERROR, TS_ERROR_WRITE) ? CLI_RUN_FAILED : CLI_BAD_INPUT;
}

void
cli_print_json (JsonNode *node)
{
  g_autofree char *text = ts_json_to_string (node, TRUE);
  g_print ("%s\n", text);
}
