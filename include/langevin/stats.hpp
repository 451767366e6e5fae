#pragma once
/// \file
/// Comparing two sets of samples (the `langevin compare` command, the demo's table): per
/// coordinate two-sample Kolmogorov–Smirnov distance, Wasserstein-1 distance, means, standard
/// deviations, and the weight of the mass above a split. Sorting and reductions run on the GPU
/// (Thrust) when the samples live there, on the CPU otherwise.

#include <langevin/array.hpp>
#include <langevin/backend.hpp>

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
};

struct CompareOptions {
  double split = 1.5;  // the seed's two modes (−5 and 6) are separated here
  Backend backend = Backend::Auto;
};

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

/// The comparison as JSON (for --json).
std::string to_json(const Comparison& comparison);

}  // namespace langevin
