#pragma once
/// \file
/// Turns CUDA runtime statuses into langevin::Error naming the call. Header-only so that users'
/// own CUDA code (sample_with) uses the same checks as the library.

#include <langevin/error.hpp>

#include <cuda_runtime.h>

#include <string>

namespace langevin::device {

inline void check_cuda(cudaError_t status, const char* call) {
  if (status != cudaSuccess) {
    throw Error(std::string(call) + " failed: " + cudaGetErrorName(status) + " (" +
                cudaGetErrorString(status) + ")");
  }
}

}  // namespace langevin::device

/// Checks a CUDA runtime call; on failure throws langevin::Error with the call's text.
#define LANGEVIN_CUDA_CHECK(call) ::langevin::device::check_cuda((call), #call)
/// Checks the launch just made (configuration errors) without synchronising.
#define LANGEVIN_CUDA_CHECK_LAUNCH(kernel_name) \
  ::langevin::device::check_cuda(cudaGetLastError(), "launch of " kernel_name)
