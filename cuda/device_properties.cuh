#pragma once
// What the launch plans need to know of the current GPU.

#include <langevin/device/cuda_check.hpp>

#include <cuda_runtime.h>

namespace langevin::kernels {

inline int device_attribute(cudaDeviceAttr attribute) {
  int device = 0, value = 0;
  LANGEVIN_CUDA_CHECK(cudaGetDevice(&device));
  LANGEVIN_CUDA_CHECK(cudaDeviceGetAttribute(&value, attribute, device));
  return value;
}

inline int multiprocessors() { return device_attribute(cudaDevAttrMultiProcessorCount); }

/// Threads the whole GPU can hold at once: a grid of this many fills every SM.
inline long long resident_threads() {
  return static_cast<long long>(multiprocessors()) *
         device_attribute(cudaDevAttrMaxThreadsPerMultiProcessor);
}

/// Free device memory, in bytes.
inline long long free_device_bytes() {
  std::size_t free_bytes = 0, total_bytes = 0;
  LANGEVIN_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
  return static_cast<long long>(free_bytes);
}

}  // namespace langevin::kernels
