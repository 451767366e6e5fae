// Log-likelihoods on the GPU (device/likelihood.hpp): one point per thread of run_cuda.cuh's
// items_kernel, the mixture as it is, a network's weights staged as the sampler stages them
// (mlp_kernels.cuh). Compiled as loops (LANGEVIN_NO_FORCED_UNROLL, CMakeLists.txt) in the
// likelihood's three tiers.

#include "device_properties.cuh"
#include "dispatch.hpp"
#include "gmm_kernels.cuh"
#include "mlp_kernels.cuh"

#include <langevin/device/likelihood.hpp>
#include <langevin/device/mlp_tangent.hpp>

#include <algorithm>

namespace langevin {
namespace kernels {
namespace {

/// The work of a likelihood kernel: point i.
struct LikelihoodWork {
  device::LikelihoodConfig config;
  __host__ __device__ long long count() const { return config.points; }
  template <class Score>
  __device__ void operator()(const Score& score, long long i) const {
    device::run_point_likelihood(score, config, i);
  }
};

}  // namespace
}  // namespace kernels

namespace cuda_backend {

void likelihood_gmm(const device::GmmView& gmm, const device::LikelihoodConfig& config,
                    Stream stream) {
  detail::with_likelihood_dim(gmm.dim, [&](auto max_dim) {
    kernels::launch_gmm(device::GmmNoiseScore<max_dim()>{gmm}, kernels::LikelihoodWork{config},
                        stream);
  });
}

MlpScratchPlan plan_likelihood_scratch(const device::MlpView& net, long long points) {
  // Four hidden vectors per thread, at any depth; the grid capped as plan_mlp_scratch caps a
  // deep network's (the threads then loop over several points each).
  constexpr long long kBlock = device::kChainsPerBlock;
  constexpr long long kScratchBudget = 256ll << 20;
  MlpScratchPlan plan;
  const long long per_thread = 4ll * device::mlp_widest_hidden(net) * sizeof(float);
  const long long blocks = std::max(1ll, (points + kBlock - 1) / kBlock);
  const long long fill = kernels::resident_threads();
  const long long room = kernels::free_device_bytes() / 4 / per_thread;
  long long cap = std::min(std::max(kScratchBudget / per_thread, fill), room) / kBlock * kBlock;
  cap = std::max(cap, kBlock);
  plan.threads = std::min(blocks * kBlock, cap);
  plan.floats = plan.threads * 4ll * device::mlp_widest_hidden(net);
  return plan;
}

void likelihood_mlp(const device::MlpView& net, Activation activation, long long param_count,
                    const MlpScratchPlan& plan, float* scratch,
                    const device::LikelihoodConfig& config, Stream stream) {
  const kernels::MlpLaunch launch{net, param_count, plan, scratch, stream};
  detail::with_activation(activation, [&](auto act) {
    detail::with_likelihood_dim(net.width[0], [&](auto max_dim) {
      kernels::launch_mlp_as<device::NoiseConditionalMlpDivergence<max_dim(), act()>>(
          launch, kernels::LikelihoodWork{config});
    });
  });
}

}  // namespace cuda_backend
}  // namespace langevin
