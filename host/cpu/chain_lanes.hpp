#pragma once
/// \file
/// run_chain_lanes: the CPU backend's way to run `lanes` chains in lockstep, so that the score can
/// be evaluated for all of them at once with SIMD instructions across chains. Each chain performs
/// exactly the operations of run_chain (chain.hpp), in the same order: the same Philox draws, the
/// same updates, the same trajectory rows. With the library's lanes score functors
/// (mlp_lanes.hpp, gmm_lanes.hpp), whose per-chain arithmetic equals the one-chain pass, results are
/// bit-identical to running the chains one at a time, whatever the blocks.
///
/// A lanes score functor is any copyable type with
///   static constexpr int max_dim;            // bound on the state dimension (and on any
///                                            // extra inputs the functor builds)
///   static constexpr int lanes;              // chains per call
///   static constexpr bool noise_conditional;
///   void operator()(const float* x, float* s, float sigma) const;   // x[j * lanes + c], s alike
/// Plain and annealed ULA, MALA, underdamped Langevin, predictor–corrector sampling and the
/// probability-flow ODE (run_block_ula, run_block_mala, run_block_underdamped, run_block_pc and
/// run_block_ode, the one-chain templates themselves). MALA
/// needs a lanes functor with
///   void score_and_log_density(const float* x, float* s, float* log_density) const;
/// and, since the ODE's lanes stand at different σ, a noise-conditional one also has
///   void operator()(const float* x, float* s, const float* sigmas) const;  // lane c at sigmas[c]

#include <langevin/device/chain.hpp>
#include <langevin/device/run_cpu.hpp>
#include "cpu/normal_lanes.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>

namespace langevin::device {

/// Whether a lanes functor has score_and_log_density(x, s, log_density) for every lane: MALA.
template <class Score, class = void>
struct HasLanesLogDensity : std::false_type {};
template <class Score>
struct HasLanesLogDensity<
    Score, std::void_t<decltype(std::declval<const Score&>().score_and_log_density(
               static_cast<const float*>(nullptr), static_cast<float*>(nullptr),
               static_cast<float*>(nullptr)))>> : std::true_type {};

/// Runs local chains first … first + count − 1 (count ≤ lanes) of `config`. Unused lanes run
/// the streams of the chains after them (or start at zero, with given initial states): they are
/// evaluated and never stored.
template <class Score>
void run_chain_lanes(const Score& score, const ChainConfig& config, long long first, int count) {
  constexpr int L = Score::lanes;
  const int d = config.dim;
  // The block's streams at `draw`, each draw holding `extra` counters more (MALA's uniform).
  const auto streams = [&](unsigned long long draw, int extra) {
    return NormalLanes<L>(config.seed, static_cast<unsigned long long>(config.first_chain + first),
                          d, draw, extra);
  };
  if constexpr (!Score::noise_conditional) {  // as run_chain
    if (config.underdamped) {
      auto noise = streams(chain_detail::underdamped_first_draw(config), 0);
      run_block_underdamped<L>(score, config, first, count, noise);
      return;
    }
  }
  if constexpr (HasLanesLogDensity<Score>::value) {
    if (config.metropolis) {
      auto noise = streams(config.init_states != nullptr ? 1ull + config.first_step : 0ull, 1);
      run_block_mala<L>(score, config, first, count, noise);
      return;
    }
  }
  if constexpr (Score::noise_conditional) {
    if (config.predictor_corrector) {
      auto noise = streams(chain_detail::pc_first_draw(config), 0);
      run_block_pc<L>(score, config, first, count, noise);
      return;
    }
    if (config.probability_flow) {
      auto noise = streams(0ull, 0);  // draw 0 only: the flow is deterministic after it
      run_block_ode<L>(score, config, first, count, noise);
      return;
    }
  }
  auto noise = streams(config.init_states != nullptr ? 1ull + config.first_step : 0ull, 0);
  run_block_ula<L>(score, config, first, count, noise);
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
