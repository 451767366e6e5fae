#pragma once
/// \file
/// run_chain: all steps of one Langevin chain. The CUDA backend runs it once per thread inside one
/// kernel; the CPU backend once per loop iteration. Everything a chain needs is in ChainConfig (a
/// plain struct, passed by value to kernels).
///
///   plain (ULA)    x ← x + ε s(x) + √(2ε) z
///   annealed       for each noise level σ_1 > … > σ_L in turn, `steps` updates with
///                  α_i = ε σ_i²/σ_L² and the score s(x, σ_i); then, optionally, the denoising
///                  step x ← x + σ_L² s(x, σ_L)                      (Song & Ermon 2019)
///   MALA           the ULA proposal, accepted with the Metropolis–Hastings probability
///                  (run_chain_mala; needs the target's log-density)
///   predictor–     reverse-diffusion predictor steps down the noise levels, each after
///   corrector      Langevin corrector steps (predictor_corrector.hpp; noise-conditional scores)
///   probability-   dx/dσ = −σ s(x, σ) from σ₁ to σ_L by an adaptive Runge–Kutta pair
///   flow ODE       (probability_flow.hpp; noise-conditional scores)
///   underdamped    positions and velocities (unit mass) under friction γ, by the BAOAB
///                  splitting (underdamped.hpp)
///
/// A score functor is any copyable type with
///   static constexpr int max_dim;                                  // bound on d, for registers
///   LANGEVIN_HD void operator()(const float* x, float* s) const;   // s = ∇ log p(x), d values
/// and, to be annealed, instead
///   static constexpr bool noise_conditional = true;
///   LANGEVIN_HD void operator()(const float* x, float* s, float sigma) const;
/// and, for MALA, also
///   LANGEVIN_HD float log_density(const float* x) const;   // up to a constant
/// and optionally, where both come out of one pass (the mixture's do), MALA then calling it
/// once per proposal instead of the two above:
///   LANGEVIN_HD float score_and_log_density(const float* x, float* s) const;
/// GmmScore, GmmNoiseScore, MlpScore and NoiseConditionalMlpScore are the library's;
/// examples/custom_score shows a user's own.

#include <langevin/device/config.hpp>
#include <langevin/device/elementary.hpp>
#include <langevin/device/math.hpp>
#include <langevin/device/normal_stream.hpp>

#include <type_traits>

namespace langevin::device {

/// Most noise levels an annealed run may have.
constexpr int kMaxNoiseLevels = 128;

struct ChainConfig {
  long long chains = 0;            // chains in this call: local indices 0 … chains−1
  long long first_chain = 0;       // global index of local chain 0 (selects the Philox stream)
  long long first_step = 0;        // update to start at (> 0 only when resuming from init_states)
  long long steps = 0;             // updates per chain (per noise level when annealing)
  float epsilon = 0.0f;
  unsigned long long seed = 0;
  int dim = 0;

  // Initial states: init_states[i·dim + j] when given, else x_j = init_mean + init_std · z_j
  // with z from draw 0 of the chain's stream.
  const float* init_states = nullptr;
  float init_mean = 0.0f;
  float init_std = 1.0f;

  // Output: with keep_trajectory, x_k before update k = burn_in, burn_in + thin, … (counting
  // the updates of all levels in turn) at out[(i·kept + t)·dim + j] (kept of them); else the
  // final state at out[i·dim + j].
  bool keep_trajectory = false;
  long long burn_in = 0;
  long long thin = 1;
  long long kept = 0;
  float* out = nullptr;

  // Annealing: levels > 0 for a noise-conditional score, with sigmas[0 … levels) decreasing.
  int levels = 0;
  float sigmas[kMaxNoiseLevels] = {};
  bool denoise = false;

  // MALA (for scores with a log_density): accepted[i] counts chain i's accepted proposals.
  bool metropolis = false;
  unsigned int* accepted = nullptr;

  // Predictor–corrector (predictor_corrector.hpp), for noise-conditional scores: `steps`
  // predictor updates per level, each after `corrector_steps` corrector steps at signal-to-noise
  // ratio `snr`, sized from each chain's own norms with corrector_chain_norms, else from σ;
  // epsilon is not used.
  bool predictor_corrector = false;
  int corrector_steps = 0;
  float snr = 0.0f;
  bool corrector_chain_norms = false;

  // Probability-flow ODE (probability_flow.hpp), for noise-conditional scores: each chain
  // integrates from σ₁ to σ_L, one update per level interval, with an adaptive Dormand–Prince
  // step held to these tolerances; epsilon and steps are not used.
  bool probability_flow = false;
  float rtol = 0.0f;
  float atol = 0.0f;

  // Underdamped Langevin (underdamped.hpp): `steps` BAOAB updates of time step epsilon under
  // friction `friction`, unit mass. Each chain's velocity starts from the draw after its initial
  // state (draw 1), or from init_velocities[i·dim + j] when given (a resumed segment, with
  // init_states; required when first_step > 0); velocity_out, when set, receives the velocities
  // after the call's updates (as state_out; it may be init_velocities itself).
  bool underdamped = false;
  float friction = 0.0f;
  const float* init_velocities = nullptr;
  float* velocity_out = nullptr;

  // Divergence (ULA): when set, divergence[0] counts the chains whose state became NaN or
  // infinite and divergence[1] holds the earliest update after which one did (start it at
  // ~0ull). One check per update, one atomic per diverged chain. MALA rejects such proposals.
  unsigned long long* divergence = nullptr;

  // Segments (checkpointing): a call runs updates [first_step, end_step) only (end_step < 0: to
  // the last), and state_out, when set, receives each chain's state after them (at
  // state_out[i·dim + j]; it may be init_states itself: a chain reads its row before writing it).
  // The output's final state and the denoising step come with the segment that ends the run.
  long long end_step = -1;
  float* state_out = nullptr;
};

/// Total updates of a chain: steps at each noise level (the probability-flow ODE: one for each
/// interval between two levels).
LANGEVIN_HD long long total_updates(const ChainConfig& config) {
  if (config.probability_flow) return config.levels - 1;
  return config.steps * (config.levels > 0 ? config.levels : 1);
}

/// The update this call stops before: end_step for a segment, else the run's last.
LANGEVIN_HD long long end_update(const ChainConfig& config) {
  const long long total = total_updates(config);
  return config.end_step >= 0 && config.end_step < total ? config.end_step : total;
}

template <class Score, class = void>
struct IsNoiseConditional : std::false_type {};
template <class Score>
struct IsNoiseConditional<Score, std::void_t<decltype(Score::noise_conditional)>>
    : std::integral_constant<bool, Score::noise_conditional> {};

template <class Score, class = void>
struct HasLogDensity : std::false_type {};
template <class Score>
struct HasLogDensity<Score, std::void_t<decltype(std::declval<const Score&>().log_density(
                                static_cast<const float*>(nullptr)))>> : std::true_type {};

template <class Score, class = void>
struct HasScoreAndLogDensity : std::false_type {};
template <class Score>
struct HasScoreAndLogDensity<
    Score, std::void_t<decltype(std::declval<const Score&>().score_and_log_density(
               static_cast<const float*>(nullptr), static_cast<float*>(nullptr)))>>
    : std::true_type {};

namespace chain_detail {
/// s(x) into s, and log p(x): in one pass where the functor has one, the same values either way.
template <class Score>
LANGEVIN_HD float score_and_log_density(const Score& score, const float* x, float* s) {
  if constexpr (HasScoreAndLogDensity<Score>::value) {
    return score.score_and_log_density(x, s);
  } else {
    score(x, s);
    return score.log_density(x);
  }
}
}  // namespace chain_detail

template <class Score>
LANGEVIN_HD void run_chain_mala(const Score& score, const ChainConfig& config, long long i);
template <class Score>
LANGEVIN_HD void run_chain_pc(const Score& score, const ChainConfig& config, long long i);
template <class Score>
LANGEVIN_HD void run_chain_ode(const Score& score, const ChainConfig& config, long long i);
template <class Score>
LANGEVIN_HD void run_chain_underdamped(const Score& score, const ChainConfig& config, long long i);
template <int L, class Score, class Noise>
LANGEVIN_HD void run_block_ula(const Score& score, const ChainConfig& config, long long first,
                               int count, Noise& noise);

namespace chain_detail {

template <int MaxDim>
LANGEVIN_HD void store(float* row, const float* x, int d) {
  LANGEVIN_UNROLL_STATE
  for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
    if (j >= d) break;
    row[j] = x[j];
  }
}

/// Counts a diverged chain into config.divergence: [0] += 1, [1] = min([1], update).
LANGEVIN_HD void record_divergence(const ChainConfig& config, long long update) {
  if (config.divergence == nullptr || update < 0) return;
  const unsigned long long step = static_cast<unsigned long long>(update);
#if defined(__CUDA_ARCH__)
  atomicAdd(&config.divergence[0], 1ull);
  atomicMin(&config.divergence[1], step);
#else
  __atomic_fetch_add(&config.divergence[0], 1ull, __ATOMIC_RELAXED);
  unsigned long long earliest = __atomic_load_n(&config.divergence[1], __ATOMIC_RELAXED);
  while (step < earliest && !__atomic_compare_exchange_n(&config.divergence[1], &earliest, step,
                                                         true, __ATOMIC_RELAXED,
                                                         __ATOMIC_RELAXED)) {
  }
#endif
}

/// Which updates a trajectory keeps, without a division per update.
struct TrajectoryCursor {
  long long next_kept = 0;
  long long slot = 0;
  LANGEVIN_HD TrajectoryCursor(const ChainConfig& config) : next_kept(config.burn_in) {
    if (config.first_step > config.burn_in) {
      slot = (config.first_step - config.burn_in + config.thin - 1) / config.thin;
      next_kept = config.burn_in + slot * config.thin;
    }
  }
};

/// What the block templates (run_block_ula and run_block_mala here, run_block_underdamped,
/// run_block_pc, run_block_ode) do around their updates, for L lanes whose states the caller keeps at x[j·L + c]: the initial states, the
/// trajectory's rows, the divergence check and the results at the end, each lane exactly as
/// run_chain does it for one chain. Lanes c ≥ count run and are never stored.
template <int L, int MaxDim>
struct Block {
  const ChainConfig& config;
  long long first;  // the local index of lane 0
  int count;
  float* x;
  TrajectoryCursor cursor;
  long long diverged[L];  // per lane: the first update after which its state was not finite

  LANGEVIN_HD Block(const ChainConfig& c, long long first_chain, int lanes_used, float* states)
      : config(c), first(first_chain), count(lanes_used), x(states), cursor(c) {
    for (int lane = 0; lane < L; ++lane) diverged[lane] = -1;
  }

  /// The lanes' rows of `rows` (d values a chain: the given states, velocities) into `values`,
  /// laid out as the states.
  LANGEVIN_HD void load(const float* rows, float* values) const {
    const int d = config.dim;
    for (int c = 0; c < count; ++c) {
      const float* row = rows + (first + c) * d;
      LANGEVIN_UNROLL_STATE
      for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
        if (j >= d) break;
        values[j * L + c] = row[j];
      }
    }
  }

  /// The initial states: the given ones, or draw 0 of the lanes' streams (through z).
  template <class Noise>
  LANGEVIN_HD void start(Noise& noise, float* z) {
    const int d = config.dim;
    if (config.init_states != nullptr) {
      load(config.init_states, x);
      return;
    }
    noise.template draw<MaxDim>(z, d);  // draw 0; the stream is then at update 0's draw
    LANGEVIN_UNROLL_STATE
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
      if (j >= d) break;
      for (int c = 0; c < L; ++c) {
        x[j * L + c] = math::fma(config.init_std, z[j * L + c], config.init_mean);
      }
    }
  }

  /// Lane c's state into row `row_index` of `rows`.
  LANGEVIN_HD void store(float* rows, long long row_index, int c) const {
    store_lane(x, rows, row_index, c);
  }

  /// Lane c of `values` (laid out as the states) into row `row_index` of `rows`.
  LANGEVIN_HD void store_lane(const float* values, float* rows, long long row_index, int c) const {
    const int d = config.dim;
    float row[MaxDim] = {};
    LANGEVIN_UNROLL_STATE
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
      if (j >= d) break;
      row[j] = values[j * L + c];
    }
    chain_detail::store<MaxDim>(rows + row_index * d, row, d);
  }

  /// Before update k: the trajectory's row, if k is kept.
  LANGEVIN_HD void visit(long long k) {
    if (!config.keep_trajectory || k != cursor.next_kept) return;
    for (int c = 0; c < count; ++c) store(config.out, (first + c) * config.kept + cursor.slot, c);
    ++cursor.slot;
    cursor.next_kept += config.thin;
  }

  /// After update k: notes the lanes whose state is not finite. `x − x` is 0 for finite x and
  /// NaN for ±∞ and NaN, so one comparison of a lane's sum decides, with no branch a coordinate.
  LANGEVIN_HD void check_finite(long long k) {
    const int d = config.dim;
    for (int c = 0; c < count; ++c) {
      float zero = 0.0f;
      LANGEVIN_UNROLL_STATE
      for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
        if (j >= d) break;
        zero += x[j * L + c] - x[j * L + c];
      }
      if (diverged[c] < 0 && zero != 0.0f) diverged[c] = k;
    }
  }

  /// After the call's updates: the segment's end states, for a checkpoint.
  LANGEVIN_HD void save_segment() const {
    if (config.state_out == nullptr) return;
    for (int c = 0; c < count; ++c) store(config.state_out, first + c, c);
  }

  /// Last: the divergence counts and, when the run ends here, the final states.
  LANGEVIN_HD void finish(bool finishes) const {
    for (int c = 0; c < count; ++c) {
      record_divergence(config, diverged[c]);
      if (!config.keep_trajectory && finishes) store(config.out, first + c, c);
    }
  }
};

template <class Score>
LANGEVIN_HD void evaluate(const Score& score, const float* x, float* s, float sigma) {
  if constexpr (IsNoiseConditional<Score>::value) {
    score(x, s, sigma);
  } else {
    (void)sigma;
    score(x, s);
  }
}

/// The scores of a block's L lanes at level σ: a lanes functor's score(x, s, sigma), or, for
/// the block of one, the one-chain functor as run_chain calls it.
template <int L, class Score>
LANGEVIN_HD void evaluate_lanes(const Score& score, const float* x, float* s, float sigma) {
  if constexpr (L == 1) {
    evaluate(score, x, s, sigma);
  } else {
    score(x, s, sigma);
  }
}

/// The update rule of noise level `level` (level 0 when not annealed): its σ, the step
/// α = ε σ²/σ_L² (ε when not annealed), the noise scale √(2α), and the update count where the
/// level ends. One definition for every block size, so that they agree bit for bit.
struct LevelStep {
  float sigma = 1.0f;
  float step_size = 0.0f;
  float noise_scale = 0.0f;
  long long end = 0;
};
LANGEVIN_HD LevelStep level_step(const ChainConfig& config, int level) {
  const bool annealed = config.levels > 0;
  const float last_sigma = annealed ? config.sigmas[config.levels - 1] : 1.0f;
  LevelStep rule;
  rule.sigma = annealed ? config.sigmas[level] : 1.0f;
  const float ratio = rule.sigma / last_sigma;
  rule.step_size = annealed ? config.epsilon * ratio * ratio : config.epsilon;
  rule.noise_scale = sqrtf(2.0f * rule.step_size);
  rule.end = (static_cast<long long>(level) + 1) * config.steps;
  return rule;
}

/// The updates one call makes, in order, for run_block_ula with any block size: from
/// config.first_step to end_update(config), through the noise levels they fall in;
/// step(k, rule) makes update k with its level's rule. Returns the update reached.
template <class Step>
LANGEVIN_HD long long for_each_update(const ChainConfig& config, Step&& step) {
  const int levels = config.levels > 0 ? config.levels : 1;
  const long long end = end_update(config);
  long long k = config.first_step;
  for (int level = static_cast<int>(k / config.steps); level < levels && k < end; ++level) {
    const LevelStep rule = level_step(config, level);
    for (const long long level_end = rule.end < end ? rule.end : end; k < level_end; ++k) {
      step(k, rule);
    }
  }
  return k;
}

/// One coordinate of a Langevin update, x + α s + √(2α) z, as two fused multiply-adds.
LANGEVIN_HD float langevin_update(const LevelStep& rule, float x, float s, float z) {
  return math::fma(rule.noise_scale, z, math::fma(rule.step_size, s, x));
}

/// One coordinate of the denoising step (Tweedie): E[x₀ | x] = x + σ² ∇ log p_σ(x).
LANGEVIN_HD float denoised(float sigma, float x, float s) {
  return math::fma(sigma * sigma, s, x);
}

}  // namespace chain_detail

/// Runs local chain `i` of `config` with score functor `score`: plain or annealed ULA, MALA
/// when config.metropolis is set and the functor has a log-density, underdamped Langevin
/// (config.underdamped), or, for a noise-conditional functor, predictor–corrector sampling
/// (config.predictor_corrector) or the probability-flow ODE (config.probability_flow).
template <class Score>
LANGEVIN_HD void run_chain(const Score& score, const ChainConfig& config, long long i) {
  // Underdamped Langevin does not anneal (validate() refuses noise levels, which every
  // noise-conditional run has): its body stays out of the noise-conditional kernels.
  if constexpr (!IsNoiseConditional<Score>::value) {
    if (config.underdamped) {
      run_chain_underdamped(score, config, i);
      return;
    }
  }
  if constexpr (IsNoiseConditional<Score>::value) {
    if (config.predictor_corrector) {
      run_chain_pc(score, config, i);
      return;
    }
    if (config.probability_flow) {
      run_chain_ode(score, config, i);
      return;
    }
  }
  if constexpr (HasLogDensity<Score>::value) {
    if (config.metropolis) {
      run_chain_mala(score, config, i);
      return;
    }
  }
  NormalStream noise(config.seed, static_cast<unsigned long long>(config.first_chain + i),
                     config.dim, config.init_states != nullptr ? 1ull + config.first_step : 0ull);
  run_block_ula<1>(score, config, i, 1, noise);
}

/// Runs local chains first … first + count − 1 (count ≤ L) of `config` by plain or annealed ULA,
/// written once for a block of L chains in lockstep as the other methods' templates: run_chain
/// (the GPU's thread, the CPU's one-chain path) is the block of one, the CPU's SIMD blocks
/// (chain_lanes.hpp) run L lanes with a lanes functor's score(x, s, sigma), each lane with the
/// one-chain bits. `noise` stands at draw 0, or at update first_step's draw with given states.
template <int L, class Score, class Noise>
LANGEVIN_HD void run_block_ula(const Score& score, const ChainConfig& config, long long first,
                               int count, Noise& noise) {
  constexpr int MaxDim = Score::max_dim;
  const int d = config.dim;
  // Zero-initialised: entries past d are never read, but the compilers cannot prove it.
  alignas(L > 1 ? 64 : 4) float x[MaxDim * L] = {};
  alignas(L > 1 ? 64 : 4) float s[MaxDim * L] = {};
  alignas(L > 1 ? 64 : 4) float z[MaxDim * L] = {};
  chain_detail::Block<L, MaxDim> block(config, first, count, x);
  block.start(noise, z);
  const bool finishes = end_update(config) == total_updates(config);
  [[maybe_unused]] const long long k = chain_detail::for_each_update(
      config, [&](long long update, const chain_detail::LevelStep& rule) {
        block.visit(update);
        chain_detail::evaluate_lanes<L>(score, x, s, rule.sigma);
        noise.template draw<MaxDim>(z, d);
        // Every lane, used or not (an unused lane's state is never stored).
        LANGEVIN_UNROLL_STATE
        for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
          if (j >= d) break;
          for (int c = 0; c < L; ++c) {
            const int at = j * L + c;
            x[at] = chain_detail::langevin_update(rule, x[at], s[at], z[at]);
          }
        }
        block.check_finite(update);
      });
  block.save_segment();
  // Only a noise-conditional score is annealed (validate() refuses levels for any other): a
  // plain kernel carries no second copy of the score for a step it never takes.
  if constexpr (IsNoiseConditional<Score>::value) {
    if (config.levels > 0 && config.denoise && finishes) {
      const float last_sigma = config.sigmas[config.levels - 1];
      chain_detail::evaluate_lanes<L>(score, x, s, last_sigma);
      LANGEVIN_UNROLL_STATE
      for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
        if (j >= d) break;
        for (int c = 0; c < L; ++c) {
          x[j * L + c] = chain_detail::denoised(last_sigma, x[j * L + c], s[j * L + c]);
        }
      }
      block.check_finite(k);
    }
  }
  block.finish(finishes);
}

/// Runs local chains first … first + count − 1 (count ≤ L) of `config` with the
/// Metropolis-adjusted Langevin algorithm: the ULA proposal y = x + ε s(x) + √(2ε) z is accepted
/// with probability
///   min(1, p(y) q(x | y) / (p(x) q(y | x))),  q(b | a) ∝ exp(−‖b − a − ε s(a)‖² / (4ε)).
/// Each update's draw holds one more Philox counter, for the accept test's uniform number.
/// Written once for a block of L chains in lockstep, as predictor_corrector.hpp: run_chain_mala
/// (the GPU's thread, the CPU's one-chain path) is the block of one, the CPU's SIMD blocks
/// (chain_lanes.hpp) run L lanes with a lanes functor's score_and_log_density(x, s, log_p), each
/// lane with the one-chain bits. `noise` stands at the block's first draw with one extra counter
/// a draw; its uniform fills one number a lane (NormalStream's returns it, for L = 1).
template <int L, class Score, class Noise>
LANGEVIN_HD void run_block_mala(const Score& score, const ChainConfig& config, long long first,
                                int count, Noise& noise) {
  constexpr int MaxDim = Score::max_dim;
  const int d = config.dim;
  alignas(L > 1 ? 64 : 4) float x[MaxDim * L] = {};
  alignas(L > 1 ? 64 : 4) float s[MaxDim * L] = {};
  alignas(L > 1 ? 64 : 4) float y[MaxDim * L] = {};
  alignas(L > 1 ? 64 : 4) float t[MaxDim * L] = {};  // the score at y
  alignas(L > 1 ? 64 : 4) float z[MaxDim * L] = {};
  auto uniform = [&](float* u) {
    if constexpr (L == 1) {
      u[0] = noise.uniform();
    } else {
      noise.uniform(u);
    }
  };
  auto evaluate = [&](const float* point, float* out, float* log_density) {
    if constexpr (L == 1) {
      log_density[0] = chain_detail::score_and_log_density(score, point, out);
    } else {
      score.score_and_log_density(point, out, log_density);
    }
  };
  chain_detail::Block<L, MaxDim> block(config, first, count, x);
  block.start(noise, z);
  float log_p[L] = {}, log_p_y[L], u[L];  // log_p: set by the loop's first trip
  if (config.init_states == nullptr) uniform(u);  // draw 0's unused extra counter

  const float epsilon = config.epsilon;
  const float noise_scale = sqrtf(2.0f * epsilon);
  const float inverse_4_epsilon = 0.25f / epsilon;
  unsigned int accepted[L] = {};
  const long long end = end_update(config);
  // The trip before update first_step evaluates the start (y = x) alone: one evaluation a trip,
  // so that the score is inlined once.
  for (long long k = config.first_step - 1; k < end; ++k) {
    const bool update = k >= config.first_step;
    float forward[L] = {};  // ‖y − x − ε s(x)‖² = 2ε‖z‖²
    if (update) {
      block.visit(k);
      noise.template draw<MaxDim>(z, d);
      LANGEVIN_UNROLL_STATE
      for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
        if (j >= d) break;
        for (int c = 0; c < L; ++c) {
          const int at = j * L + c;
          y[at] = math::fma(noise_scale, z[at], math::fma(epsilon, s[at], x[at]));
          forward[c] = math::fma(2.0f * epsilon * z[at], z[at], forward[c]);
        }
      }
    } else {
      LANGEVIN_UNROLL_STATE
      for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
        if (j >= d) break;
        for (int c = 0; c < L; ++c) y[j * L + c] = x[j * L + c];
      }
    }
    evaluate(y, t, log_p_y);
    if (!update) {
      LANGEVIN_UNROLL_STATE
      for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
        if (j >= d) break;
        for (int c = 0; c < L; ++c) s[j * L + c] = t[j * L + c];
      }
      for (int c = 0; c < L; ++c) log_p[c] = log_p_y[c];
      continue;
    }
    float backward[L] = {};  // ‖x − y − ε s(y)‖²
    LANGEVIN_UNROLL_STATE
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
      if (j >= d) break;
      for (int c = 0; c < L; ++c) {
        const int at = j * L + c;
        const float r = x[at] - math::fma(epsilon, t[at], y[at]);
        backward[c] = math::fma(r, r, backward[c]);
      }
    }
    uniform(u);
    for (int c = 0; c < L; ++c) {
      // An explicit fma, as everywhere in these headers: users' .cu files compile them with
      // their own flags, and nvcc would fuse a product and sum written out only where it may.
      const float log_ratio =
          math::fma(forward[c] - backward[c], inverse_4_epsilon, log_p_y[c] - log_p[c]);
      if (!(math::log(u[c]) < log_ratio)) continue;
      LANGEVIN_UNROLL_STATE
      for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
        if (j >= d) break;
        x[j * L + c] = y[j * L + c];
        s[j * L + c] = t[j * L + c];
      }
      log_p[c] = log_p_y[c];
      ++accepted[c];
    }
  }
  if (config.accepted != nullptr) {  // in this call's updates
    for (int c = 0; c < count; ++c) config.accepted[first + c] = accepted[c];
  }
  block.save_segment();
  block.finish(end == total_updates(config));  // MALA rejects non-finite proposals: no divergence
}

/// Runs local chain `i` with the Metropolis-adjusted Langevin algorithm: a block of one.
template <class Score>
LANGEVIN_HD void run_chain_mala(const Score& score, const ChainConfig& config, long long i) {
  NormalStream noise(config.seed, static_cast<unsigned long long>(config.first_chain + i),
                     config.dim, config.init_states != nullptr ? 1ull + config.first_step : 0ull,
                     1);
  run_block_mala<1>(score, config, i, 1, noise);
}

}  // namespace langevin::device

#include <langevin/device/predictor_corrector.hpp>
#include <langevin/device/probability_flow.hpp>
#include <langevin/device/underdamped.hpp>
