#pragma once
/// \file
/// The CPU backend's loops: every chain of a ChainConfig through run_chain, or blocks of chains
/// through run_chain_lanes for lanes score functors, over OpenMP threads (compile with -fopenmp;
/// without it the loop runs on one thread and gives the same result).

#include <langevin/device/chain.hpp>
#include <langevin/device/chain_lanes.hpp>

#include <algorithm>

namespace langevin::device {

/// Per-thread set-up for score functors that need none.
struct NoThreadSetup {
  template <class Score>
  int operator()(Score&) const { return 0; }
};

/// Runs all chains of `config`. `setup(score_copy)` runs once per thread on the thread's own copy
/// of the functor (to give it scratch memory, say); what it returns lives until the thread ends.
template <class Score, class ThreadSetup = NoThreadSetup>
void run_chains_cpu(const Score& score, const ChainConfig& config, ThreadSetup setup = {}) {
#pragma omp parallel
  {
    Score local = score;
    auto keep_alive = setup(local);
    (void)keep_alive;
    // Chains cost the same, but a dynamic schedule absorbs threads that the OS delays.
#pragma omp for schedule(dynamic, 64)
    for (long long i = 0; i < config.chains; ++i) run_chain(local, config, i);
  }
}

/// Runs all chains of `config` in blocks of Score::lanes through run_chain_lanes (chain_lanes.hpp).
/// Blocks start at multiples of the lane count; the last may be partial.
template <class Score, class ThreadSetup = NoThreadSetup>
void run_chains_cpu_lanes(const Score& score, const ChainConfig& config, ThreadSetup setup = {}) {
  constexpr int L = Score::lanes;
  const long long blocks = (config.chains + L - 1) / L;
#pragma omp parallel
  {
    Score local = score;
    auto keep_alive = setup(local);
    (void)keep_alive;
#pragma omp for schedule(dynamic, 4)
    for (long long b = 0; b < blocks; ++b) {
      const long long first = b * L;
      run_chain_lanes(local, config, first, static_cast<int>(std::min<long long>(L, config.chains - first)));
    }
  }
}

}  // namespace langevin::device
