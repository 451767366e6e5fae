#include "backends.hpp"
#include "views.hpp"

#include <langevin/error.hpp>
#include <langevin/score.hpp>

namespace langevin {
namespace {

void check_points(const Array& points, int dim) {
  if (points.rank() != 2 || points.dim(1) != dim) {
    throw InvalidInput("points of shape " + points.shape_string() + " for a score in " +
                       std::to_string(dim) + " dimensions: expected (N, " + std::to_string(dim) +
                       ")");
  }
}

}  // namespace

Array score(const GaussianMixture& target, const Array& points, Backend backend) {
  check_points(points, target.dim());
  const std::vector<float> params = target.packed();
  Array scores(points.shape());
  if (resolve(backend) == Backend::Cuda) {
    const DeviceBuffer<float> device_params(params.data(), params.size());
    const DeviceBuffer<float> device_points(points.data(), static_cast<std::size_t>(points.size()));
    DeviceBuffer<float> device_scores(static_cast<std::size_t>(points.size()));
    backends::score_gmm_cuda(detail::gmm_view(target, device_params.data()), device_points.data(),
                             device_scores.data(), points.dim(0), nullptr);
    device_scores.download(scores.data(), static_cast<std::size_t>(scores.size()));
  } else {
    backends::score_gmm_cpu(detail::gmm_view(target, params.data()), points.data(),
                            scores.data(), points.dim(0));
  }
  return scores;
}

Array score(const Mlp& model, const Array& points, Backend backend) {
  check_points(points, detail::score_model_dim(model));
  const std::vector<float> params = model.packed();
  Array scores(points.shape());
  if (resolve(backend) == Backend::Cuda) {
    const DeviceBuffer<float> device_params(params.data(), params.size());
    const DeviceBuffer<float> device_points(points.data(), static_cast<std::size_t>(points.size()));
    DeviceBuffer<float> device_scores(static_cast<std::size_t>(points.size()));
    const device::MlpView view = detail::mlp_view(model, device_params.data());
    const backends::MlpScratchPlan plan = backends::plan_mlp_scratch(view, points.dim(0));
    DeviceBuffer<float> scratch(static_cast<std::size_t>(plan.floats));
    backends::score_mlp_cuda(view, model.activation(), static_cast<long long>(params.size()), plan,
                             scratch.data(), device_points.data(), device_scores.data(),
                             points.dim(0), nullptr);
    device_scores.download(scores.data(), static_cast<std::size_t>(scores.size()));
  } else {
    backends::score_mlp_cpu(detail::mlp_view(model, params.data()), model.activation(),
                            points.data(), scores.data(), points.dim(0));
  }
  return scores;
}

}  // namespace langevin
