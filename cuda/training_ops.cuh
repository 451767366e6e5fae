#pragma once
// The CUDA backend of training: buffers are DeviceBuffers, GEMMs go to cuBLAS (FP32, no TF32, so
// that results track the CPU backend to float rounding), functors run in one generic kernel, and
// sums are reduced in a fixed order (per-block partial sums in double, added on the host).

#include "device_properties.cuh"
#include "training/functors.hpp"

#include <langevin/device/cuda_check.hpp>
#include <langevin/device_buffer.hpp>
#include <langevin/error.hpp>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <string>
#include <vector>

namespace langevin::training {

inline void check_cublas(cublasStatus_t status, const char* call) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    throw Error(std::string(call) + " failed: " + cublasGetStatusString(status));
  }
}
#define LANGEVIN_CUBLAS_CHECK(call) ::langevin::training::check_cublas((call), #call)

template <class F>
__global__ void for_each_kernel(F f, long long count) {
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += stride) {
    f(i);
  }
}

template <class F>
__global__ void for_each_2d_kernel(F f, long long rows, int cols) {
  const int col = blockIdx.x * blockDim.x + threadIdx.x;
  if (col >= cols) return;
  for (long long row = blockIdx.y; row < rows; row += gridDim.y) f(row, col);
}

constexpr int kReduceBlock = 256;
constexpr long long kReduceChunk = 4096;  // elements per block, as the CPU's chunks

template <class Term>
__global__ void partial_sums_kernel(Term term, long long count, double* partial) {
  __shared__ double sums[kReduceBlock];
  const long long begin = static_cast<long long>(blockIdx.x) * kReduceChunk;
  const long long end = begin + kReduceChunk < count ? begin + kReduceChunk : count;
  double s = 0.0;
  for (long long i = begin + threadIdx.x; i < end; i += kReduceBlock) s += term(i);
  sums[threadIdx.x] = s;
  __syncthreads();
  for (int width = kReduceBlock / 2; width > 0; width /= 2) {
    if (threadIdx.x < width) sums[threadIdx.x] += sums[threadIdx.x + width];
    __syncthreads();
  }
  if (threadIdx.x == 0) partial[blockIdx.x] = sums[0];
}

class CudaOps {
 public:
  using Buffer = DeviceBuffer<float>;

  CudaOps() { LANGEVIN_CUBLAS_CHECK(cublasCreate(&handle_)); }
  ~CudaOps() { cublasDestroy(handle_); }
  CudaOps(const CudaOps&) = delete;
  CudaOps& operator=(const CudaOps&) = delete;

  static Buffer allocate(std::size_t count) {
    Buffer buffer(count);
    LANGEVIN_CUDA_CHECK(cudaMemset(buffer.data(), 0, count * sizeof(float)));
    return buffer;
  }
  static void upload(float* destination, const float* host, std::size_t count) {
    LANGEVIN_CUDA_CHECK(
        cudaMemcpy(destination, host, count * sizeof(float), cudaMemcpyHostToDevice));
  }
  static void download(float* host, const float* source, std::size_t count) {
    LANGEVIN_CUDA_CHECK(cudaMemcpy(host, source, count * sizeof(float), cudaMemcpyDeviceToHost));
  }
  static void copy(float* destination, const float* source, std::size_t count) {
    LANGEVIN_CUDA_CHECK(
        cudaMemcpy(destination, source, count * sizeof(float), cudaMemcpyDeviceToDevice));
  }
  static void fill(float* destination, float value, std::size_t count) {
    for_each_static(static_cast<long long>(count), Fill{destination, value});
  }

  /// Row-major C (m × n) = alpha · op(A) · op(B) + beta · C. cuBLAS is column-major, where a
  /// row-major matrix reads as its transpose: C_rmᵀ = op(B)ᵀ op(A)ᵀ, i.e. swap the operands.
  void gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a,
            int lda, const float* b, int ldb, float beta, float* c, int ldc) {
    LANGEVIN_CUBLAS_CHECK(cublasSgemm(handle_, transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                                      transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, &alpha, b,
                                      ldb, a, lda, &beta, c, ldc));
  }

  /// The GPU takes the whole batch at once where its workspace fits in a quarter of the free
  /// memory, else chunks that do (one after the other: one slot, one workspace).
  static long long chunk_rows(long long /*rows*/, long long bytes_per_row) {
    return std::max(1ll, kernels::free_device_bytes() / 4 / std::max(1ll, bytes_per_row));
  }
  static int accumulation_slots() { return 1; }
  static int concurrent_chunks(long long) { return 1; }
  /// A narrow first or last layer's product goes into the hidden layer's pass whatever the
  /// shape: a thread an element does the few multiply-adds in registers.
  static constexpr bool kFusesRuntimeNarrowLayers = true;
  template <class F>
  static void for_each_slot(int slots, int, const F& f) {
    for (int slot = 0; slot < slots; ++slot) f(slot, 0);
  }

  template <class F>
  void for_each(long long count, const F& f) {
    for_each_static(count, f);
  }

  /// f(row, col): consecutive threads take consecutive columns of a row (coalesced).
  template <class F>
  void for_each_2d(long long rows, int cols, const F& f) {
    if (rows <= 0 || cols <= 0) return;
    constexpr int kBlock = 256;
    const dim3 grid((cols + kBlock - 1) / kBlock,
                    static_cast<unsigned int>(rows < 65535 ? rows : 65535));
    for_each_2d_kernel<F><<<grid, kBlock>>>(f, rows, cols);
    LANGEVIN_CUDA_CHECK_LAUNCH("for_each_2d_kernel");
  }

  /// Σ term(i) in double: fixed chunks' partial sums on the GPU, added in order on the host.
  /// The partial sums' buffer is kept between calls (the training loop sums several times an
  /// iteration, and a cudaFree per call would wait for the whole device).
  template <class Term>
  double sum(long long count, const Term& term) {
    if (count <= 0) return 0.0;
    const long long blocks = (count + kReduceChunk - 1) / kReduceChunk;
    if (partial_.size() < static_cast<std::size_t>(blocks)) {
      partial_ = DeviceBuffer<double>(static_cast<std::size_t>(blocks));
    }
    partial_sums_kernel<Term><<<static_cast<unsigned int>(blocks), kReduceBlock>>>(
        term, count, partial_.data());
    LANGEVIN_CUDA_CHECK_LAUNCH("partial_sums_kernel");
    partial_host_.resize(static_cast<std::size_t>(blocks));
    partial_.download(partial_host_.data(), partial_host_.size());
    double total = 0.0;
    for (double s : partial_host_) total += s;
    return total;
  }

 private:
  template <class F>
  static void for_each_static(long long count, const F& f) {
    if (count <= 0) return;
    constexpr int kBlock = 256;
    const long long blocks = (count + kBlock - 1) / kBlock;
    const unsigned int grid = static_cast<unsigned int>(blocks < 65535ll * 32 ? blocks : 65535ll * 32);
    for_each_kernel<F><<<grid, kBlock>>>(f, count);
    LANGEVIN_CUDA_CHECK_LAUNCH("for_each_kernel");
  }

  cublasHandle_t handle_ = nullptr;
  DeviceBuffer<double> partial_;       // sum()'s partial sums, kept between calls
  std::vector<double> partial_host_;
};

}  // namespace langevin::training
