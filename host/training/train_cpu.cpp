// Training on the CPU: CBLAS GEMMs and OpenMP loops (cpu_ops.hpp) under the shared loop.

#include "dispatch.hpp"
#include "training/backends.hpp"
#include "training/cpu_ops.hpp"
#include "training/train_loop.hpp"

namespace langevin::training {

TrainResult train_cpu(const Array& data, const Mlp& initial, const TrainConfig& config) {
  return detail::with_activation(initial.activation(), [&](auto act) {
    return train_with<CpuOps, act()>(data, initial, config);
  });
}

LossAndGradient loss_and_gradient_cpu(const Mlp& model, const Array& batch,
                                      const TrainConfig& config, std::int64_t iteration) {
  return detail::with_activation(model.activation(), [&](auto act) {
    return evaluate_once<CpuOps, act()>(model, batch, config, iteration);
  });
}

}  // namespace langevin::training
