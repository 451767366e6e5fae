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
/// Compiled by nvcc, the chains run on the GPU when config.backend allows it (on config's device,
/// or split over its devices); compiled by a plain C++ compiler, on the CPU (Backend::Cuda is
/// then an error). Same chains either way: the same noise, and the same bits wherever your
/// functor's arithmetic rounds alike on both. nvcc fuses a product and a sum written apart
/// (x·x − 1 above) unless told not to: build your .cu files with --fmad=false, as the library's
/// are, and spell the multiply-adds you want as fmaf. A noise-conditional functor (chain.hpp) is
/// annealed over config.sigmas; config.method = Mala needs the functor's log_density. The run
/// goes through the library's driver as a Sampler's does: progress, checkpoints and resume,
/// divergence (an Error, as Sampler::run throws) all apply.

#include <langevin/array.hpp>
#include <langevin/backend.hpp>
#include <langevin/device/chain.hpp>
#include <langevin/device/run_cpu.hpp>
#include <langevin/error.hpp>
#include <langevin/sampler.hpp>
#include <langevin/target.hpp>

#if defined(__CUDACC__)
#include <langevin/device/run_cuda.cuh>
#endif

#include <memory>
#include <string>
#include <vector>

namespace langevin {
namespace detail {

/// A score functor as a score target: its chains through run_chain on the CPU, or one thread a
/// chain on the GPU where this header was compiled by nvcc.
template <class Score>
class FunctorTarget final : public ScoreTarget {
 public:
  FunctorTarget(const Score& score, int dim) : score_(score), dim_(dim) {}

  int dim() const override { return dim_; }
  std::string form() const override { return "functor"; }

  std::vector<double> noise_levels(const SamplerConfig& config) const override {
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
    return config.sigmas;
  }

  std::unique_ptr<LoadedTarget> load(const Place& place) const override {
    return std::make_unique<Loaded>(score_, place);
  }

 private:
  struct Loaded final : LoadedTarget {
    Loaded(const Score& s, const Place& p) : score(s), place(p) {}
    void sample(const device::ChainConfig& part, Stream stream) override {
#if defined(__CUDACC__)
      if (place.backend == Backend::Cuda) {
        device::run_chains_cuda(score, part, stream);
        return;
      }
#else
      (void)stream;
#endif
      device::run_chains_cpu(score, part);
    }
    Score score;
    Place place;
  };

  Score score_;
  int dim_;
};

}  // namespace detail

template <class Score>
Array sample_with(const Score& score, int dim, const SamplerConfig& config) {
  if (dim > Score::max_dim) {
    throw InvalidInput("dim = " + std::to_string(dim) + " exceeds the score functor's max_dim = " +
                       std::to_string(Score::max_dim));
  }
  SamplerConfig where = config;
#if !defined(__CUDACC__)
  if (config.backend == Backend::Cuda) {
    throw InvalidInput("backend = cuda needs the score functor compiled by nvcc (a .cu file)");
  }
  where.backend = Backend::Cpu;
#endif
  return Sampler(std::make_shared<detail::FunctorTarget<Score>>(score, dim), where).run();
}

}  // namespace langevin
