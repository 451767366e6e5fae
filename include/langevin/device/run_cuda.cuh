#pragma once
/// \file
/// The CUDA backend's generic fused kernel: one thread runs all steps of one chain through
/// run_chain. No per-step launches; the state stays in registers; only the requested output is
/// written. For any score functor (see chain.hpp); the library's MLP uses a variant of this
/// kernel that first stages its weights in shared memory (cuda/sample_mlp.cu).

#include <langevin/device/chain.hpp>
#include <langevin/device/cuda_check.hpp>

#include <cuda_runtime.h>

namespace langevin::device {

constexpr int kChainsPerBlock = 256;

template <class Score>
__global__ void __launch_bounds__(kChainsPerBlock) chains_kernel(Score score, ChainConfig config) {
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < config.chains; i += stride) {
    run_chain(score, config, i);
  }
}

/// Blocks for `chains` chains, one chain per thread (the kernels loop if the grid is capped).
inline unsigned int chain_blocks(long long chains) {
  const long long blocks = (chains + kChainsPerBlock - 1) / kChainsPerBlock;
  return static_cast<unsigned int>(blocks < (1ll << 31) - 1 ? blocks : (1ll << 31) - 1);
}

/// Launches all chains of `config` on `stream`; config's pointers must be device memory.
/// Asynchronous: launch errors are thrown here, execution errors at the next synchronisation.
template <class Score>
void run_chains_cuda(const Score& score, const ChainConfig& config, cudaStream_t stream = nullptr) {
  if (config.chains <= 0) return;
  chains_kernel<Score><<<chain_blocks(config.chains), kChainsPerBlock, 0, stream>>>(score, config);
  LANGEVIN_CUDA_CHECK_LAUNCH("chains_kernel");
}

}  // namespace langevin::device
