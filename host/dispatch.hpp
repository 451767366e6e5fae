#pragma once
// Runtime values → template instantiations. The fused code keeps a chain's state in registers,
// which needs its size at compile time: dimensions are rounded up to the next of a few tiers
// (up to device::kRegisterDim; two larger tiers loop at run time).

#include <langevin/activation.hpp>
#include <langevin/error.hpp>
#include <langevin/sampler.hpp>

#include <string>
#include <type_traits>

namespace langevin::detail {

template <int N>
using IntConstant = std::integral_constant<int, N>;

/// Calls f(IntConstant<MaxDim>{}) with the smallest tier MaxDim ≥ dim.
template <class F>
decltype(auto) with_max_dim(int dim, F&& f) {
  static_assert(kMaxSamplerDim == 1024, "tiers below end at kMaxSamplerDim");
  if (dim <= 1) return f(IntConstant<1>{});
  if (dim <= 2) return f(IntConstant<2>{});
  if (dim <= 4) return f(IntConstant<4>{});
  if (dim <= 8) return f(IntConstant<8>{});
  if (dim <= 16) return f(IntConstant<16>{});
  if (dim <= 32) return f(IntConstant<32>{});
  if (dim <= 64) return f(IntConstant<64>{});
  // Past device::kRegisterDim: run-time loops, vectors in local memory.
  if (dim <= 256) return f(IntConstant<256>{});
  if (dim <= 1024) return f(IntConstant<1024>{});
  throw InvalidInput("dimension " + std::to_string(dim) + " exceeds the fused sampler's limit of " +
                     std::to_string(kMaxSamplerDim));
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
