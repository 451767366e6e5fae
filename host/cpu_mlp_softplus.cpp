// The CPU backend's MLP chains and scores with softplus (see cpu_mlp.hpp).

#include "cpu_mlp.hpp"

namespace langevin::backends {

template void sample_mlp_cpu_with<Activation::Softplus>(const device::MlpView&,
                                                      const device::ChainConfig&);
template void score_mlp_cpu_with<Activation::Softplus>(const device::MlpView&, const float*, float*,
                                                     long long, float);

}  // namespace langevin::backends
