#pragma once
/// \file
/// The Gaussian mixture's score and log-density for a block of 16 chains at once, for the CPU
/// backend: gmm.hpp's gmm_log_density itself, run on lane vectors (one AVX-512 register a
/// coordinate), each lane with exactly the one-chain operations, so the results are bit-identical
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
    Vector sigma;
    __builtin_memcpy(&sigma, sigmas, sizeof(Vector));
    evaluate(x, s, sigma);
  }
  /// MALA: every lane's score and log-density (the mixture itself only: MALA does not anneal).
  template <bool Plain = !NoiseConditional, std::enable_if_t<Plain, int> = 0>
  void score_and_log_density(const float* x, float* s, float* log_density) const {
    const Vector log_p = evaluate(x, s, splat<Vector>(0.0f));
    __builtin_memcpy(log_density, &log_p, sizeof(Vector));
  }

 private:
  Vector evaluate(const float* x, float* s, Vector sigma) const {
    const int d = gmm.dim;
    Vector point[MaxDim] = {}, score[MaxDim] = {};
    for (int j = 0; j < d; ++j) __builtin_memcpy(&point[j], x + j * lanes, sizeof(Vector));
    const Vector log_p = gmm_log_density<MaxDim, Vector>(gmm, point, score, sigma);
    for (int j = 0; j < d; ++j) __builtin_memcpy(s + j * lanes, &score[j], sizeof(Vector));
    return log_p;
  }
};

}  // namespace langevin::device
