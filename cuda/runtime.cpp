// The CUDA runtime's host calls, all in one file: the GPUs visible, the current device, device
// memory and copies. The only place the library allocates and frees device memory and changes
// the current device. A build without CUDA has absent.cpp in its place.

#include "backend.hpp"
#include "device_scope.hpp"

#include <langevin/device/cuda_check.hpp>
#include <langevin/device_buffer.hpp>

#include <cuda_runtime.h>

#include <string>

namespace langevin {
namespace cuda_backend {

bool built() { return true; }

std::vector<GpuInfo> visible_gpus() {
  std::vector<GpuInfo> found;
  int count = 0;
  // Without a GPU or driver this fails (cudaErrorNoDevice, cudaErrorInsufficientDriver, …):
  // every failure means "no GPU", and the error is not sticky.
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return found;
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp properties{};
    if (cudaGetDeviceProperties(&properties, i) != cudaSuccess) continue;
    GpuInfo info;
    info.index = i;
    info.name = properties.name;
    info.compute_major = properties.major;
    info.compute_minor = properties.minor;
    info.multiprocessors = properties.multiProcessorCount;
    info.memory_bytes = properties.totalGlobalMem;
    found.push_back(info);
  }
  return found;
}

}  // namespace cuda_backend

namespace detail {

DeviceScope::DeviceScope(int device) {
  if (device < 0) return;
  int current = 0;
  LANGEVIN_CUDA_CHECK(cudaGetDevice(&current));
  if (current == device) return;
  LANGEVIN_CUDA_CHECK(cudaSetDevice(device));
  previous_ = current;
}

DeviceScope::~DeviceScope() {
  // Nothing useful to do with an error here; it is cleared, so that the next launch's check
  // (cudaGetLastError) does not report it as that launch's.
  if (previous_ >= 0 && cudaSetDevice(previous_) != cudaSuccess) cudaGetLastError();
}

int current_device() {
  int device = 0;
  LANGEVIN_CUDA_CHECK(cudaGetDevice(&device));
  return device;
}

void set_current_device(int device) { LANGEVIN_CUDA_CHECK(cudaSetDevice(device)); }

void* device_allocate(std::size_t bytes) {
  if (bytes == 0) return nullptr;
  void* pointer = nullptr;
  const cudaError_t status = cudaMalloc(&pointer, bytes);
  if (status != cudaSuccess) {
    cudaGetLastError();  // an out-of-memory error is not sticky: clear it
    throw Error("cannot allocate " + std::to_string(bytes) + " bytes on the GPU: " +
                cudaGetErrorString(status));
  }
  return pointer;
}

void device_free(void* pointer, int device) noexcept {
  if (pointer == nullptr) return;
  // Nothing useful to do with an error in a destructor; the scope's own errors included.
  try {
    const DeviceScope scope(device);
    cudaFree(pointer);
  } catch (const Error&) {
  }
}

void copy_host_to_device(void* to, const void* host, std::size_t bytes, Stream stream,
                         int device) {
  if (bytes == 0) return;
  const DeviceScope scope(device);
  LANGEVIN_CUDA_CHECK(cudaMemcpyAsync(to, host, bytes, cudaMemcpyHostToDevice, stream));
}

void copy_device_to_host(void* host, const void* from, std::size_t bytes, Stream stream,
                         int device) {
  if (bytes == 0) return;
  const DeviceScope scope(device);
  LANGEVIN_CUDA_CHECK(cudaMemcpyAsync(host, from, bytes, cudaMemcpyDeviceToHost, stream));
  LANGEVIN_CUDA_CHECK(cudaStreamSynchronize(stream));
}

void synchronize(Stream stream) { LANGEVIN_CUDA_CHECK(cudaStreamSynchronize(stream)); }

void synchronize_device(int device) {
  const DeviceScope scope(device);
  LANGEVIN_CUDA_CHECK(cudaDeviceSynchronize());
}

}  // namespace detail

}  // namespace langevin
