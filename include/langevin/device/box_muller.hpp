#pragma once
/// \file
/// Box–Muller: two standard normals from two uniform 32-bit words, with the library's own log and
/// sine/cosine, written with explicit fused multiply-adds and IEEE operations only (no math
/// library), so that the CPU and the GPU compute the same bits, and so that the CPU can run the
/// very same code on a vector of chains (normal_lanes.hpp).
///
///   u = (a + ½)·2⁻³² ∈ (0, 1],   θ = 2π (b + ½)·2⁻³²,   (r cos θ, r sin θ) with r = √(−2 log u).
///
/// log: cephes' logf (u = m·2^e with m ∈ [√½, √2); log(1 + x) = x − x²/2 + x³P(x); ln 2 in two
/// parts): within 2 ulp of the exact value. sin and cos: θ is reduced exactly, in integers, to
/// the nearest quarter turn q and a remainder φ ∈ [−π/4, π/4] (the quarter is the word's top
/// bits), then cephes' sinf/cosf polynomials: within 2 ulp (tests/noise_test.cpp checks both).
///
/// Generic over the value types through `Ops` (float_ops.hpp: ScalarOps, or the CPU's LaneOps on
/// vectors of chains): each operation rounds the same way on every target.

#include <langevin/device/config.hpp>
#include <langevin/device/float_ops.hpp>
#include <langevin/device/log.hpp>

namespace langevin::device {

namespace box_muller_detail {

/// cos θ and sin θ for θ = 2π (b + ½)·2⁻³², b a 32-bit word (a fraction of a turn).
template <class Ops>
LANGEVIN_HD void cos_sin_of_turns(typename Ops::Word b, typename Ops::Float& cosine,
                                  typename Ops::Float& sine) {
  using F = typename Ops::Float;
  using W = typename Ops::Word;
  // The nearest quarter turn q, and what is left of b beyond it, as a signed count in
  // [−2²⁹, 2²⁹): the reduction is exact, in integers, wrapping modulo a whole turn.
  const W quarter = ((b + 0x20000000u) >> 30) & 3u;
  const auto rest = Ops::to_int(b - (quarter << 30));
  constexpr float kTurnStep = 1.4629180792671596e-09f;  // 2π · 2⁻³²
  const F phi = Ops::fma(Ops::from_int(rest), Ops::splat(kTurnStep), Ops::splat(0.5f * kTurnStep));
  const F z = phi * phi;
  F ps = Ops::splat(-1.9515295891e-4f);
  ps = Ops::fma(ps, z, Ops::splat(8.3321608736e-3f));
  ps = Ops::fma(ps, z, Ops::splat(-1.6666654611e-1f));
  const F s = Ops::fma(ps * z, phi, phi);
  F pc = Ops::splat(2.443315711809948e-5f);
  pc = Ops::fma(pc, z, Ops::splat(-1.388731625493765e-3f));
  pc = Ops::fma(pc, z, Ops::splat(4.166664568298827e-2f));
  const F c = Ops::fma(pc * z, z, Ops::fma(Ops::splat(-0.5f), z, Ops::splat(1.0f)));
  // θ = qπ/2 + φ: odd quarters swap sine and cosine; the signs follow the quarter.
  const auto odd = (quarter & 1u) != 0u;
  const F cos_phi_or_sin = Ops::select(odd, s, c);
  const F sin_phi_or_cos = Ops::select(odd, c, s);
  const auto cos_negative = ((quarter + 1u) & 2u) != 0u;  // q = 1, 2
  const auto sin_negative = (quarter & 2u) != 0u;            // q = 2, 3
  cosine = Ops::select(cos_negative, -cos_phi_or_sin, cos_phi_or_sin);
  sine = Ops::select(sin_negative, -sin_phi_or_cos, sin_phi_or_cos);
}

}  // namespace box_muller_detail

/// Two standard normals from the uniform words a (radius) and b (angle).
template <class Ops>
LANGEVIN_HD void box_muller(typename Ops::Word a, typename Ops::Word b, typename Ops::Float& first,
                            typename Ops::Float& second) {
  using F = typename Ops::Float;
  constexpr float kTwoPow32Inv = 2.3283064365386963e-10f;
  // u ∈ (0, 1]: never 0, so the log is finite (|normal| ≤ 6.7).
  const F u = Ops::fma(Ops::from_word(a), Ops::splat(kTwoPow32Inv), Ops::splat(0.5f * kTwoPow32Inv));
  const F radius = Ops::sqrt(Ops::splat(-2.0f) * log_of<Ops>(u));
  F cosine, sine;
  box_muller_detail::cos_sin_of_turns<Ops>(b, cosine, sine);
  first = radius * cosine;
  second = radius * sine;
}

}  // namespace langevin::device
