// The CPU backend's MLP entry points: the activation's instantiation (cpu/mlp.hpp).

#include "cpu/mlp.hpp"

namespace langevin::cpu_backend {

void sample_mlp(const device::MlpView& net, Activation activation,
                const device::ChainConfig& config) {
  detail::with_activation(activation, [&](auto act) { sample_mlp_with<act()>(net, config); });
}

void score_mlp(const device::MlpView& net, Activation activation, const float* points,
               float* scores, long long n, float sigma) {
  detail::with_activation(activation,
                          [&](auto act) { score_mlp_with<act()>(net, points, scores, n, sigma); });
}

}  // namespace langevin::cpu_backend
