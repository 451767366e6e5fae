#pragma once
/// \file
/// tanh in float, the library's own: cephes' tanhf with FMAs and the library's exp, generic over
/// float_ops.hpp's policies (the same bits on the CPU, the GPU and the CPU's lane vectors, as
/// exp.hpp). Within 2.5 ulp of the exact value (tests/activation_math_test.cpp).

#include <langevin/device/config.hpp>
#include <langevin/device/exp.hpp>
#include <langevin/device/float_ops.hpp>

namespace langevin::device {

template <class Ops>
LANGEVIN_HD typename Ops::Float tanh_of(typename Ops::Float x) {
  using F = typename Ops::Float;
  // tanh is odd: computed on |x|, then given x's sign bit (so tanh(−0) = −0).
  const F a = abs_of<Ops>(x);
  // |x| < 0.625: a + a·z·P(z), z = a² (cephes' coefficients).
  const F z = a * a;
  F p = Ops::splat(-5.70498872745e-3f);
  p = Ops::fma(p, z, Ops::splat(2.06390887954e-2f));
  p = Ops::fma(p, z, Ops::splat(-5.37397155531e-2f));
  p = Ops::fma(p, z, Ops::splat(1.33314422036e-1f));
  p = Ops::fma(p, z, Ops::splat(-3.33332819422e-1f));
  const F near_zero = Ops::fma(p * z, a, a);
  // Otherwise 1 − 2/(e^{2|x|} + 1): no cancellation there (the result is ≥ 0.55), and for
  // |x| > 44.4 the exp is +∞ and the result exactly 1.
  const F e = exp_of<Ops>(a + a);
  const F far = Ops::splat(1.0f) - Ops::splat(2.0f) / (e + Ops::splat(1.0f));
  return with_sign_of<Ops>(Ops::select(a < Ops::splat(0.625f), near_zero, far), x);
}

}  // namespace langevin::device
