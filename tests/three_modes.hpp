#pragma once
// What the annealed samplers' tests share (predictor_corrector_test.cpp,
// probability_flow_test.cpp): a 2-D three-component mixture, the check of a sample of it
// against its analytic component weights and moments, and a Sampler's refusal message.

#include "statistics.hpp"

#include <langevin/error.hpp>
#include <langevin/gmm.hpp>
#include <langevin/sampler.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace langevin::testing {

/// Three components in the plane, 5 to 6 apart with standard deviations ≤ 0.7: the nearest mean
/// names a draw's component (a draw nearer another mean is ≥ 3.5 standard deviations out,
/// probability < 3·10⁻⁴, well inside the weights' tolerance).
inline const std::vector<double> kThreeWeights{0.2, 0.3, 0.5};
inline const std::vector<std::vector<double>> kThreeMeans{{-3.0, 0.0}, {3.0, 0.0}, {0.0, 4.0}};
inline const std::vector<double> kThreeStds{0.5, 0.7, 0.6};

inline GaussianMixture three_modes() {
  std::vector<std::vector<double>> stds;
  for (double s : kThreeStds) stds.push_back({s, s});
  return GaussianMixture(kThreeWeights, kThreeMeans, stds);
}

/// Fractions of the rows of x (chains, 2) nearest each component's mean.
inline std::vector<double> three_modes_weights(const Array& x) {
  std::vector<double> counts(kThreeWeights.size(), 0.0);
  for (std::int64_t i = 0; i < x.dim(0); ++i) {
    std::size_t nearest = 0;
    double best = INFINITY;
    for (std::size_t k = 0; k < kThreeMeans.size(); ++k) {
      const double dx = x[2 * i] - kThreeMeans[k][0], dy = x[2 * i + 1] - kThreeMeans[k][1];
      if (dx * dx + dy * dy < best) best = dx * dx + dy * dy, nearest = k;
    }
    counts[nearest] += 1.0;
  }
  for (double& c : counts) c /= static_cast<double>(x.dim(0));
  return counts;
}

/// x's component weights and per-coordinate mean and variance against the mixture's, each
/// within 4 standard errors of the sampling noise (binomial for the weights, the sample
/// moments' own for mean and variance, the variance's from the fourth central moment).
inline void expect_three_modes_weights_and_moments(const Array& x) {
  const double n = static_cast<double>(x.dim(0));
  const std::vector<double> weights = three_modes_weights(x);
  for (std::size_t k = 0; k < kThreeWeights.size(); ++k) {
    SCOPED_TRACE("component " + std::to_string(k));
    const double w = kThreeWeights[k];
    EXPECT_NEAR(weights[k], w, 4 * std::sqrt(w * (1 - w) / n));
  }
  for (int j = 0; j < 2; ++j) {  // the mixture's Σ w μ_j and Σ w (s² + μ_j²) − mean²
    SCOPED_TRACE("coordinate " + std::to_string(j));
    double mean = 0.0, second = 0.0;
    for (std::size_t k = 0; k < kThreeWeights.size(); ++k) {
      mean += kThreeWeights[k] * kThreeMeans[k][j];
      second += kThreeWeights[k] * (kThreeStds[k] * kThreeStds[k] +
                                    kThreeMeans[k][j] * kThreeMeans[k][j]);
    }
    std::vector<float> column;
    for (std::int64_t i = 0; i < x.dim(0); ++i) column.push_back(x[2 * i + j]);
    const Moments m = moments(column.data(), x.dim(0));
    EXPECT_NEAR(m.mean, mean, 4 * m.mean_error());
    double fourth = 0.0;
    for (float v : column) fourth += std::pow(v - m.mean, 4);
    fourth /= n;
    EXPECT_NEAR(m.variance, second - mean * mean,
                4 * std::sqrt((fourth - m.variance * m.variance) / n));
  }
}

/// What constructing a Sampler of `target` and `config` throws as InvalidInput ("accepted" when
/// it does not).
template <class Target>
std::string refusal_of(const Target& target, const SamplerConfig& config) {
  try {
    Sampler sampler(target, config);
    return "accepted";
  } catch (const InvalidInput& e) {
    return e.what();
  }
}

}  // namespace langevin::testing
