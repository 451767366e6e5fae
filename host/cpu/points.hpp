#pragma once
// The CPU backend's loops over score points (langevin score): one point per iteration through a
// one-chain score functor, or blocks of points through a lanes functor, over OpenMP threads.

#include <langevin/device/chain.hpp>

#include <algorithm>
#include <type_traits>
#include <vector>

namespace langevin::cpu_backend::cpu_points {

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

/// f(D) with the dimension as a compile-time constant where it is one of the tiers up to 16
/// (0 otherwise): the transposes below then unroll into vector shuffles, where loops over a
/// run-time dimension stay scalar.
template <class F>
void with_transpose_dim(int dim, F&& f) {
  switch (dim) {
    case 1: return f(std::integral_constant<int, 1>{});
    case 2: return f(std::integral_constant<int, 2>{});
    case 4: return f(std::integral_constant<int, 4>{});
    case 8: return f(std::integral_constant<int, 8>{});
    case 16: return f(std::integral_constant<int, 16>{});
    default: return f(std::integral_constant<int, 0>{});
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
    with_transpose_dim(dim, [&](auto fixed_dim) {
      constexpr int D = decltype(fixed_dim)::value;
      const int d = D > 0 ? D : dim;
#pragma omp for schedule(static)
      for (long long b = 0; b < blocks; ++b) {
        const long long first = b * L;
        const int count = static_cast<int>(std::min<long long>(L, n - first));
        const float* block = points + first * d;
        float* block_scores = scores + first * d;
        if (D > 0 && count == L) {  // a full block: fixed loops
          for (int c = 0; c < L; ++c) {
            for (int j = 0; j < D; ++j) x[j * L + c] = block[c * D + j];
          }
          local(x, s, sigma);
          for (int c = 0; c < L; ++c) {
            for (int j = 0; j < D; ++j) block_scores[c * D + j] = s[j * L + c];
          }
          continue;
        }
        for (int c = 0; c < L; ++c) {
          const float* point = block + std::min(c, count - 1) * d;
          for (int j = 0; j < d; ++j) x[j * L + c] = point[j];
        }
        local(x, s, sigma);
        for (int c = 0; c < count; ++c) {
          for (int j = 0; j < d; ++j) block_scores[c * d + j] = s[j * L + c];
        }
      }
    });
  }
}

}  // namespace langevin::cpu_backend::cpu_points
