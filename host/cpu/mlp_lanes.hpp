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
#include "cpu/lane_ops.hpp"
#include <langevin/device/math.hpp>
#include <langevin/device/mlp.hpp>

#include <cmath>
#include <type_traits>

namespace langevin::device {

/// activate<A> lane-wise: activation.hpp's activate_of on the lane vector, the same bits as the
/// one-chain pass in every lane.
template <Activation A>
inline LaneVector<kVectorLanes> lane_activate(const LaneVector<kVectorLanes>& h) {
  return activate_of<A, LaneOps<kVectorLanes>>(h);
}

/// f(InDim, OutDim) for a one-hidden-layer network: its input and output widths as
/// compile-time constants where they are those of the common networks, a plain one whose
/// dimension is the tier (d → H → d, d = MaxDim) and a noise-conditional one whose d + 1 is
/// (d + 1 → H → d); 0 (read from the view) otherwise. Loops over run-time widths carry a test
/// and a branch in every unit, on the ports the FMAs need (docs/PERFORMANCE.md).
template <int MaxDim, bool NoiseConditional, class F>
inline void with_shallow_widths(const MlpView& net, F&& f) {
  constexpr int kOut = NoiseConditional ? MaxDim - 1 : MaxDim;
  static_assert(kOut >= 1, "a noise-conditional network's input (x, log σ) has 2 or more values");
  if (net.width[0] == MaxDim && net.width[2] == kOut) {
    f(std::integral_constant<int, MaxDim>{}, std::integral_constant<int, kOut>{});
  } else {
    f(std::integral_constant<int, 0>{}, std::integral_constant<int, 0>{});
  }
}

/// One hidden layer, inputs and outputs of fewer than 8 (P = 16, 8 or 4 partial sums per
/// output): unit by unit, the inputs and a group of the P × MaxDim ≤ 16 partial sums in
/// registers (all of them on AVX-512; a quarter to a half of them on AVX2 and NEON). Per unit
/// and block of 16 chains: 2d FMAs and a max on the two FMA ports, and 2d + 1 weight broadcasts
/// on the two load ports. InDim, OutDim: with_shallow_widths'.
template <int MaxDim, Activation A, int InDim, int OutDim>
inline void mlp_forward_shallow_narrow_lanes(const MlpView& net, const LaneVector<kVectorLanes>* x,
                                             LaneVector<kVectorLanes>* out) {
  using V = LaneVector<kVectorLanes>;
  constexpr int P = mlp_partial_sums<MaxDim>();
  static_assert(MaxDim < 8, "wider networks take the chunked pass");
  const int d_in = InDim > 0 ? InDim : net.width[0];
  const int hidden = net.width[1];
  const int d_out = OutDim > 0 ? OutDim : net.width[2];
  const ShallowWeights layers = shallow_weights(net);

  // The inputs in registers: read through `x`, the compiler reloaded them for every unit.
  V input[MaxDim];
  LANGEVIN_UNROLL
  for (int k = 0; k < MaxDim; ++k) input[k] = k < d_in ? x[k] : splat<V>(0.0f);
  V partial[P][MaxDim];
  LANGEVIN_UNROLL
  for (int p = 0; p < P; ++p) {
    LANGEVIN_UNROLL
    for (int k = 0; k < MaxDim; ++k) partial[p][k] = splat<V>(0.0f);
  }
  // Hidden unit j feeds partial sum p = j mod P, as in the one-chain pass; the tail (j ≥
  // blocked) feeds partial sum 0.
  auto unit = [&](int j, V (&sum)[MaxDim]) __attribute__((always_inline)) {
    V h = splat<V>(layers.b_in[j]);
    LANGEVIN_UNROLL
    for (int k = 0; k < MaxDim; ++k) {
      if (k >= d_in) break;
      h = lane_fma(splat<V>(layers.w_in[k * layers.in_stride + j]), input[k], h);
    }
    h = lane_activate<A>(h);
    LANGEVIN_UNROLL
    for (int k = 0; k < MaxDim; ++k) {
      if (k >= d_out) break;
      sum[k] = lane_fma(splat<V>(layers.w_out[k * layers.out_stride + j]), h, sum[k]);
    }
  };
  // kGroup of the partial sums at a time, each over its units in order (every unit computed
  // once): on AVX2, whose registers hold 8 lane vectors, P × MaxDim = 16 sums would spill.
  constexpr int kGroup = P < lane_sum_group(MaxDim) ? P : lane_sum_group(MaxDim);
  static_assert(P % kGroup == 0, "whole groups of partial sums");
  const int blocked = hidden - hidden % P;
  LANGEVIN_UNROLL
  for (int p0 = 0; p0 < P; p0 += kGroup) {
    V sum[kGroup][MaxDim];
    LANGEVIN_UNROLL
    for (int p = 0; p < kGroup; ++p) {
      LANGEVIN_UNROLL
      for (int k = 0; k < MaxDim; ++k) sum[p][k] = partial[p0 + p][k];
    }
    for (int j = 0; j < blocked; j += P) {
      LANGEVIN_UNROLL
      for (int p = 0; p < kGroup; ++p) unit(j + p0 + p, sum[p]);
    }
    LANGEVIN_UNROLL
    for (int p = 0; p < kGroup; ++p) {
      LANGEVIN_UNROLL
      for (int k = 0; k < MaxDim; ++k) partial[p0 + p][k] = sum[p][k];
    }
  }
  for (int j = blocked; j < hidden; ++j) unit(j, partial[0]);

  fold_partial_sums(partial);
  for (int k = 0; k < d_out; ++k) out[k] = partial[0][k] + splat<V>(layers.b_out[k]);
}

/// One hidden layer, inputs and outputs of 8 or more (P = 2 or 1 partial sums per output), for
/// B blocks of 16 chains at once (vector k·B + b of x and out: coordinate k of block b). The
/// inputs (MaxDim × B vectors) and the partial sums (P × MaxDim × B) do not fit the 32 registers
/// together, so that unit by unit they would spill. So a chunk of units' activations first, kUnitGroup units side by side (each
/// unit's sum over its inputs is one dependent chain of FMAs); then the chunk into the partial
/// sums, a group of outputs at a time, those sums in registers. Each weight broadcast feeds B
/// FMAs (B = 2: half the loads per FMA and half the weight traffic per chain, as in the deep
/// pass). Each unit and each partial sum sees the one-chain pass's operations in its order.
template <int MaxDim, Activation A, int B, int InDim, int OutDim>
inline void mlp_forward_shallow_wide_lanes(const MlpView& net, const LaneVector<kVectorLanes>* x,
                                           LaneVector<kVectorLanes>* out) {
  using V = LaneVector<kVectorLanes>;
  constexpr int P = mlp_partial_sums<MaxDim>();
  static_assert(MaxDim >= 8 && P <= 2, "narrower networks take the unit-by-unit pass");
  constexpr int kChunk = 64;  // units: a multiple of P; 4 KB of activations a block
  // kUnitGroup × B unit sums, then P × kOutputGroup × B output sums, each half the registers
  // (AVX-512: 8 units, 8 / P outputs at B = 2).
  constexpr int kUnitGroup = lane_sum_group(B);
  constexpr int kOutputGroup = lane_sum_group(P * B);
  // (The tier bounds the widths; saying so lets the compiler see every index in bounds.)
  const int d_in = InDim > 0 ? InDim : (net.width[0] < MaxDim ? net.width[0] : MaxDim);
  const int hidden = net.width[1];
  const int d_out = OutDim > 0 ? OutDim : (net.width[2] < MaxDim ? net.width[2] : MaxDim);
  const ShallowWeights layers = shallow_weights(net);

  V partial[P][MaxDim][B];
  for (int p = 0; p < P; ++p) {
    for (int k = 0; k < MaxDim; ++k) {
      LANGEVIN_UNROLL
      for (int b = 0; b < B; ++b) partial[p][k][b] = splat<V>(0.0f);
    }
  }
  // Units [j, j + G) of every block into activation[(u + g) · B + b], u = j − first.
  V activation[kChunk * B];
  auto activate_units = [&](auto group, int j, V* to) __attribute__((always_inline)) {
    constexpr int G = decltype(group)::value;
    V h[G][B];
    LANGEVIN_UNROLL
    for (int g = 0; g < G; ++g) {
      LANGEVIN_UNROLL
      for (int b = 0; b < B; ++b) h[g][b] = splat<V>(layers.b_in[j + g]);
    }
    LANGEVIN_UNROLL
    for (int k = 0; k < MaxDim; ++k) {
      if (k >= d_in) break;
      LANGEVIN_UNROLL
      for (int g = 0; g < G; ++g) {
        const V weight = splat<V>(layers.w_in[k * layers.in_stride + j + g]);
        LANGEVIN_UNROLL
        for (int b = 0; b < B; ++b) h[g][b] = lane_fma(weight, x[k * B + b], h[g][b]);
      }
    }
    LANGEVIN_UNROLL
    for (int g = 0; g < G; ++g) {
      LANGEVIN_UNROLL
      for (int b = 0; b < B; ++b) to[g * B + b] = lane_activate<A>(h[g][b]);
    }
  };
  // Units first + [0, count) of `activation` into outputs [k0, k0 + kOutputGroup), unit u
  // into partial sum u mod Q (Q = P; the tail, Q = 1, into partial sum 0).
  // Full: all kOutputGroup outputs exist, so that the unit loop carries no test of k0 + kk.
  auto accumulate = [&](auto q, auto full, int first, int count,
                        int k0) __attribute__((always_inline)) {
    constexpr int Q = decltype(q)::value;
    constexpr bool kFull = decltype(full)::value;
    V sum[Q][kOutputGroup][B];
    LANGEVIN_UNROLL
    for (int p = 0; p < Q; ++p) {
      LANGEVIN_UNROLL
      for (int kk = 0; kk < kOutputGroup; ++kk) {
        LANGEVIN_UNROLL
        for (int b = 0; b < B; ++b) {
          sum[p][kk][b] = !kFull && k0 + kk >= d_out ? splat<V>(0.0f) : partial[p][k0 + kk][b];
        }
      }
    }
    for (int u = 0; u < count; u += Q) {
      LANGEVIN_UNROLL
      for (int p = 0; p < Q; ++p) {
        LANGEVIN_UNROLL
        for (int kk = 0; kk < kOutputGroup; ++kk) {
          if (!kFull && k0 + kk >= d_out) break;
          const V weight = splat<V>(layers.w_out[(k0 + kk) * layers.out_stride + first + u + p]);
          LANGEVIN_UNROLL
          for (int b = 0; b < B; ++b) {
            sum[p][kk][b] = lane_fma(weight, activation[(u + p) * B + b], sum[p][kk][b]);
          }
        }
      }
    }
    LANGEVIN_UNROLL
    for (int p = 0; p < Q; ++p) {
      LANGEVIN_UNROLL
      for (int kk = 0; kk < kOutputGroup; ++kk) {
        if (!kFull && k0 + kk >= d_out) break;
        LANGEVIN_UNROLL
        for (int b = 0; b < B; ++b) partial[p][k0 + kk][b] = sum[p][kk][b];
      }
    }
  };
  static_assert(MaxDim % kOutputGroup == 0, "whole groups of outputs");
  auto accumulate_outputs = [&](auto q, int first, int count) __attribute__((always_inline)) {
    int k0 = 0;
    for (; k0 + kOutputGroup <= d_out; k0 += kOutputGroup) {
      accumulate(q, std::true_type{}, first, count, k0);
    }
    if (k0 < d_out) accumulate(q, std::false_type{}, first, count, k0);
  };
  const int blocked = hidden - hidden % P;
  for (int first = 0; first < blocked; first += kChunk) {
    const int count = blocked - first < kChunk ? blocked - first : kChunk;
    int u = 0;
    for (; u + kUnitGroup <= count; u += kUnitGroup) {
      activate_units(std::integral_constant<int, kUnitGroup>{}, first + u, activation + u * B);
    }
    for (; u < count; ++u) {
      activate_units(std::integral_constant<int, 1>{}, first + u, activation + u * B);
    }
    accumulate_outputs(std::integral_constant<int, P>{}, first, count);
  }
  for (int j = blocked; j < hidden; ++j) {  // the tail: at most one unit, into partial sum 0
    activate_units(std::integral_constant<int, 1>{}, j, activation);
    accumulate_outputs(std::integral_constant<int, 1>{}, j, 1);
  }

  for (int k = 0; k < d_out; ++k) {
    LANGEVIN_UNROLL
    for (int b = 0; b < B; ++b) {
      V column[P];
      LANGEVIN_UNROLL
      for (int p = 0; p < P; ++p) column[p] = partial[p][k][b];
      fold_partial_sums(column);
      out[k * B + b] = column[0] + splat<V>(layers.b_out[k]);
    }
  }
}

/// One hidden layer: mlp_forward_shallow for B blocks of 16 chains (vector k·B + b of x and out:
/// coordinate k of block b; narrow networks run block by block). MaxDim ≤ kRegisterDim.
template <int MaxDim, Activation A, int B, bool NoiseConditional>
inline void mlp_forward_shallow_lanes(const MlpView& net, const LaneVector<kVectorLanes>* x,
                                      LaneVector<kVectorLanes>* out) {
  static_assert(MaxDim <= kRegisterDim, "the lanes pass keeps its partial sums in fixed arrays");
  using V = LaneVector<kVectorLanes>;
  with_shallow_widths<MaxDim, NoiseConditional>(net, [&](auto in_dim, auto out_dim) {
    if constexpr (MaxDim >= 8) {
      mlp_forward_shallow_wide_lanes<MaxDim, A, B, in_dim(), out_dim()>(net, x, out);
    } else if constexpr (B == 1) {
      mlp_forward_shallow_narrow_lanes<MaxDim, A, in_dim(), out_dim()>(net, x, out);
    } else {
      for (int b = 0; b < B; ++b) {
        V one_input[MaxDim], one_result[MaxDim];
        for (int k = 0; k < MaxDim; ++k) {
          one_input[k] = k < net.width[0] ? x[k * B + b] : splat<V>(0.0f);
        }
        mlp_forward_shallow_narrow_lanes<MaxDim, A, in_dim(), out_dim()>(net, one_input,
                                                                         one_result);
        for (int k = 0; k < net.width[2]; ++k) out[k * B + b] = one_result[k];
      }
    }
  });
}

/// Two or more hidden layers: mlp_forward_deep for B blocks of 16 chains at once (vector k·B + b
/// of x, out and scratch is coordinate or unit k of block b). `scratch` holds 2 × widest hidden
/// × B vectors. Each unit's sum runs over its inputs in order, as in the one-chain pass, so that
/// unit's FMAs form one dependent chain; kUnitGroup units at a time run side by side and share
/// each load of the previous layer's activations. A group must cover the FMA latency times the
/// FMA ports (4 cycles × 2 ports on AVX-512 cores): smaller groups leave the ports waiting on
/// the dependent chains. That is G + 1 loads for G FMAs (each weight is broadcast from memory)
/// against 2 load ports, and each layer's weights stream from L2 or L3 once per block; B = 2
/// blocks share each weight's broadcast: G + 2 loads for 2G FMAs, and half the weight traffic
/// per chain (the measurements are in docs/PERFORMANCE.md).
template <int MaxDim, Activation A, int B>
inline void mlp_forward_deep_lanes(const MlpView& net, const LaneVector<kVectorLanes>* x,
                                   LaneVector<kVectorLanes>* out, LaneVector<kVectorLanes>* scratch,
                                   int widest_hidden) {
  using V = LaneVector<kVectorLanes>;
  // kUnitGroup × B running sums (AVX-512: 8 units at B = 2; AVX2: 3).
  constexpr int kUnitGroup = lane_unit_group(B);
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
    if constexpr (kCapacity >= 4 && kUnitGroup > 4) {
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
/// noise-conditional (input (x, log σ), output divided by σ, as NoiseConditionalMlpScore), of one
/// hidden layer or of more (Deep). MaxDim bounds the network's input width. Lanes =
/// kVectorLanes · B chains a call, B blocks of one lane vector: B = 2 lets deep networks, and
/// one-hidden-layer ones of 8 or more inputs and outputs, share each weight between two blocks
/// (above); narrower ones run block by block.
template <int MaxDim, Activation A, int Lanes, bool NoiseConditional, bool Deep>
struct MlpLanesScore {
  static constexpr int max_dim = MaxDim;
  static constexpr int lanes = Lanes;
  static constexpr bool noise_conditional = NoiseConditional;
  static constexpr bool deep = Deep;
  static constexpr int kBlocks = Lanes / kVectorLanes;
  static_assert(Lanes % kVectorLanes == 0, "whole lane vectors of chains");
  using Vector = LaneVector<kVectorLanes>;
  MlpView net;
  Vector* scratch = nullptr;  // deep networks: 2 × widest hidden × kBlocks vectors, per thread
  int widest_hidden = 0;

  /// x[j * Lanes + c]: coordinate j of chain c; s likewise. Both 64-byte aligned.
  void operator()(const float* x, float* s, float sigma) const {
    if constexpr (NoiseConditional) {
      const Vector log_sigma = splat<Vector>(math::log(sigma));
      const Vector inverse = splat<Vector>(1.0f / sigma);
      evaluate(x, s, [&](int) { return log_sigma; }, [&](int) { return inverse; });
    } else {
      (void)sigma;
      evaluate(x, s, nullptr, nullptr);
    }
  }

  /// Chain c at sigmas[c] (the probability-flow ODE, whose chains stand at different σ): each
  /// lane gets what the call with its σ alone gives it.
  void operator()(const float* x, float* s, const float* sigmas) const {
    static_assert(NoiseConditional, "per-lane noise levels are for noise-conditional networks");
    Vector log_sigma[kBlocks], inverse[kBlocks];
    for (int b = 0; b < kBlocks; ++b) {
      float logs[kVectorLanes], inverses[kVectorLanes];
      for (int c = 0; c < kVectorLanes; ++c) {
        logs[c] = math::log(sigmas[kVectorLanes * b + c]);
        inverses[c] = 1.0f / sigmas[kVectorLanes * b + c];
      }
      log_sigma[b] = Vector::load(logs);
      inverse[b] = Vector::load(inverses);
    }
    evaluate(x, s, [&](int b) { return log_sigma[b]; }, [&](int b) { return inverse[b]; });
  }

 private:
  /// The pass, with block b's log σ input and 1/σ output scale from log_sigma(b), inverse(b).
  template <class LogSigma, class Inverse>
  void evaluate(const float* x, float* s, const LogSigma& log_sigma,
                const Inverse& inverse) const {
    constexpr int B = kBlocks;
    // The data's dimension, which the tier bounds (MaxDim, or MaxDim − 1 beside log σ): the
    // bound, a no-op at run time, tells the compiler that no row past the callers' arrays is read.
    constexpr int kMaxData = NoiseConditional ? MaxDim - 1 : MaxDim;
    const int d = net.width[net.layers] < kMaxData ? net.width[net.layers] : kMaxData;
    // input[j * B + b]: coordinate j of block b; the rows past the input are set too, since a
    // Highway vector's constructor (Arm's) leaves its lanes unset where `= {}` would not.
    Vector input[MaxDim * B];
    for (int j = 0; j < MaxDim; ++j) {
      for (int b = 0; b < B; ++b) {
        input[j * B + b] =
            j < d ? Vector::load(x + j * Lanes + kVectorLanes * b) : splat<Vector>(0.0f);
      }
    }
    if constexpr (NoiseConditional) {
      for (int b = 0; b < B; ++b) input[d * B + b] = log_sigma(b);
    }
    Vector result[MaxDim * B];
    if constexpr (Deep) {
      mlp_forward_deep_lanes<MaxDim, A, B>(net, input, result, scratch, widest_hidden);
    } else {
      mlp_forward_shallow_lanes<MaxDim, A, B, NoiseConditional>(net, input, result);
    }
    if constexpr (NoiseConditional) {
      for (int j = 0; j < d; ++j) {
        for (int b = 0; b < B; ++b) result[j * B + b] *= inverse(b);
      }
    }
    for (int j = 0; j < d; ++j) {
      for (int b = 0; b < B; ++b) {
        result[j * B + b].store(s + j * Lanes + kVectorLanes * b);
      }
    }
  }
};

}  // namespace langevin::device
