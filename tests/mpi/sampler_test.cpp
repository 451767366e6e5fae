// The MPI layer against the one-process run (include/langevin/mpi.hpp): run under mpirun at 1,
// 2, 3 and 4 ranks (tests/CMakeLists.txt), every rank's rows, the one .npy file, the gathered
// array, MALA's acceptance and the divergence report equal the same run's in one process bit for
// bit; summaries equal it in counts, extremes and histograms and to double rounding in moments;
// a run checkpointed over all ranks resumes over any number of them with the uncut run's bits;
// failures on one rank or all are one agreed error on every rank, with nothing left on disk.

#include "mpi_test.hpp"
#include "run/driver.hpp"

#include <langevin/checkpoint_file.hpp>
#include <langevin/langevin.hpp>
#include <langevin/mpi.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>

namespace langevin {
namespace {

using testing::rows_of;
using testing::same_bits;
using testing::world_rank;
using testing::world_size;

GaussianMixture planar() {
  return GaussianMixture({0.3, 0.7}, {{-1.0, 0.5}, {1.5, -0.5}}, {{1.0, 0.6}, {0.7, 1.2}});
}

/// 103 chains: a block boundary inside the CPU's blocks of 16 and 32 chains at every rank count.
SamplerConfig base_config() {
  SamplerConfig config;
  config.chains = 103;
  config.steps = 40;
  config.epsilon = 0.01;
  config.seed = 11;
  config.first_chain = 5;
  config.backend = Backend::Cpu;
  return config;
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// This rank's rows of the MPI run equal its rows of the one-process run, and so does MALA's rate.
template <class Target>
void expect_rows_of_one_process_run(const Target& target, const SamplerConfig& config) {
  Sampler whole_sampler(target, config);
  const Array whole = whole_sampler.run();
  mpi::Sampler sampler(MPI_COMM_WORLD, target, config);
  const Array rows = sampler.run();
  EXPECT_EQ(sampler.output_shape(), whole.shape());
  EXPECT_TRUE(same_bits(rows, rows_of(whole, sampler.block().first, sampler.block().count)));
  if (config.method == Method::Mala) {
    EXPECT_EQ(sampler.acceptance_rate(), whole_sampler.acceptance_rate());
  } else {
    EXPECT_TRUE(std::isnan(sampler.acceptance_rate()));
  }
}

TEST(MpiLayer, RefusesToRunBeforeMpiIsInitialised) {
  EXPECT_NE(testing::refused_before_init.find("MPI is not initialised"), std::string::npos)
      << testing::refused_before_init;
}

TEST(MpiLayer, BlocksTileTheChainsInRankOrderAsTheDriversParts) {
  for (std::int64_t chains : {1, 2, 5, 103, 1000003}) {
    for (int ranks = 1; ranks <= 7; ++ranks) {
      const auto parts = detail::split_chains(chains, ranks);
      for (int r = 0; r < ranks; ++r) {
        const mpi::Block block = mpi::block_of(chains, r, ranks);
        EXPECT_EQ(block.first, parts[static_cast<std::size_t>(r)].first);
        EXPECT_EQ(block.count, parts[static_cast<std::size_t>(r)].second);
      }
    }
  }
}

TEST(MpiSampler, FinalStatesOfMixturesAndModels) {
  expect_rows_of_one_process_run(planar(), base_config());
  expect_rows_of_one_process_run(Mlp::random({2, 24, 2}, Activation::Tanh, 5), base_config());
  // The 1-D ReLU network's hinge form, and a user's initial states (the whole run's array).
  SamplerConfig config = base_config();
  config.init_states = Array({config.chains, 1});
  for (std::int64_t i = 0; i < config.chains; ++i) config.init_states[i] = 0.01f * i - 0.5f;
  expect_rows_of_one_process_run(Mlp::random({1, 80, 1}, Activation::Relu, 6), config);
}

TEST(MpiSampler, Trajectories) {
  SamplerConfig config = base_config();
  config.keep = Keep::Trajectory;
  config.burn_in = 7;
  config.thin = 3;
  expect_rows_of_one_process_run(planar(), config);
}

TEST(MpiSampler, AnnealedRunsWithDenoising) {
  SamplerConfig config = base_config();
  config.sigmas = {2.0, 0.7, 0.2};
  config.denoise = true;
  expect_rows_of_one_process_run(planar(), config);
  const Mlp conditional(Mlp::random({3, 24, 2}, Activation::Relu, 9).layers(), Activation::Relu,
                        {2.0, 0.5, 0.1});
  SamplerConfig own_levels = base_config();
  own_levels.denoise = true;
  own_levels.keep = Keep::Trajectory;
  expect_rows_of_one_process_run(conditional, own_levels);
}

TEST(MpiSampler, MalaCountsTheWholeRunsAcceptances) {
  SamplerConfig config = base_config();
  config.method = Method::Mala;
  config.epsilon = 0.3;
  expect_rows_of_one_process_run(planar(), config);
}

TEST(MpiSampler, PredictorCorrectorOdeAndUnderdampedRuns) {
  SamplerConfig config = base_config();
  config.epsilon = 0.0;
  config.sigmas = {2.0, 0.7, 0.2};
  config.denoise = true;
  config.method = Method::Pc;
  config.steps = 4;
  config.corrector_steps = 2;
  expect_rows_of_one_process_run(planar(), config);
  config.method = Method::Ode;
  expect_rows_of_one_process_run(planar(), config);
  SamplerConfig underdamped = base_config();
  underdamped.method = Method::Underdamped;
  underdamped.epsilon = 0.2;
  underdamped.keep = Keep::Trajectory;
  expect_rows_of_one_process_run(planar(), underdamped);
}

TEST(MpiSampler, FewerChainsThanRanksLeaveSomeRanksEmpty) {
  SamplerConfig config = base_config();
  config.chains = 2;
  expect_rows_of_one_process_run(planar(), config);
}

/// A run of `config` diverges: every rank throws the one-process run's message (the whole run's
/// count and first update), whatever the rank count.
void expect_the_one_process_divergence(const SamplerConfig& config) {
  std::string expected;
  try {
    sample(planar(), config);
  } catch (const Error& error) {
    expected = error.what();
  }
  ASSERT_NE(expected.find("chains diverged"), std::string::npos);
  mpi::Sampler sampler(MPI_COMM_WORLD, planar(), config);
  try {
    sampler.run();
    ADD_FAILURE() << "the run diverged and did not throw";
  } catch (const mpi::AgreedError& error) {
    EXPECT_EQ(std::string(error.what()), expected);
  }
}

TEST(MpiSampler, DivergenceIsReportedForTheWholeRunOnEveryRank) {
  SamplerConfig config = base_config();
  config.epsilon = 50.0;
  expect_the_one_process_divergence(config);
}

TEST(MpiSampler, BadConfigurationsAreRefusedOnEveryRank) {
  SamplerConfig config = base_config();
  config.chains = 0;
  EXPECT_THROW(mpi::Sampler(MPI_COMM_WORLD, planar(), config), mpi::AgreedInvalidInput);
  // A checkpointed run needs a chain a rank (every rank meets the others at a segment's end).
  config = base_config();
  config.chains = world_size() - 1;
  config.checkpoint_every = 10;
  if (config.chains >= 1) {
    EXPECT_THROW(mpi::Sampler(MPI_COMM_WORLD, planar(), config), mpi::AgreedInvalidInput);
  }
}

/// The first `ranks` ranks of the world (MPI_COMM_NULL on the others).
struct FirstRanks {
  MPI_Comm comm = MPI_COMM_NULL;
  explicit FirstRanks(int ranks) {
    MPI_Comm_split(MPI_COMM_WORLD, world_rank() < ranks ? 0 : MPI_UNDEFINED, world_rank(), &comm);
  }
  ~FirstRanks() {
    if (comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
  }
};

/// A run checkpointed over all ranks equals the uncut run, its checkpoints equal the one-process
/// run's bit for bit, and the first one resumed over 1 … P ranks (the first Q of the world)
/// finishes with the uncut run's rows and acceptance.
void expect_checkpoints_resume_at_any_rank_count(const SamplerConfig& base) {
  Sampler whole_sampler(planar(), base);
  const Array whole = whole_sampler.run();
  std::vector<Checkpoint> one_process;
  SamplerConfig config = base;
  config.checkpoint_every = 15;
  config.on_checkpoint = [&](const Checkpoint& c) { one_process.push_back(c); };
  sample(planar(), config);
  ASSERT_GE(one_process.size(), 2u);

  std::vector<Checkpoint> over_ranks;
  config.on_checkpoint = [&](const Checkpoint& c) { over_ranks.push_back(c); };
  mpi::Sampler checkpointed(MPI_COMM_WORLD, planar(), config);
  const Array rows = checkpointed.run();
  EXPECT_TRUE(same_bits(rows, rows_of(whole, checkpointed.block().first,
                                      checkpointed.block().count)));
  const testing::SharedDir dir;
  if (world_rank() == 0) {
    // Rank 0 alone gets the whole run's checkpoints.
    EXPECT_EQ(over_ranks.size(), one_process.size());
    for (std::size_t n = 0; n < std::min(over_ranks.size(), one_process.size()); ++n) {
      EXPECT_EQ(over_ranks[n].update, one_process[n].update);
      EXPECT_TRUE(same_bits(over_ranks[n].states, one_process[n].states));
      EXPECT_TRUE(same_bits(over_ranks[n].velocities, one_process[n].velocities));
      EXPECT_TRUE(same_bits(over_ranks[n].trajectory, one_process[n].trajectory));
      EXPECT_EQ(over_ranks[n].accepted, one_process[n].accepted);
    }
    write_checkpoint(dir.file("run.ckpt"), over_ranks.empty() ? one_process[0] : over_ranks[0]);
  } else {
    EXPECT_TRUE(over_ranks.empty());
  }
  MPI_Barrier(MPI_COMM_WORLD);

  for (int ranks = 1; ranks <= world_size(); ++ranks) {
    SCOPED_TRACE("resumed over " + std::to_string(ranks) + " ranks");
    const FirstRanks first(ranks);
    if (first.comm == MPI_COMM_NULL) continue;
    SamplerConfig resumed = base;
    resumed.resume =
        std::make_shared<const Checkpoint>(read_checkpoint(dir.file("run.ckpt")).checkpoint);
    mpi::Sampler sampler(first.comm, planar(), resumed);
    const Array resumed_rows = sampler.run();
    EXPECT_TRUE(same_bits(resumed_rows,
                          rows_of(whole, sampler.block().first, sampler.block().count)));
    if (base.method == Method::Mala) {
      EXPECT_EQ(sampler.acceptance_rate(), whole_sampler.acceptance_rate());
    }
  }
}

TEST(MpiCheckpoints, FinalStatesResumeAtAnyRankCount) {
  expect_checkpoints_resume_at_any_rank_count(base_config());
}

TEST(MpiCheckpoints, TrajectoriesAndMalaResumeAtAnyRankCount) {
  SamplerConfig config = base_config();
  config.keep = Keep::Trajectory;
  config.thin = 4;
  config.steps = 80;
  config.method = Method::Mala;
  config.epsilon = 0.3;
  expect_checkpoints_resume_at_any_rank_count(config);
}

TEST(MpiCheckpoints, UnderdampedVelocitiesResumeAtAnyRankCount) {
  SamplerConfig config = base_config();
  config.method = Method::Underdamped;
  config.epsilon = 0.2;
  config.friction = 0.5;
  expect_checkpoints_resume_at_any_rank_count(config);
}

TEST(MpiCheckpoints, ADivergenceAtASegmentsEndIsTheWholeRunsOnEveryRank) {
  SamplerConfig config = base_config();
  config.epsilon = 50.0;
  config.checkpoint_every = 2;
  expect_the_one_process_divergence(config);
}

TEST(MpiCheckpoints, AFailedCheckpointWriteIsAnErrorOnEveryRank) {
  SamplerConfig config = base_config();
  config.checkpoint_every = 10;
  config.on_checkpoint = [](const Checkpoint&) { throw Error("cannot write run.ckpt: disk full"); };
  mpi::Sampler sampler(MPI_COMM_WORLD, planar(), config);
  try {
    sampler.run();
    ADD_FAILURE() << "the write failed and the run did not throw";
  } catch (const mpi::AgreedError& error) {
    const std::string prefix = world_size() > 1 ? "rank 0 of " + std::to_string(world_size()) +
                                                      ": "
                                                : "";
    EXPECT_EQ(std::string(error.what()), prefix + "cannot write run.ckpt: disk full");
  }
}

TEST(MpiAgree, TheLowestFailingRankSpeaksForAll) {
  const int ranks = world_size();
  const int failing = ranks - 1;
  try {
    mpi::agree(MPI_COMM_WORLD, [&] {
      if (world_rank() == failing) throw InvalidInput("x = 3: bad");
    });
    ADD_FAILURE() << "no rank threw";
  } catch (const mpi::AgreedInvalidInput& error) {
    const std::string expected =
        ranks > 1 ? "rank " + std::to_string(failing) + " of " + std::to_string(ranks) +
                        ": x = 3: bad"
                  : "x = 3: bad";
    EXPECT_EQ(std::string(error.what()), expected);
  }
  // The same failure everywhere needs no rank; a run's failure stays a run's failure.
  try {
    mpi::agree(MPI_COMM_WORLD, [] { throw Error("disk full"); });
    ADD_FAILURE() << "no rank threw";
  } catch (const InvalidInput&) {
    ADD_FAILURE() << "an Error became an InvalidInput";
  } catch (const mpi::AgreedError& error) {
    EXPECT_EQ(std::string(error.what()), "disk full");
  }
  EXPECT_NO_THROW(mpi::agree(MPI_COMM_WORLD, [] {}));
}

TEST(MpiFiles, OneNpyFileByteForByteTheOneProcessWrite) {
  const testing::SharedDir dir;
  for (const Keep keep : {Keep::Final, Keep::Trajectory}) {
    SamplerConfig config = base_config();
    config.keep = keep;
    mpi::Sampler sampler(MPI_COMM_WORLD, planar(), config);
    const Array rows = sampler.run();
    mpi::write_npy(MPI_COMM_WORLD, dir.file("ranks.npy"), rows, sampler.output_shape(),
                   sampler.block().first);
    if (world_rank() == 0) {
      write_npy(dir.file("one.npy"), sample(planar(), config));
      EXPECT_EQ(bytes_of(dir.file("ranks.npy")), bytes_of(dir.file("one.npy")));
      EXPECT_EQ(dir.entries(), 2u);  // no temporary left
    }
    MPI_Barrier(MPI_COMM_WORLD);
  }
}

TEST(MpiFiles, OneHdf5FileByteForByteTheOneProcessWrite) {
  if (!hdf5_available()) GTEST_SKIP() << "built without HDF5";
  const testing::SharedDir dir;
  const Hdf5Attributes attributes = {{"seed", std::int64_t{11}}, {"note", std::string("ranks")}};
  for (const Keep keep : {Keep::Final, Keep::Trajectory}) {
    SamplerConfig config = base_config();
    config.keep = keep;
    mpi::Sampler sampler(MPI_COMM_WORLD, planar(), config);
    const Array rows = sampler.run();
    mpi::write_hdf5(MPI_COMM_WORLD, dir.file("ranks.h5"), "samples", rows, sampler.output_shape(),
                    sampler.block().first, attributes);
    if (world_rank() == 0) {
      write_hdf5(dir.file("one.h5"), "samples", sample(planar(), config), attributes);
      EXPECT_EQ(bytes_of(dir.file("ranks.h5")), bytes_of(dir.file("one.h5")));
      EXPECT_TRUE(same_bits(read_hdf5(dir.file("ranks.h5")), sample(planar(), config)));
      EXPECT_EQ(dir.entries(), 2u);  // no temporary left
    }
    MPI_Barrier(MPI_COMM_WORLD);
  }
}

TEST(MpiFiles, AFailedWriteIsAnErrorOnEveryRankAndLeavesNothing) {
  const testing::SharedDir dir;
  mpi::Sampler sampler(MPI_COMM_WORLD, planar(), base_config());
  const Array rows = sampler.run();
  EXPECT_THROW(mpi::write_npy(MPI_COMM_WORLD, dir.file("missing/x.npy"), rows,
                              sampler.output_shape(), sampler.block().first),
               mpi::AgreedError);
  // Rows that do not fit the shape are bad input, on every rank.
  EXPECT_THROW(mpi::write_npy(MPI_COMM_WORLD, dir.file("x.npy"), rows, {1, 2},
                              sampler.block().first),
               mpi::AgreedInvalidInput);
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_EQ(dir.entries(), 0u);
}

TEST(MpiFiles, GatherPutsTheWholeArrayOnTheRoot) {
  SamplerConfig config = base_config();
  config.keep = Keep::Trajectory;
  mpi::Sampler sampler(MPI_COMM_WORLD, planar(), config);
  const Array rows = sampler.run();
  const int root = world_size() - 1;
  const Array whole = mpi::gather(MPI_COMM_WORLD, rows, sampler.output_shape(), root);
  if (world_rank() == root) {
    EXPECT_TRUE(same_bits(whole, sample(planar(), config)));
  } else {
    EXPECT_EQ(whole.size(), 0);
  }
}

TEST(MpiSummary, EqualsTheOneProcessSummary) {
  SamplerConfig config = base_config();
  config.chains = 1001;
  config.keep = Keep::Trajectory;
  config.thin = 5;
  SummaryOptions options;
  options.histogram = {12, -3.0, 3.0};
  options.chunk_chains = 64;  // chunks that do not line up with the ranks' blocks
  const SampleSummary one = sample_summary(planar(), config, options);
  const SampleSummary ranks = mpi::sample_summary(MPI_COMM_WORLD, planar(), config, options);
  EXPECT_EQ(ranks.count, one.count);
  EXPECT_EQ(ranks.min, one.min);
  EXPECT_EQ(ranks.max, one.max);
  EXPECT_EQ(ranks.counts, one.counts);
  // Another order of pairwise merges: the moments agree to double rounding, a few ulps of the
  // values' scale per merge level (here ~10 levels of values of order 1).
  const double scale = 1e-13;
  for (int j = 0; j < one.dim; ++j) {
    EXPECT_NEAR(ranks.mean[static_cast<std::size_t>(j)], one.mean[static_cast<std::size_t>(j)],
                scale);
    EXPECT_NEAR(ranks.m2[static_cast<std::size_t>(j)], one.m2[static_cast<std::size_t>(j)],
                scale * one.m2[static_cast<std::size_t>(j)]);
  }
}

}  // namespace
}  // namespace langevin
