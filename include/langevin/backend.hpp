#pragma once
/// \file
/// Backends: where the chains run. Auto uses the GPU when one is present, the CPU otherwise.

#include <cstddef>
#include <string>
#include <vector>

namespace langevin {

enum class Backend { Auto, Cpu, Cuda };

const char* to_string(Backend backend);
/// "auto", "cpu" or "cuda"; throws InvalidInput naming `field` otherwise.
Backend parse_backend(const std::string& name, const std::string& field = "backend");

struct GpuInfo {
  int index = 0;
  std::string name;
  int compute_major = 0;
  int compute_minor = 0;
  int multiprocessors = 0;
  std::size_t memory_bytes = 0;
};

/// Whether this build has the CUDA backend (false when configured with LANGEVIN_WITH_CUDA=OFF).
bool cuda_built();
/// The CUDA devices this process can use; empty without a GPU or driver (any error from the
/// runtime when counting devices means "none") and in a build without the CUDA backend.
const std::vector<GpuInfo>& gpus();
bool cuda_available();

/// Auto → Cuda or Cpu; Cuda without a GPU throws Error saying so; Cpu stays Cpu.
Backend resolve(Backend requested);

}  // namespace langevin
