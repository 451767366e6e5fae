// The command line of noise-conditional models, annealing, MALA and predictor–corrector sampling
// as a user meets it: each
// command gives what the library gives, and bad combinations are one-line errors.

#include <langevin/checkpoint_file.hpp>
#include <langevin/langevin.hpp>
#include <langevin/trainer.hpp>

#include "cli_runner.hpp"
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

namespace langevin {
namespace {

namespace fs = std::filesystem;

using Result = testing::CliResult;

class AnnealingCli : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("langevin_annealing_cli_test_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(directory_);
    gmm_ = path("g.json");
    std::ofstream(gmm_) << R"({"weights": [1, 3], "means": [[-3, 0], [3, 1]], "stds": [[0.5, 1], [1, 0.5]]})";
    // A small noise-conditional model (input x and log σ) with its levels.
    TrainConfig config;
    config.loss = Loss::Ncsn;
    config.hidden = {8};
    config.activation = Activation::Tanh;
    config.sigmas = geometric_noise_levels(4.0, 0.5, 3);
    nc_model_ = path("nc.safetensors");
    save_mlp(nc_model_, initial_model(2, config));
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::string path(const std::string& name) const { return (directory_ / name).string(); }
  static Result run(const std::string& arguments) { return testing::run_cli(arguments); }

  fs::path directory_;
  std::string gmm_;
  std::string nc_model_;
};

TEST_F(AnnealingCli, TrainNcsnStoresItsLevelsInTheModel) {
  write_npy(path("data.npy"), draw(load_gmm(gmm_), 200, 1));
  const Result r = run("train --data " + path("data.npy") + " --out " + path("m.safetensors") +
                       " --loss ncsn --sigmas 5,0.1,4 --hidden 8 --iters 3 --quiet --backend cpu");
  ASSERT_EQ(r.status, 0) << r.output;
  const Mlp model = load_mlp(path("m.safetensors"));
  EXPECT_TRUE(model.noise_conditional());
  EXPECT_EQ(model.input_dim(), 3);
  EXPECT_EQ(model.data_dim(), 2);
  EXPECT_EQ(model.noise_levels(), geometric_noise_levels(5.0, 0.1, 4));
}

TEST_F(AnnealingCli, TrainNcsnStartsFromItsOwnDefaults) {
  // --loss ncsn alone: train_defaults(Loss::Ncsn)'s network, levels, batch and average (here
  // for 3 iterations), the API's model bit for bit; the options given override them.
  const Array data = draw(load_gmm(gmm_), 200, 1);
  write_npy(path("data.npy"), data);
  const Result r = testing::run_cli("train --data " + path("data.npy") + " --out " +
                                    path("m.safetensors") +
                                    " --loss ncsn --iters 3 --quiet --json --backend cpu",
                                    /*merge_stderr=*/false);
  ASSERT_EQ(r.status, 0) << r.output;
  const nlohmann::json summary = nlohmann::json::parse(r.output);
  EXPECT_EQ(summary["hidden"], nlohmann::json::array({128, 128}));
  EXPECT_EQ(summary["activation"], "silu");
  EXPECT_EQ(summary["batch"], 2048);
  TrainConfig config = train_defaults(Loss::Ncsn);
  config.iterations = 3;
  config.backend = Backend::Cpu;
  const Mlp trained = train(data, config).model;
  const Mlp model = load_mlp(path("m.safetensors"));
  EXPECT_EQ(model.activation(), Activation::Silu);
  EXPECT_EQ(model.noise_levels(), geometric_noise_levels(10.0, 0.01, 20));
  EXPECT_EQ(model.packed(), trained.packed());

  const Result given = testing::run_cli("train --data " + path("data.npy") + " --out " +
                                        path("g.safetensors") +
                                        " --loss ncsn --hidden 8 --activation tanh --iters 2 "
                                        "--ema 0 --quiet --json --backend cpu",
                                        /*merge_stderr=*/false);
  ASSERT_EQ(given.status, 0) << given.output;
  const nlohmann::json ours = nlohmann::json::parse(given.output);
  EXPECT_EQ(ours["hidden"], nlohmann::json::array({8}));
  EXPECT_EQ(ours["activation"], "tanh");
  EXPECT_EQ(ours["iterations"], 2);
}

TEST_F(AnnealingCli, SampleAnnealsOverTheModelsLevelsOrOverGivenOnes) {
  const Result r = run("sample --model " + nc_model_ + " --chains 40 --steps 5 --epsilon 1e-3 " +
                       "--denoise --seed 3 --backend cpu --out " + path("a.npy"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("x 3 noise levels"), std::string::npos) << r.output;
  SamplerConfig config;
  config.chains = 40;
  config.steps = 5;
  config.epsilon = 1e-3;
  config.denoise = true;
  config.seed = 3;
  config.backend = Backend::Cpu;
  const Mlp model = load_mlp(nc_model_);
  EXPECT_EQ(read_npy(path("a.npy")).values(), sample(model, config).values());

  // One given level: plain Langevin on s(x, 0.5).
  ASSERT_EQ(run("sample --model " + nc_model_ + " --chains 40 --steps 5 --epsilon 1e-3 " +
                "--sigmas 0.5,0.5,1 --seed 3 --quiet --backend cpu --out " + path("b.npy"))
                .status,
            0);
  config.denoise = false;
  config.sigmas = {0.5};
  EXPECT_EQ(read_npy(path("b.npy")).values(), sample(model, config).values());
}

TEST_F(AnnealingCli, MixtureAnnealingAndMalaMatchTheLibrary) {
  ASSERT_EQ(run("sample --gmm " + gmm_ + " --chains 30 --steps 4 --epsilon 1e-3 " +
                "--sigmas 3,0.3,4 --denoise --seed 4 --quiet --backend cpu --out " + path("a.npy"))
                .status,
            0);
  SamplerConfig config;
  config.chains = 30;
  config.steps = 4;
  config.epsilon = 1e-3;
  config.sigmas = geometric_noise_levels(3.0, 0.3, 4);
  config.denoise = true;
  config.seed = 4;
  config.backend = Backend::Cpu;
  EXPECT_EQ(read_npy(path("a.npy")).values(), sample(load_gmm(gmm_), config).values());

  const Result mala = run("sample --gmm " + gmm_ + " --sampler mala --chains 30 --steps 20 " +
                          "--epsilon 0.1 --seed 4 --backend cpu --out " + path("m.npy"));
  ASSERT_EQ(mala.status, 0) << mala.output;
  EXPECT_NE(mala.output.find("acceptance rate"), std::string::npos) << mala.output;
  config = SamplerConfig{};
  config.chains = 30;
  config.steps = 20;
  config.epsilon = 0.1;
  config.method = Method::Mala;
  config.seed = 4;
  config.backend = Backend::Cpu;
  EXPECT_EQ(read_npy(path("m.npy")).values(), sample(load_gmm(gmm_), config).values());
}

TEST_F(AnnealingCli, PredictorCorrectorMatchesTheLibraryAndReportsItsSettings) {
  const Result r = run("sample --model " + nc_model_ + " --sampler pc --steps 3 --corrector-steps 2 "
                       "--snr 0.1 --corrector-step chain --denoise --chains 40 --seed 6 "
                       "--backend cpu --json --out " + path("pc.npy"));
  ASSERT_EQ(r.status, 0) << r.output;
  const nlohmann::json summary = nlohmann::json::parse(r.output);
  EXPECT_EQ(summary["sampler"], "pc");
  EXPECT_EQ(summary["steps"], 3);
  EXPECT_EQ(summary["corrector_steps"], 2);
  EXPECT_EQ(summary["snr"], 0.1);
  EXPECT_EQ(summary["corrector_step"], "chain");
  SamplerConfig config;
  config.chains = 40;
  config.method = Method::Pc;
  config.steps = 3;
  config.corrector_steps = 2;
  config.snr = 0.1;
  config.corrector_step = CorrectorStep::ChainNorms;
  config.denoise = true;
  config.seed = 6;
  config.backend = Backend::Cpu;
  EXPECT_EQ(read_npy(path("pc.npy")).values(), sample(load_mlp(nc_model_), config).values());
  // A mixture over given levels, with the defaults (10 predictor steps a level).
  ASSERT_EQ(run("sample --gmm " + gmm_ + " --sigmas 3,0.3,4 --sampler pc --chains 30 --seed 2 "
                "--quiet --backend cpu --out " + path("g.npy"))
                .status,
            0);
  config = SamplerConfig{};
  config.chains = 30;
  config.method = Method::Pc;
  config.sigmas = geometric_noise_levels(3.0, 0.3, 4);
  config.seed = 2;
  config.backend = Backend::Cpu;
  EXPECT_EQ(read_npy(path("g.npy")).values(), sample(load_gmm(gmm_), config).values());
}

TEST_F(AnnealingCli, ProbabilityFlowMatchesTheLibraryAndReportsItsSettings) {
  const Result r = run("sample --model " + nc_model_ + " --sampler ode --rtol 1e-4 --atol 1e-6 "
                       "--denoise --chains 40 --seed 6 --backend cpu --json --out " +
                       path("ode.npy"));
  ASSERT_EQ(r.status, 0) << r.output;
  const nlohmann::json summary = nlohmann::json::parse(r.output);
  EXPECT_EQ(summary["sampler"], "ode");
  EXPECT_EQ(summary["rtol"], 1e-4);
  EXPECT_EQ(summary["atol"], 1e-6);
  SamplerConfig config;
  config.chains = 40;
  config.method = Method::Ode;
  config.rtol = 1e-4;
  config.atol = 1e-6;
  config.denoise = true;
  config.seed = 6;
  config.backend = Backend::Cpu;
  EXPECT_EQ(read_npy(path("ode.npy")).values(), sample(load_mlp(nc_model_), config).values());
  const Result text = run("sample --model " + nc_model_ + " --sampler ode --chains 40 "
                          "--backend cpu --out " + path("ode.npy"));
  ASSERT_EQ(text.status, 0) << text.output;
  EXPECT_NE(text.output.find("sampled 40 chains through 3 noise levels"), std::string::npos)
      << text.output;
}

TEST_F(AnnealingCli, UnderdampedMatchesTheLibraryAndResumesWithItsVelocities) {
  const std::string base = "sample --gmm " + gmm_ + " --sampler underdamped --friction 0.5 "
                           "--chains 40 --steps 60 --seed 6 --backend cpu ";
  const Result r = run(base + "--json --out " + path("whole.npy"));
  ASSERT_EQ(r.status, 0) << r.output;
  const nlohmann::json summary = nlohmann::json::parse(r.output);
  EXPECT_EQ(summary["sampler"], "underdamped");
  EXPECT_EQ(summary["friction"], 0.5);
  EXPECT_EQ(summary["epsilon"], kDefaultUnderdampedStep);
  SamplerConfig config;
  config.chains = 40;
  config.steps = 60;
  config.method = Method::Underdamped;
  config.friction = 0.5;
  config.seed = 6;
  config.backend = Backend::Cpu;
  EXPECT_EQ(read_npy(path("whole.npy")).values(), sample(load_gmm(gmm_), config).values());

  // A checkpoint holds the velocities, and a resume from it writes the whole run's samples.
  const Result cut = run(base + "--quiet --checkpoint " + path("run.ckpt") +
                         " --checkpoint-every 25 --out " + path("cut.npy"));
  ASSERT_EQ(cut.status, 0) << cut.output;
  const CheckpointFile file = read_checkpoint(path("run.ckpt"));
  EXPECT_EQ(file.checkpoint.update, 50);
  EXPECT_EQ(file.checkpoint.velocities.shape(), (std::vector<std::int64_t>{40, 2}));
  EXPECT_EQ(file.settings.at("friction"), "0.5");
  const Result resumed = run(base + "--quiet --resume " + path("run.ckpt") + " --out " +
                             path("resumed.npy"));
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_EQ(read_npy(path("resumed.npy")).values(), read_npy(path("whole.npy")).values());
  const Result other = run("sample --gmm " + gmm_ + " --sampler underdamped --friction 2 "
                           "--chains 40 --steps 60 --seed 6 --backend cpu --quiet --resume " +
                           path("run.ckpt") + " --out " + path("other.npy"));
  EXPECT_EQ(other.status, 2);
  EXPECT_NE(other.output.find("friction"), std::string::npos) << other.output;

  const Result misplaced = run("sample --gmm " + gmm_ + " --friction 2 --out " + path("u.npy"));
  EXPECT_EQ(misplaced.status, 2);
  EXPECT_NE(misplaced.output.find("--friction: only with --sampler underdamped (this run's "
                                  "sampler is ula)"),
            std::string::npos)
      << misplaced.output;
}

TEST_F(AnnealingCli, ScoreOfANoiseConditionalModelAtALevel) {
  const Array points({2, 2}, {0.5f, -1.0f, 2.0f, 0.0f});
  write_npy(path("x.npy"), points);
  ASSERT_EQ(run("score --model " + nc_model_ + " --sigma 0.7 --in " + path("x.npy") + " --out " +
                path("s.npy") + " --quiet --backend cpu")
                .status,
            0);
  EXPECT_EQ(read_npy(path("s.npy")).values(),
            score(load_mlp(nc_model_), points, 0.7, Backend::Cpu).values());
}

// `langevin likelihood` writes what log_likelihood() gives, bit for bit, and summarises it.
TEST_F(AnnealingCli, LikelihoodMatchesTheLibrary) {
  const GaussianMixture mixture = load_gmm(gmm_);
  const Array points = draw(mixture, 50, 3);
  write_npy(path("x.npy"), points);
  for (const std::string& divergence : {"exact", "hutchinson"}) {
    const Result r = testing::run_cli(
        "likelihood --gmm " + gmm_ + " --sigmas 100,0.01,6 --in " + path("x.npy") + " --out " +
            path("logp.npy") + " --latent " + path("z.npy") + " --divergence " + divergence +
            (divergence == std::string("hutchinson") ? " --probes 3" : "") +
            " --seed 4 --backend cpu --json",
        false);
    ASSERT_EQ(r.status, 0) << r.output;
    const nlohmann::json summary = nlohmann::json::parse(r.output);
    LikelihoodConfig config;
    config.sigmas = geometric_noise_levels(100.0, 0.01, 6);
    config.divergence = parse_divergence(divergence, "divergence");
    config.probes = 3;
    config.seed = 4;
    config.backend = Backend::Cpu;
    const Likelihood expected = log_likelihood(mixture, points, config);
    const Array written = read_npy(path("logp.npy"));
    ASSERT_EQ(written.shape(), std::vector<std::int64_t>{50});
    EXPECT_EQ(written.values(), expected.log_density.values());
    EXPECT_EQ(read_npy(path("z.npy")).values(), expected.latent.values());
    EXPECT_EQ(summary["command"], "likelihood");
    EXPECT_EQ(summary["divergence"], divergence);
    EXPECT_EQ(summary["points"], 50);
    EXPECT_EQ(summary["failed"], 0);
    EXPECT_DOUBLE_EQ(summary["bits_per_dim"].get<double>(), expected.bits_per_dim());
    EXPECT_EQ(summary.contains("probes"), divergence == "hutchinson");
    fs::remove(path("logp.npy"));
    fs::remove(path("z.npy"));
  }
  // A noise-conditional model over its own levels.
  const Result r = run("likelihood --model " + nc_model_ + " --in " + path("x.npy") + " --out " +
                       path("logp.npy") + " --backend cpu");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("bits/dim"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("exact divergence, sigma 0.5 -> 4 over 3 levels"), std::string::npos)
      << r.output;
}

TEST_F(AnnealingCli, CompareWeighsComponentsAndPlotsTwoDimensions) {
  write_npy(path("a.npy"), draw(load_gmm(gmm_), 2000, 5));
  write_npy(path("b.npy"), draw(load_gmm(gmm_), 1000, 6));
  const Result r = run("compare " + path("a.npy") + " " + path("b.npy") + " --gmm " + gmm_ +
                       " --plot " + path("p.svg") + " --backend cpu");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("weights by most likely component"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("   0.2500 "), std::string::npos) << r.output;  // the mixture's 1/4
  EXPECT_NE(r.output.find("scatter plot"), std::string::npos) << r.output;
  std::ifstream svg(path("p.svg"));
  const std::string text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("<circle"), std::string::npos);
}

TEST_F(AnnealingCli, BadCombinationsAreOneErrorLineWithStatusTwo) {
  write_npy(path("data.npy"), Array({10, 2}));
  save_mlp(path("plain.safetensors"), Mlp::random({2, 8, 2}, Activation::Tanh, 1));
  const std::string out = " --out " + path("out.npy");
  const std::string model_out = " --out " + path("out.safetensors");
  for (const std::string& arguments : {
           "sample --model " + nc_model_ + " --sampler mala" + out,
           "sample --gmm " + gmm_ + " --sampler hmc" + out,
           "sample --gmm " + gmm_ + " --sampler mala --sigmas 3,0.3,4" + out,
           "sample --gmm " + gmm_ + " --sigmas 0.3,3,4" + out,
           "sample --gmm " + gmm_ + " --sigmas 3,0.3" + out,
           "sample --gmm " + gmm_ + " --sigmas 3,0.3,2.5" + out,
           "sample --gmm " + gmm_ + " --sigmas 3,0.3,500" + out,
           "sample --gmm " + gmm_ + " --denoise" + out,
           "sample --model " + path("plain.safetensors") + " --sigmas 3,0.3,4" + out,
           "sample --gmm " + gmm_ + " --sampler pc" + out,
           "sample --model " + path("plain.safetensors") + " --sampler pc" + out,
           "sample --model " + nc_model_ + " --sampler pc --epsilon 0.01" + out,
           "sample --model " + nc_model_ + " --sampler pc --snr 0" + out,
           "sample --model " + nc_model_ + " --sampler pc --snr nan" + out,
           "sample --model " + nc_model_ + " --sampler pc --corrector-steps -1" + out,
           "sample --model " + nc_model_ + " --sampler pc --corrector-step batch" + out,
           "sample --model " + nc_model_ + " --snr 0.1" + out,
           "sample --model " + nc_model_ + " --corrector-steps 2" + out,
           "sample --gmm " + gmm_ + " --sampler ode" + out,
           "sample --model " + nc_model_ + " --sampler ode --sigmas 1,1,1" + out,
           "sample --model " + nc_model_ + " --sampler ode --epsilon 0.1" + out,
           "sample --model " + nc_model_ + " --sampler ode --rtol 0" + out,
           "sample --model " + nc_model_ + " --sampler ode --atol -1" + out,
           "sample --model " + nc_model_ + " --rtol 1e-3" + out,
           "score --model " + nc_model_ + " --in " + path("data.npy") + out,
           "likelihood --gmm " + gmm_ + " --in " + path("data.npy") + out,
           "likelihood --model " + path("plain.safetensors") + " --in " + path("data.npy") + out,
           "likelihood --model " + nc_model_ + " --probes 0 --in " + path("data.npy") + out,
           "likelihood --gmm " + gmm_ + " --sigmas 3,0.1,4 --probes 2 --in " + path("data.npy") +
               out,
           "score --model " + path("plain.safetensors") + " --sigma 1 --in " + path("data.npy") + out,
           "train --data " + path("data.npy") + " --loss ncsn --sigmas 0,0,0" + model_out,
           "train --data " + path("data.npy") + " --loss ncsn --sigmas 1,x,3" + model_out,
       }) {
    const Result r = run(arguments + " --backend cpu");
    EXPECT_EQ(r.status, 2) << arguments << "\n" << r.output;
    EXPECT_EQ(r.output.rfind("langevin: error: ", 0), 0u) << arguments << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << arguments << "\n"
                                                                     << r.output;
    EXPECT_FALSE(fs::exists(path("out.npy"))) << arguments;
    EXPECT_FALSE(fs::exists(path("out.safetensors"))) << arguments;
  }
}

TEST_F(AnnealingCli, DemoOffersTheAnnealedVersion) {
  const Result r = run("demo --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.output.find("--annealed"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace langevin
