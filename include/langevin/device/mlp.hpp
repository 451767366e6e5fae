#pragma once
/// \file
/// Forward pass of the MLP score model s(x) = W_L φ(… φ(W_0 x + b_0) …) + b_L, one input at a
/// time, as the sampler needs it: each chain (GPU thread, CPU iteration) evaluates its own point.
///
/// Parameters are read from a packed block (Mlp::packed() writes it, mlp_layout() places it):
///   layer 0        W_0ᵀ: width[0] rows (one per input) of width[1] weights, then b_0
///   layers 1 … L   W_l:  width[l+1] rows (one per output) of width[l] weights, then b_l
/// so that in the first and the last layer consecutive hidden units are consecutive floats:
/// vector loads on both backends, broadcast reads on the GPU (all lanes of a warp read the same
/// weight). Every row and every bias starts on a 16-byte boundary (rows are padded to a multiple
/// of 4 floats), so that groups of four hidden units can be read with one 128-bit load.

#include <langevin/device/activation.hpp>
#include <langevin/device/config.hpp>
#include <langevin/device/elementary.hpp>
#include <langevin/device/math.hpp>
#include <langevin/device/partial_sums.hpp>

namespace langevin::device {

/// Most linear layers an MLP may have (hidden layers + 1).
constexpr int kMaxLinearLayers = 8;

struct MlpView {
  int layers = 0;                                // linear layers, ≥ 2
  int width[kMaxLinearLayers + 1] = {};          // width[0] = input dim, width[layers] = output
  int row_stride[kMaxLinearLayers] = {};         // floats between rows of layer l's matrix
  long long weight_offset[kMaxLinearLayers] = {};
  long long bias_offset[kMaxLinearLayers] = {};
  const float* params = nullptr;
};

/// Rounds a float count up to a whole number of 16-byte groups.
LANGEVIN_HD constexpr long long round_up_to_4(long long floats) { return (floats + 3) / 4 * 4; }

/// The packed layout for layer widths width[0 … layers], and the floats it takes; params is null.
LANGEVIN_HD MlpView mlp_layout(int layers, const int* width, long long* packed_floats) {
  MlpView view;
  view.layers = layers;
  long long offset = 0;
  for (int l = 0; l <= layers; ++l) view.width[l] = width[l];
  for (int l = 0; l < layers; ++l) {
    const int rows = l == 0 ? width[0] : width[l + 1];
    const int columns = l == 0 ? width[1] : width[l];
    view.row_stride[l] = static_cast<int>(round_up_to_4(columns));
    view.weight_offset[l] = offset;
    offset += static_cast<long long>(rows) * view.row_stride[l];
    view.bias_offset[l] = offset;
    offset += round_up_to_4(width[l + 1]);
  }
  *packed_floats = offset;
  return view;
}

/// A one-hidden-layer network's two layers as the passes read them.
struct ShallowWeights {
  const float* w_in;   // W_0ᵀ: [input k][unit j], rows in_stride apart
  const float* b_in;
  const float* w_out;  // W_1: [output k][unit j], rows out_stride apart
  const float* b_out;
  int in_stride, out_stride;
};

LANGEVIN_HD ShallowWeights shallow_weights(const MlpView& net) {
  return {net.params + net.weight_offset[0], net.params + net.bias_offset[0],
          net.params + net.weight_offset[1], net.params + net.bias_offset[1], net.row_stride[0],
          net.row_stride[1]};
}

/// Independent partial sums the one-hidden-layer loop keeps per output coordinate: enough to fill
/// a 16-lane SIMD register on the CPU and to hide FMA latency on the GPU, few enough to stay in
/// registers when the dimension grows.
template <int MaxDim>
constexpr int mlp_partial_sums() {
  return MaxDim <= 1 ? 16 : MaxDim <= 2 ? 8 : MaxDim <= 4 ? 4 : MaxDim <= 8 ? 2 : 1;
}

/// out[0 … P) = source[0 … P). (Every group starts on a 16-byte boundary when P is a multiple
/// of 4: the place for 128-bit loads on the GPU, once a GPU run has checked them.)
template <int P, class Real>
LANGEVIN_HD void load_group(const float* source, Real (&out)[P]) {
  LANGEVIN_UNROLL
  for (int p = 0; p < P; ++p) out[p] = Real(source[p]);
}

/// One hidden layer (d → H → d): streams over the hidden units, so that nothing but the input
/// and the partial sums is held. The summation order is fixed (partial sum j mod P, tail into
/// partial sum 0, then partial_sums.hpp's tree), the same on both backends.
template <int MaxDim, Activation A, class Real>
LANGEVIN_HD void mlp_forward_shallow(const MlpView& net, const Real* x, Real* out) {
  constexpr int P = mlp_partial_sums<MaxDim>();
  const int d_in = net.width[0];
  const int hidden = net.width[1];
  const int d_out = net.width[2];
  const ShallowWeights layers = shallow_weights(net);

  Real partial[P][MaxDim];
  LANGEVIN_UNROLL
  for (int p = 0; p < P; ++p) {
    LANGEVIN_UNROLL
    for (int k = 0; k < LANGEVIN_DIM_BOUND(MaxDim, d_out); ++k) partial[p][k] = Real(0);
  }

  const int blocked = hidden - hidden % P;
  for (int j = 0; j < blocked; j += P) {
    Real h[P];
    load_group<P>(layers.b_in + j, h);
    LANGEVIN_UNROLL
    for (int k = 0; k < LANGEVIN_DIM_BOUND(MaxDim, d_in); ++k) {
      if (k >= d_in) break;
      Real w[P];
      load_group<P>(layers.w_in + k * layers.in_stride + j, w);
      LANGEVIN_UNROLL
      for (int p = 0; p < P; ++p) h[p] = math::fma(w[p], x[k], h[p]);
    }
    LANGEVIN_UNROLL
    for (int p = 0; p < P; ++p) h[p] = activate<A>(h[p]);
    LANGEVIN_UNROLL
    for (int k = 0; k < LANGEVIN_DIM_BOUND(MaxDim, d_out); ++k) {
      if (k >= d_out) break;
      Real w[P];
      load_group<P>(layers.w_out + k * layers.out_stride + j, w);
      LANGEVIN_UNROLL
      for (int p = 0; p < P; ++p) partial[p][k] = math::fma(w[p], h[p], partial[p][k]);
    }
  }
  for (int j = blocked; j < hidden; ++j) {
    Real h = Real(layers.b_in[j]);
    LANGEVIN_UNROLL
    for (int k = 0; k < LANGEVIN_DIM_BOUND(MaxDim, d_in); ++k) {
      if (k >= d_in) break;
      h = math::fma(Real(layers.w_in[k * layers.in_stride + j]), x[k], h);
    }
    h = activate<A>(h);
    LANGEVIN_UNROLL
    for (int k = 0; k < LANGEVIN_DIM_BOUND(MaxDim, d_out); ++k) {
      if (k >= d_out) break;
      partial[0][k] = math::fma(Real(layers.w_out[k * layers.out_stride + j]), h, partial[0][k]);
    }
  }
  fold_partial_sums(partial);
  LANGEVIN_UNROLL
  for (int k = 0; k < LANGEVIN_DIM_BOUND(MaxDim, d_out); ++k) {
    if (k >= d_out) break;
    out[k] = partial[0][k] + Real(layers.b_out[k]);
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
    const float* w = net.params + net.weight_offset[0];
    const float* b = net.params + net.bias_offset[0];
    for (int j = 0; j < units; ++j) {
      Real h = Real(b[j]);
      LANGEVIN_UNROLL
      for (int k = 0; k < LANGEVIN_DIM_BOUND(MaxDim, d_in); ++k) {
        if (k >= d_in) break;
        h = math::fma(Real(w[k * net.row_stride[0] + j]), x[k], h);
      }
      current[j * stride] = activate<A>(h);
    }
  }
  for (int l = 1; l + 1 < net.layers; ++l) {  // hidden to hidden
    const int inputs = net.width[l];
    const int units = net.width[l + 1];
    const float* w = net.params + net.weight_offset[l];
    const float* b = net.params + net.bias_offset[l];
    for (int j = 0; j < units; ++j) {
      const float* row = w + static_cast<long long>(j) * net.row_stride[l];
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
    const float* w = net.params + net.weight_offset[l];
    const float* b = net.params + net.bias_offset[l];
    LANGEVIN_UNROLL
    for (int k = 0; k < LANGEVIN_DIM_BOUND(MaxDim, d_out); ++k) {
      if (k >= d_out) break;
      const float* row = w + static_cast<long long>(k) * net.row_stride[l];
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

/// The MLP as a score functor for the sampler, any depth. The deep path needs per-chain scratch,
/// which the backend sets (GPU: a slice of a global buffer; CPU: a per-thread vector).
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

/// One hidden layer only: no run-time choice of path, so that the view is never indexed by a
/// run-time layer number and stays in registers and kernel parameters on the GPU.
template <int MaxDim, Activation A>
struct MlpShallowScore {
  static constexpr int max_dim = MaxDim;
  MlpView net;

  LANGEVIN_HD void operator()(const float* x, float* score) const {
    mlp_forward_shallow<MaxDim, A, float>(net, x, score);
  }
};

/// A noise-conditional MLP score: the network takes (x, log σ) (width[0] = d + 1) and gives d
/// outputs, which are divided by σ: s(x, σ) = net(x, log σ) / σ, so that the network's outputs
/// stay of order one at every noise level (Song & Ermon 2020). MaxDim ≥ d + 1.
template <int MaxDim, Activation A>
struct NoiseConditionalMlpScore {
  static constexpr int max_dim = MaxDim;
  static constexpr bool noise_conditional = true;
  MlpView net;
  float* scratch = nullptr;
  long long scratch_stride = 1;
  int widest_hidden = 0;

  LANGEVIN_HD void operator()(const float* x, float* score, float sigma) const {
    const int d = net.width[0] - 1;
    float input[MaxDim];
    LANGEVIN_UNROLL
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d + 1); ++j) {
      if (j > d) break;
      input[j] = j < d ? x[j] : math::log(sigma);
    }
    if (net.layers == 2) {
      mlp_forward_shallow<MaxDim, A, float>(net, input, score);
    } else {
      mlp_forward_deep<MaxDim, A, float>(net, input, score, scratch, scratch_stride, widest_hidden);
    }
    const float inverse = 1.0f / sigma;
    LANGEVIN_UNROLL
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, d); ++j) {
      if (j >= d) break;
      score[j] *= inverse;
    }
  }
};

}  // namespace langevin::device
