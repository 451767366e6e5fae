#pragma once
// The MLP kernels of mlp.cuh: device/run_cuda.cuh's items_kernel with a staging policy that
// copies the packed weights into shared memory once per block when they fit (every thread then
// reads them at shared-memory speed, broadcast across the warp) and gives deep networks a slice
// of global scratch per thread.

#include "mlp.cuh"

#include <langevin/device/cuda_check.hpp>
#include <langevin/device/mlp.hpp>
#include <langevin/device/run_cuda.cuh>

namespace langevin::kernels {

/// Score is device::MlpScore, device::NoiseConditionalMlpScore or one derived from it (the same
/// members).
template <class Score>
struct StageMlpWeights {
  device::MlpView net;
  long long param_count = 0;
  bool copy = false;  // the weights fit in the block's shared memory
  float* scratch = nullptr;

  __device__ Score score(float4* shared, long long thread, long long threads) const {
    Score functor;
    functor.net = net;
    if (copy) {
      float* staged = reinterpret_cast<float*>(shared);
      for (long long i = threadIdx.x; i < param_count; i += blockDim.x) staged[i] = net.params[i];
      __syncthreads();
      functor.net.params = staged;
    }
    functor.widest_hidden = device::mlp_widest_hidden(net);
    functor.scratch = scratch != nullptr ? scratch + thread : nullptr;
    functor.scratch_stride = threads;
    return functor;
  }
};

/// `work` through the network as the functor Score (device::MlpScore or
/// device::NoiseConditionalMlpScore), its weights staged in shared memory when they fit.
template <class Score, class Work>
void launch_mlp_as(const MlpLaunch& launch, const Work& work) {
  if (work.count() <= 0) return;
  const long long shared_bytes = launch.param_count * static_cast<long long>(sizeof(float));
  const bool copy = shared_bytes <= max_shared_bytes_per_block();
  const int dynamic_shared = copy ? static_cast<int>(shared_bytes) : 0;
  const unsigned int blocks =
      static_cast<unsigned int>(launch.plan.threads / device::kChainsPerBlock);
  const StageMlpWeights<Score> staging{launch.net, launch.param_count, copy, launch.scratch};
  auto kernel = device::items_kernel<StageMlpWeights<Score>, Work>;
  if (dynamic_shared > 48 * 1024) {
    LANGEVIN_CUDA_CHECK(cudaFuncSetAttribute(
        kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, dynamic_shared));
  }
  kernel<<<blocks, device::kChainsPerBlock, dynamic_shared, launch.stream>>>(staging, work);
  LANGEVIN_CUDA_CHECK_LAUNCH("items_kernel (mlp)");
}

/// A noise-conditional network runs as NoiseConditionalMlpScore; its input (x, log σ) has
/// width[0] = d + 1, which set the tier.
template <Activation A, int MaxDim, class Work>
void launch_mlp(const MlpLaunch& launch, const Work& work, bool noise_conditional) {
  if (!noise_conditional) {
    launch_mlp_as<device::MlpScore<MaxDim, A>>(launch, work);
  } else if constexpr (MaxDim > 1) {
    launch_mlp_as<device::NoiseConditionalMlpScore<MaxDim, A>>(launch, work);
  }
}

template <Activation A, int MaxDim>
void launch_mlp_chains(const MlpLaunch& launch, const device::ChainWork& work) {
  launch_mlp<A, MaxDim>(launch, work, work.config.levels > 0);
}

template <Activation A, int MaxDim>
void launch_mlp_scores(const MlpLaunch& launch, const ScoreWork& work) {
  launch_mlp<A, MaxDim>(launch, work, work.sigma > 0.0f);
}

}  // namespace langevin::kernels
