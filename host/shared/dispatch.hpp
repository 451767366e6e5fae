#pragma once
// Runtime values → template instantiations, over the activations and dimension tiers this build
// has (generated/kernel_lists.hpp, from LANGEVIN_ACTIVATIONS and LANGEVIN_DIM_TIERS). The fused
// code keeps a chain's state in registers, which needs its size at compile time: dimensions are
// rounded up to the next tier (up to device::kRegisterDim; larger tiers loop at run time).
// Shared by the CPU backend (host/) and the kernels (cuda/).

#include "kernel_lists.hpp"

#include <langevin/activation.hpp>
#include <langevin/error.hpp>

#include <string>
#include <type_traits>

namespace langevin::detail {

template <int N>
using IntConstant = std::integral_constant<int, N>;

/// The largest tier: the sampler's limit on d in this build (at most the public kMaxSamplerDim).
constexpr int kLargestDimTier = LANGEVIN_LARGEST_DIM_TIER;

/// Calls f(IntConstant<MaxDim>{}) with the smallest tier MaxDim ≥ dim.
template <class F>
decltype(auto) with_max_dim(int dim, F&& f) {
#define LANGEVIN_TIER_CASE(N) \
  if (dim <= (N)) return f(IntConstant<(N)>{});
  LANGEVIN_FOR_EACH_DIM_TIER(LANGEVIN_TIER_CASE)
#undef LANGEVIN_TIER_CASE
  throw InvalidInput("dimension " + std::to_string(dim) + " exceeds the fused sampler's limit of " +
                     std::to_string(kLargestDimTier) + " in this build (LANGEVIN_DIM_TIERS = " +
                     LANGEVIN_DIM_TIERS_TEXT + ")");
}

/// The likelihood's limit on the score functor's width (d for a mixture, d + 1 for a
/// noise-conditional network's input).
constexpr int kLargestLikelihoodTier = 1024;

/// Calls f(IntConstant<MaxDim>{}) with the likelihood's smallest tier MaxDim ≥ dim: 16, 64 or
/// 1024. Its per-point arrays are sized at compile time, as the sampler's; three tiers, compiled
/// as loops (LANGEVIN_NO_FORCED_UNROLL), since the adaptive steps' bookkeeping and not the
/// register file bounds its speed, and the build stays short.
template <class F>
decltype(auto) with_likelihood_dim(int dim, F&& f) {
  if (dim <= 16) return f(IntConstant<16>{});
  if (dim <= 64) return f(IntConstant<64>{});
  if (dim <= kLargestLikelihoodTier) return f(IntConstant<kLargestLikelihoodTier>{});
  throw InvalidInput("dimension " + std::to_string(dim) + " exceeds the likelihood's limit of " +
                     std::to_string(kLargestLikelihoodTier));
}

template <Activation A>
using ActivationConstant = std::integral_constant<Activation, A>;

/// Calls f(ActivationConstant<activation>{}).
template <class F>
decltype(auto) with_activation(Activation activation, F&& f) {
  switch (activation) {
#define LANGEVIN_ACTIVATION_CASE(A) \
  case Activation::A:               \
    return f(ActivationConstant<Activation::A>{});
    LANGEVIN_FOR_EACH_ACTIVATION(LANGEVIN_ACTIVATION_CASE)
#undef LANGEVIN_ACTIVATION_CASE
    default:
      break;
  }
  throw InvalidInput("activation = " + std::string(to_string(activation)) +
                     ": this build leaves it out (LANGEVIN_ACTIVATIONS = " +
                     LANGEVIN_ACTIVATIONS_TEXT + ")");
}

}  // namespace langevin::detail
