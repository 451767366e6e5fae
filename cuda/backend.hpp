#pragma once
// The CUDA backend's entry points (cuda/*.cu): device pointers, validated inputs, asynchronous on
// `stream` on the current device. The targets (host/run/) call them; plain C++, so that host
// code includes this without the CUDA headers' kernels.

#include <langevin/activation.hpp>
#include <langevin/backend.hpp>
#include <langevin/device/chain.hpp>
#include <langevin/device/gmm.hpp>
#include <langevin/device/hinge.hpp>
#include <langevin/device/mlp.hpp>
#include <langevin/device_buffer.hpp>

namespace langevin::device {
struct LikelihoodConfig;  // device/likelihood.hpp
}

namespace langevin::cuda_backend {

/// Whether the kernels are built in: true here, false in absent.cpp.
bool built();
/// The GPUs the CUDA runtime sees (none without a driver or device); backend.cpp keeps the list.
std::vector<GpuInfo> visible_gpus();

void sample_gmm(const device::GmmView& gmm, const device::ChainConfig& config, Stream stream);
void score_gmm(const device::GmmView& gmm, const float* points, float* scores, long long n,
               Stream stream);

/// Scratch the MLP kernels need: for networks with one hidden layer none; deeper ones keep two
/// hidden vectors per thread in global memory, and the grid is capped to bound that memory.
struct MlpScratchPlan {
  long long threads = 0;  // threads launched (a multiple of the block size)
  long long floats = 0;   // scratch floats to allocate (0 for one hidden layer)
};
MlpScratchPlan plan_mlp_scratch(const device::MlpView& net, long long work_items);

/// `param_count` floats at net.params are staged in shared memory when they fit.
void sample_mlp(const device::MlpView& net, Activation activation, long long param_count,
                const MlpScratchPlan& plan, float* scratch, const device::ChainConfig& config,
                Stream stream);
void score_mlp(const device::MlpView& net, Activation activation, long long param_count,
               const MlpScratchPlan& plan, float* scratch, const float* points, float* scores,
               long long n, float sigma, Stream stream);

/// Log-likelihoods by the probability-flow ODE (cuda/likelihood.cu), one point per thread;
/// config's pointers in device memory. A network takes scratch for its forward-mode pass at
/// any depth (four hidden vectors per thread): plan_likelihood_scratch sizes it.
void likelihood_gmm(const device::GmmView& gmm, const device::LikelihoodConfig& config,
                    Stream stream);
MlpScratchPlan plan_likelihood_scratch(const device::MlpView& net, long long points);
void likelihood_mlp(const device::MlpView& net, Activation activation, long long param_count,
                    const MlpScratchPlan& plan, float* scratch,
                    const device::LikelihoodConfig& config, Stream stream);

/// The hinge form (cuda/hinge.cu); hinge.pairs in device memory. Few chains run split across 16
/// threads each, many one per thread: the same results, bit for bit.
void sample_hinge(const device::HingeView& hinge, const device::ChainConfig& config,
                  Stream stream);
void score_hinge(const device::HingeView& hinge, const float* points, float* scores, long long n,
                 Stream stream);

}  // namespace langevin::cuda_backend
