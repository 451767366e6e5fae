// The only place the library allocates and frees device memory.

#include <langevin/device/cuda_check.hpp>
#include <langevin/device_buffer.hpp>

#include <cuda_runtime.h>

#include <string>

namespace langevin {
namespace detail {

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

void device_free(void* pointer) noexcept {
  if (pointer != nullptr) cudaFree(pointer);  // nothing useful to do with an error in a destructor
}

void copy_host_to_device(void* device, const void* host, std::size_t bytes, Stream stream) {
  if (bytes == 0) return;
  LANGEVIN_CUDA_CHECK(cudaMemcpyAsync(device, host, bytes, cudaMemcpyHostToDevice, stream));
}

void copy_device_to_host(void* host, const void* device, std::size_t bytes, Stream stream) {
  if (bytes == 0) return;
  LANGEVIN_CUDA_CHECK(cudaMemcpyAsync(host, device, bytes, cudaMemcpyDeviceToHost, stream));
  LANGEVIN_CUDA_CHECK(cudaStreamSynchronize(stream));
}

void synchronize(Stream stream) { LANGEVIN_CUDA_CHECK(cudaStreamSynchronize(stream)); }

}  // namespace detail

Array DeviceArray::to_host() const {
  Array host(shape);
  buffer.download(host.data(), static_cast<std::size_t>(host.size()), stream);
  return host;
}

}  // namespace langevin
