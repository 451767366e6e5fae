#pragma once
// The backends' entry points, below the public API: plain pointers (host memory for the CPU
// functions, device memory for the CUDA ones), validated inputs. Sampler and score() call them.

#include <langevin/activation.hpp>
#include <langevin/device/chain.hpp>
#include <langevin/device/gmm.hpp>
#include <langevin/device/hinge.hpp>
#include <langevin/device/mlp.hpp>
#include <langevin/device_buffer.hpp>

namespace langevin::backends {

// CPU: host/cpu_backend.cpp, OpenMP over chains or points. A ChainConfig with levels > 0 runs
// the noise-conditional form of the score (annealing); one with metropolis set runs MALA.
void sample_gmm_cpu(const device::GmmView& gmm, const device::ChainConfig& config);
void sample_mlp_cpu(const device::MlpView& net, Activation activation,
                    const device::ChainConfig& config);
void score_gmm_cpu(const device::GmmView& gmm, const float* points, float* scores, long long n);
/// sigma > 0: a noise-conditional network at that level.
void score_mlp_cpu(const device::MlpView& net, Activation activation, const float* points,
                   float* scores, long long n, float sigma = 0.0f);
/// The hinge form of a 1-D one-hidden-layer ReLU network (host/cpu_hinge.cpp): plain ULA.
void sample_hinge_cpu(const device::HingeView& hinge, const device::ChainConfig& config);
void score_hinge_cpu(const device::HingeView& hinge, const float* points, float* scores,
                     long long n);

// CUDA: cuda/*.cu. Asynchronous on `stream`.
void sample_gmm_cuda(const device::GmmView& gmm, const device::ChainConfig& config, Stream stream);

/// Scratch the MLP kernels need: for networks with one hidden layer none; deeper ones keep two
/// hidden vectors per thread in global memory, and the grid is capped to bound that memory.
struct MlpScratchPlan {
  long long threads = 0;       // threads launched (a multiple of the block size)
  long long floats = 0;        // scratch floats to allocate (0 for one hidden layer)
};
MlpScratchPlan plan_mlp_scratch(const device::MlpView& net, long long work_items);

/// `param_count` floats at net.params are staged in shared memory when they fit.
void sample_mlp_cuda(const device::MlpView& net, Activation activation, long long param_count,
                     const MlpScratchPlan& plan, float* scratch, const device::ChainConfig& config,
                     Stream stream);
void score_gmm_cuda(const device::GmmView& gmm, const float* points, float* scores, long long n,
                    Stream stream);
void score_mlp_cuda(const device::MlpView& net, Activation activation, long long param_count,
                    const MlpScratchPlan& plan, float* scratch, const float* points, float* scores,
                    long long n, Stream stream, float sigma = 0.0f);
/// The hinge form on the GPU (cuda/hinge.cu); hinge.pairs in device memory. Few chains run
/// split across 16 threads each, many one per thread: the same results, bit for bit.
void sample_hinge_cuda(const device::HingeView& hinge, const device::ChainConfig& config,
                       Stream stream);
void score_hinge_cuda(const device::HingeView& hinge, const float* points, float* scores,
                      long long n, Stream stream);

}  // namespace langevin::backends
