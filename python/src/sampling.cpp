// Sampling: SamplerConfig (the C++ configuration as keyword arguments), Sampler, sample(),
// summary(), checkpoints.

#include "arrays.hpp"
#include "bindings.hpp"
#include "sampling.hpp"

#include <langevin/checkpoint_file.hpp>
#include <langevin/error.hpp>
#include <langevin/sampler.hpp>
#include <langevin/summary.hpp>

#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cmath>
#include <memory>

namespace langevin::python {

Target target_of(nb::handle target) {
  if (nb::isinstance<GaussianMixture>(target)) return nb::cast<GaussianMixture>(target);
  if (nb::isinstance<Mlp>(target)) return nb::cast<Mlp>(target);
  if (nb::isinstance<nb::str>(target) || nb::hasattr(target, "__fspath__")) {
    const std::string path = nb::cast<std::string>(nb::str(target));
    if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0) return load_gmm(path);
    return load_mlp(path);
  }
  throw InvalidInput("target: expected a GaussianMixture, an Mlp or a path to one");
}

namespace {

using namespace nb::literals;

/// A checkpoint as Python sees it: the run's state and the settings its file records.
struct PyCheckpoint {
  std::shared_ptr<const Checkpoint> checkpoint;
  RunSettings settings;
};

/// The C++ configuration and the Python callable it calls at checkpoints.
struct PySamplerConfig {
  SamplerConfig config;
  nb::object on_checkpoint;
};

Keep parse_keep(const std::string& keep) {
  if (keep == "final") return Keep::Final;
  if (keep == "trajectory") return Keep::Trajectory;
  throw InvalidInput("keep = \"" + keep + "\": expected final or trajectory");
}

PySamplerConfig make_config(std::int64_t chains, std::int64_t steps, double epsilon,
                            std::uint64_t seed, std::int64_t first_chain, double init_mean,
                            double init_std, nb::handle init, const std::string& keep,
                            std::int64_t burn_in, std::int64_t thin, const std::string& method,
                            nb::handle sigmas, bool denoise, int corrector_steps, double snr,
                            const std::string& corrector_step, double rtol, double atol,
                            double friction, const std::string& backend, nb::handle devices,
                            const std::string& score_form,
                            std::int64_t checkpoint_every, nb::handle on_checkpoint,
                            nb::handle resume) {
  PySamplerConfig result;
  SamplerConfig& c = result.config;
  c.chains = chains;
  c.steps = steps;
  c.epsilon = epsilon;
  c.seed = seed;
  c.first_chain = first_chain;
  c.init_mean = init_mean;
  c.init_std = init_std;
  if (!init.is_none()) c.init_states = host_points(init, "init").to_array();
  c.keep = parse_keep(keep);
  c.burn_in = burn_in;
  c.thin = thin;
  c.method = parse_method(method, "method");
  c.sigmas = doubles(sigmas, "sigmas");
  c.denoise = denoise;
  c.corrector_steps = corrector_steps;
  c.snr = snr;
  c.corrector_step = parse_corrector_step(corrector_step, "corrector_step");
  c.rtol = rtol;
  c.atol = atol;
  c.friction = friction;
  c.backend = parse_backend(backend, "backend");
  if (nb::isinstance<nb::int_>(devices)) {
    c.device = nb::cast<int>(devices);
  } else if (nb::isinstance<nb::str>(devices)) {
    if (nb::cast<std::string>(devices) != "all") {
      throw InvalidInput("devices = \"" + nb::cast<std::string>(devices) +
                         "\": expected \"all\", a GPU's ordinal or a list of them");
    }
    c.devices = all_devices();
    if (c.devices.empty()) throw InvalidInput("devices = \"all\": no GPU is visible");
  } else if (!devices.is_none()) {
    for (nb::handle device : devices) c.devices.push_back(nb::cast<int>(device));
  }
  c.score_form = parse_score_form(score_form, "score_form");
  c.checkpoint_every = checkpoint_every;
  if (!on_checkpoint.is_none()) result.on_checkpoint = nb::borrow(on_checkpoint);
  if (nb::isinstance<PyCheckpoint>(resume)) {
    c.resume = nb::cast<const PyCheckpoint&>(resume).checkpoint;
  } else if (!resume.is_none()) {
    c.resume = std::make_shared<const Checkpoint>(
        read_checkpoint(nb::cast<std::string>(nb::str(resume))).checkpoint);
  }
  return result;
}

/// A GPU device string's ordinal: "cuda:1" → 1, "cuda" → −1 (no particular GPU); anything
/// else is refused, naming it.
int cuda_ordinal(const std::string& device) {
  if (device == "cuda") return -1;
  const std::string digits = device.rfind("cuda:", 0) == 0 ? device.substr(5) : "";
  if (digits.empty() || digits.size() > 4 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    throw InvalidInput("device = \"" + device + "\": expected cpu, cuda or cuda:N");
  }
  return std::stoi(digits);
}

/// The library's Sampler with the hooks Python needs between slices: Ctrl-C and progress
/// (`between`, set during a run), and the checkpoint callable.
class PySampler {
 public:
  PySampler(nb::handle target, nb::handle config, const nb::kwargs& kwargs) {
    PySamplerConfig c = config_of<PySamplerConfig>(config, kwargs, "SamplerConfig");
    c.config.on_progress = [slot = slot_](std::int64_t done, std::int64_t total) {
      if (*slot != nullptr) (**slot)(done, total);
    };
    if (c.on_checkpoint.is_valid()) {
      // Held through a shared_ptr: the library copies its configuration with the GIL released,
      // which must not touch Python reference counts.
      auto callback = std::make_shared<nb::object>(c.on_checkpoint);
      c.config.on_checkpoint = [callback](const Checkpoint& state) {
        nb::gil_scoped_acquire gil;
        (*callback)(PyCheckpoint{std::make_shared<const Checkpoint>(state), {}});
      };
    }
    const Target source = target_of(target);
    std::visit([&](const auto& t) { sampler_ = std::make_unique<Sampler>(t, std::move(c.config)); },
               source);
  }

  Sampler& get() { return *sampler_; }

  nb::object run(nb::handle out, const std::string& device, const std::string& framework,
                 nb::handle stream_object, nb::handle progress) {
    Between between(progress, "chains");
    *slot_ = &between;
    struct Clear {
      std::shared_ptr<Between*> slot;
      ~Clear() { *slot = nullptr; }
    } clear{slot_};
    check_framework(framework);
    const Stream stream = stream_of(stream_object);
    const std::vector<std::int64_t> shape = sampler_->output_shape();
    if (!out.is_none()) {
      const OutputArray target = output_array(out, shape, sampler_->backend() == Backend::Cuda);
      if (target.on_gpu) {
        // __cuda_array_interface__ does not name its device (−1).
        require_gpu_result(target.device >= 0
                               ? "out: an array on GPU " + std::to_string(target.device)
                               : std::string("out: a CUDA array"),
                           target.device);
      }
      {
        nb::gil_scoped_release release;
        if (target.on_gpu) {
          // check_divergence() reads the run's divergence counts on the run's stream, on the
          // sampler's GPU: it returns when the run is complete.
          sampler_->run_into(target.data, stream);
          sampler_->check_divergence();
        } else {
          sampler_->run_into_host(target.data);
        }
      }
      return nb::borrow(out);  // with the GIL: a new reference
    }
    if (device == "cpu") {
      Array result;
      {
        nb::gil_scoped_release release;
        result = sampler_->run();
      }
      return to_numpy(std::move(result));
    }
    require_gpu_result("device = \"" + device + "\"", cuda_ordinal(device));
    DeviceArray result;
    {
      nb::gil_scoped_release release;
      result = sampler_->run_on_device(stream);
      // The result is complete when it is returned, so that any consumer's stream may read it:
      // check_divergence() reads the divergence counts on the run's stream, on its GPU.
      sampler_->check_divergence();
    }
    return to_gpu_array(std::move(result), sampler_->devices().front(), framework);
  }

 private:
  /// Refuses a result on a GPU (`what` names the out array or the device string) that this
  /// sampler cannot leave there: one on the cpu backend or split over several GPUs, or on GPU
  /// `ordinal` (−1: any) where the sampler runs on another.
  void require_gpu_result(const std::string& what, int ordinal) const {
    const std::vector<int> devices = sampler_->devices();
    std::string why;
    if (devices.empty()) {
      why = "this sampler runs on the cpu backend";
    } else if (devices.size() > 1) {
      why = "this sampler splits its chains over GPUs";
      for (std::size_t i = 0; i < devices.size(); ++i) {
        why += (i > 0 ? "," : " ") + std::to_string(devices[i]);
      }
      why += "; device=\"cpu\" gathers them on the host";
    } else if (ordinal >= 0 && ordinal != devices.front()) {
      why = "this sampler runs on GPU " + std::to_string(devices.front()) +
            " (its config's device), where a GPU result is left";
    }
    if (!why.empty()) throw InvalidInput(what + ": " + why);
  }

  std::unique_ptr<Sampler> sampler_;
  std::shared_ptr<Between*> slot_ = std::make_shared<Between*>(nullptr);
};

void apply_device(PySamplerConfig& config, const std::string& device) {
  if (device == "cpu") return;
  config.config.backend = Backend::Cuda;
  // "cuda" keeps the config's device; "cuda:N" names it.
  const int ordinal = cuda_ordinal(device);
  if (ordinal >= 0) config.config.device = ordinal;
}

}  // namespace

void bind_sampling(nb::module_& m) {
  const SamplerConfig d;  // the defaults: the C++ ones
  nb::class_<PyCheckpoint>(m, "Checkpoint",
                           "A run stopped between two updates: resuming from it gives the "
                           "uninterrupted run's result, bit for bit.")
      .def_prop_ro("update", [](const PyCheckpoint& c) { return c.checkpoint->update; })
      .def_prop_ro("accepted", [](const PyCheckpoint& c) { return c.checkpoint->accepted; })
      .def_prop_ro("states", [](const PyCheckpoint& c) { return to_numpy(c.checkpoint->states); })
      .def_prop_ro(
          "velocities",
          [](const PyCheckpoint& c) -> nb::object {
            if (c.checkpoint->velocities.size() == 0) return nb::none();
            return to_numpy(c.checkpoint->velocities);
          },
          "Underdamped Langevin: every chain's velocity (chains, d); None for the other methods.")
      .def_prop_ro(
          "trajectory",
          [](const PyCheckpoint& c) -> nb::object {
            if (c.checkpoint->trajectory.size() == 0) return nb::none();
            return to_numpy(c.checkpoint->trajectory);
          },
          "The output so far of a run keeping its trajectory (rows not reached yet are zero); "
          "None for a run keeping final states.")
      .def_prop_ro("settings", [](const PyCheckpoint& c) { return c.settings; })
      .def(
          "save",
          [](const PyCheckpoint& c, const std::string& path, const RunSettings& settings) {
            write_checkpoint(path, *c.checkpoint, settings);
          },
          "path"_a, "settings"_a = RunSettings{},
          "Writes the checkpoint file atomically (the format `langevin sample --checkpoint` "
          "writes), with free-form settings that identify the run.")
      .def_static(
          "load",
          [](const std::string& path) {
            CheckpointFile file = read_checkpoint(path);
            return PyCheckpoint{std::make_shared<const Checkpoint>(std::move(file.checkpoint)),
                                std::move(file.settings)};
          },
          "path"_a, "Reads a checkpoint file (this library's or the CLI's).");

  nb::class_<PySamplerConfig>(m, "SamplerConfig",
                              "A sampler's configuration; its keyword arguments are those of "
                              "Sampler, sample and summary, with the C++ defaults.")
      .def(
          "__init__",
          [](PySamplerConfig* self, std::int64_t chains, std::int64_t steps, double epsilon,
             std::uint64_t seed, std::int64_t first_chain, double init_mean, double init_std,
             nb::handle init, const std::string& keep, std::int64_t burn_in, std::int64_t thin,
             const std::string& method, nb::handle sigmas, bool denoise, int corrector_steps,
             double snr, const std::string& corrector_step, double rtol, double atol,
             double friction, const std::string& backend, nb::handle devices,
             const std::string& score_form,
             std::int64_t checkpoint_every, nb::handle on_checkpoint, nb::handle resume) {
            new (self) PySamplerConfig(make_config(chains, steps, epsilon, seed, first_chain,
                                                   init_mean, init_std, init, keep, burn_in, thin,
                                                   method, sigmas, denoise, corrector_steps,
                                                   snr, corrector_step, rtol, atol, friction,
                                                   backend,
                                                   devices, score_form, checkpoint_every,
                                                   on_checkpoint, resume));
          },
          nb::kw_only(), "chains"_a = d.chains, "steps"_a = d.steps, "epsilon"_a = d.epsilon,
          "seed"_a = d.seed, "first_chain"_a = d.first_chain, "init_mean"_a = d.init_mean,
          "init_std"_a = d.init_std, "init"_a = nb::none(), "keep"_a = "final",
          "burn_in"_a = d.burn_in, "thin"_a = d.thin, "method"_a = "ula",
          "sigmas"_a = nb::none(), "denoise"_a = d.denoise,
          "corrector_steps"_a = d.corrector_steps, "snr"_a = d.snr,
          "corrector_step"_a = to_string(d.corrector_step), "rtol"_a = d.rtol, "atol"_a = d.atol,
          "friction"_a = d.friction, "backend"_a = "auto",
          "devices"_a = nb::none(), "score_form"_a = "auto",
          "checkpoint_every"_a = d.checkpoint_every, "on_checkpoint"_a = nb::none(),
          "resume"_a = nb::none(),
          "chains, steps (per noise level), epsilon (the step size ε), seed; first_chain (the "
          "first chain's global index); initial states N(init_mean, init_std²) or init (chains, "
          "d). steps 0, epsilon 0 and a negative init_std are the defaults: 2000 steps of 0.005 "
          "from N(0, 1), or 100 steps a level of 0.1 σ_L² from N(0, σ₁²) when annealed; keep "
          "\"final\" or \"trajectory\" (with burn_in, thin); method \"ula\", \"mala\" or "
          "\"pc\" (predictor–corrector down the noise levels: steps predictor steps a level, "
          "default 10, each after corrector_steps Langevin steps of 2 (snr ‖z‖/‖s‖)², from pure "
          "noise's norms at σ (corrector_step \"sigma\": 2 snr² σ²) or each chain's own "
          "(\"chain\"); no epsilon) or \"ode\" (the probability-flow ODE from σ₁ to σ_L, an "
          "adaptive Dormand–Prince pair per chain held to rtol and atol; no epsilon, steps not "
          "used) or \"underdamped\" (positions and velocities under friction, BAOAB steps of "
          "time epsilon, default 0.1; checkpoints carry the velocities); "
          "sigmas: noise levels σ₁ > … > σ_L to anneal over (a noise-conditional model anneals "
          "over its own without them), denoise; backend \"auto\", \"cpu\" or \"cuda\"; devices: "
          "a GPU ordinal, a list of them or \"all\" (chains split in contiguous blocks, the "
          "one-GPU result); score_form \"auto\" or \"layered\"; checkpoint_every S updates "
          "calls on_checkpoint(Checkpoint); resume: a Checkpoint or a checkpoint file's path, "
          "of a run with this same configuration (its shapes and update are checked; the other "
          "settings are the caller's to keep, as `langevin sample --resume` checks them).")
      .def_prop_ro("chains", [](const PySamplerConfig& c) { return c.config.chains; })
      .def_prop_ro("steps", [](const PySamplerConfig& c) { return c.config.steps; })
      .def_prop_ro("epsilon", [](const PySamplerConfig& c) { return c.config.epsilon; })
      .def_prop_ro("seed", [](const PySamplerConfig& c) { return c.config.seed; })
      .def_prop_ro("method", [](const PySamplerConfig& c) { return std::string(to_string(c.config.method)); })
      .def_prop_ro("sigmas", [](const PySamplerConfig& c) { return c.config.sigmas; })
      .def_prop_ro("corrector_steps", [](const PySamplerConfig& c) { return c.config.corrector_steps; })
      .def_prop_ro("snr", [](const PySamplerConfig& c) { return c.config.snr; })
      .def_prop_ro("rtol", [](const PySamplerConfig& c) { return c.config.rtol; })
      .def_prop_ro("atol", [](const PySamplerConfig& c) { return c.config.atol; })
      .def_prop_ro("friction", [](const PySamplerConfig& c) { return c.config.friction; })
      .def_prop_ro("corrector_step", [](const PySamplerConfig& c) { return std::string(to_string(c.config.corrector_step)); })
      .def_prop_ro("backend", [](const PySamplerConfig& c) { return std::string(to_string(c.config.backend)); });

  nb::class_<Divergence>(m, "Divergence", "Chains of the last run whose state became NaN or infinite.")
      .def_ro("chains", &Divergence::chains)
      .def_ro("first_update", &Divergence::first_update);

  nb::class_<PySampler>(m, "Sampler",
                        "A sampler bound to one target and configuration: validates once, keeps "
                        "the target's parameters on the GPU between runs.")
      .def(nb::init<nb::handle, nb::handle, const nb::kwargs&>(),
           nb::sig("def __init__(self, target: GaussianMixture | Mlp | str | os.PathLike[str], config: SamplerConfig | None = None, "
                   "**kwargs) -> None"),
           "target"_a,
           "config"_a = nb::none(), "kwargs"_a,
           "target: a GaussianMixture, an Mlp or a path to one; the configuration as a "
           "SamplerConfig or as its keyword arguments.")
      .def("run", &PySampler::run,
           nb::sig("def run(self, *, out: object | None = None, device: str = 'cpu', "
                   "framework: str = 'dlpack', stream: object | None = None, "
                   "progress: bool | collections.abc.Callable[[int, int], None] = False) -> numpy.typing.NDArray[numpy.float32] | object"),
           nb::kw_only(), "out"_a = nb::none(), "device"_a = "cpu",
           "framework"_a = "dlpack", "stream"_a = nb::none(), "progress"_a = false,
           "Runs the chains. Returns a NumPy array (chains, d) — (chains, kept, d) for a "
           "trajectory — or writes into out (float32, C order, exactly that shape; on the GPU "
           "too for the cuda backend) and returns it. device=\"cuda\": the result stays on the "
           "GPU, as a DLPack array (framework \"dlpack\", \"torch\", \"cupy\" or \"jax\"), "
           "complete on return (\"cuda:N\" must name the sampler's GPU); stream: the caller's "
           "stream to run on. progress: True for a tqdm bar, or a "
           "callable(done, total). Ctrl-C stops the run with KeyboardInterrupt.")
      .def_prop_ro("backend", [](PySampler& s) { return std::string(to_string(s.get().backend())); })
      .def_prop_ro("devices", [](PySampler& s) { return s.get().devices(); })
      .def_prop_ro("dim", [](PySampler& s) { return s.get().dim(); })
      .def_prop_ro("score_form", [](PySampler& s) { return s.get().score_form(); })
      .def_prop_ro("output_shape", [](PySampler& s) { return s.get().output_shape(); })
      .def_prop_ro("noise_levels", [](PySampler& s) { return s.get().noise_levels(); })
      .def("divergence", [](PySampler& s) { return s.get().divergence(); },
           "The last run's diverged chains (ULA).")
      .def_prop_ro("acceptance_rate", [](PySampler& s) { return s.get().acceptance_rate(); },
                   "MALA: the fraction of proposals the last run accepted; NaN for ULA.");

  m.def(
      "sample",
      [](nb::handle target, nb::handle config, nb::handle out, const std::string& device,
         const std::string& framework, nb::handle stream, nb::handle progress,
         const nb::kwargs& kwargs) {
        PySamplerConfig c = config_of<PySamplerConfig>(config, kwargs, "SamplerConfig");
        apply_device(c, device);
        nb::object type = nb::module_::import_("langevin._langevin").attr("Sampler");
        nb::object owner = type(target, nb::cast(c));
        return nb::cast<PySampler&>(owner).run(out, device.rfind("cuda", 0) == 0 && out.is_none() ? "cuda" : "cpu",
                           framework, stream, progress);
      },
      nb::sig("def sample(target: GaussianMixture | Mlp | str | os.PathLike[str], "
              "config: SamplerConfig | None = None, *, out: object | None = None, "
              "device: str = 'cpu', framework: str = 'dlpack', stream: object | None = None, "
              "progress: bool | collections.abc.Callable[[int, int], None] = False, "
              "**kwargs) -> numpy.typing.NDArray[numpy.float32] | object"),
      "target"_a, "config"_a = nb::none(), nb::kw_only(), "out"_a = nb::none(),
      "device"_a = "cpu", "framework"_a = "dlpack", "stream"_a = nb::none(),
      "progress"_a = false, "kwargs"_a,
      "Sampler(target, config, **kwargs).run(...) in one call: chains=1000, seed=0, steps and "
      "epsilon (0: 2000 steps of 0.005, or 100 a noise level of 0.1 σ_L² when annealed) and "
      "the other SamplerConfig keywords. device: \"cpu\" (a NumPy "
      "result), \"cuda\" or \"cuda:N\" (run there, the result left on the GPU).");

  nb::class_<SampleSummary>(m, "SampleSummary",
                            "Per-coordinate running statistics of samples: count, mean, "
                            "variance, extremes, histogram.")
      .def_ro("dim", &SampleSummary::dim)
      .def_ro("count", &SampleSummary::count)
      .def_ro("mean", &SampleSummary::mean)
      .def_ro("m2", &SampleSummary::m2)
      .def_ro("min", &SampleSummary::min)
      .def_ro("max", &SampleSummary::max)
      .def("variance", &SampleSummary::variance, "Unbiased: m2 / (count − 1).")
      .def_prop_ro("histogram",
                   [](const SampleSummary& s) {
                     return nb::make_tuple(s.histogram.bins, s.histogram.low, s.histogram.high);
                   },
                   "(bins, low, high); bins = 0: none.")
      .def_prop_ro(
          "counts",
          [](const SampleSummary& s) {
            nb::object numpy = nb::module_::import_("numpy");
            nb::object counts = numpy.attr("array")(s.counts, "dtype"_a = "uint64");
            return counts.attr("reshape")(s.dim, s.histogram.bins + 2);
          },
          "(d, bins + 2) counts: underflow, the bins, overflow.")
      .def("merge", &SampleSummary::merge, "other"_a)
      .def("to_json", [](const SampleSummary& s) { return to_json(s); })
      .def("__repr__", [](const SampleSummary& s) {
        return "SampleSummary(count=" + std::to_string(s.count) + ", dim=" + std::to_string(s.dim) +
               ")";
      });

  m.def(
      "summary",
      [](nb::handle target, nb::handle config, int bins, nb::handle range,
         std::int64_t chunk_chains, nb::handle progress, const nb::kwargs& kwargs) {
        PySamplerConfig c = config_of<PySamplerConfig>(config, kwargs, "SamplerConfig");
        SummaryOptions options;
        options.histogram = histogram_of(bins, range);
        options.chunk_chains = chunk_chains;
        Between between(progress, "chains");
        c.config.on_progress = [&between](std::int64_t done, std::int64_t total) {
          between(done, total);
        };
        const Target source = target_of(target);
        nb::gil_scoped_release release;
        return std::visit([&](const auto& t) { return sample_summary(t, c.config, options); },
                          source);
      },
      nb::sig("def summary(target: GaussianMixture | Mlp | str | os.PathLike[str], config: SamplerConfig | None = None, *, "
              "bins: int = 0, range: tuple[float, float] | None = None, chunk_chains: int = 0, "
              "progress: bool | collections.abc.Callable[[int, int], None] = False, **kwargs) -> SampleSummary"),
      "target"_a, "config"_a = nb::none(), nb::kw_only(), "bins"_a = 0, "range"_a = nb::none(),
      "chunk_chains"_a = 0, "progress"_a = false, "kwargs"_a,
      "Runs the chains in chunks and keeps only their statistics (memory: one chunk), the "
      "chains of one whole run: `langevin sample --summary`.");
}

}  // namespace langevin::python
