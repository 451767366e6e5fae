// One run over MPI ranks (include/langevin/mpi.hpp), timed as a user's job runs it: every rank
// between two barriers, the run itself (sampling, and the ranks' divergence and acceptance
// agreed), then optionally the one .npy file every rank writes its rows into through MPI-IO.
// Started under mpirun by benchmarks/scaling, which runs it at several rank counts and turns
// its lines into the strong- and weak-scaling table of docs/SCALING.md.
//
//   mpirun -np P mpi_scaling [--backend cpu|cuda] [--target ring|seed] [--chains N]
//                            [--weak] [--steps K] [--repeat R] [--write DIR]
//   mpirun -np P mpi_scaling --train seed|annealed [--iterations I] [--repeat R]
//
// --weak: N chains per rank (weak scaling); otherwise N in all (strong scaling). ring: the 2-D
// mixture of 8 components (examples/data/ring8.json's shape); seed: the seed's MLP 1 → 1024 → 1
// ReLU (random weights; the hinge form, as `langevin demo` samples). Prints one JSON line from
// rank 0: ranks, threads per rank, chains, the median seconds of R runs, chain-steps/s, and with
// --write the write's seconds and bytes/s.
//
// --train: data-parallel training over the ranks (mpi::train, the same model at any rank count),
// timed per iteration: seed is `langevin demo`'s problem (15 000 points of the two modes, MLP
// 1 → 1024 → 1 ReLU, exact loss, full batch: the fused pass; gd at a fixed rate), annealed is
// like `langevin demo --annealed`'s (15 000 points of the ring of 8, 2 → 128 → 128 → 2 SiLU,
// noise-conditional over 12 levels, Adam, mini-batches of 2 048 rows).

#include <langevin/langevin.hpp>
#include <langevin/mpi.hpp>

#include <mpi.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

langevin::GaussianMixture ring() {
  std::vector<double> weights;
  std::vector<std::vector<double>> means, stds;
  for (int k = 0; k < 8; ++k) {
    const double angle = 2.0 * M_PI * k / 8.0;
    weights.push_back(k + 1.0);
    means.push_back({4.0 * std::cos(angle), 4.0 * std::sin(angle)});
    stds.push_back({0.5, 0.5});
  }
  return langevin::GaussianMixture(weights, means, stds);
}

/// The median of the repeats (each the time between two barriers: the slowest rank's).
double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);

  std::string backend = "cpu", target = "ring", write_dir, train;
  std::int64_t iterations = 20;
  std::int64_t chains = 1 << 20, steps = 200;
  int repeat = 5;
  bool weak = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--backend") backend = next();
    else if (a == "--target") target = next();
    else if (a == "--chains") chains = std::atoll(next().c_str());
    else if (a == "--steps") steps = std::atoll(next().c_str());
    else if (a == "--repeat") repeat = std::atoi(next().c_str());
    else if (a == "--weak") weak = true;
    else if (a == "--write") write_dir = next();
    else if (a == "--train") train = next();
    else if (a == "--iterations") iterations = std::atoll(next().c_str());
    else {
      if (rank == 0) std::fprintf(stderr, "mpi_scaling: unknown argument %s\n", a.c_str());
      MPI_Finalize();
      return 2;
    }
  }

  if (!train.empty()) {
    langevin::TrainConfig config;
    config.backend = langevin::parse_backend(backend, "--backend");
    config.iterations = iterations;
    config.seed = 2;
    langevin::Array data;
    if (train == "seed") {
      const langevin::Array left =
          langevin::draw(langevin::GaussianMixture({1.0}, {{-5.0}}, {{3.0}}), 10000, 0);
      const langevin::Array right =
          langevin::draw(langevin::GaussianMixture({1.0}, {{6.0}}, {{1.0}}), 5000, 1);
      std::vector<float> values = left.values();
      values.insert(values.end(), right.values().begin(), right.values().end());
      data = langevin::Array({15000, 1}, values);
      config.optimizer = langevin::Optimizer::Gd;
      config.learning_rate = 1e-3;
    } else {
      data = langevin::draw(ring(), 15000, 0);
      config.hidden = {128, 128};
      config.activation = langevin::Activation::Silu;
      config.loss = langevin::Loss::Ncsn;
      config.sigmas = {4.0, 2.5, 1.6, 1.0, 0.63, 0.4, 0.25, 0.16, 0.1, 0.063, 0.04, 0.025};
      config.batch = 2048;
    }
    try {
      langevin::mpi::train(MPI_COMM_WORLD, data, config);  // warm-up
      std::vector<double> seconds;
      for (int r = 0; r < repeat; ++r) {
        MPI_Barrier(MPI_COMM_WORLD);
        const double start = MPI_Wtime();
        langevin::mpi::train(MPI_COMM_WORLD, data, config);
        MPI_Barrier(MPI_COMM_WORLD);
        seconds.push_back(MPI_Wtime() - start);
      }
      if (rank == 0) {
        const double per_iteration = median(seconds) / static_cast<double>(iterations);
        std::printf("{\"mode\": \"train\", \"target\": \"%s\", \"backend\": \"%s\", "
                    "\"ranks\": %d, \"threads_per_rank\": %d, \"iterations\": %lld, "
                    "\"seconds_per_iteration\": %.6g}\n",
                    train.c_str(), backend.c_str(), ranks, omp_get_max_threads(),
                    static_cast<long long>(iterations), per_iteration);
      }
    } catch (const std::exception& error) {
      if (rank == 0) std::fprintf(stderr, "mpi_scaling: %s\n", error.what());
      MPI_Finalize();
      return 1;
    }
    MPI_Finalize();
    return 0;
  }

  langevin::SamplerConfig config;
  config.chains = weak ? chains * ranks : chains;
  config.steps = steps;
  config.epsilon = target == "seed" ? 1e-3 : 5e-3;
  config.seed = 1;
  config.backend = langevin::parse_backend(backend, "--backend");
  const langevin::Mlp seed_model = langevin::Mlp::random({1, 1024, 1}, langevin::Activation::Relu, 3);

  try {
    langevin::mpi::Sampler sampler =
        target == "seed" ? langevin::mpi::Sampler(MPI_COMM_WORLD, seed_model, config)
                         : langevin::mpi::Sampler(MPI_COMM_WORLD, ring(), config);
    langevin::Array rows = sampler.run();  // warm-up: first touches, GPU context
    std::vector<double> run_seconds, write_seconds;
    for (int r = 0; r < repeat; ++r) {
      MPI_Barrier(MPI_COMM_WORLD);
      const double start = MPI_Wtime();
      rows = sampler.run();
      MPI_Barrier(MPI_COMM_WORLD);
      run_seconds.push_back(MPI_Wtime() - start);
      if (!write_dir.empty()) {
        const std::string path = write_dir + "/mpi_scaling.npy";
        MPI_Barrier(MPI_COMM_WORLD);
        const double write_start = MPI_Wtime();
        langevin::mpi::write_npy(MPI_COMM_WORLD, path, rows, sampler.output_shape(),
                                 sampler.block().first);
        write_seconds.push_back(MPI_Wtime() - write_start);
        if (rank == 0) std::remove(path.c_str());
      }
    }
    if (rank == 0) {
      const double seconds = median(run_seconds);
      const double chain_steps = static_cast<double>(config.chains) * static_cast<double>(steps);
      std::printf("{\"mode\": \"%s\", \"target\": \"%s\", \"backend\": \"%s\", \"ranks\": %d, "
                  "\"threads_per_rank\": %d, \"chains\": %lld, \"steps\": %lld, "
                  "\"seconds\": %.6g, \"chain_steps_per_second\": %.6g",
                  weak ? "weak" : "strong", target.c_str(), backend.c_str(), ranks,
                  omp_get_max_threads(), static_cast<long long>(config.chains),
                  static_cast<long long>(steps), seconds, chain_steps / seconds);
      if (!write_seconds.empty()) {
        const double bytes = 4.0 * static_cast<double>(config.chains) * sampler.dim();
        std::printf(", \"write_seconds\": %.6g, \"write_bytes_per_second\": %.6g",
                    median(write_seconds), bytes / median(write_seconds));
      }
      std::printf("}\n");
    }
  } catch (const std::exception& error) {
    if (rank == 0) std::fprintf(stderr, "mpi_scaling: %s\n", error.what());
    MPI_Finalize();
    return 1;
  }
  MPI_Finalize();
  return 0;
}
