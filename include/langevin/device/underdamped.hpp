#pragma once
/// \file
/// Underdamped (kinetic) Langevin dynamics, unit mass, friction γ:
///   dx = v dt,   dv = s(x) dt − γ v dt + √(2γ) dW,
/// whose stationary law is p(x) N(v; 0, I), by the BAOAB splitting (Leimkuhler & Matthews 2013):
/// one update of time step h = epsilon is
///   B  v ← v + (h/2) s(x)
///   A  x ← x + (h/2) v
///   O  v ← c₁ v + c₂ z,   c₁ = e^(−γh), c₂ = √(1 − c₁²)   (the exact Ornstein–Uhlenbeck step)
///   A  x ← x + (h/2) v
///   B  v ← v + (h/2) s(x)
/// The last B's score is the next update's first (one score evaluation per update). For a
/// Gaussian target BAOAB's positions have exactly the target's variance at any stable h (hω < 2
/// for a mode of frequency ω, variance 1/ω²); its velocities, after the full update, variance
/// 1 − h²ω²/4, uncorrelated with the positions (tests/underdamped_test.cpp derives all three
/// from the update's linear recursion).
///
/// Draws: 0 the initial state, 1 the initial velocity (N(0, I), the stationary law's), 2 + k the
/// noise of update k. A velocity given in init_velocities (a resumed segment) replaces draw 1.
/// Written once for a block of L chains in lockstep, as mala's and predictor_corrector.hpp's
/// templates: the GPU's thread and the CPU's one-chain path run a block of one, the CPU's SIMD
/// blocks L lanes with a lanes score functor, each lane with the one-chain bits.

#include <langevin/device/chain.hpp>
#include <langevin/device/elementary.hpp>

namespace langevin::device {

namespace chain_detail {

/// The stream position a block starts at: draw 0 (initial state and velocity to draw), draw 1
/// (initial state given, velocity to draw) or, resuming with given velocities, the draw of
/// update first_step.
LANGEVIN_HD unsigned long long underdamped_first_draw(const ChainConfig& config) {
  if (config.init_velocities != nullptr) {
    return 2ull + static_cast<unsigned long long>(config.first_step);
  }
  return config.init_states != nullptr ? 1ull : 0ull;
}

}  // namespace chain_detail

/// Runs local chains first … first + count − 1 (count ≤ L) of `config` by underdamped Langevin
/// dynamics; `score(x, s, sigma)` evaluates the L lanes' scores (for L = 1 a one-chain functor,
/// called as run_chain calls it), `noise` gives every lane's stream at
/// underdamped_first_draw(config).
template <int L, class Score, class Noise>
LANGEVIN_HD void run_block_underdamped(const Score& score, const ChainConfig& config,
                                       long long first, int count, Noise& noise) {
  constexpr int MaxDim = Score::max_dim;
  const int d = config.dim;
  alignas(L > 1 ? 64 : 4) float x[MaxDim * L] = {};
  alignas(L > 1 ? 64 : 4) float v[MaxDim * L] = {};
  alignas(L > 1 ? 64 : 4) float s[MaxDim * L] = {};
  alignas(L > 1 ? 64 : 4) float z[MaxDim * L] = {};
  const float sigma = config.levels > 0 ? config.sigmas[0] : 1.0f;  // (not annealed)
  auto evaluate = [&]() { chain_detail::evaluate_lanes<L>(score, x, s, sigma); };
  chain_detail::Block<L, MaxDim> block(config, first, count, x);
  block.start(noise, z);
  if (config.init_velocities != nullptr) {
    block.load(config.init_velocities, v);
  } else {
    noise.template draw<MaxDim>(v, d);  // draw 1
  }

  const float half_step = 0.5f * config.epsilon;
  const float decay = math::exp(-(config.friction * config.epsilon));  // c₁
  const float kick = math::sqrt(math::fma(-decay, decay, 1.0f));      // c₂
  const long long end = end_update(config);
  // The trip before update first_step evaluates the score at the start alone: one evaluation a
  // trip, so that the score is inlined once.
  for (long long k = config.first_step - 1; k < end; ++k) {
    const bool update = k >= config.first_step;
    if (update) {
      block.visit(k);
      noise.template draw<MaxDim>(z, d);
      LANGEVIN_UNROLL_STATE
      for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
        if (j >= d) break;
        for (int c = 0; c < L; ++c) {
          const int at = j * L + c;
          const float half_kicked = math::fma(half_step, s[at], v[at]);       // B
          const float drifted = math::fma(half_step, half_kicked, x[at]);     // A
          v[at] = math::fma(kick, z[at], decay * half_kicked);                // O
          x[at] = math::fma(half_step, v[at], drifted);                       // A
        }
      }
    }
    evaluate();
    if (update) {
      LANGEVIN_UNROLL_STATE
      for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
        if (j >= d) break;
        for (int c = 0; c < L; ++c) {
          v[j * L + c] = math::fma(half_step, s[j * L + c], v[j * L + c]);  // B
        }
      }
      block.check_finite(k);
    }
  }
  block.save_segment();
  if (config.velocity_out != nullptr) {
    for (int c = 0; c < count; ++c) block.store_lane(v, config.velocity_out, first + c, c);
  }
  block.finish(end == total_updates(config));
}

/// Runs local chain `i` of `config` by underdamped Langevin dynamics: a block of one.
template <class Score>
LANGEVIN_HD void run_chain_underdamped(const Score& score, const ChainConfig& config, long long i) {
  NormalStream noise(config.seed, static_cast<unsigned long long>(config.first_chain + i),
                     config.dim, chain_detail::underdamped_first_draw(config));
  run_block_underdamped<1>(score, config, i, 1, noise);
}

}  // namespace langevin::device
