// Checkpoint/resume: a run continued from any of its checkpoints gives the uninterrupted run's
// result bit for bit (plain, trajectory, annealed with denoising, MALA, predictor–corrector, an
// MLP; on the CPU, and
// on the GPU where present); the checkpoint file round-trips exactly and refuses what it is not.

#include <langevin/langevin.hpp>
#include <langevin/sample_with.hpp>

#include "bit_identity.hpp"
#include "gpu.hpp"
#include "test_files.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

namespace langevin {
namespace {

using testing::same_bits;
using testing::two_components_3d;

using testing::TempDir;

SamplerConfig base_config(Backend backend) {
  SamplerConfig config;
  config.chains = 300;
  config.steps = 90;
  config.epsilon = 0.02;
  config.seed = 11;
  config.first_chain = 7;
  config.backend = backend;
  return config;
}

/// Runs `config` whole, then with checkpoints every `every` updates, then resumed from each of
/// those checkpoints: every result must equal the whole run's bit for bit (and the MALA
/// acceptance rates agree exactly).
template <class Target>
void expect_resumes_bit_identical(const Target& target, SamplerConfig config,
                                  std::int64_t every, std::size_t expected_checkpoints) {
  Sampler whole(target, config);
  const Array reference = whole.run();
  const double reference_rate = whole.acceptance_rate();

  std::vector<Checkpoint> checkpoints;
  SamplerConfig checkpointed = config;
  checkpointed.checkpoint_every = every;
  checkpointed.on_checkpoint = [&](const Checkpoint& c) { checkpoints.push_back(c); };
  Sampler in_segments(target, checkpointed);
  EXPECT_TRUE(same_bits(in_segments.run(), reference)) << "segmented run differs";
  ASSERT_EQ(checkpoints.size(), expected_checkpoints);
  for (std::size_t n = 0; n < checkpoints.size(); ++n) {
    EXPECT_EQ(checkpoints[n].update, static_cast<std::int64_t>(n + 1) * every);
  }

  for (const Checkpoint& checkpoint : checkpoints) {
    SamplerConfig resumed = config;
    resumed.resume = std::make_shared<const Checkpoint>(checkpoint);
    Sampler sampler(target, resumed);
    EXPECT_TRUE(same_bits(sampler.run(), reference))
        << "resumed after update " << checkpoint.update << " differs";
    if (config.method == Method::Mala) {
      EXPECT_EQ(sampler.acceptance_rate(), reference_rate);
    }
  }
}

void resumes_plain(Backend backend) {
  expect_resumes_bit_identical(two_components_3d(), base_config(backend), 25, 3);
}

void resumes_trajectory(Backend backend) {
  SamplerConfig config = base_config(backend);
  config.keep = Keep::Trajectory;
  config.burn_in = 13;
  config.thin = 4;  // checkpoints at 20, 40, 60, 80 fall between kept updates 17, 21, …
  expect_resumes_bit_identical(two_components_3d(), config, 20, 4);
}

void resumes_annealed(Backend backend) {
  SamplerConfig config = base_config(backend);
  config.steps = 30;
  config.sigmas = {3.0, 1.0, 0.3};
  config.denoise = true;
  // 90 updates across three levels; checkpoints inside levels and on their boundary (60).
  expect_resumes_bit_identical(two_components_3d(), config, 15, 5);
}

void resumes_mala(Backend backend) {
  SamplerConfig config = base_config(backend);
  config.method = Method::Mala;
  config.epsilon = 0.2;
  expect_resumes_bit_identical(two_components_3d(), config, 40, 2);
}

void resumes_pc(Backend backend) {
  const Mlp conditional(Mlp::random({3, 32, 2}, Activation::Silu, 8).layers(), Activation::Silu,
                        {3.0, 1.0, 0.3});
  SamplerConfig config = base_config(backend);
  config.method = Method::Pc;
  config.epsilon = 0.0;
  config.steps = 10;
  config.corrector_steps = 2;
  config.denoise = true;
  // 30 predictor updates of three draws each; checkpoints inside levels and on a boundary (20).
  expect_resumes_bit_identical(conditional, config, 5, 5);
  config.keep = Keep::Trajectory;
  config.thin = 4;
  config.sigmas = {3.0, 0.5};  // a mixture annealed over its convolutions
  expect_resumes_bit_identical(two_components_3d(), config, 7, 2);
}

void resumes_ode(Backend backend) {
  const Mlp conditional(Mlp::random({3, 32, 2}, Activation::Tanh, 8).layers(), Activation::Tanh,
                        {3.0, 1.5, 0.7, 0.3, 0.1});
  SamplerConfig config = base_config(backend);
  config.method = Method::Ode;
  config.epsilon = 0.0;
  config.denoise = true;
  // 4 level intervals; a checkpoint after each of the first three.
  expect_resumes_bit_identical(conditional, config, 1, 3);
  config.keep = Keep::Trajectory;
  config.sigmas = {3.0, 1.0, 0.5, 0.2, 0.05};  // a mixture annealed over its convolutions
  expect_resumes_bit_identical(two_components_3d(), config, 2, 1);
}

void resumes_underdamped(Backend backend) {
  SamplerConfig config = base_config(backend);
  config.method = Method::Underdamped;
  config.epsilon = 0.2;
  config.friction = 0.5;
  // The velocities travel with the states: a resume that drew them afresh would differ.
  expect_resumes_bit_identical(two_components_3d(), config, 30, 2);
  config.keep = Keep::Trajectory;
  config.thin = 7;
  expect_resumes_bit_identical(Mlp::random({3, 32, 3}, Activation::Tanh, 4), config, 40, 2);
}

void resumes_mlp(Backend backend) {
  const Mlp model = Mlp::random({2, 32, 32, 2}, Activation::Tanh, 5);
  SamplerConfig config = base_config(backend);
  config.init_mean = 0.5;
  expect_resumes_bit_identical(model, config, 30, 2);
}

TEST(CheckpointResume, PlainRunIsBitIdentical) { resumes_plain(Backend::Cpu); }
TEST(CheckpointResume, TrajectoryIsBitIdentical) { resumes_trajectory(Backend::Cpu); }
TEST(CheckpointResume, AnnealedRunWithDenoisingIsBitIdentical) { resumes_annealed(Backend::Cpu); }
TEST(CheckpointResume, MalaRunAndAcceptanceRateAreBitIdentical) { resumes_mala(Backend::Cpu); }
TEST(CheckpointResume, MlpRunIsBitIdentical) { resumes_mlp(Backend::Cpu); }
TEST(CheckpointResume, PredictorCorrectorRunIsBitIdentical) { resumes_pc(Backend::Cpu); }
TEST(CheckpointResume, ProbabilityFlowRunIsBitIdentical) { resumes_ode(Backend::Cpu); }
TEST(CheckpointResume, UnderdampedRunIsBitIdentical) { resumes_underdamped(Backend::Cpu); }

TEST(CheckpointResumeGpu, EveryKindOfRunIsBitIdentical) {
  LANGEVIN_REQUIRE_GPU();
  resumes_plain(Backend::Cuda);
  resumes_trajectory(Backend::Cuda);
  resumes_annealed(Backend::Cuda);
  resumes_mala(Backend::Cuda);
  resumes_mlp(Backend::Cuda);
  resumes_pc(Backend::Cuda);
  resumes_ode(Backend::Cuda);
  resumes_underdamped(Backend::Cuda);
}

TEST(CheckpointResume, ProgressCountsTheUpdatesDone) {
  SamplerConfig config = base_config(Backend::Cpu);
  config.checkpoint_every = 30;
  config.on_checkpoint = [](const Checkpoint&) {};
  std::vector<std::int64_t> done;
  config.on_progress = [&](std::int64_t chains_done, std::int64_t total) {
    EXPECT_EQ(total, config.chains);
    done.push_back(chains_done);
  };
  (void)Sampler(two_components_3d(), config).run();
  ASSERT_FALSE(done.empty());
  for (std::size_t n = 1; n < done.size(); ++n) EXPECT_LE(done[n - 1], done[n]);
  EXPECT_EQ(done.back(), config.chains);
}

TEST(CheckpointResume, ADivergingRunStopsBeforeCheckpointingNaNs) {
  SamplerConfig config = base_config(Backend::Cpu);
  config.epsilon = 50.0;  // far past stability for σ = 0.5: the chains blow up within updates
  config.checkpoint_every = 30;
  int checkpoints = 0;
  config.on_checkpoint = [&](const Checkpoint&) { ++checkpoints; };
  EXPECT_THROW((void)Sampler(two_components_3d(), config).run(), Error);
  EXPECT_EQ(checkpoints, 0);
}

TEST(CheckpointResume, RefusesACheckpointOfAnotherRun) {
  const SamplerConfig config = base_config(Backend::Cpu);
  Checkpoint checkpoint;
  checkpoint.update = 30;
  checkpoint.states = Array({config.chains, 3});

  auto refusal = [&](const Checkpoint& c, SamplerConfig run = base_config(Backend::Cpu)) {
    run.resume = std::make_shared<const Checkpoint>(c);
    try {
      (void)Sampler(two_components_3d(), run);
    } catch (const InvalidInput& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refusal(checkpoint), "accepted");

  Checkpoint late = checkpoint;
  late.update = config.steps;
  EXPECT_NE(refusal(late).find("checkpoint update = 90"), std::string::npos) << refusal(late);
  Checkpoint narrow = checkpoint;
  narrow.states = Array({config.chains, 2});
  EXPECT_NE(refusal(narrow).find("checkpoint states shape = (300, 2)"), std::string::npos)
      << refusal(narrow);
  Checkpoint not_finite = checkpoint;
  not_finite.states[4] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_NE(refusal(not_finite).find("checkpoint states[1, 1] = nan"), std::string::npos)
      << refusal(not_finite);
  Checkpoint with_trajectory = checkpoint;
  with_trajectory.trajectory = Array({config.chains, 90, 3});
  EXPECT_NE(refusal(with_trajectory).find("checkpoint trajectory shape"), std::string::npos);
  Checkpoint accepted = checkpoint;
  accepted.accepted = 1;  // a ULA run accepts nothing
  EXPECT_NE(refusal(accepted).find("checkpoint accepted = 1"), std::string::npos);
  Checkpoint moving = checkpoint;
  moving.velocities = Array({config.chains, 3});
  EXPECT_NE(refusal(moving).find("checkpoint velocities shape = (300, 3): must be empty"),
            std::string::npos)
      << refusal(moving);

  SamplerConfig underdamped = base_config(Backend::Cpu);
  underdamped.method = Method::Underdamped;
  EXPECT_NE(refusal(checkpoint, underdamped).find("must be (chains, d) = (300, 3) for underdamped"),
            std::string::npos)
      << refusal(checkpoint, underdamped);
  EXPECT_EQ(refusal(moving, underdamped), "accepted");
  moving.velocities[7] = std::numeric_limits<float>::infinity();
  EXPECT_NE(refusal(moving, underdamped).find("checkpoint velocities[2, 1] = inf"),
            std::string::npos)
      << refusal(moving, underdamped);
}

TEST(CheckpointFile, RoundTripsExactly) {
  TempDir dir;
  Checkpoint checkpoint;
  checkpoint.update = 123456789012345;
  checkpoint.accepted = 18446744073709551615ull;
  checkpoint.states = Array({2, 3});
  checkpoint.trajectory = Array({2, 4, 3});
  for (std::int64_t i = 0; i < checkpoint.states.size(); ++i) {
    checkpoint.states[i] = std::nextafter(static_cast<float>(i) / 3.0f, 10.0f);
  }
  checkpoint.trajectory[5] = -1e-38f;  // a denormal-adjacent value survives as is
  checkpoint.velocities = Array({2, 3}, {1.5f, -0.25f, 3e-7f, 0.0f, -0.0f, 9.75f});
  const RunSettings settings = {{"epsilon", "0.0050000000000000001"}, {"target", "gmm"}};
  write_checkpoint(dir.file("run.ckpt"), checkpoint, settings);

  const CheckpointFile read = read_checkpoint(dir.file("run.ckpt"));
  EXPECT_EQ(read.checkpoint.update, checkpoint.update);
  EXPECT_EQ(read.checkpoint.accepted, checkpoint.accepted);
  EXPECT_TRUE(same_bits(read.checkpoint.states, checkpoint.states));
  EXPECT_TRUE(same_bits(read.checkpoint.trajectory, checkpoint.trajectory));
  EXPECT_TRUE(same_bits(read.checkpoint.velocities, checkpoint.velocities));
  EXPECT_EQ(read.settings, settings);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"run.ckpt"});  // no temporary left
}

TEST(CheckpointFile, RefusesFilesItDidNotWrite) {
  TempDir dir;
  auto refusal = [&](const TensorFile& file) {
    write_safetensors(dir.file("bad.ckpt"), file);
    try {
      (void)read_checkpoint(dir.file("bad.ckpt"));
    } catch (const InvalidInput& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  TensorFile good;
  good.tensors.emplace("states", Array({2, 1}));
  good.metadata = {{"format", "langevin-checkpoint-1"}, {"update", "5"}, {"accepted", "0"}};
  EXPECT_EQ(refusal(good), "accepted");

  TensorFile model = good;  // a model file is a safetensors file too
  model.metadata.erase("format");
  EXPECT_NE(refusal(model).find("no \"format\""), std::string::npos);
  for (const char* update : {"", "-5", "05", "5.0", "1e3", "99999999999999999999", " 5"}) {
    TensorFile bad = good;
    bad.metadata["update"] = update;
    EXPECT_NE(refusal(bad).find("update = "), std::string::npos) << "update \"" << update << "\"";
  }
  TensorFile extra = good;
  extra.tensors.emplace("weights", Array({1}));
  EXPECT_NE(refusal(extra).find("unknown tensor \"weights\""), std::string::npos);
  TensorFile flat = good;
  flat.tensors["states"] = Array({2});
  EXPECT_NE(refusal(flat).find("\"states\" must be a (chains, d) tensor"), std::string::npos);
  TensorFile stray = good;
  stray.metadata["note"] = "x";
  EXPECT_NE(refusal(stray).find("unknown metadata entry \"note\""), std::string::npos);
}

/// A user's score functor: s(x) = −x, the standard normal's.
struct StandardNormal {
  static constexpr int max_dim = 1;
  LANGEVIN_HD void operator()(const float* x, float* s) const { s[0] = -x[0]; }
};

TEST(CheckpointResume, SampleWithResumesAsASamplerDoes) {
  // sample_with runs through the same driver: a user's functor checkpoints and resumes too.
  SamplerConfig config = base_config(Backend::Cpu);
  const Array reference = sample_with(StandardNormal{}, 1, config);
  std::vector<Checkpoint> checkpoints;
  SamplerConfig checkpointed = config;
  checkpointed.checkpoint_every = 40;
  checkpointed.on_checkpoint = [&](const Checkpoint& c) { checkpoints.push_back(c); };
  EXPECT_TRUE(same_bits(sample_with(StandardNormal{}, 1, checkpointed), reference));
  ASSERT_EQ(checkpoints.size(), 2u);
  for (const Checkpoint& checkpoint : checkpoints) {
    SamplerConfig resumed = config;
    resumed.resume = std::make_shared<const Checkpoint>(checkpoint);
    EXPECT_TRUE(same_bits(sample_with(StandardNormal{}, 1, resumed), reference))
        << "resumed after update " << checkpoint.update;
  }
}

}  // namespace
}  // namespace langevin
