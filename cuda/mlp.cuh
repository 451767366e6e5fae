#pragma once
// The MLP on the GPU: a fused kernel that stages the packed weights in shared memory once per
// block (every thread then reads them at shared-memory speed, broadcast across the warp) and
// runs a Work (chains or score points) per thread. Deep networks get a slice of global scratch.
// Instantiated per activation in the generated mlp_<activation>.cu (from
// mlp_activation.cu.in), so that the slow part of the build (one kernel per dimension tier,
// activation and work) runs in parallel.

#include "backend.hpp"
#include "dispatch.hpp"
#include "work.cuh"

#include <langevin/device/cuda_check.hpp>
#include <langevin/device/mlp.hpp>
#include <langevin/device/run_cuda.cuh>

namespace langevin::kernels {

/// Score is device::MlpScore or device::NoiseConditionalMlpScore (same members).
template <class Score, class Work>
__global__ void __launch_bounds__(device::kChainsPerBlock)
    mlp_items_kernel(device::MlpView net, long long param_count, bool stage, float* scratch,
                     Work work) {
  extern __shared__ float staged_params[];
  if (stage) {
    for (long long i = threadIdx.x; i < param_count; i += blockDim.x) {
      staged_params[i] = net.params[i];
    }
    __syncthreads();
    net.params = staged_params;
  }
  const long long thread = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  const long long threads = static_cast<long long>(gridDim.x) * blockDim.x;
  Score score;
  score.net = net;
  score.widest_hidden = device::mlp_widest_hidden(net);
  score.scratch = scratch != nullptr ? scratch + thread : nullptr;
  score.scratch_stride = threads;
  for (long long i = thread; i < work.count(); i += threads) work(score, i);
}

/// Where the weights are read from: staged in shared memory when they fit in a block's share.
struct MlpLaunch {
  device::MlpView net;
  long long param_count = 0;
  cuda_backend::MlpScratchPlan plan;
  float* scratch = nullptr;
  Stream stream = nullptr;
};

/// Shared memory a block may have on the current device (opt-in maximum).
long long max_shared_bytes_per_block();

/// A noise-conditional network (its ChainConfig has levels, or its ScoreWork a sigma) runs as
/// NoiseConditionalMlpScore; its input (x, log σ) has width[0] = d + 1, which sets the tier.
template <Activation A, class Work>
void launch_mlp(const MlpLaunch& launch, const Work& work, bool noise_conditional) {
  if (work.count() <= 0) return;
  const long long shared_bytes = launch.param_count * static_cast<long long>(sizeof(float));
  const bool stage = shared_bytes <= max_shared_bytes_per_block();
  const int dynamic_shared = stage ? static_cast<int>(shared_bytes) : 0;
  const unsigned int blocks =
      static_cast<unsigned int>(launch.plan.threads / device::kChainsPerBlock);
  detail::with_max_dim(launch.net.width[0], [&](auto max_dim) {
    auto kernel = noise_conditional
                      ? mlp_items_kernel<device::NoiseConditionalMlpScore<max_dim(), A>, Work>
                      : mlp_items_kernel<device::MlpScore<max_dim(), A>, Work>;
    if (dynamic_shared > 48 * 1024) {
      LANGEVIN_CUDA_CHECK(
          cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, dynamic_shared));
    }
    kernel<<<blocks, device::kChainsPerBlock, dynamic_shared, launch.stream>>>(
        launch.net, launch.param_count, stage, launch.scratch, work);
    LANGEVIN_CUDA_CHECK_LAUNCH("mlp_items_kernel");
  });
}

/// The kernels of one activation, for both kinds of work (defined in mlp_<activation>.cu).
template <Activation A>
void launch_mlp_chains(const MlpLaunch& launch, const ChainWork& work);
template <Activation A>
void launch_mlp_scores(const MlpLaunch& launch, const ScoreWork& work);

}  // namespace langevin::kernels

// Specialised in the generated mlp_<activation>.cu: the declarations keep cuda/mlp.cu's
// dispatch from instantiating them again.
#define LANGEVIN_MLP_KERNELS_EXTERN(A)                                          \
  template <>                                                                   \
  void launch_mlp_chains<Activation::A>(const MlpLaunch&, const ChainWork&);    \
  template <>                                                                   \
  void launch_mlp_scores<Activation::A>(const MlpLaunch&, const ScoreWork&);
namespace langevin::kernels {
LANGEVIN_FOR_EACH_ACTIVATION(LANGEVIN_MLP_KERNELS_EXTERN)
}
#undef LANGEVIN_MLP_KERNELS_EXTERN
