// The CPU's score evaluation runs blocks of 16 points through the sampler's lanes pass; each
// point's score must be bit-identical to the one-point pass (same operations, same order), for
// shallow and deep networks, every activation, noise-conditional models, and a partial last block.

#include "cpu/gmm_lanes.hpp"
#include "cpu/mlp_tiers.hpp"
#include "dispatch.hpp"
#include "run/views.hpp"

#include <langevin/langevin.hpp>

#include "cpu_simd.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
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
  testing_simd::for_each_cpu_simd([&] {  // every copy of the lanes code this CPU runs
    // The layered pass itself (score() takes the hinge form for this model: hinge_test.cpp).
    const Mlp model = Mlp::random({1, 1024, 1}, Activation::Relu, 3);
    const Array x = points_of(1, 37);  // two blocks of 16 and a partial one
    const Array lanes = score(model, x, Backend::Cpu, ScoreForm::Layered);
    EXPECT_EQ(lanes.values(), (one_point_scores<1, Activation::Relu>(model, x, 0.0f)));
  });
}

TEST(ScoreLanes, DeepNetworksAndOtherActivationsToo) {
  testing_simd::for_each_cpu_simd([&] {  // every copy of the lanes code this CPU runs
    const Mlp silu = Mlp::random({2, 48, 40, 2}, Activation::Silu, 4);
    const Array x2 = points_of(2, 53);  // a block of 32 (deep networks) and a partial one
    EXPECT_EQ(score(silu, x2, Backend::Cpu).values(),
              (one_point_scores<2, Activation::Silu>(silu, x2, 0.0f)));
    const Mlp wide = Mlp::random({16, 24, 16}, Activation::Relu, 7);
    const Array x16 = points_of(16, 40);  // 16-D points: full blocks transposed in fixed loops
    EXPECT_EQ(score(wide, x16, Backend::Cpu).values(),
              (one_point_scores<16, Activation::Relu>(wide, x16, 0.0f)));
    // Two partial sums an output (tier 8) over more units than two chunks of the wide pass
    // hold, and a short last chunk.
    const Mlp chunked = Mlp::random({6, 131, 6}, Activation::Relu, 8);
    const Array x6 = points_of(6, 40);
    EXPECT_EQ(score(chunked, x6, Backend::Cpu).values(),
              (one_point_scores<8, Activation::Relu>(chunked, x6, 0.0f)));
    const Mlp tanh_net = Mlp::random({5, 33, 5}, Activation::Tanh, 5);
    const Array x5 = points_of(5, 7);  // fewer points than one block
    EXPECT_EQ(score(tanh_net, x5, Backend::Cpu).values(),
              (one_point_scores<8, Activation::Tanh>(tanh_net, x5, 0.0f)));
  });
}

TEST(ScoreLanes, NoiseConditionalModels) {
  testing_simd::for_each_cpu_simd([&] {  // every copy of the lanes code this CPU runs
    const Mlp base = Mlp::random({3, 32, 2}, Activation::Softplus, 6);
    const Mlp model(base.layers(), Activation::Softplus, {2.0, 0.5, 0.1});
    const Array x = points_of(2, 19);
    EXPECT_EQ(score(model, x, 0.5, Backend::Cpu).values(),
              (one_point_scores<4, Activation::Softplus>(model, x, 0.5f)));
  });
}

std::uint32_t bits_of(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// The mixture's lanes functor (gmm_lanes.hpp: gmm_log_density on lane vectors, its online
// softmax's two updates selected per lane) against the one-chain functors, lane by lane, bit for
// bit: points near the modes, far from all of them (where every component's weight underflows
// on its own), one exactly at a mean, and noise levels per lane with some at 0.
TEST(ScoreLanes, MixtureLanesAreBitIdenticalToOneChainAtATime) {
  testing_simd::for_each_cpu_simd([&] {  // every copy of the lanes code this CPU runs
    const GaussianMixture mixture({0.2, 0.5, 0.3},
                                  {{-3.0, 0.0, 1.0}, {2.0, 1.0, -1.0}, {0.0, -4.0, 2.0}},
                                  {{0.5, 1.0, 2.0}, {1.0, 0.3, 0.7}, {2.0, 2.0, 0.4}});
    const std::vector<float> packed = mixture.packed();
    const device::GmmView view = detail::gmm_view(mixture, packed.data());
    constexpr int L = device::kVectorLanes;
    const Array drawn = draw(mixture, L, 5);
    alignas(64) float x[4 * L] = {};  // tier 4, coordinate 3 unused
    for (int c = 0; c < L; ++c) {
      for (int j = 0; j < 3; ++j) x[j * L + c] = drawn[3 * c + j] * (c % 4 == 3 ? 40.0f : 1.0f);
    }
    x[0] = -3.0f, x[L] = 0.0f, x[2 * L] = 1.0f;  // lane 0 at the first mean
    auto expect_lanes = [&](const float* s, const float* log_p, auto&& one_chain) {
      for (int c = 0; c < L; ++c) {
        SCOPED_TRACE("lane " + std::to_string(c));
        float point[4] = {x[c], x[L + c], x[2 * L + c], 0.0f}, expected[4] = {};
        const float expected_log_p = one_chain(c, point, expected);
        if (log_p != nullptr) EXPECT_EQ(bits_of(log_p[c]), bits_of(expected_log_p));
        for (int j = 0; j < 3; ++j) EXPECT_EQ(bits_of(s[j * L + c]), bits_of(expected[j])) << j;
      }
    };
    alignas(64) float s[4 * L], log_p[L];
    device::GmmLanesScore<4, false>{view}.score_and_log_density(x, s, log_p);
    expect_lanes(s, log_p, [&](int, const float* point, float* expected) {
      return device::GmmScore<4>{view}.score_and_log_density(point, expected);
    });
    device::GmmLanesScore<4, false>{view}(x, s, 1.0f);  // a plain mixture ignores σ
    expect_lanes(s, nullptr, [&](int, const float* point, float* expected) {
      device::GmmScore<4>{view}(point, expected);
      return 0.0f;
    });
    device::GmmLanesScore<4, true>{view}(x, s, 2.5f);
    expect_lanes(s, nullptr, [&](int, const float* point, float* expected) {
      device::GmmNoiseScore<4>{view}(point, expected, 2.5f);
      return 0.0f;
    });
    alignas(64) float sigmas[L];
    for (int c = 0; c < L; ++c) sigmas[c] = c % 5 == 0 ? 0.0f : 0.1f * static_cast<float>(c);
    device::GmmLanesScore<4, true>{view}(x, s, sigmas);
    expect_lanes(s, nullptr, [&](int c, const float* point, float* expected) {
      device::GmmNoiseScore<4>{view}(point, expected, sigmas[c]);
      return 0.0f;
    });
  });
}

}  // namespace
}  // namespace langevin
