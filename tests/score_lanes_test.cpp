// The CPU's score evaluation runs blocks of 16 points through the sampler's lanes pass; each
// point's score must be bit-identical to the one-point pass (same operations, same order), for
// shallow and deep networks, every activation, noise-conditional models, and a partial last block.

#include "cpu/mlp_tiers.hpp"
#include "dispatch.hpp"
#include "run/views.hpp"

#include <langevin/langevin.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace langevin {
namespace {

/// The one-point reference: score_points with the one-chain functor, in tier `Tier` (the
/// smallest of dispatch.hpp's tiers ≥ the network's input width, as the backend picks it; named
/// here so that this file compiles that tier alone).
template <int Tier, Activation A>
std::vector<float> one_point_scores(const Mlp& model, const Array& points, float sigma) {
  const std::vector<float> params = model.packed();
  const device::MlpView net = detail::mlp_view(model, params.data());
  detail::with_max_dim(net.width[0], [&](auto max_dim) {
    EXPECT_EQ(max_dim(), Tier) << "the backend's tier for input width " << net.width[0];
  });
  const int dim = model.data_dim();
  std::vector<float> scores(static_cast<std::size_t>(points.size()));
  using namespace cpu_backend::cpu_mlp_detail;
  using namespace cpu_backend::cpu_points;
  if (sigma > 0.0f) {
    using Score = device::NoiseConditionalMlpScore<Tier, A>;
    score_points(mlp_functor<Score>(net), dim, points.data(), scores.data(), points.dim(0),
                 MlpThreadScratch{}, sigma);
  } else {
    using Score = device::MlpScore<Tier, A>;
    score_points(mlp_functor<Score>(net), dim, points.data(), scores.data(), points.dim(0),
                 MlpThreadScratch{});
  }
  return scores;
}

Array points_of(int dim, std::int64_t count) {
  return draw(GaussianMixture({1.0}, {std::vector<double>(dim, 0.5)},
                              {std::vector<double>(dim, 2.0)}),
              count, 21);
}

TEST(ScoreLanes, SeedModelIsBitIdenticalToOnePointAtATime) {
  // The layered pass itself (score() takes the hinge form for this model: hinge_test.cpp).
  const Mlp model = Mlp::random({1, 1024, 1}, Activation::Relu, 3);
  const Array x = points_of(1, 37);  // two blocks of 16 and a partial one
  const Array lanes = score(model, x, Backend::Cpu, ScoreForm::Layered);
  EXPECT_EQ(lanes.values(), (one_point_scores<1, Activation::Relu>(model, x, 0.0f)));
}

TEST(ScoreLanes, DeepNetworksAndOtherActivationsToo) {
  const Mlp silu = Mlp::random({2, 48, 40, 2}, Activation::Silu, 4);
  const Array x2 = points_of(2, 53);  // a block of 32 (deep networks) and a partial one
  EXPECT_EQ(score(silu, x2, Backend::Cpu).values(), (one_point_scores<2, Activation::Silu>(silu, x2, 0.0f)));
  const Mlp wide = Mlp::random({16, 24, 16}, Activation::Relu, 7);
  const Array x16 = points_of(16, 40);  // 16-D points: full blocks transposed in fixed loops
  EXPECT_EQ(score(wide, x16, Backend::Cpu).values(),
            (one_point_scores<16, Activation::Relu>(wide, x16, 0.0f)));
  const Mlp tanh_net = Mlp::random({5, 33, 5}, Activation::Tanh, 5);
  const Array x5 = points_of(5, 7);  // fewer points than one block
  EXPECT_EQ(score(tanh_net, x5, Backend::Cpu).values(),
            (one_point_scores<8, Activation::Tanh>(tanh_net, x5, 0.0f)));
}

TEST(ScoreLanes, NoiseConditionalModels) {
  const Mlp base = Mlp::random({3, 32, 2}, Activation::Softplus, 6);
  const Mlp model(base.layers(), Activation::Softplus, {2.0, 0.5, 0.1});
  const Array x = points_of(2, 19);
  EXPECT_EQ(score(model, x, 0.5, Backend::Cpu).values(),
            (one_point_scores<4, Activation::Softplus>(model, x, 0.5f)));
}

}  // namespace
}  // namespace langevin
