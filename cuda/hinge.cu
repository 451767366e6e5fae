// The hinge form of 1-D networks with one hidden ReLU layer on the GPU (device/hinge.hpp). Each
// block copies the (t, v) pairs into shared memory once when they fit there (else its threads
// read them from global memory, through the caches: the same values), then:
//   many chains   one chain per thread: the 16 partial sums in registers, two units per 128-bit
//                 load (broadcast: every lane reads the same pair);
//   few chains    one chain per 16 threads (HingeLaneScore): thread p of the group sums the
//                 units j ≡ p (mod 16), which is partial sum p of the one-thread form, and a
//                 butterfly of shuffles folds them in the one-thread form's order. Every thread
//                 of the group draws the same noise, holds the same state and stores the same
//                 values; one of them counts the chain's divergence.
// Both give the same results bit for bit, so that the launch shape chosen for a chain count
// never changes a chain (a split run equals its rows of the whole run).

#include "backend.hpp"
#include "device_properties.cuh"
#include "work.cuh"

#include <langevin/device/cuda_check.hpp>
#include <langevin/device/hinge.hpp>
#include <langevin/device/run_cuda.cuh>

namespace langevin {
namespace kernels {
namespace {

constexpr int kGroupLanes = device::kHingeSums;  // threads per chain when chains are few
constexpr int kGroupBlock = 64;                  // 4 chains a block: blocks spread over the SMs

/// Where a block reads the pairs: its copy in shared memory when `copy` (LDS loads), else
/// global memory.
__device__ device::HingeView stage_pairs(const device::HingeView& hinge, bool copy,
                                         float4* staged) {
  if (!copy) return hinge;
  const float4* source = reinterpret_cast<const float4*>(hinge.pairs);
  for (int q = threadIdx.x; q < hinge.units / 2; q += blockDim.x) staged[q] = source[q];
  __syncthreads();
  device::HingeView local = hinge;
  local.pairs = reinterpret_cast<const float*>(staged);
  return local;
}

/// The staging policy of the many-chains launch (device/run_cuda.cuh's items_kernel): the
/// one-thread form over the block's copy of the pairs.
struct StageHingePairs {
  device::HingeView hinge;
  bool copy = false;
  __device__ device::HingeScore score(float4* shared, long long, long long) const {
    return device::HingeScore{stage_pairs(hinge, copy, shared)};
  }
};

/// Thread `lane` of a chain's group of 16: its partial sum, then the butterfly.
struct HingeLaneScore {
  static constexpr int max_dim = 1;
  device::HingeView hinge;
  int lane = 0;
  unsigned int mask = 0;  // the group's 16 lanes of the warp

  __device__ void operator()(const float* x, float* s) const {
    const float2* pairs = reinterpret_cast<const float2*>(hinge.pairs);
    float sum = 0.0f;
#pragma unroll 4
    for (int j = lane; j < hinge.units; j += kGroupLanes) {
      const float2 pair = pairs[j];
      sum = device::hinge_term(x[0], pair.x, pair.y, sum);
    }
    // Lane p and lane p ^ offset add the same two values (addition commutes exactly), so after
    // offsets 8, 4, 2, 1 every lane holds fold_partial_sums' total.
#pragma unroll
    for (int offset = kGroupLanes / 2; offset > 0; offset /= 2) {
      sum += __shfl_xor_sync(mask, sum, offset);
    }
    s[0] = device::hinge_finish(hinge, x[0], sum);
  }
};

__global__ void __launch_bounds__(kGroupBlock)
    hinge_group_chains_kernel(device::HingeView hinge, bool copy, device::ChainWork work) {
  extern __shared__ float4 staged_pairs[];
  const device::HingeView local = stage_pairs(hinge, copy, staged_pairs);
  const long long thread = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  const long long chain = thread / kGroupLanes;
  // Whole groups leave together: the shuffles below only ever name lanes that stay.
  if (chain >= work.count()) return;
  const int lane = static_cast<int>(threadIdx.x % kGroupLanes);
  const unsigned int mask = 0xFFFFu << (threadIdx.x & 16u);
  // The group's threads store the same bits to the same places; only lane 0 counts a diverged
  // chain, so that it is counted once.
  device::ChainWork own = work;
  if (lane != 0) own.config.divergence = nullptr;
  own(HingeLaneScore{local, lane, mask}, chain);
}

/// Whether the pairs fit in a block's shared memory (opting in past 48 KB), and the bytes the
/// launch gives a block.
struct PairsPlan {
  int bytes = 0;
  bool copy = false;
};

template <class Kernel>
PairsPlan pairs_plan(const device::HingeView& hinge, Kernel kernel) {
  PairsPlan plan;
  const long long bytes = static_cast<long long>(hinge.units) * 2 * sizeof(float);
  plan.copy = bytes <= device_attribute(cudaDevAttrMaxSharedMemoryPerBlockOptin);
  plan.bytes = plan.copy ? static_cast<int>(bytes) : 0;
  if (plan.bytes > 48 * 1024) {
    LANGEVIN_CUDA_CHECK(
        cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, plan.bytes));
  }
  return plan;
}

}  // namespace
}  // namespace kernels

namespace cuda_backend {

void sample_hinge(const device::HingeView& hinge, const device::ChainConfig& config,
                  Stream stream) {
  if (config.chains <= 0) return;
  const device::ChainWork work{config};
  // One thread a chain leaves the GPU mostly idle below ~64 chains an SM (fewer than two warps
  // a scheduler); a group of 16 threads a chain is then several times faster per chain.
  if (config.chains < 64ll * kernels::multiprocessors()) {
    const kernels::PairsPlan plan = kernels::pairs_plan(hinge, kernels::hinge_group_chains_kernel);
    const long long threads = config.chains * kernels::kGroupLanes;
    const auto blocks =
        static_cast<unsigned int>((threads + kernels::kGroupBlock - 1) / kernels::kGroupBlock);
    kernels::hinge_group_chains_kernel<<<blocks, kernels::kGroupBlock, plan.bytes, stream>>>(
        hinge, plan.copy, work);
    LANGEVIN_CUDA_CHECK_LAUNCH("hinge_group_chains_kernel");
    return;
  }
  using Staging = kernels::StageHingePairs;
  const kernels::PairsPlan plan =
      kernels::pairs_plan(hinge, device::items_kernel<Staging, device::ChainWork>);
  device::items_kernel<<<device::item_blocks(config.chains), device::kChainsPerBlock, plan.bytes,
                         stream>>>(Staging{hinge, plan.copy}, work);
  LANGEVIN_CUDA_CHECK_LAUNCH("items_kernel (hinge)");
}

void score_hinge(const device::HingeView& hinge, const float* points, float* scores, long long n,
                 Stream stream) {
  if (n <= 0) return;
  const kernels::ScoreWork work{points, scores, n, 1};
  using Staging = kernels::StageHingePairs;
  const kernels::PairsPlan plan =
      kernels::pairs_plan(hinge, device::items_kernel<Staging, kernels::ScoreWork>);
  device::items_kernel<<<device::item_blocks(n), device::kChainsPerBlock, plan.bytes, stream>>>(
      Staging{hinge, plan.copy}, work);
  LANGEVIN_CUDA_CHECK_LAUNCH("items_kernel (hinge)");
}

}  // namespace cuda_backend
}  // namespace langevin
