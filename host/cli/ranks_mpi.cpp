// The ranks of an MPI launch (ranks.hpp): MPI_COMM_WORLD, through the library's MPI layer
// (include/langevin/mpi.hpp). Started only when a launcher started the tool; a plain start runs
// as one process, exactly as a build without MPI does.

#include "ranks.hpp"

#include "array_output.hpp"

#include <langevin/mpi.hpp>

#include <cstdlib>

namespace langevin::cli {
namespace {

/// Whether an MPI launcher started this process: Open MPI's mpirun, Hydra (MPICH, Intel MPI),
/// PMIx (Slurm's srun --mpi=pmix, prterun).
bool started_by_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

class RankRun final : public ChainRun {
 public:
  RankRun(std::shared_ptr<const ScoreTarget> target, const SamplerConfig& config)
      : sampler_(MPI_COMM_WORLD, std::move(target), config) {}
  Array run() override { return sampler_.run(); }
  std::int64_t first_row() const override { return sampler_.block().first; }
  std::vector<std::int64_t> output_shape() const override { return sampler_.output_shape(); }
  Backend backend() const override { return sampler_.backend(); }
  std::vector<int> devices() const override { return sampler_.devices(); }
  std::string score_form() const override { return sampler_.score_form(); }
  const std::vector<double>& noise_levels() const override { return sampler_.noise_levels(); }
  const SamplerConfig& config() const override { return sampler_.config(); }
  double acceptance_rate() override { return sampler_.acceptance_rate(); }

 private:
  mpi::Sampler sampler_;
};

class MpiRanks final : public Ranks {
 public:
  MpiRanks(int& argc, char**& argv) {
    // OpenMP's threads never call MPI: FUNNELED is all the tool needs.
    int provided = 0;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
      throw Error("MPI_Init_thread failed");
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks_);
  }
  ~MpiRanks() override { MPI_Finalize(); }

  int rank() const override { return rank_; }
  int ranks() const override { return ranks_; }
  bool launched() const override { return true; }
  Block block(std::int64_t rows) const override {
    const mpi::Block mine = mpi::block_of(rows, rank_, ranks_);
    return {mine.first, mine.count};
  }
  std::string mpi_text() const override { return mpi::library_version(); }
  int node_gpu() const override { return mpi::node_device(MPI_COMM_WORLD); }
  void agree(const std::function<void()>& step) const override {
    mpi::agree(MPI_COMM_WORLD, step);
  }
  bool is_agreed(const std::exception& error) const override {
    return dynamic_cast<const mpi::Agreed*>(&error) != nullptr;
  }
  void abort_all(int status) const override {
    if (ranks_ > 1) MPI_Abort(MPI_COMM_WORLD, status);
  }

  std::unique_ptr<ChainRun> make_run(std::shared_ptr<const ScoreTarget> target,
                                     const SamplerConfig& config) const override {
    return std::make_unique<RankRun>(std::move(target), config);
  }

  void write_rows(
      const std::string& path, const std::string& dataset, const Array& rows,
      const std::vector<std::int64_t>& shape, std::int64_t first_row,
      const std::function<Hdf5Attributes(const std::vector<std::int64_t>&)>& describe)
      const override {
    if (!is_hdf5_path(path)) {
      mpi::write_npy(MPI_COMM_WORLD, path, rows, shape, first_row);
      return;
    }
    // Rank 0 writes the file's attributes (hashing the inputs takes time: only there).
    Hdf5Attributes attributes;
    agree([&] {
      if (lead()) attributes = describe(shape);
    });
    mpi::write_hdf5(MPI_COMM_WORLD, path, dataset, rows, shape, first_row, attributes);
  }

  TrainResult train(const Array& data, const TrainConfig& config) const override {
    return mpi::train(MPI_COMM_WORLD, data, config);
  }

  SampleSummary summary(const ScoreSource& source, const SamplerConfig& config,
                        const SummaryOptions& options) const override {
    return std::holds_alternative<GaussianMixture>(source)
               ? mpi::sample_summary(MPI_COMM_WORLD, std::get<GaussianMixture>(source), config,
                                     options)
               : mpi::sample_summary(MPI_COMM_WORLD, std::get<Mlp>(source), config, options);
  }

 private:
  int rank_ = 0;
  int ranks_ = 1;
};

}  // namespace

std::string SingleProcess::mpi_text() const {
  return mpi::library_version() + " (not launched by mpirun or srun: one process)";
}

void start_ranks(int& argc, char**& argv) {
  if (started_by_launcher()) set_ranks(std::make_unique<MpiRanks>(argc, argv));
}

}  // namespace langevin::cli
