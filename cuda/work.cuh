#pragma once
// The work of a scoring kernel (device/run_cuda.cuh's items_kernel, beside its ChainWork):
// evaluate the score at point i (langevin score).

#include <langevin/device/chain.hpp>
#include <langevin/device/run_cuda.cuh>

namespace langevin::kernels {

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
