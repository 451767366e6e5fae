// Training throughput: the seed's problem (15 000 points of the two-mode data, MLP 1 → 1024 → 1
// ReLU, exact score matching, full batch). Times one loss + gradient evaluation, one accelerated
// gd iteration with line search, and the whole 1 200-iteration training of `langevin demo`
// (optional: --full), on the CPU and the GPU. FLOP by a simple count: the forward pass with one
// tangent stream and the backward pass are ~6 multiply-adds per hidden unit and point.
// --annealed adds `langevin demo --annealed`'s training on the same data (2 → 128 → 128 → 1
// SiLU, noise-conditional over 12 levels, Adam, mini-batches of 2 048 rows): A iterations
// timed, counted as 3 multiply-adds per weight and row (forward, and the backward pass's two
// products).
//
// --network SPEC --data X.npy times instead one general network on the given rows, SPEC as
// benchmarks/peers/train_torch.py takes it (hidden=128x128,activation=silu,loss=ncsn,batch=2048,
// iterations=300): Adam at 1e-3, no average, ncsn over the default 20 levels 10 → 0.01, dsm at
// σ = 0.1; the rows its peers print, for benchmarks/peers/train_speed.py to put side by side.
//
//   training_benchmark [--backend cpu|cuda|all] [--iterations N] [--full] [--annealed A]
//                      [--save-inputs DIR] [--network SPEC --data X.npy]
//
// --save-inputs writes DIR/data.npy and DIR/start.safetensors (the data and the initial weights
// every backend starts from), so that the peers in benchmarks/peers/ train the same problem
// (--data, --init-model).

#include <langevin/langevin.hpp>
#include <langevin/trainer.hpp>

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

langevin::Array seed_data() {
  const langevin::Array left =
      langevin::draw(langevin::GaussianMixture({1.0}, {{-5.0}}, {{3.0}}), 10000, 0);
  const langevin::Array right =
      langevin::draw(langevin::GaussianMixture({1.0}, {{6.0}}, {{1.0}}), 5000, 0x9E3779B9ull);
  std::vector<float> values = left.values();
  values.insert(values.end(), right.values().begin(), right.values().end());
  return langevin::Array({15000, 1}, values);
}

double seconds_of(const std::function<void()>& work, int repeat) {
  work();  // warm-up: allocation, cuBLAS handle, first launches
  std::vector<double> seconds;
  for (int r = 0; r < repeat; ++r) {
    const auto start = Clock::now();
    work();
    seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

/// A training iteration's FLOP per row of its batch, counted as 3 multiply-adds per weight (the
/// forward pass, and the backward pass's two products).
double flop_per_row(const langevin::Mlp& model) {
  double weights = 0;
  for (const langevin::DenseLayer& layer : model.layers()) {
    weights += static_cast<double>(layer.inputs) * layer.outputs;
  }
  return 2.0 * 3 * weights;
}

/// "key=value,key=value" → the general network's training configuration.
langevin::TrainConfig network_config(const std::string& spec) {
  langevin::TrainConfig config;
  config.optimizer = langevin::Optimizer::Adam;
  config.learning_rate = 1e-3;
  std::size_t start = 0;
  while (start < spec.size()) {
    std::size_t end = spec.find(',', start);
    if (end == std::string::npos) end = spec.size();
    const std::string item = spec.substr(start, end - start);
    const std::size_t equals = item.find('=');
    const std::string key = item.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : item.substr(equals + 1);
    if (key == "hidden") {
      config.hidden.clear();
      for (std::size_t from = 0; from < value.size();) {
        std::size_t to = value.find('x', from);
        if (to == std::string::npos) to = value.size();
        config.hidden.push_back(std::stoi(value.substr(from, to - from)));
        from = to + 1;
      }
    } else if (key == "activation") {
      config.activation = langevin::parse_activation(value, "--network activation");
    } else if (key == "loss") {
      config.loss = langevin::parse_loss(value, "--network loss");
    } else if (key == "batch") {
      config.batch = std::stoll(value);
    } else if (key == "iterations") {
      config.iterations = std::stoll(value);
    } else {
      throw langevin::InvalidInput("--network: unknown key \"" + key + "\" in " + spec);
    }
    start = end + 1;
  }
  return config;
}

/// One row: the general network of `spec` trained on `data` (after a warm-up of 20 iterations).
void network_row(const std::string& spec, const langevin::Array& data, langevin::Backend backend) {
  langevin::TrainConfig config = network_config(spec);
  config.backend = backend;
  const std::int64_t iterations = config.iterations;
  config.iterations = 20;
  langevin::train(data, config);
  config.iterations = iterations;
  const auto started = Clock::now();
  const langevin::TrainResult fit = langevin::train(data, config);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  const double flop_per_iteration = flop_per_row(fit.model) * static_cast<double>(config.batch);
  std::printf("| langevin %s | %s | %s | %lld | %lld | %.3f | %.5f | %.1f |\n", langevin::version(),
              langevin::to_string(backend), spec.c_str(), static_cast<long long>(data.shape()[0]),
              static_cast<long long>(data.shape()[1]), seconds, seconds / iterations,
              flop_per_iteration * iterations / seconds / 1e9);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) try {
  std::string which = "all";
  std::int64_t iterations = 20;
  bool full = false;
  std::string save_inputs;
  std::int64_t annealed = 0;
  std::vector<std::string> networks;
  std::string data_path;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--backend") && i + 1 < argc) which = argv[++i];
    else if (!std::strcmp(argv[i], "--iterations") && i + 1 < argc) iterations = std::stoll(argv[++i]);
    else if (!std::strcmp(argv[i], "--full")) full = true;
    else if (!std::strcmp(argv[i], "--save-inputs") && i + 1 < argc) save_inputs = argv[++i];
    else if (!std::strcmp(argv[i], "--annealed") && i + 1 < argc) annealed = std::stoll(argv[++i]);
    else if (!std::strcmp(argv[i], "--network") && i + 1 < argc) networks.push_back(argv[++i]);
    else if (!std::strcmp(argv[i], "--data") && i + 1 < argc) data_path = argv[++i];
  }
  std::vector<langevin::Backend> backends;
  if (which == "cpu" || which == "all") backends.push_back(langevin::Backend::Cpu);
  if ((which == "cuda" || which == "all") && langevin::cuda_available()) {
    backends.push_back(langevin::Backend::Cuda);
  }
  if (!networks.empty()) {
    if (data_path.empty()) throw langevin::InvalidInput("--network needs --data X.npy");
    const langevin::Array rows = langevin::read_array(data_path);
    for (const std::string& spec : networks) {
      for (langevin::Backend backend : backends) network_row(spec, rows, backend);
    }
    return 0;
  }
  const langevin::Array data = seed_data();
  const double flop_per_evaluation = 2.0 * 6 * 1024 * 15000;

  std::printf("# training_benchmark: seed problem (15000 points, 1-1024-1 relu, exact, full batch);"
              " %d OpenMP threads", omp_get_max_threads());
  for (const auto& gpu : langevin::gpus()) std::printf("; GPU %s", gpu.name.c_str());
  std::printf("\n| backend | what | seconds | loss evaluations | s / iteration | GFLOP/s per evaluation |\n");
  std::printf("|---|---|---:|---:|---:|---:|\n");
  for (langevin::Backend backend : backends) {
    langevin::TrainConfig config;
    config.optimizer = langevin::Optimizer::Nesterov;
    config.learning_rate = 0.0;
    config.backend = backend;
    const langevin::Mlp start = langevin::initial_model(1, config);
    if (!save_inputs.empty()) {
      langevin::write_npy(save_inputs + "/data.npy", data);
      langevin::save_mlp(save_inputs + "/start.safetensors", start);
    }
    const char* name = langevin::to_string(backend);

    const double evaluation =
        seconds_of([&] { langevin::loss_and_gradient(start, data, config); }, 3);
    std::printf("| %s | one loss + gradient evaluation (with set-up) | %.4f | 1 | | %.1f |\n", name,
                evaluation, flop_per_evaluation / evaluation / 1e9);

    config.iterations = iterations;
    langevin::TrainResult fit = langevin::train(data, start, config);  // warm-up
    const auto started = Clock::now();
    fit = langevin::train(data, start, config);
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::printf("| %s | %lld iterations, nesterov + line search | %.3f | %lld | %.4f | %.1f |\n",
                name, static_cast<long long>(iterations), seconds,
                static_cast<long long>(fit.evaluations), seconds / iterations,
                flop_per_evaluation * fit.evaluations / seconds / 1e9);
    if (full) {
      config.iterations = 1200;
      const auto begun = Clock::now();
      fit = langevin::train(data, start, config);
      const double total = std::chrono::duration<double>(Clock::now() - begun).count();
      std::printf("| %s | the demo's 1200 iterations | %.2f | %lld | %.4f | %.1f |\n", name, total,
                  static_cast<long long>(fit.evaluations), total / 1200,
                  flop_per_evaluation * fit.evaluations / total / 1e9);
    }
    if (annealed > 0) {
      langevin::TrainConfig ncsn;  // as host/cli/demo_annealed.cpp
      ncsn.loss = langevin::Loss::Ncsn;
      ncsn.sigmas = langevin::geometric_noise_levels(20.0, 0.05, 12);
      ncsn.hidden = {128, 128};
      ncsn.activation = langevin::Activation::Silu;
      ncsn.optimizer = langevin::Optimizer::Adam;
      ncsn.learning_rate = 1e-3;
      ncsn.batch = 2048;
      ncsn.ema = 0.999;
      ncsn.backend = backend;
      ncsn.iterations = std::min<std::int64_t>(annealed, 50);
      langevin::train(data, ncsn);  // warm-up
      ncsn.iterations = annealed;
      const auto begun = Clock::now();
      const langevin::TrainResult noise_conditional = langevin::train(data, ncsn);
      const double total = std::chrono::duration<double>(Clock::now() - begun).count();
      const double flop_per_iteration =
          flop_per_row(noise_conditional.model) * static_cast<double>(ncsn.batch);
      std::printf("| %s | demo --annealed's training, %lld iterations of 2048 rows | %.3f | %lld | "
                  "%.5f | %.1f |\n",
                  name, static_cast<long long>(annealed), total,
                  static_cast<long long>(noise_conditional.evaluations), total / annealed,
                  flop_per_iteration * annealed / total / 1e9);
    }
  }
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "training_benchmark: %s\n", error.what());
  return 2;
}
