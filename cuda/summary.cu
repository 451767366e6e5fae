// Running statistics of samples on the GPU (include/langevin/summary.hpp): per coordinate, a
// Thrust reduction of (count, mean, M2, min, max) with the pairwise merge of summary_detail.hpp,
// and a histogram kernel whose blocks count in shared memory when the bins fit there. Values that
// are not finite are counted and refused, as on the CPU.

#include <langevin/device/cuda_check.hpp>
#include <langevin/device_buffer.hpp>
#include <langevin/error.hpp>
#include <langevin/summary.hpp>
#include "summary_detail.hpp"
#include "thrust_scratch.cuh"

#include <thrust/execution_policy.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/system_error.h>
#include <thrust/transform_reduce.h>

#include <cmath>
#include <string>
#include <vector>

namespace langevin {
namespace {

using detail::BinRule;
using detail::Moments;

/// Coordinate `column` of row i as the moments of one value.
struct ValueMoments {
  const float* rows;
  int dim;
  int column;
  __device__ Moments operator()(std::int64_t i) const {
    const double x = rows[i * dim + column];
    return Moments{1.0, x, 0.0, x, x};
  }
};

struct MergeMoments {
  __device__ Moments operator()(const Moments& a, const Moments& b) const {
    return detail::merge_moments(a, b);
  }
};

/// Up to this many slots (dim × (bins + 2)) a block counts in shared memory and adds its counts
/// to the global ones once; beyond, every value is one global atomic add.
constexpr int kSharedSlots = 8192;

/// Slots of every value: counts[j·(bins + 2) + slot]; non-finite values go to *non_finite.
__global__ void histogram_kernel(const float* rows, std::int64_t values, int dim, BinRule rule,
                                 unsigned long long* counts, unsigned long long* non_finite) {
  extern __shared__ unsigned int shared_counts[];
  // 64-bit: dim × (bins + 2) passes 2³¹ at d ≈ 2 100 with 10⁶ bins.
  const std::int64_t slots_per_column = rule.bins + 2;
  const std::int64_t slots = dim * slots_per_column;
  const bool shared = slots <= kSharedSlots;
  if (shared) {
    for (int s = threadIdx.x; s < slots; s += blockDim.x) shared_counts[s] = 0;
    __syncthreads();
  }
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
       i < values; i += stride) {
    const float x = rows[i];
    if (!isfinite(x)) {
      atomicAdd(non_finite, 1ull);
      continue;
    }
    const std::int64_t slot = (i % dim) * slots_per_column + rule.slot(x);
    if (shared) {
      atomicAdd(&shared_counts[slot], 1u);
    } else {
      atomicAdd(&counts[slot], 1ull);
    }
  }
  if (shared) {
    __syncthreads();
    for (int s = threadIdx.x; s < slots; s += blockDim.x) {
      if (shared_counts[s] != 0) atomicAdd(&counts[s], static_cast<unsigned long long>(shared_counts[s]));
    }
  }
}

SampleSummary summarize_columns(const float* rows, std::int64_t count, int dim,
                                const HistogramSpec& histogram, Stream stream) {
  SampleSummary s = empty_summary(dim, histogram);
  s.count = count;
  detail::ThrustScratch scratch;
  const auto policy = thrust::cuda::par(scratch).on(stream);

  // Every value's slot: a histogram with 0 bins still counts below/inside/above, which finds the
  // non-finite values in one pass.
  const BinRule rule{histogram.low,
                     histogram.bins > 0 ? histogram.bins / (histogram.high - histogram.low) : 0.0,
                     histogram.bins};
  const std::int64_t slots = static_cast<std::int64_t>(dim) * (histogram.bins + 2);
  DeviceBuffer<unsigned long long> device_counts(static_cast<std::size_t>(slots) + 1);
  LANGEVIN_CUDA_CHECK(cudaMemsetAsync(device_counts.data(), 0,
                                      device_counts.size() * sizeof(unsigned long long), stream));
  const std::int64_t values = count * dim;
  int device = 0, sms = 0;
  LANGEVIN_CUDA_CHECK(cudaGetDevice(&device));
  LANGEVIN_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  const int threads = 256;
  const std::int64_t wanted_blocks = (values + threads - 1) / threads;
  const int blocks = static_cast<int>(std::min<std::int64_t>(wanted_blocks, 8LL * sms));
  const std::size_t shared_bytes = slots <= kSharedSlots ? sizeof(unsigned int) * slots : 0;
  histogram_kernel<<<blocks, threads, shared_bytes, stream>>>(
      rows, values, dim, rule, device_counts.data(), device_counts.data() + slots);
  LANGEVIN_CUDA_CHECK_LAUNCH("histogram_kernel");
  std::vector<unsigned long long> host_counts(device_counts.size());
  device_counts.download(host_counts.data(), host_counts.size(), stream);
  if (host_counts.back() > 0) {
    throw InvalidInput("samples: " + std::to_string(host_counts.back()) +
                       " values are NaN or infinite; they must be finite");
  }
  if (histogram.bins > 0) s.counts.assign(host_counts.begin(), host_counts.end() - 1);

  for (int j = 0; j < dim; ++j) {
    const Moments m = thrust::transform_reduce(
        policy, thrust::counting_iterator<std::int64_t>(0),
        thrust::counting_iterator<std::int64_t>(count), ValueMoments{rows, dim, j}, Moments{},
        MergeMoments{});
    s.mean[j] = m.mean;
    s.m2[j] = m.m2;
    s.min[j] = m.min;
    s.max[j] = m.max;
  }
  return s;
}

}  // namespace

SampleSummary summarize_on_device(const float* rows, std::int64_t count, int dim,
                                  const HistogramSpec& histogram, Stream stream) {
  validate(histogram);
  if (rows == nullptr) throw InvalidInput("samples: null device pointer");
  if (count < 1) throw InvalidInput("samples: count = " + std::to_string(count) + ": must be at least 1");
  if (dim < 1) throw InvalidInput("dim = " + std::to_string(dim) + ": must be at least 1");
  try {
    return summarize_columns(rows, count, dim, histogram, stream);
  } catch (const thrust::system_error& e) {
    // Thrust reports CUDA failures with its own exception: make it the library's Error.
    throw Error(std::string("summary on the GPU: ") + e.what());
  }
}

}  // namespace langevin
