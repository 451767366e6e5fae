// The Gaussian mixture as a score target: its exact score (and log-density, for MALA), annealed
// over its convolutions with N(0, σ² I) when the run gives noise levels.

#include "run/targets.hpp"
#include "run/views.hpp"

#include "cpu/backend.hpp"
#include "cuda/backend.hpp"

#include <langevin/error.hpp>

namespace langevin::detail {
namespace {

class LoadedGmm final : public LoadedTarget {
 public:
  LoadedGmm(const GaussianMixture& mixture, const std::vector<float>& packed, const Place& place)
      : place_(place) {
    if (place.backend == Backend::Cuda) params_ = DeviceBuffer<float>(packed.data(), packed.size());
    view_ = gmm_view(mixture, place.backend == Backend::Cuda ? params_.data() : packed.data());
  }

  void sample(const device::ChainConfig& part, Stream stream) override {
    if (place_.backend == Backend::Cuda) {
      cuda_backend::sample_gmm(view_, part, stream);
    } else {
      cpu_backend::sample_gmm(view_, part);
    }
  }

  void log_likelihood(const device::LikelihoodConfig& config, Stream stream) override {
    if (place_.backend == Backend::Cuda) {
      cuda_backend::likelihood_gmm(view_, config, stream);
    } else {
      cpu_backend::likelihood_gmm(view_, config);
    }
  }

  void score(const float* points, float* scores, long long n, float sigma,
             Stream stream) override {
    if (sigma != 0.0f) throw InvalidInput("sigma: score a convolved mixture instead");
    if (place_.backend == Backend::Cuda) {
      cuda_backend::score_gmm(view_, points, scores, n, stream);
    } else {
      cpu_backend::score_gmm(view_, points, scores, n);
    }
  }

 private:
  Place place_;
  DeviceBuffer<float> params_;
  device::GmmView view_;
};

class GmmTarget final : public ScoreTarget {
 public:
  explicit GmmTarget(const GaussianMixture& mixture)
      : mixture_(mixture), packed_(mixture.packed()) {}
  int dim() const override { return mixture_.dim(); }
  std::string form() const override { return "mixture"; }
  std::vector<double> noise_levels(const SamplerConfig& config) const override {
    return config.sigmas;
  }
  std::unique_ptr<LoadedTarget> load(const Place& place) const override {
    return std::make_unique<LoadedGmm>(mixture_, packed_, place);
  }

 private:
  GaussianMixture mixture_;
  std::vector<float> packed_;
};

}  // namespace

std::unique_ptr<ScoreTarget> make_target(const GaussianMixture& mixture) {
  return std::make_unique<GmmTarget>(mixture);
}

}  // namespace langevin::detail
