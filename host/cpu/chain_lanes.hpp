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
/// probability-flow ODE (run_block_mala, run_block_underdamped, run_block_pc and run_block_ode,
/// the one-chain templates themselves). MALA
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
  constexpr int MaxDim = Score::max_dim;
  const int d = config.dim;
  // The block's streams at `draw`, each draw holding `extra` counters more (MALA's uniform).
  const auto streams = [&](unsigned long long draw, int extra) {
    return NormalLanes<L>(config.seed, static_cast<unsigned long long>(config.first_chain + first),
                          d, draw, extra);
  };
  if (config.underdamped) {
    auto noise = streams(chain_detail::underdamped_first_draw(config), 0);
    run_block_underdamped<L>(score, config, first, count, noise);
    return;
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
  alignas(64) float x[MaxDim * L] = {};
  alignas(64) float s[MaxDim * L] = {};
  alignas(64) float z[MaxDim * L] = {};
  float row[MaxDim] = {};
  // Every lane's stream, drawn for all lanes at once (as run_chain's NormalStream, bit for bit).
  NormalLanes<L> noise(config.seed, static_cast<unsigned long long>(config.first_chain + first), d,
                       config.init_states != nullptr ? 1ull + config.first_step : 0ull);
  if (config.init_states != nullptr) {
    for (int c = 0; c < count; ++c) {
      const float* initial = config.init_states + (first + c) * d;
      for (int j = 0; j < d; ++j) x[j * L + c] = initial[j];
    }
  } else {  // draw 0, as chain_detail::initial_state
    noise.template draw<MaxDim>(z, d);
    for (int i = 0; i < d * L; ++i) x[i] = math::fma(config.init_std, z[i], config.init_mean);
  }
  auto store_into = [&](float* rows, long long slot_row, int c) {  // chain c's state
    for (int j = 0; j < d; ++j) row[j] = x[j * L + c];
    chain_detail::store<MaxDim>(rows + slot_row * d, row, d);
  };
  auto store = [&](long long slot_row, int c) { store_into(config.out, slot_row, c); };

  const bool annealed = config.levels > 0;
  const float last_sigma = annealed ? config.sigmas[config.levels - 1] : 1.0f;
  chain_detail::TrajectoryCursor cursor(config);  // the same slots for every chain
  long long diverged[L];  // as run_chain: the first update after which a chain was not finite
  for (int c = 0; c < L; ++c) diverged[c] = -1;
  auto check_finite = [&](long long update) {
    for (int c = 0; c < count; ++c) {
      float zero = 0.0f;
      for (int j = 0; j < d; ++j) zero += x[j * L + c] - x[j * L + c];
      if (diverged[c] < 0 && zero != 0.0f) diverged[c] = update;
    }
  };
  const bool finishes = end_update(config) == total_updates(config);
  const long long k = chain_detail::for_each_update(
      config, [&](long long update, const chain_detail::LevelStep& rule) {
        if (config.keep_trajectory && update == cursor.next_kept) {
          for (int c = 0; c < count; ++c) store((first + c) * config.kept + cursor.slot, c);
          ++cursor.slot;
          cursor.next_kept += config.thin;
        }
        score(x, s, rule.sigma);
        noise.template draw<MaxDim>(z, d);
        // Every lane, used or not (an unused lane's state is never stored): one vector loop.
        for (int i = 0; i < d * L; ++i) {
          x[i] = chain_detail::langevin_update(rule, x[i], s[i], z[i]);
        }
        check_finite(update);
      });
  if (config.state_out != nullptr) {
    for (int c = 0; c < count; ++c) store_into(config.state_out, first + c, c);
  }
  if (annealed && config.denoise && finishes) {  // as run_chain
    score(x, s, last_sigma);
    for (int i = 0; i < d * L; ++i) x[i] = chain_detail::denoised(last_sigma, x[i], s[i]);
    check_finite(k);
  }
  for (int c = 0; c < count; ++c) chain_detail::record_divergence(config, diverged[c]);
  if (!config.keep_trajectory && finishes) {
    for (int c = 0; c < count; ++c) store(first + c, c);
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
