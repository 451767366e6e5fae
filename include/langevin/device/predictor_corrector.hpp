#pragma once
/// \file
/// Predictor–corrector sampling of a noise-conditional score (Song et al. 2021, "Score-based
/// generative modeling through stochastic differential equations", the variance-exploding SDE),
/// written once for a block of L chains in lockstep: the GPU's thread and the CPU's one-chain
/// path run a block of one (run_chain_pc), the CPU's SIMD blocks (chain_lanes.hpp) the same
/// template with L lanes and a lanes score functor. Each lane performs the one-chain operations
/// in the same order, so every split gives the same bits.
///
/// The predictor walks N = levels × steps noise levels σ⁽⁰⁾ > … > σ⁽ᴺ⁻¹⁾, log-linear through
/// the annealing levels (steps = 1: the levels themselves; geometric levels: score_sde's grid),
/// and on to σ⁽ᴺ⁾ = 0. Update n, with σ = σ⁽ⁿ⁾ and σ' = σ⁽ⁿ⁺¹⁾:
///   corrector, corrector_steps times:  x ← x + ε s(x, σ) + √(2ε) z
///   predictor (reverse diffusion):     x ← x + (σ² − σ'²) s(x, σ) + √(σ² − σ'²) z
/// The corrector's step follows the signal-to-noise rule ε = 2 (r ‖z‖ / ‖s‖)², r = snr.
/// score_sde takes the norms' means over the batch, which couples the chains (a chain's result
/// would then depend on which others run beside it). Here, by default, the norms are those of
/// pure noise at σ, E‖z‖² = d and ‖s‖² = d/σ², so ε = 2 r² σ² for every chain; with
/// corrector_chain_norms each chain's own ‖z‖ and ‖s(x, σ)‖. The latter makes the step depend on
/// x, and in few dimensions, where the norms do not concentrate, that biases the chains toward
/// regions of large score (docs/SAMPLERS.md has the measurements); a chain whose score is
/// exactly 0 then skips the step. With denoise, the last predictor step adds no noise:
/// x + σ⁽ᴺ⁻¹⁾² s(x, σ⁽ᴺ⁻¹⁾) is the Tweedie denoiser (score_sde's denoise=True).
/// Update n draws corrector_steps + 1 normal vectors, draws 1 + n (corrector_steps + 1) + c of
/// the chain's stream (draw 0 is the initial state).

#include <langevin/device/chain.hpp>
#include <langevin/device/elementary.hpp>

namespace langevin::device {

namespace chain_detail {

/// Normal draws one predictor–corrector update takes.
LANGEVIN_HD unsigned long long pc_draws_per_update(const ChainConfig& config) {
  return static_cast<unsigned long long>(config.corrector_steps) + 1ull;
}

/// The stream position a block starts at: draw 0 (the initial state), or, resuming from given
/// states, the first draw of update first_step.
LANGEVIN_HD unsigned long long pc_first_draw(const ChainConfig& config) {
  return config.init_states != nullptr
             ? 1ull + static_cast<unsigned long long>(config.first_step) * pc_draws_per_update(config)
             : 0ull;
}

/// σ⁽ⁿ⁾ of the predictor's N = levels × steps noise levels (0 for n ≥ N): at u = (L − 1) n / (N − 1)
/// in the levels' index, log-linear between the two levels around it. Integer arithmetic for u and
/// the library's own log and exp keep it the same on every backend.
LANGEVIN_HD float predictor_sigma(const ChainConfig& config, long long n) {
  const long long total = total_updates(config);
  if (n >= total) return 0.0f;
  const long long last = config.levels - 1;
  if (total == 1 || last == 0) return config.sigmas[0];
  const long long position = last * n;
  const long long level = position / (total - 1), rest = position % (total - 1);
  if (rest == 0) return config.sigmas[level];
  const float fraction = static_cast<float>(rest) / static_cast<float>(total - 1);
  const float from = math::log(config.sigmas[level]);
  const float to = math::log(config.sigmas[level + 1]);
  return math::exp(math::fma(fraction, to - from, from));
}

}  // namespace chain_detail

/// Runs local chains first … first + count − 1 (count ≤ L) of `config` by predictor–corrector
/// sampling. `score(x, s, sigma)` evaluates the L lanes' scores (x[j·L + c] is coordinate j of
/// lane c; for L = 1 a one-chain functor); `noise` gives every lane's stream at
/// pc_first_draw(config), its draw(z, d) filling z in the same layout. Unused lanes (c ≥ count)
/// run and are never stored.
template <int L, class Score, class Noise>
LANGEVIN_HD void run_block_pc(const Score& score, const ChainConfig& config, long long first,
                              int count, Noise& noise) {
  constexpr int MaxDim = Score::max_dim;
  const int d = config.dim;
  // Zero-initialised: entries past d (and unused lanes' given states) are never stored.
  alignas(L > 1 ? 64 : 4) float x[MaxDim * L] = {};
  alignas(L > 1 ? 64 : 4) float s[MaxDim * L] = {};
  alignas(L > 1 ? 64 : 4) float z[MaxDim * L] = {};
  chain_detail::Block<L, MaxDim> block(config, first, count, x);
  block.start(noise, z);

  const float two_snr_squared = 2.0f * config.snr * config.snr;
  const long long total = total_updates(config);
  const long long end = end_update(config);
  for (long long n = config.first_step; n < end; ++n) {
    block.visit(n);
    const float sigma = chain_detail::predictor_sigma(config, n);
    const float sigma_step = two_snr_squared * (sigma * sigma);  // ε at pure noise's norms
    // The corrector's steps, then the predictor's (step == corrector_steps): one score
    // evaluation a trip, so that the score is inlined once.
    for (int step = 0; step <= config.corrector_steps; ++step) {
      score(x, s, sigma);
      noise.template draw<MaxDim>(z, d);
      if (step < config.corrector_steps) {
        float step_size[L], noise_scale[L];
        for (int c = 0; c < L; ++c) step_size[c] = sigma_step;
        if (config.corrector_chain_norms) {
          float score_norm[L] = {}, noise_norm[L] = {};  // squared
          LANGEVIN_UNROLL_STATE
          for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
            if (j >= d) break;
            for (int c = 0; c < L; ++c) {
              score_norm[c] = math::fma(s[j * L + c], s[j * L + c], score_norm[c]);
              noise_norm[c] = math::fma(z[j * L + c], z[j * L + c], noise_norm[c]);
            }
          }
          for (int c = 0; c < L; ++c) {
            // A zero score (or a non-finite one, which the update carries into x) takes no
            // step.
            step_size[c] = score_norm[c] > 0.0f
                               ? two_snr_squared * (noise_norm[c] / score_norm[c])
                               : 0.0f;
          }
        }
        for (int c = 0; c < L; ++c) noise_scale[c] = math::sqrt(2.0f * step_size[c]);
        LANGEVIN_UNROLL_STATE
        for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
          if (j >= d) break;
          for (int c = 0; c < L; ++c) {
            const int at = j * L + c;
            x[at] = math::fma(noise_scale[c], z[at], math::fma(step_size[c], s[at], x[at]));
          }
        }
        continue;
      }
      const float next = chain_detail::predictor_sigma(config, n + 1);
      const float variance = math::fma(sigma, sigma, -(next * next));  // σ² − σ'²
      const bool denoising = config.denoise && n + 1 == total;
      const float noise_scale = denoising ? 0.0f : math::sqrt(variance);
      LANGEVIN_UNROLL_STATE
      for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
        if (j >= d) break;
        for (int c = 0; c < L; ++c) {
          const int at = j * L + c;
          x[at] = denoising ? math::fma(variance, s[at], x[at])
                            : math::fma(noise_scale, z[at], math::fma(variance, s[at], x[at]));
        }
      }
    }
    block.check_finite(n);
  }
  block.save_segment();
  block.finish(end == total);
}

/// Runs local chain `i` of `config` by predictor–corrector sampling: a block of one.
template <class Score>
LANGEVIN_HD void run_chain_pc(const Score& score, const ChainConfig& config, long long i) {
  NormalStream noise(config.seed, static_cast<unsigned long long>(config.first_chain + i),
                     config.dim, chain_detail::pc_first_draw(config));
  run_block_pc<1>(score, config, i, 1, noise);
}

}  // namespace langevin::device
