#pragma once
// Training on each backend (instantiations of train_loop.hpp): host/training/train_cpu.cpp and
// cuda/train_cuda.cu. Inputs are validated by host/trainer.cpp.

#include <langevin/array.hpp>
#include <langevin/mlp.hpp>
#include <langevin/trainer.hpp>

namespace langevin::training {

class Partials;

/// `partials`: the share of the objective's partial sums this process computes (partials.hpp).
TrainResult train_cpu(const Array& data, const Mlp& initial, const TrainConfig& config,
                      const Partials& partials);
TrainResult train_cuda(const Array& data, const Mlp& initial, const TrainConfig& config);
LossAndGradient loss_and_gradient_cpu(const Mlp& model, const Array& batch,
                                      const TrainConfig& config, std::int64_t iteration,
                                      const Partials& partials);
LossAndGradient loss_and_gradient_cuda(const Mlp& model, const Array& batch,
                                       const TrainConfig& config, std::int64_t iteration);

}  // namespace langevin::training
