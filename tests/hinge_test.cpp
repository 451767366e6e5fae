// The hinge form of 1-D one-hidden-layer ReLU networks (device/hinge.hpp,
// host/run/hinge_form.cpp), which the sampler and score() use for them unless the layered pass
// is asked for: the same function as the layered network within its float rounding bound, the
// CPU's blocks of 16 chains bit-identical to one chain at a time, the GPU's two launch shapes
// bit-identical to each other, the sampler's law on a network whose score is exactly Gaussian,
// and the models the form does not apply to.

#include "gpu.hpp"
#include "run/driver.hpp"
#include "run/hinge_form.hpp"
#include "statistics.hpp"

#include <langevin/device/chain.hpp>
#include <langevin/device/hinge.hpp>
#include <langevin/langevin.hpp>

#include "cpu_simd.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace langevin {
namespace {

constexpr double kUnitRoundoff = 5.9604644775390625e-8;  // 2^-24

double gamma(double n) { return n * kUnitRoundoff / (1.0 - n * kUnitRoundoff); }

/// A 1 → H → 1 ReLU network from raw values.
Mlp relu_network(const std::vector<float>& w1, const std::vector<float>& b1,
                 const std::vector<float>& w2, float b2) {
  const int hidden = static_cast<int>(w1.size());
  return Mlp({DenseLayer{1, hidden, w1, b1}, DenseLayer{hidden, 1, w2, {b2}}}, Activation::Relu);
}

/// The network's exact value at x (double; its own rounding is ~10⁻¹⁶ relative, negligible
/// here), and a bound on the hinge form's float error there. With t_j, v_j, c₀, c₁ each rounded
/// once to float (relative error ≤ u), a unit's term v_j max(x, t_j) is off by at most
/// u|v_j|(|x| + 2|t_j|); the units' sums (n = units/16 FMAs into each partial sum, 4 folding
/// additions, + c₀, the final FMA) add at most γ_{n+6} times the sum of the magnitudes.
struct Exact {
  double value = 0.0;
  double bound = 0.0;
};
Exact exact_and_bound(const Mlp& model, double x) {
  const DenseLayer& first = model.layers()[0];
  const DenseLayer& last = model.layers()[1];
  const int hidden = first.outputs;
  double value = last.bias[0], terms = 0.0, representation = 0.0, c0 = last.bias[0], c1 = 0.0;
  for (int j = 0; j < hidden; ++j) {
    const double a = first.weight[j], b = first.bias[j], w = last.weight[j];
    value += w * std::max(a * x + b, 0.0);
    if (a == 0.0) {
      c0 += w * std::max(b, 0.0);
      continue;
    }
    const double t = -b / a, v = w * std::abs(a);
    terms += std::abs(v) * std::max(std::abs(x), std::abs(t));
    representation += kUnitRoundoff * std::abs(v) * (std::abs(x) + 2.0 * std::abs(t));
    if (a > 0) c0 -= v * t; else c1 -= v;
  }
  const double units = std::ceil(hidden / 16.0) * 16.0;
  const double line = std::abs(c0) + std::abs(c1 * x);
  return {value, representation + kUnitRoundoff * line + gamma(units / 16 + 6) * (terms + line)};
}

void expect_within_bound(const Mlp& model, const Array& x, const Array& s) {
  for (std::int64_t i = 0; i < x.size(); ++i) {
    const Exact exact = exact_and_bound(model, x[i]);
    EXPECT_NEAR(s[i], exact.value, 2.0 * exact.bound) << "x = " << x[i];
  }
}

Array points(std::int64_t n, double spread, std::uint64_t seed) {
  return draw(GaussianMixture({1.0}, {{0.3}}, {{spread}}), n, seed);
}

TEST(Hinge, AppliesToOneHiddenLayerReluNetworksOnOneDimension) {
  EXPECT_TRUE(detail::hinge_form(Mlp::random({1, 1024, 1}, Activation::Relu, 1)));
  EXPECT_TRUE(detail::hinge_form(Mlp::random({1, 1, 1}, Activation::Relu, 1)));
  // Any width: past a GPU block's shared memory the pairs are read from global memory.
  EXPECT_TRUE(detail::hinge_form(Mlp::random({1, 8192, 1}, Activation::Relu, 1)));
  EXPECT_FALSE(detail::hinge_form(Mlp::random({1, 64, 1}, Activation::Silu, 1)));
  EXPECT_FALSE(detail::hinge_form(Mlp::random({2, 64, 2}, Activation::Relu, 1)));
  EXPECT_FALSE(detail::hinge_form(Mlp::random({1, 8, 8, 1}, Activation::Relu, 1)));
  const Mlp conditional(Mlp::random({2, 16, 1}, Activation::Relu, 1).layers(), Activation::Relu,
                        {1.0, 0.1});
  EXPECT_FALSE(detail::hinge_form(conditional));
}

TEST(Hinge, PadsUnitsToWholeGroupsWithZeros) {
  const std::optional<detail::HingeForm> form =
      detail::hinge_form(Mlp::random({1, 37, 1}, Activation::Relu, 2));
  ASSERT_TRUE(form);
  EXPECT_EQ(form->units(), 48);
  for (int j = 37; j < 48; ++j) {
    EXPECT_EQ(form->pairs[2 * j], 0.0f);
    EXPECT_EQ(form->pairs[2 * j + 1], 0.0f);
  }
}

TEST(Hinge, ScoresTheNetworkWithinItsRoundingBound) {
  for (int hidden : {1, 15, 37, 1024, 3000}) {
    SCOPED_TRACE("hidden " + std::to_string(hidden));
    const Mlp model = Mlp::random({1, hidden, 1}, Activation::Relu, 10 + hidden);
    const Array x = points(101, 3.0, 7);
    expect_within_bound(model, x, score(model, x, Backend::Cpu));
  }
}

/// A bound on the layered pass's float error at x for a 1 → H → 1 ReLU network: each unit's
/// pre-activation a_j x + b_j is one FMA (relative error ≤ u; ReLU is 1-Lipschitz), and the
/// output sums H products into 16 partial sums (at most H/16 + 15 FMAs into one), folds them (4
/// additions) and adds b₂: γ_{H/16 + 21} times the sum of the magnitudes.
double layered_bound(const Mlp& model, double x) {
  const DenseLayer& first = model.layers()[0];
  const DenseLayer& last = model.layers()[1];
  const int hidden = first.outputs;
  double magnitudes = 0.0;
  for (int j = 0; j < hidden; ++j) {
    magnitudes += std::abs(double(last.weight[j])) *
                  std::abs(double(first.weight[j]) * x + double(first.bias[j]));
  }
  return kUnitRoundoff * magnitudes +
         gamma(hidden / 16.0 + 21) * ((1 + kUnitRoundoff) * magnitudes + std::abs(last.bias[0]));
}

TEST(Hinge, TheLayeredFormDiffersOnlyWithinBothRoundingBounds) {
  // ScoreForm::Layered (--score-form layered) runs the same network through the layered pass:
  // the same function, rounded differently; each form is within its bound of the exact value.
  for (int hidden : {37, 1024}) {
    SCOPED_TRACE("hidden " + std::to_string(hidden));
    const Mlp model = Mlp::random({1, hidden, 1}, Activation::Relu, 20 + hidden);
    const Array x = points(101, 3.0, 8);
    const Array hinge = score(model, x, Backend::Cpu);
    const Array layered = score(model, x, Backend::Cpu, ScoreForm::Layered);
    for (std::int64_t i = 0; i < x.size(); ++i) {
      const double bound = exact_and_bound(model, x[i]).bound + layered_bound(model, x[i]);
      EXPECT_NEAR(hinge[i], layered[i], 2.0 * bound) << "x = " << x[i];
    }
    SamplerConfig config;
    config.chains = 64;
    config.steps = 10;
    config.backend = Backend::Cpu;
    EXPECT_EQ(Sampler(model, config).score_form(), "hinge");
    config.score_form = ScoreForm::Layered;
    EXPECT_EQ(Sampler(model, config).score_form(), "layered");
  }
}

TEST(Hinge, HandlesFlatUnitsAndFarBreakpoints) {
  // Unit 0: w₁ = 0 (a constant); 1: breakpoint at 0 (b₁ = 0); 2 and 3: breakpoints beyond
  // 10³⁰, always on and always off; 4, 5: ordinary units of either sign of w₁.
  const Mlp model = relu_network({0.0f, 2.0f, 1e-35f, -1e-35f, 0.5f, -0.7f},
                                 {0.3f, 0.0f, 1.0f, -1.0f, 0.2f, 0.4f},
                                 {1.5f, -0.25f, 2.0f, 3.0f, 0.8f, -1.1f}, 0.1f);
  const Array x({7, 1}, {-4.0f, -1.0f, -0.0f, 0.0f, 0.25f, 1.0f, 5.0f});
  expect_within_bound(model, x, score(model, x, Backend::Cpu));
}

/// run_chain with the one-chain HingeScore, chain by chain: what the CPU's blocks must equal.
Array one_chain_at_a_time(const Mlp& model, const SamplerConfig& config) {
  const std::optional<detail::HingeForm> form = detail::hinge_form(model);
  device::ChainConfig chains = detail::chain_config(config, 1, {});
  Array out(output_shape(config, 1, 0));
  chains.out = out.data();
  const device::HingeScore score{form->view(form->pairs.data())};
  for (long long i = 0; i < chains.chains; ++i) device::run_chain(score, chains, i);
  return out;
}

TEST(Hinge, BlocksOfChainsAreBitIdenticalToOneChainAtATime) {
  testing_simd::for_each_cpu_simd([&] {  // every copy of the lanes code this CPU runs
    const Mlp model = Mlp::random({1, 1030, 1}, Activation::Relu, 3);
    SamplerConfig config;
    config.chains = 37;  // two blocks of 16 and a partial one
    config.steps = 25;
    config.epsilon = 0.01;
    config.seed = 8;
    config.first_chain = 5;
    config.backend = Backend::Cpu;
    for (Keep keep : {Keep::Final, Keep::Trajectory}) {
      config.keep = keep;
      EXPECT_EQ(sample(model, config).values(), one_chain_at_a_time(model, config).values());
    }
  });
}

TEST(Hinge, BlocksOfPointsAreBitIdenticalToOnePointAtATime) {
  testing_simd::for_each_cpu_simd([&] {  // every copy of the lanes code this CPU runs
    const Mlp model = Mlp::random({1, 1024, 1}, Activation::Relu, 4);
    const std::optional<detail::HingeForm> form = detail::hinge_form(model);
    const Array x = points(37, 2.0, 9);
    const Array s = score(model, x, Backend::Cpu);
    for (std::int64_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(s[i], device::hinge_score(form->view(form->pairs.data()), x[i])) << "point " << i;
    }
  });
}

TEST(Hinge, ShuffleButterflyFoldsInTheOneThreadOrder) {
  // The GPU's few-chains kernel folds 16 partial sums across lanes: lane p adds lane p ^ o's
  // value for o = 8, 4, 2, 1. Emulated here on values of mixed magnitudes, every lane must end
  // with fold_partial_sums' total, bit for bit.
  const Array values = points(16 * 200, 1e3, 11);
  for (int trial = 0; trial < 200; ++trial) {
    float lanes[16], partial[16];
    for (int p = 0; p < 16; ++p) {
      lanes[p] = partial[p] = values[trial * 16 + p] * std::pow(10.0f, float(p % 5) - 2.0f);
    }
    device::fold_partial_sums(partial);
    for (int offset = 8; offset > 0; offset /= 2) {
      float next[16];
      for (int p = 0; p < 16; ++p) next[p] = lanes[p] + lanes[p ^ offset];
      std::copy(next, next + 16, lanes);
    }
    for (int p = 0; p < 16; ++p) ASSERT_EQ(lanes[p], partial[0]) << "trial " << trial << " lane " << p;
  }
}

class HingeStatistics : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::Cuda) LANGEVIN_REQUIRE_GPU();
  }
};

TEST_P(HingeStatistics, ExactlyGaussianScoreGivesUlasGaussianLaw) {
  // relu(x − μ) − relu(μ − x) = x − μ, so two units give s(x) = −(x − μ)/σ² exactly (up to
  // rounding); 30 more with w₂ = 0 fill two groups of 16. ULA on N(μ, σ²) from N(m₀, s₀²) is
  // exactly normal after K steps (statistics.hpp: ula_gaussian).
  const double mu = 1.5, sigma = 0.8, epsilon = 0.05;
  const long long steps = 200, chains = 200000;
  std::vector<float> w1{1.0f, -1.0f}, b1{float(-mu), float(mu)};
  std::vector<float> w2{float(-1 / (sigma * sigma)), float(1 / (sigma * sigma))};
  const Mlp filler = Mlp::random({1, 30, 1}, Activation::Relu, 5);
  for (int j = 0; j < 30; ++j) {
    w1.push_back(filler.layers()[0].weight[j]);
    b1.push_back(filler.layers()[0].bias[j]);
    w2.push_back(0.0f);
  }
  const Mlp model = relu_network(w1, b1, w2, 0.0f);
  ASSERT_TRUE(detail::hinge_form(model));
  SamplerConfig config;
  config.chains = chains;
  config.steps = steps;
  config.epsilon = epsilon;
  config.seed = 20261201;
  config.init_mean = 0.5;
  config.init_std = 1.5;
  config.backend = GetParam();
  const Array x = sample(model, config);
  const testing::UlaGaussian theory = testing::ula_gaussian(mu, sigma, epsilon, steps, 0.5, 1.5);
  const testing::Moments m = testing::moments(x.data(), chains, 1);
  EXPECT_NEAR(m.mean, theory.mean_k, 4.0 * m.mean_error());
  EXPECT_NEAR(m.variance, theory.var_k, 4.0 * m.variance_error_normal());
}

INSTANTIATE_TEST_SUITE_P(Backends, HingeStatistics, ::testing::Values(Backend::Cpu, Backend::Cuda),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(to_string(info.param));
                         });

// ---- the GPU against the CPU, and its two launch shapes against each other -----------------

SamplerConfig seed_run(std::int64_t chains, Backend backend) {
  SamplerConfig config;
  config.chains = chains;
  config.steps = 100;
  config.epsilon = 5e-3;
  config.seed = 31;
  config.backend = backend;
  return config;
}

TEST(HingeGpu, ChainsAreBitIdenticalToTheCpuInBothLaunchShapes) {
  // Nothing in a seed-model chain depends on a math library: cuRAND's Philox words, the
  // library's Box–Muller (box_muller.hpp), the hinge form and the update are FMAs, maxes,
  // additions, products and a square root, IEEE on both backends and written out so that no
  // compiler contracts them differently. So the chains must agree bit for bit.
  LANGEVIN_REQUIRE_GPU();
  const Mlp model = Mlp::random({1, 1024, 1}, Activation::Relu, 6);
  for (std::int64_t chains : {1000, 100000}) {  // 16 threads a chain, then one
    SCOPED_TRACE(std::to_string(chains) + " chains");
    EXPECT_EQ(sample(model, seed_run(chains, Backend::Cpu)).values(),
              sample(model, seed_run(chains, Backend::Cuda)).values());
    SamplerConfig trajectory = seed_run(chains / 10, Backend::Cpu);
    trajectory.keep = Keep::Trajectory;
    trajectory.thin = 7;
    SamplerConfig trajectory_gpu = trajectory;
    trajectory_gpu.backend = Backend::Cuda;
    EXPECT_EQ(sample(model, trajectory).values(), sample(model, trajectory_gpu).values());
  }
}

TEST(HingeGpu, FewChainsEqualTheirRowsOfAManyChainRunBitForBit) {
  LANGEVIN_REQUIRE_GPU();
  const Mlp model = Mlp::random({1, 1030, 1}, Activation::Relu, 7);
  const Array whole = sample(model, seed_run(100000, Backend::Cuda));  // one thread a chain
  SamplerConfig part = seed_run(999, Backend::Cuda);                    // 16 threads a chain
  part.first_chain = 54321;
  const Array rows = sample(model, part);
  for (std::int64_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i], whole[part.first_chain + i]) << "chain " << part.first_chain + i;
  }
}

TEST(HingeGpu, ScoresAgreeWithTheCpu) {
  LANGEVIN_REQUIRE_GPU();
  const Mlp model = Mlp::random({1, 1024, 1}, Activation::Relu, 8);
  const Array x = points(5000, 4.0, 12);
  // The same operations in the same order on both backends (IEEE max, FMA and additions).
  EXPECT_EQ(score(model, x, Backend::Cpu).values(), score(model, x, Backend::Cuda).values());
}

}  // namespace
}  // namespace langevin
