// score(): a score target's s(x) at given points, on one place: what the sampler computes at
// every step (in the same form: score() of a model gives the sampler's s).

#include "device_scope.hpp"
#include "run/runner.hpp"
#include "run/targets.hpp"
#include "run/views.hpp"
#include "validation.hpp"

#include <langevin/error.hpp>
#include <langevin/score.hpp>

#include <cstdint>
#include <string>

namespace langevin {
namespace detail {

void score_points(const ScoreTarget& target, const float* points, std::int64_t count,
                  float* scores, float sigma, Backend backend) {
  if (count < 0) throw InvalidInput("count = " + std::to_string(count) + ": must be at least 0");
  if (count == 0) return;
  if (points == nullptr || scores == nullptr) {
    throw InvalidInput(std::string(points == nullptr ? "points" : "scores") + ": null pointer");
  }
  const std::unique_ptr<Runner> runner = std::move(make_runners(resolve(backend), -1, {}).front());
  const DeviceScope scope(runner->place().device);
  const std::unique_ptr<LoadedTarget> loaded = target.load(runner->place());
  if (runner->shares_host_memory()) {
    loaded->score(points, scores, count, sigma, runner->stream());
    return;
  }
  const std::size_t values = static_cast<std::size_t>(count) * static_cast<std::size_t>(target.dim());
  RunnerBuffer<float> device_points(*runner, values), device_scores(*runner, values);
  runner->upload(device_points.data(), points, sizeof(float) * values);
  loaded->score(device_points.data(), device_scores.data(), count, sigma, runner->stream());
  runner->download(scores, device_scores.data(), sizeof(float) * values);
}

Array score_points(const ScoreTarget& target, const Array& points, float sigma, Backend backend) {
  const int dim = target.dim();
  if (points.rank() != 2 || points.dim(1) != dim) {
    throw InvalidInput("points of shape " + points.shape_string() + " for a score in " +
                       std::to_string(dim) + " dimensions: expected (N, " + std::to_string(dim) +
                       ")");
  }
  Array scores(points.shape());
  score_points(target, points.data(), points.dim(0), scores.data(), sigma, backend);
  return scores;
}

/// The level a model is scored at, checked against the model: σ > 0 for a noise-conditional
/// one, 0 for any other.
float model_level(const Mlp& model, double sigma) {
  if (model.noise_conditional()) require_noise_level(sigma, "sigma");
  if (!model.noise_conditional() && sigma != 0.0) {
    throw InvalidInput("sigma: this model is not noise-conditional");
  }
  return static_cast<float>(sigma);
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
  const float level = detail::model_level(model, sigma);
  return detail::score_points(*detail::make_target(model, form), points, level, backend);
}

void score_into(const GaussianMixture& target, const float* points, std::int64_t count,
                float* scores, Backend backend) {
  detail::score_points(*detail::make_target(target), points, count, scores, 0.0f, backend);
}

void score_into(const Mlp& model, const float* points, std::int64_t count, float* scores,
                double sigma, Backend backend, ScoreForm form) {
  if (model.noise_conditional() && sigma == 0.0) {
    throw InvalidInput("this model is noise-conditional: give the noise level sigma");
  }
  const float level = detail::model_level(model, sigma);
  detail::score_points(*detail::make_target(model, form), points, count, scores, level, backend);
}

}  // namespace langevin

namespace langevin {

void LoadedTarget::score(const float*, float*, long long, float, Stream) {
  throw InvalidInput("this score target runs chains only; it does not score points");
}

void LoadedTarget::log_likelihood(const device::LikelihoodConfig&, Stream) {
  throw InvalidInput("this score target has no divergence: it gives no likelihoods");
}

}  // namespace langevin
