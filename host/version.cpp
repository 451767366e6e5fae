#include "kernel_lists.hpp"

#include <langevin/version.hpp>

#include <string>

namespace langevin {

const char* version() { return LANGEVIN_VERSION; }

std::string build_configuration() {
  std::string text;
  text += "version: " LANGEVIN_VERSION "\n";
  text += "CUDA architectures: " LANGEVIN_CUDA_ARCHITECTURES "\n";
  text += "CUDA toolkit: " LANGEVIN_CUDA_VERSION "\n";
  text += "host compiler: " LANGEVIN_CXX_COMPILER "\n";
  text += "CPU backend flags: " LANGEVIN_CPU_FLAGS "\n";
  text += "CPU lanes compiled for: " LANGEVIN_CPU_TARGETS "\n";
  text += "activations: " LANGEVIN_ACTIVATIONS_TEXT "\n";
  text += "dimension tiers: " LANGEVIN_DIM_TIERS_TEXT "\n";
  text += "HDF5: " LANGEVIN_HDF5 "\n";
  text += "SHA-256 of inputs: " LANGEVIN_SHA256 "\n";
#if defined(_OPENMP)
  text += "OpenMP: " + std::to_string(_OPENMP) + "\n";
#else
  text += "OpenMP: off\n";
#endif
  return text;
}

}  // namespace langevin
