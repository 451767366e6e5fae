// Training: TrainConfig (the C++ configuration as keyword arguments), train(), TrainResult.

#include "arrays.hpp"
#include "bindings.hpp"

#include <langevin/checkpoint_file.hpp>
#include <langevin/error.hpp>
#include <langevin/trainer.hpp>

#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <memory>

namespace langevin::python {
namespace {

using namespace nb::literals;

struct PyTrainConfig {
  TrainConfig config;
  nb::object on_step;
  nb::object on_checkpoint;
};

/// A training checkpoint as Python sees it: the run's state and the settings its file records.
struct PyTrainCheckpoint {
  std::shared_ptr<const TrainCheckpoint> checkpoint;
  RunSettings settings;
};

nb::object floats(const std::vector<float>& values) {
  return to_numpy(Array({static_cast<std::int64_t>(values.size())}, values));
}

}  // namespace

void bind_training(nb::module_& m) {
  const TrainConfig d;  // the defaults: the C++ ones (hidden, activation, iterations, ema: the loss's)
  nb::class_<PyTrainConfig>(m, "TrainConfig",
                            "A training run's configuration; its keyword arguments are "
                            "train's, with the C++ defaults for its loss "
                            "(TrainConfig(loss=\"ncsn\") shows ncsn's).")
      .def(
          "__init__",
          [](PyTrainConfig* self, nb::handle hidden, nb::handle activation,
             const std::string& loss, double sigma, nb::handle sigmas, int projections,
             const std::string& projection, const std::string& optimizer, nb::handle learning_rate,
             const std::string& schedule, std::int64_t warmup, nb::handle iterations,
             std::int64_t batch, double weight_decay, double clip, double tolerance, nb::handle ema,
             double validation, std::int64_t early_stop, std::uint64_t seed,
             const std::string& backend, int device, nb::handle on_step,
             std::int64_t checkpoint_every, nb::handle on_checkpoint, nb::handle resume) {
            PyTrainConfig result;
            TrainConfig& c = result.config;
            c = train_defaults(parse_loss(loss, "loss"));
            if (!hidden.is_none()) c.hidden = nb::cast<std::vector<int>>(hidden);
            if (!activation.is_none()) {
              c.activation = parse_activation(nb::cast<std::string>(activation), "activation");
            }
            if (!iterations.is_none()) c.iterations = nb::cast<std::int64_t>(iterations);
            if (!ema.is_none()) c.ema = nb::cast<double>(ema);
            c.sigma = sigma;
            if (!sigmas.is_none()) c.sigmas = doubles(sigmas, "sigmas");
            c.projections = projections;
            c.projection = parse_projection(projection, "projection");
            c.optimizer = parse_optimizer(optimizer, "optimizer");
            c.learning_rate = learning_rate.is_none() ? -1.0 : nb::cast<double>(learning_rate);
            c.schedule = parse_schedule(schedule, "schedule");
            c.warmup = warmup;
            c.batch = batch;
            c.weight_decay = weight_decay;
            c.clip = clip;
            c.tolerance = tolerance;
            c.validation = validation;
            c.early_stop = early_stop;
            c.seed = seed;
            c.backend = parse_backend(backend, "backend");
            c.device = device;
            if (!on_step.is_none()) result.on_step = nb::borrow(on_step);
            c.checkpoint_every = checkpoint_every;
            if (!on_checkpoint.is_none()) result.on_checkpoint = nb::borrow(on_checkpoint);
            if (nb::isinstance<PyTrainCheckpoint>(resume)) {
              c.resume = nb::cast<const PyTrainCheckpoint&>(resume).checkpoint;
            } else if (!resume.is_none()) {
              c.resume = std::make_shared<const TrainCheckpoint>(
                  read_train_checkpoint(nb::cast<std::string>(nb::str(resume))).checkpoint);
            }
            validate(c);
            new (self) PyTrainConfig(std::move(result));
          },
          nb::kw_only(), "hidden"_a = nb::none(), "activation"_a = nb::none(), "loss"_a = "exact",
          "sigma"_a = d.sigma, "sigmas"_a = nb::none(), "projections"_a = d.projections,
          "projection"_a = "rademacher", "optimizer"_a = "adam", "learning_rate"_a = nb::none(),
          "schedule"_a = "constant", "warmup"_a = d.warmup,
          "iterations"_a = nb::none(), "batch"_a = d.batch, "weight_decay"_a = d.weight_decay,
          "clip"_a = d.clip, "tolerance"_a = d.tolerance, "ema"_a = nb::none(),
          "validation"_a = d.validation, "early_stop"_a = d.early_stop, "seed"_a = d.seed,
          "backend"_a = "auto", "device"_a = d.device, "on_step"_a = nb::none(),
          "checkpoint_every"_a = d.checkpoint_every, "on_checkpoint"_a = nb::none(),
          "resume"_a = nb::none(),
          "hidden widths and activation (relu, softplus, tanh or silu), iterations and ema (None: "
          "the loss's defaults, as TrainConfig(loss=...) shows them: [1024] relu, 1200, 0; with ncsn [128, 128] silu, "
          "24000, 0.999); loss exact, sliced, dsm (at "
          "sigma) or ncsn (over sigmas σ₁ > … > σ_L, by default geometric_noise_levels(10, 0.01, "
          "20)); projections and projection (rademacher, gaussian) for sliced; optimizer gd, nesterov or adam, "
          "learning_rate (None: the optimizer's default; 0 with gd/nesterov: a line search), "
          "schedule (constant or cosine) after warmup iterations rising from 0; "
          "batch (0: full batch; -1, the default: 2048 with adam for ncsn or on more than 8192 "
          "training rows, else the full batch); weight_decay; clip (gradient norm); tolerance "
          "(stop once ‖∇‖ ≤ it); ema (the average of the iterates, 0: off); validation (the fraction of rows "
          "held out and scored, 0: off) and early_stop (stop after that many validations "
          "without improvement, returning the best model; 0: off); seed; backend; "
          "device (a GPU ordinal); on_step(TrainStep) after every iteration; "
          "on_checkpoint(TrainCheckpoint) after every checkpoint_every-th iteration but the last; "
          "resume: a TrainCheckpoint or its file, to continue that run bit for bit (with the same "
          "data and configuration, which are the caller's to keep, as `langevin train --resume` "
          "checks them).")
      .def_prop_ro("iterations", [](const PyTrainConfig& c) { return c.config.iterations; })
      .def_prop_ro("loss", [](const PyTrainConfig& c) { return std::string(to_string(c.config.loss)); })
      .def_prop_ro("hidden", [](const PyTrainConfig& c) { return c.config.hidden; });

  nb::class_<PyTrainCheckpoint>(m, "TrainCheckpoint",
                                "A training run stopped after an iteration: resuming from it "
                                "gives the uninterrupted run's model, bit for bit.")
      .def_prop_ro("iteration", [](const PyTrainCheckpoint& c) { return c.checkpoint->iteration; })
      .def_prop_ro("evaluations", [](const PyTrainCheckpoint& c) { return c.checkpoint->evaluations; })
      .def_prop_ro("parameters", [](const PyTrainCheckpoint& c) { return floats(c.checkpoint->parameters); },
                   "θ, flat: per layer its weight (outputs × inputs, row-major), then its bias")
      .def_prop_ro("best_iteration", [](const PyTrainCheckpoint& c) { return c.checkpoint->best_iteration; })
      .def_prop_ro("settings", [](const PyTrainCheckpoint& c) { return c.settings; })
      .def(
          "save",
          [](const PyTrainCheckpoint& c, const std::string& path, const RunSettings& settings) {
            write_train_checkpoint(path, *c.checkpoint, settings);
          },
          "path"_a, "settings"_a = RunSettings{},
          "Writes the checkpoint file atomically (the format `langevin train --checkpoint` "
          "writes), with free-form settings that identify the run.")
      .def_static(
          "load",
          [](const std::string& path) {
            TrainCheckpointFile file = read_train_checkpoint(path);
            return PyTrainCheckpoint{
                std::make_shared<const TrainCheckpoint>(std::move(file.checkpoint)),
                std::move(file.settings)};
          },
          "path"_a, "Reads a training checkpoint file (this library's or the CLI's).");

  nb::class_<TrainStep>(m, "TrainStep", "What one training iteration reports.")
      .def_ro("iteration", &TrainStep::iteration)
      .def_ro("loss", &TrainStep::loss)
      .def_ro("gradient_norm", &TrainStep::gradient_norm)
      .def_ro("step_size", &TrainStep::step_size)
      .def_ro("seconds", &TrainStep::seconds)
      .def_ro("validation_loss", &TrainStep::validation_loss,
              "the held-out rows' loss at validated iterations, else NaN");

  nb::class_<TrainResult>(m, "TrainResult", "A trained model and how training went.")
      .def_ro("model", &TrainResult::model)
      .def_ro("iterations", &TrainResult::iterations)
      .def_ro("evaluations", &TrainResult::evaluations)
      .def_ro("final_loss", &TrainResult::final_loss)
      .def_ro("seconds", &TrainResult::seconds)
      .def_ro("validation_loss", &TrainResult::validation_loss,
              "the returned model's loss on the held-out rows (NaN without validation)")
      .def_ro("averaged", &TrainResult::averaged,
              "whether the model is the iterates' average (ema; with validation only where it "
              "scores at least as well as the last iterate)")
      .def_ro("best_iteration", &TrainResult::best_iteration,
              "the iteration whose model is returned (the best validation with early_stop)")
      .def_ro("batch", &TrainResult::batch,
              "the rows of each iteration's batch (the training rows for the full batch)")
      .def_prop_ro("backend", [](const TrainResult& r) { return std::string(to_string(r.backend)); })
      .def("__repr__", [](const TrainResult& r) {
        return "TrainResult(iterations=" + std::to_string(r.iterations) +
               ", final_loss=" + std::to_string(r.final_loss) + ")";
      });

  m.def("validation_rows", &validation_rows, "rows"_a, "fraction"_a, "seed"_a = d.seed,
        "The row indices (increasing) that validation=fraction holds out of `rows` rows under "
        "`seed`: what train scores as the validation loss and does not train on.");

  m.def(
      "train",
      [](nb::handle data, nb::handle config, nb::handle initial, nb::handle progress,
         const nb::kwargs& kwargs) {
        PyTrainConfig c = config_of<PyTrainConfig>(config, kwargs, "TrainConfig");
        const Array points = host_floats(data, "data").to_array();
        Between between(progress, "iterations");
        // The callable by pointer: the library copies its configuration with the GIL
        // released, which must not touch Python reference counts.
        c.config.on_step = [&between, callback = &c.on_step,
                            total = c.config.iterations](const TrainStep& step) {
          between(step.iteration, total);  // takes the GIL, raises on Ctrl-C
          if (callback->is_valid()) {
            nb::gil_scoped_acquire gil;
            (*callback)(step);
          }
        };
        if (c.on_checkpoint.is_valid()) {
          c.config.on_checkpoint = [callback = &c.on_checkpoint](const TrainCheckpoint& state) {
            nb::gil_scoped_acquire gil;
            (*callback)(PyTrainCheckpoint{std::make_shared<const TrainCheckpoint>(state), {}});
          };
        }
        if (initial.is_none()) {
          nb::gil_scoped_release release;
          return langevin::train(points, c.config);
        }
        const Mlp start = nb::cast<Mlp>(initial);
        nb::gil_scoped_release release;
        return langevin::train(points, start, c.config);
      },
      nb::sig("def train(data: numpy.typing.ArrayLike, config: TrainConfig | None = None, *, "
              "initial: Mlp | None = None, progress: bool | collections.abc.Callable[[int, int], None] = False, **kwargs) -> TrainResult"),
      "data"_a, "config"_a = nb::none(), nb::kw_only(), "initial"_a = nb::none(),
      "progress"_a = false, "kwargs"_a,
      "Fits the score model to data (N, d) or (N,) by score matching: `langevin train`. The "
      "configuration as a TrainConfig or its keyword arguments (loss=\"exact\", hidden, "
      "iterations, … with the loss's defaults, as TrainConfig(loss=...) shows them); initial: an Mlp to start from. Returns a TrainResult; its model "
      "is what `langevin train` would save, bit for bit. Ctrl-C stops with KeyboardInterrupt.");
}

}  // namespace langevin::python
