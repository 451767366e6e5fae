#pragma once
// The training loop for any Ops backend: parameters, data and optimizer state live on the
// backend; each iteration prepares a batch, takes the loss and gradient, and updates θ with
// gd, accelerated gd (FISTA, as jaxopt's GradientDescent) or Adam, with optional backtracking
// line search, weight decay, clipping and a gradient-norm stopping tolerance.

#include "training/score_matching.hpp"

#include <langevin/error.hpp>
#include <langevin/mlp.hpp>
#include <langevin/trainer.hpp>

#include <chrono>
#include <cmath>
#include <limits>
#include <memory>

namespace langevin::training {

/// Refuses a TrainConfig::resume that is not a checkpoint of a run of `config` over a model of
/// `parameters` parameters (trainer.cpp): its iteration inside the run, each vector the size
/// this configuration keeps (or empty), every value finite.
void check_resume(const TrainCheckpoint& checkpoint, const TrainConfig& config,
                  std::size_t parameters, bool stopping_early);

/// Seeds for the independent random streams of a run, derived from the user's seed.
inline unsigned long long derive_seed(unsigned long long seed, unsigned long long purpose) {
  unsigned long long z = seed + 0x9E3779B97F4A7C15ull * (purpose + 1);  // splitmix64
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// Calls f(Shape<…>{}) with the compile-time shape matching (input width, data dimension, tangent
/// streams), for the few shapes the CPU backend specialises (1-D and 2-D data: exact and
/// denoising losses, and ncsn's extra log σ input), the stream count alone for the denoising
/// losses at other d, RuntimeShape otherwise.
template <class F>
decltype(auto) with_shape(int in, int dim, int streams, F&& f) {
  if (in == 1 && dim == 1 && streams == 1) return f(Shape<1, 1, 1>{});
  if (in == 1 && dim == 1 && streams == 0) return f(Shape<1, 1, 0>{});
  if (in == 2 && dim == 2 && streams == 2) return f(Shape<2, 2, 2>{});
  if (in == 2 && dim == 1 && streams == 0) return f(Shape<2, 1, 0>{});
  if (in == 3 && dim == 2 && streams == 0) return f(Shape<3, 2, 0>{});
  if (in == 2 && dim == 2 && streams == 0) return f(Shape<2, 2, 0>{});
  if (streams == 0) return f(Shape<0, 0, 0>{});  // the denoising losses at any other d
  return f(RuntimeShape{});
}

inline LossSetup loss_setup(const TrainConfig& config, int dim, long long rows_per_batch,
                            long long data_rows) {
  LossSetup setup;
  setup.loss = config.loss == Loss::Exact    ? LossKind::Exact
               : config.loss == Loss::Sliced ? LossKind::Sliced
               : config.loss == Loss::Dsm    ? LossKind::Dsm
                                             : LossKind::Ncsn;
  setup.streams = config.loss == Loss::Exact ? dim : config.loss == Loss::Sliced ? config.projections : 0;
  setup.gaussian_projections = config.projection == Projection::Gaussian;
  setup.sigma = static_cast<float>(config.sigma);
  setup.full_batch = rows_per_batch == data_rows;
  setup.batch_seed = derive_seed(config.seed, 1);
  setup.noise_seed = derive_seed(config.seed, 2);
  setup.projection_seed = derive_seed(config.seed, 3);
  setup.level_seed = derive_seed(config.seed, 4);
  setup.levels = config.loss == Loss::Ncsn ? static_cast<int>(config.sigmas.size()) : 0;
  return setup;  // setup.sigmas: the caller's copy of config.sigmas on its backend
}

inline std::vector<float> flatten(const Mlp& model, const ParameterLayout& layout) {
  std::vector<float> theta(static_cast<std::size_t>(layout.count));
  for (int l = 0; l < layout.layers(); ++l) {
    const DenseLayer& layer = model.layers()[static_cast<std::size_t>(l)];
    std::copy(layer.weight.begin(), layer.weight.end(), theta.begin() + layout.weight_offset[l]);
    std::copy(layer.bias.begin(), layer.bias.end(), theta.begin() + layout.bias_offset[l]);
  }
  return theta;
}

/// The trained parameters as the model's type: noise-conditional for ncsn.
inline Mlp to_model(std::vector<DenseLayer> layers, Activation activation,
                    const TrainConfig& config) {
  if (config.loss == Loss::Ncsn) return Mlp(std::move(layers), activation, config.sigmas);
  return Mlp(std::move(layers), activation);
}

/// The noise levels as float on the backend, for ncsn's batches.
template <class Ops>
typename Ops::Buffer upload_levels(Ops& ops, const TrainConfig& config) {
  std::vector<float> levels(config.sigmas.begin(), config.sigmas.end());
  if (levels.empty()) levels.push_back(0.0f);  // a valid, unused buffer
  auto buffer = ops.allocate(levels.size());
  Ops::upload(buffer.data(), levels.data(), levels.size());
  return buffer;
}

inline std::vector<DenseLayer> unflatten(const std::vector<float>& theta,
                                         const ParameterLayout& layout) {
  std::vector<DenseLayer> layers;
  for (int l = 0; l < layout.layers(); ++l) {
    DenseLayer layer;
    layer.inputs = layout.widths[l];
    layer.outputs = layout.widths[l + 1];
    const auto w = theta.begin() + layout.weight_offset[l];
    layer.weight.assign(w, w + static_cast<long long>(layer.inputs) * layer.outputs);
    const auto b = theta.begin() + layout.bias_offset[l];
    layer.bias.assign(b, b + layer.outputs);
    layers.push_back(std::move(layer));
  }
  return layers;
}

/// Loss + gradient at one batch (the whole of `batch`), for loss_and_gradient().
/// `Objective` computes the loss (ScoreMatching, or a backend's choice between it and a fused
/// special case: cpu_objective.hpp); it is built from (ops, layout, rows, setup).
template <class Ops, Activation A, class S = RuntimeShape,
          class Objective = ScoreMatching<Ops, A, S>>
LossAndGradient evaluate_once(const Mlp& model, const Array& batch, const TrainConfig& config,
                              std::int64_t iteration, const Partials& partials = all_partials()) {
  Ops ops;
  const ParameterLayout layout(model.widths());
  const long long rows = batch.dim(0);
  const int dim = model.data_dim();
  auto levels = upload_levels(ops, config);
  auto data = ops.allocate(static_cast<std::size_t>(batch.size()));
  Ops::upload(data.data(), batch.data(), static_cast<std::size_t>(batch.size()));
  const std::vector<float> host_theta = flatten(model, layout);
  auto theta = ops.allocate(host_theta.size());
  Ops::upload(theta.data(), host_theta.data(), host_theta.size());
  auto gradient = ops.allocate(host_theta.size());
  LossSetup setup = loss_setup(config, dim, rows, rows);
  if (config.loss == Loss::Ncsn) setup.sigmas = levels.data();
  Objective objective(ops, layout, rows, setup, partials);
  objective.prepare(data.data(), rows, static_cast<unsigned long long>(iteration));
  LossAndGradient result;
  result.loss = objective.loss_and_gradient(theta.data(), gradient.data());
  std::vector<float> host_gradient(host_theta.size());
  Ops::download(host_gradient.data(), gradient.data(), host_gradient.size());
  result.gradient = unflatten(host_gradient, layout);
  return result;
}

/// The data's rows cut by TrainConfig::validation into those training uses and those held out
/// (validation_rows), each in the data's order; both empty without validation.
struct RowSplit {
  Array train;
  Array held_out;
};
inline RowSplit split_rows(const Array& data, const TrainConfig& config) {
  RowSplit split;
  if (config.validation <= 0) return split;
  const std::int64_t rows = data.dim(0);
  const std::int64_t dim = data.size() / rows;
  const std::vector<std::int64_t> held = validation_rows(rows, config.validation, config.seed);
  std::vector<float> train_values, held_values;
  train_values.reserve(static_cast<std::size_t>((rows - static_cast<std::int64_t>(held.size())) * dim));
  held_values.reserve(static_cast<std::size_t>(static_cast<std::int64_t>(held.size()) * dim));
  std::size_t next = 0;
  for (std::int64_t i = 0; i < rows; ++i) {
    const bool out = next < held.size() && held[next] == i;
    next += out ? 1 : 0;
    std::vector<float>& to = out ? held_values : train_values;
    to.insert(to.end(), data.data() + i * dim, data.data() + (i + 1) * dim);
  }
  split.train = Array({rows - static_cast<std::int64_t>(held.size()), dim}, std::move(train_values));
  split.held_out = Array({static_cast<std::int64_t>(held.size()), dim}, std::move(held_values));
  return split;
}

template <class Ops, Activation A, class S = RuntimeShape,
          class Objective = ScoreMatching<Ops, A, S>>
TrainResult train_with(const Array& all_data, const Mlp& initial, const TrainConfig& config,
                       const Partials& partials = all_partials()) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  const RowSplit split = split_rows(all_data, config);
  const bool validating = config.validation > 0;
  const Array& data = validating ? split.train : all_data;
  Ops ops;
  const ParameterLayout layout(initial.widths());
  const long long data_rows = data.dim(0);
  const long long rows = batch_rows(config, data_rows);
  const int dim = initial.data_dim();
  auto levels = upload_levels(ops, config);
  const std::size_t n = static_cast<std::size_t>(layout.count);

  auto device_data = ops.allocate(static_cast<std::size_t>(data.size()));
  Ops::upload(device_data.data(), data.data(), static_cast<std::size_t>(data.size()));
  const std::vector<float> theta0 = flatten(initial, layout);
  auto x = ops.allocate(n);         // the iterate θ
  auto y = ops.allocate(n);         // nesterov: the extrapolated point; line search: a candidate
  auto candidate = ops.allocate(n);
  auto gradient = ops.allocate(n);
  auto moment1 = ops.allocate(config.optimizer == Optimizer::Adam ? n : 1);
  auto moment2 = ops.allocate(config.optimizer == Optimizer::Adam ? n : 1);
  const bool averaged = config.ema > 0;
  auto average = ops.allocate(averaged ? n : 1);  // the iterates' exponential moving average
  Ops::upload(x.data(), theta0.data(), n);
  Ops::copy(y.data(), x.data(), n);
  if (averaged) Ops::copy(average.data(), x.data(), n);

  LossSetup setup = loss_setup(config, dim, rows, data_rows);
  if (config.loss == Loss::Ncsn) setup.sigmas = levels.data();
  Objective objective(ops, layout, rows, setup, partials);
  // The held-out rows as one batch, their noise and projections drawn once (iteration 0, which
  // training never uses), so that every evaluation scores the same problem.
  const long long held_rows = validating ? split.held_out.dim(0) : 1;
  auto held_out = ops.allocate(static_cast<std::size_t>(validating ? split.held_out.size() : 1));
  std::unique_ptr<Objective> validation;
  if (validating) {
    Ops::upload(held_out.data(), split.held_out.data(), static_cast<std::size_t>(split.held_out.size()));
    LossSetup held_setup = loss_setup(config, dim, held_rows, held_rows);
    if (config.loss == Loss::Ncsn) held_setup.sigmas = levels.data();
    validation = std::make_unique<Objective>(ops, layout, held_rows, held_setup, partials);
    validation->prepare(held_out.data(), held_rows, 0);
  }
  const std::int64_t validation_every = validation_interval(config);
  // Early stopping keeps the best-scoring θ so far; without it the last one is returned.
  const bool stopping_early = validating && config.early_stop > 0;
  auto best = ops.allocate(stopping_early ? n : 1);
  double best_loss = std::numeric_limits<double>::infinity();
  std::int64_t best_iteration = 0, stale = 0;
  const float decay = static_cast<float>(config.weight_decay);
  struct {
    std::int64_t iterations = 0, evaluations = 0;
    double final_loss = 0.0;
  } result;

  // f(θ) with the weight-decay term, and its gradient (decay added in place).
  auto value = [&](const float* theta) {
    ++result.evaluations;
    double f = objective.loss(theta);
    if (decay > 0) f += 0.5 * decay * ops.sum(layout.count, SquareTerm{theta});
    return f;
  };
  auto value_and_gradient = [&](const float* theta, float* g) {
    ++result.evaluations;
    double f = objective.loss_and_gradient(theta, g);
    if (decay > 0) {
      f += 0.5 * decay * ops.sum(layout.count, SquareTerm{theta});
      ops.for_each(layout.count, Axpby{g, theta, decay, 1.0f});
    }
    return f;
  };

  double learning_rate = config.learning_rate < 0 ? default_learning_rate(config.optimizer)
                                                  : config.learning_rate;
  const bool line_search = learning_rate == 0.0 && config.optimizer != Optimizer::Adam;
  double step = line_search ? 1.0 : learning_rate;  // the line search's running step, as jaxopt
  double momentum_t = 1.0;                          // FISTA's t_k
  double step_used = learning_rate;                 // what the last update used, for reports

  // The state a checkpoint holds, each buffer only where this configuration keeps it.
  const bool nesterov = config.optimizer == Optimizer::Nesterov;
  const bool adam = config.optimizer == Optimizer::Adam;
  auto to_host = [&](const auto& buffer) {
    std::vector<float> values(n);
    Ops::download(values.data(), buffer.data(), n);
    return values;
  };
  auto save_state = [&](std::int64_t iteration) {
    TrainCheckpoint state;
    state.iteration = iteration;
    state.evaluations = result.evaluations;
    state.parameters = to_host(x);
    if (nesterov) state.extrapolated = to_host(y);
    if (adam) state.moment1 = to_host(moment1), state.moment2 = to_host(moment2);
    if (averaged) state.average = to_host(average);
    state.step = step;
    state.momentum = momentum_t;
    if (stopping_early && best_iteration > 0) state.best = to_host(best);
    state.best_loss = best_loss;
    state.best_iteration = best_iteration;
    state.stale = stale;
    return state;
  };
  std::int64_t first = 1;
  if (config.resume) {
    const TrainCheckpoint& r = *config.resume;
    check_resume(r, config, static_cast<std::size_t>(n), stopping_early);
    auto restore = [&](auto& buffer, const std::vector<float>& values) {
      Ops::upload(buffer.data(), values.data(), n);
    };
    restore(x, r.parameters);
    restore(y, nesterov ? r.extrapolated : r.parameters);
    if (adam) restore(moment1, r.moment1), restore(moment2, r.moment2);
    if (averaged) restore(average, r.average);
    if (!r.best.empty()) restore(best, r.best);
    step = r.step;
    momentum_t = r.momentum;
    best_loss = r.best_loss;
    best_iteration = r.best_iteration;
    stale = r.stale;
    result.evaluations = r.evaluations;
    result.iterations = r.iteration;
    first = r.iteration + 1;
  }

  for (std::int64_t iteration = first; iteration <= config.iterations; ++iteration) {
    objective.prepare(device_data.data(), data_rows, static_cast<unsigned long long>(iteration));
    // The gradient is taken at y for nesterov (the extrapolated point), else at x.
    float* at = config.optimizer == Optimizer::Nesterov ? y.data() : x.data();
    const double f = value_and_gradient(at, gradient.data());
    if (!std::isfinite(f)) {
      throw Error("training diverged at iteration " + std::to_string(iteration) +
                  ": the loss is " + std::to_string(f) + " (try a smaller learning rate)");
    }
    const double norm = std::sqrt(ops.sum(layout.count, SquareTerm{gradient.data()}));
    if (config.clip > 0 && norm > config.clip) {
      ops.for_each(layout.count, Axpby{gradient.data(), gradient.data(),
                                       static_cast<float>(config.clip / norm) - 1.0f, 1.0f});
    }
    if (config.optimizer != Optimizer::Nesterov && config.tolerance > 0 && norm <= config.tolerance) {
      result.iterations = iteration - 1;  // converged at the current point: no update
      result.final_loss = f;
      break;
    }

    // A fixed rate follows the schedule; the line search sets its own.
    const double rate = learning_rate * learning_rate_factor(config, iteration);
    if (!line_search) step = rate;
    if (config.optimizer == Optimizer::Adam) {
      const float t = static_cast<float>(iteration);
      ops.for_each(layout.count,
                   AdamStep{x.data(), moment1.data(), moment2.data(), gradient.data(),
                            static_cast<float>(rate), 0.9f, 0.999f, 1e-8f,
                            1.0f - std::pow(0.9f, t), 1.0f - std::pow(0.999f, t)});
      step_used = rate;
    } else {
      // candidate = at − step·g, shrunk until it decreases f enough (Armijo with the quadratic
      // upper bound, as jaxopt checks it), then the step grows again for the next iteration.
      auto try_step = [&](double s) {
        Ops::copy(candidate.data(), at, n);
        ops.for_each(layout.count, Axpby{candidate.data(), gradient.data(), static_cast<float>(-s), 1.0f});
      };
      try_step(step);
      if (line_search) {
        const double used_norm = config.clip > 0 && norm > config.clip ? config.clip : norm;
        const double squared_gradient = used_norm * used_norm;
        for (int halving = 0; halving < 15; ++halving) {
          const double decrease = value(candidate.data()) - f;
          // f(c) − f(y) ≤ ⟨g, c − y⟩ + ‖c − y‖²/(2s) with c − y = −s g.
          if (step * decrease <= step * (-step * squared_gradient) + 0.5 * step * step * squared_gradient +
                                     std::numeric_limits<float>::epsilon()) {
            break;
          }
          step *= 0.5;
          try_step(step);
        }
      }
      step_used = step;
      if (config.optimizer == Optimizer::Nesterov) {
        // FISTA: x_{k+1} = candidate, y_{k+1} = x_{k+1} + (t_k − 1)/t_{k+1} (x_{k+1} − x_k).
        const double next_t = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * momentum_t * momentum_t));
        ops.for_each(layout.count, Extrapolate{y.data(), candidate.data(), x.data(),
                                               static_cast<float>((momentum_t - 1.0) / next_t)});
        Ops::copy(x.data(), candidate.data(), n);
        momentum_t = next_t;
      } else {
        Ops::copy(x.data(), candidate.data(), n);
      }
      if (line_search) step = step <= 1e-6 ? 1.0 : step / 0.5;
    }

    if (averaged) {
      const float mu = static_cast<float>(ema_decay(config.ema, iteration));
      ops.for_each(layout.count, Axpby{average.data(), x.data(), 1.0f - mu, mu});
    }
    result.iterations = iteration;
    result.final_loss = f;
    const bool validate_now =
        validating && (iteration % validation_every == 0 || iteration == config.iterations);
    const float* current = averaged ? average.data() : x.data();
    const double validation_loss =
        validate_now ? validation->loss(current) : std::numeric_limits<double>::quiet_NaN();
    if (stopping_early && validate_now) {
      if (validation_loss < best_loss) {
        best_loss = validation_loss;
        best_iteration = iteration;
        stale = 0;
        Ops::copy(best.data(), current, n);
      } else {
        ++stale;
      }
    }
    if (config.on_step) {
      TrainStep report;
      report.iteration = iteration;
      report.validation_loss = validation_loss;
      report.loss = f;
      report.gradient_norm = norm;
      report.step_size = step_used;
      report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
      config.on_step(report);
    }
    if (stopping_early && stale >= config.early_stop) break;
    if (config.optimizer == Optimizer::Nesterov && config.tolerance > 0) {
      // jaxopt's stopping test: the gradient norm at the new iterate.
      value_and_gradient(x.data(), candidate.data());
      if (std::sqrt(ops.sum(layout.count, SquareTerm{candidate.data()})) <= config.tolerance) break;
    }
    if (config.checkpoint_every > 0 && iteration % config.checkpoint_every == 0 &&
        iteration < config.iterations && config.on_checkpoint) {
      config.on_checkpoint(save_state(iteration));
    }
  }

  std::vector<float> theta(n);
  const bool keep_best = stopping_early && best_iteration > 0;
  const float* returned = keep_best ? best.data() : averaged ? average.data() : x.data();
  double returned_loss = std::numeric_limits<double>::quiet_NaN();
  if (validating && !keep_best) {
    returned_loss = validation->loss(returned);
    if (averaged) {
      // The average is kept only where the held-out rows score it at least as well as the last
      // iterate: early in training, while the iterates still move fast, it lags behind them.
      const double last_loss = validation->loss(x.data());
      if (last_loss < returned_loss) returned = x.data(), returned_loss = last_loss;
    }
  }
  Ops::download(theta.data(), returned, n);
  TrainResult fit{to_model(unflatten(theta, layout), initial.activation(), config),
                  result.iterations,
                  result.evaluations, result.final_loss,
                  std::chrono::duration<double>(Clock::now() - started).count(),
                  resolve(config.backend)};
  fit.best_iteration = keep_best ? best_iteration : result.iterations;
  fit.batch = rows;
  fit.averaged = averaged && returned != x.data();
  if (validating) fit.validation_loss = keep_best ? best_loss : returned_loss;
  return fit;
}

}  // namespace langevin::training
