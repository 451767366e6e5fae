// The CPU's fused loss for the seed problem's shape (exact score matching, widths (1, H, 1), full
// batch) against the general ScoreMatching path on the same parameters and data: the same loss
// and gradient up to float rounding, for every activation, and independent of the thread count.
// The GPU's fused kernels (cuda/scalar_exact.cuh) against the CPU's (skipped without a GPU).

#include "training/cpu_ops.hpp"
#include "training/scalar_exact.hpp"
#include "training/score_matching.hpp"

#include "gpu.hpp"
#include "thread_count.hpp"

#include <langevin/langevin.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace langevin::training {
namespace {

template <Activation A>
void expect_same_as_general() {
  const ParameterLayout layout({1, 96, 1});
  const Mlp model = Mlp::random({1, 96, 1}, A, 12);
  std::vector<float> theta(static_cast<std::size_t>(layout.count));
  for (int l = 0; l < 2; ++l) {
    std::copy(model.layers()[l].weight.begin(), model.layers()[l].weight.end(),
              theta.begin() + layout.weight_offset[l]);
    std::copy(model.layers()[l].bias.begin(), model.layers()[l].bias.end(),
              theta.begin() + layout.bias_offset[l]);
  }
  const long long rows = 1500;  // three blocks, the last one short
  const Array data = draw(GaussianMixture({2.0, 1.0}, {{-5.0}, {6.0}}, {{3.0}, {1.0}}), rows, 8);
  LossSetup setup;
  setup.loss = LossKind::Exact;
  setup.streams = 1;
  setup.full_batch = true;

  CpuOps ops;
  ScoreMatching<CpuOps, A> general(ops, layout, rows, setup);
  general.prepare(data.data(), rows, 1);
  std::vector<float> expected(theta.size());
  const double expected_loss = general.loss_and_gradient(theta.data(), expected.data());

  ASSERT_TRUE(ScalarExactScoreMatching<A>::applies(layout, setup));
  ScalarExactScoreMatching<A> fused(layout);
  fused.prepare(data.data(), rows, 1);
  std::vector<float> gradient(theta.size());
  const double loss = fused.loss_and_gradient(theta.data(), gradient.data());
  EXPECT_NEAR(fused.loss(theta.data()), loss, 1e-12 * std::abs(loss));

  // Float sums of ~10⁵ terms in other orders: relative differences near √n·2⁻²⁴ ≈ 2·10⁻⁵ of the
  // largest terms are expected; 10⁻⁴ of the largest component leaves a margin of five.
  EXPECT_NEAR(loss, expected_loss, 1e-4 * (1.0 + std::abs(expected_loss)));
  double largest = 0.0;
  for (float g : expected) largest = std::max(largest, std::abs(static_cast<double>(g)));
  for (std::size_t k = 0; k < theta.size(); ++k) {
    EXPECT_NEAR(gradient[k], expected[k], 1e-4 * largest) << "parameter " << k;
  }

  // The thread count changes nothing: blocks are summed in a fixed order.
  std::vector<float> one_thread(theta.size());
  {
    const testing::ThreadCount threads(1);
    fused.loss_and_gradient(theta.data(), one_thread.data());
  }
  EXPECT_EQ(one_thread, gradient);
}

TEST(ScalarExact, MatchesTheGeneralPathRelu) { expect_same_as_general<Activation::Relu>(); }
TEST(ScalarExact, MatchesTheGeneralPathSoftplus) { expect_same_as_general<Activation::Softplus>(); }
TEST(ScalarExact, MatchesTheGeneralPathTanh) { expect_same_as_general<Activation::Tanh>(); }
TEST(ScalarExact, MatchesTheGeneralPathSilu) { expect_same_as_general<Activation::Silu>(); }

TEST(ScalarExact, AppliesOnlyToTheSeedShape) {
  LossSetup exact;
  exact.loss = LossKind::Exact;
  exact.full_batch = true;
  EXPECT_TRUE(ScalarExactScoreMatching<Activation::Relu>::applies(ParameterLayout({1, 8, 1}), exact));
  EXPECT_FALSE(ScalarExactScoreMatching<Activation::Relu>::applies(ParameterLayout({2, 8, 2}), exact));
  EXPECT_FALSE(ScalarExactScoreMatching<Activation::Relu>::applies(ParameterLayout({1, 8, 8, 1}), exact));
  LossSetup batched = exact;
  batched.full_batch = false;
  EXPECT_FALSE(ScalarExactScoreMatching<Activation::Relu>::applies(ParameterLayout({1, 8, 1}), batched));
  LossSetup dsm = exact;
  dsm.loss = LossKind::Dsm;
  EXPECT_FALSE(ScalarExactScoreMatching<Activation::Relu>::applies(ParameterLayout({1, 8, 1}), dsm));
}

TEST(ScalarExactGpu, MatchesTheCpuForEveryActivation) {
  LANGEVIN_REQUIRE_GPU();
  // 15 000 rows (the seed's count: 59 row blocks, chunks of 235 rows) and 1 024 units (four
  // unit blocks); 1 500 rows and 96 units (one short block of each).
  for (const auto& [rows, hidden] : {std::pair<long long, int>{15000, 1024}, {1500, 96}}) {
    const Array data =
        draw(GaussianMixture({2.0, 1.0}, {{-5.0}, {6.0}}, {{3.0}, {1.0}}), rows, 8);
    for (Activation activation :
         {Activation::Relu, Activation::Softplus, Activation::Tanh, Activation::Silu}) {
      SCOPED_TRACE(std::to_string(hidden) + " units, " + to_string(activation));
      const Mlp model = Mlp::random({1, hidden, 1}, activation, 13);
      TrainConfig config;  // exact loss, full batch: the fused pass on both backends
      config.backend = Backend::Cpu;
      const LossAndGradient cpu = loss_and_gradient(model, data, config, 1);
      config.backend = Backend::Cuda;
      const LossAndGradient gpu = loss_and_gradient(model, data, config, 1);
      // The same per-row formulas; the rows' sums in other groupings, as in the test above.
      EXPECT_NEAR(gpu.loss, cpu.loss, 1e-4 * (1.0 + std::abs(cpu.loss)));
      for (std::size_t l = 0; l < cpu.gradient.size(); ++l) {
        double largest = 0.0;
        for (float g : cpu.gradient[l].weight) largest = std::max(largest, double(std::abs(g)));
        for (float g : cpu.gradient[l].bias) largest = std::max(largest, double(std::abs(g)));
        for (std::size_t i = 0; i < cpu.gradient[l].weight.size(); ++i) {
          ASSERT_NEAR(gpu.gradient[l].weight[i], cpu.gradient[l].weight[i], 1e-4 * largest)
              << "layer " << l << ", weight " << i;
        }
        for (std::size_t i = 0; i < cpu.gradient[l].bias.size(); ++i) {
          ASSERT_NEAR(gpu.gradient[l].bias[i], cpu.gradient[l].bias[i], 1e-4 * largest)
              << "layer " << l << ", bias " << i;
        }
      }
    }
  }
}

}  // namespace
}  // namespace langevin::training
