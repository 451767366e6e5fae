// The CPU backend runs MLP and mixture chains in blocks of 16, SIMD across chains
// (device/chain_lanes.hpp, mlp_lanes.hpp, normal_lanes.hpp). Each chain must get exactly what
// the one-chain path gives it, bit for bit, wherever it falls in a block, in every copy of the
// lanes code this CPU runs (cpu_simd.hpp).

#include "run/driver.hpp"
#include "run/views.hpp"

#include <langevin/device/gmm.hpp>
#include <langevin/device/mlp.hpp>
#include <langevin/device/run_cpu.hpp>
#include <langevin/langevin.hpp>

#include "cpu_simd.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace langevin {
namespace {

/// The chains of `config` one at a time through run_chain and the one-chain MLP functors.
template <class Score>
Array one_at_a_time(const Mlp& model, const SamplerConfig& config, const std::vector<double>& sigmas) {
  const std::vector<float> packed = model.packed();
  const int d = model.data_dim();
  device::ChainConfig chains = detail::chain_config(config, d, sigmas);
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

/// sample() of `model` (the lanes path) must equal its chains one at a time through Score.
template <class Score>
void expect_one_at_a_time(const Mlp& model, const SamplerConfig& config,
                          const std::vector<double>& sigmas = {}) {
  SCOPED_TRACE("widths " + ::testing::PrintToString(model.widths()));
  EXPECT_EQ(sample(model, config).values(), one_at_a_time<Score>(model, config, sigmas).values());
}

TEST(CpuLanes, ChainsAreBitIdenticalToOneAtATime) {
  testing_simd::for_each_cpu_simd([&] {  // every copy of the lanes code this CPU runs
    SamplerConfig config;
    config.chains = 37;  // two full blocks and a partial one
    config.steps = 15;
    config.epsilon = 0.01;
    config.seed = 5;
    config.first_chain = 3;
    config.backend = Backend::Cpu;
    for (Keep keep : {Keep::Final, Keep::Trajectory}) {
      config.keep = keep;
      // The layered pass of a 1-D ReLU network (hinge_test.cpp covers its hinge form), with a
      // tail after P.
      SamplerConfig layered = config;
      layered.score_form = ScoreForm::Layered;
      expect_one_at_a_time<device::MlpScore<1, Activation::Relu>>(
          Mlp::random({1, 6150, 1}, Activation::Relu, 1), layered);
      expect_one_at_a_time<device::MlpScore<2, Activation::Tanh>>(
          Mlp::random({2, 37, 2}, Activation::Tanh, 2), config);
      expect_one_at_a_time<device::MlpScore<16, Activation::Softplus>>(  // tier 16: chunks, tail
          Mlp::random({13, 141, 13}, Activation::Softplus, 6), config);
      // A dimension that is a tier: the widths become compile-time constants (groups of 8
      // activations, a chunk's tail).
      expect_one_at_a_time<device::MlpScore<16, Activation::Relu>>(
          Mlp::random({16, 141, 16}, Activation::Relu, 7), config);
      expect_one_at_a_time<device::MlpScore<4, Activation::Silu>>(  // 13: groups of 8, 4, 1
          Mlp::random({3, 9, 13, 3}, Activation::Silu, 3), config);
      const std::vector<double> sigmas{2.0, 0.5};
      SamplerConfig annealed = config;
      annealed.denoise = keep == Keep::Final;
      auto conditional = [&](std::vector<int> widths, Activation activation, std::uint64_t seed) {
        return Mlp(Mlp::random(widths, activation, seed).layers(), activation, sigmas);
      };
      expect_one_at_a_time<device::NoiseConditionalMlpScore<4, Activation::Softplus>>(
          conditional({3, 16, 2}, Activation::Softplus, 4), annealed, sigmas);
      // (x, log σ) of width 2, a tier, and outputs of width 1: compile-time widths too.
      expect_one_at_a_time<device::NoiseConditionalMlpScore<2, Activation::Relu>>(
          conditional({2, 21, 1}, Activation::Relu, 8), annealed, sigmas);
      // Tier 8, (x, log σ) of width 8: two partial sums an output, a hidden unit past them.
      expect_one_at_a_time<device::NoiseConditionalMlpScore<8, Activation::Tanh>>(
          conditional({8, 71, 7}, Activation::Tanh, 9), annealed, sigmas);
      SamplerConfig underdamped = config;  // positions and velocities in the lanes
      underdamped.method = Method::Underdamped;
      underdamped.epsilon = 0.1;
      expect_one_at_a_time<device::MlpScore<2, Activation::Tanh>>(
          Mlp::random({2, 37, 2}, Activation::Tanh, 2), underdamped);
      expect_one_at_a_time<device::MlpScore<16, Activation::Softplus>>(
          Mlp::random({13, 141, 13}, Activation::Softplus, 6), underdamped);
    }
  });
}

/// The mixture's chains one at a time through run_chain: what the CPU's blocks of 16 must give.
template <class Score>
Array mixture_one_at_a_time(const GaussianMixture& target, const SamplerConfig& config,
                            const std::vector<double>& sigmas) {
  const std::vector<float> packed = target.packed();
  device::ChainConfig chains = detail::chain_config(config, target.dim(), sigmas);
  Array out(output_shape(config, target.dim(), static_cast<int>(sigmas.size())));
  chains.out = out.data();
  const Score score{detail::gmm_view(target, packed.data())};
  for (long long i = 0; i < chains.chains; ++i) device::run_chain(score, chains, i);
  return out;
}

TEST(CpuLanes, MixtureChainsAreBitIdenticalToOneAtATime) {
  testing_simd::for_each_cpu_simd([&] {  // every copy of the lanes code this CPU runs
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
      // MALA: each lane's accept test from its own uniform number (the draw's extra counter).
      SamplerConfig mala = config;
      mala.method = Method::Mala;
      mala.epsilon = 0.3;
      EXPECT_EQ(sample(three, mala).values(),
                (mixture_one_at_a_time<device::GmmScore<4>>(three, mala, {}).values()));
      EXPECT_EQ(sample(one, mala).values(),
                (mixture_one_at_a_time<device::GmmScore<1>>(one, mala, {}).values()));
      // Underdamped Langevin: each lane's velocity from draw 1 of its stream.
      SamplerConfig underdamped = config;
      underdamped.method = Method::Underdamped;
      underdamped.epsilon = 0.2;
      underdamped.friction = 0.5;
      EXPECT_EQ(sample(three, underdamped).values(),
                (mixture_one_at_a_time<device::GmmScore<4>>(three, underdamped, {}).values()));
      EXPECT_EQ(sample(one, underdamped).values(),
                (mixture_one_at_a_time<device::GmmScore<1>>(one, underdamped, {}).values()));
    }
  });
}

// Predictor–corrector sampling and the probability-flow ODE run the same template for a block of
// 16 or 32 lanes and for one chain (predictor_corrector.hpp, probability_flow.hpp): each lane's
// per-chain steps, noise and, for the ODE, adaptive steps at its own σ (the lanes functors'
// per-lane σ) must be the one-chain run's, in full and partial blocks.
TEST(CpuLanes, PredictorCorrectorAndOdeChainsAreBitIdenticalToOneAtATime) {
  testing_simd::for_each_cpu_simd([&] {  // every copy of the lanes code this CPU runs
    const std::vector<double> sigmas{3.0, 0.5, 0.1};
    auto conditional = [&](std::vector<int> widths, Activation activation, std::uint64_t seed) {
      return Mlp(Mlp::random(widths, activation, seed).layers(), activation, sigmas);
    };
    const GaussianMixture three({0.3, 0.7}, {{0.0, 1.0, -1.0}, {2.0, 0.5, 0.0}},
                                {{1.0, 0.5, 2.0}, {0.7, 1.5, 1.0}});
    for (Method method : {Method::Pc, Method::Ode}) {
      SCOPED_TRACE(to_string(method));
      SamplerConfig config;
      config.chains = 37;
      config.seed = 12;
      config.first_chain = 5;
      config.backend = Backend::Cpu;
      config.method = method;
      config.steps = 3;            // pc: 9 updates through 3 levels, 2 corrector steps each
      config.corrector_steps = 2;
      config.rtol = config.atol = 1e-4;
      for (Keep keep : {Keep::Final, Keep::Trajectory}) {
        config.keep = keep;
        config.denoise = keep == Keep::Final;
        expect_one_at_a_time<device::NoiseConditionalMlpScore<4, Activation::Silu>>(
            conditional({3, 16, 2}, Activation::Silu, 4), config, sigmas);
        // Deep, 32 lanes.
        expect_one_at_a_time<device::NoiseConditionalMlpScore<8, Activation::Tanh>>(
            conditional({8, 33, 20, 7}, Activation::Tanh, 9), config, sigmas);
        SamplerConfig mixture = config;
        mixture.sigmas = sigmas;
        EXPECT_EQ(
            sample(three, mixture).values(),
            (mixture_one_at_a_time<device::GmmNoiseScore<4>>(three, mixture, sigmas).values()));
      }
    }
  });
}

}  // namespace
}  // namespace langevin
