#pragma once
/// \file
/// GaussianMixture: an analytic target with diagonal covariances, in any dimension. Its score
/// drives the sampler (as a known target, for tests and comparisons); its log-density serves
/// exact samplers and checks.

#include <langevin/array.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace langevin {

class GaussianMixture {
 public:
  /// K components in d dimensions: `weights` (K, positive, normalised here to sum to 1),
  /// `means` and `stds` (K rows of d values; stds positive). Throws InvalidInput naming the
  /// field, index and value of the first thing wrong.
  GaussianMixture(std::vector<double> weights, std::vector<std::vector<double>> means,
                  std::vector<std::vector<double>> stds);

  /// Parses the JSON of docs/FORMATS.md; `source` names the input in error messages.
  static GaussianMixture from_json(const std::string& text, const std::string& source = "mixture");

  int dim() const { return dim_; }
  int components() const { return static_cast<int>(weights_.size()); }
  const std::vector<double>& weights() const { return weights_; }
  const std::vector<std::vector<double>>& means() const { return means_; }
  const std::vector<std::vector<double>>& stds() const { return stds_; }

  /// The mixture convolved with N(0, σ² I), i.e. the law of x + σz: stds become √(std² + σ²).
  GaussianMixture convolved(double sigma) const;

  /// The parameter block the device code reads (device::gmm_view): log-normalisers, means,
  /// inverse standard deviations, as float32.
  std::vector<float> packed() const;

  /// log p at each row of `points` (N, d), computed on the CPU in float32 like the sampler.
  Array log_density(const Array& points) const;

 private:
  int dim_ = 0;
  std::vector<double> weights_;
  std::vector<std::vector<double>> means_;
  std::vector<std::vector<double>> stds_;
};

/// `count` exact draws from the mixture, (count, d): row i picks its component and its normals
/// from Philox subsequence i under `seed`, so any row is reproducible on its own.
Array draw(const GaussianMixture& mixture, std::int64_t count, std::uint64_t seed);

/// Reads a mixture from a JSON file (docs/FORMATS.md).
GaussianMixture load_gmm(const std::string& path);

}  // namespace langevin
