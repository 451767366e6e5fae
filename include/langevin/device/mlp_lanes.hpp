#pragma once
/// \file
/// The MLP forward pass for `Lanes` chains at once, for the CPU backend: every loop runs over the
/// chains innermost, so that the compiler turns it into SIMD instructions across chains (one
/// AVX-512 register holds 16 chains), while each chain sees exactly the operations of the
/// one-chain pass in mlp.hpp, in the same order — the same fused multiply-adds, the same partial
/// sums folded in the same tree. Results are therefore bit-identical to the one-chain pass, and
/// so to the GPU (docs/REPRODUCIBILITY.md).
///
/// Layout: x[k * Lanes + c] is coordinate k of chain c; outputs likewise.

#include <langevin/device/activation.hpp>
#include <langevin/device/elementary.hpp>
#include <langevin/device/exp.hpp>
#include <langevin/device/lane_ops.hpp>
#include <langevin/device/math.hpp>
#include <langevin/device/mlp.hpp>

#include <cmath>
#include <type_traits>

namespace langevin::device {

/// activate<A> lane-wise: activation.hpp's activate_of on the lane vector, the same bits as the
/// one-chain pass in every lane.
template <Activation A, class V>
inline V lane_activate(V h) {
  constexpr int kLanes = static_cast<int>(sizeof(V) / sizeof(float));
  return activate_of<A, LaneOps<kLanes>>(h);
}

/// One hidden layer: mlp_forward_shallow for Lanes chains. MaxDim ≤ kRegisterDim.
template <int MaxDim, Activation A, int Lanes>
inline void mlp_forward_shallow_lanes(const MlpView& net, const LaneVector<Lanes>* x,
                                      LaneVector<Lanes>* out) {
  static_assert(MaxDim <= kRegisterDim, "the lanes pass keeps its partial sums in fixed arrays");
  using V = LaneVector<Lanes>;
  constexpr int P = mlp_partial_sums<MaxDim>();
  const int d_in = net.width[0];
  const int hidden = net.width[1];
  const int d_out = net.width[2];
  const float* w_in = net.params + net.weight_offset[0];
  const float* b_in = net.params + net.bias_offset[0];
  const float* w_out = net.params + net.weight_offset[1];
  const float* b_out = net.params + net.bias_offset[1];
  const int in_stride = net.row_stride[0];
  const int out_stride = net.row_stride[1];

  V partial[P][MaxDim];
  LANGEVIN_UNROLL
  for (int p = 0; p < P; ++p) {
    LANGEVIN_UNROLL
    for (int k = 0; k < MaxDim; ++k) partial[p][k] = splat<V>(0.0f);
  }
  // Hidden unit j feeds partial sum p = j mod P, as in the one-chain pass; the tail (j ≥
  // blocked) feeds partial sum 0.
  auto activation_of_unit = [&](int j) __attribute__((always_inline)) {
    V h = splat<V>(b_in[j]);
    LANGEVIN_UNROLL
    for (int k = 0; k < MaxDim; ++k) {
      if (k >= d_in) break;
      h = lane_fma(splat<V>(w_in[k * in_stride + j]), x[k], h);
    }
    return lane_activate<A>(h);
  };
  auto unit = [&](int j, V (&sum)[MaxDim]) __attribute__((always_inline)) {
    const V h = activation_of_unit(j);
    LANGEVIN_UNROLL
    for (int k = 0; k < MaxDim; ++k) {
      if (k >= d_out) break;
      sum[k] = lane_fma(splat<V>(w_out[k * out_stride + j]), h, sum[k]);
    }
  };
  const int blocked = hidden - hidden % P;
  if constexpr (MaxDim >= 8) {
    // Wide inputs and outputs: the partial sums (P × MaxDim = 16 vectors) and the inputs
    // (MaxDim) do not fit the 32 registers together, and unit by unit the compiler spilled them
    // (16-1024-16 ran at 27 % of the FMA ceiling). So a chunk of units' activations first, the
    // inputs in registers; then the chunk into the partial sums, those in registers. Each unit
    // and each partial sum sees the same operations in the same order as before.
    constexpr int kChunk = 64;  // a multiple of every P; 4 KB of activations
    static_assert(kChunk % P == 0, "a chunk holds whole groups of partial sums");
    V activation[kChunk];
    for (int first = 0; first < blocked; first += kChunk) {
      const int count = blocked - first < kChunk ? blocked - first : kChunk;
      for (int u = 0; u < count; ++u) activation[u] = activation_of_unit(first + u);
      for (int u = 0; u < count; u += P) {
        LANGEVIN_UNROLL
        for (int p = 0; p < P; ++p) {
          LANGEVIN_UNROLL
          for (int k = 0; k < MaxDim; ++k) {
            if (k >= d_out) break;
            partial[p][k] = lane_fma(splat<V>(w_out[k * out_stride + first + u + p]),
                                     activation[u + p], partial[p][k]);
          }
        }
      }
    }
  } else {
    for (int j = 0; j < blocked; j += P) {
      LANGEVIN_UNROLL
      for (int p = 0; p < P; ++p) unit(j + p, partial[p]);
    }
  }
  for (int j = blocked; j < hidden; ++j) unit(j, partial[0]);

  LANGEVIN_UNROLL
  for (int stride = P / 2; stride > 0; stride /= 2) {  // fold_partial_sums' tree
    LANGEVIN_UNROLL
    for (int p = 0; p < stride; ++p) {
      LANGEVIN_UNROLL
      for (int k = 0; k < MaxDim; ++k) partial[p][k] += partial[p + stride][k];
    }
  }
  for (int k = 0; k < d_out; ++k) out[k] = partial[0][k] + splat<V>(b_out[k]);
}

/// Two or more hidden layers: mlp_forward_deep for B blocks of 16 chains at once (vector k·B + b
/// of x, out and scratch is coordinate or unit k of block b). `scratch` holds 2 × widest hidden
/// × B vectors. Each unit's sum runs over its inputs in order, as in the one-chain pass, so that
/// unit's FMAs form one dependent chain; kUnitGroup units at a time run side by side and share
/// each load of the previous layer's activations. A group must cover the FMA latency times the
/// FMA ports (4 cycles × 2 ports on AVX-512 cores): with groups of 4 the hidden layers ran at
/// 45-51 % of the FMA ceiling, the one FMA a cycle that latency allows; with 8, 60-77 %. That
/// is G + 1 loads for G FMAs (each weight is broadcast from memory) against 2 load ports, and
/// each layer's weights stream from L2 or L3 once per block; B = 2 blocks share each weight's
/// broadcast: G + 2 loads for 2G FMAs, and half the weight traffic per chain (57-93 % of the
/// FMA ceiling where B = 1 gave 46-75 %: docs/PERFORMANCE.md).
template <int MaxDim, Activation A, int B>
inline void mlp_forward_deep_lanes(const MlpView& net, const LaneVector<kVectorLanes>* x,
                                   LaneVector<kVectorLanes>* out, LaneVector<kVectorLanes>* scratch,
                                   int widest_hidden) {
  using V = LaneVector<kVectorLanes>;
  constexpr int kUnitGroup = 8;  // 12 and 16 measured slower: more loads than registers hide
  V* current = scratch;
  V* next = scratch + widest_hidden * B;
  {  // layer 0 from the input
    const int d_in = net.width[0];
    const float* w = net.params + net.weight_offset[0];
    const float* b = net.params + net.bias_offset[0];
    for (int j = 0; j < net.width[1]; ++j) {
      V h[B];
      LANGEVIN_UNROLL
      for (int block = 0; block < B; ++block) h[block] = splat<V>(b[j]);
      for (int k = 0; k < d_in; ++k) {
        const V weight = splat<V>(w[k * net.row_stride[0] + j]);
        LANGEVIN_UNROLL
        for (int block = 0; block < B; ++block) {
          h[block] = lane_fma(weight, x[k * B + block], h[block]);
        }
      }
      LANGEVIN_UNROLL
      for (int block = 0; block < B; ++block) current[j * B + block] = lane_activate<A>(h[block]);
    }
  }
  // Units [j, j + G) of layer l from `from` into `to`: G × B running sums.
  auto units = [&](auto group, int l, int j, const V* from, V* to, bool activated) {
    constexpr int G = decltype(group)::value;
    const int inputs = net.width[l];
    const long long stride = net.row_stride[l];
    const float* w = net.params + net.weight_offset[l] + j * stride;
    const float* b = net.params + net.bias_offset[l];
    V sum[G][B];
    LANGEVIN_UNROLL
    for (int g = 0; g < G; ++g) {
      LANGEVIN_UNROLL
      for (int block = 0; block < B; ++block) sum[g][block] = splat<V>(b[j + g]);
    }
    for (int i = 0; i < inputs; ++i) {
      V a[B];
      LANGEVIN_UNROLL
      for (int block = 0; block < B; ++block) a[block] = from[i * B + block];
      LANGEVIN_UNROLL
      for (int g = 0; g < G; ++g) {
        const V weight = splat<V>(w[g * stride + i]);
        LANGEVIN_UNROLL
        for (int block = 0; block < B; ++block) {
          sum[g][block] = lane_fma(weight, a[block], sum[g][block]);
        }
      }
    }
    LANGEVIN_UNROLL
    for (int g = 0; g < G; ++g) {
      LANGEVIN_UNROLL
      for (int block = 0; block < B; ++block) {
        to[(j + g) * B + block] = activated ? lane_activate<A>(sum[g][block]) : sum[g][block];
      }
    }
  };
  // `capacity`: how many units `to` holds at compile time; groups wider than it are left out,
  // so that the compiler sees no write past the output array of MaxDim × B vectors.
  auto layer = [&](int l, const V* from, V* to, bool activated, auto capacity) {
    constexpr int kCapacity = decltype(capacity)::value;
    const int count = net.width[l + 1];
    int j = 0;
    if constexpr (kCapacity >= kUnitGroup) {
      for (; j + kUnitGroup <= count; j += kUnitGroup) {
        units(std::integral_constant<int, kUnitGroup>{}, l, j, from, to, activated);
      }
    }
    if constexpr (kCapacity >= 4) {
      for (; j + 4 <= count; j += 4) units(std::integral_constant<int, 4>{}, l, j, from, to, activated);
    }
    for (; j < count; ++j) units(std::integral_constant<int, 1>{}, l, j, from, to, activated);
  };
  for (int l = 1; l + 1 < net.layers; ++l) {  // hidden to hidden
    layer(l, current, next, true, std::integral_constant<int, kUnitGroup>{});
    V* swap = current;
    current = next;
    next = swap;
  }
  layer(net.layers - 1, current, out, false, std::integral_constant<int, MaxDim>{});  // no activation
}

/// The library's MLP scores as lanes score functors (chain_lanes.hpp): plain, or
/// noise-conditional (input (x, log σ), output divided by σ, as NoiseConditionalMlpScore).
/// MaxDim bounds the network's input width. Lanes = kVectorLanes · B chains a call, B blocks of
/// one lane vector: B = 2 lets deep networks share each weight between two blocks (above); a network with
/// one hidden layer runs block by block.
template <int MaxDim, Activation A, int Lanes, bool NoiseConditional>
struct MlpLanesScore {
  static constexpr int max_dim = MaxDim;
  static constexpr int lanes = Lanes;
  static constexpr bool noise_conditional = NoiseConditional;
  static constexpr int kBlocks = Lanes / kVectorLanes;
  static_assert(Lanes % kVectorLanes == 0, "whole lane vectors of chains");
  using Vector = LaneVector<kVectorLanes>;
  MlpView net;
  Vector* scratch = nullptr;  // deep networks: 2 × widest hidden × kBlocks vectors, per thread
  int widest_hidden = 0;

  /// x[j * Lanes + c]: coordinate j of chain c; s likewise. Both 64-byte aligned.
  void operator()(const float* x, float* s, float sigma) const {
    constexpr int B = kBlocks;
    const int d = net.width[net.layers];
    Vector input[MaxDim * B] = {};  // input[j * B + b]: coordinate j of block b
    for (int j = 0; j < d; ++j) {
      for (int b = 0; b < B; ++b) {
        __builtin_memcpy(&input[j * B + b], x + j * Lanes + kVectorLanes * b, sizeof(Vector));
      }
    }
    if constexpr (NoiseConditional) {
      for (int b = 0; b < B; ++b) input[d * B + b] = splat<Vector>(math::log(sigma));
    }
    Vector result[MaxDim * B];
    if (net.layers == 2 && B == 1) {
      mlp_forward_shallow_lanes<MaxDim, A, kVectorLanes>(net, input, result);
    } else if (net.layers == 2) {
      for (int b = 0; b < B; ++b) {
        Vector one_input[MaxDim], one_result[MaxDim] = {};
        for (int j = 0; j < MaxDim; ++j) one_input[j] = input[j * B + b];
        mlp_forward_shallow_lanes<MaxDim, A, kVectorLanes>(net, one_input, one_result);
        for (int j = 0; j < d; ++j) result[j * B + b] = one_result[j];
      }
    } else {
      mlp_forward_deep_lanes<MaxDim, A, B>(net, input, result, scratch, widest_hidden);
    }
    if constexpr (NoiseConditional) {
      const Vector inverse = splat<Vector>(1.0f / sigma);
      for (int j = 0; j < d * B; ++j) result[j] *= inverse;
    } else {
      (void)sigma;
    }
    for (int j = 0; j < d; ++j) {
      for (int b = 0; b < B; ++b) {
        __builtin_memcpy(s + j * Lanes + kVectorLanes * b, &result[j * B + b], sizeof(Vector));
      }
    }
  }
};

}  // namespace langevin::device
