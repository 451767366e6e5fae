// The FP32 fused multiply-add ceiling of one instruction set (ceilings.hpp), compiled once per
// copy of the CPU backend's lanes (LANGEVIN_CEILING_FUNCTION: cpu_fma_gflops_avx2, …) with that
// copy's flags: independent chains of MulAdd on the widest vectors of the target, so that the
// fraction a benchmark reports is of what its own instruction set can do.

#include "cpu/lane_ops.hpp"  // Highway, configured as the lanes use it

#include <omp.h>

#include <chrono>
#include <cstdio>

double LANGEVIN_CEILING_FUNCTION() {
  namespace hn = langevin::device::lane_hwy;
  using Tag = hn::ScalableTag<float>;
  constexpr int kChains = 12;  // enough independent accumulators to cover FMA latency × ports
  constexpr long long kIterations = 20000000;
  const double lanes = static_cast<double>(hn::Lanes(Tag()));
  double best = 0.0;
  for (int trial = 0; trial < 3; ++trial) {
    const auto start = std::chrono::steady_clock::now();
    float sink = 0.0f;
#pragma omp parallel reduction(+ : sink)
    {
      const Tag d;
      hn::Vec<Tag> acc[kChains];
      const auto a = hn::Set(d, 0.999999f), b = hn::Set(d, 1e-7f);
      for (int c = 0; c < kChains; ++c) acc[c] = hn::Set(d, static_cast<float>(c));
      for (long long i = 0; i < kIterations; ++i) {
#pragma GCC unroll 12
        for (int c = 0; c < kChains; ++c) acc[c] = hn::MulAdd(acc[c], a, b);
      }
      for (int c = 0; c < kChains; ++c) sink += hn::GetLane(acc[c]);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double flop = 2.0 * lanes * kChains * kIterations * omp_get_max_threads();
    if (sink == 12345.0f) std::printf(" ");  // keep the result alive
    const double gflops = flop / seconds / 1e9;
    if (gflops > best) best = gflops;
  }
  return best;
}
