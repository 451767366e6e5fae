// The CPU backend: the same device/ code as the GPU, over OpenMP threads: mixtures in blocks of
// 16 chains (the noise vectorised) or, for MALA and the widest tiers, one chain per iteration.
// The MLP paths live in cpu_mlp.hpp, compiled per activation; the hinge form in cpu_hinge.cpp.

#include "backends.hpp"
#include "cpu_mlp.hpp"
#include "dispatch.hpp"

#include <langevin/device/gmm.hpp>
#include <langevin/device/run_cpu.hpp>

namespace langevin::backends {

void sample_gmm_cpu(const device::GmmView& gmm, const device::ChainConfig& config) {
  detail::with_max_dim(gmm.dim, [&](auto max_dim) {
    if constexpr (max_dim() <= device::kRegisterDim) {
      // Blocks of 16 chains: the noise for all 16 at once, the mixture's score chain by chain.
      constexpr int kLanes = 16;
      if (!config.metropolis) {
        if (config.levels > 0) {
          using Score = device::PerLaneScore<device::GmmNoiseScore<max_dim()>, kLanes>;
          device::run_chains_cpu_lanes(Score{{gmm}}, config);
        } else {
          using Score = device::PerLaneScore<device::GmmScore<max_dim()>, kLanes>;
          device::run_chains_cpu_lanes(Score{{gmm}}, config);
        }
        return;
      }
    }
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
