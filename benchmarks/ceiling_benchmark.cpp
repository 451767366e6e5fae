// Hardware ceilings, measured rather than assumed: the FP32 fused multiply-add rate of the CPU
// cores (OpenMP threads, the compiler's widest vectors) and of the GPU (one FFMA chain set per
// thread), and the GPU's device-to-device copy bandwidth. The sampler benchmarks report
// fractions of these.
//
//   ceiling_benchmark [cpu|cuda|all]
//
// The GPU kernels are in ceiling_gpu.cu.

#include <langevin/backend.hpp>
#include "ceiling_gpu.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

// ---- CPU: independent FMA chains on 16-float vectors (AVX-512 where built for it) ----------
typedef float Vec16 __attribute__((vector_size(64)));

double cpu_fma_gflops() {
  constexpr int kChains = 12;  // enough independent accumulators to cover FMA latency × ports
  constexpr long long kIterations = 20000000;
  double best = 0.0;
  for (int trial = 0; trial < 3; ++trial) {
    const auto start = std::chrono::steady_clock::now();
    float sink = 0.0f;
#pragma omp parallel reduction(+ : sink)
    {
      Vec16 acc[kChains];
      const Vec16 a = Vec16{} + 0.999999f, b = Vec16{} + 1e-7f;
      for (int c = 0; c < kChains; ++c) acc[c] = Vec16{} + static_cast<float>(c);
      for (long long i = 0; i < kIterations; ++i) {
#pragma GCC unroll 12
        for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * a + b;  // contracted to one FMA
      }
      for (int c = 0; c < kChains; ++c) {
        for (int l = 0; l < 16; ++l) sink += acc[c][l];
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double flop = 2.0 * 16 * kChains * kIterations * omp_get_max_threads();
    if (sink == 12345.0f) std::printf(" ");  // keep the result alive
    best = std::max(best, flop / seconds / 1e9);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const char* which = argc > 1 ? argv[1] : "all";
  std::printf("| ceiling | value |\n|---|---:|\n");
  if (!std::strcmp(which, "cpu") || !std::strcmp(which, "all")) {
    std::printf("| CPU FP32 FMA, %d threads | %.1f GFLOP/s |\n", omp_get_max_threads(),
                cpu_fma_gflops());
  }
  if ((!std::strcmp(which, "cuda") || !std::strcmp(which, "all")) && langevin::cuda_available()) {
    std::printf("| GPU FP32 FMA (%s) | %.1f GFLOP/s |\n", langevin::gpus()[0].name.c_str(),
                gpu_fma_gflops());
    std::printf("| GPU device-to-device copy | %.0f GB/s |\n", gpu_copy_gbytes());
  }
  return 0;
}
