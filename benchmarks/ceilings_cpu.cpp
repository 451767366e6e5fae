// The CPU ceilings (ceilings.hpp): independent FMA chains on 16-float vectors (AVX-512 where the
// build allows it, two 256-bit halves otherwise), and a large memcpy split across the threads.

#include "ceilings.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace {

typedef float Vec16 __attribute__((vector_size(64)));

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

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
    const double seconds = seconds_since(start);
    const double flop = 2.0 * 16 * kChains * kIterations * omp_get_max_threads();
    if (sink == 12345.0f) std::printf(" ");  // keep the result alive
    best = std::max(best, flop / seconds / 1e9);
  }
  return best;
}

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
