#pragma once
/// \file
/// The Gaussian mixture's score and log-density for a block of 16 chains at once, for the CPU
/// backend: gmm.hpp's gmm_log_density itself, run on lane vectors (one a coordinate), each lane with exactly the one-chain operations, so the results are bit-identical
/// to the one-chain functors (GmmScore, GmmNoiseScore) and so to the GPU.
///
/// Layout, as every lanes functor (chain_lanes.hpp): x[j * 16 + c] is coordinate j of chain c.

#include "cpu/lane_ops.hpp"

#include <langevin/device/elementary.hpp>
#include <langevin/device/gmm.hpp>

#include <type_traits>

namespace langevin::device {

/// gmm_log_density's elementary functions on lane vectors: the library's own, lane-wise.
template <>
struct gmm_detail::Math<LaneVector<kVectorLanes>> {
  using V = LaneVector<kVectorLanes>;
  using Ops = LaneOps<kVectorLanes>;
  static V fma(V a, V b, V c) { return Ops::fma(a, b, c); }
  static V sqrt(V a) { return Ops::sqrt(a); }
  static V exp(V a) { return exp_of<Ops>(a); }
  static V log(V a) { return log_of<Ops>(a); }
  static V log1p(V a) { return log1p_of<Ops>(a); }
  static V splat(float a) { return Ops::splat(a); }
  static V select(const LaneMask& mask, V a, V b) { return Ops::select(mask, a, b); }
  static bool any_positive(V a) {
    bool any = false;
    for (int p = 0; p < V::kParts; ++p) {
      any |= !lane_hwy::AllFalse(V::Tag(), a.part[p] > lane_hwy::Zero(V::Tag()));
    }
    return any;
  }
};

/// The mixture (NoiseConditional: convolved with N(0, σ² I)) as a lanes score functor of 16
/// chains; score_and_log_density for MALA.
template <int MaxDim, bool NoiseConditional>
struct GmmLanesScore {
  static constexpr int max_dim = MaxDim;
  static constexpr int lanes = kVectorLanes;
  static constexpr bool noise_conditional = NoiseConditional;
  using Vector = LaneVector<kVectorLanes>;
  GmmView gmm;

  void operator()(const float* x, float* s, float sigma) const {
    evaluate(x, s, splat<Vector>(NoiseConditional ? sigma : 0.0f));
  }
  /// Chain c at sigmas[c] (the probability-flow ODE).
  void operator()(const float* x, float* s, const float* sigmas) const {
    static_assert(NoiseConditional, "per-lane noise levels are for the convolved mixture");
    evaluate(x, s, Vector::load(sigmas));
  }
  /// MALA: every lane's score and log-density (the mixture itself only: MALA does not anneal).
  template <bool Plain = !NoiseConditional, std::enable_if_t<Plain, int> = 0>
  void score_and_log_density(const float* x, float* s, float* log_density) const {
    evaluate(x, s, splat<Vector>(0.0f)).store(log_density);
  }

 private:
  Vector evaluate(const float* x, float* s, Vector sigma) const {
    const int d = gmm.dim;
    Vector point[MaxDim] = {}, score[MaxDim] = {};
    for (int j = 0; j < d; ++j) point[j] = Vector::load(x + j * lanes);
    const Vector log_p = gmm_log_density<MaxDim, Vector>(gmm, point, score, sigma);
    for (int j = 0; j < d; ++j) score[j].store(s + j * lanes);
    return log_p;
  }
};

}  // namespace langevin::device
