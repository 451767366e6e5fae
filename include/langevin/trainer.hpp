#pragma once
/// \file
/// Training the MLP score model s_θ ≈ ∇ log p on data by score matching, on the GPU (cuBLAS) or
/// the CPU (CBLAS), full batch or mini-batches.
///
///   langevin::TrainConfig config;                 // relu 1 → 1024 → 1, exact loss, adam
///   langevin::TrainResult fit = langevin::train(data, config);
///   fit = langevin::train(data, langevin::train_defaults(langevin::Loss::Ncsn));  // ncsn's own
///   langevin::save_mlp("model.safetensors", fit.model);
///
/// Losses, for a batch x₁…x_B (each term averaged over the batch):
///   exact   ½‖s(x)‖² + tr ∂s/∂x                       (Hyvärinen 2005)
///   sliced  vᵀ(∂s/∂x)v + ½(vᵀs(x))², v random         (Song et al. 2019), averaged over projections
///   dsm     ½‖σ s(x + σz) + z‖², z ~ N(0, I)            (Vincent 2011; = σ²·½‖s + z/σ‖²)
///   ncsn    the same at a level σ drawn per point from σ_1 > … > σ_L, for a noise-conditional
///           network s(x, σ) = net(x, log σ)/σ (Song & Ermon 2019, 2020): ½‖net(x + σz, log σ) + z‖²
/// The Jacobian terms come from forward-mode tangents through the network (d of them for exact,
/// one per projection for sliced), then back-propagation through values and tangents.

#include <langevin/activation.hpp>
#include <langevin/array.hpp>
#include <langevin/backend.hpp>
#include <langevin/mlp.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <vector>

namespace langevin {

enum class Loss { Exact, Sliced, Dsm, Ncsn };
enum class Optimizer { Gd, Nesterov, Adam };
enum class Projection { Rademacher, Gaussian };
/// The learning rate over the iterations: Constant, or Cosine (from the rate down to 0 along half
/// a cosine, Loshchilov & Hutter 2017); either after TrainConfig::warmup iterations of a linear
/// rise from 0.
enum class Schedule { Constant, Cosine };

const char* to_string(Loss loss);
const char* to_string(Optimizer optimizer);
Loss parse_loss(const std::string& name, const std::string& field = "loss");
Optimizer parse_optimizer(const std::string& name, const std::string& field = "optimizer");
Projection parse_projection(const std::string& name, const std::string& field = "projection");
const char* to_string(Schedule schedule);
Schedule parse_schedule(const std::string& name, const std::string& field = "schedule");

/// What one iteration reports.
struct TrainStep {
  std::int64_t iteration = 0;   // 1-based
  double loss = 0.0;            // at the point the gradient was taken
  double gradient_norm = 0.0;   // ‖∇‖ there (before clipping)
  double step_size = 0.0;       // the learning rate used (after line search)
  double seconds = 0.0;         // since training started
  /// With TrainConfig::validation: the loss of the model training would return now (the
  /// average with ema) on the held-out rows, at every validation_interval-th iteration and the
  /// last; NaN at the others and without validation.
  double validation_loss = std::numeric_limits<double>::quiet_NaN();
};

/// A training run stopped after `iteration` updates: with the run's data and configuration,
/// everything continuing it needs to return the uninterrupted run's model bit for bit (a batch's
/// rows, noise and projections depend on the seed and the iteration only, so the iteration is
/// the random streams' position). Vectors run over the parameters in one order: per layer its
/// weight (outputs × inputs, row-major), then its bias. Written by TrainConfig::on_checkpoint,
/// read back through TrainConfig::resume; the CLI keeps it in a file (langevin train
/// --checkpoint; write_train_checkpoint in checkpoint_file.hpp).
struct TrainCheckpoint {
  std::int64_t iteration = 0;           // updates done (0 < iteration < iterations)
  std::int64_t evaluations = 0;         // loss evaluations so far
  std::vector<float> parameters;        // θ
  std::vector<float> extrapolated;      // nesterov: where the next gradient is taken; else empty
  std::vector<float> moment1, moment2;  // adam: the moment estimates; else empty
  std::vector<float> average;           // ema: the iterates' moving average; else empty
  double step = 0.0;                    // the line search's running step
  double momentum = 1.0;                // nesterov: FISTA's t_k
  /// early_stop: the best-scoring model so far (empty before the first validation), its loss
  /// and iteration, and the validations since it.
  std::vector<float> best;
  double best_loss = std::numeric_limits<double>::infinity();
  std::int64_t best_iteration = 0;
  std::int64_t stale = 0;
};

/// TrainConfig::batch's default: see batch_rows().
constexpr std::int64_t kAutoBatch = -1;

/// A training run's settings. The member defaults are the exact loss's (the 1-D seed problem's
/// network and budget); train_defaults(loss) gives each loss its own measured ones, as `langevin
/// train --loss L` and Python's train(loss=L) start from.
struct TrainConfig {
  std::vector<int> hidden{1024};
  Activation activation = Activation::Relu;
  Loss loss = Loss::Exact;
  double sigma = 0.1;                    // dsm: the noise level
  /// ncsn: the noise levels, decreasing; by default (as `langevin train --loss ncsn`) 20 levels
  /// from 10 down to 0.01 (geometric_noise_levels). Not used by the other losses.
  std::vector<double> sigmas = geometric_noise_levels(10.0, 0.01, 20);
  int projections = 1;                   // sliced: projections per point
  Projection projection = Projection::Rademacher;
  Optimizer optimizer = Optimizer::Adam;
  /// Learning rate; < 0 picks the optimizer's default (default_learning_rate). For gd and nesterov
  /// 0 means a backtracking line search (as jaxopt's GradientDescent does by default).
  double learning_rate = -1.0;
  /// How the learning rate changes over the iterations (a fixed rate: not with the line search),
  /// after `warmup` iterations rising linearly to it (see learning_rate_factor).
  Schedule schedule = Schedule::Constant;
  std::int64_t warmup = 0;
  std::int64_t iterations = 1200;
  /// Rows per iteration, drawn with replacement; 0: the full batch; kAutoBatch (the default):
  /// batch_rows() chooses (mini-batches for adam on large data sets).
  std::int64_t batch = kAutoBatch;
  /// The fraction of the data's rows held out from training (validation_rows: drawn with
  /// Philox from `seed`, so reproducible) and scored with the loss as TrainStep and TrainResult
  /// report it: the held-out rows as one batch, with noise and projections drawn once. 0: none.
  double validation = 0.0;
  /// With validation: stop once this many validations in a row have not improved on the best
  /// held-out loss, and return the model that scored it (TrainResult::best_iteration). 0: off
  /// (train all iterations and return the last model).
  std::int64_t early_stop = 0;
  double weight_decay = 0.0;             // adds ½·wd·‖θ‖² to the loss
  double clip = 0.0;                     // rescale gradients to norm ≤ clip; 0: off
  double tolerance = 0.0;                // stop once ‖∇‖ ≤ tolerance (jaxopt's tol); 0: never
  /// Exponential moving average of the iterates, θ̄ ← μ_k θ̄ + (1 − μ_k) θ_k after update k, with
  /// μ_k = ema_decay(ema, k) = min(μ, (1 + k)/(10 + k)): the average is the trained model. 0: off
  /// (the last iterate). Mini-batch training's last iterate carries the noise of its last few
  /// hundred steps; the average smooths it (Song & Ermon 2020 use μ = 0.999 for
  /// noise-conditional models). The warm-up (TensorFlow's num_updates) lets the average forget
  /// the initial weights as fast as the iterates leave them: with μ alone, 0.999³⁰⁰⁰ ≈ 5 % of the
  /// model would still be the initialisation after 3 000 iterations. Early, while the iterates
  /// still move fast, the average lags behind them: with a validation split the trained model
  /// is the average only where the held-out rows score it at least as well as the last iterate
  /// (TrainResult::averaged).
  double ema = 0.0;
  std::uint64_t seed = 0;                // initialisation, batches, projections, noise
  Backend backend = Backend::Auto;
  /// The CUDA device to train on (its ordinal; −1: the calling thread's current device), for
  /// the cuda backend (auto: when it resolves to cuda).
  int device = -1;
  std::function<void(const TrainStep&)> on_step;  // after every iteration, if set
  /// Checkpointing: with checkpoint_every > 0, on_checkpoint gets the run's state after every
  /// checkpoint_every-th iteration but the last.
  std::int64_t checkpoint_every = 0;
  std::function<void(const TrainCheckpoint&)> on_checkpoint;
  /// Continues a run of this same configuration, data and initial model from one of its
  /// checkpoints: the result is the uninterrupted run's, bit for bit (TrainResult::seconds
  /// aside: it counts this run's part).
  std::shared_ptr<const TrainCheckpoint> resume;
};

struct TrainResult {
  Mlp model;
  std::int64_t iterations = 0;     // done (fewer than asked when the tolerance was met)
  std::int64_t evaluations = 0;    // loss evaluations, line searches included
  double final_loss = 0.0;         // at the last iteration's point
  double seconds = 0.0;
  Backend backend = Backend::Cpu;
  /// With TrainConfig::validation: the returned model's loss on the held-out rows (else NaN).
  double validation_loss = std::numeric_limits<double>::quiet_NaN();
  /// The iteration whose model is returned: the best validation with early_stop, else the last.
  std::int64_t best_iteration = 0;
  /// Whether the model is the iterates' average (ema): with validation (and no early stop) only
  /// where the held-out rows score it at least as well as the last iterate, else always.
  bool averaged = false;
  /// The rows of each iteration's batch (batch_rows(): the training rows for the full batch).
  std::int64_t batch = 0;
};

/// The rows of each iteration's batch for `training_rows` rows to train on (the data's, less
/// the validation split): TrainConfig::batch when positive, all of them for 0, and for
/// kAutoBatch with adam mini-batches of 2 048 rows for ncsn at any size (each row gets a new
/// level and noise every iteration: at 8 000 rows they reached full-batch quality at a quarter of
/// the work, docs/PERFORMANCE.md "Training's defaults") and for the other losses on more than
/// 8 192 rows (at equal work the mini-batches reached a lower held-out loss from 8 192 rows on and
/// tied below: "Full batch or mini-batches"), else all of them; gd and nesterov keep the full
/// batch (the line search needs the same loss at every trial point).
std::int64_t batch_rows(const TrainConfig& config, std::int64_t training_rows);

/// The defaults of `loss`: TrainConfig's members with that loss, and for ncsn a 128 → 128 SiLU
/// network trained 24 000 iterations (mini-batches of 2 048 rows: batch_rows) and averaged with
/// ema 0.999, chosen by a sweep on 2-D and 10-D mixtures (docs/PERFORMANCE.md, "Training's
/// defaults"): the 1-D network of the exact loss does not model a noise-conditional score.
TrainConfig train_defaults(Loss loss);

/// The averaging's decay after update `iteration` (1-based): min(ema, (1 + k)/(10 + k)).
double ema_decay(double ema, std::int64_t iteration);

/// The learning rate's factor at iteration k (1-based) of K = config.iterations, W =
/// config.warmup: k/W while k ≤ W, then 1 (Constant) or ½(1 + cos(π (k − W)/(K − W + 1)))
/// (Cosine, which never reaches 0: its last iteration still moves).
double learning_rate_factor(const TrainConfig& config, std::int64_t iteration);

/// The rows of a data set of `rows` rows that TrainConfig::validation = `fraction` holds out
/// under `seed`, in increasing order: the round(fraction · rows) rows with the smallest Philox
/// keys (ties by index). Throws InvalidInput when that leaves no row to train on or none to
/// validate with.
std::vector<std::int64_t> validation_rows(std::int64_t rows, double fraction, std::uint64_t seed);

/// How often a run with validation scores the held-out rows: every max(1, iterations / 100)-th
/// iteration (and the last).
std::int64_t validation_interval(const TrainConfig& config);

/// 1e-3 for gd and adam; 0 (line search) for nesterov.
double default_learning_rate(Optimizer optimizer);

/// Throws InvalidInput naming the first field out of range.
void validate(const TrainConfig& config);

/// The initial network for d-dimensional data: widths (d, hidden…, d) — (d + 1, hidden…, d) for
/// ncsn, whose input also takes log σ — Glorot-normal weights (truncated at two standard
/// deviations, as JAX's stax.Dense draws them), biases N(0, 0.01²).
Mlp initial_model(int dim, const TrainConfig& config);

/// Trains from initial_model(d, config) on `data` (N, d) (or (N,)).
TrainResult train(const Array& data, const TrainConfig& config);
/// Trains from `initial` (its widths and activation are used; config.hidden and
/// config.activation are ignored).
TrainResult train(const Array& data, const Mlp& initial, const TrainConfig& config);

/// The loss and its gradient with respect to every parameter (same shapes as the layers), at one
/// batch: the building block of train(), exposed for checks and custom loops. The random
/// projections and noise are those of iteration `iteration` under config.seed.
struct LossAndGradient {
  double loss = 0.0;
  std::vector<DenseLayer> gradient;
};
LossAndGradient loss_and_gradient(const Mlp& model, const Array& batch, const TrainConfig& config,
                                  std::int64_t iteration = 0);

}  // namespace langevin
