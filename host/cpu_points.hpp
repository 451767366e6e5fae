#pragma once
// The CPU backend's loops over score points (langevin score): one point per iteration through a
// one-chain score functor, or blocks of points through a lanes functor, over OpenMP threads.

#include <langevin/device/chain.hpp>

#include <algorithm>
#include <vector>

namespace langevin::backends::cpu_points {

/// Scores of `n` points, one per iteration, with per-thread set-up as for the chains.
template <class Score, class ThreadSetup>
void score_points(const Score& score, int dim, const float* points, float* scores, long long n,
                  ThreadSetup setup, float sigma = 0.0f) {
#pragma omp parallel
  {
    Score local = score;
    auto keep_alive = setup(local);
    (void)keep_alive;
#pragma omp for schedule(static)
    for (long long i = 0; i < n; ++i) {
      device::chain_detail::evaluate(local, points + i * dim, scores + i * dim, sigma);
    }
  }
}

/// Scores of `n` points in blocks of Score::lanes through a lanes functor: each block's points are
/// transposed into lane vectors (coordinate-major), scored together, and transposed back; a
/// partial last block repeats its last point in the unused lanes. Bit-identical to score_points
/// with the one-chain functor (the lanes pass does each point's operations in the same order).
template <class Score, class ThreadSetup>
void score_points_lanes(const Score& score, int dim, const float* points, float* scores,
                        long long n, ThreadSetup setup, float sigma) {
  constexpr int L = Score::lanes;
  using Vector = typename Score::Vector;
  const long long blocks = (n + L - 1) / L;
#pragma omp parallel
  {
    Score local = score;
    auto keep_alive = setup(local);
    (void)keep_alive;
    // dim rows of L floats each, in whole lane vectors.
    const std::size_t vectors = static_cast<std::size_t>(dim) * (L * sizeof(float) / sizeof(Vector));
    std::vector<Vector> in(vectors), out(vectors);
    float* x = reinterpret_cast<float*>(in.data());
    float* s = reinterpret_cast<float*>(out.data());
#pragma omp for schedule(static)
    for (long long b = 0; b < blocks; ++b) {
      const long long first = b * L;
      const int count = static_cast<int>(std::min<long long>(L, n - first));
      const float* block = points + first * dim;
      float* block_scores = scores + first * dim;
      if (dim == 1 && count == L) {
        // Nothing to transpose: a full block of 1-D points is one row. (For small networks the
        // transposing loops took as long as the network.)
        std::copy(block, block + L, x);
        local(x, s, sigma);
        std::copy(s, s + L, block_scores);
        continue;
      }
      for (int c = 0; c < L; ++c) {
        const float* point = block + std::min(c, count - 1) * dim;
        for (int j = 0; j < dim; ++j) x[j * L + c] = point[j];
      }
      local(x, s, sigma);
      for (int c = 0; c < count; ++c) {
        for (int j = 0; j < dim; ++j) block_scores[c * dim + j] = s[j * L + c];
      }
    }
  }
}

}  // namespace langevin::backends::cpu_points
