/* trainscope-cli: the engine, headless. The commands, their flags and the
 * files they write are documented in README.md, section "`trainscope-cli`". */
#include "cli-commands.h"

#include <locale.h>
#include <string.h>

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
      g_print ("%s", cli_usage);
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
  if (strcmp (argv[1], "transfer") == 0)
    return cli_transfer (argc - 1, argv + 1);
  return cli_bad_input ("unknown command \"%s\"\n%s", argv[1], cli_usage);
}
