#pragma once
/// \file
/// Lane vectors for the CPU backend's blocks of chains: `Lanes` floats (or 32-bit words) as one
/// value, one AVX-512 register for 16 lanes, with the lane-wise operations the blocks use, and
/// LaneOps, the policy through which the library's own elementary functions (exp.hpp,
/// box_muller.hpp, philox.hpp) run on them. Every lane rounds exactly as the scalar code does.

#include <langevin/device/float_ops.hpp>
#include <langevin/device/math.hpp>
#include <langevin/device/philox.hpp>

#include <cmath>
#if defined(__AVX512F__)
// GCC 12's AVX-512 header passes an uninitialised `_mm512_undefined_*()` to its masked builtins,
// and -W(maybe-)uninitialized reports it wherever they inline (hundreds of lines a file). GCC
// attributes those warnings to the header's own lines, so silencing them for the include is
// enough.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

namespace langevin::device {

/// Lanes floats as one value (GCC/Clang vector extension): one AVX-512 register for 16 lanes
/// (the only width the backend uses). Keeping partial sums in these, not in float arrays,
/// lets the compiler hold them in registers.
/// (The attribute must sit on a non-template typedef: compilers drop it from alias templates.)
template <int Lanes>
struct LaneVectorOf;
template <>
struct LaneVectorOf<16> {
  typedef float type __attribute__((vector_size(64)));
};
template <int Lanes>
using LaneVector = typename LaneVectorOf<Lanes>::type;

/// Chains (floats) in one lane vector: blocks of more chains are several lane vectors.
constexpr int kVectorLanes = 16;

// Lane-wise operations. With AVX-512, one instruction each; elsewhere a loop per lane with the
// same rounding (correct, but slow: on AVX2-only CPUs a split into two 256-bit FMAs is the next
// step). (A per-lane loop over
// fmaf is not reliably turned into one vector FMA by the compiler, so the intrinsics are
// spelled out.)
template <class V>
inline V splat(float value) {
#if defined(__AVX512F__)
  if constexpr (sizeof(V) == 64) return reinterpret_cast<V>(_mm512_set1_ps(value));
#endif
  V v;
  for (int c = 0; c < static_cast<int>(sizeof(V) / sizeof(float)); ++c) v[c] = value;
  return v;
}

/// a·b + c in every lane, rounded once.
template <class V>
inline V lane_fma(V a, V b, V c) {
#if defined(__AVX512F__)
  if constexpr (sizeof(V) == 64) {
    return reinterpret_cast<V>(_mm512_fmadd_ps(reinterpret_cast<__m512>(a),
                                               reinterpret_cast<__m512>(b),
                                               reinterpret_cast<__m512>(c)));
  }
#endif
  V r;
  for (int i = 0; i < static_cast<int>(sizeof(V) / sizeof(float)); ++i) r[i] = math::fma(a[i], b[i], c[i]);
  return r;
}

/// a > b ? a : b in every lane (ScalarOps::max's rule, which is vmaxps's: a NaN a, or equal
/// operands, give b). Spelled out: the compiler turns the select into a compare and a masked
/// move, two instructions on the FMA ports where the max is one.
template <class V>
inline V lane_max(V a, V b) {
#if defined(__AVX512F__)
  if constexpr (sizeof(V) == 64) {
    return reinterpret_cast<V>(_mm512_max_ps(reinterpret_cast<__m512>(a),
                                             reinterpret_cast<__m512>(b)));
  }
#endif
  V r;
  for (int i = 0; i < static_cast<int>(sizeof(V) / sizeof(float)); ++i) {
    r[i] = a[i] > b[i] ? a[i] : b[i];
  }
  return r;
}

template <int Lanes>
struct LaneWordsOf;
template <>
struct LaneWordsOf<16> {
  typedef unsigned int type __attribute__((vector_size(64)));
  typedef int signed_type __attribute__((vector_size(64)));
};

/// box_muller.hpp's and philox.hpp's operations on lane vectors.
template <int Lanes>
struct LaneOps {
  using Float = LaneVector<Lanes>;
  using Word = typename LaneWordsOf<Lanes>::type;
  using Int = typename LaneWordsOf<Lanes>::signed_type;

  static Float fma(Float a, Float b, Float c) { return lane_fma(a, b, c); }
  static Float sqrt(Float a) {
#if defined(__AVX512F__)
    if constexpr (sizeof(Float) == 64) {
      return reinterpret_cast<Float>(_mm512_sqrt_ps(reinterpret_cast<__m512>(a)));
    }
#endif
    for (int c = 0; c < Lanes; ++c) a[c] = std::sqrt(a[c]);  // IEEE: correctly rounded too
    return a;
  }
  static Float splat(float a) { return device::splat<Float>(a); }
  static Float max(Float a, Float b) { return lane_max(a, b); }
  static Float from_word(Word a) { return __builtin_convertvector(a, Float); }
  static Float from_int(Int a) { return __builtin_convertvector(a, Float); }
  static Word bits(Float a) { return reinterpret_cast<Word>(a); }
  static Float from_bits(Word a) { return reinterpret_cast<Float>(a); }
  static Int to_int(Word a) { return reinterpret_cast<Int>(a); }

  /// a·m per lane: the low words, and the high words into hi.
  static Word mulhilo(unsigned int m, Word a, Word& hi) {
#if defined(__AVX512F__)
    if constexpr (sizeof(Word) == 64) {
      // The 64-bit products of the even lanes and of the odd ones, then one two-source permute
      // each for the low and the high words: five instructions, three of them on the port that
      // multiplies and shifts (shifting and blending the halves into place needs more, and
      // more of them on that port).
      const __m512i va = reinterpret_cast<__m512i>(a);
      const __m512i vm = _mm512_set1_epi32(static_cast<int>(m));
      const __m512i even = _mm512_mul_epu32(va, vm);                      // lanes 0, 2, …
      const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(va, 32), vm);  // lanes 1, 3, …
      // Lane 2i takes even's word 2i (low) or 2i + 1 (high); lane 2i + 1 odd's (index 16 + …).
      const __m512i low_words =
          _mm512_set_epi32(30, 14, 28, 12, 26, 10, 24, 8, 22, 6, 20, 4, 18, 2, 16, 0);
      const __m512i high_words =
          _mm512_set_epi32(31, 15, 29, 13, 27, 11, 25, 9, 23, 7, 21, 5, 19, 3, 17, 1);
      hi = reinterpret_cast<Word>(_mm512_permutex2var_epi32(even, high_words, odd));
      return reinterpret_cast<Word>(_mm512_permutex2var_epi32(even, low_words, odd));
    }
#endif
    Word lo;
    for (int c = 0; c < Lanes; ++c) lo[c] = ScalarPhiloxOps::mulhilo(m, a[c], hi[c]);
    return lo;
  }
};

}  // namespace langevin::device
