// Training on the GPU: cuBLAS GEMMs and the functor kernels (training_ops.cuh) under the
// shared loop; the seed problem's shape through its fused kernels (scalar_exact.cuh).

#include "dispatch.hpp"
#include "training/backends.hpp"
#include "training/train_loop.hpp"
#include "scalar_exact.cuh"
#include "training_ops.cuh"

namespace langevin::training {

TrainResult train_cuda(const Array& data, const Mlp& initial, const TrainConfig& config) {
  return detail::with_activation(initial.activation(), [&](auto act) {
    return train_with<CudaOps, act(), RuntimeShape, CudaObjective<act()>>(data, initial, config);
  });
}

LossAndGradient loss_and_gradient_cuda(const Mlp& model, const Array& batch,
                                       const TrainConfig& config, std::int64_t iteration) {
  return detail::with_activation(model.activation(), [&](auto act) {
    return evaluate_once<CudaOps, act(), RuntimeShape, CudaObjective<act()>>(model, batch, config,
                                                                           iteration);
  });
}

}  // namespace langevin::training
