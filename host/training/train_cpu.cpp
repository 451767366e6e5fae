// Training on the CPU: CBLAS GEMMs and OpenMP loops (cpu_ops.hpp) under the shared loop.

#include "dispatch.hpp"
#include "training/backends.hpp"
#include "training/cpu_objective.hpp"
#include "training/cpu_ops.hpp"
#include "training/train_loop.hpp"

namespace langevin::training {

// The CPU specialises the common small shapes at compile time (see Shape); the GPU does not
// need to: its passes are bound by memory traffic, not by the loops' instructions.
TrainResult train_cpu(const Array& data, const Mlp& initial, const TrainConfig& config,
                      const Partials& partials) {
  const int dim = initial.data_dim();
  return with_shape(initial.input_dim(), dim, loss_setup(config, dim, 1, 1).streams,
                    [&](auto shape) {
    return detail::with_activation(initial.activation(), [&](auto act) {
      using Shape = decltype(shape);
      return train_with<CpuOps, act(), Shape, CpuObjective<act(), Shape>>(data, initial, config,
                                                                          partials);
    });
  });
}

LossAndGradient loss_and_gradient_cpu(const Mlp& model, const Array& batch,
                                      const TrainConfig& config, std::int64_t iteration,
                                      const Partials& partials) {
  const int dim = model.data_dim();
  return with_shape(model.input_dim(), dim, loss_setup(config, dim, 1, 1).streams,
                    [&](auto shape) {
    return detail::with_activation(model.activation(), [&](auto act) {
      using Shape = decltype(shape);
      return evaluate_once<CpuOps, act(), Shape, CpuObjective<act(), Shape>>(model, batch, config,
                                                                            iteration, partials);
    });
  });
}

}  // namespace langevin::training
