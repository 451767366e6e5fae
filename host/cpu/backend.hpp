#pragma once
// The CPU backend's entry points (host/cpu/): host pointers, validated inputs, OpenMP over
// chains or points. The targets (host/run/) call them. A ChainConfig with levels > 0 runs the
// noise-conditional form of the score (annealing); one with metropolis set runs MALA.

#include <langevin/activation.hpp>
#include <langevin/device/chain.hpp>
#include <langevin/device/gmm.hpp>
#include <langevin/device/hinge.hpp>
#include <langevin/device/mlp.hpp>

namespace langevin::device {
struct LikelihoodConfig;  // device/likelihood.hpp
}

namespace langevin::cpu_backend {

void sample_gmm(const device::GmmView& gmm, const device::ChainConfig& config);
void score_gmm(const device::GmmView& gmm, const float* points, float* scores, long long n);

void sample_mlp(const device::MlpView& net, Activation activation,
                const device::ChainConfig& config);
/// sigma > 0: a noise-conditional network at that level.
void score_mlp(const device::MlpView& net, Activation activation, const float* points,
               float* scores, long long n, float sigma);

/// Log-likelihoods by the probability-flow ODE (device/likelihood.hpp): the mixture convolved
/// at each level, a noise-conditional network (cpu/likelihood.cpp).
void likelihood_gmm(const device::GmmView& gmm, const device::LikelihoodConfig& config);
void likelihood_mlp(const device::MlpView& net, Activation activation,
                    const device::LikelihoodConfig& config);

/// The hinge form of a 1-D one-hidden-layer ReLU network: plain ULA.
void sample_hinge(const device::HingeView& hinge, const device::ChainConfig& config);
void score_hinge(const device::HingeView& hinge, const float* points, float* scores, long long n);

}  // namespace langevin::cpu_backend
