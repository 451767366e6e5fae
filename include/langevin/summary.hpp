#pragma once
/// \file
/// Running statistics of samples: per coordinate the count, mean, variance, extremes and a
/// histogram, merged chunk by chunk, so that runs of 10⁸ chains (or long trajectories) are
/// summarised without storing their states.
///
///   langevin::SamplerConfig config;
///   config.chains = 100000000;
///   langevin::SummaryOptions options;
///   options.histogram = {200, -12.0, 10.0};
///   langevin::SampleSummary s = langevin::sample_summary(target, config, options);
///   // s.mean[0], s.variance()[0], s.counts …

#include <langevin/array.hpp>
#include <langevin/backend.hpp>
#include <langevin/gmm.hpp>
#include <langevin/mlp.hpp>
#include <langevin/sampler.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace langevin {

/// `bins` equal bins over [low, high) per coordinate; 0 bins: no histogram.
struct HistogramSpec {
  int bins = 0;
  double low = 0.0;
  double high = 0.0;
};

/// Throws InvalidInput naming `field` unless the spec is no histogram, or 1 … 10⁶ bins over a
/// finite range with low < high.
void validate(const HistogramSpec& histogram, const std::string& field = "histogram");

/// Statistics of `count` rows of `dim` values. Counts, extremes and histograms are exact; means
/// and M2 are accumulated in double (per block, then merged), so that a summary does not depend
/// on the thread count, and chunked summaries agree with a whole one to double rounding.
struct SampleSummary {
  int dim = 0;
  std::int64_t count = 0;          // rows
  std::vector<double> mean;        // per coordinate
  std::vector<double> m2;          // per coordinate: Σ (x − mean)²
  std::vector<double> min, max;    // per coordinate
  HistogramSpec histogram;
  /// dim × (bins + 2): per coordinate, [values below low, bin 0, …, bin bins−1, values ≥ high].
  std::vector<std::uint64_t> counts;

  /// Unbiased: m2 / (count − 1) (NaN for fewer than two rows).
  std::vector<double> variance() const;
  /// Coordinate j's counts: bins + 2 values, underflow first and overflow last.
  const std::uint64_t* histogram_of(int j) const {
    return counts.data() + static_cast<std::size_t>(j) * (histogram.bins + 2);
  }
  /// Adds `other` (same dim and histogram spec; an empty summary adopts other's): the pairwise
  /// update of Chan, Golub and LeVeque for the means and M2.
  void merge(const SampleSummary& other);
};

/// An empty summary of d-dimensional rows (count 0) with the given histogram.
SampleSummary empty_summary(int dim, const HistogramSpec& histogram = {});

/// The summary of the rows of `rows`: (N, d), (N,) as (N, 1), or a trajectory (N, T, d) as
/// (N·T, d). Throws InvalidInput if it is empty or holds NaN/Inf.
SampleSummary summarize(const Array& rows, const HistogramSpec& histogram = {});

/// The same on the GPU for `count` rows of `dim` floats, row-major, already there (Thrust
/// reductions and a histogram kernel on `stream`; waits for them). Bins as on the CPU; means and
/// M2 differ from the CPU's by double rounding (another summation order).
SampleSummary summarize_on_device(const float* rows, std::int64_t count, int dim,
                                  const HistogramSpec& histogram = {}, Stream stream = nullptr);

struct SummaryOptions {
  HistogramSpec histogram;
  /// Chains per chunk; 0: as many as keep one chunk's output within 1 GiB on the GPU, 256 MiB on
  /// the CPU (whole chunks fill the GPU many times over for d ≤ 64).
  std::int64_t chunk_chains = 0;
};

/// Runs `config`'s chains in chunks of consecutive global chain indices and summarises each
/// chunk's output (final states, or every kept state of a trajectory) before running the next:
/// memory holds one chunk, whatever the chain count. The chains are those of one whole run
/// (bit-identical states, since a chain depends on its global index only). Progress is reported
/// across chunks. Checkpointing does not combine with it (InvalidInput); diverged chains throw
/// Error as in Sampler::run.
SampleSummary sample_summary(const GaussianMixture& target, const SamplerConfig& config,
                             const SummaryOptions& options = {});
SampleSummary sample_summary(const Mlp& model, const SamplerConfig& config,
                             const SummaryOptions& options = {});

/// The chains one chunk holds for these options (a chunk's output stays within the limit).
std::int64_t summary_chunk_chains(const SummaryOptions& options, Backend backend,
                                  std::int64_t floats_per_chain, std::int64_t chains);

/// The summary as JSON: count, dim, mean, variance, std, min, max and, with a histogram, its
/// spec and per-coordinate counts (docs/FORMATS.md).
std::string to_json(const SampleSummary& summary);

}  // namespace langevin
