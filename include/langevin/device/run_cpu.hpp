#pragma once
/// \file
/// The CPU's loop over chains: every chain of a ChainConfig through run_chain, over OpenMP threads
/// (compile with -fopenmp; without it the loop runs on one thread and gives the same result).

#include <langevin/device/chain.hpp>

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

}  // namespace langevin::device
