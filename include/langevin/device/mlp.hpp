#pragma once
/// \file
/// Forward pass of the MLP score model s(x) = W_L φ(… φ(W_0 x + b_0) …) + b_L, one input at a
/// time, as the sampler needs it: each chain (GPU thread, CPU iteration) evaluates its own point.
///
/// Parameters are read from a packed block (Mlp::packed() writes it):
///   layer 0        W_0ᵀ (width[0] × width[1], row-major), then b_0
///   layers 1 … L   W_l  (width[l+1] × width[l], row-major, as PyTorch stores it), then b_l
/// so that, for the first and the last layer, consecutive hidden units are consecutive floats:
/// vector loads on both backends, and broadcast reads on the GPU where all lanes of a warp read
/// the same weight.

#include <langevin/device/activation.hpp>
#include <langevin/device/config.hpp>
#include <langevin/device/math.hpp>

namespace langevin::device {

/// Most linear layers an MLP may have (hidden layers + 1).
constexpr int kMaxLinearLayers = 8;

struct MlpView {
  int layers = 0;                                   // linear layers, ≥ 2
  int width[kMaxLinearLayers + 1] = {};             // width[0] = input dim, width[layers] = output
  long long offset[kMaxLinearLayers] = {};          // start of layer l's block in `params`
  const float* params = nullptr;
};

/// Independent partial sums the one-hidden-layer loop keeps per output coordinate: enough to fill
/// a 16-lane SIMD register on the CPU and to hide FMA latency on the GPU, few enough to stay in
/// registers when the dimension grows.
template <int MaxDim>
constexpr int mlp_partial_sums() {
  return MaxDim <= 1 ? 16 : MaxDim <= 2 ? 8 : MaxDim <= 4 ? 4 : MaxDim <= 8 ? 2 : 1;
}

/// One hidden layer (d → H → d): streams over the hidden units, so that nothing but the input
/// and the partial sums is held. The summation order is fixed (partial sum j mod P, tail into
/// partial sum 0, then a fixed tree), the same on both backends.
template <int MaxDim, Activation A, class Real>
LANGEVIN_HD void mlp_forward_shallow(const MlpView& net, const Real* x, Real* out) {
  constexpr int P = mlp_partial_sums<MaxDim>();
  const int d_in = net.width[0];
  const int hidden = net.width[1];
  const int d_out = net.width[2];
  const float* w_in = net.params + net.offset[0];  // W_0ᵀ: [input k][unit j]
  const float* b_in = w_in + static_cast<long long>(d_in) * hidden;
  const float* w_out = net.params + net.offset[1];  // W_1: [output k][unit j]
  const float* b_out = w_out + static_cast<long long>(d_out) * hidden;

  Real partial[P][MaxDim];
LANGEVIN_UNROLL
  for (int p = 0; p < P; ++p) {
LANGEVIN_UNROLL
    for (int k = 0; k < MaxDim; ++k) partial[p][k] = Real(0);
  }

  const int blocked = hidden - hidden % P;
  for (int j = 0; j < blocked; j += P) {
    Real h[P];
LANGEVIN_UNROLL
    for (int p = 0; p < P; ++p) h[p] = Real(b_in[j + p]);
LANGEVIN_UNROLL
    for (int k = 0; k < MaxDim; ++k) {
      if (k >= d_in) break;
LANGEVIN_UNROLL
      for (int p = 0; p < P; ++p) h[p] = math::fma(Real(w_in[k * hidden + j + p]), x[k], h[p]);
    }
LANGEVIN_UNROLL
    for (int p = 0; p < P; ++p) h[p] = activate<A>(h[p]);
LANGEVIN_UNROLL
    for (int k = 0; k < MaxDim; ++k) {
      if (k >= d_out) break;
LANGEVIN_UNROLL
      for (int p = 0; p < P; ++p) {
        partial[p][k] = math::fma(Real(w_out[k * hidden + j + p]), h[p], partial[p][k]);
      }
    }
  }
  for (int j = blocked; j < hidden; ++j) {
    Real h = Real(b_in[j]);
LANGEVIN_UNROLL
    for (int k = 0; k < MaxDim; ++k) {
      if (k >= d_in) break;
      h = math::fma(Real(w_in[k * hidden + j]), x[k], h);
    }
    h = activate<A>(h);
LANGEVIN_UNROLL
    for (int k = 0; k < MaxDim; ++k) {
      if (k >= d_out) break;
      partial[0][k] = math::fma(Real(w_out[k * hidden + j]), h, partial[0][k]);
    }
  }
  // Fixed pairwise tree over the partial sums.
LANGEVIN_UNROLL
  for (int stride = P / 2; stride > 0; stride /= 2) {
LANGEVIN_UNROLL
    for (int p = 0; p < stride; ++p) {
LANGEVIN_UNROLL
      for (int k = 0; k < MaxDim; ++k) partial[p][k] += partial[p + stride][k];
    }
  }
LANGEVIN_UNROLL
  for (int k = 0; k < MaxDim; ++k) {
    if (k >= d_out) break;
    out[k] = partial[0][k] + Real(b_out[k]);
  }
}

/// Two or more hidden layers: hidden activations go to `scratch` (two buffers of the widest
/// hidden layer, element i at scratch[i * stride], so that GPU threads interleave theirs and
/// their accesses coalesce). A plain reference path; wide deep networks belong on tensor cores.
template <int MaxDim, Activation A, class Real>
LANGEVIN_HD void mlp_forward_deep(const MlpView& net, const Real* x, Real* out, Real* scratch,
                                  long long stride, int widest_hidden) {
  Real* current = scratch;
  Real* next = scratch + static_cast<long long>(widest_hidden) * stride;
  {  // layer 0 from the input
    const int d_in = net.width[0];
    const int units = net.width[1];
    const float* w = net.params + net.offset[0];
    const float* b = w + static_cast<long long>(d_in) * units;
    for (int j = 0; j < units; ++j) {
      Real h = Real(b[j]);
LANGEVIN_UNROLL
      for (int k = 0; k < MaxDim; ++k) {
        if (k >= d_in) break;
        h = math::fma(Real(w[k * units + j]), x[k], h);
      }
      current[j * stride] = activate<A>(h);
    }
  }
  for (int l = 1; l + 1 < net.layers; ++l) {  // hidden to hidden
    const int inputs = net.width[l];
    const int units = net.width[l + 1];
    const float* w = net.params + net.offset[l];
    const float* b = w + static_cast<long long>(inputs) * units;
    for (int j = 0; j < units; ++j) {
      const float* row = w + static_cast<long long>(j) * inputs;
      Real h = Real(b[j]);
      for (int i = 0; i < inputs; ++i) h = math::fma(Real(row[i]), current[i * stride], h);
      next[j * stride] = activate<A>(h);
    }
    Real* swap = current;
    current = next;
    next = swap;
  }
  {  // last layer to the output, no activation
    const int l = net.layers - 1;
    const int inputs = net.width[l];
    const int d_out = net.width[l + 1];
    const float* w = net.params + net.offset[l];
    const float* b = w + static_cast<long long>(inputs) * d_out;
LANGEVIN_UNROLL
    for (int k = 0; k < MaxDim; ++k) {
      if (k >= d_out) break;
      const float* row = w + static_cast<long long>(k) * inputs;
      Real s = Real(b[k]);
      for (int i = 0; i < inputs; ++i) s = math::fma(Real(row[i]), current[i * stride], s);
      out[k] = s;
    }
  }
}

/// Widest hidden layer: the scratch the deep path needs is 2 × this per chain.
LANGEVIN_HD int mlp_widest_hidden(const MlpView& net) {
  int widest = 0;
  for (int l = 1; l < net.layers; ++l) widest = net.width[l] > widest ? net.width[l] : widest;
  return widest;
}

/// The MLP as a score functor for the sampler. The deep path needs per-chain scratch, which the
/// backend sets (GPU: a slice of a global buffer; CPU: a per-thread vector).
template <int MaxDim, Activation A>
struct MlpScore {
  static constexpr int max_dim = MaxDim;
  MlpView net;
  float* scratch = nullptr;
  long long scratch_stride = 1;
  int widest_hidden = 0;

  LANGEVIN_HD void operator()(const float* x, float* score) const {
    if (net.layers == 2) {
      mlp_forward_shallow<MaxDim, A, float>(net, x, score);
    } else {
      mlp_forward_deep<MaxDim, A, float>(net, x, score, scratch, scratch_stride, widest_hidden);
    }
  }
};

}  // namespace langevin::device
