// log_likelihood(): points through a score target's probability-flow ODE on one place, as
// score() scores them (score.cpp): the target loaded there, the points and results copied when
// the place does not share the host's memory.

#include "device_scope.hpp"
#include "run/runner.hpp"
#include "run/targets.hpp"
#include "run/views.hpp"
#include "validation.hpp"

#include <langevin/device/likelihood.hpp>
#include <langevin/error.hpp>
#include <langevin/likelihood.hpp>

#include <cmath>
#include <cstdint>
#include <string>

namespace langevin {

const char* to_string(DivergenceEstimator divergence) {
  switch (divergence) {
    case DivergenceEstimator::Exact: return "exact";
    case DivergenceEstimator::Hutchinson: return "hutchinson";
    case DivergenceEstimator::Auto: break;
  }
  return "auto";
}

DivergenceEstimator parse_divergence(const std::string& text, const std::string& field) {
  if (text == "auto") return DivergenceEstimator::Auto;
  if (text == "exact") return DivergenceEstimator::Exact;
  if (text == "hutchinson") return DivergenceEstimator::Hutchinson;
  throw InvalidInput(field + " = \"" + text + "\": expected auto, exact or hutchinson");
}

void LikelihoodConfig::validate() const {
  using detail::require;
  if (!sigmas.empty()) {
    validate_noise_levels(sigmas, "sigmas");
    require(sigmas.size() >= 2, "sigmas", "one level",
            "the flow runs from the lowest level to the highest: give at least two");
  }
  require(probes >= 1 && probes <= device::kMaxLikelihoodProbes, "probes", std::to_string(probes),
          "must be in 1 … " + std::to_string(device::kMaxLikelihoodProbes));
  require(first_point >= 0, "first_point", std::to_string(first_point), "must be at least 0");
  detail::require_ode_tolerances(rtol, atol);
}

std::int64_t Likelihood::failed() const {
  std::int64_t count = 0;
  for (std::int64_t i = 0; i < log_density.size(); ++i) count += !std::isfinite(log_density[i]);
  return count;
}

double Likelihood::mean_log_density() const {
  double sum = 0.0;
  std::int64_t count = 0;
  for (std::int64_t i = 0; i < log_density.size(); ++i) {
    if (!std::isfinite(log_density[i])) continue;
    sum += log_density[i];
    ++count;
  }
  return count > 0 ? sum / static_cast<double>(count) : std::nan("");
}

double Likelihood::bits_per_dim() const {
  return -mean_log_density() / (static_cast<double>(dim) * std::log(2.0));
}

namespace detail {
namespace {

Likelihood run_likelihood(const ScoreTarget& target, const Array& points,
                          const std::vector<double>& sigmas, DivergenceEstimator divergence,
                          const LikelihoodConfig& config) {
  const int dim = target.dim();
  if (points.rank() != 2 || points.dim(1) != dim) {
    throw InvalidInput("points of shape " + points.shape_string() + " for a score in " +
                       std::to_string(dim) + " dimensions: expected (N, " + std::to_string(dim) +
                       ")");
  }
  require_finite(points.data(), points.size(), dim, "points");
  const std::int64_t n = points.dim(0);
  Likelihood result;
  result.dim = dim;
  result.divergence = divergence;
  result.sigmas = sigmas;
  result.log_density = Array(std::vector<std::int64_t>{n});
  result.latent = Array({n, static_cast<std::int64_t>(dim)});
  result.evaluations.assign(static_cast<std::size_t>(n), 0);
  if (n == 0) return result;

  const std::unique_ptr<Runner> runner =
      std::move(make_runners(resolve(config.backend), config.device, {}).front());
  const DeviceScope scope(runner->place().device);
  const std::unique_ptr<LoadedTarget> loaded = target.load(runner->place());
  std::vector<float> levels(sigmas.begin(), sigmas.end());
  const std::size_t values = static_cast<std::size_t>(n) * static_cast<std::size_t>(dim);
  const std::size_t count = static_cast<std::size_t>(n);

  device::LikelihoodConfig part;
  part.dim = dim;
  part.levels = static_cast<int>(levels.size());
  part.rtol = static_cast<float>(config.rtol);
  part.atol = static_cast<float>(config.atol);
  part.probes = divergence == DivergenceEstimator::Hutchinson ? config.probes : 0;
  part.seed = config.seed;
  part.first_point = config.first_point;
  part.points = n;
  if (runner->shares_host_memory()) {
    part.sigmas = levels.data();
    part.in = points.data();
    part.log_density = result.log_density.data();
    part.latent = result.latent.data();
    part.evaluations = result.evaluations.data();
    loaded->log_likelihood(part, runner->stream());
    return result;
  }
  RunnerBuffer<float> device_levels(*runner, levels.size()), device_points(*runner, values),
      device_log_density(*runner, count), device_latent(*runner, values);
  RunnerBuffer<std::int32_t> device_evaluations(*runner, count);
  runner->upload(device_levels.data(), levels.data(), sizeof(float) * levels.size());
  runner->upload(device_points.data(), points.data(), sizeof(float) * values);
  part.sigmas = device_levels.data();
  part.in = device_points.data();
  part.log_density = device_log_density.data();
  part.latent = device_latent.data();
  part.evaluations = device_evaluations.data();
  loaded->log_likelihood(part, runner->stream());
  runner->download(result.log_density.data(), device_log_density.data(), sizeof(float) * count);
  runner->download(result.latent.data(), device_latent.data(), sizeof(float) * values);
  runner->download(result.evaluations.data(), device_evaluations.data(),
                   sizeof(std::int32_t) * count);
  return result;
}

}  // namespace
}  // namespace detail

Likelihood log_likelihood(const GaussianMixture& mixture, const Array& points,
                          const LikelihoodConfig& config) {
  config.validate();
  if (config.sigmas.empty()) {
    throw InvalidInput("sigmas: a mixture's likelihood runs over noise levels: give them "
                       "(σ₁ well above the mixture's spread, σ_L the level of the points)");
  }
  return detail::run_likelihood(*detail::make_target(mixture), points, config.sigmas,
                                resolved_divergence(config.divergence, true, mixture.dim()),
                                config);
}

Likelihood log_likelihood(const Mlp& model, const Array& points, const LikelihoodConfig& config) {
  config.validate();
  if (!model.noise_conditional()) {
    throw InvalidInput("this model is not noise-conditional: a likelihood needs the score at "
                       "every noise level (train it with the ncsn loss)");
  }
  const std::vector<double> sigmas = config.sigmas.empty() ? model.noise_levels() : config.sigmas;
  if (sigmas.size() < 2) {
    throw InvalidInput("sigmas: the model has one noise level; give at least two");
  }
  const DivergenceEstimator divergence =
      resolved_divergence(config.divergence, false, detail::score_model_dim(model));
  return detail::run_likelihood(*detail::make_target(model, ScoreForm::Layered), points, sigmas,
                                divergence, config);
}

DivergenceEstimator resolved_divergence(DivergenceEstimator requested, bool mixture, int dim) {
  if (requested != DivergenceEstimator::Auto) return requested;
  return mixture || dim <= kExactDivergenceMaxDim ? DivergenceEstimator::Exact
                                                  : DivergenceEstimator::Hutchinson;
}

}  // namespace langevin
