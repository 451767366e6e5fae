// The GPU ceilings (ceilings.hpp) in a build without the CUDA backend: there is no GPU to
// measure (cuda_available() is false there, so the benchmarks never ask).

#include "ceilings.hpp"

#include <langevin/error.hpp>

namespace {
[[noreturn]] void no_gpu() {
  throw langevin::Error("the GPU ceilings: this build has no CUDA backend (LANGEVIN_WITH_CUDA=OFF)");
}
}  // namespace

double gpu_median_seconds(const std::function<void()>&, int) { no_gpu(); }
double gpu_fma_gflops() { no_gpu(); }
double gpu_copy_gbytes() { no_gpu(); }
