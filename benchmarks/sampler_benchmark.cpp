// Fused sampler throughput, one Markdown table row per case: chain-steps per second, achieved
// FLOP/s (DESIGN.md's model: 2 FLOP per multiply-add of the network, per chain-step), bytes
// written, and the fractions of the FMA and copy ceilings measured at the start of the same run.
//
//   sampler_benchmark [--backend cpu|cuda|all] [--chains N[,N…]] [--steps K] [--repeat R]
//                     [--model M.safetensors] [--keep final|trajectory|both] [--grid] [--score]
//                     [--ceilings measure|none] [--summary N[,N…]] [--shapes W-W…[,W-W…]]
//
// Cases: the seed model (1 → 1024 → 1 ReLU; Glorot-random, or --model's weights so that the
// peers in benchmarks/peers/ run the very same network) and the seed's Gaussian mixture.
// --grid adds the MLP shapes d ∈ {1, 2, 16} × hidden width {64, 256, 1024} × depth 1–3, each run
// for as many steps as make the seed model's work (at least 10). --score adds score evaluation
// (the network on N points, no sampling; with --grid, of every shape too, on as many points as
// its chain-steps, up to 2²⁴ floats of them). --shapes runs the listed MLP shapes (widths from
// input to output, e.g. 16-1024-16) in the grid's place, the same way. --summary runs the seed
// model's N chains in chunks with running statistics only (mean, variance, a 100-bin
// histogram; sample_summary), the way 10⁸ chains run in bounded memory; time should grow
// linearly with N. The seed model runs in the library's hinge form (device/hinge.hpp), as every
// 1-D one-hidden-layer ReLU network does; a second row runs the same network through the
// layered pass (ScoreForm::Layered), so that the two forms are measured side by side.

#include "ceilings.hpp"

#include <langevin/langevin.hpp>

#include <omp.h>
#if LANGEVIN_BENCHMARK_WITH_CUDA
#include <cuda_runtime.h>
#include <langevin/device/cuda_check.hpp>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using langevin::Backend;

struct Options {
  std::vector<Backend> backends;
  std::vector<std::int64_t> chains;
  std::vector<std::int64_t> summary_chains;
  std::int64_t steps = 0;
  int repeat = 3;
  std::string model;
  bool final_states = true, trajectory = false;
  bool grid = false, score = false, ceilings = true;
  std::vector<std::vector<int>> shapes;  // the grid's MLP shapes, or --shapes'
};

std::vector<std::int64_t> parse_counts(const std::string& text) {
  std::vector<std::int64_t> counts;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) counts.push_back(static_cast<std::int64_t>(std::stod(item)));
  return counts;
}

/// "1-64-1,16-1024-16": the widths of each shape, input to output.
std::vector<std::vector<int>> parse_shapes(const std::string& text) {
  std::vector<std::vector<int>> shapes;
  std::stringstream stream(text);
  std::string shape;
  while (std::getline(stream, shape, ',')) {
    std::vector<int> widths;
    std::stringstream layers(shape);
    std::string width;
    bool positive = true;
    while (std::getline(layers, width, '-')) {
      const bool digits = !width.empty() && width.size() < 7 &&
                          width.find_first_not_of("0123456789") == std::string::npos;
      const int value = digits ? std::stoi(width) : 0;
      positive = positive && value > 0;
      widths.push_back(value);
    }
    if (!positive || widths.size() < 3 || widths.front() != widths.back()) {
      throw std::invalid_argument("--shapes " + shape +
                                  ": expected d-H…-d (positive widths, one or more hidden, "
                                  "as many outputs as inputs)");
    }
    shapes.push_back(widths);
  }
  return shapes;
}

Options parse(int argc, char** argv) {
  Options options;
  std::string backend = "all", chains, keep = "final";
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--grid") { options.grid = true; continue; }
    if (flag == "--score") { options.score = true; continue; }
    if (i + 1 >= argc) throw std::invalid_argument(flag + ": needs a value (or is unknown)");
    const std::string value = argv[++i];
    if (flag == "--backend") backend = value;
    else if (flag == "--chains") chains = value;
    else if (flag == "--steps") options.steps = std::stoll(value);
    else if (flag == "--repeat") options.repeat = std::stoi(value);
    else if (flag == "--model") options.model = value;
    else if (flag == "--keep") keep = value;
    else if (flag == "--ceilings") options.ceilings = value != "none";
    else if (flag == "--summary") options.summary_chains = parse_counts(value);
    else if (flag == "--shapes") options.shapes = parse_shapes(value);
    else throw std::invalid_argument("unknown option " + flag);
  }
  if (keep != "final" && keep != "trajectory" && keep != "both") {
    throw std::invalid_argument("--keep " + keep + ": expected final, trajectory or both");
  }
  options.final_states = keep != "trajectory";
  options.trajectory = keep != "final";
  if (backend == "cpu" || backend == "all") options.backends.push_back(Backend::Cpu);
  if ((backend == "cuda" || backend == "all") && langevin::cuda_available()) {
    options.backends.push_back(Backend::Cuda);
  }
  if (!chains.empty()) options.chains = parse_counts(chains);
  if (options.grid && options.shapes.empty()) {
    for (int d : {1, 2, 16}) {
      for (int width : {64, 256, 1024}) {
        for (int depth = 1; depth <= 3; ++depth) {
          std::vector<int> widths{d};
          widths.insert(widths.end(), depth, width);
          widths.push_back(d);
          options.shapes.push_back(widths);
        }
      }
    }
  }
  return options;
}

/// Median seconds of `repeat` calls of `work` after one warm-up call; `finish` waits for it.
double median_seconds(const std::function<void()>& work, const std::function<void()>& finish,
                      int repeat) {
  work();
  finish();
  std::vector<double> seconds;
  for (int r = 0; r < repeat; ++r) {
    const auto start = Clock::now();
    work();
    finish();
    seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

#if LANGEVIN_BENCHMARK_WITH_CUDA
void synchronize() { LANGEVIN_CUDA_CHECK(cudaDeviceSynchronize()); }
#else
void synchronize() {}  // never called: a build without the CUDA backend runs the CPU alone
#endif

/// Seconds of one run of `config` on `target` (the GPU writes into a buffer allocated once, as
/// an HPC caller would; the CPU returns a host array).
template <class Target>
double time_run(const Target& target, const langevin::SamplerConfig& config, int repeat) {
  langevin::Sampler sampler(target, config);
  if (sampler.backend() == Backend::Cuda) {
    std::int64_t count = 1;
    for (std::int64_t extent : sampler.output_shape()) count *= extent;
    langevin::DeviceBuffer<float> out(static_cast<std::size_t>(count));
    return median_seconds([&] { sampler.run_into(out.data()); }, synchronize, repeat);
  }
  return median_seconds([&] { sampler.run(); }, [] {}, repeat);
}

struct Ceiling {
  double gflops = 0.0;  // 0: not measured
  double gbytes = 0.0;
};

struct Case {
  std::string name;
  double flop_per_step = 0.0;  // per chain-step (0: not counted, e.g. a mixture)
  int dim = 1;
};

void print_header() {
  std::printf("| backend | score | chains | steps | keep | seconds | chain-steps/s | GFLOP/s | "
              "of FMA ceiling | GB written | GB/s | of copy ceiling |\n");
  std::printf("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
}

std::string percent(double value, double ceiling) {
  if (ceiling <= 0.0 || value <= 0.0) return "—";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %%", 100.0 * value / ceiling);
  return text;
}

void print_row(Backend backend, const Case& c, std::int64_t chains, std::int64_t steps,
               const char* keep, double seconds, double bytes, const Ceiling& ceiling) {
  const double chain_steps = static_cast<double>(chains) * static_cast<double>(steps);
  const double gflops = chain_steps * c.flop_per_step / seconds / 1e9;
  const double gbytes = bytes / seconds / 1e9;
  std::printf("| %s | %s | %lld | %lld | %s | %.4f | %.4g | %.1f | %s | %.3g | %.1f | %s |\n",
              langevin::to_string(backend), c.name.c_str(), static_cast<long long>(chains),
              static_cast<long long>(steps), keep, seconds, chain_steps / seconds,
              c.flop_per_step > 0 ? gflops : 0.0, percent(gflops, ceiling.gflops).c_str(),
              bytes / 1e9, gbytes, percent(gbytes, ceiling.gbytes).c_str());
  std::fflush(stdout);
}

template <class Target>
void sampler_rows(const Target& target, const Case& c, Backend backend, std::int64_t chains,
                  std::int64_t steps, const Options& options, const Ceiling& ceiling) {
  langevin::SamplerConfig config;
  config.chains = chains;
  config.steps = steps;
  config.epsilon = 5e-3;
  config.backend = backend;
  const double final_bytes = 4.0 * static_cast<double>(chains) * c.dim;
  if (options.final_states) {
    print_row(backend, c, chains, steps, "final", time_run(target, config, options.repeat),
              final_bytes, ceiling);
  }
  if (options.trajectory) {
    config.keep = langevin::Keep::Trajectory;
    print_row(backend, c, chains, steps, "trajectory", time_run(target, config, options.repeat),
              final_bytes * static_cast<double>(steps), ceiling);
  }
}

void score_row(const langevin::Mlp& model, const Case& c, Backend backend, std::int64_t points,
               int repeat, const Ceiling& ceiling) {
  const langevin::Array x = langevin::draw(
      langevin::GaussianMixture({1.0}, {std::vector<double>(c.dim, 0.0)},
                                {std::vector<double>(c.dim, 3.0)}),
      points, 7);
  const double seconds =
      median_seconds([&] { langevin::score(model, x, backend); }, [] {}, repeat);
  // Points read and scores written (the host round trip of the GPU path included).
  print_row(backend, c, points, 1, "score eval", seconds, 8.0 * static_cast<double>(points) * c.dim,
            ceiling);
}

/// A chunked run of `chains` chains that keeps running statistics only.
void summary_row(const langevin::Mlp& model, const Case& c, Backend backend, std::int64_t chains,
                 std::int64_t steps, const Ceiling& ceiling) {
  langevin::SamplerConfig config;
  config.chains = chains;
  config.steps = steps;
  config.epsilon = 5e-3;
  config.backend = backend;
  langevin::SummaryOptions options;
  options.histogram = {100, -10.0, 10.0};
  const double seconds = median_seconds(
      [&] { langevin::sample_summary(model, config, options); }, [] {}, 1);
  print_row(backend, c, chains, steps, "summary", seconds, 0.0, ceiling);
}

std::string shape_name(const std::vector<int>& widths, langevin::Activation activation) {
  std::string name = "mlp ";
  for (std::size_t i = 0; i < widths.size(); ++i) {
    name += (i ? "-" : "") + std::to_string(widths[i]);
  }
  return name + " " + langevin::to_string(activation);
}

}  // namespace

int main(int argc, char** argv) try {
  const Options options = parse(argc, argv);
  const langevin::Mlp seed_model =
      options.model.empty() ? langevin::Mlp::random({1, 1024, 1}, langevin::Activation::Relu, 2026)
                            : langevin::load_mlp(options.model);
  const langevin::GaussianMixture seed_target({2.0, 1.0}, {{-5.0}, {6.0}}, {{3.0}, {1.0}});
  const double seed_flop = 2.0 * static_cast<double>(seed_model.multiply_adds());
  const Case seed_case{shape_name(seed_model.widths(), seed_model.activation()) +
                           (options.model.empty() ? "" : " (--model)"),
                       seed_flop, seed_model.data_dim()};
  const Case gmm_case{"gmm 2 components d=1", 0.0, 1};

  std::printf("# sampler_benchmark: %d OpenMP threads", omp_get_max_threads());
  for (const auto& gpu : langevin::gpus()) std::printf("; GPU %s", gpu.name.c_str());
  std::printf("\n");
  for (Backend backend : options.backends) {
    const bool gpu = backend == Backend::Cuda;
    Ceiling ceiling;
    if (options.ceilings) {
      ceiling.gflops = gpu ? gpu_fma_gflops() : cpu_fma_gflops();
      ceiling.gbytes = gpu ? gpu_copy_gbytes() : cpu_copy_gbytes();
      std::printf("# %s ceilings measured now: FP32 FMA %.1f GFLOP/s, copy %.1f GB/s\n",
                  langevin::to_string(backend), ceiling.gflops, ceiling.gbytes);
    }
    print_header();
    const std::vector<std::int64_t> chains =
        !options.chains.empty() ? options.chains
        : gpu ? std::vector<std::int64_t>{1000, 100000, 1000000}
              : std::vector<std::int64_t>{1000, 100000};
    const std::int64_t steps = options.steps > 0 ? options.steps : gpu ? 1000 : 100;
    langevin::SamplerConfig probe;
    probe.chains = 1;
    probe.backend = backend;
    const bool hinge = langevin::Sampler(seed_model, probe).score_form() == "hinge";
    Case layered_case = seed_case;
    layered_case.name += " layered";
    for (std::int64_t n : chains) {
      sampler_rows(seed_model, seed_case, backend, n, steps, options, ceiling);
      if (hinge && options.final_states) {
        langevin::SamplerConfig config;
        config.chains = n;
        config.steps = steps;
        config.epsilon = 5e-3;
        config.backend = backend;
        config.score_form = langevin::ScoreForm::Layered;
        print_row(backend, layered_case, n, steps, "final",
                  time_run(seed_model, config, options.repeat), 4.0 * static_cast<double>(n),
                  ceiling);
      }
    }
    for (std::int64_t n : chains) {
      sampler_rows(seed_target, gmm_case, backend, n, steps, options, ceiling);
    }
    for (const std::vector<int>& widths : options.shapes) {
      const langevin::Mlp model = langevin::Mlp::random(widths, langevin::Activation::Relu, 2026);
      const int d = widths.front();
      const Case c{shape_name(widths, model.activation()),
                   2.0 * static_cast<double>(model.multiply_adds()), d};
      // The seed model's work per chain, so that every case takes about as long.
      const std::int64_t case_steps = std::max<std::int64_t>(
          10, std::llround(static_cast<double>(steps) * seed_flop / c.flop_per_step));
      for (std::int64_t n : chains) {
        sampler_rows(model, c, backend, n, case_steps, options, ceiling);
      }
      if (options.score) {  // the same work in points, up to 2^24 floats of them
        for (std::int64_t n : chains) {
          const std::int64_t points = std::min<std::int64_t>(n * case_steps, (1 << 24) / d);
          score_row(model, c, backend, points, options.repeat, ceiling);
        }
      }
    }
    for (std::int64_t n : options.summary_chains) {
      summary_row(seed_model, seed_case, backend, n, steps, ceiling);
    }
    if (options.score) {
      for (std::int64_t n : chains) {
        score_row(seed_model, seed_case, backend, n, options.repeat, ceiling);
      }
    }
    if (options.ceilings) {
      // Again at the end: a virtual machine's speed can drift during a run, and a fraction
      // above 100 % (or far below the rest) then says so.
      std::printf("# %s ceilings measured again at the end: FP32 FMA %.1f GFLOP/s, copy %.1f GB/s\n",
                  langevin::to_string(backend), gpu ? gpu_fma_gflops() : cpu_fma_gflops(),
                  gpu ? gpu_copy_gbytes() : cpu_copy_gbytes());
    }
  }
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "sampler_benchmark: %s\n", error.what());
  return 2;
}
