#pragma once
/// \file
/// Forward mode through the MLP of mlp.hpp: the network's output and its Jacobian along one
/// tangent, and from them a noise-conditional score's divergence, as the likelihood
/// (likelihood.hpp) integrates it. One point at a time, any depth.
///
/// A unit's pre-activation is a dot product in a fixed order; eight units are computed together
/// (rows clamped at the layer's end, the extra results dropped), so that their sixteen chains of
/// FMAs (values and tangents) overlap instead of each waiting on its own previous FMA.

#include <langevin/device/activation.hpp>
#include <langevin/device/config.hpp>
#include <langevin/device/math.hpp>
#include <langevin/device/mlp.hpp>

namespace langevin::device {

namespace tangent_detail {

/// Units computed together.
constexpr int kUnitBlock = 8;

/// For units first … first + kUnitBlock − 1 of a layer whose unit j has its weights at
/// weights + j * row_stride + i * column_stride (i the input) and its bias at bias[j]: the
/// pre-activations a[u] = b_j + Σ_i w_ji in[i·stride] and their tangents along in_tangent, the
/// sums in input order. Units past `units` repeat the last one.
template <class Real>
LANGEVIN_HD void unit_block(const float* weights, long long row_stride, long long column_stride,
                            const float* bias, int first, int units, int inputs, const Real* in,
                            const Real* in_tangent, long long stride,
                            Real (&a)[kUnitBlock], Real (&a_tangent)[kUnitBlock]) {
  const float* rows[kUnitBlock];
  LANGEVIN_UNROLL
  for (int u = 0; u < kUnitBlock; ++u) {
    const int j = first + u < units ? first + u : units - 1;
    rows[u] = weights + j * row_stride;
    a[u] = bias != nullptr ? Real(bias[j]) : Real(0);
    a_tangent[u] = Real(0);
  }
  for (int i = 0; i < inputs; ++i) {
    const Real value = in[i * stride], tangent = in_tangent[i * stride];
    LANGEVIN_UNROLL
    for (int u = 0; u < kUnitBlock; ++u) {
      const Real w = Real(rows[u][i * column_stride]);
      a[u] = math::fma(w, value, a[u]);
      a_tangent[u] = math::fma(w, tangent, a_tangent[u]);
    }
  }
}

}  // namespace tangent_detail

/// out = net(x) and tangent_out = J(x) · tangent, J the network's Jacobian, carrying each hidden
/// value's tangent φ'(a) ȧ beside it: hidden values and tangents in `scratch`, four buffers of
/// the widest hidden layer, element i at scratch[i * stride] (GPU threads interleave theirs).
template <int MaxDim, Activation A, class Real>
LANGEVIN_HD void mlp_forward_tangent(const MlpView& net, const Real* x, const Real* tangent,
                                     Real* out, Real* tangent_out, Real* scratch,
                                     long long stride, int widest_hidden) {
  using tangent_detail::kUnitBlock;
  const long long buffer = static_cast<long long>(widest_hidden) * stride;
  Real* current = scratch;
  Real* current_tangent = scratch + buffer;
  Real* next = scratch + 2 * buffer;
  Real* next_tangent = scratch + 3 * buffer;
  for (int l = 0; l < net.layers; ++l) {
    const bool first = l == 0, last = l + 1 == net.layers;
    const int inputs = net.width[l], units = net.width[l + 1];
    const float* w = net.params + net.weight_offset[l];
    const float* b = net.params + net.bias_offset[l];
    // Layer 0 is stored transposed (mlp.hpp): unit j's weight of input i at w[i·stride + j].
    const long long row_stride = first ? 1 : net.row_stride[l];
    const long long column_stride = first ? net.row_stride[0] : 1;
    const Real* in = first ? x : current;
    const Real* in_tangent = first ? tangent : current_tangent;
    const long long in_stride = first ? 1 : stride;
    for (int j = 0; j < units; j += kUnitBlock) {
      Real a[kUnitBlock], a_tangent[kUnitBlock];
      tangent_detail::unit_block(w, row_stride, column_stride, b, j, units, inputs, in,
                                 in_tangent, in_stride, a, a_tangent);
      for (int u = 0; u < kUnitBlock && j + u < units; ++u) {
        if (last) {
          out[j + u] = a[u];
          tangent_out[j + u] = a_tangent[u];
        } else {
          Real value, slope, curvature;
          activate_with_derivatives<A>(a[u], value, slope, curvature);
          next[(j + u) * stride] = value;
          next_tangent[(j + u) * stride] = slope * a_tangent[u];
        }
      }
    }
    Real* swap = current;
    current = next;
    next = swap;
    swap = current_tangent;
    current_tangent = next_tangent;
    next_tangent = swap;
  }
}

/// A noise-conditional network's score s(x, σ) = net(x, log σ)/σ with its divergence ∇ₓ·s, for
/// the likelihood: exactly, from d tangents e_j (the j-th output's tangent along e_j is
/// ∂s_j/∂x_j), or given a Rademacher `probe` ε, Hutchinson's εᵀ(∇ₓs)ε from one tangent. The
/// input log σ is held fixed (tangent 0). Its scratch (set as for the deep path) holds 4 ×
/// widest_hidden floats, stride apart, at any depth.
template <int MaxDim, Activation A>
struct NoiseConditionalMlpDivergence : NoiseConditionalMlpScore<MaxDim, A> {
  LANGEVIN_HD float score_divergence(const float* x, float* score, float sigma,
                                     const float* probe) const {
    const int d = this->net.width[0] - 1;
    float input[MaxDim], tangent[MaxDim], tangent_out[MaxDim];
    for (int j = 0; j <= d; ++j) {
      input[j] = j < d ? x[j] : math::log(sigma);
      tangent[j] = j < d && probe != nullptr ? probe[j] : 0.0f;
    }
    float divergence = 0.0f;
    const int passes = probe != nullptr ? 1 : d;
    for (int pass = 0; pass < passes; ++pass) {
      if (probe == nullptr) {
        if (pass > 0) tangent[pass - 1] = 0.0f;
        tangent[pass] = 1.0f;
      }
      mlp_forward_tangent<MaxDim, A, float>(this->net, input, tangent, score, tangent_out,
                                            this->scratch, this->scratch_stride,
                                            this->widest_hidden);
      if (probe == nullptr) {
        divergence += tangent_out[pass];
      } else {
        for (int j = 0; j < d; ++j) divergence = math::fma(probe[j], tangent_out[j], divergence);
      }
    }
    const float inverse = 1.0f / sigma;
    for (int j = 0; j < d; ++j) score[j] *= inverse;
    return divergence * inverse;
  }
};

}  // namespace langevin::device
