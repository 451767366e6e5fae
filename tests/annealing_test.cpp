// Annealed Langevin dynamics and MALA against analytic targets, their reproducibility, and the
// noise-conditional model's pieces.

#include "gpu.hpp"
#include "statistics.hpp"

#include <langevin/device/normal_stream.hpp>
#include <langevin/langevin.hpp>
#include <langevin/stats.hpp>
#include <langevin/trainer.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace langevin {
namespace {

class Annealing : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::Cuda) LANGEVIN_REQUIRE_GPU();
  }
};

/// Two well-separated modes with unequal weights: 0.2 at −4, 0.8 at +4 (σ = 0.5). A plain
/// Langevin chain started between them falls into either mode about equally often and cannot
/// cross the 8σ gap; annealing over the mixture's convolutions with N(0, σ_i²) — whose exact
/// score the library knows — moves the mass while the modes still overlap.
const GaussianMixture kSeparated({0.2, 0.8}, {{-4.0}, {4.0}}, {{0.5}, {0.5}});

double right_mode_weight(const Array& x) {
  std::int64_t right = 0;
  for (float v : x.values()) right += v > 0.0f;
  return static_cast<double>(right) / x.size();
}

// How slowly to anneal, and with what step. The weights are decided where chains stop crossing
// between the modes. At level σ the modes are N(±4, 0.25 + σ²); a chain frozen on the wrong side
// of 0 ends in the wrong mode, so the final right-mode weight is P(x > 0) at the freezing level:
// 0.8 Φ(4/s) + 0.2 (1 − Φ(4/s)), s² = 0.25 + σ². For it to be within 0.002 of 0.8, mixing must
// last down to σ ≈ 1.3 (s = 1.39), where the barrier e^{−16/(2s²)} ≈ e^{−4.1} makes crossings
// take ~60 time units. The step rule α_i = ε σ_i²/σ_L² fixes α/σ² = ε/σ_L² at every level, and
// ULA's own bias grows with it: run at the single level σ = 1.42 to equilibrium, P(x > 0) came
// out 0.7869 at α/σ² = 0.4 and 0.7993 at 0.1 (exact: 0.7976, 20 000 chains, SE 0.0028). So
// ε/σ_L² = 0.1 here (ε = 2.5·10⁻⁴, σ_L = 0.05); 20 levels from 10 and 1000 updates each give the
// level σ = 1.33 about 1000 · 0.1 · 1.77 ≈ 180 time units. (Earlier versions froze too early
// — 10 levels × 200 updates, 0.785 — or ran at α/σ² = 0.4 — 0.786: the two effects themselves.)
TEST_P(Annealing, RecoversTheWeightsOfSeparatedModes) {
  SamplerConfig config;
  config.chains = 20000;
  config.steps = 1000;
  config.epsilon = 2.5e-4;
  config.sigmas = geometric_noise_levels(10.0, 0.05, 20);
  config.denoise = true;
  config.seed = 41;
  config.backend = GetParam();
  const Array x = sample(kSeparated, config);
  // Binomial standard error of the right mode's weight: √(0.8 · 0.2 / n) ≈ 0.0028.
  const double error = std::sqrt(0.8 * 0.2 / config.chains);
  EXPECT_NEAR(right_mode_weight(x), 0.8, 4 * error);
  // Within the right mode the law is N(4, 0.5²) (convolved with N(0, σ_L²) and denoised).
  std::vector<float> right;
  for (float v : x.values()) {
    if (v > 0) right.push_back(v);
  }
  const testing::Moments m = testing::moments(right.data(), static_cast<std::int64_t>(right.size()));
  EXPECT_NEAR(m.mean, 4.0, 4 * m.mean_error() + 0.01);  // + the denoised run's O(σ_L²) bias
}

TEST_P(Annealing, PlainLangevinCannotFixTheWeights) {
  // The contrast: the same chains without annealing keep the weights they start with.
  SamplerConfig config;
  config.chains = 20000;
  config.steps = 2000;
  config.epsilon = 1e-3;
  config.seed = 41;
  config.backend = GetParam();
  const double weight = right_mode_weight(sample(kSeparated, config));
  EXPECT_GT(std::abs(weight - 0.8), 0.2);
}

TEST_P(Annealing, TrajectoryCountsTheUpdatesOfAllLevels) {
  SamplerConfig config;
  config.chains = 10;
  config.steps = 30;
  config.epsilon = 1e-3;
  config.sigmas = {2.0, 1.0, 0.5};
  config.keep = Keep::Trajectory;
  config.burn_in = 5;
  config.thin = 10;  // updates 5, 15, …, 85 of 90
  config.backend = GetParam();
  Sampler sampler(kSeparated, config);
  EXPECT_EQ(sampler.output_shape(), (std::vector<std::int64_t>{10, 9, 1}));
  EXPECT_EQ(sampler.run().shape(), (std::vector<std::int64_t>{10, 9, 1}));
}

// MALA against ULA at a step where ULA's bias shows: for N(0, 1), ULA's stationary variance is
// 1/(1 − ε/2) = 1.5 at ε = 2/3 (KS ≈ 0.05 against Φ: far above the critical 0.0115 for 20 000
// independent chains), while MALA leaves N(0, 1) exactly invariant.
TEST_P(Annealing, MalaIsExactWhereUlaIsBiased) {
  const GaussianMixture standard({1.0}, {{0.0}}, {{1.0}});
  SamplerConfig config;
  config.chains = 20000;
  config.steps = 300;
  config.epsilon = 2.0 / 3.0;
  config.seed = 43;
  config.backend = GetParam();
  auto ks_against_normal = [](const Array& x) {
    return testing::ks_statistic(std::vector<double>(x.values().begin(), x.values().end()),
                                 [](double v) { return testing::normal_cdf(v, 0, 1); });
  };
  const double critical = testing::ks_critical_1_percent(20000);
  EXPECT_GT(ks_against_normal(sample(standard, config)), critical);  // ULA: biased
  config.method = Method::Mala;
  Sampler mala(standard, config);
  EXPECT_LT(ks_against_normal(mala.run()), critical);
  const double rate = mala.acceptance_rate();
  EXPECT_GT(rate, 0.3);
  EXPECT_LT(rate, 1.0);
}

TEST_P(Annealing, MalaOnAMixturePassesKolmogorovSmirnov) {
  const std::vector<double> w{0.3, 0.7}, m{-1.0, 1.5}, s{0.8, 1.0};
  const GaussianMixture target(w, {{m[0]}, {m[1]}}, {{s[0]}, {s[1]}});
  SamplerConfig config;
  config.chains = 20000;
  config.steps = 400;
  config.epsilon = 0.3;
  config.seed = 44;
  config.method = Method::Mala;
  config.backend = GetParam();
  const Array x = sample(target, config);
  const double ks = testing::ks_statistic(
      std::vector<double>(x.values().begin(), x.values().end()), [&](double v) {
        return w[0] * testing::normal_cdf(v, m[0], s[0]) + w[1] * testing::normal_cdf(v, m[1], s[1]);
      });
  EXPECT_LT(ks, testing::ks_critical_1_percent(x.size()));
}

INSTANTIATE_TEST_SUITE_P(Backends, Annealing, ::testing::Values(Backend::Cpu, Backend::Cuda),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(to_string(info.param));
                         });

TEST(AnnealingReproducibility, SplitRunsEqualTheirRows) {
  SamplerConfig config;
  config.chains = 300;
  config.steps = 20;
  config.epsilon = 1e-3;
  config.sigmas = {3.0, 1.0, 0.3};
  config.denoise = true;
  config.seed = 45;
  config.backend = Backend::Cpu;
  const Array full = sample(kSeparated, config);
  config.first_chain = 100;
  config.chains = 50;
  const Array part = sample(kSeparated, config);
  EXPECT_EQ(part.values(), std::vector<float>(full.values().begin() + 100, full.values().begin() + 150));
}

TEST(AnnealingCpuGpu, MixtureAndMalaAreTheSameBits) {
  // The mixture's noise-conditional score and MALA's accept test (log u against log α) use the
  // library's own exp, log and log1p on both backends, so every chain takes the same decisions
  // and the runs are the same bits (tests/cpu_gpu_test.cpp says why).
  LANGEVIN_REQUIRE_GPU();
  SamplerConfig config;
  config.chains = 2000;
  config.steps = 30;
  config.epsilon = 1e-3;
  config.sigmas = {3.0, 1.0, 0.3};
  config.denoise = true;
  config.seed = 46;
  for (Method method : {Method::Ula, Method::Mala}) {
    SamplerConfig c = config;
    c.method = method;
    if (method == Method::Mala) c.sigmas.clear(), c.denoise = false, c.epsilon = 0.1;
    c.backend = Backend::Cpu;
    const Array cpu = sample(kSeparated, c);
    c.backend = Backend::Cuda;
    const Array gpu = sample(kSeparated, c);
    std::int64_t differing = 0;
    for (std::int64_t i = 0; i < cpu.size(); ++i) differing += !(cpu[i] == gpu[i]);
    EXPECT_EQ(differing, 0) << to_string(method) << ": of " << cpu.size() << " values";
  }
}

TEST(AnnealingValidation, RefusesWhatCannotWork) {
  SamplerConfig config;
  config.method = Method::Mala;
  config.sigmas = {1.0, 0.5};
  EXPECT_THROW(sample(kSeparated, config), InvalidInput);  // MALA does not anneal
  config = SamplerConfig{};
  config.denoise = true;
  EXPECT_THROW(sample(kSeparated, config), InvalidInput);  // denoise needs annealing
  config = SamplerConfig{};
  config.sigmas = {0.5, 1.0};
  EXPECT_THROW(sample(kSeparated, config), InvalidInput);  // levels must decrease
  // Each level must be a normal float: 1e-40 would be subnormal, 1e40 infinite once in float.
  const std::pair<double, const char*> outside[] = {{1e-40, "sigmas[0] = 1e-40: "},
                                                     {1e40, "sigmas[0] = 1e+40: "}};
  for (const auto& [sigma, message] : outside) {
    config = SamplerConfig{};
    config.sigmas = {sigma};
    try {
      sample(kSeparated, config);
      ADD_FAILURE() << "sigmas = {" << sigma << "} was accepted";
    } catch (const InvalidInput& error) {
      EXPECT_NE(std::string(error.what()).find(message), std::string::npos) << error.what();
    }
  }
  config = SamplerConfig{};
  config.method = Method::Mala;
  EXPECT_THROW(sample(Mlp::random({1, 8, 1}, Activation::Tanh, 1), config), InvalidInput);
}

// ---- noise-conditional models -----------------------------------------------------------

TEST(NoiseConditional, ModelRoundTripsWithItsLevels) {
  TrainConfig config;
  config.loss = Loss::Ncsn;
  config.hidden = {16};
  config.sigmas = geometric_noise_levels(5.0, 0.1, 4);
  const Mlp model = initial_model(2, config);
  EXPECT_TRUE(model.noise_conditional());
  EXPECT_EQ(model.input_dim(), 3);
  EXPECT_EQ(model.data_dim(), 2);
  const std::string path = ::testing::TempDir() + "nc.safetensors";
  save_mlp(path, model);
  const Mlp loaded = load_mlp(path);
  EXPECT_EQ(loaded.noise_levels(), model.noise_levels());
  const Array points({2, 2}, {0.5f, -1.0f, 2.0f, 0.0f});
  EXPECT_EQ(score(loaded, points, 0.7, Backend::Cpu).values(),
            score(model, points, 0.7, Backend::Cpu).values());
  EXPECT_THROW(score(model, points, Backend::Cpu), InvalidInput);  // needs a level
  std::remove(path.c_str());
}

TEST(NoiseConditional, ScoreIsTheNetworkOverSigma) {
  // s(x, σ) = net(x, log σ)/σ: compare with the plain network evaluated on (x, log σ).
  TrainConfig config;
  config.loss = Loss::Ncsn;
  config.hidden = {8, 8};
  config.activation = Activation::Silu;
  config.sigmas = {2.0, 0.5};
  const Mlp model = initial_model(1, config);
  const Mlp plain(model.layers(), model.activation());  // the same network, unconditioned
  const float sigma = 0.5f;
  const Array x({3, 1}, {-1.0f, 0.0f, 2.0f});
  Array with_level({3, 2});
  for (int i = 0; i < 3; ++i) {
    with_level[2 * i] = x[i];
    with_level[2 * i + 1] = std::log(sigma);
  }
  // The plain network maps 2 → 1, not a score model: evaluate it layer by layer by hand.
  const Array s = score(model, x, sigma, Backend::Cpu);
  for (int i = 0; i < 3; ++i) {
    std::vector<double> h{with_level[2 * i], with_level[2 * i + 1]};
    for (std::size_t l = 0; l < plain.layers().size(); ++l) {
      const DenseLayer& layer = plain.layers()[l];
      std::vector<double> next(layer.outputs);
      for (int j = 0; j < layer.outputs; ++j) {
        double v = layer.bias[j];
        for (int k = 0; k < layer.inputs; ++k) v += layer.weight[j * layer.inputs + k] * h[k];
        next[j] = l + 1 < plain.layers().size() ? v / (1 + std::exp(-v)) : v;
      }
      h = next;
    }
    EXPECT_NEAR(s[i], h[0] / sigma, 1e-5 * (1 + std::abs(h[0] / sigma)));
  }
}

TEST(NoiseConditional, ScoreRefusesALevelThatIsNoNormalFloat) {
  // 1e-50 would round to 0 in float (and the plain kernel would run), 1e-39 to a subnormal,
  // 1e39 to infinity: none has the log σ the network was trained on.
  TrainConfig config;
  config.loss = Loss::Ncsn;
  config.hidden = {8};
  config.sigmas = {2.0, 0.5};
  const Mlp model = initial_model(1, config);
  const Array x({1, 1}, {0.0f});
  for (double sigma : {0.0, -1.0, 1e-50, 1e-39, 1e39}) {
    EXPECT_THROW(score(model, x, sigma, Backend::Cpu), InvalidInput) << "sigma = " << sigma;
  }
  EXPECT_NO_THROW(score(model, x, 1e-30, Backend::Cpu));
}

// The ncsn loss learns the smoothed scores of N(μ, s²) data: at level σ the target is
// −(x − μ)/(s² + σ²). Stated tolerance, as for the other recovery tests: 10 % of the largest
// true score on μ ± 2√(s² + σ²), at each level.
TEST(NoiseConditional, NcsnTrainingRecoversTheSmoothedScores) {
  const double mu = 1.0, spread = 0.5;
  Array data({4000, 1});
  for (std::int64_t i = 0; i < 4000; ++i) {
    device::NormalStream stream(47, static_cast<unsigned long long>(i), 1, 0);
    float z;
    stream.draw<1>(&z, 1);
    data[i] = static_cast<float>(mu + spread * z);
  }
  TrainConfig config;
  config.loss = Loss::Ncsn;
  config.sigmas = geometric_noise_levels(2.0, 0.2, 4);
  config.hidden = {64};
  config.activation = Activation::Tanh;
  config.optimizer = Optimizer::Adam;
  config.learning_rate = 1e-2;
  config.iterations = 3000;
  config.seed = 48;
  config.backend = Backend::Cpu;
  const TrainResult fit = train(data, config);
  ASSERT_TRUE(fit.model.noise_conditional());
  for (double sigma : config.sigmas) {
    const double variance = spread * spread + sigma * sigma;
    const double width = std::sqrt(variance);
    Array grid({21, 1});
    for (int i = 0; i < 21; ++i) grid[i] = static_cast<float>(mu - 2 * width + 0.2 * i * width);
    const Array s = score(fit.model, grid, sigma, Backend::Cpu);
    for (int i = 0; i < 21; ++i) {
      EXPECT_NEAR(s[i], -(grid[i] - mu) / variance, 0.1 * 2.0 / width)
          << "sigma " << sigma << ", x = " << grid[i];
    }
  }
}

// ---- comparison in several dimensions -----------------------------------------------------

TEST(CompareMultivariate, ComponentWeightsAndSlicedWasserstein) {
  const GaussianMixture ring({1, 2, 3}, {{3, 0}, {-1.5, 2.6}, {-1.5, -2.6}},
                             {{0.3, 0.3}, {0.3, 0.3}, {0.3, 0.3}});
  const Array a = draw(ring, 30000, 49);
  const Array b = draw(ring, 30000, 50);
  CompareOptions options;
  options.mixture = &ring;
  options.backend = Backend::Cpu;
  const Comparison c = compare(a, b, options);
  for (int k = 0; k < 3; ++k) {
    const double w = ring.weights()[k];
    const double error = std::sqrt(w * (1 - w) / 30000);  // binomial; the modes are 10σ apart
    EXPECT_NEAR(c.component_weights_a[k], w, 4 * error);
    EXPECT_NEAR(c.component_weights_b[k], w, 4 * error);
  }
  // Two samples of one law: sliced W1 of order 1/√n; a shifted copy: about the shift's mean
  // projected length (|shift| · E|u₁| = |shift| · 2/π in 2-D).
  EXPECT_LT(c.sliced_wasserstein, 0.05);
  Array shifted = b;
  for (std::int64_t i = 0; i < shifted.dim(0); ++i) shifted[2 * i] += 1.0f;
  const double moved = compare(a, shifted, options).sliced_wasserstein;
  EXPECT_NEAR(moved, 2.0 / M_PI, 0.05);
}

TEST(SamplerDefaults, PlainAndAnnealedRunsMakeTheirDefaultsConcrete) {
  // Plain Langevin: 2 000 steps of 5·10⁻³ from N(0, 1). Annealed over σ₁ > … > σ_L: 100 steps a
  // level of α_i = 0.1 σ_i² (ε = 0.1 σ_L²) from N(0, σ₁²). What is given stays as given.
  const SamplerConfig plain = with_defaults(SamplerConfig{}, {});
  EXPECT_EQ(plain.steps, 2000);
  EXPECT_EQ(plain.epsilon, 5e-3);
  EXPECT_EQ(plain.init_std, 1.0);
  const SamplerConfig annealed = with_defaults(SamplerConfig{}, {10.0, 1.0, 0.1});
  EXPECT_EQ(annealed.steps, 100);
  EXPECT_EQ(annealed.epsilon, 0.1 * 0.1 * 0.1);
  EXPECT_EQ(annealed.init_std, 10.0);
  SamplerConfig given;
  given.steps = 7;
  given.epsilon = 0.25;
  given.init_std = 0.0;  // all chains at init_mean
  const SamplerConfig kept = with_defaults(given, {10.0, 1.0});
  EXPECT_EQ(kept.steps, 7);
  EXPECT_EQ(kept.epsilon, 0.25);
  EXPECT_EQ(kept.init_std, 0.0);

  // A run with the defaults is the run with them written out, and reports them.
  SamplerConfig config;
  config.chains = 300;
  config.backend = Backend::Cpu;
  SamplerConfig explicit_plain = config;
  explicit_plain.steps = 2000;
  explicit_plain.epsilon = 5e-3;
  explicit_plain.init_std = 1.0;
  EXPECT_EQ(sample(kSeparated, config).values(), sample(kSeparated, explicit_plain).values());
  config.sigmas = {6.0, 2.0, 0.5};
  const Sampler sampler(kSeparated, config);
  EXPECT_EQ(sampler.config().steps, 100);
  EXPECT_EQ(sampler.config().epsilon, 0.1 * 0.5 * 0.5);
  EXPECT_EQ(sampler.config().init_std, 6.0);
  SamplerConfig explicit_annealed = config;
  explicit_annealed.steps = 100;
  explicit_annealed.epsilon = 0.1 * 0.5 * 0.5;
  explicit_annealed.init_std = 6.0;
  EXPECT_EQ(sample(kSeparated, config).values(), sample(kSeparated, explicit_annealed).values());
}

}  // namespace
}  // namespace langevin
