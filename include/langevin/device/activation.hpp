#pragma once
/// \file
/// The hidden activations, as compile-time choices so that the fused loops carry no branch.

#include <langevin/activation.hpp>
#include <langevin/device/elementary.hpp>
#include <langevin/device/exp.hpp>
#include <langevin/device/log.hpp>
#include <langevin/device/math.hpp>
#include <langevin/device/tanh.hpp>

#include <type_traits>

namespace langevin::device {

/// φ(v) in float through the library's own exp, log1p and tanh (exp.hpp, log.hpp, tanh.hpp),
/// generic over float_ops.hpp's policies: the same bits on the CPU, the GPU and the CPU's lane
/// vectors of chains (mlp_lanes.hpp's lane_activate), and no call into a math library, so that
/// the host compiler can vectorise loops over it.
template <Activation A, class Ops>
LANGEVIN_HD typename Ops::Float activate_of(typename Ops::Float v) {
  using F = typename Ops::Float;
  const F zero = Ops::splat(0.0f);
  if constexpr (A == Activation::Relu) {
    // max(v, 0) by the select's rule, not fmaxf's: the host compiler vectorises it (fmaxf's NaN
    // rules keep it scalar), and NaN still maps to 0 as with fmaxf.
    return Ops::max(v, zero);
  } else if constexpr (A == Activation::Softplus) {
    // log(1 + e^v) = max(v, 0) + log(1 + e^{−|v|}): no overflow for large v, and for very
    // negative v log1p keeps the tiny e^v's relative accuracy. NaN: e^{−|v|} and its log1p are
    // NaN.
    return Ops::max(v, zero) + log1p_of<Ops>(exp_of<Ops>(-abs_of<Ops>(v)));
  } else if constexpr (A == Activation::Tanh) {
    return tanh_of<Ops>(v);
  } else {  // Silu: v·sigmoid(v); for v → −∞, e^{−v} = inf and the quotient is −0, as it should be.
    return v / (Ops::splat(1.0f) + exp_of<Ops>(-v));
  }
}

/// φ(v): in float activate_of's; in double (the tests' references) the same formulas through
/// the math library (elementary.hpp).
template <Activation A, class Real>
LANGEVIN_HD Real activate(Real v) {
  if constexpr (std::is_same_v<Real, float>) {
    return activate_of<A, ScalarOps>(v);
  } else if constexpr (A == Activation::Relu) {
    return v > Real(0) ? v : Real(0);
  } else if constexpr (A == Activation::Softplus) {
    return (v > Real(0) ? v : Real(0)) + math::log1p(math::exp(-math::abs(v)));
  } else if constexpr (A == Activation::Tanh) {
    return math::tanh(v);
  } else {
    return v / (Real(1) + math::exp(-v));
  }
}

/// φ(v), φ'(v) and φ''(v) together, for training: the forward pass needs φ and φ' (tangents),
/// the backward pass φ' and φ'' (the tangents' own derivative). In float the functions are the
/// library's (elementary.hpp), inline and branch-free, so the CPU's elementwise training passes
/// vectorise them (a call per element into the math library's expf keeps a loop scalar).
template <Activation A, class Real>
LANGEVIN_HD void activate_with_derivatives(Real v, Real& value, Real& first, Real& second) {
  if constexpr (A == Activation::Relu) {
    value = v > Real(0) ? v : Real(0);
    first = v > Real(0) ? Real(1) : Real(0);
    second = Real(0);  // zero away from the kink, where the derivative is taken
  } else if constexpr (A == Activation::Softplus) {
    const Real e = math::exp(-math::abs(v));
    // One division of a selected numerator: a select between two quotients is a branch to the
    // host compiler (it does not evaluate a division speculatively), which keeps loops scalar.
    const Real sigmoid = (v >= Real(0) ? Real(1) : e) / (Real(1) + e);
    value = (v > Real(0) ? v : Real(0)) + math::log1p(e);
    first = sigmoid;
    second = sigmoid * (Real(1) - sigmoid);
  } else if constexpr (A == Activation::Tanh) {
    const Real t = math::tanh(v);
    value = t;
    first = Real(1) - t * t;
    second = Real(-2) * t * first;
  } else {  // Silu: v σ(v); φ' = σ + v σ(1 − σ); φ'' = σ(1 − σ)(2 + v(1 − 2σ))
    const Real e = math::exp(-v);
    const Real sigmoid = Real(1) / (Real(1) + e);
    const Real spread = sigmoid * (Real(1) - sigmoid);
    value = v * sigmoid;
    first = sigmoid + v * spread;
    second = spread * (Real(2) + v * (Real(1) - Real(2) * sigmoid));
  }
}

}  // namespace langevin::device
