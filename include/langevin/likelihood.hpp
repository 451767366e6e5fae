#pragma once
/// \file
/// Log-likelihoods of points under a noise-conditional score: the probability-flow ODE run from
/// each point at the lowest noise level σ_L up to the highest, σ₁, with the score's divergence
/// integrated along it, and the prior N(0, σ₁² I) at the end (device/likelihood.hpp has the
/// equations; docs/SAMPLERS.md when to trust them).

#include <langevin/array.hpp>
#include <langevin/backend.hpp>
#include <langevin/gmm.hpp>
#include <langevin/mlp.hpp>
#include <langevin/sampler.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace langevin {

/// How the score's divergence ∇·s is taken along the flow.
enum class DivergenceEstimator {
  Auto,        ///< Exact for a mixture, and for a model up to kExactDivergenceMaxDim; else Hutchinson
  Exact,       ///< the trace itself: a mixture's closed form; a network's d forward-mode tangents
  Hutchinson,  ///< εᵀ(∇s)ε over Rademacher probes ε: one tangent a probe, an unbiased log p
};
const char* to_string(DivergenceEstimator divergence);
/// "auto", "exact" or "hutchinson"; InvalidInput naming `field` otherwise.
DivergenceEstimator parse_divergence(const std::string& text, const std::string& field);

/// The largest d at which DivergenceEstimator::Auto takes a network's exact divergence: it costs d
/// forward-mode passes an evaluation where Hutchinson's costs one a probe.
constexpr int kExactDivergenceMaxDim = 16;

/// The estimator a likelihood run takes when `requested`: Auto made concrete for a mixture
/// (exact at any d, at the cost of its score) or a network in `dim` dimensions.
DivergenceEstimator resolved_divergence(DivergenceEstimator requested, bool mixture, int dim);

struct LikelihoodConfig {
  /// σ₁ > … > σ_L, at least two: the points are at σ_L, the prior at σ₁, and each interval
  /// starts the step-size control afresh (as the sampler's ODE). Empty: a model's own levels;
  /// a mixture needs them.
  std::vector<double> sigmas;
  DivergenceEstimator divergence = DivergenceEstimator::Auto;
  /// Hutchinson's Rademacher probes, averaged at every evaluation (1 … 64): each multiplies the
  /// cost and divides the estimate's variance.
  int probes = 1;
  /// Keys the probes: point i's are a function of (seed, first_point + i) alone.
  std::uint64_t seed = 0;
  /// The index of the points' first row in the whole data set, so that a part of it gives each
  /// point the probes (and the bits) it has in the whole.
  std::int64_t first_point = 0;
  /// The Dormand–Prince pair's tolerances on (x, ℓ), as SamplerConfig's.
  double rtol = kDefaultOdeTolerance;
  double atol = kDefaultOdeTolerance;
  Backend backend = Backend::Auto;
  /// The CUDA device (−1: the current one).
  int device = -1;

  /// Throws InvalidInput naming the field and value on a bad setting.
  void validate() const;
};

struct Likelihood {
  Array log_density;  ///< (N,): log p_σL(x) in nats (NaN where a point's ODE failed)
  Array latent;       ///< (N, d): each point carried to σ₁
  std::vector<std::int32_t> evaluations;  ///< per point: the ODE's right-hand-side evaluations
  DivergenceEstimator divergence = DivergenceEstimator::Exact;  ///< what ran: Exact or Hutchinson
  std::vector<double> sigmas;                 ///< the levels it ran over
  int dim = 0;

  /// Points whose log-density is not finite.
  std::int64_t failed() const;
  /// The mean log-density over the finite points, in nats.
  double mean_log_density() const;
  /// −mean log p / (d ln 2): bits per dimension of the data set (continuous data, no
  /// dequantisation offset).
  double bits_per_dim() const;
};

/// Log-likelihoods of the rows of `points` (N, d) under a mixture convolved with N(0, σ² I) at
/// each of config.sigmas (required): its exact noise-conditional score.
Likelihood log_likelihood(const GaussianMixture& mixture, const Array& points,
                          const LikelihoodConfig& config = {});
/// Under a noise-conditional model (a plain one has no σ to integrate over).
Likelihood log_likelihood(const Mlp& model, const Array& points,
                          const LikelihoodConfig& config = {});

}  // namespace langevin
