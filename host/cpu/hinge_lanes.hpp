#pragma once
/// \file
/// The hinge form (hinge.hpp) for `Lanes` chains at once, for the CPU backend: the chains sit in
/// the lanes of one vector (x[c] is chain c's state), and every unit is one vector max and one
/// vector FMA, each with the unit's breakpoint or slope broadcast from memory. Each lane does
/// exactly the operations of hinge_score, in the same order, so results are bit-identical to one
/// chain at a time.

#include <langevin/device/hinge.hpp>
#include "cpu/mlp_lanes.hpp"

namespace langevin::device {

/// The hinge form as a lanes score functor (chain_lanes.hpp).
template <int Lanes>
struct HingeLanesScore {
  static constexpr int max_dim = 1;
  static constexpr int lanes = Lanes;
  static constexpr bool noise_conditional = false;
  using Vector = LaneVector<Lanes>;
  HingeView hinge;

  /// x[c], s[c]: chain c. Both 64-byte aligned.
  void operator()(const float* x, float* s, float /*sigma*/) const {
    using Ops = LaneOps<Lanes>;
    const Vector state = Vector::load(x);
    Vector partial[kHingeSums];
    LANGEVIN_UNROLL
    for (int p = 0; p < kHingeSums; ++p) partial[p] = splat<Vector>(0.0f);
    // kGroup of the partial sums at a time, each over its units in order: the same sums, and
    // on AVX2, whose registers hold 8 lane vectors, the 16 side by side would spill.
    constexpr int kGroup = kHingeSums < lane_sum_group(1) ? kHingeSums : lane_sum_group(1);
    static_assert(kHingeSums % kGroup == 0, "whole groups of partial sums");
    LANGEVIN_UNROLL
    for (int p0 = 0; p0 < kHingeSums; p0 += kGroup) {
      Vector sum[kGroup];
      LANGEVIN_UNROLL
      for (int p = 0; p < kGroup; ++p) sum[p] = partial[p0 + p];
      for (int j = 0; j < hinge.units; j += kHingeSums) {
        const float* group = hinge.pairs + 2 * (j + p0);
        LANGEVIN_UNROLL
        for (int p = 0; p < kGroup; ++p) {
          sum[p] = hinge_term<Ops>(state, group[2 * p], group[2 * p + 1], sum[p]);
        }
      }
      LANGEVIN_UNROLL
      for (int p = 0; p < kGroup; ++p) partial[p0 + p] = sum[p];
    }
    fold_partial_sums(partial);
    const Vector result = hinge_finish<Ops>(hinge, state, partial[0]);
    result.store(s);
  }
};

}  // namespace langevin::device
