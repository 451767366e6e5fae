#pragma once
/// \file
/// Philox4x32-10 exactly as cuRAND computes it (curand_philox4x32_x.h), written out so that the
/// CPU can run it on a vector of chains at once (normal_lanes.hpp): the same four words for the
/// same counter and key, bit for bit (tests/noise_test.cpp compares it with curand4).
///
/// The counter is 128 bits: (c0, c1) the position within a subsequence, (c2, c3) the
/// subsequence; the key (k0, k1) is the seed. Generic over the word type through `Ops` (any with
/// `Word` and `mulhilo(m, a, hi)`: a·m's low word, its high word into hi).

#include <langevin/device/config.hpp>

namespace langevin::device {

template <class Word>
struct PhiloxBlock {
  Word x, y, z, w;
};

/// Scalar words, both backends.
struct ScalarPhiloxOps {
  using Word = unsigned int;
  LANGEVIN_HD static Word mulhilo(unsigned int m, Word a, Word& hi) {
    const unsigned long long product = static_cast<unsigned long long>(m) * a;
    hi = static_cast<Word>(product >> 32);
    return static_cast<Word>(product);
  }
};

template <class Ops>
LANGEVIN_HD PhiloxBlock<typename Ops::Word> philox4x32_10(typename Ops::Word c0,
                                                          typename Ops::Word c1,
                                                          typename Ops::Word c2,
                                                          typename Ops::Word c3, unsigned int k0,
                                                          unsigned int k1) {
  using W = typename Ops::Word;
  LANGEVIN_UNROLL
  for (int round = 0; round < 10; ++round) {
    W hi0, hi1;
    const W lo0 = Ops::mulhilo(0xD2511F53u, c0, hi0);
    const W lo1 = Ops::mulhilo(0xCD9E8D57u, c2, hi1);
    const W next0 = hi1 ^ c1 ^ k0;
    const W next2 = hi0 ^ c3 ^ k1;
    c0 = next0;
    c1 = lo1;
    c2 = next2;
    c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return {c0, c1, c2, c3};
}

}  // namespace langevin::device
