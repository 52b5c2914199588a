/* The LR range test's result: owning and copying it. */
#include "ts-lr-finder-result.h"

void
ts_lr_finder_result_free (TsLrFinderResult *r)
{
  if (r == NULL)
    return;
  g_free (r->lr);
  g_free (r->loss);
  g_free (r->loss_lo);
  g_free (r->loss_hi);
  g_free (r);
}

TsLrFinderResult *
ts_lr_finder_result_copy (const TsLrFinderResult *r)
{
  TsLrFinderResult *copy = g_memdup2 (r, sizeof *r);

  copy->lr = g_memdup2 (r->lr, sizeof (double) * r->n);
  copy->loss = g_memdup2 (r->loss, sizeof (double) * r->n);
  copy->loss_lo = g_memdup2 (r->loss_lo, sizeof (double) * r->n);
  copy->loss_hi = g_memdup2 (r->loss_hi, sizeof (double) * r->n);
  return copy;
}
