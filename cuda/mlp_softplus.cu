// The MLP kernels with the softplus activation (see mlp.cuh).

#include "mlp.cuh"

LANGEVIN_INSTANTIATE_MLP_KERNELS(langevin::Activation::Softplus)
