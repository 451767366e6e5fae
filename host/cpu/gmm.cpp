// The CPU backend's Gaussian mixture: blocks of 16 chains (the noise vectorised, the score chain
// by chain) or, for MALA and the tiers past device::kRegisterDim, one chain per iteration.

#include "cpu/backend.hpp"
#include "cpu/chain_lanes.hpp"
#include "cpu/points.hpp"
#include "dispatch.hpp"

#include <langevin/device/gmm.hpp>
#include <langevin/device/run_cpu.hpp>

namespace langevin::cpu_backend {

void sample_gmm(const device::GmmView& gmm, const device::ChainConfig& config) {
  detail::with_max_dim(gmm.dim, [&](auto max_dim) {
    if constexpr (max_dim() <= device::kRegisterDim) {
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

void score_gmm(const device::GmmView& gmm, const float* points, float* scores, long long n) {
  detail::with_max_dim(gmm.dim, [&](auto max_dim) {
    cpu_points::score_points(device::GmmScore<max_dim()>{gmm}, gmm.dim, points, scores, n,
                             device::NoThreadSetup{});
  });
}

}  // namespace langevin::cpu_backend
