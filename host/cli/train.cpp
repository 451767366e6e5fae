// langevin train: fit an MLP score model to data by score matching.

#include "commands.hpp"
#include "common.hpp"
#include "progress.hpp"
#include "ranks.hpp"
#include "io/atomic_file.hpp"

#include <langevin/trainer.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>
#include <tuple>

namespace langevin::cli {
namespace {

struct TrainOptions {
  CommonOptions common;
  DeviceOptions devices;
  std::string data;
  std::string out;
  std::vector<int> hidden{1024};
  std::string activation = "relu";
  std::string loss = "exact";
  double sigma = 0.1;
  std::string sigmas;
  int projections = 1;
  std::string projection = "rademacher";
  std::string optimizer = "adam";
  double learning_rate = -1.0;
  std::string schedule = "constant";
  std::int64_t warmup = 0;
  std::int64_t iterations = 1200;
  std::int64_t batch = 0;
  double weight_decay = 0.0;
  double clip = 0.0;
  double ema = 0.0;
  double tolerance = 0.0;
  double validation = 0.0;
  std::int64_t early_stop = 0;
  std::string log;
};

/// The configuration and data, read and checked on every rank (one error on all, before any
/// collective step).
std::pair<TrainConfig, Array> prepare(const TrainOptions& options) {
  check_output_path(options.out, {".safetensors"}, "--out");
  if (!options.log.empty()) check_output_path(options.log, {".csv"}, "--log");
  TrainConfig config;
  if (options.loss == "ncsn") {
    config.sigmas = parse_noise_levels(options.sigmas.empty() ? "10,0.01,10" : options.sigmas,
                                       "--sigmas");
  } else if (!options.sigmas.empty()) {
    throw InvalidInput("--sigmas is for --loss ncsn (the noise level of dsm is --sigma)");
  }
  config.hidden = options.hidden;
  config.activation = parse_activation(options.activation, "--activation");
  config.loss = parse_loss(options.loss, "--loss");
  config.sigma = options.sigma;
  config.projections = options.projections;
  config.projection = parse_projection(options.projection, "--projection");
  config.optimizer = parse_optimizer(options.optimizer, "--optimizer");
  config.learning_rate = options.learning_rate;
  config.schedule = parse_schedule(options.schedule, "--schedule");
  config.warmup = options.warmup;
  config.iterations = options.iterations;
  config.batch = options.batch;
  config.weight_decay = options.weight_decay;
  config.clip = options.clip;
  config.ema = options.ema;
  config.tolerance = options.tolerance;
  config.validation = options.validation;
  config.early_stop = options.early_stop;
  config.seed = options.common.seed;
  config.backend = parse_backend(options.common.backend, "--backend");
  config.device = options.devices.device;
  validate(config);
  return {config, as_points(read_array(options.data), options.data)};
}

void run_train(const TrainOptions& options) {
  TrainConfig config;
  Array data;
  ranks().agree([&] { std::tie(config, data) = prepare(options); });

  const bool validating = config.validation > 0;
  std::ostringstream log;
  log << "iteration,loss,gradient_norm,seconds" << (validating ? ",validation_loss" : "") << "\n";
  // On a terminal a progress line; elsewhere (logs) a line every tenth of the run.
  // Over MPI ranks every rank takes every step; rank 0 reports them.
  const bool quiet = options.common.quiet || !ranks().lead();
  Progress progress("training", "iterations", config.iterations, quiet);
  const bool report_lines = !quiet && !options.common.json && !progress.shown();
  const std::int64_t report_every = std::max<std::int64_t>(1, config.iterations / 10);
  double last_validation = std::numeric_limits<double>::quiet_NaN();  // the latest scored
  config.on_step = [&](const TrainStep& step) {
    const bool scored = !std::isnan(step.validation_loss);
    if (scored) last_validation = step.validation_loss;
    if (!options.log.empty()) {
      char line[160];
      int length = std::snprintf(line, sizeof line, "%lld,%.9g,%.9g,%.6f",
                                 static_cast<long long>(step.iteration), step.loss,
                                 step.gradient_norm, step.seconds);
      if (validating) {
        length += scored ? std::snprintf(line + length, sizeof line - length, ",%.9g",
                                         step.validation_loss)
                         : std::snprintf(line + length, sizeof line - length, ",");
      }
      log << line << '\n';
    }
    char validation[48] = "";
    if (validating && !std::isnan(last_validation)) {
      std::snprintf(validation, sizeof validation, "  validation %.6g", last_validation);
    }
    if (progress.shown()) {
      char loss[96];
      std::snprintf(loss, sizeof loss, "loss %.6g%s", step.loss, validation);
      progress.update(step.iteration, loss);
    } else if (report_lines && step.iteration % report_every == 0) {
      std::printf("iteration %lld/%lld  loss %.6g%s  |grad| %.3g  %.1f s\n",
                  static_cast<long long>(step.iteration),
                  static_cast<long long>(config.iterations), step.loss, validation,
                  step.gradient_norm, step.seconds);
      std::fflush(stdout);
    }
  };
  const TrainResult fit = ranks().train(data, config);
  progress.clear();
  // Every rank holds the same model: rank 0 writes it, and the outcome is every rank's.
  ranks().agree([&] {
    if (!ranks().lead()) return;
    save_mlp(options.out, fit.model);
    if (!options.log.empty()) {
      const std::string text = log.str();
      detail::write_file_atomically(options.log, [&](std::FILE* file) {
        std::fwrite(text.data(), 1, text.size(), file);
      });
    }
  });
  if (!ranks().lead()) return;
  std::ostringstream text;
  text << "trained " << fit.iterations << " iterations (" << fit.evaluations
       << " loss evaluations) on " << to_string(fit.backend) << " in " << engineering(fit.seconds)
       << " s, final loss " << fit.final_loss;
  if (validating) {
    text << ", validation loss " << fit.validation_loss;
    if (config.early_stop > 0) text << " (the model of iteration " << fit.best_iteration << ")";
  }
  text << " -> " << options.out << "\n";
  nlohmann::json summary = {{"command", "train"},
                            {"loss", options.loss},
                            {"hidden", options.hidden},
                            {"activation", options.activation},
                            {"optimizer", options.optimizer},
                            {"iterations", fit.iterations},
                            {"evaluations", fit.evaluations},
                            {"final_loss", fit.final_loss},
                            {"seconds", fit.seconds},
                            {"backend", to_string(fit.backend)},
                            {"out", options.out}};
  if (validating) {
    summary["validation"] = config.validation;
    summary["validation_loss"] = fit.validation_loss;
    summary["best_iteration"] = fit.best_iteration;
  }
  print_summary(options.common, summary, text.str());
}

}  // namespace

Command add_train_command(CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  CLI::App* command = app.add_subcommand("train", "fit an MLP score model to data by score matching");
  command->add_option("--data", o->data, "training points (.npy or .h5, shape (N, d) or (N,))")
      ->required();
  command->add_option("--out", o->out, "the trained model (.safetensors)")->required();
  command->add_option("--hidden", o->hidden, "hidden layer widths, comma-separated")
      ->delimiter(',')
      ->capture_default_str();
  command->add_option("--activation", o->activation, "relu, softplus, tanh or silu")
      ->capture_default_str();
  command->add_option("--loss", o->loss,
                      "exact (Hyvarinen), sliced (random projections), dsm (denoising at --sigma) "
                      "or ncsn (noise-conditional denoising over --sigmas)")
      ->capture_default_str();
  command->add_option("--sigma", o->sigma, "noise level of --loss dsm")->capture_default_str();
  command->add_option("--sigmas", o->sigmas,
                      "MAX,MIN,LEVELS: the geometric noise levels of --loss ncsn (default 10,0.01,10)");
  command->add_option("--projections", o->projections, "projections per point for --loss sliced")
      ->check(integer_range<int>())
      ->capture_default_str();
  command->add_option("--projection", o->projection, "rademacher or gaussian")->capture_default_str();
  command->add_option("--optimizer", o->optimizer,
                      "gd, nesterov (accelerated gd, as jaxopt's GradientDescent) or adam")
      ->capture_default_str();
  command->add_option("--lr", o->learning_rate,
                      "learning rate; default 1e-3 (gd, adam) or 0 (nesterov); 0 with gd or "
                      "nesterov: backtracking line search");
  command->add_option("--schedule", o->schedule,
                      "learning rate over the iterations: constant, or cosine (down to 0 along "
                      "half a cosine); a fixed --lr only")
      ->capture_default_str();
  command->add_option("--warmup", o->warmup,
                      "iterations of a linear rise of the learning rate from 0 before the schedule")
      ->check(integer_range<std::int64_t>())
      ->capture_default_str();
  command->add_option("--iters", o->iterations, "iterations")
      ->check(integer_range<std::int64_t>())
      ->capture_default_str();
  command->add_option("--batch", o->batch, "rows per iteration, drawn with replacement; 0 = full batch")
      ->check(integer_range<std::int64_t>())
      ->capture_default_str();
  command->add_option("--weight-decay", o->weight_decay, "L2 penalty wd/2 |theta|^2")
      ->capture_default_str();
  command->add_option("--clip", o->clip, "gradient-norm clipping; 0 = off")->capture_default_str();
  command->add_option("--ema", o->ema,
                      "keep the exponential moving average of the weights with this decay "
                      "(e.g. 0.999) and save it; 0 = off")
      ->capture_default_str();
  command->add_option("--tol", o->tolerance, "stop once |grad| <= tol; 0 = never")
      ->capture_default_str();
  command->add_option("--validation", o->validation,
                      "hold out this fraction of the rows (drawn from --seed) and report the "
                      "model's loss on them; 0 = off")
      ->capture_default_str();
  command->add_option("--early-stop", o->early_stop,
                      "with --validation: stop after this many validations without improvement "
                      "and save the best model; 0 = off")
      ->check(integer_range<std::int64_t>())
      ->capture_default_str();
  command->add_option("--log", o->log,
                      "per-iteration CSV: iteration, loss, gradient norm, seconds (and "
                      "validation loss with --validation)");
  add_device_options(*command, o->devices, false);
  add_common_options(*command, o->common);
  return {command, [o] { run_train(*o); }};
}

}  // namespace langevin::cli
