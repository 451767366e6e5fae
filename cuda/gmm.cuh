#pragma once
// The Gaussian mixture on the GPU, per dimension tier: declared here, defined in
// gmm_kernels.cuh and instantiated in the sources generated from gmm_tiers.cu.in.

#include "backend.hpp"
#include "work.cuh"

#include <langevin/device/gmm.hpp>
#include <langevin/device/run_cuda.cuh>

namespace langevin::kernels {

/// The chains (the convolved mixture at each level when annealing; MALA chosen inside
/// run_chain), or the scores of points, in tier MaxDim.
template <int MaxDim>
void launch_gmm_chains(const device::GmmView& gmm, const device::ChainWork& work, Stream stream);
template <int MaxDim>
void launch_gmm_scores(const device::GmmView& gmm, const ScoreWork& work, Stream stream);

}  // namespace langevin::kernels
