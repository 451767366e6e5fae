#pragma once
/// \file
/// The hidden activations, as compile-time choices so that the fused loops carry no branch.

#include <langevin/activation.hpp>
#include <langevin/device/math.hpp>

namespace langevin::device {

template <Activation A, class Real>
LANGEVIN_HD Real activate(Real v) {
  if constexpr (A == Activation::Relu) {
    // A select, not fmaxf: the host compiler vectorises it (fmaxf's NaN rules keep it scalar),
    // and NaN still maps to 0 as with fmaxf.
    return v > Real(0) ? v : Real(0);
  } else if constexpr (A == Activation::Softplus) {
    // log(1 + e^v) without overflow for large v and without cancellation for very negative v.
    return (v > Real(0) ? v : Real(0)) + math::log1p(math::exp(-math::abs(v)));
  } else if constexpr (A == Activation::Tanh) {
    return math::tanh(v);
  } else {  // Silu: v·sigmoid(v); for v → −∞, e^{−v} = inf and the quotient is −0, as it should be.
    return v / (Real(1) + math::exp(-v));
  }
}

}  // namespace langevin::device
