// The MLP kernels with the tanh activation (see mlp.cuh).

#include "mlp.cuh"

LANGEVIN_INSTANTIATE_MLP_KERNELS(langevin::Activation::Tanh)
