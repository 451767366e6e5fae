// Data-parallel training over ranks (mpi::train): the model equals the one-process train()'s bit
// for bit at every rank count from 1 to the world's (the first Q ranks of it), for the fused
// pass of the seed's shape and the general pass with each loss, full batches and mini-batches.

#include "mpi_test.hpp"

#include <langevin/langevin.hpp>
#include <langevin/mpi.hpp>

#include <gtest/gtest.h>

#include <cstring>

namespace langevin {
namespace {

using testing::world_rank;
using testing::world_size;

/// Every weight and bias with the same bits.
bool same_model(const Mlp& a, const Mlp& b) {
  if (a.layers().size() != b.layers().size()) return false;
  for (std::size_t l = 0; l < a.layers().size(); ++l) {
    const DenseLayer& x = a.layers()[l];
    const DenseLayer& y = b.layers()[l];
    if (x.weight.size() != y.weight.size() || x.bias.size() != y.bias.size()) return false;
    if (std::memcmp(x.weight.data(), y.weight.data(), x.weight.size() * sizeof(float)) != 0 ||
        std::memcmp(x.bias.data(), y.bias.data(), x.bias.size() * sizeof(float)) != 0) {
      return false;
    }
  }
  return true;
}

/// 5 000 rows of a 2-component mixture in d dimensions: 10 row blocks (fused pass) or chunks
/// (general pass), more than the ranks.
Array data(int dim) {
  std::vector<double> left(static_cast<std::size_t>(dim), -2.0), right(static_cast<std::size_t>(dim), 1.5);
  std::vector<double> narrow(static_cast<std::size_t>(dim), 0.7), wide(static_cast<std::size_t>(dim), 1.3);
  return draw(GaussianMixture({0.4, 0.6}, {left, right}, {narrow, wide}), 5000, 21);
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

void expect_one_process_model_at_every_rank_count(const Array& points, const TrainConfig& config) {
  const TrainResult one = train(points, config);
  for (int ranks = 1; ranks <= world_size(); ++ranks) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const FirstRanks first(ranks);
    if (first.comm == MPI_COMM_NULL) continue;
    const TrainResult over = mpi::train(first.comm, points, config);
    EXPECT_TRUE(same_model(over.model, one.model));
    EXPECT_EQ(over.final_loss, one.final_loss);
    EXPECT_EQ(over.iterations, one.iterations);
    EXPECT_EQ(over.evaluations, one.evaluations);
  }
}

TrainConfig base_config() {
  TrainConfig config;
  config.backend = Backend::Cpu;
  config.iterations = 6;
  config.seed = 5;
  return config;
}

TEST(MpiTrain, TheFusedPassOfTheSeedsShapeWithLineSearch) {
  TrainConfig config = base_config();
  config.hidden = {64};
  config.optimizer = Optimizer::Nesterov;
  config.learning_rate = 0.0;  // the line search: more evaluations than iterations
  expect_one_process_model_at_every_rank_count(data(1), config);
}

TEST(MpiTrain, TheGeneralPassWithEachLoss) {
  TrainConfig config = base_config();
  config.hidden = {24, 24};
  config.activation = Activation::Softplus;
  for (const Loss loss : {Loss::Exact, Loss::Sliced, Loss::Dsm}) {
    SCOPED_TRACE(to_string(loss));
    config.loss = loss;
    expect_one_process_model_at_every_rank_count(data(2), config);
  }
}

TEST(MpiTrain, NoiseConditionalMiniBatches) {
  TrainConfig config = base_config();
  config.hidden = {32};
  config.activation = Activation::Silu;
  config.loss = Loss::Ncsn;
  config.sigmas = {2.0, 0.8, 0.3};
  config.batch = 3000;
  config.ema = 0.9;
  expect_one_process_model_at_every_rank_count(data(2), config);
}

TEST(MpiTrain, FewerPartialSumsThanRanks) {
  // 300 rows are one chunk of the general pass: one rank computes it, and every other rank,
  // with nothing to compute, still takes part in every exchange.
  TrainConfig config = base_config();
  config.hidden = {16};
  config.loss = Loss::Dsm;
  const Array all = data(2);
  const Array points({300, 2}, std::vector<float>(all.data(), all.data() + 600));
  expect_one_process_model_at_every_rank_count(points, config);
}

TEST(MpiTrain, ValidationEarlyStoppingAndCheckpointsAtAnyRankCount) {
  // The held-out loss is reduced in the same fixed order as the training loss, so early
  // stopping picks the same model; a checkpoint written at the world's rank count resumes at
  // every other count to the one-process model.
  TrainConfig config = base_config();
  config.hidden = {24};
  config.activation = Activation::Softplus;
  config.loss = Loss::Dsm;
  config.iterations = 12;
  config.ema = 0.9;
  config.validation = 0.2;
  config.early_stop = 50;
  config.checkpoint_every = 5;
  const Array points = data(2);
  std::vector<TrainCheckpoint> one_checkpoints;
  config.on_checkpoint = [&](const TrainCheckpoint& c) { one_checkpoints.push_back(c); };
  const TrainResult one = train(points, config);
  ASSERT_EQ(one_checkpoints.size(), 2u);

  std::vector<TrainCheckpoint> world_checkpoints;
  config.on_checkpoint = [&](const TrainCheckpoint& c) { world_checkpoints.push_back(c); };
  const TrainResult world = mpi::train(MPI_COMM_WORLD, points, config);
  EXPECT_TRUE(same_model(world.model, one.model));
  EXPECT_EQ(world.validation_loss, one.validation_loss);
  EXPECT_EQ(world.best_iteration, one.best_iteration);
  ASSERT_EQ(world_checkpoints.size(), one_checkpoints.size());
  for (std::size_t i = 0; i < world_checkpoints.size(); ++i) {
    EXPECT_EQ(world_checkpoints[i].parameters, one_checkpoints[i].parameters);
    EXPECT_EQ(world_checkpoints[i].moment1, one_checkpoints[i].moment1);
    EXPECT_EQ(world_checkpoints[i].average, one_checkpoints[i].average);
    EXPECT_EQ(world_checkpoints[i].best, one_checkpoints[i].best);
  }

  config.on_checkpoint = nullptr;
  config.resume = std::make_shared<const TrainCheckpoint>(world_checkpoints.front());
  for (int ranks = 1; ranks <= world_size(); ++ranks) {
    SCOPED_TRACE("resumed at " + std::to_string(ranks) + " ranks");
    const FirstRanks first(ranks);
    if (first.comm == MPI_COMM_NULL) continue;
    const TrainResult resumed = mpi::train(first.comm, points, config);
    EXPECT_TRUE(same_model(resumed.model, one.model));
    EXPECT_EQ(resumed.validation_loss, one.validation_loss);
  }
}

TEST(MpiTrain, AutoTrainsOnTheCpuBackendAtAnyRankCount) {
  // auto is the default: on a GPU node it must not resolve to cuda, which several ranks refuse,
  // and one rank's model must be several ranks' (both the cpu backend's).
  TrainConfig config = base_config();
  config.hidden = {32};
  const TrainResult cpu = train(data(1), config);
  config.backend = Backend::Auto;
  for (int ranks = 1; ranks <= world_size(); ++ranks) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const FirstRanks first(ranks);
    if (first.comm == MPI_COMM_NULL) continue;
    EXPECT_TRUE(same_model(mpi::train(first.comm, data(1), config).model, cpu.model));
  }
}

TEST(MpiTrain, CudaOverSeveralRanksIsRefusedOnEveryRank) {
  if (world_size() < 2) GTEST_SKIP() << "needs 2 ranks";
  TrainConfig config = base_config();
  config.backend = Backend::Cuda;
  EXPECT_THROW(mpi::train(MPI_COMM_WORLD, data(1), config), mpi::AgreedInvalidInput);
}

TEST(MpiTrain, BadInputIsRefusedOnEveryRank) {
  TrainConfig config = base_config();
  config.iterations = 0;
  EXPECT_THROW(mpi::train(MPI_COMM_WORLD, data(1), config), mpi::AgreedInvalidInput);
}

}  // namespace
}  // namespace langevin
