// The driver cuts a run into parts, one contiguous block of chains per runner (the GPUs of a
// multi-device run, the ranks of an MPI job), and the CPU runner hands its blocks of 16 or 32
// chains to whichever OpenMP thread is free. A chain's result depends only on its global index,
// so any cut must give the uncut run's bits: here the CPU runner split into 2, 3 and 7 parts
// (blocks that start inside the CPU's blocks of chains) and run on 1 and 3 threads against the
// one-part run on the default threads, for final states, trajectories, annealing with
// denoising, MALA, predictor–corrector, the ODE, underdamped Langevin, the hinge form,
// checkpoints and resumes across different cuts, and divergence; and the same on every visible
// GPU where there are any.

#include "run/driver.hpp"
#include "run/runner.hpp"
#include "run/targets.hpp"

#include "bit_identity.hpp"
#include "gpu.hpp"
#include "thread_count.hpp"

#include <langevin/langevin.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

namespace langevin {
namespace {

using testing::same_bits;
using testing::ThreadCount;

/// What a run gives besides its output.
struct Outcome {
  Array out;
  Divergence divergence;
  double acceptance_rate = 0.0;
  std::vector<Checkpoint> checkpoints;
};

/// `config` on `target` through the driver, its chains split over `parts` CPU runners.
Outcome run_split(const ScoreTarget& target, SamplerConfig config, int parts) {
  Outcome outcome;
  if (config.checkpoint_every > 0) {
    config.on_checkpoint = [&](const Checkpoint& c) { outcome.checkpoints.push_back(c); };
  }
  const std::vector<double> levels = target.noise_levels(config);
  validate(config, target.dim(), static_cast<int>(levels.size()));
  std::vector<std::unique_ptr<detail::Runner>> runners;
  for (int p = 0; p < parts; ++p) runners.push_back(std::make_unique<detail::CpuRunner>());
  detail::Driver driver(target, config, levels, std::move(runners));
  outcome.out = Array(output_shape(config, target.dim(), static_cast<int>(levels.size())));
  driver.run(outcome.out.data());
  outcome.divergence = driver.divergence();
  outcome.acceptance_rate = driver.acceptance_rate();
  return outcome;
}

/// The split runs of `config`, and the runs on other thread counts, equal the one-part run on
/// the default threads: output, divergence, acceptance, and the checkpoints' states,
/// trajectories and counts.
void expect_splits_bit_identical(const ScoreTarget& target, const SamplerConfig& config) {
  const Outcome whole = run_split(target, config, 1);
  struct Cut {
    int parts;
    int threads;  // 0: the default
  };
  for (const Cut cut : {Cut{2, 0}, Cut{3, 0}, Cut{7, 0}, Cut{1, 1}, Cut{1, 3}, Cut{3, 3}}) {
    SCOPED_TRACE(std::to_string(cut.parts) + " parts, " +
                 (cut.threads > 0 ? std::to_string(cut.threads) : "the default") + " threads");
    const ThreadCount threads(cut.threads > 0 ? cut.threads : omp_get_max_threads());
    const Outcome split = run_split(target, config, cut.parts);
    EXPECT_TRUE(same_bits(split.out, whole.out));
    EXPECT_EQ(split.divergence.chains, whole.divergence.chains);
    EXPECT_EQ(split.divergence.first_update, whole.divergence.first_update);
    if (config.method == Method::Mala) EXPECT_EQ(split.acceptance_rate, whole.acceptance_rate);
    ASSERT_EQ(split.checkpoints.size(), whole.checkpoints.size());
    for (std::size_t n = 0; n < split.checkpoints.size(); ++n) {
      EXPECT_EQ(split.checkpoints[n].update, whole.checkpoints[n].update);
      EXPECT_TRUE(same_bits(split.checkpoints[n].states, whole.checkpoints[n].states));
      EXPECT_TRUE(same_bits(split.checkpoints[n].velocities, whole.checkpoints[n].velocities));
      EXPECT_TRUE(same_bits(split.checkpoints[n].trajectory, whole.checkpoints[n].trajectory));
      EXPECT_EQ(split.checkpoints[n].accepted, whole.checkpoints[n].accepted);
    }
  }
}

SamplerConfig base_config() {
  SamplerConfig config;
  config.chains = 100;  // 7 parts: 15, 15, 14, …: blocks starting inside the CPU's lane blocks
  config.steps = 24;
  config.epsilon = 0.01;
  config.seed = 41;
  config.first_chain = 3;
  config.backend = Backend::Cpu;
  return config;
}

GaussianMixture two_components_2d() {
  return GaussianMixture({0.3, 0.7}, {{-1.0, 0.5}, {1.5, -0.5}}, {{1.0, 0.6}, {0.7, 1.2}});
}

TEST(Split, TheDriverSplitsChainsIntoContiguousBlocks) {
  using Blocks = std::vector<std::pair<std::int64_t, std::int64_t>>;
  EXPECT_EQ(detail::split_chains(10, 1), (Blocks{{0, 10}}));
  EXPECT_EQ(detail::split_chains(10, 3), (Blocks{{0, 4}, {4, 3}, {7, 3}}));
  EXPECT_EQ(detail::split_chains(2, 3), (Blocks{{0, 1}, {1, 1}, {2, 0}}));
}

TEST(Split, FinalStatesOfModelsAndMixtures) {
  const SamplerConfig config = base_config();
  expect_splits_bit_identical(*detail::make_target(two_components_2d()), config);
  for (const std::vector<int>& widths : {std::vector<int>{2, 24, 2}, {3, 16, 16, 3}}) {
    const Mlp model = Mlp::random(widths, Activation::Tanh, 5);
    expect_splits_bit_identical(*detail::make_target(model, ScoreForm::Auto), config);
  }
  // The hinge form, and the same network through the layered pass.
  const Mlp relu = Mlp::random({1, 80, 1}, Activation::Relu, 6);
  expect_splits_bit_identical(*detail::make_target(relu, ScoreForm::Auto), config);
  expect_splits_bit_identical(*detail::make_target(relu, ScoreForm::Layered), config);
}

TEST(Split, TheOnePartRunIsTheSamplers) {
  const SamplerConfig config = base_config();
  const Mlp model = Mlp::random({2, 24, 2}, Activation::Silu, 7);
  EXPECT_TRUE(same_bits(run_split(*detail::make_target(model, ScoreForm::Auto), config, 1).out,
                        sample(model, config)));
}

TEST(Split, Trajectories) {
  SamplerConfig config = base_config();
  config.keep = Keep::Trajectory;
  config.burn_in = 5;
  config.thin = 3;
  expect_splits_bit_identical(*detail::make_target(two_components_2d()), config);
  expect_splits_bit_identical(
      *detail::make_target(Mlp::random({2, 20, 2}, Activation::Softplus, 8), ScoreForm::Auto),
      config);
}

TEST(Split, AnnealedRunsWithDenoising) {
  SamplerConfig config = base_config();
  config.sigmas = {2.0, 0.7, 0.2};
  config.denoise = true;
  expect_splits_bit_identical(*detail::make_target(two_components_2d()), config);
  const Mlp conditional(Mlp::random({3, 24, 2}, Activation::Relu, 9).layers(), Activation::Relu,
                        {2.0, 0.5, 0.1});
  SamplerConfig own_levels = base_config();
  own_levels.denoise = true;
  expect_splits_bit_identical(*detail::make_target(conditional, ScoreForm::Auto), own_levels);
  own_levels.keep = Keep::Trajectory;
  expect_splits_bit_identical(*detail::make_target(conditional, ScoreForm::Auto), own_levels);
}

TEST(Split, MalaCountsTheSameAcceptances) {
  SamplerConfig config = base_config();
  config.method = Method::Mala;
  config.epsilon = 0.3;
  expect_splits_bit_identical(*detail::make_target(two_components_2d()), config);
}

TEST(Split, PredictorCorrectorRuns) {
  SamplerConfig config = base_config();
  config.method = Method::Pc;
  config.epsilon = 0.0;
  config.steps = 4;
  config.corrector_steps = 2;
  config.sigmas = {2.0, 0.7, 0.2};
  config.denoise = true;
  expect_splits_bit_identical(*detail::make_target(two_components_2d()), config);
  const Mlp conditional(Mlp::random({3, 24, 2}, Activation::Silu, 9).layers(), Activation::Silu,
                        {2.0, 0.5, 0.1});
  SamplerConfig own_levels = config;
  own_levels.sigmas.clear();
  own_levels.keep = Keep::Trajectory;
  own_levels.thin = 2;
  own_levels.checkpoint_every = 5;
  expect_splits_bit_identical(*detail::make_target(conditional, ScoreForm::Auto), own_levels);
}

TEST(Split, ProbabilityFlowRuns) {
  SamplerConfig config = base_config();
  config.method = Method::Ode;
  config.epsilon = 0.0;
  config.sigmas = {2.0, 0.7, 0.2, 0.05};
  config.denoise = true;
  expect_splits_bit_identical(*detail::make_target(two_components_2d()), config);
  const Mlp conditional(Mlp::random({3, 24, 2}, Activation::Softplus, 9).layers(),
                        Activation::Softplus, {2.0, 0.5, 0.1});
  SamplerConfig own_levels = config;
  own_levels.sigmas.clear();
  own_levels.keep = Keep::Trajectory;
  own_levels.checkpoint_every = 1;
  expect_splits_bit_identical(*detail::make_target(conditional, ScoreForm::Auto), own_levels);
}

TEST(Split, UnderdampedRunsAndTheirVelocities) {
  SamplerConfig config = base_config();
  config.method = Method::Underdamped;
  config.epsilon = 0.2;
  config.friction = 0.7;
  expect_splits_bit_identical(*detail::make_target(two_components_2d()), config);
  config.keep = Keep::Trajectory;
  config.thin = 3;
  config.checkpoint_every = 6;  // the checkpoints' velocities, gathered over the parts
  expect_splits_bit_identical(*detail::make_target(two_components_2d()), config);
}

TEST(Split, CheckpointsHoldTheSameState) {
  SamplerConfig config = base_config();
  config.checkpoint_every = 7;
  config.keep = Keep::Trajectory;
  config.thin = 2;
  expect_splits_bit_identical(*detail::make_target(two_components_2d()), config);
  config.keep = Keep::Final;
  config.method = Method::Mala;
  config.epsilon = 0.3;
  expect_splits_bit_identical(*detail::make_target(two_components_2d()), config);
}

TEST(Split, ACheckpointOfOneCutResumesUnderAnother) {
  SamplerConfig config = base_config();
  config.keep = Keep::Trajectory;
  config.sigmas = {1.5, 0.3};
  const auto target = detail::make_target(two_components_2d());
  const Outcome whole = run_split(*target, config, 1);
  SamplerConfig checkpointed = config;
  checkpointed.checkpoint_every = 10;
  const Outcome by_seven = run_split(*target, checkpointed, 7);
  ASSERT_EQ(by_seven.checkpoints.size(), 4u);  // after 10, 20, 30, 40 of 48 updates
  for (const Checkpoint& checkpoint : by_seven.checkpoints) {
    for (int parts : {1, 3}) {
      SCOPED_TRACE("resumed after update " + std::to_string(checkpoint.update) + " on " +
                   std::to_string(parts) + " parts");
      SamplerConfig resumed = config;
      resumed.resume = std::make_shared<const Checkpoint>(checkpoint);
      EXPECT_TRUE(same_bits(run_split(*target, resumed, parts).out, whole.out));
    }
  }
}

TEST(Split, DivergenceIsCountedOverEveryPart) {
  SamplerConfig config = base_config();
  config.epsilon = 5.0;  // far too large for the mixture's narrow component: chains blow up
  config.steps = 60;
  const Outcome whole = run_split(*detail::make_target(two_components_2d()), config, 1);
  ASSERT_GT(whole.divergence.chains, 0);
  expect_splits_bit_identical(*detail::make_target(two_components_2d()), config);
}

TEST(Split, DevicesAreForTheCudaBackend) {
  SamplerConfig config = base_config();
  config.devices = {0, 1};
  try {
    sample(two_components_2d(), config);
    FAIL() << "devices on the cpu backend were accepted";
  } catch (const InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()),
              "devices = 0,1: this run is on the cpu backend; devices name CUDA GPUs");
  }
  config.devices.clear();
  config.device = 2;
  EXPECT_THROW(sample(two_components_2d(), config), InvalidInput);
}

// ---- on the GPUs there are ------------------------------------------------------------------

TEST(SplitGpu, EveryVisibleDeviceGivesTheOneDeviceRun) {
  LANGEVIN_REQUIRE_GPU();
  const Mlp model = Mlp::random({2, 64, 64, 2}, Activation::Silu, 10);
  SamplerConfig config = base_config();
  config.chains = 20000;
  config.backend = Backend::Cuda;
  config.keep = Keep::Trajectory;
  config.thin = 5;
  const Array one = sample(model, config);
  config.devices = all_devices();
  EXPECT_TRUE(same_bits(sample(model, config), one));
  config.devices.push_back(config.devices.front());
  EXPECT_THROW(sample(model, config), InvalidInput);  // a device named twice
  SamplerConfig cpu = base_config();
  cpu.chains = config.chains;
  cpu.keep = Keep::Trajectory;
  cpu.thin = 5;
  EXPECT_TRUE(same_bits(sample(model, cpu), one));
}

}  // namespace
}  // namespace langevin
