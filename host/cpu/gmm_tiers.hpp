#pragma once
// The CPU backend's Gaussian mixture of one dimension tier (cpu/gmm.hpp): blocks of 16 chains,
// noise and score vectorised across them (cpu/gmm_lanes.hpp), or, for the tiers past
// device::kRegisterDim, one chain per iteration.

#include "cpu/chain_lanes.hpp"
#include "cpu/gmm.hpp"
#include "cpu/gmm_lanes.hpp"
#include "cpu/points.hpp"

#include <langevin/device/gmm.hpp>
#include <langevin/device/run_cpu.hpp>

namespace langevin::cpu_backend {

template <int MaxDim>
void sample_gmm_tier(const device::GmmView& gmm, const device::ChainConfig& config) {
  if constexpr (MaxDim <= device::kRegisterDim) {
    if (config.levels > 0) {
      device::run_chains_cpu_lanes(device::GmmLanesScore<MaxDim, true>{gmm}, config);
    } else {
      device::run_chains_cpu_lanes(device::GmmLanesScore<MaxDim, false>{gmm}, config);
    }
  } else if (config.levels > 0) {
    device::run_chains_cpu(device::GmmNoiseScore<MaxDim>{gmm}, config);
  } else {
    device::run_chains_cpu(device::GmmScore<MaxDim>{gmm}, config);
  }
}

template <int MaxDim>
void score_gmm_tier(const device::GmmView& gmm, const float* points, float* scores, long long n) {
  cpu_points::score_points(device::GmmScore<MaxDim>{gmm}, gmm.dim, points, scores, n,
                           device::NoThreadSetup{});
}

}  // namespace langevin::cpu_backend
