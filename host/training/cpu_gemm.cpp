// Training's CPU GEMM: CBLAS (OpenBLAS) when the build found it, the plain loop otherwise. The
// only source that reads LANGEVIN_HAVE_CBLAS (host/CMakeLists.txt).

#include "training/cpu_ops.hpp"

#if LANGEVIN_HAVE_CBLAS
#include <cblas.h>
#endif

namespace langevin::training {

void CpuOps::gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha,
                  const float* a, int lda, const float* b, int ldb, float beta, float* c,
                  int ldc) {
#if LANGEVIN_HAVE_CBLAS
  cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans,
              transpose_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c,
              ldc);
#else
  reference_gemm(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
#endif
}

}  // namespace langevin::training
