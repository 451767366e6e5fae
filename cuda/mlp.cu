// The MLP's GPU entry points: plan the grid and scratch, pick the activation's kernels.

#include "device_properties.cuh"
#include "dispatch.hpp"
#include "mlp.cuh"

#include <algorithm>

namespace langevin {
namespace kernels {

long long max_shared_bytes_per_block() {
  return device_attribute(cudaDevAttrMaxSharedMemoryPerBlockOptin);
}

}  // namespace kernels

namespace cuda_backend {

MlpScratchPlan plan_mlp_scratch(const device::MlpView& net, long long work_items) {
  constexpr long long kBlock = device::kChainsPerBlock;
  MlpScratchPlan plan;
  const long long blocks = (work_items + kBlock - 1) / kBlock;
  plan.threads = (blocks < (1ll << 31) - 1 ? blocks : (1ll << 31) - 1) * kBlock;
  if (net.layers > 2) {
    // Two hidden vectors per thread, and a grid capped so that threads loop over several items
    // each: at 256 MiB of scratch, or at the threads that fill every SM where that needs more
    // (a width of 1 024 takes 8 KB a thread: 256 MiB would hold fewer blocks than an H100 has
    // SMs), but never more than a quarter of the free memory.
    constexpr long long kScratchBudget = 256ll << 20;
    const long long per_thread = 2ll * device::mlp_widest_hidden(net) * sizeof(float);
    const long long fill = kernels::resident_threads();
    const long long room = kernels::free_device_bytes() / 4 / per_thread;
    long long cap = std::min(std::max(kScratchBudget / per_thread, fill), room) / kBlock * kBlock;
    if (cap < kBlock) cap = kBlock;
    if (plan.threads > cap) plan.threads = cap;
    plan.floats = plan.threads * 2ll * device::mlp_widest_hidden(net);
  }
  return plan;
}

void sample_mlp(const device::MlpView& net, Activation activation, long long param_count,
                const MlpScratchPlan& plan, float* scratch, const device::ChainConfig& config,
                Stream stream) {
  const kernels::MlpLaunch launch{net, param_count, plan, scratch, stream};
  detail::with_activation(activation, [&](auto act) {
    detail::with_max_dim(net.width[0], [&](auto max_dim) {
      kernels::launch_mlp_chains<act(), max_dim()>(launch, device::ChainWork{config});
    });
  });
}

void score_mlp(const device::MlpView& net, Activation activation, long long param_count,
               const MlpScratchPlan& plan, float* scratch, const float* points, float* scores,
               long long n, float sigma, Stream stream) {
  const kernels::MlpLaunch launch{net, param_count, plan, scratch, stream};
  const kernels::ScoreWork work{points, scores, n, net.width[net.layers], sigma};
  detail::with_activation(activation, [&](auto act) {
    detail::with_max_dim(net.width[0], [&](auto max_dim) {
      kernels::launch_mlp_scores<act(), max_dim()>(launch, work);
    });
  });
}

}  // namespace cuda_backend
}  // namespace langevin
