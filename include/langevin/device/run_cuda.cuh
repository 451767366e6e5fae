#pragma once
/// \file
/// The CUDA backend's fused kernel: one thread runs all steps of one chain (or scores one point),
/// in a grid-stride loop; no per-step launches; the state stays in registers; only the requested
/// output is written. One kernel for every score functor: a staging policy gives each block its
/// functor, after copying what it reads often (the library's MLP weights, the hinge form's
/// pairs) into shared memory where that fits, or as it is (NoStaging: a user's functor through
/// sample_with, the mixture).

#include <langevin/device/chain.hpp>
#include <langevin/device/cuda_check.hpp>

#include <cuda_runtime.h>

namespace langevin::device {

constexpr int kChainsPerBlock = 256;

/// Run chain i of a ChainConfig: the work of a sampling kernel.
struct ChainWork {
  ChainConfig config;
  __host__ __device__ long long count() const { return config.chains; }
  template <class Score>
  __device__ void operator()(const Score& score, long long i) const {
    run_chain(score, config, i);
  }
};

/// A staging policy that hands every thread the functor as it is, with no shared memory.
template <class Score>
struct NoStaging {
  Score functor;
  __device__ Score score(float4* /*shared*/, long long /*thread*/, long long /*threads*/) const {
    return functor;
  }
};

/// Each block gets its score functor from `staging` (score(shared, thread, threads), which may
/// fill the block's dynamic shared memory and synchronise its threads); then thread t runs items
/// t, t + threads, … of `work`.
template <class Staging, class Work>
__global__ void __launch_bounds__(kChainsPerBlock) items_kernel(Staging staging, Work work) {
  extern __shared__ float4 shared_memory[];
  const long long thread = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  const long long threads = static_cast<long long>(gridDim.x) * blockDim.x;
  const auto score = staging.score(shared_memory, thread, threads);
  for (long long i = thread; i < work.count(); i += threads) work(score, i);
}

/// Blocks for `items` items, one per thread (the kernel loops if the grid is capped).
inline unsigned int item_blocks(long long items) {
  const long long blocks = (items + kChainsPerBlock - 1) / kChainsPerBlock;
  return static_cast<unsigned int>(blocks < (1ll << 31) - 1 ? blocks : (1ll << 31) - 1);
}

/// Launches all chains of `config` on `stream`; config's pointers must be device memory.
/// Asynchronous: launch errors are thrown here, execution errors at the next synchronisation.
template <class Score>
void run_chains_cuda(const Score& score, const ChainConfig& config, cudaStream_t stream = nullptr) {
  if (config.chains <= 0) return;
  items_kernel<<<item_blocks(config.chains), kChainsPerBlock, 0, stream>>>(
      NoStaging<Score>{score}, ChainWork{config});
  LANGEVIN_CUDA_CHECK_LAUNCH("items_kernel");
}

}  // namespace langevin::device
