// Implementation of include/langevin/stats.hpp on the GPU (Thrust): the same steps as the CPU
// version in host/stats.cpp, per coordinate: gather the column, check it, moments, sort, then the
// ECDF distances from the merged sorted sets. Every value stays a float32, sums are in double.

#include <langevin/device/cuda_check.hpp>
#include <langevin/device_buffer.hpp>
#include <langevin/error.hpp>
#include "stats_detail.hpp"
#include "thrust_scratch.cuh"

#include <langevin/stats.hpp>

#include <thrust/count.h>
#include <thrust/execution_policy.h>
#include <thrust/find.h>
#include <thrust/functional.h>
#include <thrust/iterator/constant_iterator.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/merge.h>
#include <thrust/scan.h>
#include <thrust/sort.h>
#include <thrust/system_error.h>
#include <thrust/transform.h>
#include <thrust/transform_reduce.h>

#include <cmath>
#include <map>
#include <sstream>
#include <string>

namespace langevin {
namespace {

/// A sample set on the GPU as rows of `dim` floats.
struct DeviceRows {
  const float* data = nullptr;
  std::int64_t count = 0;
  int dim = 0;
};

struct StridedColumn {
  const float* data;
  int dim;
  int coordinate;
  __device__ float operator()(long long row) const { return data[row * dim + coordinate]; }
};

struct IsNotFinite {
  __device__ bool operator()(float value) const { return !isfinite(value); }
};

struct ToDouble {
  __device__ double operator()(float value) const { return value; }
};

struct SquaredDeviation {
  double mean;
  __device__ double operator()(float value) const {
    const double deviation = static_cast<double>(value) - mean;
    return deviation * deviation;
  }
};

struct IsAbove {
  double split;
  __device__ bool operator()(float value) const { return static_cast<double>(value) > split; }
};

template <class Policy>
DeviceBuffer<float> gather_column(Policy policy, const DeviceRows& rows, int coordinate) {
  DeviceBuffer<float> values(static_cast<std::size_t>(rows.count));
  const thrust::counting_iterator<long long> first_row(0);
  thrust::transform(policy, first_row, first_row + rows.count, values.data(),
                    StridedColumn{rows.data, rows.dim, coordinate});
  return values;
}

std::string value_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

/// NaN or ±Inf would make the sort and every statistic meaningless: name the first one.
template <class Policy>
void require_finite(Policy policy, const DeviceBuffer<float>& column, int coordinate,
                    const char* set) {
  const float* first = column.data();
  const float* last = first + column.size();
  const float* bad = thrust::find_if(policy, first, last, IsNotFinite{});
  if (bad == last) return;
  float value = 0.0f;
  LANGEVIN_CUDA_CHECK(cudaMemcpy(&value, bad, sizeof value, cudaMemcpyDeviceToHost));
  throw InvalidInput(std::string(set) + ", row " + std::to_string(bad - first) + ", coordinate " +
                     std::to_string(coordinate) + ": " + value_text(value) + " is not finite");
}

struct Moments {
  double mean = 0.0;
  double std = 0.0;    // unbiased; 0 for a single value (no spread to estimate)
  double above = 0.0;  // fraction of values > split
};

/// Two passes in double as on the CPU: the mean, then squared deviations from it.
template <class Policy>
Moments moments(Policy policy, const DeviceBuffer<float>& column, double split) {
  const float* first = column.data();
  const float* last = first + column.size();
  const double n = static_cast<double>(column.size());
  Moments m;
  m.mean =
      thrust::transform_reduce(policy, first, last, ToDouble{}, 0.0, thrust::plus<double>()) / n;
  const double squares = thrust::transform_reduce(policy, first, last, SquaredDeviation{m.mean},
                                                  0.0, thrust::plus<double>());
  m.std = column.size() > 1 ? std::sqrt(squares / (n - 1.0)) : 0.0;
  m.above = static_cast<double>(thrust::count_if(policy, first, last, IsAbove{split})) / n;
  return m;
}

/// Position k of the merged sorted sets: |F_A − F_B| after merged[k], at the last copy of each
/// distinct value only (between tied copies the gap exists at no x). Same expression as
/// detail::ecdf_gap on the CPU, so the KS distances agree to the last bit.
struct EcdfStep {
  const float* merged;
  const long long* a_through;  // values of A among merged[0 … k]
  long long count_a;
  long long count_b;

  __device__ bool ends_value(long long k) const {
    return k + 1 == count_a + count_b || merged[k] != merged[k + 1];
  }
  __device__ double gap(long long k) const {
    const long long b_through = k + 1 - a_through[k];
    return fabs(static_cast<double>(a_through[k]) / static_cast<double>(count_a) -
                static_cast<double>(b_through) / static_cast<double>(count_b));
  }
};

struct KsTerm {
  EcdfStep step;
  __device__ double operator()(long long k) const { return step.ends_value(k) ? step.gap(k) : 0.0; }
};

/// |F_A − F_B| (x_{k+1} − x_k): the difference is constant between distinct values.
struct WassersteinTerm {
  EcdfStep step;
  __device__ double operator()(long long k) const {
    if (k + 1 == step.count_a + step.count_b || !step.ends_value(k)) return 0.0;
    return step.gap(k) *
           (static_cast<double>(step.merged[k + 1]) - static_cast<double>(step.merged[k]));
  }
};

struct EcdfDistances {
  double ks = 0.0;
  double wasserstein1 = 0.0;
};

/// Merges the sorted sets with a 1 on every value of A, counts the 1s by an inclusive scan, and
/// reduces over the positions of the merged array.
template <class Policy>
EcdfDistances ecdf_distances(Policy policy, const DeviceBuffer<float>& sorted_a,
                             const DeviceBuffer<float>& sorted_b) {
  const long long count_a = static_cast<long long>(sorted_a.size());
  const long long count_b = static_cast<long long>(sorted_b.size());
  const long long total = count_a + count_b;
  DeviceBuffer<float> merged(static_cast<std::size_t>(total));
  DeviceBuffer<long long> a_through(static_cast<std::size_t>(total));
  thrust::merge_by_key(policy, sorted_a.data(), sorted_a.data() + count_a, sorted_b.data(),
                       sorted_b.data() + count_b, thrust::constant_iterator<long long>(1),
                       thrust::constant_iterator<long long>(0), merged.data(), a_through.data());
  thrust::inclusive_scan(policy, a_through.data(), a_through.data() + total, a_through.data());

  const EcdfStep step{merged.data(), a_through.data(), count_a, count_b};
  const thrust::counting_iterator<long long> first(0);
  EcdfDistances distances;
  distances.ks = thrust::transform_reduce(policy, first, first + total, KsTerm{step}, 0.0,
                                          thrust::maximum<double>());
  distances.wasserstein1 = thrust::transform_reduce(
      policy, first, first + total, WassersteinTerm{step}, 0.0, thrust::plus<double>());
  return distances;
}

void require_valid(const float* data, std::int64_t count, const char* set) {
  if (count < 1) {
    throw InvalidInput(std::string(set) + " is empty (" + std::to_string(count) + " rows)");
  }
  if (data == nullptr) throw InvalidInput(std::string(set) + ": null device pointer");
}

Comparison compare_columns(const DeviceRows& a, const DeviceRows& b, double split) {
  Comparison c;
  c.dim = a.dim;
  c.count_a = a.count;
  c.count_b = b.count;
  c.split = split;
  detail::ThrustScratch scratch;
  const auto policy = thrust::cuda::par(scratch);
  for (int coordinate = 0; coordinate < a.dim; ++coordinate) {
    DeviceBuffer<float> column_a = gather_column(policy, a, coordinate);
    DeviceBuffer<float> column_b = gather_column(policy, b, coordinate);
    require_finite(policy, column_a, coordinate, "set A");
    require_finite(policy, column_b, coordinate, "set B");
    const Moments moments_a = moments(policy, column_a, split);
    const Moments moments_b = moments(policy, column_b, split);
    thrust::sort(policy, column_a.data(), column_a.data() + column_a.size());
    thrust::sort(policy, column_b.data(), column_b.data() + column_b.size());
    const EcdfDistances distances = ecdf_distances(policy, column_a, column_b);

    c.ks.push_back(distances.ks);
    c.ks_p_value.push_back(detail::ks_p_value(distances.ks, a.count, b.count));
    c.wasserstein1.push_back(distances.wasserstein1);
    c.mean_a.push_back(moments_a.mean);
    c.std_a.push_back(moments_a.std);
    c.above_a.push_back(moments_a.above);
    c.mean_b.push_back(moments_b.mean);
    c.std_b.push_back(moments_b.std);
    c.above_b.push_back(moments_b.above);
  }
  return c;
}

}  // namespace

Comparison compare_on_device(const float* a, std::int64_t count_a, const float* b,
                             std::int64_t count_b, int dim, double split) {
  require_valid(a, count_a, "set A");
  require_valid(b, count_b, "set B");
  if (dim < 1) throw InvalidInput("dim = " + std::to_string(dim) + ": must be at least 1");
  if (!std::isfinite(split)) {
    throw InvalidInput("split = " + value_text(split) + ": must be finite");
  }
  try {
    return compare_columns(DeviceRows{a, count_a, dim}, DeviceRows{b, count_b, dim}, split);
  } catch (const thrust::system_error& e) {
    // Thrust reports CUDA failures with its own exception: make it the library's Error.
    throw Error(std::string("compare on the GPU: ") + e.what());
  }
}

}  // namespace langevin
