#pragma once
// The MLP on the GPU, per activation and dimension tier: declared here, defined in
// mlp_kernels.cuh and instantiated in the sources generated from mlp_tiers.cu.in (one per
// activation and group of tiers, so that the slow part of the build runs in parallel), so that
// the dispatch (mlp.cu) compiles none of them itself.

#include "backend.hpp"
#include "work.cuh"

#include <langevin/activation.hpp>
#include <langevin/device/mlp.hpp>
#include <langevin/device/run_cuda.cuh>

namespace langevin::kernels {

/// A launch: the network (its parameters in device memory), the grid and scratch planned for
/// the work, and the stream.
struct MlpLaunch {
  device::MlpView net;
  long long param_count = 0;
  cuda_backend::MlpScratchPlan plan;
  float* scratch = nullptr;
  Stream stream = nullptr;
};

/// Shared memory a block may have on the current device (opt-in maximum).
long long max_shared_bytes_per_block();

/// The chains, or the scores of points, through the network of activation A in tier MaxDim
/// (a noise-conditional network's, when its ChainConfig has levels or its ScoreWork a sigma).
template <Activation A, int MaxDim>
void launch_mlp_chains(const MlpLaunch& launch, const device::ChainWork& work);
template <Activation A, int MaxDim>
void launch_mlp_scores(const MlpLaunch& launch, const ScoreWork& work);

}  // namespace langevin::kernels
