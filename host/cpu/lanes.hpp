#pragma once
// The CPU backend's code that runs blocks of chains (or points) in lane vectors: compiled once
// per instruction set the build dispatches to (cmake/LangevinCpuTargets.cmake), each copy with
// its own table of entry points (cpu/lanes_table.cpp); cpu/simd.cpp picks one at run time. The
// entry points are cpu/backend.hpp's, in namespace `lanes`.

#include "cpu/backend.hpp"

namespace langevin::cpu_backend {

namespace lanes {
// cpu/backend.hpp's entry points to the lanes code, in each copy.
decltype(cpu_backend::sample_gmm) sample_gmm;
decltype(cpu_backend::score_gmm) score_gmm;
decltype(cpu_backend::sample_mlp) sample_mlp;
decltype(cpu_backend::score_mlp) score_mlp;
decltype(cpu_backend::sample_hinge) sample_hinge;
decltype(cpu_backend::score_hinge) score_hinge;
}  // namespace lanes

/// One instruction set's copy of the lanes code.
struct LanesKernels {
  const char* simd;  // "avx2", "avx512" or "neon": what it was compiled for
  decltype(&lanes::sample_gmm) sample_gmm;
  decltype(&lanes::score_gmm) score_gmm;
  decltype(&lanes::sample_mlp) sample_mlp;
  decltype(&lanes::score_mlp) score_mlp;
  decltype(&lanes::sample_hinge) sample_hinge;
  decltype(&lanes::score_hinge) score_hinge;
};

}  // namespace langevin::cpu_backend
