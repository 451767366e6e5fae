// The CPU backend's log-likelihoods (device/likelihood.hpp): one point per iteration over OpenMP
// threads, each point's arithmetic independent of the thread that runs it. Compiled as loops
// (LANGEVIN_NO_FORCED_UNROLL, host/CMakeLists.txt) in the likelihood's three tiers.

#include "cpu/backend.hpp"
#include "dispatch.hpp"

#include <langevin/device/likelihood.hpp>
#include <langevin/device/mlp_tangent.hpp>

#include <vector>

namespace langevin::cpu_backend {

void likelihood_gmm(const device::GmmView& gmm, const device::LikelihoodConfig& config) {
  detail::with_likelihood_dim(gmm.dim, [&](auto max_dim) {
    const device::GmmNoiseScore<max_dim()> score{gmm};
#pragma omp parallel for schedule(dynamic, 16)
    for (long long i = 0; i < config.points; ++i) device::run_point_likelihood(score, config, i);
  });
}

void likelihood_mlp(const device::MlpView& net, Activation activation,
                    const device::LikelihoodConfig& config) {
  const int widest = device::mlp_widest_hidden(net);
  detail::with_activation(activation, [&](auto act) {
    detail::with_likelihood_dim(net.width[0], [&](auto max_dim) {
#pragma omp parallel
      {
        std::vector<float> scratch(4 * static_cast<std::size_t>(widest));
        device::NoiseConditionalMlpDivergence<max_dim(), act()> score;
        score.net = net;
        score.scratch = scratch.data();
        score.scratch_stride = 1;
        score.widest_hidden = widest;
#pragma omp for schedule(dynamic, 16)
        for (long long i = 0; i < config.points; ++i) {
          device::run_point_likelihood(score, config, i);
        }
      }
    });
  });
}

}  // namespace langevin::cpu_backend
