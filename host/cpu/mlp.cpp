// The CPU backend's MLP entry points: the instantiation of the network's activation and tier
// (cpu/mlp.hpp; a noise-conditional network's input (x, log σ), of width d + 1, sets the tier).

#include "cpu/lanes.hpp"
#include "cpu/mlp.hpp"
#include "dispatch.hpp"

namespace langevin::cpu_backend {
namespace lanes {

void sample_mlp(const device::MlpView& net, Activation activation,
                const device::ChainConfig& config) {
  detail::with_activation(activation, [&](auto act) {
    detail::with_max_dim(net.width[0], [&](auto max_dim) {
      sample_mlp_tier<act(), max_dim()>(net, config);
    });
  });
}

void score_mlp(const device::MlpView& net, Activation activation, const float* points,
               float* scores, long long n, float sigma) {
  detail::with_activation(activation, [&](auto act) {
    detail::with_max_dim(net.width[0], [&](auto max_dim) {
      score_mlp_tier<act(), max_dim()>(net, points, scores, n, sigma);
    });
  });
}

}  // namespace lanes
}  // namespace langevin::cpu_backend
