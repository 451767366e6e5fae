// langevin train: fit an MLP score model to data by score matching.

#include "array_output.hpp"
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
#include <optional>
#include <set>
#include <sstream>

namespace langevin::cli {
namespace {

struct TrainOptions {
  CommonOptions common;
  DeviceOptions devices;
  std::string data;
  std::string out;
  std::vector<int> hidden;  // hidden, activation, iterations, ema: where given, else the loss's
  std::string activation;
  std::string loss = "exact";
  double sigma = 0.1;
  std::string sigmas;
  int projections = 1;
  std::string projection = "rademacher";
  std::string optimizer = "adam";
  double learning_rate = -1.0;
  std::string schedule = "constant";
  std::int64_t warmup = 0;
  std::int64_t iterations = 0;
  std::int64_t batch = kAutoBatch;
  double weight_decay = 0.0;
  double clip = 0.0;
  double ema = 0.0;
  double tolerance = 0.0;
  double validation = 0.0;
  std::int64_t early_stop = 0;
  std::string log;
  std::string checkpoint;
  std::int64_t checkpoint_every = 0;
  std::string resume;
  /// The loss-dependent options (train_defaults) the command line gave: the others keep the
  /// loss's defaults.
  std::set<std::string> given;
};

/// The options whose default depends on --loss.
const char* const kLossDependent[] = {"--hidden", "--activation", "--iters", "--ema"};

/// Every setting that decides the trained model, for its checkpoints: a run resumes only from a
/// checkpoint of the same run. The data is identified by its SHA-256, not its path.
RunSettings run_settings(const TrainOptions& options, const TrainConfig& config, const Array& data) {
  Hdf5Attributes input;
  describe_input_file(input, "data", options.data);
  std::string hidden;
  for (const int width : config.hidden) hidden += (hidden.empty() ? "" : ",") + std::to_string(width);
  return {{"data_sha256", std::get<std::string>(input.at("data_sha256"))},
          {"rows", std::to_string(data.dim(0))},
          {"dim", std::to_string(data.dim(1))},
          {"hidden", hidden},
          {"activation", to_string(config.activation)},
          {"loss", to_string(config.loss)},
          {"sigma", exact_setting(config.sigma)},
          {"sigmas", options.sigmas},
          {"projections", std::to_string(config.projections)},
          {"projection", options.projection},
          {"optimizer", to_string(config.optimizer)},
          {"learning_rate", exact_setting(config.learning_rate)},
          {"schedule", to_string(config.schedule)},
          {"warmup", std::to_string(config.warmup)},
          {"iterations", std::to_string(config.iterations)},
          {"batch", std::to_string(config.batch)},
          {"weight_decay", exact_setting(config.weight_decay)},
          {"clip", exact_setting(config.clip)},
          {"ema", exact_setting(config.ema)},
          {"tolerance", exact_setting(config.tolerance)},
          {"validation", exact_setting(config.validation)},
          {"early_stop", std::to_string(config.early_stop)},
          {"seed", std::to_string(config.seed)},
          {"backend", to_string(resolve(config.backend))},
          {"langevin_version", version()}};
}

struct TrainInputs {
  TrainConfig config;
  Array data;
  RunSettings settings;  // with checkpoints only
};

/// The configuration, data and checkpoint to resume from, read and checked on every rank (one
/// error on all, before any collective step).
TrainInputs prepare(const TrainOptions& options) {
  check_output_path(options.out, {".safetensors"}, "--out");
  if (!options.log.empty()) check_output_path(options.log, {".csv"}, "--log");
  check_checkpoint_options(options.checkpoint, options.checkpoint_every);
  check_distinct_outputs(
      {{"--out", options.out}, {"--log", options.log}, {"--checkpoint", options.checkpoint}});
  TrainInputs prepared;
  TrainConfig& config = prepared.config;
  config = train_defaults(parse_loss(options.loss, "--loss"));
  if (!options.sigmas.empty()) {
    if (config.loss != Loss::Ncsn) {
      throw InvalidInput("--sigmas is for --loss ncsn (the noise level of dsm is --sigma)");
    }
    config.sigmas = parse_noise_levels(options.sigmas, "--sigmas");
  }
  const auto given = [&](const char* name) { return options.given.count(name) > 0; };
  if (given("--hidden")) config.hidden = options.hidden;
  if (given("--activation")) config.activation = parse_activation(options.activation, "--activation");
  if (given("--iters")) config.iterations = options.iterations;
  if (given("--ema")) config.ema = options.ema;
  config.sigma = options.sigma;
  config.projections = options.projections;
  config.projection = parse_projection(options.projection, "--projection");
  config.optimizer = parse_optimizer(options.optimizer, "--optimizer");
  config.learning_rate = options.learning_rate;
  config.schedule = parse_schedule(options.schedule, "--schedule");
  config.warmup = options.warmup;
  config.batch = options.batch;
  config.weight_decay = options.weight_decay;
  config.clip = options.clip;
  config.tolerance = options.tolerance;
  config.validation = options.validation;
  config.early_stop = options.early_stop;
  config.seed = options.common.seed;
  config.backend = parse_backend(options.common.backend, "--backend");
  // Under mpirun, auto trains on the cpu backend (mpi::train): the checkpoints' settings say
  // so, on a GPU node too (the model's metadata names the backend that trained it).
  if (ranks().launched() && config.backend == Backend::Auto) config.backend = Backend::Cpu;
  config.device = options.devices.device;
  config.checkpoint_every = options.checkpoint.empty() ? 0 : options.checkpoint_every;
  validate(config);
  prepared.data = as_points(read_array(options.data), options.data);
  if (!options.checkpoint.empty() || !options.resume.empty()) {
    prepared.settings = run_settings(options, config, prepared.data);
  }
  if (!options.resume.empty()) {
    TrainCheckpointFile file = read_train_checkpoint(options.resume);
    check_same_run(options.resume, file.settings, prepared.settings);
    config.resume = std::make_shared<const TrainCheckpoint>(std::move(file.checkpoint));
  }
  return prepared;
}

void run_train(const TrainOptions& options) {
  TrainInputs prepared;
  ranks().agree([&] { prepared = prepare(options); });
  TrainConfig& config = prepared.config;
  const Array& data = prepared.data;

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
  if (!options.checkpoint.empty()) {
    // Every rank holds the same state: rank 0 writes it, and the outcome is every rank's.
    config.on_checkpoint = [&](const TrainCheckpoint& checkpoint) {
      ranks().agree([&] {
        if (ranks().lead()) write_train_checkpoint(options.checkpoint, checkpoint, prepared.settings);
      });
    };
  }
  std::optional<TrainResult> trained;
  try {
    trained.emplace(ranks().train(data, config));
  } catch (const InvalidInput& error) {
    // The library names the checkpoint's field; the user needs the file too.
    const std::string message = error.what();
    if (config.resume && message.rfind("checkpoint ", 0) == 0) {
      throw InvalidInput("--resume = " + options.resume + ": " + message);
    }
    throw;
  }
  const TrainResult& fit = *trained;
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
  if (config.resume) text << ", resumed after iteration " << config.resume->iteration;
  if (validating) {
    text << ", validation loss " << fit.validation_loss;
    if (config.early_stop > 0) text << " (the model of iteration " << fit.best_iteration << ")";
    if (config.ema > 0 && !fit.averaged) text << " (the last iterate: it beat the average)";
  }
  text << " -> " << options.out << "\n";
  nlohmann::json summary = {{"command", "train"},
                            {"loss", options.loss},
                            {"hidden", config.hidden},
                            {"activation", to_string(config.activation)},
                            {"optimizer", options.optimizer},
                            {"iterations", fit.iterations},
                            {"evaluations", fit.evaluations},
                            {"batch", fit.batch},
                            {"final_loss", fit.final_loss},
                            {"seconds", fit.seconds},
                            {"backend", to_string(fit.backend)},
                            {"out", options.out}};
  if (config.resume) summary["resumed_from_iteration"] = config.resume->iteration;
  if (validating) {
    summary["validation"] = config.validation;
    summary["validation_loss"] = fit.validation_loss;
    summary["best_iteration"] = fit.best_iteration;
    if (config.ema > 0) summary["averaged"] = fit.averaged;
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
  command->add_option("--hidden", o->hidden,
                      "hidden layer widths, comma-separated; default 1024, or 128,128 with "
                      "--loss ncsn")
      ->delimiter(',');
  command->add_option("--activation", o->activation,
                      "relu, softplus, tanh or silu; default relu, or silu with --loss ncsn");
  command->add_option("--loss", o->loss,
                      "exact (Hyvarinen), sliced (random projections), dsm (denoising at --sigma) "
                      "or ncsn (noise-conditional denoising over --sigmas)")
      ->capture_default_str();
  command->add_option("--sigma", o->sigma, "noise level of --loss dsm")->capture_default_str();
  command->add_option("--sigmas", o->sigmas,
                      "MAX,MIN,LEVELS: the geometric noise levels of --loss ncsn (default 10,0.01,20)");
  command->add_option("--projections", o->projections, "projections per point for --loss sliced")
      ->check(integer_range<int>())
      ->capture_default_str();
  command->add_option("--projection", o->projection, "rademacher or gaussian")->capture_default_str();
  command->add_option("--optimizer", o->optimizer,
                      "gd, nesterov (accelerated gd, as jaxopt's GradientDescent) or adam")
      ->capture_default_str();
  command->add_option("--lr", o->learning_rate,
                      "learning rate; default 1e-3 (gd, adam) or 0 (nesterov); 0 with gd or "
                      "nesterov: backtracking line search")
      ->check(non_negative_number());
  command->add_option("--schedule", o->schedule,
                      "learning rate over the iterations: constant, or cosine (down to 0 along "
                      "half a cosine); a fixed --lr only")
      ->capture_default_str();
  command->add_option("--warmup", o->warmup,
                      "iterations of a linear rise of the learning rate from 0 before the schedule")
      ->check(integer_range<std::int64_t>())
      ->capture_default_str();
  command->add_option("--iters", o->iterations, "iterations; default 1200, or 24000 with --loss ncsn")
      ->check(integer_range<std::int64_t>());
  command->add_option("--batch", o->batch,
                      "rows per iteration, drawn with replacement; 0 = full batch; default: 2048 "
                      "with adam for --loss ncsn or on more than 8192 rows (after --validation), "
                      "else the full batch")
      ->check(integer_range<std::int64_t>());
  command->add_option("--weight-decay", o->weight_decay, "L2 penalty wd/2 |theta|^2")
      ->capture_default_str();
  command->add_option("--clip", o->clip, "gradient-norm clipping; 0 = off")->capture_default_str();
  command->add_option("--ema", o->ema,
                      "keep the exponential moving average of the weights with this decay "
                      "and save it; 0 = off; default 0, or 0.999 with --loss ncsn");
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
  add_checkpoint_options(*command, o->checkpoint, o->checkpoint_every, o->resume,
                         "the run's state (weights, optimizer moments, average, iteration)",
                         "iterations", "model");
  add_device_options(*command, o->devices, false);
  add_common_options(*command, o->common);
  return {command, [o, command] {
            for (const char* name : kLossDependent) {
              if (command->count(name) > 0) o->given.insert(name);
            }
            run_train(*o);
          }};
}

}  // namespace langevin::cli
