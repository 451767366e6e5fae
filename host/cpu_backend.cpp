// The CPU backend: the same device/ code as the GPU, one chain (or point) per loop iteration,
// OpenMP across iterations. The MLP paths live in cpu_mlp.hpp, compiled per activation.

#include "backends.hpp"
#include "cpu_mlp.hpp"
#include "dispatch.hpp"

#include <langevin/device/gmm.hpp>
#include <langevin/device/run_cpu.hpp>

namespace langevin::backends {

void sample_gmm_cpu(const device::GmmView& gmm, const device::ChainConfig& config) {
  detail::with_max_dim(gmm.dim, [&](auto max_dim) {
    if (config.levels > 0) {
      device::run_chains_cpu(device::GmmNoiseScore<max_dim()>{gmm}, config);
    } else {
      device::run_chains_cpu(device::GmmScore<max_dim()>{gmm}, config);
    }
  });
}

void sample_mlp_cpu(const device::MlpView& net, Activation activation,
                    const device::ChainConfig& config) {
  detail::with_activation(activation, [&](auto act) { sample_mlp_cpu_with<act()>(net, config); });
}

void score_gmm_cpu(const device::GmmView& gmm, const float* points, float* scores, long long n) {
  detail::with_max_dim(gmm.dim, [&](auto max_dim) {
    cpu_points::score_points(device::GmmScore<max_dim()>{gmm}, gmm.dim, points, scores, n,
                                 device::NoThreadSetup{});
  });
}

void score_mlp_cpu(const device::MlpView& net, Activation activation, const float* points,
                   float* scores, long long n, float sigma) {
  detail::with_activation(activation, [&](auto act) {
    score_mlp_cpu_with<act()>(net, points, scores, n, sigma);
  });
}

}  // namespace langevin::backends
