#pragma once
// Statistics the sampler tests compare against theory: moments with their standard errors, and
// the Kolmogorov–Smirnov statistic with its asymptotic critical value.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

namespace langevin::testing {

/// Float's unit roundoff, 2⁻²⁴: the scale of the tolerances of float arithmetic against double
/// references.
constexpr double kFloatUnitRoundoff = 5.9604644775390625e-8;

struct Moments {
  double mean = 0.0;
  double variance = 0.0;  // unbiased
  std::int64_t count = 0;
  /// Standard error of the mean.
  double mean_error() const { return std::sqrt(variance / count); }
  /// Standard error of the sample variance of normal data: σ² √(2 / (n − 1)).
  double variance_error_normal() const { return variance * std::sqrt(2.0 / (count - 1)); }
};

/// Moments of values[offset + i * stride], i = 0 … count−1, in double precision.
inline Moments moments(const float* values, std::int64_t count, std::int64_t stride = 1) {
  Moments m;
  m.count = count;
  double sum = 0.0;
  for (std::int64_t i = 0; i < count; ++i) sum += values[i * stride];
  m.mean = sum / count;
  double squares = 0.0;
  for (std::int64_t i = 0; i < count; ++i) {
    const double deviation = values[i * stride] - m.mean;
    squares += deviation * deviation;
  }
  m.variance = squares / (count - 1);
  return m;
}

inline double normal_cdf(double x, double mean, double std) {
  return 0.5 * std::erfc(-(x - mean) / (std * std::sqrt(2.0)));
}

/// sup |F_n − F| of the sample against the continuous CDF `cdf`.
inline double ks_statistic(std::vector<double> sample, const std::function<double(double)>& cdf) {
  std::sort(sample.begin(), sample.end());
  const double n = static_cast<double>(sample.size());
  double largest = 0.0;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const double f = cdf(sample[i]);
    largest = std::max({largest, (i + 1) / n - f, f - i / n});
  }
  return largest;
}

/// Critical value of the one-sample KS statistic at level α = 1 %: K_α / √n with
/// K_α = √(−½ ln(α/2)) = 1.6276 (Kolmogorov's limit law; accurate for n ≳ 100).
inline double ks_critical_1_percent(std::size_t n) {
  return std::sqrt(-0.5 * std::log(0.005)) / std::sqrt(static_cast<double>(n));
}

// For a Gaussian target N(μ, σ²) the ULA update is linear:
//   x' = a x + (1 − a) μ + √(2ε) z,   a = 1 − ε/σ².
// From x₀ ~ N(m₀, s₀²), x_K is exactly normal with
//   mean_K = μ + a^K (m₀ − μ),   var_K = v∞ + a^{2K} (s₀² − v∞),
//   v∞ = 2ε / (1 − a²) = σ² / (1 − ε / (2σ²))   (ULA's stationary variance: larger than σ²).
struct UlaGaussian {
  double mean_k, var_k, var_stationary;
};
inline UlaGaussian ula_gaussian(double mu, double sigma, double epsilon, long long steps,
                                double m0, double s0) {
  const double a = 1.0 - epsilon / (sigma * sigma);
  const double v_inf = 2.0 * epsilon / (1.0 - a * a);
  const double a_k = std::pow(a, static_cast<double>(steps));
  return {mu + a_k * (m0 - mu), v_inf + a_k * a_k * (s0 * s0 - v_inf), v_inf};
}

}  // namespace langevin::testing
