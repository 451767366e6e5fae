#pragma once
/// \file
/// The hidden activations, as compile-time choices so that the fused loops carry no branch.

#include <langevin/activation.hpp>
#include <langevin/device/exp.hpp>
#include <langevin/device/math.hpp>

#include <type_traits>

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
    // In float the library's own exp (exp.hpp), the same bits on both backends and in the CPU's
    // blocks of chains (lane_activate); double (the tests' references) keeps the math library's.
    if constexpr (std::is_same_v<Real, float>) {
      return v / (1.0f + exp_of<ScalarOps>(-v));
    } else {
      return v / (Real(1) + math::exp(-v));
    }
  }
}

/// φ(v), φ'(v) and φ''(v) together, for training: the forward pass needs φ and φ' (tangents),
/// the backward pass φ' and φ'' (the tangents' own derivative).
template <Activation A, class Real>
LANGEVIN_HD void activate_with_derivatives(Real v, Real& value, Real& first, Real& second) {
  if constexpr (A == Activation::Relu) {
    value = v > Real(0) ? v : Real(0);
    first = v > Real(0) ? Real(1) : Real(0);
    second = Real(0);  // zero away from the kink, where the derivative is taken
  } else if constexpr (A == Activation::Softplus) {
    const Real e = math::exp(-math::abs(v));
    const Real sigmoid = v >= Real(0) ? Real(1) / (Real(1) + e) : e / (Real(1) + e);
    value = (v > Real(0) ? v : Real(0)) + math::log1p(e);
    first = sigmoid;
    second = sigmoid * (Real(1) - sigmoid);
  } else if constexpr (A == Activation::Tanh) {
    const Real t = math::tanh(v);
    value = t;
    first = Real(1) - t * t;
    second = Real(-2) * t * first;
  } else {  // Silu: v σ(v); φ' = σ + v σ(1 − σ); φ'' = σ(1 − σ)(2 + v(1 − 2σ))
    // In float the library's exp, as activate<Silu>: inline and branch-free, so that the CPU's
    // elementwise training passes vectorise it (the math library's expf, called per element,
    // took half of a SiLU network's training time).
    Real e;
    if constexpr (std::is_same_v<Real, float>) {
      e = exp_of<ScalarOps>(-v);
    } else {
      e = math::exp(-v);
    }
    const Real sigmoid = Real(1) / (Real(1) + e);
    const Real spread = sigmoid * (Real(1) - sigmoid);
    value = v * sigmoid;
    first = sigmoid + v * spread;
    second = spread * (Real(2) + v * (Real(1) - Real(2) * sigmoid));
  }
}

}  // namespace langevin::device
