#pragma once
// The CPU backend's MLP chains and scores of one activation and dimension tier: the definitions
// of cpu/mlp.hpp's templates, instantiated by the sources generated from cpu/mlp_tiers.cpp.in
// (one per activation and group of tiers, so that a parallel build shares the minutes they
// take). The depth (one hidden layer or more) and the conditioning on σ are template arguments,
// so that no instantiation carries a path its networks never take.

#include "cpu/chain_lanes.hpp"
#include "cpu/mlp.hpp"
#include "cpu/mlp_lanes.hpp"
#include "cpu/points.hpp"
#include "dispatch.hpp"

#include <langevin/activation.hpp>
#include <langevin/device/mlp.hpp>
#include <langevin/device/run_cpu.hpp>

#include <type_traits>
#include <vector>

namespace langevin::cpu_backend {

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

}  // namespace cpu_mlp_detail

/// Up to kRegisterDim: blocks of chains in lockstep, SIMD across chains (bit-identical to one
/// chain at a time); beyond, one chain at a time. A noise-conditional network's input (x, log σ)
/// has d + 1 ≥ 2 values, so its tier is never 1.
template <Activation A, int MaxDim>
void sample_mlp_tier(const device::MlpView& net, const device::ChainConfig& config) {
  using namespace cpu_mlp_detail;
  auto run = [&](auto conditional) {
    constexpr bool kConditional = decltype(conditional)::value;
    if constexpr (MaxDim <= device::kRegisterDim) {
      with_lanes_functor<MaxDim, A, kConditional>(net, [&](const auto& score) {
        device::run_chains_cpu_lanes(score, config, MlpLanesThreadScratch{});
      });
    } else {
      using Score = OneChainMlpScore<MaxDim, A, kConditional>;
      device::run_chains_cpu(mlp_functor<Score>(net), config, MlpThreadScratch{});
    }
  };
  if (config.levels == 0) {
    run(std::false_type{});
  } else if constexpr (MaxDim > 1) {
    run(std::true_type{});
  }
}

/// Blocks of points through the sampler's lanes pass (SIMD across points), or one at a time.
template <Activation A, int MaxDim>
void score_mlp_tier(const device::MlpView& net, const float* points, float* scores, long long n,
                    float sigma) {
  using namespace cpu_mlp_detail;
  using namespace cpu_points;
  const int dim = net.width[net.layers];  // the data's dimension (outputs)
  auto run = [&](auto conditional) {
    constexpr bool kConditional = decltype(conditional)::value;
    if constexpr (MaxDim <= device::kRegisterDim) {
      with_lanes_functor<MaxDim, A, kConditional>(net, [&](const auto& score) {
        score_points_lanes(score, dim, points, scores, n, MlpLanesThreadScratch{}, sigma);
      });
    } else {
      using Score = OneChainMlpScore<MaxDim, A, kConditional>;
      score_points(mlp_functor<Score>(net), dim, points, scores, n, MlpThreadScratch{}, sigma);
    }
  };
  if (sigma == 0.0f) {
    run(std::false_type{});
  } else if constexpr (MaxDim > 1) {
    run(std::true_type{});
  }
}

}  // namespace langevin::cpu_backend
