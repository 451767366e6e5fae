#pragma once
/// \file
/// Log-likelihoods of points under a noise-conditional score by the probability-flow ODE (Song
/// et al. 2021, appendix D.2), one point per GPU thread or CPU iteration. The flow
/// dx/dσ = −σ s(x, σ) carries the law p_σ of the data convolved with N(0, σ² I) into p_σ' for
/// every σ' (probability_flow.hpp runs it downwards to sample); along it
///   d log p_σ(x(σ))/dσ = −∇·(dx/dσ) = σ ∇·s(x(σ), σ),
/// so a point x at the lowest level σ_L, carried up to z = x(σ₁), has
///   log p_σL(x) = log p_σ₁(z) − ∫_σL^σ₁ σ ∇·s dσ ≈ log N(z; 0, σ₁² I) − ℓ,
/// the prior at σ₁ standing in for p_σ₁ (its mismatch shrinks as the data's spread over σ₁).
///
/// The integration runs the levels' intervals upwards, σ_{i+1} to σ_i, in v = log(σ/σ_{i+1}),
/// σ = σ_{i+1} e^v, where dx/dv = −σ² s and dℓ/dv = σ² ∇·s: the sampler's ODE variable turned
/// round, by the same Dormand–Prince pair and step-size control (ode_detail::integrate_interval)
/// on the d + 1 components (x, ℓ). The divergence is exact (the score functor's own: the
/// mixture's closed form, a network's d forward-mode tangents) or Hutchinson's estimate
/// εᵀ(∇s)ε averaged over `probes` Rademacher vectors, the same vectors at every σ of a point
/// (a fixed probe keeps the right side smooth, as the adaptive steps need): an unbiased estimate
/// of log p.

#include <langevin/device/config.hpp>
#include <langevin/device/elementary.hpp>
#include <langevin/device/philox.hpp>
#include <langevin/device/probability_flow.hpp>

namespace langevin::device {

/// Most Rademacher probes a likelihood may average.
constexpr int kMaxLikelihoodProbes = 64;

/// A likelihood run over `points` points of `dim` floats each; pointers are the place's memory.
struct LikelihoodConfig {
  int dim = 0;
  int levels = 0;                 // ≥ 2: σ_1 > … > σ_levels
  const float* sigmas = nullptr;  // the levels; the points are at σ_levels
  float rtol = 1e-5f;
  float atol = 1e-5f;
  int probes = 0;  // 0: the exact divergence; P ≥ 1: Hutchinson's over P Rademacher probes
  unsigned long long seed = 0;
  long long first_point = 0;  // the global index of point 0 (each point's probes follow it)
  long long points = 0;
  const float* in = nullptr;     // points × dim
  float* log_density = nullptr;  // points: log p_σL(x), nats
  float* latent = nullptr;       // points × dim: z = x(σ₁); may be null
  int* evaluations = nullptr;    // points: right-hand-side evaluations; may be null
};

/// Rademacher probe `probe` of global point `point`: entries ±1, one bit each of Philox4x32-10
/// at counter (block of 128 entries, probe, point) under the seed.
LANGEVIN_HD void rademacher_probe(unsigned long long seed, long long point, int probe, int dim,
                                  float* out) {
  const unsigned long long index = static_cast<unsigned long long>(point);
  for (int block = 0; block * 128 < dim; ++block) {
    const PhiloxBlock<unsigned int> bits = philox4x32_10<ScalarPhiloxOps>(
        static_cast<unsigned int>(block), static_cast<unsigned int>(probe),
        static_cast<unsigned int>(index), static_cast<unsigned int>(index >> 32),
        static_cast<unsigned int>(seed), static_cast<unsigned int>(seed >> 32));
    const unsigned int words[4] = {bits.x, bits.y, bits.z, bits.w};
    for (int j = block * 128; j < dim && j < (block + 1) * 128; ++j) {
      const unsigned int bit = (words[(j % 128) / 32] >> (j % 32)) & 1u;
      out[j] = bit != 0u ? -1.0f : 1.0f;
    }
  }
}

/// The log-likelihood of local point i of `config`. Score needs max_dim and
/// score_divergence(x, s, σ, probe) → ∇·s (probe null) or εᵀ(∇s)ε (probe ε), writing s.
template <class Score>
LANGEVIN_HD void run_point_likelihood(const Score& score, const LikelihoodConfig& config,
                                      long long i) {
  constexpr int N = Score::max_dim + 1;  // x and ℓ
  const int d = config.dim;
  float y[N] = {};
  float stage[N] = {};
  float k[7][N] = {};
  float probe[N] = {};
  for (int j = 0; j < d; ++j) y[j] = config.in[i * d + j];
  y[d] = 0.0f;  // ℓ
  const long long point = config.first_point + i;
  const int probes = config.probes;
  const float inverse_probes = probes > 0 ? 1.0f / static_cast<float>(probes) : 1.0f;
  // out = (−σ² s, σ² ∇·s) at `at`, σ = from_sigma e^v.
  auto slope = [&](const float* at, float v, float from_sigma, float* out) {
    const float sigma = from_sigma * math::exp(v);
    float divergence = 0.0f;
    if (probes == 0) {
      divergence = score.score_divergence(at, out, sigma, nullptr);
    } else {
      for (int p = 0; p < probes; ++p) {
        rademacher_probe(config.seed, point, p, d, probe);
        divergence += score.score_divergence(at, out, sigma, probe);
      }
      divergence *= inverse_probes;
    }
    const float sigma_squared = sigma * sigma;
    for (int j = 0; j < d; ++j) out[j] *= -sigma_squared;
    out[d] = sigma_squared * divergence;
  };
  int evaluations = 0;
  for (int level = config.levels - 2; level >= 0; --level) {
    const float from_sigma = config.sigmas[level + 1];
    const float span = math::log(config.sigmas[level]) - math::log(from_sigma);  // v's end
    int attempts = 0;  // (the first attempt evaluates k[0], the slope at y)
    ode_detail::integrate_interval<1, N>(
        [&](const float* at, const float* v, float* out) { slope(at, v[0], from_sigma, out); },
        d + 1, 1, span, config.rtol, config.atol, y, stage, k, &attempts);
    evaluations += 1 + 6 * attempts;
    if (!(y[d] == y[d])) break;  // failed (NaN): the intervals above cannot mend it
  }
  // log N(z; 0, σ₁² I) − ℓ.
  const float top = config.sigmas[0];
  const float inverse_top = 1.0f / top;
  float squared = 0.0f;
  for (int j = 0; j < d; ++j) {
    const float standardized = y[j] * inverse_top;
    squared = math::fma(standardized, standardized, squared);
  }
  const float dims = static_cast<float>(d);
  const float log_prior =
      math::fma(-0.5f, squared, -dims * (math::log(top) + 0.91893853320467274f));  // ½ log 2π
  config.log_density[i] = log_prior - y[d];
  if (config.latent != nullptr) {
    for (int j = 0; j < d; ++j) config.latent[i * d + j] = y[j];
  }
  if (config.evaluations != nullptr) config.evaluations[i] = evaluations;
}

}  // namespace langevin::device
