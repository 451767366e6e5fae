#pragma once
/// \file
/// run_chain: all steps of one Langevin chain, x ← x + ε s(x) + √(2ε) z. The CUDA backend runs it
/// once per thread inside one kernel; the CPU backend once per loop iteration. Everything a chain
/// needs is in ChainConfig (a plain struct, passed by value to kernels).
///
/// A score functor is any copyable type with
///   static constexpr int max_dim;                                  // bound on d, for registers
///   LANGEVIN_HD void operator()(const float* x, float* s) const;   // s = ∇ log p(x), d values
/// GmmScore and MlpScore are the library's; examples/custom_score shows a user's own.

#include <langevin/device/config.hpp>
#include <langevin/device/math.hpp>
#include <langevin/device/normal_stream.hpp>

namespace langevin::device {

struct ChainConfig {
  long long chains = 0;            // chains in this call: local indices 0 … chains−1
  long long first_chain = 0;       // global index of local chain 0 (selects the Philox stream)
  long long first_step = 0;        // step to start at (> 0 only when resuming from init_states)
  long long steps = 0;             // total Langevin updates per chain
  float epsilon = 0.0f;
  unsigned long long seed = 0;
  int dim = 0;

  // Initial states: init_states[i·dim + j] when given, else x_j = init_mean + init_std · z_j
  // with z from draw 0 of the chain's stream.
  const float* init_states = nullptr;
  float init_mean = 0.0f;
  float init_std = 1.0f;

  // Output: with keep_trajectory, x_k before the update of steps k = burn_in, burn_in + thin, …
  // < steps at out[(i·kept + t)·dim + j] (kept of them); else the final state at out[i·dim + j].
  bool keep_trajectory = false;
  long long burn_in = 0;
  long long thin = 1;
  long long kept = 0;
  float* out = nullptr;
};

/// Runs local chain `i` of `config` with score functor `score`.
template <class Score>
LANGEVIN_HD void run_chain(const Score& score, const ChainConfig& config, long long i) {
  constexpr int MaxDim = Score::max_dim;
  const int d = config.dim;
  const unsigned long long chain = static_cast<unsigned long long>(config.first_chain + i);

  // Zero-initialised: entries past d are never read, but the compilers cannot prove it.
  float x[MaxDim] = {};
  float s[MaxDim] = {};
  float z[MaxDim] = {};
  NormalStream noise(config.seed, chain, d,
                     config.init_states != nullptr ? 1ull + config.first_step : 0ull);
  if (config.init_states != nullptr) {
    const float* initial = config.init_states + i * d;
LANGEVIN_UNROLL
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
      if (j >= d) break;
      x[j] = initial[j];
    }
  } else {
    noise.draw<MaxDim>(z, d);  // draw 0; the stream is then at draw 1 = step 0
LANGEVIN_UNROLL
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
      if (j >= d) break;
      x[j] = math::fma(config.init_std, z[j], config.init_mean);
    }
  }

  const float epsilon = config.epsilon;
  const float noise_scale = sqrtf(2.0f * epsilon);
  // Trajectory bookkeeping without a division per step: the next step to keep, and its slot.
  long long next_kept_step = config.burn_in;
  long long slot = 0;
  if (config.first_step > config.burn_in) {
    slot = (config.first_step - config.burn_in + config.thin - 1) / config.thin;
    next_kept_step = config.burn_in + slot * config.thin;
  }
  float* trajectory = config.out + i * config.kept * d;

  for (long long k = config.first_step; k < config.steps; ++k) {
    if (config.keep_trajectory && k == next_kept_step) {
      float* row = trajectory + slot * d;
LANGEVIN_UNROLL
      for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
        if (j >= d) break;
        row[j] = x[j];
      }
      ++slot;
      next_kept_step += config.thin;
    }
    score(x, s);
    noise.draw<MaxDim>(z, d);
LANGEVIN_UNROLL
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
      if (j >= d) break;
      x[j] = math::fma(noise_scale, z[j], math::fma(epsilon, s[j], x[j]));
    }
  }

  if (!config.keep_trajectory) {
    float* row = config.out + i * d;
LANGEVIN_UNROLL
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
      if (j >= d) break;
      row[j] = x[j];
    }
  }
}

}  // namespace langevin::device
