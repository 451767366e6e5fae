// The CPU backend's Gaussian-mixture entry points: the instantiation of the mixture's dimension
// tier (cpu/gmm.hpp).

#include "cpu/gmm.hpp"
#include "cpu/lanes.hpp"
#include "dispatch.hpp"

namespace langevin::cpu_backend {
namespace lanes {

void sample_gmm(const device::GmmView& gmm, const device::ChainConfig& config) {
  detail::with_max_dim(gmm.dim, [&](auto max_dim) { sample_gmm_tier<max_dim()>(gmm, config); });
}

void score_gmm(const device::GmmView& gmm, const float* points, float* scores, long long n) {
  detail::with_max_dim(gmm.dim, [&](auto max_dim) {
    score_gmm_tier<max_dim()>(gmm, points, scores, n);
  });
}

}  // namespace lanes
}  // namespace langevin::cpu_backend
