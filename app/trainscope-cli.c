/* trainscope-cli: the engine, headless. See DESIGN.md for the contract. */
#include "cli-common.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
  "Usage:\n"
  "  trainscope-cli run EXP.json|EXAMPLE --out DIR [--epochs N] [--seed S] [--threads N] [--set KEY=VALUE]…\n"
  "                     [--plots png,svg,pdf]\n"
  "  trainscope-cli run EXP.json|EXAMPLE --seeds N --out DIR [--set KEY=VALUE]…\n"
  "  trainscope-cli eval MODEL.safetensors --data SOURCE [--json]\n"
  "  trainscope-cli lr-find EXP.json|EXAMPLE --out DIR [--iterations N] [--sweeps N]\n"
  "  trainscope-cli probe [--layers 10] [--width 500] [--activation tanh,relu] [--init small,xavier,he]\n"
  "                       [--init-scale S] [--samples N] --out DIR\n"
  "  trainscope-cli data info SOURCE [--json] [--set data.KEY=VALUE]…\n"
  "  trainscope-cli data preview SOURCE [--augment JSON] [--preprocess P] --out grid.png\n"
  "  trainscope-cli ensemble MEMBER… [--data SOURCE] [--fusion late|early|both] [--rule mean|geometric|vote]\n"
  "                          [--checkpoints] --out DIR [--json]\n"
  "  trainscope-cli search EXP.json|EXAMPLE --space SPACE.json --trials N [--folds K] --out DIR [--top K] [--resume]\n"
  "                        [--seed S] [--epochs N] [--set KEY=VALUE]… [--json]\n"
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
cli_parse (GOptionContext *context, int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;

  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;
  g_printerr ("trainscope-cli: %s\n%s", error->message, usage);
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

gboolean
cli_check_memory (const char *what, double bytes, GError **error)
{
  double ram = (double) sysconf (_SC_PHYS_PAGES) * (double) sysconf (_SC_PAGE_SIZE);

  if (ram <= 0 || bytes <= ram / 2)
    return TRUE;
  g_set_error (error, TS_ERROR, TS_ERROR_INVALID, "%s: needs about %.1f GB of memory; this machine has %.1f GB", what,
               bytes / 1e9, ram / 1e9);
  return FALSE;
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

static void
print_version (void)
{
  g_print ("trainscope-cli %s\nOpenBLAS kernel: %s (detected %s), %d threads\n", PACKAGE_VERSION,
           ts_blas_core (), ts_blas_detected_core (), ts_blas_threads ());
}

int
main (int argc, char **argv)
{
  ts_blas_ensure_kernel (argv);
  setlocale (LC_ALL, "");
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      g_print ("%s", usage);
      return argc < 2 ? CLI_BAD_INPUT : CLI_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      print_version ();
      return CLI_OK;
    }
  if (strcmp (argv[1], "run") == 0)
    return cli_run (argc - 1, argv + 1);
  if (strcmp (argv[1], "eval") == 0)
    return cli_eval (argc - 1, argv + 1);
  if (strcmp (argv[1], "data") == 0)
    return cli_data (argc - 1, argv + 1);
  if (strcmp (argv[1], "lr-find") == 0)
    return cli_lr_find (argc - 1, argv + 1);
  if (strcmp (argv[1], "probe") == 0)
    return cli_probe (argc - 1, argv + 1);
  if (strcmp (argv[1], "ensemble") == 0)
    return cli_ensemble (argc - 1, argv + 1);
  if (strcmp (argv[1], "search") == 0)
    return cli_search (argc - 1, argv + 1);
  return cli_bad_input ("unknown command \"%s\"\n%s", argv[1], usage);
}
