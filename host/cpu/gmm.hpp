#pragma once
// The CPU backend's Gaussian mixture for one dimension tier: declared here, defined in
// cpu/gmm_tiers.hpp and instantiated in the generated sources (cpu/gmm_tiers.cpp.in).

#include <langevin/device/chain.hpp>
#include <langevin/device/gmm.hpp>

namespace langevin::cpu_backend {

template <int MaxDim>
void sample_gmm_tier(const device::GmmView& gmm, const device::ChainConfig& config);
template <int MaxDim>
void score_gmm_tier(const device::GmmView& gmm, const float* points, float* scores, long long n);

}  // namespace langevin::cpu_backend
