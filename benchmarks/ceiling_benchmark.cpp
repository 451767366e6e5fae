// Hardware ceilings, measured rather than assumed: the FP32 fused multiply-add rate and the copy
// bandwidth of the CPU cores (OpenMP threads) and of the GPU. The other benchmarks report
// fractions of these (and measure them again in their own run).
//
//   ceiling_benchmark [cpu|cuda|all]

#include <langevin/backend.hpp>
#include "ceilings.hpp"

#include <omp.h>

#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  const char* which = argc > 1 ? argv[1] : "all";
  std::printf("| ceiling | value |\n|---|---:|\n");
  if (!std::strcmp(which, "cpu") || !std::strcmp(which, "all")) {
    for (const std::string& simd : langevin::cpu_simd().runnable) {
      std::printf("| CPU FP32 FMA (%s), %d threads | %.1f GFLOP/s |\n", simd.c_str(),
                  omp_get_max_threads(), cpu_fma_gflops(simd));
    }
    std::printf("| CPU memory copy, %d threads | %.1f GB/s |\n", omp_get_max_threads(),
                cpu_copy_gbytes());
  }
  if ((!std::strcmp(which, "cuda") || !std::strcmp(which, "all")) && langevin::cuda_available()) {
    std::printf("| GPU FP32 FMA (%s) | %.1f GFLOP/s |\n", langevin::gpus()[0].name.c_str(),
                gpu_fma_gflops());
    std::printf("| GPU device-to-device copy | %.0f GB/s |\n", gpu_copy_gbytes());
  }
  return 0;
}
