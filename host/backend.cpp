#include <langevin/backend.hpp>
#include <langevin/error.hpp>

#include <cuda_runtime.h>

namespace langevin {

const char* to_string(Backend backend) {
  switch (backend) {
    case Backend::Auto: return "auto";
    case Backend::Cpu: return "cpu";
    case Backend::Cuda: return "cuda";
  }
  return "unknown";
}

Backend parse_backend(const std::string& name, const std::string& field) {
  for (Backend b : {Backend::Auto, Backend::Cpu, Backend::Cuda}) {
    if (name == to_string(b)) return b;
  }
  throw InvalidInput(field + " = \"" + name + "\": expected auto, cpu or cuda");
}

namespace {

std::vector<GpuInfo> query_gpus() {
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

}  // namespace

const std::vector<GpuInfo>& gpus() {
  static const std::vector<GpuInfo> found = query_gpus();
  return found;
}

bool cuda_available() { return !gpus().empty(); }

Backend resolve(Backend requested) {
  switch (requested) {
    case Backend::Auto: return cuda_available() ? Backend::Cuda : Backend::Cpu;
    case Backend::Cpu: return Backend::Cpu;
    case Backend::Cuda:
      if (!cuda_available()) {
        throw Error("backend = cuda, but no CUDA GPU is available (use --backend cpu or auto)");
      }
      return Backend::Cuda;
  }
  throw InvalidInput("unknown backend " + std::to_string(static_cast<int>(requested)));
}

}  // namespace langevin
