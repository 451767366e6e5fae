// The Gaussian mixture on the GPU: sampling and score evaluation through the generic kernel.

#include "backend.hpp"
#include "dispatch.hpp"
#include "work.cuh"

#include <langevin/device/run_cuda.cuh>

namespace langevin::cuda_backend {
namespace {

template <class Score, class Work>
__global__ void __launch_bounds__(device::kChainsPerBlock) gmm_items_kernel(Score score, Work work) {
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < work.count(); i += stride) {
    work(score, i);
  }
}

template <template <int> class Score, class Work>
void launch(const device::GmmView& gmm, const Work& work, Stream stream) {
  if (work.count() <= 0) return;
  detail::with_max_dim(gmm.dim, [&](auto max_dim) {
    using S = Score<max_dim()>;
    gmm_items_kernel<S, Work>
        <<<device::chain_blocks(work.count()), device::kChainsPerBlock, 0, stream>>>(S{gmm}, work);
    LANGEVIN_CUDA_CHECK_LAUNCH("gmm_items_kernel");
  });
}

}  // namespace

void sample_gmm(const device::GmmView& gmm, const device::ChainConfig& config, Stream stream) {
  // Annealing runs the convolved mixture at each level; MALA is chosen inside run_chain.
  if (config.levels > 0) {
    launch<device::GmmNoiseScore>(gmm, kernels::ChainWork{config}, stream);
  } else {
    launch<device::GmmScore>(gmm, kernels::ChainWork{config}, stream);
  }
}

void score_gmm(const device::GmmView& gmm, const float* points, float* scores, long long n,
               Stream stream) {
  launch<device::GmmScore>(gmm, kernels::ScoreWork{points, scores, n, gmm.dim}, stream);
}

}  // namespace langevin::cuda_backend
