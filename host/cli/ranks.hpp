#pragma once
// The processes one command runs as: this process alone, or the ranks of an MPI launch
// (`mpirun -np P langevin sample …`, docs/SCALING.md). What differs between the two is here:
// ranks_single.cpp (a build without MPI) and ranks_mpi.cpp; the commands are written once, for
// P ranks, of which the single process is the case P = 1.

#include "common.hpp"

#include <langevin/summary.hpp>
#include <langevin/trainer.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace langevin::cli {

/// One run of chains, split over the ranks: each runs its block.
class ChainRun {
 public:
  virtual ~ChainRun() = default;
  /// Runs every rank's chains; this rank's rows of the output.
  virtual Array run() = 0;
  /// This rank's first row of the output.
  virtual std::int64_t first_row() const = 0;
  /// The whole run's output shape.
  virtual std::vector<std::int64_t> output_shape() const = 0;
  virtual Backend backend() const = 0;
  /// The CUDA devices this rank runs on.
  virtual std::vector<int> devices() const = 0;
  virtual std::string score_form() const = 0;
  virtual const std::vector<double>& noise_levels() const = 0;
  /// The whole run's configuration, its defaults made concrete (with_defaults).
  virtual const SamplerConfig& config() const = 0;
  /// MALA: the whole run's acceptance rate.
  virtual double acceptance_rate() = 0;
};

class Ranks {
 public:
  virtual ~Ranks() = default;
  virtual int rank() const = 0;
  virtual int ranks() const = 0;
  /// Whether this process speaks for the job: prints, writes what one process writes.
  bool lead() const { return rank() == 0; }
  /// This rank's share of `rows` rows: a contiguous block, in rank order.
  struct Block {
    std::int64_t first = 0;
    std::int64_t count = 0;
  };
  virtual Block block(std::int64_t rows) const = 0;
  /// Whether the tool was started by an MPI launcher (then JSON says "ranks").
  virtual bool launched() const = 0;
  /// "Open MPI v4.1.4", or why there is none.
  virtual std::string mpi_text() const = 0;
  /// The GPU this rank uses when a command names none: under MPI its node-local rank's
  /// (mpi::node_device, collective: asked of every rank at the same point), −1 for a single
  /// process (the current device, whichever CUDA_VISIBLE_DEVICES made it).
  virtual int node_gpu() const = 0;

  /// Calls `step` here; when it throws on any rank, every rank throws the lowest failing rank's
  /// error (an agreed one: see is_agreed). Every step before a collective one goes through this.
  virtual void agree(const std::function<void()>& step) const = 0;
  /// Whether `error` is the same on every rank (thrown by agree), so that each can end alone.
  virtual bool is_agreed(const std::exception& error) const = 0;
  /// Ends every rank at once after a failure on this one alone (the others may be waiting in
  /// a collective step for it); returns when there are no other ranks.
  virtual void abort_all(int status) const = 0;

  /// The chains of `config` (the whole run's) on `target`, split over the ranks.
  virtual std::unique_ptr<ChainRun> make_run(std::shared_ptr<const ScoreTarget> target,
                                             const SamplerConfig& config) const = 0;
  /// Writes the whole output, of `shape`, from each rank's rows into one file, as one process
  /// writes it: .npy, or HDF5 with the attributes `describe` returns (called on rank 0 alone).
  virtual void write_rows(
      const std::string& path, const std::string& dataset, const Array& rows,
      const std::vector<std::int64_t>& shape, std::int64_t first_row,
      const std::function<Hdf5Attributes(const std::vector<std::int64_t>&)>& describe) const = 0;
  /// Trains on `data` (every rank's the same), data-parallel over the ranks: the same model on
  /// every rank, the one-process model's bits.
  virtual TrainResult train(const Array& data, const TrainConfig& config) const = 0;
  /// The summary of the whole run, on every rank.
  virtual SampleSummary summary(const ScoreSource& source, const SamplerConfig& config,
                                const SummaryOptions& options) const = 0;
};

/// This process alone.
class SingleProcess : public Ranks {
 public:
  int rank() const override { return 0; }
  int ranks() const override { return 1; }
  bool launched() const override { return false; }
  Block block(std::int64_t rows) const override { return {0, rows}; }
  std::string mpi_text() const override;
  int node_gpu() const override { return -1; }
  void agree(const std::function<void()>& step) const override { step(); }
  bool is_agreed(const std::exception&) const override { return true; }
  void abort_all(int) const override {}
  std::unique_ptr<ChainRun> make_run(std::shared_ptr<const ScoreTarget> target,
                                     const SamplerConfig& config) const override;
  void write_rows(
      const std::string& path, const std::string& dataset, const Array& rows,
      const std::vector<std::int64_t>& shape, std::int64_t first_row,
      const std::function<Hdf5Attributes(const std::vector<std::int64_t>&)>& describe)
      const override;
  SampleSummary summary(const ScoreSource& source, const SamplerConfig& config,
                        const SummaryOptions& options) const override;
  TrainResult train(const Array& data, const TrainConfig& config) const override;
};

/// Makes `ranks` the processes of this command (start_ranks's implementations).
void set_ranks(std::unique_ptr<Ranks> ranks);

/// Sets up the processes of this command (MPI_Init when an MPI launcher started the tool).
void start_ranks(int& argc, char**& argv);
/// The processes (this one alone until start_ranks says otherwise).
const Ranks& ranks();
/// Releases them (MPI_Finalize where MPI was started).
void stop_ranks();

}  // namespace langevin::cli
