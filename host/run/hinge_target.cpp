// A 1-D network with one hidden ReLU layer in its hinge form (device/hinge.hpp): one max and one
// fused multiply-add a hidden unit. Plain ULA only: the model has no log-density and is not
// noise-conditional.

#include "run/hinge_form.hpp"
#include "run/targets.hpp"

#include "cpu/backend.hpp"
#include "cuda/backend.hpp"

namespace langevin::detail {
namespace {

class LoadedHinge final : public LoadedTarget {
 public:
  LoadedHinge(const HingeForm& form, const Place& place) : place_(place) {
    if (place.backend == Backend::Cuda) {
      pairs_ = DeviceBuffer<float>(form.pairs.data(), form.pairs.size());
    }
    view_ = form.view(place.backend == Backend::Cuda ? pairs_.data() : form.pairs.data());
  }

  void sample(const device::ChainConfig& part, Stream stream) override {
    if (place_.backend == Backend::Cuda) {
      cuda_backend::sample_hinge(view_, part, stream);
    } else {
      cpu_backend::sample_hinge(view_, part);
    }
  }

  void score(const float* points, float* scores, long long n, float /*sigma*/,
             Stream stream) override {
    if (place_.backend == Backend::Cuda) {
      cuda_backend::score_hinge(view_, points, scores, n, stream);
    } else {
      cpu_backend::score_hinge(view_, points, scores, n);
    }
  }

 private:
  Place place_;
  DeviceBuffer<float> pairs_;
  device::HingeView view_;
};

class HingeTarget final : public ScoreTarget {
 public:
  HingeTarget(const Mlp& model, HingeForm form) : model_(model), form_(std::move(form)) {}
  int dim() const override { return 1; }
  std::string form() const override { return "hinge"; }
  std::vector<double> noise_levels(const SamplerConfig& config) const override {
    return model_noise_levels(model_, config);
  }
  std::unique_ptr<LoadedTarget> load(const Place& place) const override {
    return std::make_unique<LoadedHinge>(form_, place);
  }

 private:
  Mlp model_;
  HingeForm form_;
};

}  // namespace

std::unique_ptr<ScoreTarget> make_hinge_target(const Mlp& model, HingeForm form) {
  return std::make_unique<HingeTarget>(model, std::move(form));
}

}  // namespace langevin::detail
