#pragma once
// The CPU backend's code that runs blocks of chains (or points) in lane vectors: compiled once
// per instruction set the build dispatches to (cmake/LangevinCpuTargets.cmake), each copy with
// its own table of entry points (cpu/lanes_table.cpp); cpu/simd.cpp picks one at run time. The
// entry points are cpu/backend.hpp's, in namespace `lanes`.

#include <langevin/activation.hpp>
#include <langevin/device/chain.hpp>
#include <langevin/device/gmm.hpp>
#include <langevin/device/hinge.hpp>
#include <langevin/device/mlp.hpp>

namespace langevin::cpu_backend {

namespace lanes {
void sample_gmm(const device::GmmView& gmm, const device::ChainConfig& config);
void score_gmm(const device::GmmView& gmm, const float* points, float* scores, long long n);
void sample_mlp(const device::MlpView& net, Activation activation,
                const device::ChainConfig& config);
void score_mlp(const device::MlpView& net, Activation activation, const float* points,
               float* scores, long long n, float sigma);
void sample_hinge(const device::HingeView& hinge, const device::ChainConfig& config);
void score_hinge(const device::HingeView& hinge, const float* points, float* scores, long long n);
}  // namespace lanes

/// One instruction set's copy of the lanes code.
struct LanesKernels {
  const char* simd;  // "avx2", "avx512", "neon", "sve": what it was compiled for
  decltype(&lanes::sample_gmm) sample_gmm;
  decltype(&lanes::score_gmm) score_gmm;
  decltype(&lanes::sample_mlp) sample_mlp;
  decltype(&lanes::score_mlp) score_mlp;
  decltype(&lanes::sample_hinge) sample_hinge;
  decltype(&lanes::score_hinge) score_hinge;
};

}  // namespace langevin::cpu_backend
