// langevin likelihood: log-likelihoods of points under a noise-conditional score by the
// probability-flow ODE (include/langevin/likelihood.hpp), and the data set's bits per dimension.

#include "array_output.hpp"
#include "commands.hpp"
#include "common.hpp"

#include <langevin/likelihood.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

namespace langevin::cli {
namespace {

struct LikelihoodOptions {
  CommonOptions common;
  DeviceOptions devices;
  ScoreSourceOptions source;
  std::string in;
  std::string out;
  std::string latent;
  std::string sigmas;
  std::string divergence = "auto";
  int probes = 1;
  const CLI::Option* probes_option = nullptr;
  double rtol = kDefaultOdeTolerance;
  double atol = kDefaultOdeTolerance;
};

void run_likelihood(const LikelihoodOptions& options) {
  check_array_output_path(options.out, "--out");
  if (!options.latent.empty()) check_array_output_path(options.latent, "--latent");
  check_distinct_outputs({{"--out", options.out}, {"--latent", options.latent}});
  const ScoreSource source = load_score_source(options.source);
  LikelihoodConfig config;
  config.backend = parse_backend(options.common.backend, "--backend");
  config.device = options.devices.device;
  config.seed = options.common.seed;
  config.divergence = parse_divergence(options.divergence, "--divergence");
  config.probes = options.probes;
  config.rtol = options.rtol;
  config.atol = options.atol;
  if (!options.sigmas.empty()) config.sigmas = parse_noise_levels(options.sigmas, "--sigmas");
  if (std::holds_alternative<GaussianMixture>(source) && config.sigmas.empty()) {
    throw InvalidInput("--sigmas: a mixture's likelihood runs over noise levels: give "
                       "MAX,MIN,LEVELS (MAX well above the mixture's spread, MIN the points' level)");
  }
  config.validate();
  const bool mixture = std::holds_alternative<GaussianMixture>(source);
  if (options.probes_option->count() > 0 &&
      resolved_divergence(config.divergence, mixture, source_dim(source)) !=
          DivergenceEstimator::Hutchinson) {
    throw InvalidInput("--probes: only with --divergence hutchinson (this run's divergence is "
                       "exact)");
  }
  const Array points = as_points(read_array(options.in), options.in);
  if (points.dim(0) == 0) {
    throw InvalidInput("--in = " + options.in + ": no points (shape " + points.shape_string() +
                       "): a likelihood of none has no mean");
  }

  const auto start = std::chrono::steady_clock::now();
  const Likelihood result =
      std::holds_alternative<GaussianMixture>(source)
          ? log_likelihood(std::get<GaussianMixture>(source), points, config)
          : log_likelihood(std::get<Mlp>(source), points, config);
  const double seconds = seconds_since(start);

  auto describe = [&](const char* what) {
    return [&, what] {
      Hdf5Attributes attributes = describe_output("likelihood", what == std::string("latent")
                                                                     ? result.latent
                                                                     : result.log_density);
      describe_score_source(attributes, options.source);
      describe_input_file(attributes, "points", options.in);
      attributes["sigma_max"] = result.sigmas.front();
      attributes["sigma_min"] = result.sigmas.back();
      attributes["levels"] = static_cast<std::int64_t>(result.sigmas.size());
      attributes["divergence"] = std::string(to_string(result.divergence));
      if (result.divergence == DivergenceEstimator::Hutchinson) {
        attributes["probes"] = static_cast<std::int64_t>(config.probes);
        attributes["seed"] = config.seed;
      }
      attributes["rtol"] = config.rtol;
      attributes["atol"] = config.atol;
      attributes["backend"] = std::string(to_string(resolve(config.backend)));
      return attributes;
    };
  };
  write_array_output(options.out, "log_density", result.log_density, describe("log_density"));
  if (!options.latent.empty()) {
    write_array_output(options.latent, "latent", result.latent, describe("latent"));
  }

  double evaluations = 0.0;
  for (std::int32_t e : result.evaluations) evaluations += e;
  const std::int64_t n = points.dim(0);
  const double mean_evaluations = n > 0 ? evaluations / static_cast<double>(n) : 0.0;
  nlohmann::json summary = {
      {"command", "likelihood"},
      {"points", n},
      {"dim", result.dim},
      {"mean_log_density", result.mean_log_density()},
      {"bits_per_dim", result.bits_per_dim()},
      {"failed", result.failed()},
      {"divergence", to_string(result.divergence)},
      {"sigma_max", result.sigmas.front()},
      {"sigma_min", result.sigmas.back()},
      {"levels", result.sigmas.size()},
      {"mean_evaluations", mean_evaluations},
      {"backend", to_string(resolve(config.backend))},
      {"seconds", seconds},
      {"out", options.out}};
  if (result.divergence == DivergenceEstimator::Hutchinson) summary["probes"] = config.probes;
  if (!options.latent.empty()) summary["latent"] = options.latent;
  char text[512];
  std::snprintf(text, sizeof text,
                "log-likelihood of %lld points (d = %d): mean %.6g nats, %.6g bits/dim\n"
                "  %s divergence, sigma %g -> %g over %zu levels, %.1f evaluations a point, "
                "%.3g s%s\n  -> %s\n",
                static_cast<long long>(n), result.dim, result.mean_log_density(),
                result.bits_per_dim(), to_string(result.divergence), result.sigmas.back(),
                result.sigmas.front(), result.sigmas.size(), mean_evaluations, seconds,
                result.failed() > 0 ? (", " + std::to_string(result.failed()) +
                                       " points failed (NaN)").c_str()
                                    : "",
                options.out.c_str());
  print_summary(options.common, summary, text);
}

}  // namespace

Command add_likelihood_command(CLI::App& app) {
  auto options = std::make_shared<LikelihoodOptions>();
  CLI::App* command = app.add_subcommand(
      "likelihood",
      "log-likelihoods of points under a noise-conditional score by the probability-flow ODE, "
      "and the data's bits per dimension");
  add_score_source_options(*command, options->source);
  command->add_option("--in", options->in, "points (.npy or .h5, shape (N, d) or (N,))")
      ->required();
  command->add_option("--out", options->out,
                      "log-densities log p(x) at the lowest level, nats (.npy or .h5, shape (N,))")
      ->required();
  command->add_option("--latent", options->latent,
                      "also each point carried to the highest level (.npy or .h5, (N, d))");
  command->add_option("--sigmas", options->sigmas,
                      "MAX,MIN,LEVELS: the flow runs from MIN (the points' level) up to MAX "
                      "(the prior N(0, MAX^2 I)); required with --gmm, a model's own by default");
  command->add_option("--divergence", options->divergence,
                      "auto: exact for a mixture and for models up to d = 16, hutchinson beyond; "
                      "exact: the trace (a model: d tangent passes); hutchinson: Rademacher "
                      "probes")
      ->capture_default_str();
  options->probes_option = command->add_option("--probes", options->probes,
                                                "hutchinson: probes averaged at each evaluation "
                                                "(1 ... 64)")
                               ->capture_default_str()
                               ->check(integer_range<int>());
  command->add_option("--rtol", options->rtol, "the integrator's relative tolerance")
      ->capture_default_str();
  command->add_option("--atol", options->atol, "the integrator's absolute tolerance")
      ->capture_default_str();
  add_device_options(*command, options->devices, false);
  add_common_options(*command, options->common);
  return {command, [options] { run_likelihood(*options); }};
}

}  // namespace langevin::cli
