#include "device_scope.hpp"
#include "run/runner.hpp"
#include "training/backends.hpp"
#include "training/partials.hpp"
#include "training/sharing.hpp"
#include "training/train_loop.hpp"
#include "validation.hpp"

#include <langevin/device/mlp.hpp>
#include <langevin/device/normal_stream.hpp>
#include <langevin/error.hpp>
#include <langevin/trainer.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace langevin {
namespace {

using detail::require;
std::string text(double value) { return detail::number_text(value); }

Array checked_data(const Array& data, int model_dim) {
  Array points = as_points(data, "training data");
  require(points.dim(0) >= 1, "training data rows", std::to_string(points.dim(0)),
          "need at least one point");
  require(model_dim < 0 || points.dim(1) == model_dim, "training data dimension",
          std::to_string(points.dim(1)),
          "must match the model's input dimension " + std::to_string(model_dim));
  for (std::int64_t i = 0; i < points.size(); ++i) {
    if (!std::isfinite(points[i])) {
      throw InvalidInput("training data[" + std::to_string(i / points.dim(1)) + ", " +
                         std::to_string(i % points.dim(1)) + "] = " + text(points[i]) +
                         ": must be finite");
    }
  }
  return points;
}

/// The model's fit for the loss: a noise-conditional network exactly for ncsn, with the same
/// levels; a plain score network (d → d) otherwise.
void check_model_for_loss(const Mlp& model, const TrainConfig& config) {
  if (config.loss == Loss::Ncsn) {
    require(model.noise_conditional(), "model", "not noise-conditional",
            "loss ncsn trains a noise-conditional model (inputs x and log sigma)");
    require(model.noise_levels() == config.sigmas, "sigmas", "of the config",
            "must equal the model's noise levels");
  } else {
    require(!model.noise_conditional(), "model", "noise-conditional",
            "train it with loss ncsn");
    require(model.output_dim() == model.input_dim(), "model output dimension",
            std::to_string(model.output_dim()),
            "a score model needs as many outputs as inputs (" +
                std::to_string(model.input_dim()) + ")");
  }
}

}  // namespace

const char* to_string(Loss loss) {
  switch (loss) {
    case Loss::Exact: return "exact";
    case Loss::Sliced: return "sliced";
    case Loss::Dsm: return "dsm";
    case Loss::Ncsn: return "ncsn";
  }
  return "unknown";
}

const char* to_string(Optimizer optimizer) {
  switch (optimizer) {
    case Optimizer::Gd: return "gd";
    case Optimizer::Nesterov: return "nesterov";
    case Optimizer::Adam: return "adam";
  }
  return "unknown";
}

Loss parse_loss(const std::string& name, const std::string& field) {
  for (Loss loss : {Loss::Exact, Loss::Sliced, Loss::Dsm, Loss::Ncsn}) {
    if (name == to_string(loss)) return loss;
  }
  throw InvalidInput(field + " = \"" + name + "\": expected exact, sliced, dsm or ncsn");
}

Optimizer parse_optimizer(const std::string& name, const std::string& field) {
  for (Optimizer optimizer : {Optimizer::Gd, Optimizer::Nesterov, Optimizer::Adam}) {
    if (name == to_string(optimizer)) return optimizer;
  }
  throw InvalidInput(field + " = \"" + name + "\": expected gd, nesterov or adam");
}

Projection parse_projection(const std::string& name, const std::string& field) {
  if (name == "rademacher") return Projection::Rademacher;
  if (name == "gaussian") return Projection::Gaussian;
  throw InvalidInput(field + " = \"" + name + "\": expected rademacher or gaussian");
}

const char* to_string(Schedule schedule) {
  return schedule == Schedule::Cosine ? "cosine" : "constant";
}

Schedule parse_schedule(const std::string& name, const std::string& field) {
  if (name == "constant") return Schedule::Constant;
  if (name == "cosine") return Schedule::Cosine;
  throw InvalidInput(field + " = \"" + name + "\": expected constant or cosine");
}

double learning_rate_factor(const TrainConfig& config, std::int64_t iteration) {
  const double k = static_cast<double>(iteration);
  const double warmup = static_cast<double>(config.warmup);
  if (k <= warmup) return k / warmup;
  if (config.schedule == Schedule::Constant) return 1.0;
  const double span = static_cast<double>(config.iterations) - warmup + 1.0;
  constexpr double kPi = 3.14159265358979323846;
  return 0.5 * (1.0 + std::cos(kPi * (k - warmup) / span));
}

namespace {

/// How many of `rows` rows the fraction holds out; refuses none and all.
std::int64_t held_out_count(std::int64_t rows, double fraction) {
  const std::int64_t held = std::llround(fraction * static_cast<double>(rows));
  require(held >= 1, "validation", text(fraction),
          "holds out no row of " + std::to_string(rows) + " (give a larger fraction, or 0)");
  require(held < rows, "validation", text(fraction),
          "holds out all " + std::to_string(rows) + " rows, leaving none to train on");
  return held;
}

}  // namespace

std::vector<std::int64_t> validation_rows(std::int64_t rows, double fraction, std::uint64_t seed) {
  const std::int64_t held = held_out_count(rows, fraction);
  const unsigned long long key = training::derive_seed(seed, 5);
  std::vector<std::pair<unsigned int, std::int64_t>> keys(static_cast<std::size_t>(rows));
  for (std::int64_t i = 0; i < rows; ++i) {  // row i's first Philox word, as training's draws
    keys[static_cast<std::size_t>(i)] = {device::philox_words(key, static_cast<unsigned long long>(i), 0).x, i};
  }
  std::nth_element(keys.begin(), keys.begin() + held, keys.end());
  std::vector<std::int64_t> chosen;
  chosen.reserve(static_cast<std::size_t>(held));
  for (std::int64_t i = 0; i < held; ++i) chosen.push_back(keys[static_cast<std::size_t>(i)].second);
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

void training::check_resume(const TrainCheckpoint& r, const TrainConfig& c, std::size_t parameters,
                            bool stopping_early) {
  require(r.iteration >= 1 && r.iteration < c.iterations, "checkpoint iteration",
          std::to_string(r.iteration),
          "must be in [1, iterations) = [1, " + std::to_string(c.iterations) + ") for this run");
  require(r.evaluations >= r.iteration, "checkpoint evaluations", std::to_string(r.evaluations),
          "must be at least its iteration, " + std::to_string(r.iteration));
  // Each vector holds every parameter where this configuration keeps it, and is empty elsewhere.
  auto sized = [&](const std::vector<float>& values, bool kept, const std::string& name,
                   const std::string& where) {
    const std::size_t expected = kept ? parameters : 0;
    require(values.size() == expected, "checkpoint " + name, std::to_string(values.size()) + " values",
            kept ? "must hold the model's " + std::to_string(parameters) + " parameters"
                 : "must be empty: this run keeps none (" + where + ")");
    for (std::size_t i = 0; i < values.size(); ++i) {
      require(std::isfinite(values[i]), "checkpoint " + name + "[" + std::to_string(i) + "]",
              text(values[i]), "must be finite");
    }
  };
  const bool nesterov = c.optimizer == Optimizer::Nesterov, adam = c.optimizer == Optimizer::Adam;
  sized(r.parameters, true, "parameters", "");
  sized(r.extrapolated, nesterov, "extrapolated", "optimizer " + std::string(to_string(c.optimizer)));
  sized(r.moment1, adam, "moment1", "optimizer " + std::string(to_string(c.optimizer)));
  sized(r.moment2, adam, "moment2", "optimizer " + std::string(to_string(c.optimizer)));
  sized(r.average, c.ema > 0, "average", "ema 0");
  sized(r.best, stopping_early && r.best_iteration > 0, "best",
        stopping_early ? "no validation yet" : "no early stop");
  require(std::isfinite(r.step) && r.step >= 0, "checkpoint step", text(r.step),
          "must be finite and non-negative");
  require(std::isfinite(r.momentum) && r.momentum >= 1, "checkpoint momentum", text(r.momentum),
          "must be finite and at least 1");
  require(r.best_iteration >= 0 && r.best_iteration <= r.iteration, "checkpoint best iteration",
          std::to_string(r.best_iteration), "must be in [0, iteration] = [0, " +
          std::to_string(r.iteration) + "]");
  require(r.stale >= 0 && (!stopping_early || r.stale < c.early_stop), "checkpoint stale",
          std::to_string(r.stale), "must be in [0, early stop) = [0, " +
          std::to_string(c.early_stop) + ")");
}

std::int64_t validation_interval(const TrainConfig& config) {
  return std::max<std::int64_t>(1, config.iterations / 100);
}

double ema_decay(double ema, std::int64_t iteration) {
  return std::min(ema, (1.0 + static_cast<double>(iteration)) / (10.0 + static_cast<double>(iteration)));
}

std::int64_t batch_rows(const TrainConfig& config, std::int64_t training_rows) {
  constexpr std::int64_t kMiniBatchRows = 2048, kMostFullBatchRows = 8192;
  if (config.batch > 0) return config.batch;
  if (config.batch == kAutoBatch && config.optimizer == Optimizer::Adam &&
      (config.loss == Loss::Ncsn || training_rows > kMostFullBatchRows)) {
    return kMiniBatchRows;
  }
  return training_rows;
}

TrainConfig train_defaults(Loss loss) {
  TrainConfig config;
  config.loss = loss;
  if (loss == Loss::Ncsn) {
    config.hidden = {128, 128};
    config.activation = Activation::Silu;
    config.iterations = 24000;
    config.ema = 0.999;
  }
  return config;
}

double default_learning_rate(Optimizer optimizer) {
  return optimizer == Optimizer::Nesterov ? 0.0 : 1e-3;
}

void validate(const TrainConfig& c) {
  require(!c.hidden.empty(), "hidden", "(none)", "give at least one hidden layer width");
  require(c.hidden.size() + 1 <= static_cast<std::size_t>(device::kMaxLinearLayers), "hidden",
          std::to_string(c.hidden.size()) + " layers",
          "at most " + std::to_string(device::kMaxLinearLayers - 1) + " hidden layers");
  for (std::size_t l = 0; l < c.hidden.size(); ++l) {
    require(c.hidden[l] >= 1, "hidden[" + std::to_string(l) + "]", std::to_string(c.hidden[l]),
            "must be at least 1");
  }
  require(c.iterations >= 1, "iterations", std::to_string(c.iterations), "must be at least 1");
  require(c.batch >= kAutoBatch, "batch", std::to_string(c.batch),
          "must be 0 (full batch), positive, or -1 (chosen by the data's size)");
  require(std::isfinite(c.learning_rate), "learning rate", text(c.learning_rate), "must be finite");
  require(!(c.optimizer == Optimizer::Adam && c.learning_rate == 0.0), "learning rate", "0",
          "adam needs a positive rate (line search is for gd and nesterov)");
  require(std::isfinite(c.weight_decay) && c.weight_decay >= 0, "weight decay",
          text(c.weight_decay), "must be non-negative");
  require(c.checkpoint_every >= 0, "checkpoint every", std::to_string(c.checkpoint_every),
          "must be 0 (off) or a positive count of iterations");
  require(std::isfinite(c.clip) && c.clip >= 0, "clip", text(c.clip),
          "must be non-negative (0: off)");
  require(std::isfinite(c.validation) && c.validation >= 0 && c.validation < 1, "validation",
          text(c.validation), "must be a fraction in [0, 1) (0: no validation)");
  require(c.early_stop >= 0, "early stop", std::to_string(c.early_stop),
          "must be 0 (off) or a positive count of validations");
  require(c.early_stop == 0 || c.validation > 0, "early stop", std::to_string(c.early_stop),
          "needs a validation fraction (validation > 0) to score the model with");
  require(c.warmup >= 0 && c.warmup < c.iterations, "warmup", std::to_string(c.warmup),
          "must be in 0 … iterations − 1 (" + std::to_string(c.iterations - 1) + ")");
  const bool line_search = c.optimizer != Optimizer::Adam &&
                           (c.learning_rate == 0.0 ||
                            (c.learning_rate < 0 && default_learning_rate(c.optimizer) == 0.0));
  require(!(line_search && (c.schedule != Schedule::Constant || c.warmup > 0)), "schedule",
          std::string(to_string(c.schedule)) + (c.warmup > 0 ? " with warmup" : ""),
          "needs a fixed learning rate: the line search (learning rate 0, nesterov's default) "
          "chooses its own steps");
  require(std::isfinite(c.ema) && c.ema >= 0 && c.ema < 1, "ema", text(c.ema),
          "must be in [0, 1) (0: off)");
  require(std::isfinite(c.tolerance) && c.tolerance >= 0, "tolerance", text(c.tolerance),
          "must be non-negative (0: off)");
  if (c.loss == Loss::Dsm) {
    require(std::isfinite(c.sigma) && c.sigma > 0, "sigma", text(c.sigma),
            "must be positive and finite");
  }
  if (c.loss == Loss::Ncsn) validate_noise_levels(c.sigmas, "sigmas");
  if (c.loss == Loss::Sliced) {
    require(c.projections >= 1 && c.projections <= 64, "projections",
            std::to_string(c.projections), "must be in 1 … 64");
  }
}

Mlp initial_model(int dim, const TrainConfig& config) {
  validate(config);
  require(dim >= 1, "dimension", std::to_string(dim), "must be at least 1");
  const bool conditional = config.loss == Loss::Ncsn;
  std::vector<int> widths{conditional ? dim + 1 : dim};
  widths.insert(widths.end(), config.hidden.begin(), config.hidden.end());
  widths.push_back(dim);
  std::vector<DenseLayer> layers;
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
    DenseLayer layer;
    layer.inputs = widths[l];
    layer.outputs = widths[l + 1];
    // Truncated at ±2 and rescaled so that the variance is 2/(fan_in + fan_out) (0.8796… is the
    // standard deviation of a standard normal truncated at ±2).
    const float scale =
        std::sqrt(2.0f / static_cast<float>(layer.inputs + layer.outputs)) / 0.87962566103423978f;
    device::NormalStream normals(training::derive_seed(config.seed, 100 + l), 0, 1, 0);
    auto next = [&normals] {
      float z;
      normals.draw<1>(&z, 1);
      return z;
    };
    layer.weight.resize(static_cast<std::size_t>(layer.inputs) * layer.outputs);
    for (float& w : layer.weight) {
      float z = next();
      while (std::abs(z) > 2.0f) z = next();
      w = scale * z;
    }
    layer.bias.resize(static_cast<std::size_t>(layer.outputs));
    for (float& b : layer.bias) b = 0.01f * next();
    layers.push_back(std::move(layer));
  }
  if (conditional) return Mlp(std::move(layers), config.activation, config.sigmas);
  return Mlp(std::move(layers), config.activation);
}

TrainResult train(const Array& data, const TrainConfig& config) {
  validate(config);
  const Array points = checked_data(data, -1);
  return train(points, initial_model(static_cast<int>(points.dim(1)), config), config);
}

namespace {

/// The device config.device names on the backend config.backend resolves to (−1: the CPU).
int training_device(const TrainConfig& config) {
  return detail::make_runners(resolve(config.backend), config.device, {}).front()->place().device;
}

}  // namespace

TrainResult train(const Array& data, const Mlp& initial, const TrainConfig& config) {
  return detail::train_sharing(data, initial, config, training::all_partials());
}

void detail::check_training_inputs(const Array& data, const Mlp& initial,
                                   const TrainConfig& config) {
  validate(config);
  check_model_for_loss(initial, config);
  const Array points = checked_data(data, initial.data_dim());
  if (config.validation > 0) held_out_count(points.dim(0), config.validation);
}

TrainResult detail::train_sharing(const Array& data, const Mlp& initial, const TrainConfig& config,
                                  const training::Partials& partials) {
  validate(config);
  check_model_for_loss(initial, config);
  const Array points = checked_data(data, initial.data_dim());
  if (config.validation > 0) held_out_count(points.dim(0), config.validation);
  const int device = training_device(config);
  if (device < 0) return training::train_cpu(points, initial, config, partials);
  if (partials.shared()) {
    throw InvalidInput("backend = cuda: training over MPI ranks runs on the cpu backend (the "
                       "GPU's passes do not share their partial sums yet)");
  }
  const detail::DeviceScope scope(device);
  return training::train_cuda(points, initial, config);
}

LossAndGradient loss_and_gradient(const Mlp& model, const Array& batch, const TrainConfig& config,
                                  std::int64_t iteration) {
  validate(config);
  check_model_for_loss(model, config);
  const Array points = checked_data(batch, model.data_dim());
  const int device = training_device(config);
  if (device < 0) {
    return training::loss_and_gradient_cpu(model, points, config, iteration,
                                           training::all_partials());
  }
  const detail::DeviceScope scope(device);
  return training::loss_and_gradient_cuda(model, points, config, iteration);
}

}  // namespace langevin
