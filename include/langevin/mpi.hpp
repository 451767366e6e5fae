#pragma once
/// \file
/// One run across the ranks of an MPI communicator: link Langevin::langevin_mpi (pkg-config
/// langevin-mpi). The caller owns MPI: it initialises and finalises it and passes the
/// communicator, which the library duplicates for its own messages. Every function here is
/// collective over the communicator (every rank calls it, in the same order), and a failure on
/// any rank is an error on every rank (agree()), so that no rank waits for one that has left.
///
///   MPI_Init(&argc, &argv);
///   langevin::SamplerConfig config;
///   config.chains = 100000000;                                   // all ranks together
///   langevin::mpi::Sampler sampler(MPI_COMM_WORLD, target, config);
///   langevin::Array rows = sampler.run();                        // this rank's block of chains
///   langevin::mpi::write_npy(MPI_COMM_WORLD, "x.npy", rows, sampler.output_shape(),
///                            sampler.block().first);             // one file, as one process
///
/// The chains are split over the ranks in contiguous blocks in rank order, and a chain's result
/// depends only on its global index: the rows, the files and the statistics are those of the
/// same run in one process, whatever the rank count.

#include <langevin/array.hpp>
#include <langevin/error.hpp>
#include <langevin/gmm.hpp>
#include <langevin/io.hpp>
#include <langevin/mlp.hpp>
#include <langevin/sampler.hpp>
#include <langevin/summary.hpp>
#include <langevin/trainer.hpp>

#include <mpi.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace langevin {

class ScoreTarget;

namespace mpi {

/// What agree() throws: the same failure on every rank. The CLI tells these from a failure of
/// one rank alone (which it ends with MPI_Abort, since the other ranks may be waiting for it).
class Agreed {
 public:
  virtual ~Agreed() = default;
};
class AgreedError : public Error, public Agreed {
 public:
  using Error::Error;
};
class AgreedInvalidInput : public InvalidInput, public Agreed {
 public:
  using InvalidInput::InvalidInput;
};

/// Calls `step` on this rank, then agrees on the outcome: when it threw on any rank, every rank
/// throws the failure of the lowest rank that failed (AgreedInvalidInput for an InvalidInput,
/// AgreedError otherwise); its message starts "rank R of P: " unless every rank failed alike.
/// Throws InvalidInput when MPI is not initialised.
void agree(MPI_Comm comm, const std::function<void()>& step);

/// Rank `rank` of `ranks`' share of `chains`: contiguous blocks in rank order, as even as whole
/// chains allow (the first chains % ranks blocks one chain longer).
struct Block {
  std::int64_t first = 0;  // its first row of the run's output (first_chain not added)
  std::int64_t count = 0;
};
Block block_of(std::int64_t chains, int rank, int ranks);

/// This rank's index among the ranks on its node (MPI_COMM_TYPE_SHARED), and their number.
struct NodeRank {
  int rank = 0;
  int ranks = 1;
};
NodeRank node_rank(MPI_Comm comm);

/// The GPU a rank runs on when its configuration names none: its node-local rank modulo the
/// node's visible GPUs (−1 without a GPU).
int node_device(MPI_Comm comm);

/// Text naming the MPI library this build links (MPI_Get_library_version's first line).
std::string library_version();

/// A sampler whose chains are split over the ranks of `comm`. `config` is the whole run's, the
/// same on every rank: chains counts all ranks' chains, first_chain is the run's first; given
/// init_states are the whole run's (chains, d) array (each rank uses its rows). On the cuda
/// backend a rank runs on config.device (or config.devices), else on node_device(). A rank
/// whose block is empty (fewer chains than ranks) runs nothing.
///
/// Checkpoints are the whole run's: with checkpoint_every, rank 0's on_checkpoint gets, after
/// each segment but the last, the state of every chain (the ranks' rows gathered in rank order)
/// and the run's accepted proposals; its outcome (a failed write) is every rank's. Given as
/// resume on every rank, such a checkpoint continues the run at any rank count (each rank takes
/// its rows), bit-identical to the uninterrupted run. Both need a chain a rank at least.
class Sampler {
 public:
  Sampler(MPI_Comm comm, const GaussianMixture& target, SamplerConfig config);
  Sampler(MPI_Comm comm, const Mlp& model, SamplerConfig config);
  Sampler(MPI_Comm comm, std::shared_ptr<const ScoreTarget> target, SamplerConfig config);
  ~Sampler();
  Sampler(Sampler&&) noexcept;
  Sampler& operator=(Sampler&&) noexcept;

  int rank() const;
  int ranks() const;
  /// This rank's rows of the output.
  Block block() const;
  /// The whole run's output shape: (chains, d), or (chains, kept, d).
  std::vector<std::int64_t> output_shape() const;
  int dim() const;
  Backend backend() const;
  /// The CUDA devices this rank runs on (empty on the CPU).
  std::vector<int> devices() const;
  std::string score_form() const;
  /// The whole run's configuration, its defaults made concrete (with_defaults).
  const SamplerConfig& config() const;
  const std::vector<double>& noise_levels() const;

  /// Runs every rank's chains; returns this rank's rows of the output (block().count of them).
  /// When chains diverged on any rank, every rank throws AgreedError with the whole run's
  /// count and first update, as Sampler::run words it.
  Array run();
  /// MALA: the whole run's accepted proposals over all its proposals (NaN for ULA, or before a
  /// run); the same on every rank.
  double acceptance_rate() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Writes the rows [first_row, first_row + rows.dim(0)) of an array of `shape` (C order, rows
/// along its first axis) that this rank holds into one .npy file at `path`, byte for byte the
/// file write_npy writes for the whole array: the header from rank 0, every rank's rows through
/// MPI-IO's collective writes, into a temporary name that rank 0 renames once every rank's
/// write succeeded. The ranks' rows must tile the array in rank order.
void write_npy(MPI_Comm comm, const std::string& path, const Array& rows,
               const std::vector<std::int64_t>& shape, std::int64_t first_row);

/// The same as an HDF5 file: byte for byte the file write_hdf5 writes for the whole array as
/// `dataset` with `attributes` (rank 0's; the other ranks' are not used). Rank 0 writes the
/// file's structure and attributes with the serial HDF5 library, the dataset's space allocated
/// and contiguous; every rank writes its rows into it through MPI-IO, as for write_npy.
void write_hdf5(MPI_Comm comm, const std::string& path, const std::string& dataset,
                const Array& rows, const std::vector<std::int64_t>& shape, std::int64_t first_row,
                const Hdf5Attributes& attributes = {});

/// The whole array on rank `root` (other ranks get an empty array), gathered from every rank's
/// rows in rank order; `shape` as for write_npy. For small outputs (an HDF5 file written by one
/// rank): the root holds it all.
Array gather(MPI_Comm comm, const Array& rows, const std::vector<std::int64_t>& shape,
             int root = 0);

/// The summary of the whole run on every rank: each rank summarises its block of chains
/// (sample_summary), and the blocks' summaries are merged in rank order. Counts, extremes and
/// histograms equal the one-process run's; means and M2 agree with it to double rounding.
SampleSummary sample_summary(MPI_Comm comm, const GaussianMixture& target,
                             const SamplerConfig& config, const SummaryOptions& options = {});
SampleSummary sample_summary(MPI_Comm comm, const Mlp& model, const SamplerConfig& config,
                             const SummaryOptions& options = {});

/// Trains on `data` (every rank's the same) over the ranks of `comm`, data-parallel: each
/// evaluation's partial sums (fixed blocks of rows, or accumulation slots of chunks: fixed by the
/// data, not by the rank count) are split over the ranks, every rank gets all of them and folds
/// them in their fixed order, and so takes the same step: the model, on every rank, is
/// train(data, initial, config)'s bit for bit, for any rank count. on_step runs on every rank.
/// On the cpu backend (the GPU's passes do not share their partial sums yet: with more than one
/// rank, cuda is refused; auto means cpu here, at any rank count). Ranks beyond the number of
/// partial sums (16 slots, or a block per 512 rows) have nothing to compute.
TrainResult train(MPI_Comm comm, const Array& data, const Mlp& initial, const TrainConfig& config);
/// The same from initial_model(d, config).
TrainResult train(MPI_Comm comm, const Array& data, const TrainConfig& config);

}  // namespace mpi
}  // namespace langevin
