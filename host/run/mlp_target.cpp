// A score model through the layered pass (device/mlp.hpp): any depth and activation, plain or
// noise-conditional; and the selector that compiles a model into its form.

#include "run/hinge_form.hpp"
#include "run/targets.hpp"
#include "run/views.hpp"

#include "cpu/backend.hpp"
#include "cuda/backend.hpp"

#include <langevin/device/likelihood.hpp>
#include <langevin/error.hpp>

namespace langevin::detail {

std::vector<double> model_noise_levels(const Mlp& model, const SamplerConfig& config) {
  if (!model.noise_conditional() && !config.sigmas.empty()) {
    throw InvalidInput("sigmas: this model is not noise-conditional (train it with the ncsn "
                       "loss to anneal)");
  }
  // The log-density first: for a model it is the reason MALA cannot run, annealed or not.
  if (config.method == Method::Mala) {
    throw InvalidInput("sampler = mala needs a log-density: a Gaussian-mixture target "
                       "(or sample_with a functor that has log_density)");
  }
  if (!model.noise_conditional()) return {};
  return config.sigmas.empty() ? model.noise_levels() : config.sigmas;
}

namespace {

class LoadedMlp final : public LoadedTarget {
 public:
  LoadedMlp(const Mlp& model, const std::vector<float>& packed, const Place& place)
      : place_(place), activation_(model.activation()), param_count_(packed.size()) {
    if (place.backend == Backend::Cuda) params_ = DeviceBuffer<float>(packed.data(), packed.size());
    view_ = mlp_view(model, place.backend == Backend::Cuda ? params_.data() : packed.data());
  }

  void sample(const device::ChainConfig& part, Stream stream) override {
    if (place_.backend != Backend::Cuda) {
      cpu_backend::sample_mlp(view_, activation_, part);
      return;
    }
    const cuda_backend::MlpScratchPlan plan = cuda_backend::plan_mlp_scratch(view_, part.chains);
    float* scratch = scratch_for(plan);
    cuda_backend::sample_mlp(view_, activation_, param_count_, plan, scratch, part, stream);
  }

  void score(const float* points, float* scores, long long n, float sigma,
             Stream stream) override {
    if (place_.backend != Backend::Cuda) {
      cpu_backend::score_mlp(view_, activation_, points, scores, n, sigma);
      return;
    }
    const cuda_backend::MlpScratchPlan plan = cuda_backend::plan_mlp_scratch(view_, n);
    float* scratch = scratch_for(plan);
    cuda_backend::score_mlp(view_, activation_, param_count_, plan, scratch, points, scores, n,
                            sigma, stream);
  }

  void log_likelihood(const device::LikelihoodConfig& config, Stream stream) override {
    if (place_.backend != Backend::Cuda) {
      cpu_backend::likelihood_mlp(view_, activation_, config);
      return;
    }
    const cuda_backend::MlpScratchPlan plan =
        cuda_backend::plan_likelihood_scratch(view_, config.points);
    float* scratch = scratch_for(plan);
    cuda_backend::likelihood_mlp(view_, activation_, param_count_, plan, scratch, config, stream);
  }

 private:
  /// Deep networks' scratch, kept between calls (the work on one stream runs in order).
  float* scratch_for(const cuda_backend::MlpScratchPlan& plan) {
    if (scratch_.size() < static_cast<std::size_t>(plan.floats)) {
      scratch_ = DeviceBuffer<float>(static_cast<std::size_t>(plan.floats));
    }
    return scratch_.data();
  }

  Place place_;
  Activation activation_;
  long long param_count_;
  DeviceBuffer<float> params_;
  DeviceBuffer<float> scratch_;
  device::MlpView view_;
};

class MlpTarget final : public ScoreTarget {
 public:
  explicit MlpTarget(const Mlp& model)
      : model_(model), dim_(score_model_dim(model)), packed_(model.packed()) {}
  int dim() const override { return dim_; }
  std::string form() const override { return "layered"; }
  std::vector<double> noise_levels(const SamplerConfig& config) const override {
    return model_noise_levels(model_, config);
  }
  std::unique_ptr<LoadedTarget> load(const Place& place) const override {
    return std::make_unique<LoadedMlp>(model_, packed_, place);
  }

 private:
  Mlp model_;
  int dim_;
  std::vector<float> packed_;
};

}  // namespace

std::unique_ptr<ScoreTarget> make_target(const Mlp& model, ScoreForm form) {
  if (form == ScoreForm::Auto) {
    if (std::optional<HingeForm> hinge = hinge_form(model)) {
      return make_hinge_target(model, std::move(*hinge));
    }
  }
  return std::make_unique<MlpTarget>(model);
}

}  // namespace langevin::detail
