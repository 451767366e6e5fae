// The sampler's contract: shapes, trajectories, initial states, reproducibility of the Philox
// streams (same seed, split runs, resumed positions), validation before any work.

#include <langevin/device/normal_stream.hpp>
#include <langevin/langevin.hpp>

#include "bit_identity.hpp"
#include "gpu.hpp"
#include "statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace langevin {
namespace {

using testing::two_components_3d;

GaussianMixture two_modes() { return GaussianMixture({2.0, 1.0}, {{-5.0}, {6.0}}, {{3.0}, {1.0}}); }

SamplerConfig small_config() {
  SamplerConfig config;
  config.chains = 500;
  config.steps = 100;
  config.epsilon = 0.01;
  config.seed = 42;
  config.backend = Backend::Cpu;
  return config;
}

TEST(NormalStream, DrawsStandardNormals) {
  // 10⁸ normals from 10⁵ chains' streams. The empirical CDF is compared with Φ at 4001 grid
  // points: the largest gap there is at most the KS statistic D_n, so comparing it with D_n's
  // 1 % critical value (1.6·10⁻⁴ here) is a valid, slightly conservative KS test, and it
  // needs no sort. (A first version used 10⁶ normals and an exact KS statistic; it failed at
  // p ≈ 0.8 %, and 10⁸ normals showed no bias, so the test was made this much stronger.)
  constexpr int kEdges = 4001;
  constexpr double kLow = -6.0, kHigh = 6.0;
  std::vector<std::int64_t> below(kEdges + 1, 0);
  double sum = 0.0, squares = 0.0;
  std::int64_t n = 0;
  for (unsigned long long chain = 0; chain < 100000; ++chain) {
    device::NormalStream stream(5, chain, 4, 0);
    for (int draw = 0; draw < 250; ++draw) {
      float z[4];
      stream.draw<4>(z, 4);
      for (float v : z) {
        sum += v;
        squares += static_cast<double>(v) * v;
        // Index of the first grid edge above v.
        const double position = (v - kLow) / (kHigh - kLow) * (kEdges - 1);
        const int bin = position < 0 ? 0 : position >= kEdges - 1 ? kEdges : int(position) + 1;
        ++below[bin];
        ++n;
      }
    }
  }
  const double mean = sum / n;
  const double variance = squares / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, 4 * std::sqrt(1.0 / n));
  EXPECT_NEAR(variance, 1.0, 4 * std::sqrt(2.0 / n));
  double largest_gap = 0.0;
  std::int64_t cumulative = 0;
  for (int e = 0; e < kEdges; ++e) {
    cumulative += below[e];  // values below edge e
    const double edge = kLow + (kHigh - kLow) * e / (kEdges - 1);
    largest_gap = std::max(largest_gap, std::abs(double(cumulative) / n -
                                                 testing::normal_cdf(edge, 0, 1)));
  }
  EXPECT_LT(largest_gap, testing::ks_critical_1_percent(n));
}

TEST(NormalStream, PositionIsDrawIndexForEveryDimension) {
  // Opening a stream at draw k gives what draw k of a stream opened at 0 gives: the property
  // that lets resumed runs and split runs find their noise.
  for (int d : {1, 2, 3, 4, 5, 7, 8, 13}) {
    device::NormalStream from_start(9, 77, d, 0);
    float skipped[16];
    for (int k = 0; k < 5; ++k) from_start.draw<16>(skipped, d);
    float expected[16], actual[16];
    from_start.draw<16>(expected, d);
    device::NormalStream positioned(9, 77, d, 5);
    positioned.draw<16>(actual, d);
    for (int j = 0; j < d; ++j) EXPECT_EQ(actual[j], expected[j]) << "d = " << d << ", j = " << j;
  }
}

// Whether the build has the CUDA backend is known to the library as configured; without it the
// CPU runs everything and the GPU's entry points say why they refuse.
TEST(Backend, TheBuildSaysWhetherItHasCuda) {
  EXPECT_EQ(cuda_built(), LANGEVIN_TESTS_WITH_CUDA != 0);
  if (cuda_built()) return;
  EXPECT_TRUE(gpus().empty());
  EXPECT_EQ(resolve(Backend::Auto), Backend::Cpu);
  const auto says_off = [](const std::function<void()>& call) {
    try {
      call();
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("LANGEVIN_WITH_CUDA=OFF"), std::string::npos)
          << e.what();
    }
  };
  says_off([] { resolve(Backend::Cuda); });
  const float x[2] = {0.0f, 1.0f};
  says_off([&] { compare_on_device(x, 2, x, 2, 1); });
  says_off([&] { summarize_on_device(x, 2, 1); });
  SamplerConfig config;
  config.backend = Backend::Cuda;
  says_off([&] { sample(two_modes(), config); });
}

TEST(Sampler, FinalShapeAndTrajectoryShape) {
  SamplerConfig config = small_config();
  EXPECT_EQ(sample(two_components_3d(), config).shape(), (std::vector<std::int64_t>{500, 3}));
  config.keep = Keep::Trajectory;
  config.burn_in = 10;
  config.thin = 7;  // steps 10, 17, …, 94: ⌈90 / 7⌉ = 13
  EXPECT_EQ(kept_steps(config), 13);
  EXPECT_EQ(sample(two_components_3d(), config).shape(), (std::vector<std::int64_t>{500, 13, 3}));
}

TEST(Sampler, SameSeedGivesIdenticalOutput) {
  const SamplerConfig config = small_config();
  EXPECT_EQ(sample(two_components_3d(), config).values(), sample(two_components_3d(), config).values());
}

TEST(Sampler, DifferentSeedsDiffer) {
  SamplerConfig config = small_config();
  const Array a = sample(two_components_3d(), config);
  config.seed = 43;
  const Array b = sample(two_components_3d(), config);
  std::int64_t equal = 0;
  for (std::int64_t i = 0; i < a.size(); ++i) equal += a[i] == b[i];
  EXPECT_EQ(equal, 0);
}

TEST(Sampler, ChainsRunAloneEqualTheirRowsOfTheFullRun) {
  SamplerConfig config = small_config();
  config.keep = Keep::Trajectory;
  config.thin = 3;
  const Array full = sample(two_components_3d(), config);
  const std::int64_t row = full.size() / config.chains;
  for (auto [first, count] : {std::pair<std::int64_t, std::int64_t>{0, 1}, {123, 77}, {499, 1}}) {
    SamplerConfig part = config;
    part.first_chain = first;
    part.chains = count;
    const Array rows = sample(two_components_3d(), part);
    const std::vector<float> expected(full.values().begin() + first * row,
                                      full.values().begin() + (first + count) * row);
    EXPECT_EQ(rows.values(), expected) << "chains " << first << " … " << first + count - 1;
  }
}

TEST(Sampler, TrajectoryHoldsTheStateBeforeEachUpdate) {
  // Row t of a trajectory (burn-in 0, thin 1) is x_t: the final state of a t-step run, bit for
  // bit, and row 0 is the initial state.
  SamplerConfig config = small_config();
  config.chains = 50;
  config.steps = 30;
  config.keep = Keep::Trajectory;
  const Array trajectory = sample(two_modes(), config);
  for (std::int64_t t : {1, 2, 17, 29}) {
    SamplerConfig shorter = config;
    shorter.keep = Keep::Final;
    shorter.steps = t;
    const Array x_t = sample(two_modes(), shorter);
    for (std::int64_t i = 0; i < config.chains; ++i) {
      ASSERT_EQ(trajectory[i * 30 + t], x_t[i]) << "chain " << i << ", step " << t;
    }
  }
  // Initial states: N(0, 1), i.e. mean 0 and variance 1 within their standard errors.
  config.chains = 20000;
  config.steps = 1;
  const Array first = sample(two_modes(), config);
  const testing::Moments m = testing::moments(first.data(), config.chains);
  EXPECT_NEAR(m.mean, 0.0, 4 * m.mean_error());
  EXPECT_NEAR(m.variance, 1.0, 4 * m.variance_error_normal());
}

TEST(Sampler, InitialStatesAreUsedAsGiven) {
  SamplerConfig config = small_config();
  config.chains = 3;
  config.steps = 1;
  config.keep = Keep::Trajectory;
  config.init_states = Array({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Array x = sample(two_components_3d(), config);
  EXPECT_EQ(x.values(), config.init_states.values());
}

TEST(Sampler, InitialMeanAndStdShiftAndScaleTheSameDraws) {
  SamplerConfig config = small_config();
  config.steps = 1;
  config.keep = Keep::Trajectory;
  const Array standard = sample(two_components_3d(), config);
  config.init_mean = 3.0;
  config.init_std = 2.0;
  const Array shifted = sample(two_components_3d(), config);
  for (std::int64_t i = 0; i < standard.size(); ++i) {
    EXPECT_EQ(shifted[i], std::fma(2.0f, standard[i], 3.0f));
  }
}

TEST(Sampler, RunsAnMlpScoreModel) {
  // A linear "MLP" with one ReLU unit that is always on: s(x) = −(x − 1) for x > −10, i.e. the
  // score of N(1, 1); the sampler must then match ULA's moments for that Gaussian.
  DenseLayer hidden{1, 1, {1.0f}, {10.0f}};   // h = x + 10 (> 0)
  DenseLayer output{1, 1, {-1.0f}, {11.0f}};  // s = −h + 11 = −(x − 1)
  const Mlp mlp({hidden, output}, Activation::Relu);
  SamplerConfig config = small_config();
  config.chains = 100000;
  config.steps = 300;
  config.epsilon = 0.05;
  const Array x = sample(mlp, config);
  const testing::Moments m = testing::moments(x.data(), config.chains);
  const double a = 1 - config.epsilon;
  const double v_inf = 2 * config.epsilon / (1 - a * a);
  EXPECT_NEAR(m.mean, 1.0, 4 * m.mean_error());  // a^300 ≈ 2·10⁻⁷: converged
  EXPECT_NEAR(m.variance, v_inf, 4 * m.variance_error_normal());
}

/// Runs `config` with and without a progress callback; the sliced run must be bit-identical and
/// report increasing counts that end at the total.
template <class Target>
void expect_progress_changes_nothing(const Target& target, SamplerConfig config) {
  Sampler whole(target, config);
  const Array expected = whole.run();
  std::vector<std::int64_t> reports;
  config.on_progress = [&](std::int64_t done, std::int64_t total) {
    EXPECT_EQ(total, config.chains);
    reports.push_back(done);
  };
  Sampler sliced(target, config);
  const Array got = sliced.run();
  ASSERT_EQ(got.shape(), expected.shape());
  EXPECT_EQ(std::vector<float>(got.data(), got.data() + got.size()),
            std::vector<float>(expected.data(), expected.data() + expected.size()));
  ASSERT_GE(reports.size(), 2u) << "the run should have been sliced";
  for (std::size_t i = 1; i < reports.size(); ++i) EXPECT_GT(reports[i], reports[i - 1]);
  EXPECT_EQ(reports.back(), config.chains);
  if (config.method == Method::Mala) EXPECT_EQ(sliced.acceptance_rate(), whole.acceptance_rate());
}

TEST(SamplerProgress, SlicedRunsAreBitIdentical) {
  // 10 000 chains make slices of 4 096 on the CPU: two full ones and a partial last one, with
  // the first chain, initial states, trajectory and MALA offsets all moved per slice.
  SamplerConfig config = small_config();
  config.chains = 10000;
  config.steps = 20;
  config.first_chain = 123;
  expect_progress_changes_nothing(two_components_3d(), config);

  config.keep = Keep::Trajectory;
  config.burn_in = 3;
  config.thin = 4;
  config.method = Method::Mala;
  Array init({config.chains, 3});
  for (std::int64_t i = 0; i < init.size(); ++i) init[i] = 0.001f * static_cast<float>(i % 997);
  config.init_states = init;
  expect_progress_changes_nothing(two_components_3d(), config);

  // An MLP (the CPU's 16-chain blocks) annealed over levels it is conditioned on is covered by
  // the same slicing code; a plain one here.
  DenseLayer hidden{1, 8, {0.5f, -0.25f, 1.0f, 0.75f, -1.0f, 0.3f, 0.2f, -0.6f},
                    {0.1f, 0.2f, -0.1f, 0.0f, 0.3f, -0.2f, 0.05f, 0.4f}};
  DenseLayer output{8, 1, {-0.5f, 0.25f, -1.0f, -0.75f, 1.0f, -0.3f, -0.2f, 0.6f}, {0.1f}};
  SamplerConfig mlp_config = small_config();
  mlp_config.chains = 9000;
  mlp_config.steps = 10;
  expect_progress_changes_nothing(Mlp({hidden, output}, Activation::Tanh), mlp_config);
}

TEST(SamplerProgressGpu, SlicedRunsAreBitIdentical) {
  LANGEVIN_REQUIRE_GPU();
  // Slices of 2²⁰ chains on the GPU: 2.5·10⁶ chains make two full ones and a partial one.
  SamplerConfig config = small_config();
  config.backend = Backend::Cuda;
  config.chains = 2500000;
  config.steps = 5;
  config.first_chain = 77;
  config.method = Method::Mala;
  expect_progress_changes_nothing(two_components_3d(), config);
}

std::string validation_error(SamplerConfig config, int dim = 3) {
  try {
    validate(config, dim);
  } catch (const InvalidInput& e) {
    return e.what();
  }
  return "";
}

TEST(SamplerValidation, NamesTheFieldAndValue) {
  SamplerConfig config = small_config();
  EXPECT_EQ(validation_error(config), "");
  auto with = [&](auto change) {
    SamplerConfig changed = config;
    change(changed);
    return validation_error(changed);
  };
  EXPECT_EQ(with([](SamplerConfig& c) { c.chains = 0; }), "chains = 0: must be at least 1");
  EXPECT_EQ(with([](SamplerConfig& c) { c.steps = -5; }),
            "steps = -5: must be at least 1 (0: the default)");
  EXPECT_EQ(with([](SamplerConfig& c) { c.epsilon = -1; }),
            "epsilon = -1: must be positive and finite (0: the default)");
  EXPECT_EQ(with([](SamplerConfig& c) { c.epsilon = NAN; }),
            "epsilon = nan: must be positive and finite (0: the default)");
  // A float32 step of 0 or a subnormal would leave the chains where they started.
  EXPECT_EQ(with([](SamplerConfig& c) { c.epsilon = 1e-60; }),
            "epsilon = 1e-60: must be in float32's normal range, 1.2e-38 … 3.4e+38");
  EXPECT_EQ(with([](SamplerConfig& c) { c.epsilon = 1e39; }),
            "epsilon = 1e+39: must be in float32's normal range, 1.2e-38 … 3.4e+38");
  EXPECT_EQ(with([](SamplerConfig& c) { c.init_mean = 1e31; }),
            "init mean = 1e+31: must be finite, at most 1e30 in magnitude");
  EXPECT_EQ(with([](SamplerConfig& c) { c.first_chain = -1; }),
            "first_chain = -1: must be non-negative");
  EXPECT_EQ(with([](SamplerConfig& c) { c.init_std = INFINITY; }),
            "init std = inf: must be finite, at most 1e30 (negative: the default)");
  EXPECT_EQ(with([](SamplerConfig& c) {
              c.keep = Keep::Trajectory;
              c.burn_in = 100;
            }),
            "burn_in = 100: must be in [0, updates) = [0, 100)");
  EXPECT_EQ(with([](SamplerConfig& c) {
              c.keep = Keep::Trajectory;
              c.thin = 0;
            }),
            "thin = 0: must be at least 1");
  EXPECT_EQ(with([](SamplerConfig& c) { c.init_states = Array({2, 3}); }),
            "init_states shape = (2, 3): must be (chains, d) = (500, 3)");
  EXPECT_NE(with([](SamplerConfig& c) {
              c.chains = std::int64_t(1) << 62;
              c.keep = Keep::Trajectory;
            }).find("overflows 64 bits"),
            std::string::npos);
  EXPECT_EQ(validation_error(config, 1025), "dimension = 1025: the fused sampler takes 1 to 1024");
}

// N(0, 0.1²) with ε = 1: x ← x − 100 x + √2 z multiplies x by −99 a step, so every chain
// overflows float32 (|x| > 3.4e38) within about 20 updates and then stays NaN.
GaussianMixture narrow() { return GaussianMixture({1.0}, {{0.0}}, {{0.1}}); }

TEST(SamplerDivergence, ChainsThatBlowUpStopTheRunWithAnError) {
  SamplerConfig config = small_config();
  config.chains = 1000;
  config.steps = 200;
  config.epsilon = 1.0;
  Sampler sampler(narrow(), config);
  try {
    (void)sampler.run();
    FAIL() << "expected Error";
  } catch (const InvalidInput&) {
    FAIL() << "divergence is a failure while running, not invalid input";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind("1000 of 1000 chains diverged", 0), 0) << message;
    EXPECT_NE(message.find("epsilon = 1 is too large"), std::string::npos) << message;
  }
  const Divergence diverged = sampler.divergence();
  EXPECT_EQ(diverged.chains, 1000);
  // 99^k |x₀| passes 3.4e38 at k ≈ 19 for |x₀| ≈ 1; the earliest of 1000 chains (largest |x₀|,
  // up to ~3.3 for N(0, 1) draws) a little sooner.
  EXPECT_GE(diverged.first_update, 10);
  EXPECT_LE(diverged.first_update, 25);
}

TEST(SamplerDivergence, OnlyTheChainsThatDivergeAreCounted) {
  // Three chains start at 3e38 (finite, near float's largest): their score −100 x overflows to
  // −∞ and the first update makes them infinite. The others start at 0 and, at ε = 1e-3, contract
  // towards 0. Both the mixture's one-chain path and the MLP's 16-chain blocks are checked.
  SamplerConfig config = small_config();
  config.chains = 48;
  config.steps = 50;
  config.epsilon = 1e-3;
  Array init({48, 1});
  for (std::int64_t i = 0; i < 48; ++i) init[i] = (i % 16 == 5) ? 3e38f : 0.0f;
  config.init_states = init;

  Sampler mixture(narrow(), config);  // s(x) = −100 x
  EXPECT_THROW((void)mixture.run(), Error);
  EXPECT_EQ(mixture.divergence().chains, 3);
  EXPECT_EQ(mixture.divergence().first_update, 0);

  DenseLayer hidden{1, 1, {1.0f}, {0.0f}};
  DenseLayer output{1, 1, {-100.0f}, {0.0f}};  // s(x) = −100 relu(x)
  Sampler mlp(Mlp({hidden, output}, Activation::Relu), config);
  EXPECT_THROW((void)mlp.run(), Error);
  EXPECT_EQ(mlp.divergence().chains, 3);
  EXPECT_EQ(mlp.divergence().first_update, 0);

  // Without the far-out chains nothing diverges and the run returns.
  for (std::int64_t i = 0; i < 48; ++i) init[i] = 0.0f;
  config.init_states = init;
  Sampler healthy(narrow(), config);
  EXPECT_NO_THROW((void)healthy.run());
  EXPECT_EQ(healthy.divergence().chains, 0);
  EXPECT_EQ(healthy.divergence().first_update, -1);
}

TEST(SamplerDivergenceGpu, TheGpuReportsWhatTheCpuReports) {
  LANGEVIN_REQUIRE_GPU();
  SamplerConfig config = small_config();
  config.chains = 1000;
  config.steps = 200;
  config.epsilon = 1.0;
  Sampler cpu(narrow(), config);
  EXPECT_THROW((void)cpu.run(), Error);
  config.backend = Backend::Cuda;
  Sampler gpu(narrow(), config);
  EXPECT_THROW((void)gpu.run(), Error);
  // The same chains overflow at the same update, up to the last bits of the mixture's expf
  // and logf, which can move an overflow by one update (the noise itself is the same bits).
  EXPECT_EQ(gpu.divergence().chains, cpu.divergence().chains);
  EXPECT_NEAR(static_cast<double>(gpu.divergence().first_update),
              static_cast<double>(cpu.divergence().first_update), 1.0);
}

TEST(SamplerValidation, AnOutputLargerThanMemoryIsRefusedBeforeAllocating) {
  // 10¹² chains × 3 floats = 12 TB: refused by name, at once, rather than failing to allocate.
  SamplerConfig config = small_config();
  config.chains = 1000000000000;
  try {
    (void)sample(two_components_3d(), config);
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind("chains = 1000000000000: the output needs 1.2e+04 GB", 0), 0) << message;
    EXPECT_NE(message.find("host memory"), std::string::npos) << message;
  }
}

TEST(SamplerValidation, CudaWithoutAGpuIsAnError) {
  if (cuda_available()) GTEST_SKIP() << "a GPU is present";
  SamplerConfig config = small_config();
  config.backend = Backend::Cuda;
  EXPECT_THROW(sample(two_components_3d(), config), Error);
}

}  // namespace
}  // namespace langevin
