// langevin sample --checkpoint / --resume as a user on a cluster meets them: a run killed with
// SIGKILL mid-way and resumed from its last checkpoint writes the uninterrupted run's samples
// byte for byte; a checkpoint of another run, or a file that is not one, is refused up front.
// langevin train --checkpoint / --resume the same way: the resumed run saves the uninterrupted
// run's model byte for byte.

#include <langevin/checkpoint_file.hpp>

#include "cli_runner.hpp"
#include "test_files.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

namespace langevin {
namespace {

using testing::run_cli;
using testing::TempDir;

const std::string kTwoModes = std::string(LANGEVIN_SOURCE_DIR) + "/examples/data/two_modes.json";

/// 4000 chains × 40 000 updates: seconds of work on a few cores, checkpointed every 1 %.
std::string run_options(const TempDir& dir) {
  return "sample --gmm " + kTwoModes +
         " --chains 4000 --steps 40000 --epsilon 0.01 --seed 3 --backend cpu --quiet"
         " --checkpoint " + dir.file("run.ckpt") + " --checkpoint-every 400";
}

/// Starts the tool in the background (its own pid, not a shell's), output discarded.
pid_t start_cli(const std::string& arguments) {
  const std::string command =
      "exec " + std::string(LANGEVIN_CLI_PATH) + " " + arguments + " >/dev/null 2>&1";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

/// Starts `arguments`, sends SIGKILL as soon as `checkpoint` exists, and checks that the run
/// died of it (it had not finished).
void kill_at_first_checkpoint(const std::string& arguments, const std::string& checkpoint) {
  const pid_t pid = start_cli(arguments);
  ASSERT_GT(pid, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!std::filesystem::exists(checkpoint) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the run ended before it could be killed (status " << status << ")";
}

TEST(CheckpointCli, ARunKilledMidwayResumesToTheUninterruptedResult) {
  TempDir dir;
  const std::string options = run_options(dir);
  // The reference: the same run, never interrupted (its checkpoints go elsewhere).
  const auto whole = run_cli("sample --gmm " + kTwoModes +
                             " --chains 4000 --steps 40000 --epsilon 0.01 --seed 3 --backend cpu"
                             " --quiet --out " + dir.file("whole.npy"));
  ASSERT_EQ(whole.status, 0) << whole.output;

  ASSERT_NO_FATAL_FAILURE(
      kill_at_first_checkpoint(options + " --out " + dir.file("killed.npy"), dir.file("run.ckpt")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("killed.npy")));

  // What the kill left is a whole checkpoint, of an update inside the run.
  const CheckpointFile left = read_checkpoint(dir.file("run.ckpt"));
  EXPECT_GT(left.checkpoint.update, 0);
  EXPECT_LT(left.checkpoint.update, 40000);
  EXPECT_EQ(left.checkpoint.update % 400, 0);

  const auto resumed =
      run_cli(options + " --resume " + dir.file("run.ckpt") + " --out " + dir.file("resumed.npy"));
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_EQ(testing::read_bytes(dir.file("resumed.npy")), testing::read_bytes(dir.file("whole.npy")));
}

TEST(CheckpointCli, RefusesACheckpointOfAnotherRunOrNoCheckpoint) {
  TempDir dir;
  const std::string base = "sample --gmm " + kTwoModes +
                           " --chains 50 --steps 100 --seed 3 --backend cpu --quiet";
  const auto written = run_cli(base + " --checkpoint " + dir.file("run.ckpt") +
                               " --checkpoint-every 30 --out " + dir.file("a.npy"));
  ASSERT_EQ(written.status, 0) << written.output;
  ASSERT_EQ(read_checkpoint(dir.file("run.ckpt")).checkpoint.update, 90);

  const auto other = run_cli(base + " --epsilon 0.001 --resume " + dir.file("run.ckpt") +
                             " --out " + dir.file("b.npy"));
  EXPECT_EQ(other.status, 2);
  EXPECT_NE(other.output.find("langevin: error: --resume = " + dir.file("run.ckpt") +
                              ": the checkpoint's run has epsilon = 0.0050000000000000001, "
                              "this one 0.001"),
            std::string::npos)
      << other.output;

  // One written without settings (by the library, or Python's Checkpoint.save) cannot be
  // checked to be this run's.
  write_checkpoint(dir.file("bare.ckpt"), read_checkpoint(dir.file("run.ckpt")).checkpoint);
  const auto bare = run_cli(base + " --resume " + dir.file("bare.ckpt") + " --out " +
                            dir.file("b.npy"));
  EXPECT_EQ(bare.status, 2);
  EXPECT_NE(bare.output.find("--resume = " + dir.file("bare.ckpt") +
                             ": the checkpoint records no run settings"),
            std::string::npos)
      << bare.output;

  const auto model = run_cli(base + " --resume " + std::string(LANGEVIN_SOURCE_DIR) +
                             "/tests/data/torch_mlp.safetensors --out " + dir.file("b.npy"));
  EXPECT_EQ(model.status, 2);
  EXPECT_NE(model.output.find("not a langevin checkpoint: no \"format\""), std::string::npos)
      << model.output;

  const auto alone = run_cli(base + " --checkpoint " + dir.file("c.ckpt") + " --out " +
                             dir.file("b.npy"));
  EXPECT_EQ(alone.status, 2);
  EXPECT_NE(alone.output.find("--checkpoint-every"), std::string::npos) << alone.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("b.npy")));
}

/// 4 000 points of the two-mode mixture for training.
std::string training_data(const TempDir& dir) {
  const auto drawn = run_cli("data --gmm " + kTwoModes + " --n 4000 --seed 5 --backend cpu --quiet --out " +
                             dir.file("data.npy"));
  EXPECT_EQ(drawn.status, 0) << drawn.output;
  return dir.file("data.npy");
}

/// Adam with the average, a validation split and mini-batches: every kind of state a
/// checkpoint keeps, over 3 000 iterations (seconds on a few cores).
std::string train_options(const std::string& data) {
  return "train --data " + data +
         " --hidden 64,64 --activation softplus --loss dsm --sigma 0.2 --iters 3000 --lr 0.005"
         " --schedule cosine --batch 256 --ema 0.99 --validation 0.1 --seed 6 --backend cpu --quiet";
}

TEST(TrainCheckpointCli, ARunKilledMidwayResumesToTheUninterruptedModel) {
  TempDir dir;
  const std::string options = train_options(training_data(dir));
  const auto whole = run_cli(options + " --out " + dir.file("whole.safetensors"));
  ASSERT_EQ(whole.status, 0) << whole.output;

  const std::string checkpointed =
      options + " --checkpoint " + dir.file("train.ckpt") + " --checkpoint-every 30";
  ASSERT_NO_FATAL_FAILURE(kill_at_first_checkpoint(
      checkpointed + " --out " + dir.file("killed.safetensors"), dir.file("train.ckpt")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("killed.safetensors")));

  const TrainCheckpointFile left = read_train_checkpoint(dir.file("train.ckpt"));
  EXPECT_GT(left.checkpoint.iteration, 0);
  EXPECT_LT(left.checkpoint.iteration, 3000);
  EXPECT_EQ(left.checkpoint.iteration % 30, 0);
  EXPECT_EQ(left.settings.at("iterations"), "3000");

  const auto resumed = run_cli(checkpointed + " --resume " + dir.file("train.ckpt") + " --out " +
                               dir.file("resumed.safetensors") + " --json");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("\"resumed_from_iteration\":"), std::string::npos) << resumed.output;
  EXPECT_EQ(testing::read_bytes(dir.file("resumed.safetensors")),
            testing::read_bytes(dir.file("whole.safetensors")));
}

TEST(TrainCheckpointCli, RefusesACheckpointOfAnotherRunOrData) {
  TempDir dir;
  const std::string data = training_data(dir);
  const std::string base = "train --data " + data + " --hidden 8 --iters 50 --seed 3 --backend cpu --quiet";
  const auto written = run_cli(base + " --checkpoint " + dir.file("t.ckpt") +
                               " --checkpoint-every 20 --out " + dir.file("a.safetensors"));
  ASSERT_EQ(written.status, 0) << written.output;
  ASSERT_EQ(read_train_checkpoint(dir.file("t.ckpt")).checkpoint.iteration, 40);

  const auto other = run_cli(base + " --lr 0.01 --resume " + dir.file("t.ckpt") + " --out " +
                             dir.file("b.safetensors"));
  EXPECT_EQ(other.status, 2);
  EXPECT_NE(other.output.find("langevin: error: --resume = " + dir.file("t.ckpt") +
                              ": the checkpoint's run has learning_rate = -1, this one 0.01"),
            std::string::npos)
      << other.output;

  // The same options over other data: the data's hash differs.
  const auto drawn = run_cli("data --gmm " + kTwoModes + " --n 4000 --seed 6 --backend cpu --quiet --out " +
                             dir.file("other.npy"));
  ASSERT_EQ(drawn.status, 0) << drawn.output;
  const auto moved = run_cli("train --data " + dir.file("other.npy") +
                             " --hidden 8 --iters 50 --seed 3 --backend cpu --quiet --resume " +
                             dir.file("t.ckpt") + " --out " + dir.file("b.safetensors"));
  EXPECT_EQ(moved.status, 2);
  EXPECT_NE(moved.output.find("the checkpoint's run has data_sha256 = "), std::string::npos)
      << moved.output;

  const auto sampling = run_cli("sample --gmm " + kTwoModes + " --chains 5 --steps 10 --backend cpu"
                                " --quiet --checkpoint " + dir.file("s.ckpt") +
                                " --checkpoint-every 4 --out " + dir.file("s.npy"));
  ASSERT_EQ(sampling.status, 0) << sampling.output;
  const auto wrong = run_cli(base + " --resume " + dir.file("s.ckpt") + " --out " +
                             dir.file("b.safetensors"));
  EXPECT_EQ(wrong.status, 2);
  EXPECT_NE(wrong.output.find(dir.file("s.ckpt") + ": a sampling checkpoint"), std::string::npos)
      << wrong.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("b.safetensors")));
}

}  // namespace
}  // namespace langevin
