// Sampler, sample(): a thin layer over a score target and the driver (run/driver.hpp), and the
// validation of a configuration.

#include "dispatch.hpp"
#include "run/driver.hpp"
#include "run/targets.hpp"
#include "validation.hpp"

#include <langevin/device/chain.hpp>
#include <langevin/error.hpp>
#include <langevin/sampler.hpp>
#include <langevin/target.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace langevin {
namespace {

static_assert(detail::kLargestDimTier <= kMaxSamplerDim,
              "the build's largest tier is within the public dimension limit");

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

using detail::require;
std::string text(double value) { return detail::number_text(value); }

}  // namespace

const char* to_string(Method method) {
  switch (method) {
    case Method::Mala: return "mala";
    case Method::Pc: return "pc";
    case Method::Ode: return "ode";
    case Method::Underdamped: return "underdamped";
    case Method::Ula: break;
  }
  return "ula";
}

Method parse_method(const std::string& name, const std::string& field) {
  if (name == "ula") return Method::Ula;
  if (name == "mala") return Method::Mala;
  if (name == "pc") return Method::Pc;
  if (name == "ode") return Method::Ode;
  if (name == "underdamped") return Method::Underdamped;
  throw InvalidInput(field + " = \"" + name + "\": expected ula, mala, pc, ode or underdamped");
}

const char* to_string(CorrectorStep step) {
  return step == CorrectorStep::ChainNorms ? "chain" : "sigma";
}

CorrectorStep parse_corrector_step(const std::string& name, const std::string& field) {
  if (name == "sigma") return CorrectorStep::Sigma;
  if (name == "chain") return CorrectorStep::ChainNorms;
  throw InvalidInput(field + " = \"" + name + "\": expected sigma or chain");
}

namespace {

/// `rows` must be a finite (chains, d) array: "NAME shape = (…): must be (chains, d) = (…)WHY",
/// "NAME[i, j] = nan: must be finite".
void require_finite_rows(const Array& rows, const std::string& name, std::int64_t chains, int dim,
                         const std::string& why = "") {
  const bool shape_ok = rows.rank() == 2 && rows.dim(0) == chains && rows.dim(1) == dim;
  require(shape_ok, name + " shape", rows.shape_string(),
          "must be (chains, d) = (" + std::to_string(chains) + ", " + std::to_string(dim) + ")" +
              why);
  detail::require_finite(rows.data(), rows.size(), dim, name);
}

/// A checkpoint must belong to a run of this configuration: its update inside the run, its arrays
/// in the run's shapes, its states finite (a checkpoint is never written after a divergence).
void validate_resume(const Checkpoint& r, const SamplerConfig& c, int dim, int levels) {
  const std::int64_t updates = total_updates(c, levels);
  require(r.update >= 1 && r.update < updates, "checkpoint update", std::to_string(r.update),
          "must be in [1, updates) = [1, " + std::to_string(updates) + ") for this run");
  require_finite_rows(r.states, "checkpoint states", c.chains, dim);
  if (c.method == Method::Underdamped) {
    require_finite_rows(r.velocities, "checkpoint velocities", c.chains, dim,
                        " for underdamped Langevin");
  } else {
    require(r.velocities.size() == 0, "checkpoint velocities shape", r.velocities.shape_string(),
            "must be empty: only underdamped Langevin has velocities");
  }
  if (c.keep == Keep::Trajectory) {
    require(r.trajectory.shape() == output_shape(c, dim, levels), "checkpoint trajectory shape",
            r.trajectory.shape_string(), "must be the output's shape");
  } else {
    require(r.trajectory.size() == 0, "checkpoint trajectory shape", r.trajectory.shape_string(),
            "must be empty when keeping final states");
  }
  const double most_accepted =
      c.method == Method::Mala ? static_cast<double>(c.chains) * static_cast<double>(r.update) : 0;
  require(static_cast<double>(r.accepted) <= most_accepted, "checkpoint accepted",
          std::to_string(r.accepted),
          "must be at most chains × update = " + text(most_accepted) + " for this run");
}

}  // namespace

namespace {

/// Steps per level, the default resolved (it depends on the method and on whether the run anneals).
std::int64_t steps_of(const SamplerConfig& c, int levels) {
  if (c.method == Method::Ode) return 1;  // not used: an update is a level interval
  if (c.steps != 0) return c.steps;
  if (c.method == Method::Pc) return kDefaultPcSteps;
  return levels > 0 ? kDefaultAnnealedSteps : kDefaultSteps;
}

}  // namespace

SamplerConfig with_defaults(SamplerConfig c, const std::vector<double>& levels) {
  const bool annealed = !levels.empty();
  c.steps = steps_of(c, static_cast<int>(levels.size()));
  // pc's corrector takes its step from snr; the ODE's integrator chooses its own.
  if (c.epsilon == 0.0 && c.method == Method::Underdamped) {
    c.epsilon = kDefaultUnderdampedStep;
  } else if (c.epsilon == 0.0 && c.method != Method::Pc && c.method != Method::Ode) {
    c.epsilon = annealed ? kDefaultAnnealedStepRatio * levels.back() * levels.back() : kDefaultEpsilon;
  }
  if (c.init_std < 0.0) c.init_std = annealed ? levels.front() : 1.0;
  return c;
}

void validate(const SamplerConfig& c, int dim, int levels) {
  require(dim >= 1 && dim <= detail::kLargestDimTier, "dimension", std::to_string(dim),
          "the fused sampler takes 1 to " + std::to_string(detail::kLargestDimTier));
  require(c.chains >= 1, "chains", std::to_string(c.chains), "must be at least 1");
  // The levels first: the default step size is made from them.
  if (!c.sigmas.empty()) validate_noise_levels(c.sigmas, "sigmas");
  require(c.steps >= 0, "steps", std::to_string(c.steps), "must be at least 1 (0: the default)");
  require(std::isfinite(c.epsilon) && c.epsilon >= 0.0, "epsilon", text(c.epsilon),
          "must be positive and finite (0: the default)");
  // The step is a float32 (whose smallest normal value is 1.2·10⁻³⁸): a smaller one is 0 or a
  // subnormal there, and the chains would not move.
  require(c.epsilon == 0.0 || (c.epsilon >= std::numeric_limits<float>::min() &&
                               c.epsilon <= std::numeric_limits<float>::max()),
          "epsilon", text(c.epsilon), "must be in float32's normal range, 1.2e-38 … 3.4e+38");
  require(c.first_chain >= 0, "first_chain", std::to_string(c.first_chain),
          "must be non-negative");
  require(c.first_chain <= kInt64Max - c.chains, "first_chain", std::to_string(c.first_chain),
          "first_chain + chains must fit in 64 bits");
  const bool annealed = levels > 0;
  require(levels >= 0 && levels <= device::kMaxNoiseLevels, "noise levels",
          std::to_string(levels), "must be in 0 … " + std::to_string(device::kMaxNoiseLevels));
  require(steps_of(c, levels) <= kInt64Max / std::max(1, levels), "steps", std::to_string(c.steps),
          "steps × noise levels must fit in 64 bits");
  require(!(c.method == Method::Mala && annealed), "sampler", "mala",
          "MALA does not anneal: drop the noise levels or use ula");
  require(!(c.method == Method::Underdamped && annealed), "sampler", "underdamped",
          "underdamped Langevin does not anneal: drop the noise levels or use ula");
  require(std::isfinite(c.friction) && c.friction > 0.0 && c.friction <= 1e6, "friction",
          text(c.friction), "must be positive and finite (at most 10⁶)");
  if (c.method == Method::Pc) {
    require(annealed, "sampler", "pc",
            "predictor-corrector sampling needs noise levels: a noise-conditional model, or "
            "sigmas for a Gaussian mixture");
    require(c.epsilon == 0.0, "epsilon", text(c.epsilon),
            "pc's corrector takes its step from snr: leave epsilon at 0");
  }
  if (c.method == Method::Ode) {
    require(levels >= 2, "sampler", "ode",
            "the probability-flow ODE needs two or more noise levels: a noise-conditional "
            "model, or sigmas for a Gaussian mixture");
    require(c.epsilon == 0.0, "epsilon", text(c.epsilon),
            "the ODE's integrator chooses its own steps: leave epsilon at 0");
  }
  detail::require_ode_tolerances(c.rtol, c.atol);
  require(c.corrector_steps >= 0 && c.corrector_steps <= 1000000, "corrector_steps",
          std::to_string(c.corrector_steps), "must be in 0 … 10⁶ (0: the predictor alone)");
  require(std::isfinite(c.snr) && c.snr > 0.0 && c.snr <= 1e6, "snr", text(c.snr),
          "must be positive, at most 10⁶");
  require(!(c.denoise && !annealed), "denoise", "true",
          "needs an annealed run (a noise-conditional model, or sigmas)");
  if (c.init_states.size() > 0) {
    require_finite_rows(c.init_states, "init_states", c.chains, dim);
  } else {
    require(std::isfinite(c.init_mean) && std::abs(c.init_mean) <= 1e30, "init mean",
            text(c.init_mean), "must be finite, at most 1e30 in magnitude");
    require(std::isfinite(c.init_std) && c.init_std <= 1e30, "init std", text(c.init_std),
            "must be finite, at most 1e30 (negative: the default)");
  }
  if (c.keep == Keep::Trajectory) {
    const std::int64_t updates = total_updates(c, levels);
    require(c.thin >= 1, "thin", std::to_string(c.thin), "must be at least 1");
    require(c.burn_in >= 0 && c.burn_in < updates, "burn_in", std::to_string(c.burn_in),
            "must be in [0, updates) = [0, " + std::to_string(updates) + ")");
  }
  // The output's element count must fit in 64 bits (memory is checked when allocating).
  const std::int64_t per_chain = (c.keep == Keep::Trajectory ? kept_steps(c, levels) : 1) * dim;
  require(c.chains <= kInt64Max / per_chain, "chains", std::to_string(c.chains),
          "the output of chains × kept steps × d values overflows 64 bits");
  require(c.checkpoint_every >= 0, "checkpoint_every", std::to_string(c.checkpoint_every),
          "must be non-negative (0: no checkpoints)");
  if (c.resume) validate_resume(*c.resume, c, dim, levels);
}

std::int64_t total_updates(const SamplerConfig& c, int levels) {
  if (c.method == Method::Ode) return std::max(0, levels - 1);
  return steps_of(c, levels) * std::max(1, levels);
}

std::int64_t kept_steps(const SamplerConfig& c, int levels) {
  if (c.keep != Keep::Trajectory) return 0;
  return (total_updates(c, levels) - c.burn_in + c.thin - 1) / c.thin;
}

std::vector<std::int64_t> output_shape(const SamplerConfig& c, int dim, int levels) {
  if (c.keep == Keep::Trajectory) return {c.chains, kept_steps(c, levels), dim};
  return {c.chains, dim};
}

std::vector<int> all_devices() {
  std::vector<int> ordinals;
  for (const GpuInfo& gpu : gpus()) ordinals.push_back(gpu.index);
  return ordinals;
}

// ---------------------------------------------------------------------------------------------

struct Sampler::Impl {
  std::shared_ptr<const ScoreTarget> target;
  SamplerConfig config;
  std::vector<double> levels;  // annealing levels (empty: none)
  Backend backend = Backend::Cpu;
  std::unique_ptr<detail::Driver> driver;

  Impl(std::shared_ptr<const ScoreTarget> t, SamplerConfig c)
      : target(std::move(t)), config(std::move(c)) {
    levels = target->noise_levels(config);
    config = with_defaults(std::move(config), levels);
    validate(config, target->dim(), static_cast<int>(levels.size()));
    backend = resolve(config.backend);
    driver = std::make_unique<detail::Driver>(
        *target, config, levels, detail::make_runners(backend, config.device, config.devices));
  }

  int levels_count() const { return static_cast<int>(levels.size()); }

  void require_one_device() const {
    if (backend != Backend::Cuda) {
      throw InvalidInput("run_on_device / run_into need the cuda backend; this sampler runs on " +
                         std::string(to_string(backend)));
    }
    if (driver->runners().size() > 1) {
      throw InvalidInput("run_on_device / run_into need one device; this sampler splits its "
                         "chains over " + std::to_string(driver->runners().size()) +
                         " (run() gathers them on the host)");
    }
  }
};

Sampler::Sampler(const GaussianMixture& target, SamplerConfig config)
    : Sampler(std::shared_ptr<const ScoreTarget>(detail::make_target(target)), std::move(config)) {}
Sampler::Sampler(const Mlp& model, SamplerConfig config)
    : Sampler(std::shared_ptr<const ScoreTarget>(detail::make_target(model, config.score_form)),
              std::move(config)) {}
Sampler::Sampler(std::shared_ptr<const ScoreTarget> target, SamplerConfig config)
    : impl_(std::make_unique<Impl>(std::move(target), std::move(config))) {}
Sampler::~Sampler() = default;
Sampler::Sampler(Sampler&&) noexcept = default;
Sampler& Sampler::operator=(Sampler&&) noexcept = default;

const SamplerConfig& Sampler::config() const { return impl_->config; }
Backend Sampler::backend() const { return impl_->backend; }
std::vector<int> Sampler::devices() const {
  std::vector<int> ordinals;
  for (const auto& runner : impl_->driver->runners()) {
    if (runner->place().backend == Backend::Cuda) ordinals.push_back(runner->place().device);
  }
  return ordinals;
}
int Sampler::dim() const { return impl_->target->dim(); }
std::string Sampler::score_form() const { return impl_->target->form(); }
const std::vector<double>& Sampler::noise_levels() const { return impl_->levels; }
std::vector<std::int64_t> Sampler::output_shape() const {
  return langevin::output_shape(impl_->config, dim(), impl_->levels_count());
}

Array Sampler::run() {
  impl_->driver->require_memory();  // before allocating the output
  Array out(output_shape());
  impl_->driver->run(out.data());
  check_divergence();
  return out;
}

void Sampler::run_into_host(float* host_out) {
  if (host_out == nullptr) throw InvalidInput("run_into_host: the output pointer is null");
  impl_->driver->require_memory();
  impl_->driver->run(host_out);
  check_divergence();
}

Divergence Sampler::divergence() { return impl_->driver->divergence(); }

void Sampler::check_divergence() { impl_->driver->check_divergence(); }

DeviceArray Sampler::run_on_device(Stream stream) {
  impl_->require_one_device();
  impl_->driver->require_runner_memory();  // before allocating the output
  DeviceArray result;
  result.shape = output_shape();
  result.stream = stream;
  std::int64_t count = 1;
  for (std::int64_t extent : result.shape) count *= extent;
  {
    const detail::DeviceScope scope(impl_->driver->runners().front()->place().device);
    result.buffer = DeviceBuffer<float>(static_cast<std::size_t>(count));
  }
  run_into(result.buffer.data(), stream);
  return result;
}

void Sampler::run_into(float* device_out, Stream stream) {
  impl_->require_one_device();
  impl_->driver->run_on_runner(device_out, stream);
}

double Sampler::acceptance_rate() { return impl_->driver->acceptance_rate(); }

Array sample(const GaussianMixture& target, const SamplerConfig& config) {
  return Sampler(target, config).run();
}
Array sample(const Mlp& model, const SamplerConfig& config) {
  return Sampler(model, config).run();
}

}  // namespace langevin
