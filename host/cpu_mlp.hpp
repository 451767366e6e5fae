#pragma once
// The CPU backend's MLP chains and scores, one activation per translation unit
// (host/cpu_mlp_<activation>.cpp instantiates them): each instantiates every dimension tier of
// the lanes and one-chain paths, which together take minutes to compile, so four files let a
// parallel build share the work.

#include "cpu_points.hpp"
#include "dispatch.hpp"

#include <langevin/activation.hpp>
#include <langevin/device/mlp.hpp>
#include <langevin/device/mlp_lanes.hpp>
#include <langevin/device/run_cpu.hpp>

#include <algorithm>
#include <type_traits>
#include <vector>

namespace langevin::backends {

/// sample_mlp_cpu and score_mlp_cpu for one activation.
template <Activation A>
void sample_mlp_cpu_with(const device::MlpView& net, const device::ChainConfig& config);
template <Activation A>
void score_mlp_cpu_with(const device::MlpView& net, const float* points, float* scores,
                        long long n, float sigma);

namespace cpu_mlp_detail {

/// Gives each thread's copy of an MLP functor its own scratch for the deep path.
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

/// Chains per block of the lanes path: one AVX-512 register of floats; deep networks, and
/// one-hidden-layer ones of 8 or more inputs, sample in blocks of two registers, which share
/// each weight (mlp_lanes.hpp).
constexpr int kMlpLanes = device::kVectorLanes;
constexpr int kSharedWeightMlpLanes = 2 * device::kVectorLanes;

/// The same for the lanes functors: 2 × widest hidden × blocks lane vectors.
struct MlpLanesThreadScratch {
  template <class Score>
  std::vector<typename Score::Vector> operator()(Score& score) const {
    std::vector<typename Score::Vector> scratch;  // over-aligned: C++17's allocator honours it
    if (score.net.layers > 2) {
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

/// f(functor): the lanes functor for `net`, plain or noise-conditional, in blocks of 32 chains
/// (or points) for deep networks and one-hidden-layer ones of 8 or more inputs, else of 16.
template <int MaxDim, Activation A, class F>
void with_lanes_functor(const device::MlpView& net, bool noise_conditional, const F& f) {
  auto with_lanes = [&](auto lanes) {
    if (noise_conditional) {
      f(mlp_functor<device::MlpLanesScore<MaxDim, A, lanes(), true>>(net));
    } else {
      f(mlp_functor<device::MlpLanesScore<MaxDim, A, lanes(), false>>(net));
    }
  };
  if constexpr (MaxDim < 8) {  // (at compile time: tiers of 8 and more never build 16-chain ones)
    if (net.layers == 2) return with_lanes(std::integral_constant<int, kMlpLanes>{});
  }
  with_lanes(std::integral_constant<int, kSharedWeightMlpLanes>{});
}

/// The chains of one dimension tier and activation. Up to kRegisterDim: blocks of chains in
/// lockstep, SIMD across chains (bit-identical to one chain at a time); beyond, one at a time.
template <int MaxDim, Activation A>
void sample_mlp_tier(const device::MlpView& net, const device::ChainConfig& config) {
  if constexpr (MaxDim <= device::kRegisterDim) {
    with_lanes_functor<MaxDim, A>(net, config.levels > 0, [&](const auto& score) {
      device::run_chains_cpu_lanes(score, config, MlpLanesThreadScratch{});
    });
  } else if (config.levels > 0) {
    using Score = device::NoiseConditionalMlpScore<MaxDim, A>;
    device::run_chains_cpu(mlp_functor<Score>(net), config, MlpThreadScratch{});
  } else {
    using Score = device::MlpScore<MaxDim, A>;
    device::run_chains_cpu(mlp_functor<Score>(net), config, MlpThreadScratch{});
  }
}

}  // namespace cpu_mlp_detail

template <Activation A>
void sample_mlp_cpu_with(const device::MlpView& net, const device::ChainConfig& config) {
  // A noise-conditional network's input is (x, log σ): its width[0] = d + 1 sets the tier.
  detail::with_max_dim(net.width[0], [&](auto max_dim) {
    cpu_mlp_detail::sample_mlp_tier<max_dim(), A>(net, config);
  });
}

template <Activation A>
void score_mlp_cpu_with(const device::MlpView& net, const float* points, float* scores,
                        long long n, float sigma) {
  using namespace cpu_mlp_detail;
  using namespace cpu_points;
  const int dim = net.width[net.layers];  // the data's dimension (outputs)
  detail::with_max_dim(net.width[0], [&](auto max_dim) {
    if constexpr (max_dim() <= device::kRegisterDim) {
      // Blocks of points through the sampler's lanes pass: SIMD across points.
      with_lanes_functor<max_dim(), A>(net, sigma > 0.0f, [&](const auto& score) {
        score_points_lanes(score, dim, points, scores, n, MlpLanesThreadScratch{}, sigma);
      });
    } else if (sigma > 0.0f) {
      using Score = device::NoiseConditionalMlpScore<max_dim(), A>;
      score_points(mlp_functor<Score>(net), dim, points, scores, n, MlpThreadScratch{}, sigma);
    } else {
      using Score = device::MlpScore<max_dim(), A>;
      score_points(mlp_functor<Score>(net), dim, points, scores, n, MlpThreadScratch{});
    }
  });
}

// Instantiated once each, in host/cpu_mlp_<activation>.cpp: the declarations keep every other
// file that includes this header (cpu_backend.cpp's dispatch) from instantiating them again.
#define LANGEVIN_CPU_MLP_EXTERN(A)                                                              \
  extern template void sample_mlp_cpu_with<A>(const device::MlpView&,                           \
                                              const device::ChainConfig&);                      \
  extern template void score_mlp_cpu_with<A>(const device::MlpView&, const float*, float*,      \
                                             long long, float);
LANGEVIN_CPU_MLP_EXTERN(Activation::Relu)
LANGEVIN_CPU_MLP_EXTERN(Activation::Softplus)
LANGEVIN_CPU_MLP_EXTERN(Activation::Tanh)
LANGEVIN_CPU_MLP_EXTERN(Activation::Silu)
#undef LANGEVIN_CPU_MLP_EXTERN

}  // namespace langevin::backends
