// Comparisons beyond one coordinate at a time: the sliced Wasserstein distance, and the weights
// of a mixture's components by most likely component (include/langevin/stats.hpp).

#include "dispatch.hpp"
#include "stats_detail.hpp"
#include "run/views.hpp"

#include <langevin/device/gmm.hpp>
#include <langevin/device/normal_stream.hpp>
#include <langevin/error.hpp>
#include <langevin/stats.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace langevin {
namespace {

std::vector<float> project(const Array& points, const std::vector<double>& direction) {
  const std::int64_t n = points.dim(0);
  const int d = static_cast<int>(points.dim(1));
  std::vector<float> values(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    double v = 0.0;
    for (int j = 0; j < d; ++j) v += direction[j] * points[i * d + j];
    values[static_cast<std::size_t>(i)] = static_cast<float>(v);
  }
  std::sort(values.begin(), values.end());
  return values;
}

}  // namespace

double sliced_wasserstein(const Array& a, const Array& b, int projections, std::uint64_t seed) {
  if (a.rank() != 2 || b.rank() != 2 || a.dim(1) != b.dim(1)) {
    throw InvalidInput("sliced Wasserstein: the sets must be (N, d) of the same d, got " +
                       a.shape_string() + " and " + b.shape_string());
  }
  if (projections < 1) {
    throw InvalidInput("projections = " + std::to_string(projections) + ": must be at least 1");
  }
  const int d = static_cast<int>(a.dim(1));
  // One distance per projection, summed in order afterwards: the result must not depend on the
  // threads' schedule (a reduction clause would add in whatever order they finish).
  std::vector<double> distances(static_cast<std::size_t>(projections));
#pragma omp parallel for schedule(dynamic)
  for (int p = 0; p < projections; ++p) {
    // Direction p: d normals of Philox subsequence p, normalised (uniform on the sphere).
    std::vector<double> direction(static_cast<std::size_t>(d));
    device::NormalStream normals(seed, static_cast<unsigned long long>(p), 1, 0);
    double norm = 0.0;
    for (double& u : direction) {
      float z;
      normals.draw<1>(&z, 1);
      u = z;
      norm += u * u;
    }
    for (double& u : direction) u /= std::sqrt(norm);
    distances[static_cast<std::size_t>(p)] =
        detail::sorted_wasserstein1(project(a, direction), project(b, direction));
  }
  double total = 0.0;
  for (double distance : distances) total += distance;
  return total / projections;
}

std::vector<double> component_weights(const Array& points, const GaussianMixture& mixture) {
  const int d = mixture.dim();
  if (points.rank() != 2 || points.dim(1) != d) {
    throw InvalidInput("points of shape " + points.shape_string() + " for a mixture in " +
                       std::to_string(d) + " dimensions");
  }
  const int k_count = mixture.components();
  const std::vector<float> packed = mixture.packed();
  const device::GmmView view = detail::gmm_view(mixture, packed.data());
  const std::int64_t n = points.dim(0);
  std::vector<std::int64_t> counts(static_cast<std::size_t>(k_count), 0);
#pragma omp parallel
  {
    std::vector<std::int64_t> local(static_cast<std::size_t>(k_count), 0);
#pragma omp for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) {
      // The most likely component: largest log w_k + log N_k(x), each from a one-component view.
      int best = 0;
      double best_term = -INFINITY;
      for (int k = 0; k < k_count; ++k) {
        device::GmmView one = view;
        one.components = 1;
        one.log_norm = view.log_norm + k;
        one.means = view.means + static_cast<std::int64_t>(k) * d;
        one.inv_stds = view.inv_stds + static_cast<std::int64_t>(k) * d;
        const double term = detail::with_max_dim(d, [&](auto max_dim) {
          return device::gmm_log_density<max_dim(), float>(one, points.data() + i * d,
                                                          static_cast<float*>(nullptr));
        });
        if (term > best_term) {
          best_term = term;
          best = k;
        }
      }
      ++local[static_cast<std::size_t>(best)];
    }
#pragma omp critical
    for (int k = 0; k < k_count; ++k) counts[static_cast<std::size_t>(k)] += local[static_cast<std::size_t>(k)];
  }
  std::vector<double> weights(static_cast<std::size_t>(k_count));
  for (int k = 0; k < k_count; ++k) {
    weights[static_cast<std::size_t>(k)] = static_cast<double>(counts[static_cast<std::size_t>(k)]) / n;
  }
  return weights;
}

}  // namespace langevin
