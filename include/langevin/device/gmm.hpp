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

/// log p(x), and ∇ log p(x) into `score` unless it is null. Real is float on the sampling path
/// and double in the tests' references; MaxDim ≥ dim bounds the loops at compile time.
/// With sigma > 0 it is the mixture convolved with N(0, σ² I), the law of x + σz, whose
/// components widen to √(σ_kj² + σ²): the exact noise-conditional score for annealing.
template <int MaxDim, class Real>
LANGEVIN_HD Real gmm_log_density(const GmmView& gmm, const Real* x, Real* score,
                                 Real sigma = Real(0)) {
  const Real sigma_squared = sigma * sigma;
  const int d = gmm.dim;
  Real running_max = Real(0);  // of the per-component log terms seen so far
  Real total = Real(0);        // Σ exp(term_k − running_max)
  Real weighted[MaxDim];       // Σ exp(term_k − running_max) · ∇ log N_k(x)
LANGEVIN_UNROLL
  for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) weighted[j] = Real(0);

  for (int k = 0; k < gmm.components; ++k) {
    const float* mean = gmm.means + k * d;
    const float* inv_std = gmm.inv_stds + k * d;
    Real log_norm = Real(gmm.log_norm[k]);
    Real squared = Real(0);
    Real gradient[MaxDim];  // entries j < d are set below, and only those are read
    if constexpr (MaxDim <= kRegisterDim) {
      // Free in registers, and it tells the host compiler no unset entry is read.
      LANGEVIN_UNROLL
      for (int j = 0; j < MaxDim; ++j) gradient[j] = Real(0);
    }
LANGEVIN_UNROLL
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
      if (j >= d) break;
      Real inverse = Real(inv_std[j]);
      if (sigma_squared > Real(0)) {  // 1/√(s² + σ²) = (1/s)/√(1 + σ²/s²)
        const Real widening = sigma_squared * inverse * inverse;
        inverse /= math::sqrt(Real(1) + widening);
        log_norm = math::fma(Real(-0.5), math::log1p(widening), log_norm);
      }
      const Real standardized = (x[j] - Real(mean[j])) * inverse;
      squared = math::fma(standardized, standardized, squared);
      gradient[j] = -standardized * inverse;
    }
    const Real term = math::fma(Real(-0.5), squared, log_norm);
    if (k == 0 || term > running_max) {
      // New maximum: rescale what was summed so far (nothing, for the first component).
      const Real rescale = k == 0 ? Real(0) : math::exp(running_max - term);
      total = math::fma(total, rescale, Real(1));
LANGEVIN_UNROLL
      for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
        if (j >= d) break;
        weighted[j] = math::fma(weighted[j], rescale, gradient[j]);
      }
      running_max = term;
    } else {
      const Real weight = math::exp(term - running_max);
      total += weight;
LANGEVIN_UNROLL
      for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
        if (j >= d) break;
        weighted[j] = math::fma(weight, gradient[j], weighted[j]);
      }
    }
  }
  if (score != nullptr) {
    const Real inv_total = Real(1) / total;
LANGEVIN_UNROLL
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
      if (j >= d) break;
      score[j] = weighted[j] * inv_total;
    }
  }
  return running_max + math::log(total);
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
};

}  // namespace langevin::device
