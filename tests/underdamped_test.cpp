// Underdamped Langevin (device/underdamped.hpp) against analytic answers: on an anisotropic
// Gaussian, BAOAB's stationary positions and velocities, derived here from the update's linear
// recursion. (Bit-identity across lanes, splits, resumes and backends: cpu_lanes_test,
// split_test, checkpoint_test, cpu_gpu_test.)

#include "gpu.hpp"
#include "statistics.hpp"
#include "three_modes.hpp"

#include <langevin/langevin.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace langevin {
namespace {

/// The stationary covariance of one coordinate (x, v) under BAOAB with time step h, friction γ,
/// on a Gaussian of variance 1/ω²: one update maps (x, v) to M (x, v) + n z, a product of the
/// five linear sub-steps, so the covariance is the fixed point of Σ = M Σ Mᵀ + n nᵀ, iterated
/// here in double to convergence (M's eigenvalues have modulus e^(−γh/2) < 1).
struct Stationary {
  double xx = 0.0, xv = 0.0, vv = 0.0;
};
Stationary baoab_stationary(double h, double gamma, double omega) {
  using M2 = double[2][2];
  const double c1 = std::exp(-gamma * h), c2 = std::sqrt(1.0 - c1 * c1), w2 = omega * omega;
  const M2 b = {{1.0, 0.0}, {-0.5 * h * w2, 1.0}};  // v ← v + (h/2) s(x), s(x) = −ω² x
  const M2 a = {{1.0, 0.5 * h}, {0.0, 1.0}};        // x ← x + (h/2) v
  const M2 o = {{1.0, 0.0}, {0.0, c1}};             // v ← c₁ v (+ c₂ z)
  auto product = [](const M2& p, const M2& q, M2& r) {
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2; ++j) r[i][j] = p[i][0] * q[0][j] + p[i][1] * q[1][j];
    }
  };
  M2 ba, bao, baoa, m;
  product(b, a, ba);
  product(ba, o, bao);
  product(bao, a, baoa);
  product(baoa, b, m);
  // The noise enters at O and then passes through A and B: n = B A (0, c₂).
  const double n[2] = {ba[0][1] * c2, ba[1][1] * c2};
  double s[2][2] = {{1.0, 0.0}, {0.0, 1.0}};
  for (int iteration = 0; iteration < 20000; ++iteration) {
    double ms[2][2], next[2][2];
    product(m, s, ms);
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2; ++j) {
        next[i][j] = ms[i][0] * m[j][0] + ms[i][1] * m[j][1] + n[i] * n[j];
      }
    }
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2; ++j) s[i][j] = next[i][j];
    }
  }
  return {s[0][0], s[0][1], s[1][1]};
}

TEST(Underdamped, TheRecursionGivesBaoabsKnownMoments) {
  // Leimkuhler & Matthews (2013): exact positions, velocities of variance 1 − h²ω²/4.
  for (const auto& [h, gamma, omega] : {std::tuple{0.1, 1.0, 1.0}, std::tuple{0.5, 1.0, 2.0},
                                        std::tuple{1.0, 0.3, 1.5}}) {
    const Stationary s = baoab_stationary(h, gamma, omega);
    EXPECT_NEAR(s.xx * omega * omega, 1.0, 1e-12);
    EXPECT_NEAR(s.vv, 1.0 - h * h * omega * omega / 4.0, 1e-12);
    EXPECT_NEAR(s.xv, 0.0, 1e-12);
  }
}

class Underdamped : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::Cuda) LANGEVIN_REQUIRE_GPU();
  }
};

// N(μ, diag(s²)) in three dimensions, frequencies ω = 1/s = 2, 1, 0.5; h = 0.3 puts the
// velocities' variance 1 − h²ω²/4 at 0.91, 0.9775 and 0.994, each resolved by the 20 000
// chains' standard error (~0.01). After 300 updates (time 90; the slowest mode, critically
// damped, has forgotten its start to e^(−45)) the checkpoint holds both halves of the state.
// Tolerances: 4 standard errors of each sample moment for normal data.
TEST_P(Underdamped, MatchesBaoabsStationaryMomentsOnAnAnisotropicGaussian) {
  const std::vector<double> mean{1.0, -2.0, 0.5};
  const std::vector<double> stds{0.5, 1.0, 2.0};
  SamplerConfig config;
  config.chains = 20000;
  config.steps = 400;
  config.method = Method::Underdamped;
  config.epsilon = 0.3;
  config.friction = 1.0;
  config.seed = 21;
  config.backend = GetParam();
  config.checkpoint_every = 300;
  std::vector<Checkpoint> checkpoints;
  config.on_checkpoint = [&](const Checkpoint& c) { checkpoints.push_back(c); };
  sample(GaussianMixture({1.0}, {mean}, {stds}), config);
  ASSERT_EQ(checkpoints.size(), 1u);
  const Array& x = checkpoints[0].states;
  const Array& v = checkpoints[0].velocities;
  ASSERT_EQ(v.shape(), x.shape());
  const auto n = static_cast<double>(config.chains);
  for (int j = 0; j < 3; ++j) {
    SCOPED_TRACE("coordinate " + std::to_string(j));
    const Stationary expected = baoab_stationary(config.epsilon, config.friction, 1.0 / stds[j]);
    const testing::Moments position = testing::moments(x.data() + j, config.chains, 3);
    const testing::Moments velocity = testing::moments(v.data() + j, config.chains, 3);
    EXPECT_NEAR(position.mean, mean[j], 4 * std::sqrt(expected.xx / n));
    EXPECT_NEAR(position.variance, expected.xx, 4 * expected.xx * std::sqrt(2.0 / n));
    EXPECT_NEAR(velocity.mean, 0.0, 4 * std::sqrt(expected.vv / n));
    EXPECT_NEAR(velocity.variance, expected.vv, 4 * expected.vv * std::sqrt(2.0 / n));
    double covariance = 0.0;
    for (std::int64_t i = 0; i < config.chains; ++i) {
      covariance += (x[3 * i + j] - position.mean) * (v[3 * i + j] - velocity.mean);
    }
    covariance /= n - 1.0;
    EXPECT_NEAR(covariance, 0.0, 4 * std::sqrt(expected.xx * expected.vv / n));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Underdamped, ::testing::Values(Backend::Cpu, Backend::Cuda),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(to_string(info.param));
                         });

// Velocities start at draw 1 of each chain's stream, whatever the initial states: given states
// change the positions only, and a chain's run depends on its global index alone.
TEST(Underdamped, GivenInitialStatesKeepTheStreamsDraws) {
  const GaussianMixture target({1.0}, {{0.0, 0.0}}, {{1.0, 1.0}});
  SamplerConfig config;
  config.chains = 6;
  config.steps = 20;
  config.method = Method::Underdamped;
  config.backend = Backend::Cpu;
  config.seed = 4;
  config.keep = Keep::Trajectory;
  const Array drawn = sample(target, config);
  std::vector<float> first_rows;
  for (std::int64_t i = 0; i < 6; ++i) {
    first_rows.push_back(drawn[i * 20 * 2]);
    first_rows.push_back(drawn[i * 20 * 2 + 1]);
  }
  config.init_states = Array({6, 2}, first_rows);
  EXPECT_EQ(sample(target, config).values(), drawn.values());
}

TEST(Underdamped, RefusesWhatItCannotRun) {
  using testing::refusal_of;
  using testing::three_modes;
  SamplerConfig config;
  config.method = Method::Underdamped;
  config.backend = Backend::Cpu;
  config.sigmas = {1.0, 0.1};
  EXPECT_EQ(refusal_of(three_modes(), config),
            "sampler = underdamped: underdamped Langevin does not anneal: drop the noise levels "
            "or use ula");
  config.sigmas.clear();
  for (double friction : {0.0, -1.0, 2e6, std::nan("")}) {
    config.friction = friction;
    EXPECT_NE(refusal_of(three_modes(), config).find("friction = "), std::string::npos)
        << friction;
  }
  config.friction = 1.0;
  EXPECT_EQ(refusal_of(three_modes(), config), "accepted");
  EXPECT_EQ(with_defaults(config, {}).epsilon, kDefaultUnderdampedStep);
  EXPECT_EQ(parse_method("underdamped"), Method::Underdamped);
  EXPECT_STREQ(to_string(Method::Underdamped), "underdamped");
}

}  // namespace
}  // namespace langevin
