// The CPU ceilings (ceilings.hpp): the FMA rate of each instruction set the lanes are built for
// (ceilings_fma.cpp, compiled once per instruction set), and a large memcpy split across the
// threads.

#include "ceilings.hpp"
#include "cpu_targets.hpp"

#include <langevin/backend.hpp>

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#define LANGEVIN_DECLARE_CEILING(target) double cpu_fma_gflops_##target();
LANGEVIN_FOR_EACH_CPU_TARGET(LANGEVIN_DECLARE_CEILING)
#undef LANGEVIN_DECLARE_CEILING

namespace {

/// The one copy's, in a build with one (LANGEVIN_NATIVE).
double cpu_fma_gflops_only() {
#define LANGEVIN_ONLY(target) return cpu_fma_gflops_##target();
  LANGEVIN_FOR_EACH_CPU_TARGET(LANGEVIN_ONLY)
#undef LANGEVIN_ONLY
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

double cpu_fma_gflops(const std::string& simd) {
#define LANGEVIN_CEILING(target) \
  if (simd == #target) return cpu_fma_gflops_##target();
  LANGEVIN_FOR_EACH_CPU_TARGET(LANGEVIN_CEILING)
#undef LANGEVIN_CEILING
  return cpu_fma_gflops_only();
}

double cpu_fma_gflops() { return cpu_fma_gflops(langevin::cpu_simd().selected); }

double cpu_copy_gbytes() {
  // 512 MiB each way: far beyond any cache. Each thread copies its own share of the pages it
  // touched first, so that the copy runs where the memory is.
  const std::size_t bytes = std::size_t{1} << 29;
  std::unique_ptr<char[]> from(new char[bytes]), to(new char[bytes]);
  const int threads = omp_get_max_threads();
  const std::size_t share = bytes / static_cast<std::size_t>(threads);
  auto each_share = [&](auto work) {
#pragma omp parallel
    {
      const std::size_t begin = share * static_cast<std::size_t>(omp_get_thread_num());
      const std::size_t end =
          omp_get_thread_num() == threads - 1 ? bytes : begin + share;
      work(begin, end);
    }
  };
  each_share([&](std::size_t begin, std::size_t end) {
    std::memset(from.get() + begin, 1, end - begin);
    std::memset(to.get() + begin, 0, end - begin);
  });
  std::vector<double> seconds;
  for (int trial = 0; trial < 5; ++trial) {
    const auto start = std::chrono::steady_clock::now();
    each_share([&](std::size_t begin, std::size_t end) {
      std::memcpy(to.get() + begin, from.get() + begin, end - begin);
    });
    seconds.push_back(seconds_since(start));
  }
  if (to[bytes - 1] != 1) std::printf(" ");  // keep the copy alive
  std::sort(seconds.begin(), seconds.end());
  return 2.0 * static_cast<double>(bytes) / seconds[seconds.size() / 2] / 1e9;
}
