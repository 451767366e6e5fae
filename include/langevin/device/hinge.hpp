#pragma once
/// \file
/// The hinge form of a one-hidden-layer ReLU network on 1-D data (1 → H → 1, as the notebook's):
///
///   s(x) = b₂ + Σ_j w₂ⱼ relu(w₁ⱼ x + b₁ⱼ) = c₀ + c₁ x + Σ_j v_j max(x, t_j)
///
/// with the breakpoint t_j = −b₁ⱼ/w₁ⱼ and the slope v_j = w₂ⱼ|w₁ⱼ|: a unit with w₁ⱼ > 0 is
/// v_j (max(x, t_j) − t_j), one with w₁ⱼ < 0 is v_j (max(x, t_j) − x), so the line takes
/// c₀ = b₂ − Σ_{w₁ⱼ>0} v_j t_j and c₁ = −Σ_{w₁ⱼ<0} v_j (host/run/hinge_form.cpp builds it, in double).
/// The same function with one max and one fused multiply-add per unit instead of two FMAs and a
/// max, each with a weight as the only other operand. On the GPU the max runs on the ALU pipe
/// beside the FMA pipe, so a unit costs one FMA slot, where the layered form costs two.
///
/// The order of the sums is part of the form, the same on every backend and launch shape, so
/// that results are bit-identical across them: unit j feeds partial sum j mod kHingeSums (in
/// increasing j), the partial sums are folded by halves (p += p + 8, then + 4, + 2, + 1: the
/// order a butterfly of warp shuffles also gives: partial_sums.hpp), and s = c₁x + (sum + c₀)
/// with one rounding for the product and the add. Units are padded to a multiple of kHingeSums
/// with (t, v) = (0, 0), which adds exact zeros. The terms are written once, over the
/// operations' policy (float_ops.hpp): one chain at a time, or the CPU's lane vectors of chains
/// (cpu/hinge_lanes.hpp).

#include <langevin/device/config.hpp>
#include <langevin/device/float_ops.hpp>
#include <langevin/device/math.hpp>
#include <langevin/device/partial_sums.hpp>

namespace langevin::device {

/// Partial sums of the hinge form: 16, as the layered one-hidden-layer pass on 1-D data has, so
/// that the CPU's lanes path keeps 16 chains × 16 sums in its 32 vector registers.
constexpr int kHingeSums = 16;

struct HingeView {
  int units = 0;                  // a multiple of kHingeSums
  const float* pairs = nullptr;   // (t_j, v_j) for j < units, 16-byte aligned
  float c0 = 0.0f;
  float c1 = 0.0f;
};

/// max(x, t) for a finite t, as one instruction on both backends: FMNMX on the GPU, maxss /
/// vmaxps on the CPU (whose rule, "x > t ? x : t", is Ops::max's select). A NaN x gives t on
/// both.
template <class Ops>
LANGEVIN_HD typename Ops::Float hinge_max(typename Ops::Float x, typename Ops::Float t) {
#if defined(__CUDA_ARCH__)
  return fmaxf(x, t);
#else
  return Ops::max(x, t);
#endif
}

/// One unit, (t, v), into its partial sum.
template <class Ops = ScalarOps>
LANGEVIN_HD typename Ops::Float hinge_term(typename Ops::Float x, float t, float v,
                                           typename Ops::Float sum) {
  return Ops::fma(hinge_max<Ops>(x, Ops::splat(t)), Ops::splat(v), sum);
}

/// The folded sum plus the line.
template <class Ops = ScalarOps>
LANGEVIN_HD typename Ops::Float hinge_finish(const HingeView& hinge, typename Ops::Float x,
                                             typename Ops::Float sum) {
  return Ops::fma(Ops::splat(hinge.c1), x, sum + Ops::splat(hinge.c0));
}

/// s(x) for one point, all units in one thread.
LANGEVIN_HD float hinge_score(const HingeView& hinge, float x) {
  float partial[kHingeSums] = {};
  for (int j = 0; j < hinge.units; j += kHingeSums) {
#if defined(__CUDA_ARCH__)
    // Two units per 128-bit load (shared memory, broadcast to the warp).
    const float4* group = reinterpret_cast<const float4*>(hinge.pairs + 2 * j);
    LANGEVIN_UNROLL
    for (int q = 0; q < kHingeSums / 2; ++q) {
      const float4 two = group[q];
      partial[2 * q] = hinge_term(x, two.x, two.y, partial[2 * q]);
      partial[2 * q + 1] = hinge_term(x, two.z, two.w, partial[2 * q + 1]);
    }
#else
    const float* group = hinge.pairs + 2 * j;
    LANGEVIN_UNROLL
    for (int p = 0; p < kHingeSums; ++p) {
      partial[p] = hinge_term(x, group[2 * p], group[2 * p + 1], partial[p]);
    }
#endif
  }
  fold_partial_sums(partial);
  return hinge_finish(hinge, x, partial[0]);
}

/// The hinge form as a score functor for the sampler (chain.hpp), one chain per thread.
struct HingeScore {
  static constexpr int max_dim = 1;
  HingeView hinge;

  LANGEVIN_HD void operator()(const float* x, float* s) const { s[0] = hinge_score(hinge, x[0]); }
};

}  // namespace langevin::device
