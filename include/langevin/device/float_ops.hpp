#pragma once
/// \file
/// The operations the library's own elementary functions (exp.hpp, box_muller.hpp) are written
/// in, as a policy type: ScalarOps on float and 32-bit words, for both backends; the CPU's
/// LaneOps (lane_ops.hpp) on vectors of chains. Each operation is IEEE (or exact) on every
/// target, so that one source computes the same bits everywhere.

#include <langevin/device/config.hpp>
#include <langevin/device/math.hpp>

namespace langevin::device {

/// float and unsigned int, on both backends.
struct ScalarOps {
  using Float = float;
  using Word = unsigned int;   // a uniform 32-bit word
  using Int = int;             // a signed 32-bit integer
  LANGEVIN_HD static Float fma(Float a, Float b, Float c) { return math::fma(a, b, c); }
  LANGEVIN_HD static Float sqrt(Float a) { return sqrtf(a); }
  LANGEVIN_HD static Float splat(float a) { return a; }
  /// a > b ? a : b: a NaN a, or equal operands, give b (the rule of x86's maxps).
  LANGEVIN_HD static Float max(Float a, Float b) { return a > b ? a : b; }
  LANGEVIN_HD static Float from_word(Word a) { return static_cast<float>(a); }
  LANGEVIN_HD static Float from_int(Int a) { return static_cast<float>(a); }
  LANGEVIN_HD static Word bits(Float a) {
#if defined(__CUDA_ARCH__)
    return __float_as_uint(a);
#else
    return __builtin_bit_cast(unsigned int, a);
#endif
  }
  LANGEVIN_HD static Float from_bits(Word a) {
#if defined(__CUDA_ARCH__)
    return __uint_as_float(a);
#else
    return __builtin_bit_cast(float, a);
#endif
  }
  LANGEVIN_HD static Int to_int(Word a) { return static_cast<int>(a); }  // two's complement
  /// mask ? a : b (for lane vectors, lane by lane: every select goes through the policy).
  template <class T>
  LANGEVIN_HD static T select(bool mask, T a, T b) { return mask ? a : b; }
};

/// The float with the magnitude of `magnitude` (≥ 0 or NaN) and the sign bit of `sign`.
template <class Ops>
LANGEVIN_HD typename Ops::Float with_sign_of(typename Ops::Float magnitude,
                                             typename Ops::Float sign) {
  return Ops::from_bits(Ops::bits(magnitude) | (Ops::bits(sign) & 0x80000000u));
}

/// |x|, by clearing the sign bit (exact; NaN stays NaN).
template <class Ops>
LANGEVIN_HD typename Ops::Float abs_of(typename Ops::Float x) {
  return Ops::from_bits(Ops::bits(x) & 0x7FFFFFFFu);
}

}  // namespace langevin::device
