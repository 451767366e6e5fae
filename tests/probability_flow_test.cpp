// The probability-flow ODE (device/probability_flow.hpp) against analytic answers: on a Gaussian
// the flow is known in closed form, chain by chain; on a 2-D mixture's exact noise-conditional
// score the chains recover the component weights and moments. (Bit-identity across lanes,
// splits, resumes and backends: cpu_lanes_test, split_test, checkpoint_test, cpu_gpu_test.)

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

class ProbabilityFlow : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::Cuda) LANGEVIN_REQUIRE_GPU();
  }
};

// For N(μ, s² I) convolved with N(0, σ² I) the score is −(x − μ)/(s² + σ²), and the flow
// dx/dσ = −σ s(x, σ) = σ (x − μ)/(s² + σ²) has the solution
//   x(σ) − μ = (x(σ₁) − μ) √((s² + σ²)/(s² + σ₁²)),
// so every chain's end point is known from its start. The integrator's local error per step is
// held to rtol |x| + atol; over the 19 intervals the global error stays within a few times
// that, and float rounding adds ~10⁻⁶ |x|. Tolerance here: 20 (rtol |x| + atol).
TEST_P(ProbabilityFlow, FollowsAGaussiansFlowChainByChain) {
  const std::vector<double> mean{1.5, -2.0, 0.5};
  const std::vector<double> stds{0.7, 1.3, 2.0};
  const GaussianMixture gaussian({1.0}, {mean}, {stds});
  SamplerConfig config;
  config.chains = 500;
  config.method = Method::Ode;
  config.sigmas = geometric_noise_levels(10.0, 0.01, 20);
  config.seed = 3;
  config.backend = GetParam();
  for (double tolerance : {1e-3, 1e-5}) {
    SCOPED_TRACE("rtol = atol = " + std::to_string(tolerance));
    config.rtol = config.atol = tolerance;
    config.keep = Keep::Trajectory;  // the first row is the initial state
    config.thin = 19;                // rows: σ₁ only (update 0 of 19)
    const Array start = sample(gaussian, config);
    config.keep = Keep::Final;
    const Array end = sample(gaussian, config);
    double worst = 0.0;
    for (std::int64_t i = 0; i < config.chains; ++i) {
      for (int j = 0; j < 3; ++j) {
        const double s2 = stds[j] * stds[j];
        const double ratio = std::sqrt((s2 + 0.01 * 0.01) / (s2 + 10.0 * 10.0));
        const double expected = mean[j] + (start[3 * i + j] - mean[j]) * ratio;
        const double bound = 20 * (tolerance * std::abs(expected) + tolerance);
        worst = std::max(worst, std::abs(end[3 * i + j] - expected) / bound);
      }
    }
    EXPECT_LT(worst, 1.0) << "the largest error, in units of the bound";
  }
}

using testing::three_modes;

// The flow carries N(0, σ₁² I) to the mixture only as far as N(0, σ₁² I) is the mixture
// convolved with N(0, σ₁² I): unlike Langevin steps the ODE never forgets where it started.
// From σ₁ = 100 the mismatch is the mixture's spread (about 3) against 100; 20 000 chains,
// tolerances 4 standard errors of the sampling noise (three_modes.hpp).
TEST_P(ProbabilityFlow, RecoversAMixturesWeightsAndMoments) {
  SamplerConfig config;
  config.chains = 20000;
  config.method = Method::Ode;
  config.sigmas = geometric_noise_levels(100.0, 0.01, 25);
  config.denoise = true;
  config.seed = 48;
  config.backend = GetParam();
  testing::expect_three_modes_weights_and_moments(sample(three_modes(), config));
}

INSTANTIATE_TEST_SUITE_P(Backends, ProbabilityFlow, ::testing::Values(Backend::Cpu, Backend::Cuda),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(to_string(info.param));
                         });

TEST(ProbabilityFlow, IsAFunctionOfTheInitialStateAlone) {
  const GaussianMixture target({0.5, 0.5}, {{-2.0}, {2.0}}, {{0.5}, {0.5}});
  SamplerConfig config;
  config.chains = 40;
  config.method = Method::Ode;
  config.sigmas = {5.0, 1.0, 0.1};
  config.backend = Backend::Cpu;
  std::vector<float> starts;
  for (int i = 0; i < 40; ++i) starts.push_back(-6.0f + 0.3f * static_cast<float>(i));
  config.init_states = Array({40, 1}, starts);
  config.seed = 1;
  const Array one = sample(target, config);
  config.seed = 2;
  config.first_chain = 1000;
  EXPECT_EQ(sample(target, config).values(), one.values());
  // The flow keeps order: x(σ_L) is increasing in x(σ₁) in one dimension.
  for (int i = 1; i < 40; ++i) EXPECT_LT(one[i - 1], one[i]) << i;
}

TEST(ProbabilityFlow, AnUpdateIsALevelInterval) {
  SamplerConfig config;
  config.chains = 10;
  config.method = Method::Ode;
  config.sigmas = {4.0, 2.0, 1.0, 0.5};
  config.keep = Keep::Trajectory;
  config.steps = 50;  // accepted, not used
  config.backend = Backend::Cpu;
  const Sampler sampler(three_modes(), config);
  EXPECT_EQ(sampler.output_shape(), (std::vector<std::int64_t>{10, 3, 2}));
  EXPECT_EQ(total_updates(sampler.config(), 4), 3);
}

TEST(ProbabilityFlow, RefusesWhatItCannotRun) {
  using testing::refusal_of;
  SamplerConfig config;
  config.method = Method::Ode;
  config.backend = Backend::Cpu;
  EXPECT_EQ(refusal_of(three_modes(), config),
            "sampler = ode: the probability-flow ODE needs two or more noise levels: a "
            "noise-conditional model, or sigmas for a Gaussian mixture");
  config.sigmas = {1.0};
  EXPECT_NE(refusal_of(three_modes(), config).find("sampler = ode"), std::string::npos);
  config.sigmas = {1.0, 0.1};
  config.epsilon = 0.01;
  EXPECT_EQ(refusal_of(three_modes(), config),
            "epsilon = 0.01: the ODE's integrator chooses its own steps: leave epsilon at 0");
  config.epsilon = 0.0;
  config.rtol = 0.0;
  EXPECT_EQ(refusal_of(three_modes(), config), "rtol = 0: must be in (0, 1]");
  config.rtol = 1e-5;
  config.atol = -1.0;
  EXPECT_EQ(refusal_of(three_modes(), config), "atol = -1: must be positive and finite");
  EXPECT_EQ(parse_method("ode"), Method::Ode);
}

}  // namespace
}  // namespace langevin
