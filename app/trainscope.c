/* trainscope: the workbench. */
#include <trainscope.h>

#include "ts-application.h"

int
main (int argc, char **argv)
{
  g_autoptr(TsApplication) app = NULL;

  ts_blas_ensure_kernel (argv);
  app = ts_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
