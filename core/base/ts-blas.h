/* ts-blas.h — the one door to OpenBLAS.
 *
 * Row-major sgemm with the maths written at every call site, the kernel that
 * OpenBLAS runs, and the thread count. OpenBLAS 0.3.21 picks a generic
 * "Prescott" kernel on recent CPUs; ts_blas_ensure_kernel() re-executes the
 * program once with OPENBLAS_CORETYPE set, because the variable is only read
 * when the library loads. Call it first thing in main():
 *
 *   int main (int argc, char **argv) {
 *     ts_blas_ensure_kernel (argv);
 *     ...
 *     ts_sgemm (FALSE, TRUE, B, out, in, 1.f, x, in, w, in, 0.f, y, out); // y = x·wᵀ
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* C(M×N) = alpha · op(A)(M×K) · op(B)(K×N) + beta · C, all row-major */
void ts_sgemm (gboolean trans_a, gboolean trans_b,
               int M, int N, int K,
               float alpha, const float *A, int lda,
               const float *B, int ldb,
               float beta, float *C, int ldc);

/* C(N×N) = op(A)·op(A)ᵀ in double, upper triangle and mirrored: with
 * trans_a FALSE A is (N×K) and C = A·Aᵀ; with trans_a TRUE A is (K×N) and
 * C = Aᵀ·A. For Gram matrices that an eigen-decomposition reads. */
void ts_dgram (gboolean trans_a, int N, int K, const double *A, int lda, double *C, int ldc);

/* The same product by three plain loops: the reference for tests. */
void ts_sgemm_naive (gboolean trans_a, gboolean trans_b,
                     int M, int N, int K,
                     float alpha, const float *A, int lda,
                     const float *B, int ldb,
                     float beta, float *C, int ldc);

void        ts_blas_ensure_kernel (char **argv);
const char *ts_blas_core (void);
/* The kernel OpenBLAS would have picked on its own, if we replaced it. */
const char *ts_blas_detected_core (void);
gboolean    ts_blas_self_check (void);
/* Threads Trainscope computes with (teams; 0 = OPENBLAS_NUM_THREADS or
 * every core). OpenBLAS itself runs single-threaded inside each of them. */
void        ts_blas_set_threads (int n_threads);
int         ts_blas_threads (void);
void        ts_blas_single_threaded (void);
/* Measured sgemm throughput on large square matrices with OpenBLAS's own
 * threading on ts_blas_threads() cores, in GFLOP/s. */
double      ts_blas_peak_gflops (int n, int repeats);

G_END_DECLS
