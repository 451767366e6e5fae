#pragma once
/// \file
/// sample_with: the fused sampler on a score function of your own.
///
///   struct DoubleWell {                       // p(x) ∝ exp(−(x² − 1)²)
///     static constexpr int max_dim = 1;
///     LANGEVIN_HD void operator()(const float* x, float* s) const {
///       s[0] = -4.0f * x[0] * (x[0] * x[0] - 1.0f);
///     }
///   };
///   langevin::Array x = langevin::sample_with(DoubleWell{}, /*dim=*/1, config);
///
/// Compiled by nvcc, the chains run on the GPU when config.backend allows it; compiled by a plain
/// C++ compiler, on the CPU (Backend::Cuda is then an error). Same chains either way: the same
/// noise, and the same bits wherever your functor's arithmetic rounds alike on both. nvcc fuses
/// a product and a sum written apart (x·x − 1 above) unless told not to: build your .cu files
/// with --fmad=false, as the library's are, and spell the multiply-adds you want as fmaf.
/// A noise-conditional functor (chain.hpp) is annealed over config.sigmas; config.method = Mala
/// needs the functor's log_density.

#include <langevin/array.hpp>
#include <langevin/backend.hpp>
#include <langevin/device/run_cpu.hpp>
#include <langevin/error.hpp>
#include <langevin/sampler.hpp>

#if defined(__CUDACC__)
#include <langevin/device/run_cuda.cuh>
#endif

#include <cstddef>
#include <string>

namespace langevin {

template <class Score>
Array sample_with(const Score& score, int dim, const SamplerConfig& config) {
  if (dim > Score::max_dim) {
    throw InvalidInput("dim = " + std::to_string(dim) + " exceeds the score functor's max_dim = " +
                       std::to_string(Score::max_dim));
  }
  constexpr bool kNoiseConditional = device::IsNoiseConditional<Score>::value;
  if (kNoiseConditional && config.sigmas.empty()) {
    throw InvalidInput("sigmas: a noise-conditional score functor needs the noise levels");
  }
  if (!kNoiseConditional && !config.sigmas.empty()) {
    throw InvalidInput("sigmas: the score functor is not noise-conditional");
  }
  if (config.method == Method::Mala && !device::HasLogDensity<Score>::value) {
    throw InvalidInput("sampler = mala needs the score functor's log_density(x)");
  }
  if (config.checkpoint_every > 0 || config.resume) {
    throw InvalidInput("checkpoint_every / resume: sample_with runs in one call; checkpointing "
                       "needs a Sampler (a Gaussian mixture or an Mlp target)");
  }
  const int levels = static_cast<int>(config.sigmas.size());
  validate(config, dim, levels);
  device::ChainConfig chains = chain_config(config, dim, config.sigmas);
  Array out(output_shape(config, dim, levels));
  const bool has_init = config.init_states.size() > 0;

#if defined(__CUDACC__)
  if (resolve(config.backend) == Backend::Cuda) {
    DeviceBuffer<float> device_out(static_cast<std::size_t>(out.size()));
    DeviceBuffer<float> device_init;
    if (has_init) {
      device_init = DeviceBuffer<float>(config.init_states.data(),
                                        static_cast<std::size_t>(config.init_states.size()));
      chains.init_states = device_init.data();
    }
    chains.out = device_out.data();
    device::run_chains_cuda(score, chains);
    device_out.download(out.data(), static_cast<std::size_t>(out.size()));
    return out;
  }
#else
  if (config.backend == Backend::Cuda) {
    throw InvalidInput("backend = cuda needs the score functor compiled by nvcc (a .cu file)");
  }
#endif
  if (has_init) chains.init_states = config.init_states.data();
  chains.out = out.data();
  device::run_chains_cpu(score, chains);
  return out;
}

}  // namespace langevin
