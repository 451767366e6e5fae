#pragma once
/// \file
/// Lane vectors for the CPU backend's blocks of chains: 16 floats (or 32-bit words) as one value,
/// held as Google Highway vectors of the instruction set this file is compiled for (one AVX-512
/// register, two AVX2 registers or four NEON registers), with the lane-wise operations the
/// blocks use, and LaneOps, the policy through which the library's own elementary functions
/// (exp.hpp, log.hpp, box_muller.hpp, philox.hpp) run on them. Every lane rounds exactly as the
/// scalar code does: the same IEEE operations, fused multiply-adds where it fuses, and no
/// operation whose rounding depends on the instruction set (the unsigned conversion is built
/// from two exact ones for that reason).
///
/// Every operation on lanes goes through these types, selects and comparisons included: the
/// compiler's vector extensions lower them lane by lane on targets narrower than the value
/// (docs/PERFORMANCE.md, "The CPU's instruction sets").

#include <langevin/device/float_ops.hpp>
#include <langevin/device/math.hpp>
#include <langevin/device/philox.hpp>

// Highway picks the instruction set from the compiler's flags (its static target): the build
// compiles the lanes once per instruction set it dispatches to (docs/DEVELOPING.md). AES and
// PCLMUL, which the library does not use, are not asked of the AVX2 target.
#ifndef HWY_COMPILE_ONLY_STATIC
#define HWY_COMPILE_ONLY_STATIC 1
#endif
#ifndef HWY_DISABLE_PCLMUL_AES
#define HWY_DISABLE_PCLMUL_AES 1
#endif
// On Arm, NEON: Highway's SVE vectors are sizeless types, which cannot be held in the arrays of
// partial sums the blocks keep, and Grace's SVE2 is 128 bits wide, as NEON. Highway marks its
// Arm ops for its own runtime dispatch ("+crypto"), which code compiled without that feature
// cannot inline; saying the toolchain lacks <sys/auxv.h> turns that dispatch off.
#if defined(__aarch64__)
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SVE | HWY_SVE2 | HWY_SVE_256 | HWY_SVE2_128)
#endif
#ifndef TOOLCHAIN_MISS_SYS_AUXV_H
#define TOOLCHAIN_MISS_SYS_AUXV_H 1
#endif
#endif
#include <hwy/highway.h>

#include <cstdint>
#include <type_traits>

// Only an instruction set that fuses a·b + c gives the other backends' bits (ScalarOps::fma):
// x86 needs AVX2 with FMA (x86-64-v3), Arm any Armv8.
#if !HWY_NATIVE_FMA || HWY_TARGET == HWY_SCALAR || HWY_TARGET == HWY_EMU128
#error "the CPU backend's lanes need fused multiply-add vectors: build for x86-64-v3 or newer, or Armv8"
#endif

namespace langevin::device {

namespace lane_hwy = hwy::HWY_NAMESPACE;

/// Chains (floats) in one lane vector: blocks of more chains are several lane vectors.
constexpr int kVectorLanes = 16;

/// The instruction set the lanes are compiled for, as LANGEVIN_CPU_SIMD and `langevin info`
/// name it.
constexpr const char* lane_instruction_set() {
#if HWY_TARGET == HWY_AVX2
  return "avx2";
#elif HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  return "avx512";
#elif HWY_TARGET == HWY_NEON
  return "neon";
#else
#error "the CPU backend's lanes compile for AVX2, AVX-512 or NEON"
#endif
}

/// Which lanes a comparison holds for: one Highway mask per part.
struct LaneMask {
  using Tag = lane_hwy::ScalableTag<float>;
  static constexpr int kParts = kVectorLanes / static_cast<int>(HWY_LANES(float));
  lane_hwy::Mask<Tag> part[kParts];
};

/// 16 lanes of T (float, std::uint32_t or std::int32_t) as kParts vectors of the target.
template <class T>
struct LaneArray {
  using Tag = lane_hwy::ScalableTag<T>;
  using Part = lane_hwy::Vec<Tag>;
  static constexpr int kPartLanes = static_cast<int>(HWY_LANES(T));
  static constexpr int kParts = kVectorLanes / kPartLanes;
  static_assert(kParts * kPartLanes == kVectorLanes, "a whole number of vectors");
  Part part[kParts];

  static LaneArray splat(T value) {
    LaneArray r;
    for (int p = 0; p < kParts; ++p) r.part[p] = lane_hwy::Set(Tag(), value);
    return r;
  }
  /// Lanes 0 … 15 from values[0 … 15] (any alignment).
  static LaneArray load(const T* values) {
    LaneArray r;
    for (int p = 0; p < kParts; ++p) r.part[p] = lane_hwy::LoadU(Tag(), values + p * kPartLanes);
    return r;
  }
  void store(T* values) const {
    for (int p = 0; p < kParts; ++p) lane_hwy::StoreU(part[p], Tag(), values + p * kPartLanes);
  }
  /// f(part, part, …) for every part (of lane arrays of any 32-bit type).
  template <class F, class U, class... Rest>
  static LaneArray map(F f, const LaneArray<U>& a, const Rest&... rest) {
    LaneArray r;
    for (int p = 0; p < kParts; ++p) r.part[p] = f(a.part[p], rest.part[p]...);
    return r;
  }
};

using LaneFloats = LaneArray<float>;
using LaneWords = LaneArray<std::uint32_t>;
using LaneInts = LaneArray<std::int32_t>;

/// Lane vectors the register file holds: AVX-512's 32 registers hold one each, AVX2's 16 half
/// one, NEON's 32 a quarter. The lanes passes size their groups of running sums by it (half the
/// registers for the sums, the rest for operands): groups sized for AVX-512 spill on AVX2.
#if HWY_TARGET == HWY_AVX2
constexpr int kLaneRegisters = 16 / LaneFloats::kParts;
#else
constexpr int kLaneRegisters = 32 / LaneFloats::kParts;
#endif

/// Items of `vectors_each` lane vectors that `vectors` lane vectors hold (at least one).
constexpr int lane_items_in(int vectors, int vectors_each) {
  return vectors / vectors_each > 0 ? vectors / vectors_each : 1;
}

/// How many items of `vectors_each` lane vectors of running sums fit in half the registers (at
/// least one): the group size every lanes pass takes for its sums.
constexpr int lane_sum_group(int vectors_each) {
  return lane_items_in(kLaneRegisters / 2, vectors_each);
}

/// Units side by side in the deep pass (mlp_lanes.hpp), `blocks` lane vectors of running sums
/// each, every input's vectors loaded once for all of them. Half the registers, as
/// lane_sum_group, on AVX-512 and NEON; three quarters on AVX2 (3 units at 2 blocks: 12 of its
/// 16 registers), whose FMAs take the input as a memory operand, so that the sums need not leave
/// room for it: 12 dependent chains cover the FMAs' latency where 8 fell short
/// (docs/PERFORMANCE.md). NEON's FMAs take registers only; the one-hidden-layer pass gained
/// nothing from it on AVX2.
constexpr int lane_unit_group(int blocks) {
#if HWY_TARGET == HWY_AVX2
  return lane_items_in(3 * kLaneRegisters / 4, blocks);
#else
  return lane_sum_group(blocks);
#endif
}

/// The lane vector of `Lanes` chains (the backend uses 16).
template <int Lanes>
using LaneVector = std::enable_if_t<Lanes == kVectorLanes, LaneFloats>;

// Arithmetic, bitwise operations and comparisons, lane by lane, as on the scalar types; a
// scalar operand stands for every lane.
#define LANGEVIN_LANE_BINARY(op, fn)                                                        \
  template <class T>                                                                        \
  inline LaneArray<T> operator op(const LaneArray<T>& a, const LaneArray<T>& b) {          \
    return LaneArray<T>::map([](auto x, auto y) { return fn; }, a, b);                      \
  }                                                                                         \
  template <class T, class S, class = std::enable_if_t<std::is_arithmetic_v<S>>>           \
  inline LaneArray<T> operator op(const LaneArray<T>& a, S b) {                             \
    return a op LaneArray<T>::splat(static_cast<T>(b));                                     \
  }                                                                                         \
  template <class T, class S, class = std::enable_if_t<std::is_arithmetic_v<S>>>           \
  inline LaneArray<T> operator op(S a, const LaneArray<T>& b) {                             \
    return LaneArray<T>::splat(static_cast<T>(a)) op b;                                     \
  }                                                                                         \
  template <class T, class S>                                                               \
  inline LaneArray<T>& operator op##=(LaneArray<T>& a, const S& b) {                        \
    return a = a op b;                                                                      \
  }
LANGEVIN_LANE_BINARY(+, x + y)
LANGEVIN_LANE_BINARY(-, x - y)
LANGEVIN_LANE_BINARY(*, x * y)
LANGEVIN_LANE_BINARY(/, x / y)
LANGEVIN_LANE_BINARY(&, lane_hwy::And(x, y))
LANGEVIN_LANE_BINARY(|, lane_hwy::Or(x, y))
LANGEVIN_LANE_BINARY(^, lane_hwy::Xor(x, y))
#undef LANGEVIN_LANE_BINARY

template <class T>
inline LaneArray<T> operator-(const LaneArray<T>& a) {
  return LaneArray<T>::map([](auto x) { return lane_hwy::Neg(x); }, a);
}

/// Shifts of words by a count known where the operation is written.
inline LaneWords operator>>(const LaneWords& a, int bits) {
  return LaneWords::map([bits](auto x) { return lane_hwy::ShiftRightSame(x, bits); }, a);
}
inline LaneWords operator<<(const LaneWords& a, int bits) {
  return LaneWords::map([bits](auto x) { return lane_hwy::ShiftLeftSame(x, bits); }, a);
}

namespace lane_detail {
template <class T, class Compare>
inline LaneMask compare(const LaneArray<T>& a, const LaneArray<T>& b, Compare c) {
  LaneMask m;
  for (int p = 0; p < LaneMask::kParts; ++p) {
    m.part[p] = lane_hwy::RebindMask(LaneMask::Tag(), c(a.part[p], b.part[p]));
  }
  return m;
}
}  // namespace lane_detail

#define LANGEVIN_LANE_COMPARE(op)                                                          \
  template <class T>                                                                       \
  inline LaneMask operator op(const LaneArray<T>& a, const LaneArray<T>& b) {             \
    return lane_detail::compare(a, b, [](auto x, auto y) { return x op y; });             \
  }                                                                                        \
  template <class T, class S, class = std::enable_if_t<std::is_arithmetic_v<S>>>          \
  inline LaneMask operator op(const LaneArray<T>& a, S b) {                                \
    return a op LaneArray<T>::splat(static_cast<T>(b));                                    \
  }
LANGEVIN_LANE_COMPARE(<)
LANGEVIN_LANE_COMPARE(>)
LANGEVIN_LANE_COMPARE(==)
#undef LANGEVIN_LANE_COMPARE

/// a != b as C++ has it: true where either is NaN (Highway's Ne is the ordered comparison,
/// false there, and `x != x` is how the elementary functions find NaN).
template <class T>
inline LaneMask operator!=(const LaneArray<T>& a, const LaneArray<T>& b) {
  LaneMask m = a == b;
  for (int p = 0; p < LaneMask::kParts; ++p) m.part[p] = lane_hwy::Not(m.part[p]);
  return m;
}
template <class T, class S, class = std::enable_if_t<std::is_arithmetic_v<S>>>
inline LaneMask operator!=(const LaneArray<T>& a, S b) {
  return a != LaneArray<T>::splat(static_cast<T>(b));
}

/// Every lane of `value`: for the lanes code's templates, which take the vector type.
template <class V>
inline V splat(float value) {
  return V::splat(value);
}

/// a·b + c in every lane, rounded once.
inline LaneFloats lane_fma(const LaneFloats& a, const LaneFloats& b, const LaneFloats& c) {
  return LaneFloats::map([](auto x, auto y, auto z) { return lane_hwy::MulAdd(x, y, z); }, a, b, c);
}

/// a > b ? a : b in every lane (ScalarOps::max's rule: a NaN a, or equal operands, give b).
/// x86's maxps has that rule, one instruction; Highway leaves NaN lanes of Max to the target
/// (Arm's gives NaN), so elsewhere the select is written out.
inline LaneFloats lane_max(const LaneFloats& a, const LaneFloats& b) {
#if HWY_ARCH_X86
  return LaneFloats::map([](auto x, auto y) { return lane_hwy::Max(x, y); }, a, b);
#else
  return LaneFloats::map([](auto x, auto y) { return lane_hwy::IfThenElse(x > y, x, y); }, a, b);
#endif
}

/// box_muller.hpp's, exp.hpp's, log.hpp's and philox.hpp's operations on lane vectors.
template <int Lanes>
struct LaneOps {
  static_assert(Lanes == kVectorLanes, "the backend's lane vectors hold 16 chains");
  using Float = LaneFloats;
  using Word = LaneWords;
  using Int = LaneInts;

  static Float fma(const Float& a, const Float& b, const Float& c) { return lane_fma(a, b, c); }
  static Float sqrt(const Float& a) {  // IEEE: correctly rounded, as sqrtf
    return Float::map([](auto x) { return lane_hwy::Sqrt(x); }, a);
  }
  static Float splat(float a) { return Float::splat(a); }
  static Word splat_word(std::uint32_t a) { return Word::splat(a); }
  static Float max(const Float& a, const Float& b) { return lane_max(a, b); }
  /// The nearest float to each word (AVX-512 and NEON convert unsigned words; Highway builds
  /// AVX2's from the two exact halves and one fused multiply-add, which rounds once).
  static Float from_word(const Word& a) {
    return Float::map([](auto x) { return lane_hwy::ConvertTo(Float::Tag(), x); }, a);
  }
  static Float from_int(const Int& a) {
    return Float::map([](auto x) { return lane_hwy::ConvertTo(Float::Tag(), x); }, a);
  }
  static Word bits(const Float& a) {
    return Word::map([](auto x) { return lane_hwy::BitCast(Word::Tag(), x); }, a);
  }
  static Float from_bits(const Word& a) {
    return Float::map([](auto x) { return lane_hwy::BitCast(Float::Tag(), x); }, a);
  }
  static Int to_int(const Word& a) {
    return Int::map([](auto x) { return lane_hwy::BitCast(Int::Tag(), x); }, a);
  }
  /// mask ? a : b per lane.
  template <class T>
  static LaneArray<T> select(const LaneMask& mask, const LaneArray<T>& a, const LaneArray<T>& b) {
    using Tag = typename LaneArray<T>::Tag;
    LaneArray<T> r;
    for (int p = 0; p < LaneArray<T>::kParts; ++p) {
      r.part[p] = lane_hwy::IfThenElse(lane_hwy::RebindMask(Tag(), mask.part[p]), a.part[p],
                                       b.part[p]);
    }
    return r;
  }

  /// a·m per lane: the low words, and the high words into hi. The 64-bit products of the even
  /// lanes and of the odd ones (shifted down), then each word put in place by an odd/even
  /// blend.
  static Word mulhilo(std::uint32_t m, const Word& a, Word& hi) {
    using Tag = Word::Tag;
    const lane_hwy::RepartitionToWide<Tag> wide;
    const auto factor = lane_hwy::Set(Tag(), m);
    Word lo;
    for (int p = 0; p < Word::kParts; ++p) {
      const auto even = lane_hwy::MulEven(a.part[p], factor);  // lanes 0, 2, …
      const auto odd = lane_hwy::MulEven(
          lane_hwy::BitCast(Tag(), lane_hwy::ShiftRight<32>(lane_hwy::BitCast(wide, a.part[p]))),
          factor);  // lanes 1, 3, …
      lo.part[p] = lane_hwy::OddEven(lane_hwy::BitCast(Tag(), lane_hwy::ShiftLeft<32>(odd)),
                                     lane_hwy::BitCast(Tag(), even));
      hi.part[p] = lane_hwy::OddEven(lane_hwy::BitCast(Tag(), odd),
                                     lane_hwy::BitCast(Tag(), lane_hwy::ShiftRight<32>(even)));
    }
    return lo;
  }
};

}  // namespace langevin::device
