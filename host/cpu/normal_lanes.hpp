#pragma once
/// \file
/// The noise of `Lanes` chains at once, for the CPU backend's blocks of chains (chain_lanes.hpp):
/// lane c is chain first + c's NormalStream, bit for bit, computed for all lanes together with
/// vector instructions: Philox4x32-10 (philox.hpp) on a vector of counters, then Box–Muller
/// (box_muller.hpp) on vectors of words. One draw for 16 chains costs about as much as one
/// chain's draw did with scalar code.

#include <langevin/device/box_muller.hpp>
#include "cpu/lane_ops.hpp"
#include <langevin/device/normal_stream.hpp>
#include <langevin/device/philox.hpp>

namespace langevin::device {

/// NormalStream for chains first … first + Lanes − 1, which stand at the same draw. Lanes is a
/// multiple of kVectorLanes: the chains go in blocks of one lane vector each, lane c of z's rows
/// being chain first + c. As NormalStream, a draw may hold `extra` counters more, which
/// uniform() takes one at a time (MALA's accept test).
template <int Lanes>
class NormalLanes {
 public:
  static_assert(Lanes % kVectorLanes == 0, "whole lane vectors of chains");
  static constexpr int kBlocks = Lanes / kVectorLanes;
  using Ops = LaneOps<kVectorLanes>;
  using Vector = typename Ops::Float;
  using Word = typename Ops::Word;

  NormalLanes(unsigned long long seed, unsigned long long first_chain, int dim,
              unsigned long long draw, int extra = 0)
      : key0_(static_cast<unsigned int>(seed)),
        key1_(static_cast<unsigned int>(seed >> 32)),
        per_draw_(counters_per_draw(dim)),
        counter_((per_draw_ + static_cast<unsigned long long>(extra)) * draw) {
    for (int b = 0; b < kBlocks; ++b) {
      unsigned int low[kVectorLanes], high[kVectorLanes];
      for (int c = 0; c < kVectorLanes; ++c) {
        const unsigned long long chain =
            first_chain + static_cast<unsigned long long>(b * kVectorLanes + c);
        low[c] = static_cast<unsigned int>(chain);
        high[c] = static_cast<unsigned int>(chain >> 32);
      }
      subsequence_low_[b] = Word::load(low);
      subsequence_high_[b] = Word::load(high);
    }
  }

  /// One draw for every lane: z[j·Lanes + c] is coordinate j of lane c (64-byte aligned).
  /// MaxDim ≥ dim bounds the loop at compile time, as in NormalStream::draw.
  template <int MaxDim>
  void draw(float* z, int dim) {
    for (int group = 0; group < (LANGEVIN_DIM_BOUND(MaxDim, dim) + 3) / 4; ++group) {
      if (4 * group >= dim) break;
      const unsigned long long counter = counter_ + static_cast<unsigned long long>(group);
      const Word low = Ops::splat_word(static_cast<unsigned int>(counter));
      const Word high = Ops::splat_word(static_cast<unsigned int>(counter >> 32));
      const int first = 4 * group;
      for (int b = 0; b < kBlocks; ++b) {
        const PhiloxBlock<Word> words = philox4x32_10<Ops>(low, high, subsequence_low_[b],
                                                           subsequence_high_[b], key0_, key1_);
        float* block = z + b * kVectorLanes;
        Vector n0, n1;
        box_muller<Ops>(words.x, words.y, n0, n1);
        store(block, first, n0);
        if (first + 1 < MaxDim && first + 1 < dim) store(block, first + 1, n1);
        if (first + 2 < MaxDim && first + 2 < dim) {  // skipped when only two are needed, as there
          Vector n2, n3;
          box_muller<Ops>(words.z, words.w, n2, n3);
          store(block, first + 2, n2);
          if (first + 3 < MaxDim && first + 3 < dim) store(block, first + 3, n3);
        }
      }
    }
    counter_ += per_draw_;
  }

  /// NormalStream::uniform for every lane: u[c] in (0, 1) from the next counter's first word.
  void uniform(float* u) {
    const Word low = Ops::splat_word(static_cast<unsigned int>(counter_));
    const Word high = Ops::splat_word(static_cast<unsigned int>(counter_ >> 32));
    for (int b = 0; b < kBlocks; ++b) {
      const PhiloxBlock<Word> words = philox4x32_10<Ops>(low, high, subsequence_low_[b],
                                                         subsequence_high_[b], key0_, key1_);
      // The conversion rounds to nearest, as the scalar cast does.
      Ops::fma(Ops::from_word(words.x), Ops::splat(2.3283064365386963e-10f),
               Ops::splat(1.1641532182693481e-10f))
          .store(u + b * kVectorLanes);
    }
    ++counter_;
  }

 private:
  static void store(float* block, int coordinate, const Vector& values) {
    values.store(block + coordinate * Lanes);
  }

  unsigned int key0_, key1_;
  unsigned long long per_draw_;
  unsigned long long counter_;  // the next draw's first Philox counter
  Word subsequence_low_[kBlocks], subsequence_high_[kBlocks];
};

}  // namespace langevin::device
