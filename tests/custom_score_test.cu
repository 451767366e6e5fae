// sample_with: a user's own score functor through the fused sampler, on the CPU (statistics
// against the analytic target) and the GPU (against the CPU).

#include "gpu.hpp"
#include "statistics.hpp"

#include <langevin/langevin.hpp>
#include <langevin/sample_with.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace langevin {
namespace {

/// p(x) ∝ exp(−(x² − 1)²): a double well with a barrier of 1 (in log p) at 0.
struct DoubleWell {
  static constexpr int max_dim = 1;
  LANGEVIN_HD void operator()(const float* x, float* s) const {
    s[0] = -4.0f * x[0] * (x[0] * x[0] - 1.0f);
  }
};

/// CDF of the double well by the trapezoid rule on a fine grid (double precision; the error
/// is O(h²) ≈ 10⁻¹⁰, far below KS resolution).
std::vector<double> double_well_cdf_grid(double low, double high, int points) {
  std::vector<double> density(points), cdf(points, 0.0);
  const double h = (high - low) / (points - 1);
  for (int i = 0; i < points; ++i) {
    const double x = low + i * h;
    density[i] = std::exp(-(x * x - 1) * (x * x - 1));
  }
  for (int i = 1; i < points; ++i) cdf[i] = cdf[i - 1] + 0.5 * h * (density[i] + density[i - 1]);
  for (double& c : cdf) c /= cdf.back();
  return cdf;
}

/// The KS distance of samples to the double well's CDF (interpolated on the grid).
double ks_against_double_well(const Array& x) {
  constexpr double kLow = -3.0, kHigh = 3.0;
  constexpr int kPoints = 60001;
  const std::vector<double> cdf = double_well_cdf_grid(kLow, kHigh, kPoints);
  return testing::ks_statistic(
      std::vector<double>(x.values().begin(), x.values().end()), [&](double v) {
        if (v <= kLow) return 0.0;
        if (v >= kHigh) return 1.0;
        const double position = (v - kLow) / (kHigh - kLow) * (kPoints - 1);
        const int i = static_cast<int>(position);
        const double fraction = position - i;
        return cdf[i] + fraction * (cdf[std::min(i + 1, kPoints - 1)] - cdf[i]);
      });
}

TEST(SampleWith, DoubleWellPassesKolmogorovSmirnovOnTheCpu) {
  SamplerConfig config;
  config.chains = 20000;
  config.steps = 20000;  // t = 20: several Kramers times (1/k ≈ 3 for this barrier)
  config.epsilon = 1e-3;  // ULA bias O(ε): ~10⁻³ in the CDF, below the critical 0.0115
  config.seed = 1;
  config.backend = Backend::Cpu;
  const Array x = sample_with(DoubleWell{}, 1, config);
  EXPECT_LT(ks_against_double_well(x), testing::ks_critical_1_percent(x.size()));
}

TEST(SampleWith, GpuAgreesWithCpu) {
  LANGEVIN_REQUIRE_GPU();
  SamplerConfig config;
  config.chains = 5000;
  config.steps = 100;
  config.epsilon = 1e-3;
  config.backend = Backend::Cpu;
  const Array cpu = sample_with(DoubleWell{}, 1, config);
  config.backend = Backend::Cuda;
  const Array gpu = sample_with(DoubleWell{}, 1, config);
  ASSERT_EQ(cpu.shape(), gpu.shape());
  for (std::int64_t i = 0; i < cpu.size(); ++i) {
    ASSERT_NEAR(cpu[i], gpu[i], 1e-3 * (1 + std::abs(cpu[i]))) << "chain " << i;
  }
}

/// s = 0: a chain is its initial state plus its noise, Σ √(2ε) z_k.
struct NoScore {
  static constexpr int max_dim = 4;
  LANGEVIN_HD void operator()(const float*, float* s) const {
    for (int j = 0; j < max_dim; ++j) s[j] = 0.0f;
  }
};

TEST(SampleWith, GpuNoiseIsBitIdenticalToTheCpu) {
  // Philox words are cuRAND's on both; Box–Muller uses the library's own log, sine and cosine
  // (FMAs and IEEE operations only), so the noise, and a chain made of noise alone, must be
  // the same bits on both backends.
  LANGEVIN_REQUIRE_GPU();
  SamplerConfig config;
  config.chains = 3000;
  config.steps = 50;
  config.epsilon = 1e-2;
  config.seed = 11;
  for (int d : {1, 3, 4}) {
    config.backend = Backend::Cpu;
    const Array cpu = sample_with(NoScore{}, d, config);
    config.backend = Backend::Cuda;
    const Array gpu = sample_with(NoScore{}, d, config);
    EXPECT_EQ(cpu.values(), gpu.values()) << "d = " << d;
  }
}

TEST(SampleWith, RejectsADimensionAboveTheFunctorsBound) {
  SamplerConfig config;
  EXPECT_THROW(sample_with(DoubleWell{}, 2, config), InvalidInput);
}

/// The double well with its log-density (up to a constant), which MALA's accept test needs.
struct DoubleWellWithDensity : DoubleWell {
  LANGEVIN_HD float log_density(const float* x) const {
    const float u = x[0] * x[0] - 1.0f;
    return -u * u;
  }
};

TEST(SampleWith, MalaUsesTheFunctorsLogDensity) {
  // ε = 0.05 is past ULA's stability on the quartic tails (ε |s'(x)| > 2 once |x| > 1.9, which
  // some of 20 000 chains reach: ULA's chains then run off to infinity); MALA rejects those
  // proposals and stays exact. t = 100: many Kramers times.
  SamplerConfig config;
  config.chains = 20000;
  config.steps = 2000;
  config.epsilon = 0.05;
  config.method = Method::Mala;
  config.seed = 2;
  config.backend = Backend::Cpu;
  const Array x = sample_with(DoubleWellWithDensity{}, 1, config);
  EXPECT_LT(ks_against_double_well(x), testing::ks_critical_1_percent(x.size()));
  EXPECT_THROW(sample_with(DoubleWell{}, 1, config), InvalidInput);  // no log-density
}

/// N(0, 1) convolved with N(0, σ²), as a noise-conditional functor: s(x, σ) = −x/(1 + σ²).
struct SmoothedNormal {
  static constexpr int max_dim = 1;
  static constexpr bool noise_conditional = true;
  LANGEVIN_HD void operator()(const float* x, float* s, float sigma) const {
    s[0] = -x[0] / (1.0f + sigma * sigma);
  }
};

TEST(SampleWith, NoiseConditionalFunctorIsAnnealedLikeTheMixture) {
  // The same chains as the library's own annealed N(0, 1) mixture (same streams, same levels):
  // equal to float rounding of the two score formulas.
  SamplerConfig config;
  config.chains = 2000;
  config.steps = 50;
  config.epsilon = 1e-3;
  config.sigmas = {3.0, 1.0, 0.3};
  config.denoise = true;
  config.seed = 3;
  config.backend = Backend::Cpu;
  const Array functor = sample_with(SmoothedNormal{}, 1, config);
  const Array mixture = sample(GaussianMixture({1.0}, {{0.0}}, {{1.0}}), config);
  for (std::int64_t i = 0; i < functor.size(); ++i) {
    ASSERT_NEAR(functor[i], mixture[i], 1e-4 * (1 + std::abs(mixture[i]))) << "chain " << i;
  }
  config.sigmas.clear();
  EXPECT_THROW(sample_with(SmoothedNormal{}, 1, config), InvalidInput);  // needs the levels
}

}  // namespace
}  // namespace langevin
