// The Gaussian mixture's GPU entry points: the instantiation of the mixture's dimension tier
// (gmm.cuh).

#include "dispatch.hpp"
#include "gmm.cuh"

namespace langevin::cuda_backend {

void sample_gmm(const device::GmmView& gmm, const device::ChainConfig& config, Stream stream) {
  detail::with_max_dim(gmm.dim, [&](auto max_dim) {
    kernels::launch_gmm_chains<max_dim()>(gmm, device::ChainWork{config}, stream);
  });
}

void score_gmm(const device::GmmView& gmm, const float* points, float* scores, long long n,
               Stream stream) {
  const kernels::ScoreWork work{points, scores, n, gmm.dim};
  detail::with_max_dim(gmm.dim, [&](auto max_dim) {
    kernels::launch_gmm_scores<max_dim()>(gmm, work, stream);
  });
}

}  // namespace langevin::cuda_backend
