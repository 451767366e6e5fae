// The CUDA backend against the CPU backend: same configuration, the same bits. Skipped without
// a GPU.
//
// Why bits and not a tolerance (docs/REPRODUCIBILITY.md): both backends run the same device/
// code in the same order, with explicit fused multiply-adds and no other product fused into a
// sum (-ffp-contract=off, --fmad=false); they draw the same noise bit for bit (cuRAND's Philox
// words, the library's own Box–Muller); every elementary function is the library's own, and
// the rest is IEEE arithmetic, which both backends round exactly. A failure reports the largest
// gap: a few ulp say that some operation rounds differently (a fused product, a math library
// call), an O(1) gap a real discrepancy (a wrong stream, index, weight or step).

#include "gpu.hpp"

#include <langevin/langevin.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace langevin {
namespace {

void expect_identical(const Array& cpu, const Array& gpu) {
  ASSERT_EQ(cpu.shape(), gpu.shape());
  std::int64_t mismatches = 0;
  double worst = 0.0;
  for (std::int64_t i = 0; i < cpu.size(); ++i) {
    const float a = cpu[i], b = gpu[i];
    if (std::memcmp(&a, &b, sizeof(float)) == 0) continue;
    ++mismatches;
    const double gap = std::abs(double(a) - double(b)) / (1.0 + std::abs(double(a)));
    worst = std::isnan(gap) ? gap : std::max(worst, gap);
  }
  EXPECT_EQ(mismatches, 0) << "of " << cpu.size() << " values; largest relative gap " << worst;
}

Array run(const GaussianMixture& target, SamplerConfig config, Backend backend) {
  config.backend = backend;
  return sample(target, config);
}
Array run(const Mlp& model, SamplerConfig config, Backend backend) {
  config.backend = backend;
  return sample(model, config);
}

/// Three components in d dimensions, means −1.5, 0, 1.5 and standard deviations `narrowest`,
/// + 0.25, + 0.5 in every coordinate.
GaussianMixture three_components(int d, double narrowest) {
  std::vector<std::vector<double>> means, stds;
  for (int k = 0; k < 3; ++k) {
    means.emplace_back(d, 1.5 * (k - 1));
    stds.emplace_back(d, narrowest + 0.25 * k);
  }
  return GaussianMixture({0.2, 0.3, 0.5}, means, stds);
}

SamplerConfig short_run() {
  SamplerConfig config;
  config.chains = 3000;
  config.steps = 100;
  config.epsilon = 0.01;
  config.seed = 99;
  return config;
}

TEST(CpuGpu, MixtureChainsAreTheSameBitsInSeveralDimensions) {
  LANGEVIN_REQUIRE_GPU();
  for (int d : {1, 2, 3, 5, 16, 33, 100, 300}) {
    const GaussianMixture target = three_components(d, 1.0);
    SCOPED_TRACE("d = " + std::to_string(d));
    expect_identical(run(target, short_run(), Backend::Cpu),
                     run(target, short_run(), Backend::Cuda));
  }
}

TEST(CpuGpu, TrajectoriesAndSplitRunsAreTheSameBits) {
  LANGEVIN_REQUIRE_GPU();
  const GaussianMixture target({2.0, 1.0}, {{-5.0}, {6.0}}, {{3.0}, {1.0}});
  SamplerConfig config = short_run();
  config.keep = Keep::Trajectory;
  config.burn_in = 10;
  config.thin = 3;
  config.first_chain = 1000000;
  expect_identical(run(target, config, Backend::Cpu), run(target, config, Backend::Cuda));
}

TEST(CpuGpu, PredictorCorrectorAndOdeMixtureRunsAreTheSameBits) {
  LANGEVIN_REQUIRE_GPU();
  for (Method method : {Method::Pc, Method::Ode}) {
    for (int d : {1, 2, 5, 33}) {
      const GaussianMixture target = three_components(d, 0.5);
      SamplerConfig config = short_run();
      config.method = method;
      config.epsilon = 0.0;
      config.steps = 5;  // pc's predictor steps a level; not the ODE's
      config.sigmas = {5.0, 1.0, 0.2, 0.05};
      config.keep = Keep::Trajectory;
      SCOPED_TRACE(std::string(to_string(method)) + ", d = " + std::to_string(d));
      expect_identical(run(target, config, Backend::Cpu), run(target, config, Backend::Cuda));
    }
  }
}

TEST(CpuGpu, UnderdampedMixtureAndModelRunsAreTheSameBits) {
  LANGEVIN_REQUIRE_GPU();
  SamplerConfig config = short_run();
  config.method = Method::Underdamped;
  config.epsilon = 0.1;
  config.friction = 0.5;
  config.keep = Keep::Trajectory;
  config.thin = 7;
  for (int d : {1, 2, 5, 33}) {
    const GaussianMixture target = three_components(d, 0.5);
    SCOPED_TRACE("mixture, d = " + std::to_string(d));
    expect_identical(run(target, config, Backend::Cpu), run(target, config, Backend::Cuda));
  }
  for (const std::vector<int>& widths :
       std::vector<std::vector<int>>{{2, 256, 2}, {3, 64, 64, 3}, {16, 128, 16}}) {
    const Mlp model = Mlp::random(widths, Activation::Silu, 21);
    SCOPED_TRACE("model, d = " + std::to_string(widths.back()));
    expect_identical(run(model, config, Backend::Cpu), run(model, config, Backend::Cuda));
  }
}

TEST(CpuGpu, InitialStatesFromTheCallerGiveTheSameBits) {
  LANGEVIN_REQUIRE_GPU();
  const GaussianMixture target({1.0}, {{0.0, 1.0}}, {{1.0, 2.0}});
  SamplerConfig config = short_run();
  config.chains = 4;
  config.init_states = Array({4, 2}, {-3, 3, 0, 0, 10, -10, 0.5, 0.25});
  expect_identical(run(target, config, Backend::Cpu), run(target, config, Backend::Cuda));
}

class CpuGpuMlp : public ::testing::TestWithParam<Activation> {};

TEST_P(CpuGpuMlp, ChainsAreTheSameBitsForShallowAndDeepNetworks) {
  LANGEVIN_REQUIRE_GPU();
  SamplerConfig config = short_run();
  config.steps = 20;
  for (const std::vector<int>& widths : std::vector<std::vector<int>>{
           {1, 1024, 1}, {1, 37, 1}, {3, 64, 3}, {2, 32, 48, 2}, {16, 128, 16}, {100, 64, 100}}) {
    const Mlp model = Mlp::random(widths, GetParam(), 17);
    SCOPED_TRACE("widths of " + std::to_string(widths.size()) + " layers, d = " +
                 std::to_string(widths[0]) + ", first hidden " + std::to_string(widths[1]));
    expect_identical(run(model, config, Backend::Cpu), run(model, config, Backend::Cuda));
  }
}

TEST_P(CpuGpuMlp, ScoresAreTheSameBits) {
  LANGEVIN_REQUIRE_GPU();
  const Mlp model = Mlp::random({3, 200, 100, 3}, GetParam(), 18);
  const Array points = sample(GaussianMixture({1.0}, {{0, 0, 0}}, {{2, 2, 2}}), [] {
    SamplerConfig c;
    c.chains = 1000;
    c.steps = 1;
    c.backend = Backend::Cpu;
    return c;
  }());
  expect_identical(score(model, points, Backend::Cpu), score(model, points, Backend::Cuda));
}

TEST_P(CpuGpuMlp, NoiseConditionalModelsAnnealToTheSameBits) {
  LANGEVIN_REQUIRE_GPU();
  // Networks (x, log σ) → d, scores divided by σ; 3 levels × 10 steps with α_i = ε σ_i²/σ_L²
  // (ε = 10⁻³, σ_L = 0.3: α ≤ 0.1, scores O(1/σ)), then the denoising step.
  SamplerConfig config = short_run();
  config.steps = 10;
  config.epsilon = 1e-3;
  config.denoise = true;
  for (const std::vector<int>& widths :
       std::vector<std::vector<int>>{{2, 256, 1}, {3, 64, 64, 2}, {17, 128, 16}}) {
    const Mlp model(Mlp::random(widths, GetParam(), 19).layers(), GetParam(), {3.0, 1.0, 0.3});
    SCOPED_TRACE("widths of " + std::to_string(widths.size()) + " layers, d = " +
                 std::to_string(widths.back()));
    expect_identical(run(model, config, Backend::Cpu), run(model, config, Backend::Cuda));
    const Array points({2, widths.back()});
    expect_identical(score(model, points, 0.5, Backend::Cpu),
                     score(model, points, 0.5, Backend::Cuda));
  }
}

TEST_P(CpuGpuMlp, PredictorCorrectorAndOdeRunsAreTheSameBits) {
  LANGEVIN_REQUIRE_GPU();
  for (Method method : {Method::Pc, Method::Ode}) {
    SamplerConfig config = short_run();
    config.method = method;
    config.epsilon = 0.0;
    config.steps = 4;
    config.corrector_steps = 2;
    config.rtol = config.atol = 1e-4;
    for (bool denoise : {false, true}) {
      config.denoise = denoise;
      for (const std::vector<int>& widths :
           std::vector<std::vector<int>>{{2, 256, 1}, {3, 64, 64, 2}, {17, 128, 16}}) {
        const Mlp model(Mlp::random(widths, GetParam(), 20).layers(), GetParam(),
                        {3.0, 1.0, 0.3});
        SCOPED_TRACE(std::string(to_string(method)) + ", widths of " +
                     std::to_string(widths.size()) + " layers, d = " +
                     std::to_string(widths.back()));
        expect_identical(run(model, config, Backend::Cpu), run(model, config, Backend::Cuda));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Activations, CpuGpuMlp,
                         ::testing::Values(Activation::Relu, Activation::Softplus,
                                           Activation::Tanh, Activation::Silu),
                         [](const ::testing::TestParamInfo<Activation>& info) {
                           return std::string(to_string(info.param));
                         });

TEST(CpuGpu, MixtureScoresAreTheSameBits) {
  LANGEVIN_REQUIRE_GPU();
  const GaussianMixture target({0.5, 0.5}, {{-1, 2}, {3, 0}}, {{1, 0.5}, {2, 1}});
  Array points({5, 2}, {0, 0, -1, 2, 100, -50, 3, 0.5, -1000, 1000});
  expect_identical(score(target, points, Backend::Cpu), score(target, points, Backend::Cuda));
}

TEST(DeviceResults, RunOnDeviceKeepsTheResultOnTheGpu) {
  LANGEVIN_REQUIRE_GPU();
  const GaussianMixture target({1.0}, {{0.0}}, {{1.0}});
  SamplerConfig config = short_run();
  config.backend = Backend::Cuda;
  Sampler sampler(target, config);
  DeviceArray on_device = sampler.run_on_device();
  EXPECT_EQ(on_device.shape, (std::vector<std::int64_t>{3000, 1}));
  EXPECT_EQ(on_device.to_host().values(), sampler.run().values());
  // Into caller-owned memory.
  DeviceBuffer<float> mine(3000);
  sampler.run_into(mine.data());
  std::vector<float> host(3000);
  mine.download(host.data(), host.size());
  EXPECT_EQ(host, on_device.to_host().values());
}

TEST(DeviceResults, RunOnDeviceNeedsTheCudaBackend) {
  SamplerConfig config = short_run();
  config.backend = Backend::Cpu;
  Sampler sampler(GaussianMixture({1.0}, {{0.0}}, {{1.0}}), config);
  EXPECT_THROW(sampler.run_on_device(), InvalidInput);
}

}  // namespace
}  // namespace langevin
