/* The init lab's full grid — 5 init schemes × 4 activations, 10 layers × 500
 * units × 1000 samples — timed five times; prints the median and the GEMM
 * work it contains. The goal is 1 s on this project's machine. */
#include <trainscope.h>

#include <stdio.h>
#include <stdlib.h>

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  const TsInit inits[] = { TS_INIT_ZERO, TS_INIT_SMALL, TS_INIT_XAVIER, TS_INIT_HE, TS_INIT_ORTHOGONAL };
  const TsActivation acts[] = { TS_ACT_TANH, TS_ACT_RELU, TS_ACT_SIGMOID, TS_ACT_LEAKY_RELU };
  TsProbeSpec spec = { 10, 500, 1000, 0.01, 7 };
  double seconds[5];
  /* forward: 10 GEMMs of 1000×500×500; backward: 9 more, and the 10-class output layer both ways;
   * in 16 cells: the zero-init row multiplies by zeros, which needs no GEMM */
  double gflop = 16.0 * 2 * 1000 * (19.0 * 500 * 500 + 2 * 500 * 10) * 1e-9;

  ts_blas_ensure_kernel (argv);
  for (int r = 0; r < 5; r++)
    {
      g_autoptr(GError) error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(TsProbeGrid) grid = ts_probe_grid_new (&spec, inits, G_N_ELEMENTS (inits), acts, G_N_ELEMENTS (acts),
                                                      NULL, 0, (guint) ts_blas_threads (), &error);
      if (grid == NULL)
        {
          g_printerr ("bench-probe: %s\n", error->message);
          return 1;
        }
      seconds[r] = (g_get_monotonic_time () - t0) * 1e-6;
    }
  qsort (seconds, 5, sizeof (double), compare_double);
  printf ("probe grid, 20 cells of 10 × 500 × 1000 (%s, %d threads): median %.2f s (%.2f–%.2f), "
           "%.0f GFLOP of GEMM (16 cells; zero init needs none) = %.0f GFLOP/s; goal 1 s\n",
           ts_blas_core (), ts_blas_threads (), seconds[2], seconds[0], seconds[4], gflop, gflop / seconds[2]);
  return 0;
}
