#include "cuda/backend.hpp"

#include <langevin/backend.hpp>
#include <langevin/error.hpp>

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

const std::vector<GpuInfo>& gpus() {
  static const std::vector<GpuInfo> found = cuda_backend::visible_gpus();
  return found;
}

bool cuda_built() { return cuda_backend::built(); }

bool cuda_available() { return !gpus().empty(); }

Backend resolve(Backend requested) {
  switch (requested) {
    case Backend::Auto: return cuda_available() ? Backend::Cuda : Backend::Cpu;
    case Backend::Cpu: return Backend::Cpu;
    case Backend::Cuda:
      if (!cuda_built()) {
        throw Error("backend = cuda, but this build has no CUDA backend (configured with "
                    "LANGEVIN_WITH_CUDA=OFF; use the cpu or auto backend)");
      }
      if (!cuda_available()) {
        throw Error("backend = cuda, but no CUDA GPU is available (use the cpu or auto backend)");
      }
      return Backend::Cuda;
  }
  throw InvalidInput("unknown backend " + std::to_string(static_cast<int>(requested)));
}

}  // namespace langevin
