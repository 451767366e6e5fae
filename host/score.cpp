#include "backends.hpp"
#include "hinge.hpp"
#include "validation.hpp"
#include "views.hpp"

#include <langevin/error.hpp>
#include <langevin/score.hpp>

#include <cmath>
#include <string>

namespace langevin {
namespace {

void check_points(const Array& points, int dim) {
  if (points.rank() != 2 || points.dim(1) != dim) {
    throw InvalidInput("points of shape " + points.shape_string() + " for a score in " +
                       std::to_string(dim) + " dimensions: expected (N, " + std::to_string(dim) +
                       ")");
  }
}

/// Uploads the packed parameters and the points, runs `launch(device_params, device_points,
/// device_scores)`, and returns the scores.
template <class Launch>
Array score_on_gpu(const std::vector<float>& params, const Array& points, Launch launch) {
  const DeviceBuffer<float> device_params(params.data(), params.size());
  const DeviceBuffer<float> device_points(points.data(), static_cast<std::size_t>(points.size()));
  DeviceBuffer<float> device_scores(static_cast<std::size_t>(points.size()));
  launch(device_params.data(), device_points.data(), device_scores.data());
  Array scores(points.shape());
  device_scores.download(scores.data(), static_cast<std::size_t>(scores.size()));
  return scores;
}

}  // namespace

Array score(const GaussianMixture& target, const Array& points, Backend backend) {
  check_points(points, target.dim());
  const std::vector<float> params = target.packed();
  if (resolve(backend) == Backend::Cuda) {
    return score_on_gpu(params, points, [&](const float* p, const float* x, float* s) {
      backends::score_gmm_cuda(detail::gmm_view(target, p), x, s, points.dim(0), nullptr);
    });
  }
  Array scores(points.shape());
  backends::score_gmm_cpu(detail::gmm_view(target, params.data()), points.data(), scores.data(),
                          points.dim(0));
  return scores;
}

Array score(const Mlp& model, const Array& points, Backend backend) {
  if (model.noise_conditional()) {
    throw InvalidInput("this model is noise-conditional: give the noise level sigma");
  }
  return score(model, points, 0.0, backend);
}

Array score(const Mlp& model, const Array& points, double sigma, Backend backend) {
  if (model.noise_conditional()) detail::require_noise_level(sigma, "sigma");
  if (!model.noise_conditional() && sigma != 0.0) {
    throw InvalidInput("sigma: this model is not noise-conditional");
  }
  const float level = static_cast<float>(sigma);
  check_points(points, detail::score_model_dim(model));
  if (const std::optional<detail::HingeForm> hinge = detail::hinge_form(model)) {
    // The form the sampler uses for this model, so that score() gives the sampler's s(x).
    if (resolve(backend) == Backend::Cuda) {
      return score_on_gpu(hinge->pairs, points, [&](const float* p, const float* x, float* s) {
        backends::score_hinge_cuda(hinge->view(p), x, s, points.dim(0), nullptr);
      });
    }
    Array scores(points.shape());
    backends::score_hinge_cpu(hinge->view(hinge->pairs.data()), points.data(), scores.data(),
                              points.dim(0));
    return scores;
  }
  const std::vector<float> params = model.packed();
  if (resolve(backend) == Backend::Cuda) {
    // The scratch outlives the kernel: it is freed after the scores are downloaded.
    const backends::MlpScratchPlan plan =
        backends::plan_mlp_scratch(detail::mlp_view(model, nullptr), points.dim(0));
    DeviceBuffer<float> scratch(static_cast<std::size_t>(plan.floats));
    return score_on_gpu(params, points, [&](const float* p, const float* x, float* s) {
      backends::score_mlp_cuda(detail::mlp_view(model, p), model.activation(),
                               static_cast<long long>(params.size()), plan, scratch.data(), x, s,
                               points.dim(0), nullptr, level);
    });
  }
  Array scores(points.shape());
  backends::score_mlp_cpu(detail::mlp_view(model, params.data()), model.activation(),
                          points.data(), scores.data(), points.dim(0), level);
  return scores;
}

}  // namespace langevin
