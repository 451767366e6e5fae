// Fused sampler throughput: chain-steps per second of the seed model (1 → 1024 → 1, ReLU,
// Glorot-random weights) and of the seed's Gaussian-mixture target, on the CPU and the GPU,
// final states only. One table row per case; FLOP counts by DESIGN.md's model (2 FLOP per
// multiply-add of the network, per chain-step).
//
//   sampler_benchmark [--backend cpu|cuda|all] [--chains N[,N…]] [--steps K] [--repeat R]

#include <langevin/device/cuda_check.hpp>
#include <langevin/langevin.hpp>

#include <cuda_runtime.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::vector<langevin::Backend> backends;
  std::vector<std::int64_t> chains;
  std::int64_t steps = 0;
  int repeat = 3;
};

std::vector<std::int64_t> parse_counts(const std::string& text) {
  std::vector<std::int64_t> counts;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) counts.push_back(static_cast<std::int64_t>(std::stod(item)));
  return counts;
}

Options parse(int argc, char** argv) {
  Options options;
  std::string backend = "all";
  std::string chains;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--backend")) backend = argv[i + 1];
    else if (!std::strcmp(argv[i], "--chains")) chains = argv[i + 1];
    else if (!std::strcmp(argv[i], "--steps")) options.steps = std::stoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--repeat")) options.repeat = std::stoi(argv[i + 1]);
  }
  if (backend == "cpu" || backend == "all") options.backends.push_back(langevin::Backend::Cpu);
  if ((backend == "cuda" || backend == "all") && langevin::cuda_available()) {
    options.backends.push_back(langevin::Backend::Cuda);
  }
  if (!chains.empty()) options.chains = parse_counts(chains);
  return options;
}

/// Median seconds of `repeat` runs after one warm-up run.
template <class Target>
double time_run(const Target& target, const langevin::SamplerConfig& config, int repeat) {
  langevin::Sampler sampler(target, config);
  std::vector<double> seconds;
  if (sampler.backend() == langevin::Backend::Cuda) {
    langevin::DeviceBuffer<float> out(static_cast<std::size_t>(config.chains * sampler.dim()));
    cudaEvent_t start, stop;
    LANGEVIN_CUDA_CHECK(cudaEventCreate(&start));
    LANGEVIN_CUDA_CHECK(cudaEventCreate(&stop));
    sampler.run_into(out.data());
    for (int r = 0; r < repeat; ++r) {
      LANGEVIN_CUDA_CHECK(cudaEventRecord(start));
      sampler.run_into(out.data());
      LANGEVIN_CUDA_CHECK(cudaEventRecord(stop));
      LANGEVIN_CUDA_CHECK(cudaEventSynchronize(stop));
      float ms = 0;
      LANGEVIN_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
      seconds.push_back(ms / 1e3);
    }
    LANGEVIN_CUDA_CHECK(cudaEventDestroy(start));
    LANGEVIN_CUDA_CHECK(cudaEventDestroy(stop));
  } else {
    sampler.run();
    for (int r = 0; r < repeat; ++r) {
      const auto start = Clock::now();
      sampler.run();
      seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    }
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

template <class Target>
void row(const char* name, const Target& target, double flop_per_step, langevin::Backend backend,
         std::int64_t chains, std::int64_t steps, int repeat) {
  langevin::SamplerConfig config;
  config.chains = chains;
  config.steps = steps;
  config.epsilon = 5e-3;
  config.backend = backend;
  const double seconds = time_run(target, config, repeat);
  const double chain_steps = static_cast<double>(chains) * steps;
  std::printf("| %-4s | %-22s | %10lld | %6lld | %9.4f | %12.4g | %9.1f |\n",
              langevin::to_string(backend), name, static_cast<long long>(chains),
              static_cast<long long>(steps), seconds, chain_steps / seconds,
              flop_per_step > 0 ? chain_steps * flop_per_step / seconds / 1e9 : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  const langevin::Mlp seed_model =
      langevin::Mlp::random({1, 1024, 1}, langevin::Activation::Relu, 2026);
  const langevin::GaussianMixture seed_target({2.0, 1.0}, {{-5.0}, {6.0}}, {{3.0}, {1.0}});
  const double mlp_flop = 2.0 * static_cast<double>(seed_model.multiply_adds());

  std::printf("# sampler_benchmark: %d OpenMP threads", omp_get_max_threads());
  for (const auto& gpu : langevin::gpus()) std::printf("; GPU %s", gpu.name.c_str());
  std::printf("\n| backend | score | chains | steps | seconds | chain-steps/s | GFLOP/s |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|\n");
  for (langevin::Backend backend : options.backends) {
    const bool gpu = backend == langevin::Backend::Cuda;
    const std::vector<std::int64_t> chains =
        !options.chains.empty() ? options.chains
        : gpu ? std::vector<std::int64_t>{1000, 100000, 1000000}
              : std::vector<std::int64_t>{1000, 100000};
    const std::int64_t steps = options.steps > 0 ? options.steps : gpu ? 1000 : 100;
    for (std::int64_t n : chains) {
      row("mlp 1-1024-1 relu", seed_model, mlp_flop, backend, n, steps, options.repeat);
    }
    for (std::int64_t n : chains) {
      row("gmm 2 components d=1", seed_target, 0.0, backend, n, steps, options.repeat);
    }
  }
  return 0;
}
