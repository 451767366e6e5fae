// The CPU backend runs MLP and mixture chains in blocks of 16, SIMD across chains
// (device/chain_lanes.hpp, mlp_lanes.hpp, normal_lanes.hpp). Each chain must get exactly what
// the one-chain path gives it, bit for bit, wherever it falls in a block.

#include "views.hpp"

#include <langevin/device/gmm.hpp>
#include <langevin/device/mlp.hpp>
#include <langevin/device/run_cpu.hpp>
#include <langevin/langevin.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace langevin {
namespace {

/// The chains of `config` one at a time through run_chain and the one-chain MLP functors.
template <class Score>
Array one_at_a_time(const Mlp& model, const SamplerConfig& config, const std::vector<double>& sigmas) {
  const std::vector<float> packed = model.packed();
  const int d = model.data_dim();
  device::ChainConfig chains = chain_config(config, d, sigmas);
  Array out(output_shape(config, d, static_cast<int>(sigmas.size())));
  chains.out = out.data();
  Score score;
  score.net = detail::mlp_view(model, packed.data());
  score.widest_hidden = device::mlp_widest_hidden(score.net);
  std::vector<float> scratch(2 * static_cast<std::size_t>(score.widest_hidden) + 1);
  score.scratch = scratch.data();
  score.scratch_stride = 1;
  for (long long i = 0; i < chains.chains; ++i) device::run_chain(score, chains, i);
  return out;
}

TEST(CpuLanes, ChainsAreBitIdenticalToOneAtATime) {
  SamplerConfig config;
  config.chains = 37;  // two full blocks and a partial one
  config.steps = 15;
  config.epsilon = 0.01;
  config.seed = 5;
  config.first_chain = 3;
  config.backend = Backend::Cpu;
  for (Keep keep : {Keep::Final, Keep::Trajectory}) {
    config.keep = keep;
    // Past the hinge form's limit (hinge_test.cpp covers that form), with a tail after P.
    const Mlp shallow = Mlp::random({1, 6150, 1}, Activation::Relu, 1);
    EXPECT_EQ(sample(shallow, config).values(),
              (one_at_a_time<device::MlpScore<1, Activation::Relu>>(shallow, config, {}).values()));
    const Mlp two = Mlp::random({2, 37, 2}, Activation::Tanh, 2);
    const Mlp wide = Mlp::random({13, 141, 13}, Activation::Softplus, 6);  // tier 16: chunks, tail
    EXPECT_EQ(sample(two, config).values(),
              (one_at_a_time<device::MlpScore<2, Activation::Tanh>>(two, config, {}).values()));
    EXPECT_EQ(sample(wide, config).values(),
              (one_at_a_time<device::MlpScore<16, Activation::Softplus>>(wide, config, {}).values()));
    // A dimension that is a tier: the widths become compile-time constants (groups of 8
    // activations, a chunk's tail).
    const Mlp exact = Mlp::random({16, 141, 16}, Activation::Relu, 7);
    EXPECT_EQ(sample(exact, config).values(),
              (one_at_a_time<device::MlpScore<16, Activation::Relu>>(exact, config, {}).values()));
    const Mlp deep = Mlp::random({3, 9, 13, 3}, Activation::Silu, 3);  // 13: groups of 8, 4, 1
    EXPECT_EQ(sample(deep, config).values(),
              (one_at_a_time<device::MlpScore<4, Activation::Silu>>(deep, config, {}).values()));
    const std::vector<double> sigmas{2.0, 0.5};
    const Mlp conditional(Mlp::random({3, 16, 2}, Activation::Softplus, 4).layers(),
                          Activation::Softplus, sigmas);
    SamplerConfig annealed = config;
    annealed.denoise = keep == Keep::Final;
    EXPECT_EQ(sample(conditional, annealed).values(),
              (one_at_a_time<device::NoiseConditionalMlpScore<4, Activation::Softplus>>(
                   conditional, annealed, sigmas)
                   .values()));
    // (x, log σ) of width 2, a tier, and outputs of width 1: compile-time widths too.
    const Mlp conditional_1d(Mlp::random({2, 21, 1}, Activation::Relu, 8).layers(), Activation::Relu,
                             sigmas);
    EXPECT_EQ(sample(conditional_1d, annealed).values(),
              (one_at_a_time<device::NoiseConditionalMlpScore<2, Activation::Relu>>(
                   conditional_1d, annealed, sigmas)
                   .values()));
    // Tier 8, (x, log σ) of width 8: two partial sums an output, a hidden unit past them.
    const Mlp conditional_7d(Mlp::random({8, 71, 7}, Activation::Tanh, 9).layers(), Activation::Tanh,
                             sigmas);
    EXPECT_EQ(sample(conditional_7d, annealed).values(),
              (one_at_a_time<device::NoiseConditionalMlpScore<8, Activation::Tanh>>(
                   conditional_7d, annealed, sigmas)
                   .values()));
  }
}

/// The mixture's chains one at a time through run_chain: what the CPU's blocks of 16 must give.
template <class Score>
Array mixture_one_at_a_time(const GaussianMixture& target, const SamplerConfig& config,
                            const std::vector<double>& sigmas) {
  const std::vector<float> packed = target.packed();
  device::ChainConfig chains = chain_config(config, target.dim(), sigmas);
  Array out(output_shape(config, target.dim(), static_cast<int>(sigmas.size())));
  chains.out = out.data();
  const Score score{detail::gmm_view(target, packed.data())};
  for (long long i = 0; i < chains.chains; ++i) device::run_chain(score, chains, i);
  return out;
}

TEST(CpuLanes, MixtureChainsAreBitIdenticalToOneAtATime) {
  SamplerConfig config;
  config.chains = 37;
  config.steps = 15;
  config.epsilon = 0.01;
  config.seed = 6;
  config.first_chain = 11;
  config.backend = Backend::Cpu;
  const GaussianMixture one({2.0, 1.0}, {{-5.0}, {6.0}}, {{3.0}, {1.0}});
  const GaussianMixture three({0.3, 0.7}, {{0.0, 1.0, -1.0}, {2.0, 0.5, 0.0}},
                              {{1.0, 0.5, 2.0}, {0.7, 1.5, 1.0}});
  for (Keep keep : {Keep::Final, Keep::Trajectory}) {
    config.keep = keep;
    EXPECT_EQ(sample(one, config).values(),
              (mixture_one_at_a_time<device::GmmScore<1>>(one, config, {}).values()));
    EXPECT_EQ(sample(three, config).values(),
              (mixture_one_at_a_time<device::GmmScore<4>>(three, config, {}).values()));
    SamplerConfig annealed = config;
    annealed.sigmas = {3.0, 1.0, 0.2};
    annealed.denoise = keep == Keep::Final;
    EXPECT_EQ(sample(three, annealed).values(),
              (mixture_one_at_a_time<device::GmmNoiseScore<4>>(three, annealed, annealed.sigmas)
                   .values()));
  }
}

}  // namespace
}  // namespace langevin
