#pragma once
// The exact score-matching loss of a one-hidden-layer network on 1-D data (the seed problem) on
// the GPU, fused: the formulas of host/training/scalar_exact.hpp, in three kernels per
// evaluation, and nothing of size rows × width in memory. The general path (cuBLAS GEMMs and a
// dozen elementwise passes over rows × width matrices) is bound by memory traffic and by
// launches; here one pass reads the data once:
//
//   rows       one thread a row, the weights in shared memory: s, u = ds/dx, ½s² + u; keeps s
//              per row, and each block's sums of the loss and of s (in double);
//   gradient   one thread a hidden unit of one chunk of rows: its three gradient entries summed
//              over the chunk (each row's x and s staged in shared memory);
//   reduce     the chunks' partial gradients added in chunk order and divided by the rows, into
//              θ's layout; ∂ℓ/∂b₂ = mean s from the blocks' sums.
//
// Fixed orders everywhere: the result depends on neither the GPU nor the launch, and agrees with
// the CPU's fused pass to float rounding (the two add the rows in different groupings).

#include "training/fused_or_general.hpp"
#include "training/score_matching.hpp"
#include "training_ops.cuh"

#include <langevin/device/activation.hpp>
#include <langevin/device/cuda_check.hpp>
#include <langevin/device_buffer.hpp>

#include <cuda_runtime.h>

#include <algorithm>
#include <vector>

namespace langevin::training {

namespace scalar_exact_kernels {

constexpr int kRowBlock = 256;
constexpr int kUnitBlock = 256;
constexpr int kRowTile = 256;  // rows staged at a time by the gradient kernel

/// w₁, b₁, w₂ (H each) and b₂ inside θ.
struct Weights {
  const float* w1;
  const float* b1;
  const float* w2;
  const float* b2;
  int hidden;
};

/// Adds the block's values in a fixed tree; thread 0 gets the total.
__device__ double block_sum(double value, double* scratch) {
  scratch[threadIdx.x] = value;
  __syncthreads();
  for (int width = blockDim.x / 2; width > 0; width /= 2) {
    if (threadIdx.x < width) scratch[threadIdx.x] += scratch[threadIdx.x + width];
    __syncthreads();
  }
  const double total = scratch[0];
  __syncthreads();
  return total;
}

template <Activation A>
__global__ void __launch_bounds__(kRowBlock)
    rows_kernel(Weights net, const float* data, long long rows, float* s_rows,
                double* loss_partial, double* s_partial) {
  extern __shared__ float staged[];  // w₁, b₁, w₂
  __shared__ double sums[kRowBlock];
  const int hidden = net.hidden;
  for (int j = threadIdx.x; j < hidden; j += blockDim.x) {
    staged[j] = net.w1[j];
    staged[hidden + j] = net.b1[j];
    staged[2 * hidden + j] = net.w2[j];
  }
  __syncthreads();
  const float* w1 = staged;
  const float* b1 = staged + hidden;
  const float* w2 = staged + 2 * hidden;
  const long long row = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  double loss = 0.0, s_sum = 0.0;
  if (row < rows) {
    const float x = data[row];
    float s = 0.0f, u = 0.0f;
    for (int j = 0; j < hidden; ++j) {
      float a, f, second;
      device::activate_with_derivatives<A>(fmaf(w1[j], x, b1[j]), a, f, second);
      s = fmaf(w2[j], a, s);
      u = fmaf(w2[j] * f, w1[j], u);
    }
    s += *net.b2;
    s_rows[row] = s;
    loss = 0.5 * static_cast<double>(s) * s + u;
    s_sum = s;
  }
  loss = block_sum(loss, sums);
  s_sum = block_sum(s_sum, sums);
  if (threadIdx.x == 0) {
    loss_partial[blockIdx.x] = loss;
    s_partial[blockIdx.x] = s_sum;
  }
}

/// Chunk blockIdx.y's partial gradient of unit j: partial[(chunk · 3 + e) · H + j] for the
/// entries e = ∂w₁, ∂b₁, ∂w₂.
template <Activation A>
__global__ void __launch_bounds__(kUnitBlock)
    gradient_kernel(Weights net, const float* data, const float* s_rows, long long rows,
                    long long chunk_rows, float* partial) {
  __shared__ float xs[kRowTile], ss[kRowTile];
  const int hidden = net.hidden;
  const int j = blockIdx.x * blockDim.x + threadIdx.x;
  const long long begin = static_cast<long long>(blockIdx.y) * chunk_rows;
  const long long end = begin + chunk_rows < rows ? begin + chunk_rows : rows;
  const bool unit = j < hidden;
  const float w1 = unit ? net.w1[j] : 0.0f, b1 = unit ? net.b1[j] : 0.0f;
  const float w2 = unit ? net.w2[j] : 0.0f;
  const float w2w1 = w2 * w1;
  float g_w1 = 0.0f, g_b1 = 0.0f, g_w2 = 0.0f;
  for (long long tile = begin; tile < end; tile += kRowTile) {
    const int count = static_cast<int>(end - tile < kRowTile ? end - tile : kRowTile);
    for (int r = threadIdx.x; r < count; r += blockDim.x) {
      xs[r] = data[tile + r];
      ss[r] = s_rows[tile + r];
    }
    __syncthreads();
    for (int r = 0; r < count; ++r) {
      const float x = xs[r], s = ss[r];
      float a, f, second;
      device::activate_with_derivatives<A>(fmaf(w1, x, b1), a, f, second);
      const float d_z = fmaf(s * w2, f, w2w1 * second);
      g_w2 = fmaf(s, a, fmaf(f, w1, g_w2));
      g_b1 += d_z;
      g_w1 = fmaf(d_z, x, fmaf(w2, f, g_w1));
    }
    __syncthreads();
  }
  if (unit) {
    float* out = partial + static_cast<long long>(blockIdx.y) * 3 * hidden;
    out[j] = g_w1;
    out[hidden + j] = g_b1;
    out[2 * hidden + j] = g_w2;
  }
}

/// The gradient into θ's layout: entry k of 3H + 1 per thread, chunks in order.
__global__ void reduce_kernel(const float* partial, int chunks, int hidden, const double* s_partial,
                              int row_blocks, long long rows, float* g_w1, float* g_b1,
                              float* g_w2, float* g_b2) {
  const int k = blockIdx.x * blockDim.x + threadIdx.x;
  const float scale = 1.0f / static_cast<float>(rows);
  if (k < 3 * hidden) {
    float sum = 0.0f;
    for (int c = 0; c < chunks; ++c) sum += partial[static_cast<long long>(c) * 3 * hidden + k];
    const float value = sum * scale;
    if (k < hidden) g_w1[k] = value;
    else if (k < 2 * hidden) g_b1[k - hidden] = value;
    else g_w2[k - 2 * hidden] = value;
  } else if (k == 3 * hidden) {
    double sum = 0.0;
    for (int b = 0; b < row_blocks; ++b) sum += s_partial[b];
    *g_b2 = static_cast<float>(sum / static_cast<double>(rows));
  }
}

}  // namespace scalar_exact_kernels

template <Activation A>
class ScalarExactCuda {
 public:
  /// The shapes it takes: those of the CPU's fused pass (exact loss, full batch, widths
  /// (1, H, 1)), with the weights (3H floats) and the rows kernel's sums in a block's 48 KB of
  /// shared memory (H ≤ 3 925).
  static bool applies(const ParameterLayout& layout, const LossSetup& setup) {
    const long long shared = 3ll * layout.widths[1] * static_cast<long long>(sizeof(float)) +
                             scalar_exact_kernels::kRowBlock * static_cast<long long>(sizeof(double));
    return setup.loss == LossKind::Exact && setup.full_batch && layout.layers() == 2 &&
           layout.widths[0] == 1 && layout.widths[2] == 1 && shared <= 48 * 1024;
  }

  explicit ScalarExactCuda(const ParameterLayout& layout)
      : layout_(layout), hidden_(layout.widths[1]) {}

  void prepare(const float* data, long long data_rows, unsigned long long /*iteration*/) {
    if (data == data_ && data_rows == rows_) return;  // full batch: the same rows every iteration
    data_ = data;
    rows_ = data_rows;
    row_blocks_ = static_cast<int>((rows_ + scalar_exact_kernels::kRowBlock - 1) /
                                   scalar_exact_kernels::kRowBlock);
    // Enough chunks that units × chunks threads fill the GPU (~64 Ki), none under 32 rows, and
    // at most 4 096 (a grid's y extent, and the reduction's loop).
    const long long wanted = std::clamp<long long>((1ll << 16) / std::max(1, hidden_), 1, 4096);
    chunks_ = static_cast<int>(std::min<long long>(wanted, std::max<long long>(1, rows_ / 32)));
    chunk_rows_ = (rows_ + chunks_ - 1) / chunks_;
    s_rows_ = DeviceBuffer<float>(static_cast<std::size_t>(rows_));
    loss_partial_ = DeviceBuffer<double>(static_cast<std::size_t>(row_blocks_));
    s_partial_ = DeviceBuffer<double>(static_cast<std::size_t>(row_blocks_));
    gradient_partial_ = DeviceBuffer<float>(static_cast<std::size_t>(chunks_) * 3 * hidden_);
    host_partial_.resize(static_cast<std::size_t>(row_blocks_));
  }

  double loss(const float* theta) { return run(theta, nullptr); }
  double loss_and_gradient(const float* theta, float* gradient) { return run(theta, gradient); }

 private:
  scalar_exact_kernels::Weights weights(const float* theta) const {
    return {theta + layout_.weight_offset[0], theta + layout_.bias_offset[0],
            theta + layout_.weight_offset[1], theta + layout_.bias_offset[1], hidden_};
  }

  double run(const float* theta, float* gradient) {
    namespace k = scalar_exact_kernels;
    const k::Weights net = weights(theta);
    const int shared = 3 * hidden_ * static_cast<int>(sizeof(float));
    k::rows_kernel<A><<<row_blocks_, k::kRowBlock, shared>>>(net, data_, rows_, s_rows_.data(),
                                                             loss_partial_.data(),
                                                             s_partial_.data());
    LANGEVIN_CUDA_CHECK_LAUNCH("scalar_exact rows_kernel");
    if (gradient != nullptr) {
      const dim3 grid((hidden_ + k::kUnitBlock - 1) / k::kUnitBlock, chunks_);
      k::gradient_kernel<A><<<grid, k::kUnitBlock>>>(net, data_, s_rows_.data(), rows_,
                                                      chunk_rows_, gradient_partial_.data());
      LANGEVIN_CUDA_CHECK_LAUNCH("scalar_exact gradient_kernel");
      const int entries = 3 * hidden_ + 1;
      k::reduce_kernel<<<(entries + 255) / 256, 256>>>(
          gradient_partial_.data(), chunks_, hidden_, s_partial_.data(), row_blocks_, rows_,
          gradient + layout_.weight_offset[0], gradient + layout_.bias_offset[0],
          gradient + layout_.weight_offset[1], gradient + layout_.bias_offset[1]);
      LANGEVIN_CUDA_CHECK_LAUNCH("scalar_exact reduce_kernel");
    }
    loss_partial_.download(host_partial_.data(), host_partial_.size());
    double total = 0.0;
    for (double part : host_partial_) total += part;
    return total / static_cast<double>(rows_);
  }

  const ParameterLayout& layout_;
  int hidden_;
  const float* data_ = nullptr;
  long long rows_ = 0;
  int row_blocks_ = 0;
  int chunks_ = 1;
  long long chunk_rows_ = 0;
  DeviceBuffer<float> s_rows_;
  DeviceBuffer<double> loss_partial_, s_partial_;
  DeviceBuffer<float> gradient_partial_;
  std::vector<double> host_partial_;
};

/// The GPU's objective: the fused kernels where they apply, the general ScoreMatching otherwise.
template <Activation A>
using CudaObjective = FusedOrGeneral<ScalarExactCuda<A>, ScoreMatching<CudaOps, A>>;

}  // namespace langevin::training
