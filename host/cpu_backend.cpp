// The CPU backend: the same device/ code as the GPU, one chain (or point) per loop iteration,
// OpenMP across iterations.

#include "backends.hpp"
#include "dispatch.hpp"

#include <langevin/device/run_cpu.hpp>

#include <vector>

namespace langevin::backends {
namespace {

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

template <int MaxDim, Activation A>
device::MlpScore<MaxDim, A> mlp_functor(const device::MlpView& net) {
  device::MlpScore<MaxDim, A> score;
  score.net = net;
  score.widest_hidden = device::mlp_widest_hidden(net);
  return score;
}

/// Scores of `n` points, one per iteration, with per-thread set-up as for the chains.
template <class Score, class ThreadSetup>
void score_points(const Score& score, int dim, const float* points, float* scores, long long n,
                  ThreadSetup setup) {
#pragma omp parallel
  {
    Score local = score;
    auto keep_alive = setup(local);
    (void)keep_alive;
#pragma omp for schedule(static)
    for (long long i = 0; i < n; ++i) local(points + i * dim, scores + i * dim);
  }
}

}  // namespace

void sample_gmm_cpu(const device::GmmView& gmm, const device::ChainConfig& config) {
  detail::with_max_dim(gmm.dim, [&](auto max_dim) {
    device::run_chains_cpu(device::GmmScore<max_dim()>{gmm}, config);
  });
}

void sample_mlp_cpu(const device::MlpView& net, Activation activation,
                    const device::ChainConfig& config) {
  detail::with_max_dim(net.width[0], [&](auto max_dim) {
    detail::with_activation(activation, [&](auto act) {
      device::run_chains_cpu(mlp_functor<max_dim(), act()>(net), config, MlpThreadScratch{});
    });
  });
}

void score_gmm_cpu(const device::GmmView& gmm, const float* points, float* scores, long long n) {
  detail::with_max_dim(gmm.dim, [&](auto max_dim) {
    score_points(device::GmmScore<max_dim()>{gmm}, gmm.dim, points, scores, n,
                 device::NoThreadSetup{});
  });
}

void score_mlp_cpu(const device::MlpView& net, Activation activation, const float* points,
                   float* scores, long long n) {
  detail::with_max_dim(net.width[0], [&](auto max_dim) {
    detail::with_activation(activation, [&](auto act) {
      score_points(mlp_functor<max_dim(), act()>(net), net.width[0], points, scores, n,
                   MlpThreadScratch{});
    });
  });
}

}  // namespace langevin::backends
