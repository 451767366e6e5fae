#pragma once
// The mixture's kernels of gmm.cuh: device/run_cuda.cuh's items_kernel, its few parameters read
// as they are (NoStaging).

#include "gmm.cuh"

#include <langevin/device/cuda_check.hpp>

namespace langevin::kernels {

template <class Score, class Work>
void launch_gmm(const Score& score, const Work& work, Stream stream) {
  if (work.count() <= 0) return;
  device::items_kernel<<<device::item_blocks(work.count()), device::kChainsPerBlock, 0, stream>>>(
      device::NoStaging<Score>{score}, work);
  LANGEVIN_CUDA_CHECK_LAUNCH("items_kernel (gmm)");
}

template <int MaxDim>
void launch_gmm_chains(const device::GmmView& gmm, const device::ChainWork& work, Stream stream) {
  if (work.config.levels > 0) {
    launch_gmm(device::GmmNoiseScore<MaxDim>{gmm}, work, stream);
  } else {
    launch_gmm(device::GmmScore<MaxDim>{gmm}, work, stream);
  }
}

template <int MaxDim>
void launch_gmm_scores(const device::GmmView& gmm, const ScoreWork& work, Stream stream) {
  launch_gmm(device::GmmScore<MaxDim>{gmm}, work, stream);
}

}  // namespace langevin::kernels
