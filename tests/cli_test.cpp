// The langevin command line as a user meets it: exit statuses, one-line errors, outputs that
// exist only when complete.

#include <langevin/langevin.hpp>

#include "cli_runner.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace langevin {
namespace {

namespace fs = std::filesystem;

using Result = testing::CliResult;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() / ("langevin_cli_test_" + std::to_string(::getpid()) +
                                              "_" + ::testing::UnitTest::GetInstance()
                                                        ->current_test_info()
                                                        ->name());
    fs::create_directories(directory_);
    gmm_ = path("g.json");
    std::ofstream(gmm_) << R"({"weights": [2, 1], "means": [[-5, 0], [6, 1]], "stds": [[3, 1], [1, 2]]})";
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::string path(const std::string& name) const { return (directory_ / name).string(); }

  static Result run(const std::string& arguments) { return testing::run_cli(arguments); }

  fs::path directory_;
  std::string gmm_;
};

TEST_F(Cli, SampleWritesTheRequestedShape) {
  const Result r = run("sample --gmm " + gmm_ + " --chains 1000 --steps 50 --backend cpu --out " +
                       path("s.npy"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_npy(path("s.npy")).shape(), (std::vector<std::int64_t>{1000, 2}));
  EXPECT_NE(r.output.find("chain-steps/s"), std::string::npos);

  const Result t = run("sample --gmm " + gmm_ + " --chains 10 --steps 50 --keep trajectory " +
                       "--burn-in 20 --thin 10 --quiet --backend cpu --out " + path("t.npy"));
  ASSERT_EQ(t.status, 0) << t.output;
  EXPECT_EQ(t.output, "");
  EXPECT_EQ(read_npy(path("t.npy")).shape(), (std::vector<std::int64_t>{10, 3, 2}));
}

TEST_F(Cli, ScoreFormLayeredRunsAndTheSummariesNameTheForm) {
  const std::string model = path("relu.safetensors");
  save_mlp(model, Mlp::random({1, 64, 1}, Activation::Relu, 4));
  const std::string common = "sample --model " + model + " --chains 100 --steps 20 --backend cpu";
  const Result hinge = testing::run_cli(common + " --json --out " + path("h.npy"), false);
  ASSERT_EQ(hinge.status, 0) << hinge.output;
  EXPECT_EQ(nlohmann::json::parse(hinge.output)["score_form"], "hinge");
  const Result layered =
      testing::run_cli(common + " --score-form layered --json --out " + path("l.npy"), false);
  ASSERT_EQ(layered.status, 0) << layered.output;
  EXPECT_EQ(nlohmann::json::parse(layered.output)["score_form"], "layered");
  EXPECT_EQ(nlohmann::json::parse(layered.output)["devices"], nlohmann::json::array());
  SamplerConfig config;
  config.chains = 100;
  config.steps = 20;
  config.backend = Backend::Cpu;
  config.score_form = ScoreForm::Layered;
  EXPECT_EQ(read_npy(path("l.npy")).values(), sample(load_mlp(model), config).values());
  const Result info = testing::run_cli("info --json --model " + model + " --score-form layered",
                                       false);
  ASSERT_EQ(info.status, 0) << info.output;
  EXPECT_EQ(nlohmann::json::parse(info.output)["score"]["score_form"], "layered");
  const Result bad = run(common + " --score-form fast --out " + path("b.npy"));
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.output.find("--score-form = \"fast\": expected auto or layered"),
            std::string::npos)
      << bad.output;
  const Result devices = run(common + " --devices 0 --out " + path("d.npy"));
  EXPECT_EQ(devices.status, 2);
  EXPECT_NE(devices.output.find("devices = 0: this run is on the cpu backend"), std::string::npos)
      << devices.output;
  EXPECT_FALSE(fs::exists(path("b.npy")) || fs::exists(path("d.npy")));
}

TEST_F(Cli, SampleMatchesTheLibraryAndHonoursSeedAndFirstChain) {
  ASSERT_EQ(run("sample --gmm " + gmm_ + " --chains 20 --steps 30 --seed 5 --first-chain 7 " +
                "--epsilon 0.01 --init normal:1,2 --quiet --backend cpu --out " + path("s.npy"))
                .status,
            0);
  SamplerConfig config;
  config.chains = 20;
  config.steps = 30;
  config.seed = 5;
  config.first_chain = 7;
  config.epsilon = 0.01;
  config.init_mean = 1;
  config.init_std = 2;
  config.backend = Backend::Cpu;
  EXPECT_EQ(read_npy(path("s.npy")).values(), sample(load_gmm(gmm_), config).values());
}

TEST_F(Cli, SampleReadsInitialStatesFromAFile) {
  write_npy(path("x0.npy"), Array({2, 2}, {1, 2, 3, 4}));
  ASSERT_EQ(run("sample --gmm " + gmm_ + " --chains 2 --steps 1 --keep trajectory --quiet " +
                "--backend cpu --init file:" + path("x0.npy") + " --out " + path("s.npy"))
                .status,
            0);
  EXPECT_EQ(read_npy(path("s.npy")).values(), (std::vector<float>{1, 2, 3, 4}));
}

TEST_F(Cli, SampleFromAModel) {
  save_mlp(path("m.safetensors"), Mlp::random({2, 16, 2}, Activation::Tanh, 1));
  const Result r = run("sample --model " + path("m.safetensors") +
                       " --chains 100 --steps 10 --quiet --backend cpu --out " + path("s.npy"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_npy(path("s.npy")).shape(), (std::vector<std::int64_t>{100, 2}));
}

TEST_F(Cli, ScoreMatchesTheLibrary) {
  const Array points({3, 2}, {0, 0, -5, 1, 100, -3});
  write_npy(path("x.npy"), points);
  ASSERT_EQ(run("score --gmm " + gmm_ + " --in " + path("x.npy") + " --out " + path("s.npy") +
                " --quiet --backend cpu")
                .status,
            0);
  EXPECT_EQ(read_npy(path("s.npy")).values(), score(load_gmm(gmm_), points, Backend::Cpu).values());
  ASSERT_EQ(run("score --gmm " + gmm_ + " --sigma 2 --in " + path("x.npy") + " --out " +
                path("s2.npy") + " --quiet --backend cpu")
                .status,
            0);
  EXPECT_EQ(read_npy(path("s2.npy")).values(),
            score(load_gmm(gmm_).convolved(2), points, Backend::Cpu).values());
}

TEST_F(Cli, BadInputIsOneErrorLineWithStatusTwoAndNoOutput) {
  write_npy(path("x1.npy"), Array({3, 1}));
  std::ofstream(path("broken.json")) << "{\"weights\": [1], \"means\": [0]";
  std::ofstream(path("not.npy")) << "garbage";
  const std::string out = " --out " + path("out.npy");
  for (const std::string& arguments : {
           "sample --gmm " + gmm_ + " --chains 0" + out,
           "sample --gmm " + gmm_ + " --epsilon -1" + out,
           "sample --gmm " + gmm_ + " --keep everything" + out,
           "sample --gmm " + gmm_ + " --init normal:0" + out,
           "sample --gmm " + gmm_ + " --init file:" + path("x1.npy") + out,
           "sample --gmm " + gmm_ + " --keep trajectory --burn-in 5000" + out,
           "sample --gmm " + path("missing.json") + out,
           "sample --gmm " + path("broken.json") + out,
           "sample --gmm " + gmm_ + " --backend tpu" + out,
           "sample --gmm " + gmm_ + " --out " + path("no/such/dir/s.npy"),
           "sample --gmm " + gmm_ + " --out " + path("s.txt"),
           "sample --gmm " + gmm_ + " --model m.safetensors" + out,
           "sample --gmm " + gmm_ + " --chains lots" + out,
           "sample" + out,
           "score --gmm " + gmm_ + " --in " + path("not.npy") + out,
           "score --gmm " + gmm_ + " --in " + path("x1.npy") + out,
           std::string("frobnicate"),
       }) {
    const Result r = run(arguments);
    EXPECT_EQ(r.status, 2) << arguments << "\n" << r.output;
    EXPECT_EQ(r.output.rfind("langevin: error: ", 0), 0u) << arguments << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << arguments << "\n"
                                                                     << r.output;
    EXPECT_FALSE(fs::exists(path("out.npy"))) << arguments;
  }
  // Nothing else was left in the directory either (no temporary files).
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(directory_)) files += entry.is_regular_file();
  EXPECT_EQ(files, 4u);  // g.json, x1.npy, broken.json, not.npy
}

TEST_F(Cli, OutputsThatCannotBeWrittenAreRefusedBeforeAnyWork) {
  // /proc takes no new file, even from root, whom permission bits would not stop.
  std::vector<float> values(400);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.01f * static_cast<float>(i);
  write_npy(path("d.npy"), Array({200, 2}, values));
  const std::string data = "train --data " + path("d.npy") + " --iters 1000000";
  const std::string model = " --out " + path("m.safetensors");
  const std::string likelihood =
      "likelihood --gmm " + gmm_ + " --sigmas 10,0.1,5 --in " + path("d.npy");
  const std::string out = " --out " + path("o.npy");
  const std::string own = ": the file --out names; give each output a file of its own";
  const std::string cannot = ": cannot create a file in /proc: ";
  const std::string same = (directory_ / "." / "o.npy").string();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {data + " --out /proc/m.safetensors", "--out = /proc/m.safetensors" + cannot},
      {data + model + " --log /proc/log.csv", "--log = /proc/log.csv" + cannot},
      {data + model + " --checkpoint " + path("m.safetensors") + " --checkpoint-every 10",
       "--checkpoint = " + path("m.safetensors") + own},
      {likelihood + out + " --latent /proc/z.npy", "--latent = /proc/z.npy" + cannot},
      {likelihood + out + " --latent " + same, "--latent = " + same + own},
      {"sample --gmm " + gmm_ + " --summary /proc/s.json", "--summary = /proc/s.json" + cannot},
      {"score --gmm " + gmm_ + " --in " + path("d.npy") + " --out /proc/s.npy",
       "--out = /proc/s.npy" + cannot},
      {"data --gmm " + gmm_ + " --n 10 --out /proc/x.npy", "--out = /proc/x.npy" + cannot},
      {"compare " + path("d.npy") + " " + path("d.npy") + " --plot /proc/p.svg",
       "--plot = /proc/p.svg" + cannot},
  };
  for (const auto& [arguments, message] : cases) {
    const Result r = run(arguments);
    EXPECT_EQ(r.status, 2) << arguments << "\n" << r.output;
    EXPECT_EQ(r.output.rfind("langevin: error: " + message, 0), 0u) << arguments << "\n"
                                                                    << r.output;
  }
  // Nothing was left: no output, no probe of a directory.
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(directory_)) files += entry.is_regular_file();
  EXPECT_EQ(files, 2u);  // g.json, d.npy
}

TEST_F(Cli, NegativeNumbersAreNotTakenForTheLibrarysDefaults) {
  // The library reads a negative learning rate or initial deviation as "the default"; given on
  // the command line, it is a mistake.
  write_npy(path("d.npy"), Array({20, 2}));
  for (const auto& [arguments, message] : std::vector<std::pair<std::string, std::string>>{
           {"train --data " + path("d.npy") + " --lr -0.1 --out " + path("m.safetensors"),
            "--lr: \"-0.1\" is not a non-negative number"},
           {"sample --gmm " + gmm_ + " --init normal:0,-7 --out " + path("s.npy"),
            "--init std = -7: must be non-negative"},
       }) {
    const Result r = run(arguments);
    EXPECT_EQ(r.status, 2) << arguments << "\n" << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << arguments << "\n" << r.output;
  }
}

TEST_F(Cli, ListsWithAnEmptyFieldAreRefused) {
  write_npy(path("d.npy"), Array({20, 2}));
  const std::string train = "train --data " + path("d.npy") + " --iters 1 --out " +
                            path("m.safetensors");
  for (const std::string& hidden : {" --hidden 8,,8", " --hidden=8,", " --hidden ,8"}) {
    const Result r = run(train + hidden);
    EXPECT_EQ(r.status, 2) << hidden << "\n" << r.output;
    EXPECT_EQ(r.output.rfind("langevin: error: --hidden: \"", 0), 0u) << hidden << "\n"
                                                                      << r.output;
    EXPECT_NE(r.output.find("has an empty field"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(path("m.safetensors"))) << hidden;
  }
  EXPECT_EQ(run(train + " --hidden 8,8").status, 0);
}

TEST_F(Cli, TheLibrarysRefusalsNameTheOption) {
  write_npy(path("d.npy"), Array({20, 2}));
  write_npy(path("nan.npy"), Array({2, 2}, {0.0f, 1.0f, NAN, 0.0f}));
  const std::string sample = "sample --gmm " + gmm_ + " --out " + path("s.npy");
  for (const auto& [arguments, message] : std::vector<std::pair<std::string, std::string>>{
           {"train --data " + path("d.npy") + " --iters 0 --out " + path("m.safetensors"),
            "--iters = 0: must be at least 1"},
           {sample + " --chains 0", "--chains = 0: must be at least 1"},
           {"train --data " + path("d.npy") + " --hidden 8,0 --out " + path("m.safetensors"),
            "--hidden[1] = 0: must be at least 1"},
           {sample + " --keep trajectory --steps 100 --burn-in 100",
            "--burn-in = 100: must be in [0, updates)"},
           {sample + " --thin 0", "--thin: only with --keep trajectory"},
           {sample + " --sampler ode --sigmas 3,0.1,4 --steps 5", "--steps: not with --sampler ode"},
           {sample + " --chains 2 --init file:" + path("nan.npy"),
            "--init = file:" + path("nan.npy") + ": states[1, 0] = nan: must be finite"},
           {"info --score-form fastest", "--score-form"},
       }) {
    const Result r = run(arguments);
    EXPECT_EQ(r.status, 2) << arguments << "\n" << r.output;
    EXPECT_EQ(r.output.rfind("langevin: error: " + message, 0), 0u) << arguments << "\n"
                                                                    << r.output;
  }
}

TEST_F(Cli, EmptyInputsAreCheckedLikeOthers) {
  write_npy(path("e1.npy"), Array({0, 1}));
  write_npy(path("e2.npy"), Array({0, 2}));
  // A (0, 1) file against a mixture in 2 dimensions is the wrong shape, rows or not.
  Result r = run("score --gmm " + gmm_ + " --in " + path("e1.npy") + " --out " + path("s.npy"));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("(0, 1)"), std::string::npos) << r.output;
  r = run("score --gmm " + gmm_ + " --in " + path("e2.npy") + " --out " + path("s.npy"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_npy(path("s.npy")).shape(), (std::vector<std::int64_t>{0, 2}));
  // A likelihood of no points has no mean to report.
  r = run("likelihood --gmm " + gmm_ + " --sigmas 10,0.1,5 --in " + path("e2.npy") + " --out " +
          path("l.npy"));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--in = " + path("e2.npy") + ": no points"), std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(path("l.npy")));
}

TEST_F(Cli, CudaWithoutAGpuIsAFailureWithStatusOne) {
  if (cuda_available()) GTEST_SKIP() << "a GPU is present";
  const Result r = run("sample --gmm " + gmm_ + " --backend cuda --out " + path("s.npy"));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find(cuda_built() ? "no CUDA GPU" : "LANGEVIN_WITH_CUDA=OFF"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(path("s.npy")));
}

TEST_F(Cli, ADivergingRunIsAFailureWithStatusOneAndNoOutput) {
  // N(0, 0.1²) at ε = 1: every chain overflows within ~20 updates (sampler_test.cpp).
  const std::string narrow = path("narrow.json");
  std::ofstream(narrow) << R"({"weights": [1], "means": [0], "stds": [0.1]})";
  const Result r = run("sample --gmm " + narrow + " --epsilon 1 --steps 200 --backend cpu --out " +
                       path("s.npy"));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_EQ(r.output.rfind("langevin: error: 1000 of 1000 chains diverged", 0), 0) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_FALSE(fs::exists(path("s.npy")));
}

TEST_F(Cli, EveryCommandAnswersHelp) {
  for (const std::string command :
       {"", "info ", "data ", "train ", "sample ", "score ", "compare ", "diagnose ", "demo "}) {
    const Result r = run(command + "--help");
    EXPECT_EQ(r.status, 0) << command;
    EXPECT_NE(r.output.find("Usage: langevin " + command), std::string::npos) << r.output;
  }
  // Defaults are shown where an option has one, and said where they depend on the run.
  EXPECT_NE(run("sample --help").output.find("--chains INT=1000"), std::string::npos);
  EXPECT_NE(run("sample --help").output.find("default 0.005, or 0.1 sigma_L^2 when annealed"),
            std::string::npos);
  EXPECT_NE(run("train --help").output.find("default 1200, or 24000 with --loss ncsn"),
            std::string::npos);
  EXPECT_EQ(run("info").status, 0);
}

/// The one line of JSON a command prints under --json (stderr is dropped).
nlohmann::json json_summary(const std::string& arguments) {
  const testing::CliResult r = testing::run_cli(arguments + " --json", /*merge_stderr=*/false);
  EXPECT_EQ(r.status, 0) << arguments;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  return nlohmann::json::parse(r.output);
}

TEST_F(Cli, JsonSummariesDescribeTheRun) {
  const nlohmann::json data =
      json_summary("data --gmm " + gmm_ + " --n 50 --seed 3 --out " + path("d.npy"));
  EXPECT_EQ(data["command"], "data");
  EXPECT_EQ(data["n"], 50);
  EXPECT_EQ(data["shape"], nlohmann::json::array({50, 2}));

  const nlohmann::json sampled = json_summary("sample --gmm " + gmm_ + " --chains 64 --steps 5 " +
                                              "--sampler mala --backend cpu --quiet --out " +
                                              path("s.npy"));
  EXPECT_EQ(sampled["command"], "sample");
  EXPECT_EQ(sampled["chains"], 64);
  EXPECT_EQ(sampled["steps"], 5);
  EXPECT_EQ(sampled["backend"], "cpu");
  EXPECT_EQ(sampled["sampler"], "mala");
  EXPECT_GE(sampled["acceptance_rate"].get<double>(), 0.0);
  EXPECT_LE(sampled["acceptance_rate"].get<double>(), 1.0);
  EXPECT_GT(sampled["seconds"].get<double>(), 0.0);
  EXPECT_EQ(sampled["shape"], nlohmann::json::array({64, 2}));

  const nlohmann::json scored = json_summary("score --gmm " + gmm_ + " --in " + path("d.npy") +
                                             " --backend cpu --out " + path("sc.npy"));
  EXPECT_EQ(scored["points"], 50);

  const nlohmann::json trained = json_summary("train --data " + path("d.npy") + " --hidden 4 " +
                                              "--iters 3 --backend cpu --out " +
                                              path("m.safetensors"));
  EXPECT_EQ(trained["iterations"], 3);
  EXPECT_EQ(trained["hidden"], nlohmann::json::array({4}));
  EXPECT_TRUE(trained["final_loss"].is_number());

  // A run's trajectory, diagnosed by the run (--diagnose) and by the command: the library's
  // numbers for the same array.
  const nlohmann::json run_diagnosed =
      json_summary("sample --gmm " + gmm_ + " --chains 8 --steps 40 --keep trajectory --diagnose "
                   "--backend cpu --out " + path("t.npy"));
  const nlohmann::json diagnosed = json_summary("diagnose " + path("t.npy"));
  const Diagnostics expected = diagnose(read_npy(path("t.npy")));
  EXPECT_EQ(diagnosed["chains"], 8);
  EXPECT_EQ(diagnosed["draws"], 40);
  EXPECT_EQ(diagnosed["rhat"].get<std::vector<double>>(), expected.rhat);
  EXPECT_EQ(diagnosed["ess_bulk"].get<std::vector<double>>(), expected.ess_bulk);
  EXPECT_EQ(run_diagnosed["diagnostics"], diagnosed);
  const Result final_only = run("sample --gmm " + gmm_ + " --diagnose --out " + path("f.npy"));
  EXPECT_EQ(final_only.status, 2);
  EXPECT_NE(final_only.output.find("--diagnose needs --keep trajectory"), std::string::npos);

  const nlohmann::json info = json_summary("info");
  EXPECT_EQ(info["version"], version());
  EXPECT_EQ(info["gpus"].size(), gpus().size());
}

}  // namespace
}  // namespace langevin
