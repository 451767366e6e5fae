// The GPU ceilings (ceilings.hpp): an FFMA loop with independent chains per thread, and a large
// device-to-device copy, both timed by gpu_median_seconds.

#include "ceilings.hpp"

#include <langevin/device/cuda_check.hpp>
#include <langevin/device_buffer.hpp>

#include <algorithm>
#include <functional>
#include <vector>

namespace {

__global__ void fma_kernel(float* out, long long iterations) {
  constexpr int kChains = 8;
  float acc[kChains];
  const float a = 0.999999f, b = 1e-7f * threadIdx.x;
#pragma unroll
  for (int c = 0; c < kChains; ++c) acc[c] = c;
  for (long long i = 0; i < iterations; ++i) {
#pragma unroll
    for (int c = 0; c < kChains; ++c) acc[c] = fmaf(acc[c], a, b);
  }
  float sum = 0.0f;
#pragma unroll
  for (int c = 0; c < kChains; ++c) sum += acc[c];
  if (sum == 12345.0f) out[threadIdx.x] = sum;  // never true; keeps the loop alive
}

}  // namespace

double gpu_median_seconds(const std::function<void()>& work, int repeat) {
  cudaEvent_t start, stop;
  LANGEVIN_CUDA_CHECK(cudaEventCreate(&start));
  LANGEVIN_CUDA_CHECK(cudaEventCreate(&stop));
  work();  // warm-up
  LANGEVIN_CUDA_CHECK(cudaDeviceSynchronize());
  std::vector<double> seconds;
  for (int r = 0; r < repeat; ++r) {
    LANGEVIN_CUDA_CHECK(cudaEventRecord(start));
    work();
    LANGEVIN_CUDA_CHECK(cudaEventRecord(stop));
    LANGEVIN_CUDA_CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    LANGEVIN_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    seconds.push_back(ms / 1e3);
  }
  LANGEVIN_CUDA_CHECK(cudaEventDestroy(start));
  LANGEVIN_CUDA_CHECK(cudaEventDestroy(stop));
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

double gpu_fma_gflops() {
  int sms = 0;
  LANGEVIN_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
  const int blocks = sms * 8, threads = 256;
  const long long iterations = 1 << 16;
  langevin::DeviceBuffer<float> out(threads);
  const double seconds = gpu_median_seconds([&] {
    fma_kernel<<<blocks, threads>>>(out.data(), iterations);
    LANGEVIN_CUDA_CHECK_LAUNCH("fma_kernel");
  }, 5);
  return 2.0 * 8 * iterations * blocks * threads / seconds / 1e9;
}

double gpu_copy_gbytes() {
  const std::size_t count = std::size_t(1) << 30;  // 4 GiB each way
  langevin::DeviceBuffer<float> a(count), b(count);
  LANGEVIN_CUDA_CHECK(cudaMemset(a.data(), 1, count * sizeof(float)));
  const double seconds = gpu_median_seconds([&] {
    LANGEVIN_CUDA_CHECK(
        cudaMemcpy(b.data(), a.data(), count * sizeof(float), cudaMemcpyDeviceToDevice));
  }, 5);
  return 2.0 * count * sizeof(float) / seconds / 1e9;  // bytes read + written
}


