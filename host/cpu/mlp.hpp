#pragma once
// The CPU backend's MLP chains and scores for one activation and dimension tier: declared here,
// defined in cpu/mlp_tiers.hpp and instantiated in the generated sources, so that the
// dispatch (cpu/mlp.cpp) compiles none of them itself.

#include <langevin/activation.hpp>
#include <langevin/device/chain.hpp>
#include <langevin/device/mlp.hpp>

namespace langevin::cpu_backend {

template <Activation A, int MaxDim>
void sample_mlp_tier(const device::MlpView& net, const device::ChainConfig& config);
template <Activation A, int MaxDim>
void score_mlp_tier(const device::MlpView& net, const float* points, float* scores, long long n,
                    float sigma);

}  // namespace langevin::cpu_backend
