#pragma once
/// \file
/// log and log1p in float, the library's own: cephes' logf written with FMAs and IEEE operations
/// only, so that the CPU and the GPU compute the same bits and the CPU can run them on vectors of
/// chains (generic over float_ops.hpp's policies, as exp.hpp). log within 2 ulp of the exact
/// value; log1p too, plus the rounding of 1 + x above √2 − 1 (tests/activation_math_test.cpp,
/// tests/noise_test.cpp). Box–Muller takes log u, softplus log(1 + e^{−|v|}); elementary.hpp
/// makes them math::log and math::log1p in float.

#include <langevin/device/config.hpp>
#include <langevin/device/float_ops.hpp>

namespace langevin::device {

namespace log_detail {

/// exponent·ln 2 + log(1 + x) for x ∈ [√½ − 1, √2 − 1): cephes' polynomial, log(1 + x) =
/// x − x²/2 + x³P(x), and ln 2 in two parts (0.693359375 exact, so exponent·0.693359375 is exact).
template <class Ops>
LANGEVIN_HD typename Ops::Float log_near_one(typename Ops::Float x,
                                             typename Ops::Float exponent) {
  using F = typename Ops::Float;
  const F z = x * x;
  F p = Ops::splat(7.0376836292e-2f);
  p = Ops::fma(p, x, Ops::splat(-1.1514610310e-1f));
  p = Ops::fma(p, x, Ops::splat(1.1676998740e-1f));
  p = Ops::fma(p, x, Ops::splat(-1.2420140846e-1f));
  p = Ops::fma(p, x, Ops::splat(1.4249322787e-1f));
  p = Ops::fma(p, x, Ops::splat(-1.6668057665e-1f));
  p = Ops::fma(p, x, Ops::splat(2.0000714765e-1f));
  p = Ops::fma(p, x, Ops::splat(-2.4999993993e-1f));
  p = Ops::fma(p, x, Ops::splat(3.3333331174e-1f));
  F y = (p * x) * z;
  y = Ops::fma(Ops::splat(-2.12194440e-4f), exponent, y);  // ln 2 = 0.693359375 − 2.12194440e-4
  y = Ops::fma(Ops::splat(-0.5f), z, y);
  const F sum = x + y;
  return Ops::fma(Ops::splat(0.693359375f), exponent, sum);
}

/// u = 2^e (1 + x) with x ∈ [√½ − 1, √2 − 1), for a normal positive u: x exact, e an integer.
template <class Ops>
LANGEVIN_HD void split_log(typename Ops::Float u, typename Ops::Float& x,
                           typename Ops::Int& exponent) {
  using F = typename Ops::Float;
  using W = typename Ops::Word;
  const W bits = Ops::bits(u);
  // u = m·2^e with m ∈ [½, 1): the exponent field, and the mantissa with exponent −1.
  const auto e = Ops::to_int(bits >> 23) - 126;
  const F m = Ops::from_bits((bits & 0x007FFFFFu) | 0x3F000000u);
  // m < √½: take 2m (and e − 1), so that x = m − 1 ∈ [√½ − 1, √2 − 1). Both subtractions exact.
  const auto low = m < Ops::splat(0.70710678118654752f);
  x = Ops::select(low, (m + m) - Ops::splat(1.0f), m - Ops::splat(1.0f));
  exponent = Ops::select(low, e - 1, e);
}

}  // namespace log_detail

/// log u for a normal positive float u (no zero, subnormal, infinity or NaN). Its uses stay in
/// that range: Box–Muller's and MALA's uniform numbers (≥ 2⁻³³), the mixture's sum of weights
/// (≥ 1), and noise levels σ, which validation keeps to normal floats.
template <class Ops>
LANGEVIN_HD typename Ops::Float log_of(typename Ops::Float u) {
  typename Ops::Float x;
  typename Ops::Int exponent;
  log_detail::split_log<Ops>(u, x, exponent);
  return log_detail::log_near_one<Ops>(x, Ops::from_int(exponent));
}

/// log(1 + x) for x ∈ [0, 2¹²⁷) (and NaN → NaN). Below √2 − 1 the polynomial takes x itself,
/// so that a tiny x keeps its relative accuracy (1 + x would round it away); above, 1 + x
/// rounds by at most half an ulp of a number ≥ √2, whose log is ≥ 0.35: under an ulp of it.
template <class Ops>
LANGEVIN_HD typename Ops::Float log1p_of(typename Ops::Float x) {
  using F = typename Ops::Float;
  F reduced;
  typename Ops::Int exponent;
  log_detail::split_log<Ops>(x + Ops::splat(1.0f), reduced, exponent);
  const auto near_zero = x < Ops::splat(0.41421356237309505f);
  // The exponent, or 0 near zero, as a product with 0 or 1 (exact): GCC makes a select of it
  // (float or integer) a branch, which keeps loops over it scalar.
  const F keep = Ops::select(near_zero, Ops::splat(0.0f), Ops::splat(1.0f));
  const F result = log_detail::log_near_one<Ops>(Ops::select(near_zero, x, reduced),
                                                 Ops::from_int(exponent) * keep);
  return Ops::select(x != x, x, result);  // NaN stays NaN (its bits would split finite)
}

}  // namespace langevin::device
