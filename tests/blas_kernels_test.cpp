// What cpu_blas() reports of training's GEMM library.

#include <langevin/backend.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

TEST(CpuBlas, NamesTheLibraryAndItsKernels) {
  const langevin::CpuBlas blas = langevin::cpu_blas();
  EXPECT_FALSE(blas.library.empty());
  if (blas.library.rfind("OpenBLAS", 0) == 0) {
    EXPECT_FALSE(blas.kernels.empty());
    // OpenBLAS's configuration string names the kernel set it runs.
    EXPECT_NE(blas.library.find(blas.kernels), std::string::npos) << blas.library;
  }
}

TEST(CpuBlas, NarrowerMeansAvx2KernelsOnAnAvx512Cpu) {
  const langevin::CpuBlas blas = langevin::cpu_blas();
  const bool avx512_kernels = blas.kernels == "SkylakeX" || blas.kernels == "Cooperlake" ||
                              blas.kernels == "SapphireRapids";
  EXPECT_EQ(blas.narrower, blas.avx512_cpu && !blas.kernels.empty() && !avx512_kernels)
      << blas.kernels;
}

TEST(CpuBlas, ReportsTheEnvironmentsChoice) {
  const char* chosen = std::getenv("OPENBLAS_CORETYPE");
  EXPECT_EQ(langevin::cpu_blas().coretype, chosen != nullptr ? chosen : "");
}

}  // namespace
