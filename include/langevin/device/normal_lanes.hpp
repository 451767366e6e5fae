#pragma once
/// \file
/// The noise of `Lanes` chains at once, for the CPU backend's blocks of chains (chain_lanes.hpp):
/// lane c is chain first + c's NormalStream, bit for bit, computed for all lanes together with
/// vector instructions: Philox4x32-10 (philox.hpp) on a vector of counters, then Box–Muller
/// (box_muller.hpp) on vectors of words. One draw for 16 chains costs about as much as one
/// chain's draw did with scalar code.

#include <langevin/device/box_muller.hpp>
#include <langevin/device/mlp_lanes.hpp>
#include <langevin/device/normal_stream.hpp>
#include <langevin/device/philox.hpp>

#include <cmath>

namespace langevin::device {

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
  static Float from_word(Word a) { return __builtin_convertvector(a, Float); }
  static Float from_int(Int a) { return __builtin_convertvector(a, Float); }
  static Word bits(Float a) { return reinterpret_cast<Word>(a); }
  static Float from_bits(Word a) { return reinterpret_cast<Float>(a); }
  static Int to_int(Word a) { return reinterpret_cast<Int>(a); }

  /// a·m per lane: the low words, and the high words into hi.
  static Word mulhilo(unsigned int m, Word a, Word& hi) {
#if defined(__AVX512F__)
    if constexpr (sizeof(Word) == 64) {
      const __m512i va = reinterpret_cast<__m512i>(a);
      const __m512i vm = _mm512_set1_epi32(static_cast<int>(m));
      const __m512i even = _mm512_mul_epu32(va, vm);                      // lanes 0, 2, …
      const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(va, 32), vm);  // lanes 1, 3, …
      constexpr __mmask16 kOdd = 0xAAAA;
      hi = reinterpret_cast<Word>(
          _mm512_mask_blend_epi32(kOdd, _mm512_srli_epi64(even, 32), odd));
      return reinterpret_cast<Word>(
          _mm512_mask_blend_epi32(kOdd, even, _mm512_slli_epi64(odd, 32)));
    }
#endif
    Word lo;
    for (int c = 0; c < Lanes; ++c) lo[c] = ScalarPhiloxOps::mulhilo(m, a[c], hi[c]);
    return lo;
  }
};

/// NormalStream for chains first … first + Lanes − 1, which stand at the same draw.
template <int Lanes>
class NormalLanes {
 public:
  using Ops = LaneOps<Lanes>;
  using Vector = typename Ops::Float;
  using Word = typename Ops::Word;

  NormalLanes(unsigned long long seed, unsigned long long first_chain, int dim,
              unsigned long long draw)
      : key0_(static_cast<unsigned int>(seed)),
        key1_(static_cast<unsigned int>(seed >> 32)),
        per_draw_(counters_per_draw(dim)),
        counter_(per_draw_ * draw) {
    for (int c = 0; c < Lanes; ++c) {
      const unsigned long long chain = first_chain + static_cast<unsigned long long>(c);
      subsequence_low_[c] = static_cast<unsigned int>(chain);
      subsequence_high_[c] = static_cast<unsigned int>(chain >> 32);
    }
  }

  /// One draw for every lane: z[j·Lanes + c] is coordinate j of lane c (64-byte aligned).
  /// MaxDim ≥ dim bounds the loop at compile time, as in NormalStream::draw.
  template <int MaxDim>
  void draw(float* z, int dim) {
    for (int group = 0; group < (LANGEVIN_DIM_BOUND(MaxDim, dim) + 3) / 4; ++group) {
      if (4 * group >= dim) break;
      const unsigned long long counter = counter_ + static_cast<unsigned long long>(group);
      const Word low = splat_word(static_cast<unsigned int>(counter));
      const Word high = splat_word(static_cast<unsigned int>(counter >> 32));
      const PhiloxBlock<Word> words = philox4x32_10<Ops>(low, high, subsequence_low_,
                                                         subsequence_high_, key0_, key1_);
      const int first = 4 * group;
      Vector n0, n1;
      box_muller<Ops>(words.x, words.y, n0, n1);
      store(z, first, n0);
      if (first + 1 < MaxDim && first + 1 < dim) store(z, first + 1, n1);
      if (first + 2 < MaxDim && first + 2 < dim) {  // skipped when only two are needed, as there
        Vector n2, n3;
        box_muller<Ops>(words.z, words.w, n2, n3);
        store(z, first + 2, n2);
        if (first + 3 < MaxDim && first + 3 < dim) store(z, first + 3, n3);
      }
    }
    counter_ += per_draw_;
  }

 private:
  static Word splat_word(unsigned int value) {
    Word w;
    for (int c = 0; c < Lanes; ++c) w[c] = value;
    return w;
  }
  static void store(float* z, int coordinate, const Vector& values) {
    __builtin_memcpy(z + coordinate * Lanes, &values, sizeof(Vector));
  }

  unsigned int key0_, key1_;
  unsigned long long per_draw_;
  unsigned long long counter_;  // the next draw's first Philox counter
  Word subsequence_low_, subsequence_high_;
};

}  // namespace langevin::device
