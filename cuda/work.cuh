#pragma once
// What a thread does with one item, for the kernels that run a score functor over many items:
// run a chain (sampling) or evaluate the score at a point (langevin score). The kernels are
// generic over this and over the score functor.

#include <langevin/device/chain.hpp>

namespace langevin::kernels {

struct ChainWork {
  device::ChainConfig config;
  __host__ __device__ long long count() const { return config.chains; }
  template <class Score>
  __device__ void operator()(const Score& score, long long i) const {
    device::run_chain(score, config, i);
  }
};

struct ScoreWork {
  const float* points;
  float* scores;
  long long n;
  int dim;
  float sigma = 0.0f;  // the noise level of a noise-conditional score
  __host__ __device__ long long count() const { return n; }
  template <class Score>
  __device__ void operator()(const Score& score, long long i) const {
    // Through registers: the functors index their inputs with compile-time offsets.
    constexpr int MaxDim = Score::max_dim;
    float x[MaxDim] = {};
    float s[MaxDim] = {};
LANGEVIN_UNROLL
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, dim); ++j) {
      if (j >= dim) break;
      x[j] = points[i * dim + j];
    }
    device::chain_detail::evaluate(score, x, s, sigma);
LANGEVIN_UNROLL
    for (int j = 0; j < LANGEVIN_DIM_BOUND(MaxDim, dim); ++j) {
      if (j >= dim) break;
      scores[i * dim + j] = s[j];
    }
  }
};

}  // namespace langevin::kernels
