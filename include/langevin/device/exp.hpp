#pragma once
/// \file
/// e^x in float, the library's own: cephes' expf written with FMAs and IEEE operations only, so
/// that the CPU and the GPU compute the same bits, and so that the CPU can run it on vectors of
/// chains (generic over the operations' policy, float_ops.hpp). Within 1 ulp of the exact value
/// where e^x is a normal float (tests/exp_test.cpp); +∞ above 88.7228317, 0 below −87.3365402
/// (where it would be subnormal: the activation that uses it only adds it to 1), NaN for NaN.

#include <langevin/device/config.hpp>
#include <langevin/device/float_ops.hpp>

namespace langevin::device {

template <class Ops>
LANGEVIN_HD typename Ops::Float exp_of(typename Ops::Float x) {
  using F = typename Ops::Float;
  // k = round(x·log₂e), as a float and in the low bits of t (1.5·2²³ + k, for |k| < 2²²).
  constexpr float kRound = 12582912.0f;
  const F t = Ops::fma(x, Ops::splat(1.44269504088896341f), Ops::splat(kRound));
  const F k = t - Ops::splat(kRound);
  // r = x − k ln 2, with ln 2 in two parts (Cody–Waite): |r| ≤ ½ ln 2.
  F r = Ops::fma(k, Ops::splat(-0.693359375f), x);
  r = Ops::fma(k, Ops::splat(2.12194440e-4f), r);
  // e^r = 1 + r + r² P(r) (cephes).
  const F z = r * r;
  F p = Ops::splat(1.9875691500e-4f);
  p = Ops::fma(p, r, Ops::splat(1.3981999507e-3f));
  p = Ops::fma(p, r, Ops::splat(8.3334519073e-3f));
  p = Ops::fma(p, r, Ops::splat(4.1665795894e-2f));
  p = Ops::fma(p, r, Ops::splat(1.6666665459e-1f));
  p = Ops::fma(p, r, Ops::splat(5.0000001201e-1f));
  const F e_r = Ops::fma(p, z, r) + Ops::splat(1.0f);
  // × 2^k: k added to the exponent field (unsigned arithmetic: wraps, never undefined).
  const F scaled = Ops::from_bits(Ops::bits(e_r) + ((Ops::bits(t) - 0x4B400000u) << 23));
  // The ends, as exact floats: above the largest x whose e^x is below FLT_MAX (there k = 128 and
  // e^r < 1; at the next float up e^r ≥ 1 would carry into the exponent's all-ones pattern,
  // NaN), and below the smallest x whose e^x is normal (k = −126 and e^r ≥ 1).
  const F above = Ops::select(x > Ops::splat(88.72283172607421875f), Ops::splat(INFINITY), scaled);
  const F below = Ops::select(x < Ops::splat(-87.33654022216796875f), Ops::splat(0.0f), above);
  return Ops::select(x != x, x, below);  // NaN stays NaN
}

}  // namespace langevin::device
