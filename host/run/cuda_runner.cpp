// The CUDA runner: one device by its ordinal, and a stream on it.

#include "run/runner.hpp"

namespace langevin::detail {

CudaRunner::CudaRunner(int device) : Runner(Place{Backend::Cuda, device}) {}

// A slice fills an H100/H200 (132 SMs × 2048 threads) several times over.
std::int64_t CudaRunner::min_slice() const { return std::int64_t{1} << 20; }

void CudaRunner::upload(void* to, const void* from, std::size_t bytes) const {
  copy_host_to_device(to, from, bytes, stream(), place().device);
}

void CudaRunner::download(void* to, const void* from, std::size_t bytes) const {
  copy_device_to_host(to, from, bytes, stream(), place().device);
}

void CudaRunner::wait() const {
  const DeviceScope scope(place().device);
  synchronize(stream());
}

}  // namespace langevin::detail
