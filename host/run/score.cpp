// score(): a score target's s(x) at given points, on one place: what the sampler computes at
// every step (in the same form: score() of a model gives the sampler's s).

#include "device_scope.hpp"
#include "run/runner.hpp"
#include "run/targets.hpp"
#include "run/views.hpp"
#include "validation.hpp"

#include <langevin/error.hpp>
#include <langevin/score.hpp>

#include <string>

namespace langevin {
namespace detail {

Array score_points(const ScoreTarget& target, const Array& points, float sigma, Backend backend) {
  const int dim = target.dim();
  if (points.rank() != 2 || points.dim(1) != dim) {
    throw InvalidInput("points of shape " + points.shape_string() + " for a score in " +
                       std::to_string(dim) + " dimensions: expected (N, " + std::to_string(dim) +
                       ")");
  }
  const std::unique_ptr<Runner> runner = std::move(make_runners(resolve(backend), -1, {}).front());
  const DeviceScope scope(runner->place().device);
  const std::unique_ptr<LoadedTarget> loaded = target.load(runner->place());
  Array scores(points.shape());
  const std::size_t count = static_cast<std::size_t>(points.size());
  if (runner->shares_host_memory()) {
    loaded->score(points.data(), scores.data(), points.dim(0), sigma, runner->stream());
    return scores;
  }
  RunnerBuffer<float> device_points(*runner, count), device_scores(*runner, count);
  runner->upload(device_points.data(), points.data(), sizeof(float) * count);
  loaded->score(device_points.data(), device_scores.data(), points.dim(0), sigma,
                runner->stream());
  runner->download(scores.data(), device_scores.data(), sizeof(float) * count);
  return scores;
}

}  // namespace detail

Array score(const GaussianMixture& target, const Array& points, Backend backend) {
  return detail::score_points(*detail::make_target(target), points, 0.0f, backend);
}

Array score(const Mlp& model, const Array& points, Backend backend, ScoreForm form) {
  if (model.noise_conditional()) {
    throw InvalidInput("this model is noise-conditional: give the noise level sigma");
  }
  return score(model, points, 0.0, backend, form);
}

Array score(const Mlp& model, const Array& points, double sigma, Backend backend,
            ScoreForm form) {
  if (model.noise_conditional()) detail::require_noise_level(sigma, "sigma");
  if (!model.noise_conditional() && sigma != 0.0) {
    throw InvalidInput("sigma: this model is not noise-conditional");
  }
  return detail::score_points(*detail::make_target(model, form), points,
                              static_cast<float>(sigma), backend);
}

}  // namespace langevin

namespace langevin {

void LoadedTarget::score(const float*, float*, long long, float, Stream) {
  throw InvalidInput("this score target runs chains only; it does not score points");
}

}  // namespace langevin
