#include "backends.hpp"
#include "dispatch.hpp"
#include "hinge.hpp"
#include "validation.hpp"
#include "views.hpp"

#include <langevin/device/chain.hpp>
#include <langevin/device/gmm.hpp>
#include <langevin/device/mlp.hpp>
#include <langevin/error.hpp>
#include <langevin/sampler.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <optional>
#include <type_traits>
#include <variant>

#include <unistd.h>

namespace langevin {
namespace {

static_assert(kMaxSamplerDim == detail::kLargestDimTier,
              "the public dimension limit is the backends' largest tier");

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

using detail::require;
std::string text(double value) { return detail::number_text(value); }

}  // namespace

const char* to_string(Method method) { return method == Method::Mala ? "mala" : "ula"; }

Method parse_method(const std::string& name, const std::string& field) {
  if (name == "ula") return Method::Ula;
  if (name == "mala") return Method::Mala;
  throw InvalidInput(field + " = \"" + name + "\": expected ula or mala");
}

namespace {

/// A checkpoint must belong to a run of this configuration: its update inside the run, its arrays
/// in the run's shapes, its states finite (a checkpoint is never written after a divergence).
void validate_resume(const Checkpoint& r, const SamplerConfig& c, int dim, int levels) {
  const std::int64_t updates = total_updates(c, levels);
  require(r.update >= 1 && r.update < updates, "checkpoint update", std::to_string(r.update),
          "must be in [1, updates) = [1, " + std::to_string(updates) + ") for this run");
  const bool states_ok = r.states.rank() == 2 && r.states.dim(0) == c.chains &&
                         r.states.dim(1) == dim;
  require(states_ok, "checkpoint states shape", r.states.shape_string(),
          "must be (chains, d) = (" + std::to_string(c.chains) + ", " + std::to_string(dim) + ")");
  for (std::int64_t i = 0; i < r.states.size(); ++i) {
    if (!std::isfinite(r.states[i])) {
      throw InvalidInput("checkpoint states[" + std::to_string(i / dim) + ", " +
                         std::to_string(i % dim) + "] = " + text(r.states[i]) +
                         ": must be finite");
    }
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

void validate(const SamplerConfig& c, int dim, int levels) {
  require(dim >= 1 && dim <= kMaxSamplerDim, "dimension", std::to_string(dim),
          "the fused sampler takes 1 to " + std::to_string(kMaxSamplerDim));
  require(c.chains >= 1, "chains", std::to_string(c.chains), "must be at least 1");
  require(c.steps >= 1, "steps", std::to_string(c.steps), "must be at least 1");
  require(std::isfinite(c.epsilon) && c.epsilon > 0.0, "epsilon", text(c.epsilon),
          "must be positive and finite");
  require(c.epsilon <= std::numeric_limits<float>::max(), "epsilon", text(c.epsilon),
          "must fit in float32");
  require(c.first_chain >= 0, "first_chain", std::to_string(c.first_chain),
          "must be non-negative");
  require(c.first_chain <= kInt64Max - c.chains, "first_chain", std::to_string(c.first_chain),
          "first_chain + chains must fit in 64 bits");
  const bool annealed = levels > 0;
  require(levels >= 0 && levels <= device::kMaxNoiseLevels, "noise levels",
          std::to_string(levels), "must be in 0 … " + std::to_string(device::kMaxNoiseLevels));
  require(c.steps <= kInt64Max / std::max(1, levels), "steps", std::to_string(c.steps),
          "steps × noise levels must fit in 64 bits");
  if (!c.sigmas.empty()) validate_noise_levels(c.sigmas, "sigmas");
  require(!(c.method == Method::Mala && annealed), "sampler", "mala",
          "MALA does not anneal: drop the noise levels or use ula");
  require(!(c.denoise && !annealed), "denoise", "true",
          "needs an annealed run (a noise-conditional model, or sigmas)");
  if (c.init_states.size() > 0) {
    const bool shape_ok = c.init_states.rank() == 2 && c.init_states.dim(0) == c.chains &&
                          c.init_states.dim(1) == dim;
    require(shape_ok, "init_states shape", c.init_states.shape_string(),
            "must be (chains, d) = (" + std::to_string(c.chains) + ", " + std::to_string(dim) +
                ")");
    for (std::int64_t i = 0; i < c.init_states.size(); ++i) {
      if (!std::isfinite(c.init_states[i])) {
        throw InvalidInput("init_states[" + std::to_string(i / dim) + ", " +
                           std::to_string(i % dim) + "] = " + text(c.init_states[i]) +
                           ": must be finite");
      }
    }
  } else {
    require(std::isfinite(c.init_mean) && std::abs(c.init_mean) <= 1e30, "init mean",
            text(c.init_mean), "must be finite");
    require(std::isfinite(c.init_std) && c.init_std >= 0.0 && c.init_std <= 1e30, "init std",
            text(c.init_std), "must be non-negative and finite");
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
  return c.steps * std::max(1, levels);
}

std::int64_t kept_steps(const SamplerConfig& c, int levels) {
  if (c.keep != Keep::Trajectory) return 0;
  return (total_updates(c, levels) - c.burn_in + c.thin - 1) / c.thin;
}

std::vector<std::int64_t> output_shape(const SamplerConfig& c, int dim, int levels) {
  if (c.keep == Keep::Trajectory) return {c.chains, kept_steps(c, levels), dim};
  return {c.chains, dim};
}

device::ChainConfig chain_config(const SamplerConfig& c, int dim,
                                 const std::vector<double>& sigmas) {
  const int levels = std::max<int>(1, static_cast<int>(sigmas.size()));
  device::ChainConfig chains;
  chains.chains = c.chains;
  chains.first_chain = c.first_chain;
  chains.first_step = 0;
  chains.steps = c.steps;
  chains.epsilon = static_cast<float>(c.epsilon);
  chains.seed = c.seed;
  chains.dim = dim;
  chains.init_mean = static_cast<float>(c.init_mean);
  chains.init_std = static_cast<float>(c.init_std);
  chains.keep_trajectory = c.keep == Keep::Trajectory;
  chains.burn_in = c.burn_in;
  chains.thin = c.thin;
  chains.kept = kept_steps(c, levels);
  chains.levels = static_cast<int>(sigmas.size());
  for (std::size_t l = 0; l < sigmas.size(); ++l) chains.sigmas[l] = static_cast<float>(sigmas[l]);
  chains.denoise = c.denoise;
  chains.metropolis = c.method == Method::Mala;
  return chains;
}

// ---------------------------------------------------------------------------------------------

struct Sampler::Impl {
  SamplerConfig config;
  Backend backend = Backend::Cpu;
  int dim = 0;
  std::variant<GaussianMixture, Mlp> target;
  std::vector<double> sigmas;            // annealing levels (empty: none)
  std::vector<float> params;             // packed, host copy
  std::optional<detail::HingeForm> hinge;  // the seed-shaped networks' faster form (hinge.hpp)
  DeviceBuffer<float> device_hinge;        // its pairs on the GPU
  std::vector<unsigned int> accepted;    // MALA, CPU backend
  DeviceBuffer<float> device_params;     // on the GPU, for the Cuda backend (not with a hinge)
  DeviceBuffer<float> device_init;
  DeviceBuffer<float> device_scratch;    // deep MLPs on the GPU
  DeviceBuffer<unsigned int> device_accepted;
  bool accepted_on_device = false;
  unsigned long long divergence[2] = {0, ~0ull};        // CPU: count, earliest update
  DeviceBuffer<unsigned long long> device_divergence;   // the same on the GPU
  bool divergence_on_device = false;

  template <class Target>
  Impl(const Target& t, SamplerConfig c, int d, std::vector<double> levels)
      : config(std::move(c)), dim(d), target(t), sigmas(std::move(levels)), params(t.packed()) {
    // The log-density first: for a model it is the reason MALA cannot run, annealed or not.
    if (config.method == Method::Mala && !std::holds_alternative<GaussianMixture>(target)) {
      throw InvalidInput("sampler = mala needs a log-density: a Gaussian-mixture target "
                         "(or sample_with a functor that has log_density)");
    }
    validate(config, dim, static_cast<int>(sigmas.size()));
    backend = resolve(config.backend);
    if constexpr (std::is_same_v<Target, Mlp>) hinge = detail::hinge_form(t);
    if (backend == Backend::Cuda) {
      // The GPU reads one form of the score: the hinge pairs, or the packed parameters.
      if (hinge) {
        device_hinge = DeviceBuffer<float>(hinge->pairs.data(), hinge->pairs.size());
      } else {
        device_params = DeviceBuffer<float>(params.data(), params.size());
      }
      if (config.init_states.size() > 0) {
        device_init = DeviceBuffer<float>(config.init_states.data(),
                                          static_cast<std::size_t>(config.init_states.size()));
      }
      // Copies from pageable memory may still be in flight when they return, and a caller's
      // non-blocking stream (run_into) is not ordered after the legacy one: wait for them here.
      detail::synchronize(nullptr);
    }
  }

  int levels() const { return static_cast<int>(sigmas.size()); }

  std::int64_t output_count() const {
    std::int64_t count = 1;
    for (std::int64_t extent : langevin::output_shape(config, dim, levels())) count *= extent;
    return count;
  }

  /// The chains' states between segments (checkpointing or resuming), beside the output.
  double segment_state_floats() const {
    return checkpointing() || config.resume ? static_cast<double>(config.chains) * dim : 0.0;
  }

  /// What run() holds on the host at most: the output, the segments' states and, while a
  /// trajectory is checkpointed, its copy in the checkpoint.
  double host_floats() const {
    const bool copies_output = checkpointing() && config.keep == Keep::Trajectory;
    return static_cast<double>(output_count()) * (copies_output ? 2 : 1) + segment_state_floats();
  }

  void require_cuda() const {
    if (backend != Backend::Cuda) {
      throw InvalidInput("run_on_device / run_into need the cuda backend; this sampler runs on " +
                         std::string(to_string(backend)));
    }
  }

  /// Runs the chains of `whole` through `run_slice` (a ChainConfig for part of them): all at once
  /// without a progress callback, else in slices of ~1 % but at least `min_slice` chains,
  /// calling `after_slice` (which waits for the slice where it runs asynchronously) and then
  /// `report(chains done)` after each.
  template <class RunSlice, class AfterSlice, class Report>
  void run_slices(const device::ChainConfig& whole, std::int64_t min_slice, RunSlice run_slice,
                  AfterSlice after_slice, Report report) {
    const std::int64_t total = config.chains;
    if (!config.on_progress) {
      run_slice(whole);
      return;
    }
    const std::int64_t per_chain = whole.keep_trajectory ? whole.kept * dim : dim;
    const std::int64_t slice = std::max(min_slice, (total + 99) / 100);
    for (std::int64_t begin = 0; begin < total; begin += slice) {
      const std::int64_t end = std::min(total, begin + slice);
      device::ChainConfig part = whole;
      part.chains = end - begin;
      part.first_chain = whole.first_chain + begin;
      part.out = whole.out + begin * per_chain;
      if (whole.init_states != nullptr) part.init_states = whole.init_states + begin * dim;
      if (whole.state_out != nullptr) part.state_out = whole.state_out + begin * dim;
      if (whole.accepted != nullptr) part.accepted = whole.accepted + begin;
      run_slice(part);
      after_slice();
      report(end);
    }
  }

  /// Runs the updates from the start (0, or the checkpoint resumed from) to the end: in one
  /// segment, or in segments of checkpoint_every updates whose chain states go to `states` (which
  /// holds the resumed states at the start), calling `checkpoint(update)` after each but the
  /// last. `initial` is the caller's initial states (null: drawn). The slices are as above.
  template <class RunSlice, class AfterSlice, class OnCheckpoint>
  void run_segments(const device::ChainConfig& whole, const float* initial, float* states,
                    std::int64_t min_slice, RunSlice run_slice, AfterSlice after_slice,
                    OnCheckpoint checkpoint) {
    const std::int64_t total = total_updates(config, levels());
    const std::int64_t start = config.resume ? config.resume->update : 0;
    for (std::int64_t k = start; k < total;) {
      const std::int64_t every = config.checkpoint_every;
      const std::int64_t end = every > 0 && total - k > every ? k + every : total;
      device::ChainConfig part = whole;
      part.first_step = k;
      part.end_step = end;
      part.init_states = config.resume || k > start ? states : initial;
      part.state_out = end < total ? states : nullptr;
      run_slices(part, min_slice, run_slice, after_slice, [&](std::int64_t chains_done) {
        // The chains' share of the updates (from the start) done, in chains.
        const double updates_done = static_cast<double>(k - start) +
                                    static_cast<double>(end - k) *
                                        static_cast<double>(chains_done) /
                                        static_cast<double>(config.chains);
        const double share = updates_done / static_cast<double>(total - start);
        config.on_progress(static_cast<std::int64_t>(share * static_cast<double>(config.chains)),
                           config.chains);
      });
      if (end < total) checkpoint(end);
      k = end;
    }
  }

  bool checkpointing() const { return config.checkpoint_every > 0; }

  /// Before a run: the counters that carry over from the checkpoint resumed from, if any.
  void reset_counters() {
    accepted_before = config.resume ? config.resume->accepted : 0;
    divergence[0] = 0;
    divergence[1] = ~0ull;
  }

  /// After a segment: throws when chains diverged, adds the segment's accepted proposals to the
  /// run's, and hands the state to on_checkpoint (with the trajectory so far, where kept).
  void after_segment(std::int64_t update, Array& states, const float* trajectory_so_far) {
    check_divergence();
    if (config.method == Method::Mala) {
      accepted_before += std::accumulate(segment_accepted().begin(), segment_accepted().end(),
                                         std::uint64_t{0});
    }
    if (!config.on_checkpoint) return;
    Checkpoint snapshot;
    snapshot.update = update;
    snapshot.states = std::move(states);
    if (config.keep == Keep::Trajectory) {
      snapshot.trajectory = Array(langevin::output_shape(config, dim, levels()));
      std::copy(trajectory_so_far, trajectory_so_far + snapshot.trajectory.size(),
                snapshot.trajectory.data());
    }
    snapshot.accepted = accepted_before;
    struct GiveBack {  // the states buffer returns to the run even if the callback throws
      Array& to;
      Array& from;
      ~GiveBack() { to = std::move(from); }
    } give_back{states, snapshot.states};
    config.on_checkpoint(snapshot);
  }

  /// The resumed states, or room for the segments' states (empty when running in one go).
  Array initial_segment_states() const {
    if (config.resume) return config.resume->states;
    if (checkpointing()) return Array({config.chains, static_cast<std::int64_t>(dim)});
    return Array();
  }

  void run_cpu(float* out) {
    device::ChainConfig chains = chain_config(config, dim, sigmas);
    chains.out = out;
    const bool mala = config.method == Method::Mala;
    if (mala) {
      accepted.assign(static_cast<std::size_t>(config.chains), 0);
      chains.accepted = accepted.data();
    }
    accepted_on_device = false;
    reset_counters();
    divergence_on_device = false;
    if (!mala) chains.divergence = divergence;
    if (config.resume && config.keep == Keep::Trajectory) {
      std::copy(config.resume->trajectory.data(),
                config.resume->trajectory.data() + config.resume->trajectory.size(), out);
    }
    Array states = initial_segment_states();
    const float* initial = config.init_states.size() > 0 ? config.init_states.data() : nullptr;
    // Slices of whole 16-chain blocks, enough of them for every thread.
    constexpr std::int64_t kMinCpuSlice = 4096;
    run_segments(
        chains, initial, states.data(), kMinCpuSlice,
        [&](const device::ChainConfig& part) {
          if (const auto* gmm = std::get_if<GaussianMixture>(&target)) {
            backends::sample_gmm_cpu(detail::gmm_view(*gmm, params.data()), part);
          } else if (hinge) {
            backends::sample_hinge_cpu(hinge->view(hinge->pairs.data()), part);
          } else {
            const Mlp& mlp = std::get<Mlp>(target);
            backends::sample_mlp_cpu(detail::mlp_view(mlp, params.data()), mlp.activation(),
                                     part);
          }
        },
        [] {}, [&](std::int64_t update) { after_segment(update, states, out); });
  }

  void run_cuda(float* device_out, Stream stream) {
    device::ChainConfig chains = chain_config(config, dim, sigmas);
    chains.out = device_out;
    last_stream = stream;
    const bool mala = config.method == Method::Mala;
    if (mala) {
      if (device_accepted.size() < static_cast<std::size_t>(config.chains)) {
        device_accepted = DeviceBuffer<unsigned int>(static_cast<std::size_t>(config.chains));
      }
      chains.accepted = device_accepted.data();
      accepted_on_device = true;
    }
    reset_counters();
    if (!mala) {
      if (device_divergence.size() < 2) device_divergence = DeviceBuffer<unsigned long long>(2);
      device_divergence.upload(divergence, 2, stream);
      chains.divergence = device_divergence.data();
    }
    divergence_on_device = !mala;
    const std::int64_t out_count = output_count();
    if (config.resume && config.keep == Keep::Trajectory) {
      detail::copy_host_to_device(device_out, config.resume->trajectory.data(),
                                  sizeof(float) * static_cast<std::size_t>(out_count), stream);
    }
    Array states = initial_segment_states();
    DeviceBuffer<float> device_states(static_cast<std::size_t>(states.size()));
    if (config.resume) device_states.upload(states.data(), device_states.size(), stream);
    std::vector<float> trajectory_so_far;
    // A slice fills an H100/H200 (132 SMs × 2048 threads) several times over.
    constexpr std::int64_t kMinGpuSlice = std::int64_t{1} << 20;
    run_segments(
        chains, device_init.data(), device_states.data(), kMinGpuSlice,
        [&](const device::ChainConfig& part) {
          if (const auto* gmm = std::get_if<GaussianMixture>(&target)) {
            backends::sample_gmm_cuda(detail::gmm_view(*gmm, device_params.data()), part, stream);
          } else if (hinge) {
            backends::sample_hinge_cuda(hinge->view(device_hinge.data()), part, stream);
          } else {
            const Mlp& mlp = std::get<Mlp>(target);
            const device::MlpView view = detail::mlp_view(mlp, device_params.data());
            const backends::MlpScratchPlan plan = backends::plan_mlp_scratch(view, part.chains);
            if (device_scratch.size() < static_cast<std::size_t>(plan.floats)) {
              device_scratch = DeviceBuffer<float>(static_cast<std::size_t>(plan.floats));
            }
            backends::sample_mlp_cuda(view, mlp.activation(),
                                      static_cast<long long>(params.size()), plan,
                                      device_scratch.data(), part, stream);
          }
        },
        [&] { detail::synchronize(stream); },
        [&](std::int64_t update) {
          // The states stay on the GPU between segments unless a checkpoint is to hold them.
          if (config.on_checkpoint) {
            device_states.download(states.data(), static_cast<std::size_t>(states.size()), stream);
          }
          if (config.keep == Keep::Trajectory && config.on_checkpoint) {
            trajectory_so_far.resize(static_cast<std::size_t>(out_count));
            detail::copy_device_to_host(trajectory_so_far.data(), device_out,
                                        sizeof(float) * trajectory_so_far.size(), stream);
          }
          after_segment(update, states, trajectory_so_far.data());
        });
  }

  Divergence read_divergence() {
    unsigned long long counts[2] = {divergence[0], divergence[1]};
    if (divergence_on_device) device_divergence.download(counts, 2, last_stream);
    Divergence result;
    result.chains = static_cast<std::int64_t>(counts[0]);
    if (counts[0] > 0) result.first_update = static_cast<std::int64_t>(counts[1]);
    return result;
  }

  void check_divergence() {
    const Divergence diverged = read_divergence();
    if (diverged.chains == 0) return;
    const std::int64_t updates = total_updates(config, levels());
    throw Error(std::to_string(diverged.chains) + " of " + std::to_string(config.chains) +
                " chains diverged (their state became NaN or infinite), the first after update " +
                std::to_string(diverged.first_update + 1) + " of " + std::to_string(updates) +
                ": the step size epsilon = " + detail::number_text(config.epsilon) +
                " is too large for this target; try a smaller one");
  }

  /// MALA: each chain's accepted proposals in the last segment run (waits for it).
  const std::vector<unsigned int>& segment_accepted() {
    if (accepted_on_device) {
      accepted.resize(static_cast<std::size_t>(config.chains));
      device_accepted.download(accepted.data(), accepted.size(), last_stream);
    }
    return accepted;
  }

  double acceptance_rate() {
    if (config.method != Method::Mala) return std::numeric_limits<double>::quiet_NaN();
    const std::vector<unsigned int>& last = segment_accepted();
    if (last.empty()) return std::numeric_limits<double>::quiet_NaN();
    const double total = static_cast<double>(accepted_before) +
                         std::accumulate(last.begin(), last.end(), 0.0);
    return total / (static_cast<double>(config.chains) * static_cast<double>(config.steps));
  }

  std::uint64_t accepted_before = 0;  // MALA: accepted in earlier segments (and the resumed run)
  Stream last_stream = nullptr;
};

namespace {

/// A mixture anneals over the levels the configuration gives; a noise-conditional model over its
/// own unless the configuration gives others (the network takes log σ as an input, so any level
/// inside the trained range is meaningful; one level σ_L is plain Langevin on s(x, σ_L)).
std::vector<double> annealing_levels(const Mlp& model, const SamplerConfig& config) {
  if (!model.noise_conditional()) {
    if (!config.sigmas.empty()) {
      throw InvalidInput("sigmas: this model is not noise-conditional (train it with --loss "
                         "ncsn to anneal)");
    }
    return {};
  }
  return config.sigmas.empty() ? model.noise_levels() : config.sigmas;
}

}  // namespace

Sampler::Sampler(const GaussianMixture& target, SamplerConfig config)
    : impl_(std::make_unique<Impl>(target, config, target.dim(), config.sigmas)) {}
Sampler::Sampler(const Mlp& model, SamplerConfig config)
    : impl_(std::make_unique<Impl>(model, config, detail::score_model_dim(model),
                                   annealing_levels(model, config))) {}
Sampler::~Sampler() = default;
Sampler::Sampler(Sampler&&) noexcept = default;
Sampler& Sampler::operator=(Sampler&&) noexcept = default;

const SamplerConfig& Sampler::config() const { return impl_->config; }
Backend Sampler::backend() const { return impl_->backend; }
int Sampler::dim() const { return impl_->dim; }
const std::vector<double>& Sampler::noise_levels() const { return impl_->sigmas; }
std::vector<std::int64_t> Sampler::output_shape() const {
  return langevin::output_shape(impl_->config, impl_->dim, impl_->levels());
}

namespace {

/// Refuses an output larger than the memory it is to live in before allocating it, naming the
/// chains (the count that decides the size) and what to do instead.
void require_memory(double floats, std::uint64_t available, const char* where,
                    const SamplerConfig& config) {
  const double bytes = 4.0 * floats;
  if (available > 0 && bytes > static_cast<double>(available)) {
    char sizes[96];
    std::snprintf(sizes, sizeof sizes, "%.3g GB, more than the %.3g GB of %s", bytes / 1e9,
                  static_cast<double>(available) / 1e9, where);
    throw InvalidInput("chains = " + std::to_string(config.chains) + ": the output needs " +
                       sizes + "; run fewer chains at a time (first_chain splits a run), or " +
                       "keep final states or a thinned trajectory");
  }
}

std::uint64_t host_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0
             ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size)
             : 0;
}

std::uint64_t device_memory_bytes() {
  return gpus().empty() ? 0 : static_cast<std::uint64_t>(gpus().front().memory_bytes);
}

}  // namespace

Array Sampler::run() {
  require_memory(impl_->host_floats(), host_memory_bytes(), "host memory", impl_->config);
  if (impl_->backend == Backend::Cuda) {
    Array out = run_on_device().to_host();
    check_divergence();
    return out;
  }
  Array out(output_shape());
  impl_->run_cpu(out.data());
  check_divergence();
  return out;
}

Divergence Sampler::divergence() { return impl_->read_divergence(); }

void Sampler::check_divergence() { impl_->check_divergence(); }

DeviceArray Sampler::run_on_device(Stream stream) {
  impl_->require_cuda();
  require_memory(static_cast<double>(impl_->output_count()) + impl_->segment_state_floats(),
                 device_memory_bytes(),
                 "GPU memory", impl_->config);
  DeviceArray result;
  result.shape = output_shape();
  result.stream = stream;
  result.buffer = DeviceBuffer<float>(static_cast<std::size_t>(impl_->output_count()));
  run_into(result.buffer.data(), stream);
  return result;
}

void Sampler::run_into(float* device_out, Stream stream) {
  impl_->require_cuda();
  impl_->run_cuda(device_out, stream);
}

double Sampler::acceptance_rate() { return impl_->acceptance_rate(); }

Array sample(const GaussianMixture& target, const SamplerConfig& config) {
  return Sampler(target, config).run();
}
Array sample(const Mlp& model, const SamplerConfig& config) {
  return Sampler(model, config).run();
}

}  // namespace langevin
