#pragma once
/// \file
/// Comparing two sets of samples (the `langevin compare` command, the demo's table): per
/// coordinate two-sample Kolmogorov–Smirnov distance, Wasserstein-1 distance, means, standard
/// deviations, and the weight of the mass above a split. Sorting and reductions run on the GPU
/// (Thrust) when the samples live there, on the CPU otherwise.

#include <langevin/array.hpp>
#include <langevin/backend.hpp>
#include <langevin/gmm.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace langevin {

/// Per-coordinate summary of two sample sets A and B of the same dimension d.
struct Comparison {
  int dim = 0;
  std::int64_t count_a = 0;
  std::int64_t count_b = 0;
  std::vector<double> ks;            // sup |F_A − F_B| per coordinate
  std::vector<double> ks_p_value;    // asymptotic p-value of ks (Kolmogorov's limit law)
  std::vector<double> wasserstein1;  // ∫ |F_A − F_B| per coordinate
  std::vector<double> mean_a, mean_b, std_a, std_b;
  double split = 0.0;                // the threshold for the mode weights
  std::vector<double> above_a, above_b;  // fraction of values > split, per coordinate

  // d ≥ 2: the mean over random unit directions u of W1(uᵀA, uᵀB) (NaN for d = 1).
  double sliced_wasserstein = 0.0;
  // With a mixture: the fraction of points whose most likely component is k, and the weights.
  std::vector<double> component_weights_a, component_weights_b, component_weights_true;
};

struct CompareOptions {
  double split = 1.5;  // the seed's two modes (−5 and 6) are separated here
  Backend backend = Backend::Auto;
  const GaussianMixture* mixture = nullptr;  // for the component weights (optional)
  int projections = 128;                      // sliced Wasserstein directions (d ≥ 2)
  std::uint64_t seed = 0;                     // of the directions
};

/// Mean W1 distance of the sets' projections on `projections` random unit directions (Philox,
/// `seed`): a distance between d-dimensional distributions that is cheap to estimate.
double sliced_wasserstein(const Array& a, const Array& b, int projections, std::uint64_t seed);

/// For each component k of `mixture`, the fraction of the rows of `points` whose most likely
/// component (largest w_k N_k(x)) is k.
std::vector<double> component_weights(const Array& points, const GaussianMixture& mixture);

/// Compares the rows of `a` (N_a, d) with those of `b` (N_b, d); (N,) arrays count as (N, 1) and
/// (N, T, d) trajectories as (N·T, d). Throws InvalidInput if the dimensions differ or a set is
/// empty or holds NaN/Inf.
Comparison compare(const Array& a, const Array& b, const CompareOptions& options = {});

/// Same on samples already on the GPU: `a` holds count_a × dim floats, `b` count_b × dim, row-major.
Comparison compare_on_device(const float* a, std::int64_t count_a, const float* b,
                             std::int64_t count_b, int dim, double split = 1.5);

/// Writes an SVG plot of the empirical CDFs of coordinate `coordinate` of `a` and `b` (no Python
/// needed), atomically. Labels name the two curves in the legend.
void write_ecdf_svg(const std::string& path, const Array& a, const Array& b,
                    const std::string& label_a, const std::string& label_b, int coordinate = 0);

/// Writes an SVG scatter plot of two 2-D point sets (N, 2), at most a few thousand points of each
/// (evenly strided), atomically.
void write_scatter_svg(const std::string& path, const Array& a, const Array& b,
                       const std::string& label_a, const std::string& label_b);

/// The comparison as JSON (for --json).
std::string to_json(const Comparison& comparison);

}  // namespace langevin
