/* The trainscope-cli subcommands, one file each (cli-run.c, cli-eval.c…),
 * called by main() in trainscope-cli.c with argv[0] the command's name. */
#pragma once

#include "cli-common.h"

int cli_run (int argc, char **argv);
int cli_eval (int argc, char **argv);
int cli_data (int argc, char **argv);
int cli_lr_find (int argc, char **argv);
int cli_probe (int argc, char **argv);
int cli_ensemble (int argc, char **argv);
int cli_search (int argc, char **argv);
int cli_transfer (int argc, char **argv);
