// langevin demo: the seed notebook end to end, with its numbers (docs/CLI.md): two-mode data, an
// MLP 1 → 1024 → 1 (ReLU) trained by exact score matching with accelerated gradient descent and
// a backtracking line search (jaxopt's GradientDescent defaults) for 1 200 iterations, then
// 1 000 Langevin chains × 2 000 steps at ε = 5·10⁻³ from N(0, 1), keeping the trajectory.
// `--annealed` runs the noise-conditional version instead (demo_annealed.cpp).

#include "commands.hpp"
#include "common.hpp"
#include "demo.hpp"

#include <langevin/stats.hpp>
#include <langevin/trainer.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace langevin::cli {
namespace {

struct DemoOptions {
  CommonOptions common;
  std::string out;
  bool annealed = false;
};

}  // namespace

std::string DemoRun::path(const char* name) const {
  return (std::filesystem::path(directory) / name).string();
}

Array seed_data(std::uint64_t seed) {
  const Array left = draw(GaussianMixture({1.0}, {{-5.0}}, {{3.0}}), 10000, seed);
  const Array right = draw(GaussianMixture({1.0}, {{6.0}}, {{1.0}}), 5000, seed + 0x9E3779B9ull);
  std::vector<float> values = left.values();
  values.insert(values.end(), right.values().begin(), right.values().end());
  return Array({15000, 1}, std::move(values));
}

void run_seed_demo(const DemoRun& run, const Array& data) {
  const bool quiet = run.quiet;
  auto path = [&](const char* name) { return run.path(name); };
  // Training, as the seed: exact score matching, full batch, accelerated gd with line search.
  TrainConfig training;
  training.hidden = {1024};
  training.activation = Activation::Relu;
  training.loss = Loss::Exact;
  training.optimizer = Optimizer::Nesterov;
  training.learning_rate = 0.0;  // backtracking line search
  training.iterations = 1200;
  training.seed = run.seed;
  training.backend = run.backend;
  if (!quiet) {
    std::printf("langevin demo -> %s\ntraining 1 -> 1024 -> 1 (relu) by exact score matching on "
                "%lld points ...\n", run.directory.c_str(), static_cast<long long>(data.dim(0)));
    std::fflush(stdout);
    training.on_step = [](const TrainStep& step) {
      if (step.iteration % 120 == 0) {
        std::printf("  iteration %4lld/1200  loss %.5f  %.1f s\n",
                    static_cast<long long>(step.iteration), step.loss, step.seconds);
        std::fflush(stdout);
      }
    };
  }
  const TrainResult fit = train(data, training);
  save_mlp(path("model.safetensors"), fit.model);

  // Sampling: 1 000 chains × 2 000 steps, the trajectory kept.
  SamplerConfig sampling;
  sampling.chains = 1000;
  sampling.steps = 2000;
  sampling.epsilon = 5e-3;
  sampling.keep = Keep::Trajectory;
  sampling.seed = run.seed;
  sampling.backend = run.backend;
  const auto sampling_started = std::chrono::steady_clock::now();
  Sampler sampler(fit.model, sampling);
  const Array samples = sampler.run();
  const double sampling_seconds = seconds_since(sampling_started);
  write_npy(path("samples.npy"), samples);

  // Comparison and plot.
  CompareOptions comparing;
  comparing.split = 1.5;
  comparing.backend = run.backend;
  const Comparison c = compare(samples, data, comparing);
  write_ecdf_svg(path("ecdf.svg"), samples, data, "samples (Langevin)", "data");

  if (!quiet) {
    const double chain_steps = static_cast<double>(sampling.chains) * sampling.steps;
    std::printf("\n| stage | result |\n|---|---|\n");
    std::printf("| training | %lld iterations, %lld loss evaluations, %.2f s on %s, final loss %.5f |\n",
                static_cast<long long>(fit.iterations), static_cast<long long>(fit.evaluations),
                fit.seconds, to_string(fit.backend), fit.final_loss);
    std::printf("| sampling | 1000 chains x 2000 steps, %.3f s on %s, %.3g chain-steps/s |\n",
                sampling_seconds, to_string(sampler.backend()), chain_steps / sampling_seconds);
    std::printf("\n| quantity | data | samples |\n|---|---:|---:|\n");
    std::printf("| weight of the right mode (x > 1.5) | %.4f | %.4f |\n", c.above_b[0], c.above_a[0]);
    std::printf("| mean | %.3f | %.3f |\n", c.mean_b[0], c.mean_a[0]);
    std::printf("| standard deviation | %.3f | %.3f |\n", c.std_b[0], c.std_a[0]);
    std::printf("| KS distance, samples vs data | | %.4f |\n", c.ks[0]);
    std::printf("| Wasserstein-1, samples vs data | | %.4f |\n", c.wasserstein1[0]);
    std::printf("\nwrote data.npy, model.safetensors, samples.npy %s, ecdf.svg in %s\n",
                samples.shape_string().c_str(), run.directory.c_str());
  }
}

namespace {

void run_demo(const DemoOptions& options) {
  namespace fs = std::filesystem;
  DemoRun run;
  run.directory = !options.out.empty() ? options.out
                  : options.annealed   ? "langevin-demo-annealed"
                                       : "langevin-demo";
  std::error_code error;
  if (fs::exists(run.directory, error) && !fs::is_directory(run.directory, error)) {
    throw InvalidInput("--out = " + run.directory + ": exists and is not a directory");
  }
  run.backend = parse_backend(options.common.backend, "--backend");  // before any work
  run.seed = options.common.seed;
  run.quiet = options.common.quiet;
  fs::create_directories(run.directory, error);
  if (error) throw Error("cannot create " + run.directory + ": " + error.message());

  const Array data = seed_data(run.seed);
  write_npy(run.path("data.npy"), data);
  if (options.annealed) {
    run_annealed_demo(run, data);
  } else {
    run_seed_demo(run, data);
  }
}

}  // namespace

Command add_demo_command(CLI::App& app) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* command = app.add_subcommand(
      "demo", "the seed notebook end to end: data, training, sampling, comparison");
  command->add_option("--out", options->out,
                      "output directory [langevin-demo, or langevin-demo-annealed]");
  command->add_flag("--annealed", options->annealed,
                    "the noise-conditional version: ncsn training and annealed Langevin with "
                    "10000 chains, beside the seed's plain sampler on the same model");
  add_common_options(*command, options->common, /*json_summary=*/false);  // a table for people
  return {command, [options] { run_demo(*options); }};
}

}  // namespace langevin::cli
