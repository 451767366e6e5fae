#pragma once
// Runtime values → template instantiations. The fused code keeps a chain's state in registers,
// which needs its size at compile time: dimensions are rounded up to the next of a few tiers
// (up to device::kRegisterDim; two larger tiers loop at run time).

#include <langevin/activation.hpp>
#include <langevin/error.hpp>

#include <string>
#include <type_traits>

namespace langevin::detail {

template <int N>
using IntConstant = std::integral_constant<int, N>;

/// The largest tier: the public kMaxSamplerDim (sampler.hpp, which checks that they agree; not
/// included here so that the CPU backend's slow-to-compile files do not depend on it).
constexpr int kLargestDimTier = 1024;

/// Calls f(IntConstant<MaxDim>{}) with the smallest tier MaxDim ≥ dim.
template <class F>
decltype(auto) with_max_dim(int dim, F&& f) {
  if (dim <= 1) return f(IntConstant<1>{});
  if (dim <= 2) return f(IntConstant<2>{});
  if (dim <= 4) return f(IntConstant<4>{});
  if (dim <= 8) return f(IntConstant<8>{});
  if (dim <= 16) return f(IntConstant<16>{});
  if (dim <= 32) return f(IntConstant<32>{});
  if (dim <= 64) return f(IntConstant<64>{});
  // Past device::kRegisterDim: run-time loops, vectors in local memory.
  if (dim <= 256) return f(IntConstant<256>{});
  if (dim <= kLargestDimTier) return f(IntConstant<kLargestDimTier>{});
  throw InvalidInput("dimension " + std::to_string(dim) + " exceeds the fused sampler's limit of " +
                     std::to_string(kLargestDimTier));
}

template <Activation A>
using ActivationConstant = std::integral_constant<Activation, A>;

/// Calls f(ActivationConstant<activation>{}).
template <class F>
decltype(auto) with_activation(Activation activation, F&& f) {
  switch (activation) {
    case Activation::Relu: return f(ActivationConstant<Activation::Relu>{});
    case Activation::Softplus: return f(ActivationConstant<Activation::Softplus>{});
    case Activation::Tanh: return f(ActivationConstant<Activation::Tanh>{});
    case Activation::Silu: return f(ActivationConstant<Activation::Silu>{});
  }
  throw InvalidInput("unknown activation " + std::to_string(static_cast<int>(activation)));
}

}  // namespace langevin::detail
