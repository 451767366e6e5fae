#pragma once
/// \file
/// Probability-flow ODE sampling of a noise-conditional score (Song et al. 2021, the
/// variance-exploding SDE's deterministic twin): each chain integrates
///   dx/dσ = −σ s(x, σ)
/// from its initial draw at σ₁ down to σ_L with an adaptive Dormand–Prince 5(4) pair and its own
/// step-size control; the result is a deterministic function of the initial draw. Written once
/// for a block of L chains in lockstep, as predictor_corrector.hpp: the GPU's thread and the
/// CPU's one-chain path run a block of one, the CPU's SIMD blocks L lanes, each lane with its own
/// step sizes and the one-chain operations in the same order (a lane that has finished waits,
/// its state untouched).
///
/// The variable is u = log(σ_i/σ) within level interval i (σ_i to σ_{i+1}), where the equation
/// reads dx/du = σ² s(x, σ), σ = σ_i e^(−u): its right side is O(|x|) at every noise scale. An
/// update is one interval, so a run has levels − 1 of them (what trajectories, checkpoints and
/// burn-in count), and each interval starts from a step of the whole interval, so that where a
/// run is cut does not change its steps. A step is accepted when the embedded error, scaled by
/// atol + rtol max(|x_j|, |x'_j|) and averaged in the root-mean-square over the d coordinates, is
/// at most 1; the next step is h · min(5, max(0.2, 0.9 err^(−1/5))) (Hairer, Nørsett & Wanner,
/// II.4). A chain that needs more than kMaxOdeAttempts steps in one interval stops with a NaN
/// state, which the run reports as a diverged chain.

#include <langevin/device/chain.hpp>
#include <langevin/device/elementary.hpp>

namespace langevin::device {

/// Step attempts one chain may make in one level interval before it is given up as diverged.
constexpr int kMaxOdeAttempts = 10000;

namespace ode_detail {

// Dormand & Prince (1980), RK5(4)7FM: the stages' nodes c_s and coefficients a_sr, the
// 5th-order weights b (the 7th stage's row: first same as last) and e = b − b̂, b̂ the embedded
// 4th-order weights. The stages are a loop, not unrolled: each evaluates the score, which
// unrolled would be inlined six times over (most of a noise-conditional kernel's code and
// compile time). So the stage's row is read at a run-time index, from an object each call
// builds (device code cannot read namespace-scope arrays); e, read in unrolled loops only,
// folds to constants.
struct Tableau {
  float node[7];
  float a[7][6];
};
LANGEVIN_HD Tableau dormand_prince() {
  return {{0.0f, 1.0f / 5.0f, 3.0f / 10.0f, 4.0f / 5.0f, 8.0f / 9.0f, 1.0f, 1.0f},
          {{0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f},
           {1.0f / 5.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f},
           {3.0f / 40.0f, 9.0f / 40.0f, 0.0f, 0.0f, 0.0f, 0.0f},
           {44.0f / 45.0f, -56.0f / 15.0f, 32.0f / 9.0f, 0.0f, 0.0f, 0.0f},
           {19372.0f / 6561.0f, -25360.0f / 2187.0f, 64448.0f / 6561.0f, -212.0f / 729.0f, 0.0f,
            0.0f},
           {9017.0f / 3168.0f, -355.0f / 33.0f, 46732.0f / 5247.0f, 49.0f / 176.0f,
            -5103.0f / 18656.0f, 0.0f},
           {35.0f / 384.0f, 0.0f, 500.0f / 1113.0f, 125.0f / 192.0f, -2187.0f / 6784.0f,
            11.0f / 84.0f}}};
}
LANGEVIN_HD constexpr float error_weight(int r) {
  constexpr float e[7] = {71.0f / 57600.0f,      0.0f,           -71.0f / 16695.0f, 71.0f / 1920.0f,
                          -17253.0f / 339200.0f, 22.0f / 525.0f, -1.0f / 40.0f};
  return e[r];
}

/// Integrates one interval u ∈ [0, span] of dy/du = f(y, u) for lanes 0 … count − 1 of a block:
/// y has n ≤ N components, component j of lane c at y[j * L + c]; `slope(point, u, out)` writes
/// f at each lane's own u (u[c]); k[0] is f at y, from the first attempt's stage loop (at the
/// interval's end on exit: first same as last); `stage` is scratch. Every lane starts from a
/// step of the whole interval. A lane that fails (more than kMaxOdeAttempts attempts, or a step size that
/// vanishes) ends with NaN components. Returns nothing; attempts[c] counts lane c's steps
/// (accepted and rejected), 6 score evaluations each.
template <int L, int N, class Slope>
LANGEVIN_HD void integrate_interval(const Slope& slope, int n, int count, float span, float rtol,
                                    float atol, float* y, float* stage, float (*k)[N * L],
                                    int* attempts) {
  const float inverse_n = 1.0f / static_cast<float>(n);
  float u[L], h[L], stage_u[L];
  bool done[L];
  for (int c = 0; c < L; ++c) {
    u[c] = 0.0f;
    h[c] = span;
    done[c] = c >= count;
    attempts[c] = 0;
  }
  const Tableau tableau = dormand_prince();
  bool running = count > 0;
  int first_stage = 0;
  while (running) {
    // Stages 2 … 7: at u + c_s h, the point y + h Σ_r a_sr k_r, for every lane (a finished
    // lane's results are never used). Stage 1, f at y itself, on the first attempt only (then
    // the last stage's slope is the next step's first), in the same loop: one evaluation site.
    LANGEVIN_NO_UNROLL
    for (int s = first_stage; s < 7; ++s) {
      const float* a = tableau.a[s];
      LANGEVIN_UNROLL_STATE
      for (int j = 0; j < LANGEVIN_DIM_BOUND(N, n); ++j) {
        if (j >= n) break;
        for (int c = 0; c < L; ++c) {
          const int at = j * L + c;
          if (s == 0) {
            stage[at] = y[at];
            continue;
          }
          float sum = a[0] * k[0][at];
          for (int r = 1; r < s; ++r) sum = math::fma(a[r], k[r][at], sum);
          stage[at] = math::fma(h[c], sum, y[at]);
        }
      }
      for (int c = 0; c < L; ++c) stage_u[c] = math::fma(tableau.node[s], h[c], u[c]);
      slope(stage, stage_u, k[s]);
    }
    first_stage = 1;
    // stage is the 5th-order candidate (stage 7's point, whose slope k[6] is f there); the
    // embedded error h Σ_r e_r k_r, scaled per component, in the mean square over n.
    float error[L] = {};
    LANGEVIN_UNROLL_STATE
    for (int j = 0; j < LANGEVIN_DIM_BOUND(N, n); ++j) {
      if (j >= n) break;
      for (int c = 0; c < L; ++c) {
        const int at = j * L + c;
        float sum = error_weight(0) * k[0][at];
        LANGEVIN_UNROLL
        for (int r = 2; r < 7; ++r) sum = math::fma(error_weight(r), k[r][at], sum);
        const float larger = math::abs(y[at]) > math::abs(stage[at]) ? math::abs(y[at])
                                                                      : math::abs(stage[at]);
        const float ratio = (h[c] * sum) / math::fma(rtol, larger, atol);
        error[c] = math::fma(ratio, ratio, error[c]);
      }
    }
    running = false;
    for (int c = 0; c < L; ++c) {
      if (done[c]) continue;
      const float err = math::sqrt(error[c] * inverse_n);
      const bool finite = err <= 3.0e38f;  // false for NaN too
      // 0.9 err^(−1/5) by the library's own log and exp, within [0.2, 5].
      float factor = err > 1e-30f ? 0.9f * math::exp(-0.2f * math::log(err)) : 5.0f;
      factor = factor > 5.0f ? 5.0f : (factor < 0.2f ? 0.2f : factor);
      if (finite && err <= 1.0f) {
        const float left = span - u[c];
        const bool last = h[c] >= left;
        u[c] = last ? span : u[c] + h[c];
        LANGEVIN_UNROLL_STATE
        for (int j = 0; j < LANGEVIN_DIM_BOUND(N, n); ++j) {
          if (j >= n) break;
          y[j * L + c] = stage[j * L + c];
          k[0][j * L + c] = k[6][j * L + c];  // first same as last
        }
        if (last) {
          done[c] = true;
          ++attempts[c];
          continue;
        }
        h[c] *= factor;
        if (h[c] > span - u[c]) h[c] = span - u[c];
      } else {
        h[c] *= finite ? factor : 0.2f;
      }
      if (++attempts[c] >= kMaxOdeAttempts || !(h[c] > 0.0f)) {  // given up: diverged
        LANGEVIN_UNROLL_STATE
        for (int j = 0; j < LANGEVIN_DIM_BOUND(N, n); ++j) {
          if (j >= n) break;
          y[j * L + c] = NAN;
        }
        done[c] = true;
        continue;
      }
      running = true;
    }
  }
}

}  // namespace ode_detail

/// Runs local chains first … first + count − 1 (count ≤ L) of `config` by the probability-flow
/// ODE; `score` and `noise` as for run_block_pc (the noise gives draw 0, the initial state),
/// except that a lanes functor is called with each lane's own σ: score(x, s, sigmas), lane c at
/// sigmas[c] (the lanes of a block stand at different points of their steps).
template <int L, class Score, class Noise>
LANGEVIN_HD void run_block_ode(const Score& score, const ChainConfig& config, long long first,
                               int count, Noise& noise) {
  constexpr int MaxDim = Score::max_dim;
  const int d = config.dim;
  alignas(L > 1 ? 64 : 4) float x[MaxDim * L] = {};
  alignas(L > 1 ? 64 : 4) float y[MaxDim * L] = {};     // a stage's point; at the end, x's candidate
  alignas(L > 1 ? 64 : 4) float k[7][MaxDim * L] = {};  // the stages' slopes; k[0] is f at x
  chain_detail::Block<L, MaxDim> block(config, first, count, x);
  block.start(noise, y);  // (y is free until the stages)
  // out = f(point, u) = σ² s(point, σ), σ = σ_i e^(−u), each lane at its own u.
  auto slope = [&](const float* point, const float* u, float from_sigma, float* out) {
    float sigma[L];
    for (int c = 0; c < L; ++c) sigma[c] = from_sigma * math::exp(-u[c]);
    if constexpr (L == 1) {
      score(point, out, sigma[0]);
    } else {
      score(point, out, static_cast<const float*>(sigma));
    }
    LANGEVIN_UNROLL_STATE
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
      if (j >= d) break;
      for (int c = 0; c < L; ++c) out[j * L + c] *= sigma[c] * sigma[c];
    }
  };

  const long long total = total_updates(config);
  const long long end = end_update(config);
  for (long long n = config.first_step; n < end; ++n) {
    block.visit(n);
    const float from_sigma = config.sigmas[n];
    const float span = math::log(from_sigma) - math::log(config.sigmas[n + 1]);  // u's end
    int attempts[L];
    ode_detail::integrate_interval<L, MaxDim>(
        [&](const float* point, const float* u, float* out) { slope(point, u, from_sigma, out); },
        d, count, span, config.rtol, config.atol, x, y, k, attempts);
    block.check_finite(n);
  }
  block.save_segment();
  const bool finishes = end == total;
  if (config.denoise && finishes) {  // annealed Langevin's denoising step, the same arithmetic
    const float last_sigma = config.sigmas[config.levels - 1];
    score(x, k[0], last_sigma);
    LANGEVIN_UNROLL_STATE
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
      if (j >= d) break;
      for (int c = 0; c < L; ++c) {
        x[j * L + c] = chain_detail::denoised(last_sigma, x[j * L + c], k[0][j * L + c]);
      }
    }
    block.check_finite(end);
  }
  block.finish(finishes);
}

/// Runs local chain `i` of `config` by the probability-flow ODE: a block of one.
template <class Score>
LANGEVIN_HD void run_chain_ode(const Score& score, const ChainConfig& config, long long i) {
  NormalStream noise(config.seed, static_cast<unsigned long long>(config.first_chain + i),
                     config.dim, 0ull);
  run_block_ode<1>(score, config, i, 1, noise);
}

}  // namespace langevin::device
