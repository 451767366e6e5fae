#pragma once
// The CPU backend's MLP chains and scores, one activation per translation unit (generated from
// cpu/mlp_activation.cpp.in for each of LANGEVIN_ACTIVATIONS): each instantiates every dimension
// tier of the lanes and one-chain paths, which take minutes to compile, so one file an
// activation lets a parallel build share the work. The depth (one hidden layer or more) and the
// conditioning on σ are template arguments, so that no instantiation carries a path its
// networks never take.

#include "cpu/backend.hpp"
#include "cpu/chain_lanes.hpp"
#include "cpu/mlp_lanes.hpp"
#include "cpu/points.hpp"
#include "dispatch.hpp"

#include <langevin/activation.hpp>
#include <langevin/device/mlp.hpp>
#include <langevin/device/run_cpu.hpp>

#include <type_traits>
#include <vector>

namespace langevin::cpu_backend {

/// sample_mlp and score_mlp for one activation.
template <Activation A>
void sample_mlp_with(const device::MlpView& net, const device::ChainConfig& config);
template <Activation A>
void score_mlp_with(const device::MlpView& net, const float* points, float* scores, long long n,
                    float sigma);

namespace cpu_mlp_detail {

/// Gives each thread's copy of a one-chain MLP functor its own scratch for the deep path.
struct MlpThreadScratch {
  template <class Score>
  std::vector<float> operator()(Score& score) const {
    std::vector<float> scratch;
    if (score.net.layers > 2) {
      scratch.resize(2 * static_cast<std::size_t>(score.widest_hidden));
      score.scratch = scratch.data();
      score.scratch_stride = 1;
    }
    return scratch;  // moved: the data pointer stays valid
  }
};

/// The same for the lanes functors: 2 × widest hidden × blocks lane vectors.
struct MlpLanesThreadScratch {
  template <class Score>
  std::vector<typename Score::Vector> operator()(Score& score) const {
    std::vector<typename Score::Vector> scratch;  // over-aligned: C++17's allocator honours it
    if constexpr (Score::deep) {
      scratch.resize(2 * static_cast<std::size_t>(score.widest_hidden) * Score::kBlocks);
      score.scratch = scratch.data();
    }
    return scratch;
  }
};

template <class Score>
Score mlp_functor(const device::MlpView& net) {
  Score score;
  score.net = net;
  score.widest_hidden = device::mlp_widest_hidden(net);
  return score;
}

/// Chains per block of the lanes path: one lane vector (16) for one-hidden-layer networks of
/// fewer than 8 inputs, else two (32), which share each weight (mlp_lanes.hpp).
template <int MaxDim, bool Deep>
constexpr int mlp_block_lanes() {
  return Deep || MaxDim >= 8 ? 2 * device::kVectorLanes : device::kVectorLanes;
}

/// f(functor): the lanes functor for `net`, whose depth picks the pass.
template <int MaxDim, Activation A, bool NoiseConditional, class F>
void with_lanes_functor(const device::MlpView& net, const F& f) {
  if (net.layers == 2) {
    constexpr int kLanes = mlp_block_lanes<MaxDim, false>();
    f(mlp_functor<device::MlpLanesScore<MaxDim, A, kLanes, NoiseConditional, false>>(net));
  } else {
    constexpr int kLanes = mlp_block_lanes<MaxDim, true>();
    f(mlp_functor<device::MlpLanesScore<MaxDim, A, kLanes, NoiseConditional, true>>(net));
  }
}

/// The one-chain functor of the tiers past device::kRegisterDim.
template <int MaxDim, Activation A, bool NoiseConditional>
using OneChainMlpScore = std::conditional_t<NoiseConditional,
                                            device::NoiseConditionalMlpScore<MaxDim, A>,
                                            device::MlpScore<MaxDim, A>>;

/// f(MaxDim, NoiseConditional) for a network whose input width is `input_width`: a
/// noise-conditional one's input (x, log σ) has d + 1 ≥ 2 values, so its tier is never 1.
template <class F>
void with_tier(int input_width, bool noise_conditional, const F& f) {
  detail::with_max_dim(input_width, [&](auto max_dim) {
    if (!noise_conditional) {
      f(max_dim, std::false_type{});
    } else if constexpr (max_dim() > 1) {
      f(max_dim, std::true_type{});
    }
  });
}

}  // namespace cpu_mlp_detail

/// Up to kRegisterDim: blocks of chains in lockstep, SIMD across chains (bit-identical to one
/// chain at a time); beyond, one chain at a time.
template <Activation A>
void sample_mlp_with(const device::MlpView& net, const device::ChainConfig& config) {
  using namespace cpu_mlp_detail;
  with_tier(net.width[0], config.levels > 0, [&](auto max_dim, auto conditional) {
    constexpr int MaxDim = decltype(max_dim)::value;
    constexpr bool kConditional = decltype(conditional)::value;
    if constexpr (MaxDim <= device::kRegisterDim) {
      with_lanes_functor<MaxDim, A, kConditional>(net, [&](const auto& score) {
        device::run_chains_cpu_lanes(score, config, MlpLanesThreadScratch{});
      });
    } else {
      using Score = OneChainMlpScore<MaxDim, A, kConditional>;
      device::run_chains_cpu(mlp_functor<Score>(net), config, MlpThreadScratch{});
    }
  });
}

/// Blocks of points through the sampler's lanes pass (SIMD across points), or one at a time.
template <Activation A>
void score_mlp_with(const device::MlpView& net, const float* points, float* scores, long long n,
                    float sigma) {
  using namespace cpu_mlp_detail;
  using namespace cpu_points;
  const int dim = net.width[net.layers];  // the data's dimension (outputs)
  with_tier(net.width[0], sigma > 0.0f, [&](auto max_dim, auto conditional) {
    constexpr int MaxDim = decltype(max_dim)::value;
    constexpr bool kConditional = decltype(conditional)::value;
    if constexpr (MaxDim <= device::kRegisterDim) {
      with_lanes_functor<MaxDim, A, kConditional>(net, [&](const auto& score) {
        score_points_lanes(score, dim, points, scores, n, MlpLanesThreadScratch{}, sigma);
      });
    } else {
      using Score = OneChainMlpScore<MaxDim, A, kConditional>;
      score_points(mlp_functor<Score>(net), dim, points, scores, n, MlpThreadScratch{}, sigma);
    }
  });
}

// Instantiated once each, in the generated cpu_mlp_<activation>.cpp: the declarations keep
// every other file that includes this header (cpu/mlp.cpp's dispatch) from instantiating them.
#define LANGEVIN_CPU_MLP_EXTERN(A)                                                              \
  extern template void sample_mlp_with<Activation::A>(const device::MlpView&,                   \
                                                      const device::ChainConfig&);              \
  extern template void score_mlp_with<Activation::A>(const device::MlpView&, const float*,      \
                                                     float*, long long, float);
LANGEVIN_FOR_EACH_ACTIVATION(LANGEVIN_CPU_MLP_EXTERN)
#undef LANGEVIN_CPU_MLP_EXTERN

}  // namespace langevin::cpu_backend
