#pragma once
// The driver (docs/DEVELOPING.md: targets, runners, the driver): one run of a score target's
// chains, cut into parts — a contiguous block of chains on each runner (devices) — and in time
// into segments (checkpoints) and progress slices; divergence, MALA's acceptance and the
// checkpoints' state gathered over the parts in a fixed order. A chain's result depends only on
// its global index, so every cut gives the uncut run's bits (tests/split_test.cpp holds them to
// it).

#include "run/runner.hpp"

#include <langevin/device/chain.hpp>
#include <langevin/sampler.hpp>
#include <langevin/target.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace langevin::detail {

/// The kernel-level description of a validated run, with null input and output pointers: what
/// the driver fills in for each part. `sigmas` are the annealing levels (empty: none).
device::ChainConfig chain_config(const SamplerConfig& config, int dim,
                                 const std::vector<double>& sigmas);

/// `chains` cut into `parts` contiguous blocks as even as whole chains allow, in order:
/// (first chain, count) of each.
std::vector<std::pair<std::int64_t, std::int64_t>> split_chains(std::int64_t chains, int parts);

/// The error a diverged run of `config` throws: "N of M chains diverged …, the first after update
/// K of U: the step size epsilon = E is too large …" (or pc's snr; the MPI layer words a run over
/// ranks alike).
std::string divergence_message(const Divergence& diverged, const SamplerConfig& config,
                               std::int64_t updates);

class Driver {
 public:
  /// `config` validated for `target`, whose noise levels for it are `levels`; the chains split
  /// over `runners` in order (split_chains), the target loaded onto each.
  Driver(const ScoreTarget& target, const SamplerConfig& config, std::vector<double> levels,
         std::vector<std::unique_ptr<Runner>> runners);
  ~Driver();

  const std::vector<std::unique_ptr<Runner>>& runners() const { return runners_; }

  /// Throws InvalidInput naming the chains when run()'s output (and what it keeps beside it) is
  /// larger than the host's memory or a GPU part's than its device's: before allocating it.
  void require_memory() const;
  /// The same for run_on_runner() on its one runner.
  void require_runner_memory() const;

  /// Runs every chain into `out`, output_shape() floats on the host.
  void run(float* out);
  /// Runs every chain into `out`, memory of the one runner there is (a GPU's), on `stream`.
  void run_on_runner(float* out, Stream stream);

  /// The last run's diverged chains, over all parts (waits for it).
  Divergence divergence();
  /// Throws Error "N of M chains diverged …" when any did.
  void check_divergence();
  /// MALA: the last run's accepted proposals over all proposals (NaN for ULA, or before a run).
  double acceptance_rate();

 private:
  struct Part;

  std::int64_t per_chain_output() const;
  float* rows_on_runner(Part& part, Array& rows, RunnerBuffer<float>& buffer, bool upload);
  double state_floats() const;
  void start_run();
  void run_segments(bool host_output);
  void run_slices(const device::ChainConfig& segment, std::int64_t begin_update,
                  std::int64_t end_update);
  void after_segment(std::int64_t update, bool host_output);
  std::uint64_t segment_accepted();

  SamplerConfig config_;
  int dim_ = 0;
  std::vector<double> levels_;
  std::vector<std::unique_ptr<Runner>> runners_;
  std::vector<Part> parts_;
  Array states_;                     // every chain's state between segments, on the host
  Array velocities_;                 // underdamped Langevin: their velocities, likewise
  float* host_out_ = nullptr;        // the run's output on the host (run(); null otherwise)
  float* runner_out_ = nullptr;      // the run's output on its one runner (run_on_runner())
  std::vector<float> trajectory_;    // run_on_runner(): the trajectory so far, for checkpoints
  std::uint64_t accepted_before_ = 0;  // MALA: accepted in earlier segments (and the resumed run)
  bool ran_ = false;
};

}  // namespace langevin::detail
