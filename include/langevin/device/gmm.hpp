#pragma once
/// \file
/// Score and log-density of a Gaussian mixture with diagonal covariances:
///   p(x) = Σ_k w_k Π_j N(x_j; μ_kj, σ_kj²),   s(x) = ∇ log p(x) = Σ_k r_k(x) · (−(x − μ_k)/σ_k²)
/// with responsibilities r_k = softmax_k(log w_k + log N_k(x)). The softmax is taken online
/// (running maximum, rescaled sums) in one pass over the components, so it is exact far from every
/// mode, where each w_k N_k(x) underflows to zero on its own.

#include <langevin/device/config.hpp>
#include <langevin/device/elementary.hpp>
#include <langevin/device/math.hpp>

#include <type_traits>

namespace langevin::device {

/// The mixture's parameters as the device code reads them (see GaussianMixture::packed()):
/// `log_norm[k]` = log w_k − Σ_j log σ_kj − (d/2) log 2π, then K×d means, then K×d values 1/σ.
struct GmmView {
  int dim = 0;
  int components = 0;
  const float* log_norm = nullptr;
  const float* means = nullptr;
  const float* inv_stds = nullptr;
};

/// A view over a packed parameter block laid out as GaussianMixture::packed() writes it.
LANGEVIN_HD GmmView gmm_view(const float* packed, int dim, int components) {
  GmmView view;
  view.dim = dim;
  view.components = components;
  view.log_norm = packed;
  view.means = packed + components;
  view.inv_stds = packed + components + components * dim;
  return view;
}

namespace gmm_detail {

/// The elementary functions the density takes, by value type: math::'s for float and double;
/// the CPU's lane vectors specialise it (cpu/gmm_lanes.hpp), with, besides, `splat` (every
/// lane), `select` (per lane) and `any_positive`.
template <class Real>
struct Math {
  LANGEVIN_HD static Real fma(Real a, Real b, Real c) { return math::fma(a, b, c); }
  LANGEVIN_HD static Real sqrt(Real a) { return math::sqrt(a); }
  LANGEVIN_HD static Real exp(Real a) { return math::exp(a); }
  LANGEVIN_HD static Real log(Real a) { return math::log(a); }
  LANGEVIN_HD static Real log1p(Real a) { return math::log1p(a); }
};

/// `value` as a Real: the float or double itself, or every lane of a lane vector.
template <class Real>
LANGEVIN_HD Real constant(float value) {
  if constexpr (std::is_floating_point_v<Real>) {
    return static_cast<Real>(value);
  } else {
    return Math<Real>::splat(value);
  }
}

/// Whether any lane of σ² is positive (a scalar: whether it is).
template <class Real>
LANGEVIN_HD bool any_positive(Real value) {
  if constexpr (std::is_floating_point_v<Real>) {
    return value > Real(0);
  } else {
    return Math<Real>::any_positive(value);
  }
}

}  // namespace gmm_detail

/// log p(x), and ∇ log p(x) into `score` unless it is null. Real is float on the sampling path,
/// double in the tests' references, and on the CPU a lane vector of chains (x[j] holding
/// coordinate j of each; gmm_lanes.hpp); MaxDim ≥ dim bounds the
/// loops at compile time. With sigma > 0 it is the mixture convolved with N(0, σ² I), the law of
/// x + σz, whose components widen to √(σ_kj² + σ²): the exact noise-conditional score for
/// annealing.
///
/// The online softmax keeps, per chain, whichever of two updates the new component calls for: a
/// scalar branches; lane vectors compute both and select per lane, each lane with the scalar's
/// operations (where some lanes widen, the others' widening is computed at σ = 0, where it is
/// exactly neutral: log1p(0) = 0 and a division by √1).
///
/// With kDivergence (scalars only: the likelihood's path), also the score's divergence into
/// `divergence`, from the same pass: with g_k = ∇ log N_k and H_k its diagonal Jacobian,
///   ∇·s = Σ_k r_k (tr H_k + |g_k|²) − |s|²,
/// or, given a Rademacher `probe` ε (entries ±1), Hutchinson's estimate of it,
///   εᵀ(∇s)ε = Σ_k r_k (tr H_k + (g_k·ε)²) − (s·ε)²   (ε_j² = 1),
/// the responsibility-weighted sum taken online as the score's is.
template <int MaxDim, class Real, bool kDivergence = false>
LANGEVIN_HD Real gmm_log_density(const GmmView& gmm, const Real* x, Real* score,
                                 Real sigma = gmm_detail::constant<Real>(0.0f),
                                 Real* divergence = nullptr, const float* probe = nullptr) {
  using gmm_detail::constant;
  using M = gmm_detail::Math<Real>;
  constexpr bool kScalar = std::is_floating_point_v<Real>;
  static_assert(kScalar || !kDivergence, "the divergence is computed for scalars only");
  const Real zero = constant<Real>(0.0f), one = constant<Real>(1.0f);
  const Real sigma_squared = sigma * sigma;
  const int d = gmm.dim;
  const bool widens = gmm_detail::any_positive(sigma_squared);
  Real running_max = zero;  // of the per-component log terms seen so far
  Real total = zero;        // Σ exp(term_k − running_max)
  Real weighted[MaxDim];    // Σ exp(term_k − running_max) · ∇ log N_k(x)
  Real curvature = zero;    // Σ exp(term_k − running_max) · (tr H_k + |g_k|² or (g_k·ε)²)
LANGEVIN_UNROLL
  for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) weighted[j] = zero;

  for (int k = 0; k < gmm.components; ++k) {
    const float* mean = gmm.means + k * d;
    const float* inv_std = gmm.inv_stds + k * d;
    Real log_norm = constant<Real>(gmm.log_norm[k]);
    Real squared = zero;
    Real trace = zero, projected = zero;  // the divergence's terms (kDivergence only)
    Real gradient[MaxDim];  // entries j < d are set below, and only those are read
    if constexpr (MaxDim <= kRegisterDim) {
      // Free in registers, and it tells the host compiler no unset entry is read.
      LANGEVIN_UNROLL
      for (int j = 0; j < MaxDim; ++j) gradient[j] = zero;
    }
LANGEVIN_UNROLL
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
      if (j >= d) break;
      Real inverse = constant<Real>(inv_std[j]);
      if (widens) {  // 1/√(s² + σ²) = (1/s)/√(1 + σ²/s²)
        const Real widening = sigma_squared * inverse * inverse;
        inverse /= M::sqrt(one + widening);
        log_norm = M::fma(constant<Real>(-0.5f), M::log1p(widening), log_norm);
      }
      const Real standardized = (x[j] - constant<Real>(mean[j])) * inverse;
      squared = M::fma(standardized, standardized, squared);
      gradient[j] = -standardized * inverse;
      if constexpr (kDivergence) {  // H_kjj = −inverse²
        trace = M::fma(-inverse, inverse, trace);
        projected = probe == nullptr ? M::fma(gradient[j], gradient[j], projected)
                                     : M::fma(gradient[j], Real(probe[j]), projected);
      }
    }
    const Real term = M::fma(constant<Real>(-0.5f), squared, log_norm);
    Real component_curvature = zero;  // tr H_k + |g_k|², or tr H_k + (g_k·ε)² given a probe
    if constexpr (kDivergence) {
      component_curvature = probe == nullptr ? trace + projected
                                             : M::fma(projected, projected, trace);
    }
    if constexpr (kScalar) {
      if (k == 0 || term > running_max) {
        // New maximum: rescale what was summed so far (nothing, for the first component).
        const Real rescale = k == 0 ? Real(0) : M::exp(running_max - term);
        total = M::fma(total, rescale, Real(1));
        if constexpr (kDivergence) {
          curvature = M::fma(curvature, rescale, component_curvature);
        }
LANGEVIN_UNROLL
        for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
          if (j >= d) break;
          weighted[j] = M::fma(weighted[j], rescale, gradient[j]);
        }
        running_max = term;
      } else {
        const Real weight = M::exp(term - running_max);
        total += weight;
        if constexpr (kDivergence) {
          curvature = M::fma(weight, component_curvature, curvature);
        }
LANGEVIN_UNROLL
        for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
          if (j >= d) break;
          weighted[j] = M::fma(weight, gradient[j], weighted[j]);
        }
      }
    } else if (k == 0) {  // the scalar's first component: a rescale by 0
      total = M::fma(total, zero, one);
      for (int j = 0; j < d; ++j) weighted[j] = M::fma(weighted[j], zero, gradient[j]);
      running_max = term;
    } else {
      const auto rises = term > running_max;
      const Real e = M::exp(M::select(rises, running_max - term, term - running_max));
      total = M::select(rises, M::fma(total, e, one), total + e);
      for (int j = 0; j < d; ++j) {
        weighted[j] = M::select(rises, M::fma(weighted[j], e, gradient[j]),
                                M::fma(e, gradient[j], weighted[j]));
      }
      running_max = M::select(rises, term, running_max);
    }
  }
  if (score != nullptr) {
    const Real inv_total = one / total;
LANGEVIN_UNROLL
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
      if (j >= d) break;
      score[j] = weighted[j] * inv_total;
    }
  }
  if constexpr (kDivergence) {
    const Real inv_total = one / total;
    Real correction = zero;  // |s|², or (s·ε)²
    for (int j = 0; j < d; ++j) {
      const Real s = weighted[j] * inv_total;
      correction = probe == nullptr ? M::fma(s, s, correction)
                                    : M::fma(s, Real(probe[j]), correction);
    }
    if (probe != nullptr) correction *= correction;
    *divergence = curvature * inv_total - correction;
  }
  return running_max + M::log(total);
}

/// The mixture as a score functor for the sampler (see sampler_kernel.hpp for the concept).
template <int MaxDim>
struct GmmScore {
  static constexpr int max_dim = MaxDim;
  GmmView gmm;

  LANGEVIN_HD void operator()(const float* x, float* score) const {
    gmm_log_density<MaxDim, float>(gmm, x, score);
  }
  LANGEVIN_HD float log_density(const float* x) const {
    return gmm_log_density<MaxDim, float>(gmm, x, static_cast<float*>(nullptr));
  }
  /// Both from one pass over the components (MALA's proposals need both): the same values as
  /// the two calls above.
  LANGEVIN_HD float score_and_log_density(const float* x, float* score) const {
    return gmm_log_density<MaxDim, float>(gmm, x, score);
  }
};

/// The mixture convolved with N(0, σ² I) at each noise level: an exact noise-conditional score,
/// for annealed sampling of a known target.
template <int MaxDim>
struct GmmNoiseScore {
  static constexpr int max_dim = MaxDim;
  static constexpr bool noise_conditional = true;
  GmmView gmm;

  LANGEVIN_HD void operator()(const float* x, float* score, float sigma) const {
    gmm_log_density<MaxDim, float>(gmm, x, score, sigma);
  }
  /// s(x, σ) into `score`, and its divergence (exact, or Hutchinson's with a probe): the
  /// likelihood's right side.
  LANGEVIN_HD float score_divergence(const float* x, float* score, float sigma,
                                     const float* probe) const {
    float divergence = 0.0f;
    gmm_log_density<MaxDim, float, true>(gmm, x, score, sigma, &divergence, probe);
    return divergence;
  }
};

}  // namespace langevin::device
