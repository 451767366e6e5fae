#include "run/driver.hpp"

#include "validation.hpp"

#include <langevin/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include <unistd.h>

namespace langevin::detail {

device::ChainConfig chain_config(const SamplerConfig& config, int dim,
                                 const std::vector<double>& sigmas) {
  const SamplerConfig c = with_defaults(config, sigmas);
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
  chains.predictor_corrector = c.method == Method::Pc;
  chains.corrector_steps = c.corrector_steps;
  chains.snr = static_cast<float>(c.snr);
  chains.corrector_chain_norms = c.corrector_step == CorrectorStep::ChainNorms;
  chains.probability_flow = c.method == Method::Ode;
  chains.rtol = static_cast<float>(c.rtol);
  chains.atol = static_cast<float>(c.atol);
  chains.underdamped = c.method == Method::Underdamped;
  chains.friction = static_cast<float>(c.friction);
  return chains;
}

std::vector<std::pair<std::int64_t, std::int64_t>> split_chains(std::int64_t chains, int parts) {
  std::vector<std::pair<std::int64_t, std::int64_t>> blocks;
  const std::int64_t base = chains / parts, extra = chains % parts;
  std::int64_t begin = 0;
  for (int p = 0; p < parts; ++p) {
    const std::int64_t count = base + (p < extra ? 1 : 0);
    blocks.emplace_back(begin, count);
    begin += count;
  }
  return blocks;
}

namespace {

/// Refuses an output larger than the memory it is to live in before allocating it, naming the
/// chains (the count that decides the size) and what to do instead.
void refuse_larger_than(double floats, std::uint64_t available, const std::string& where,
                        std::int64_t chains) {
  const double bytes = 4.0 * floats;
  if (available > 0 && bytes > static_cast<double>(available)) {
    char sizes[96];
    std::snprintf(sizes, sizeof sizes, "%.3g GB, more than the %.3g GB of ", bytes / 1e9,
                  static_cast<double>(available) / 1e9);
    throw InvalidInput("chains = " + std::to_string(chains) + ": the output needs " + sizes +
                       where + "; run fewer chains at a time (first_chain splits a run), or " +
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

std::uint64_t device_memory_bytes(int device) {
  for (const GpuInfo& gpu : gpus()) {
    if (gpu.index == device) return static_cast<std::uint64_t>(gpu.memory_bytes);
  }
  return 0;
}

constexpr unsigned long long kNoDivergence[2] = {0, ~0ull};

}  // namespace

/// One part of the run: chains [begin, begin + count) of it on one runner, with the target
/// loaded there and what the kernels read and write. On a runner that shares host memory the
/// pointers are into the caller's arrays (and the run's states); elsewhere into its buffers.
struct Driver::Part {
  std::int64_t begin = 0;
  std::int64_t count = 0;
  Runner* runner = nullptr;
  std::unique_ptr<LoadedTarget> target;
  RunnerBuffer<float> init;                     // the given initial states (not shared memory)
  RunnerBuffer<float> out;                      // the output, for run() (not shared memory)
  RunnerBuffer<float> states;                   // the states between segments (not shared)
  RunnerBuffer<float> velocities;               // underdamped: their velocities (not shared)
  RunnerBuffer<unsigned int> accepted;          // MALA: each chain's accepted proposals
  RunnerBuffer<unsigned long long> divergence;  // ULA: diverged chains, earliest update

  const float* init_at = nullptr;
  float* out_at = nullptr;
  float* states_at = nullptr;
  float* velocities_at = nullptr;
};

Driver::Driver(const ScoreTarget& target, const SamplerConfig& config, std::vector<double> levels,
               std::vector<std::unique_ptr<Runner>> runners)
    : config_(config),
      dim_(target.dim()),
      levels_(std::move(levels)),
      runners_(std::move(runners)) {
  config_ = with_defaults(std::move(config_), levels_);
  const auto blocks = split_chains(config_.chains, static_cast<int>(runners_.size()));
  parts_.resize(runners_.size());
  for (std::size_t p = 0; p < runners_.size(); ++p) {
    Part& part = parts_[p];
    Runner& runner = *runners_[p];
    part.begin = blocks[p].first;
    part.count = blocks[p].second;
    part.runner = &runner;
    const DeviceScope scope(runner.place().device);
    part.target = target.load(runner.place());
    part.divergence = RunnerBuffer<unsigned long long>(runner, 2);
    if (config_.method == Method::Mala) {
      part.accepted = RunnerBuffer<unsigned int>(runner, static_cast<std::size_t>(part.count));
    }
    if (config_.init_states.size() > 0) {
      const float* rows = config_.init_states.data() + part.begin * dim_;
      if (runner.shares_host_memory()) {
        part.init_at = rows;
      } else {
        part.init = RunnerBuffer<float>(runner, static_cast<std::size_t>(part.count * dim_));
        runner.upload(part.init.data(), rows, sizeof(float) * part.init.size());
        part.init_at = part.init.data();
      }
    }
    // Copies from pageable memory may still be in flight when they return, and a caller's
    // non-blocking stream (run_on_runner) is not ordered after the default one: wait for them.
    runner.wait();
  }
}

Driver::~Driver() = default;

std::int64_t Driver::per_chain_output() const {
  const int levels = static_cast<int>(levels_.size());
  return (config_.keep == Keep::Trajectory ? kept_steps(config_, levels) : 1) * dim_;
}

/// Where a part's rows of `rows` (a whole run's (chains, d) array, or empty) live on its runner:
/// in `rows` itself where the runner shares host memory, else in `buffer`, uploaded when `upload`.
float* Driver::rows_on_runner(Part& part, Array& rows, RunnerBuffer<float>& buffer, bool upload) {
  if (rows.size() == 0) return nullptr;
  Runner& runner = *part.runner;
  if (runner.shares_host_memory()) return rows.data() + part.begin * dim_;
  const std::size_t floats = static_cast<std::size_t>(part.count * dim_);
  if (buffer.size() != floats) buffer = RunnerBuffer<float>(runner, floats);
  if (upload) runner.upload(buffer.data(), rows.data() + part.begin * dim_, sizeof(float) * floats);
  return buffer.data();
}

void Driver::start_run() {
  const bool checkpointing = config_.checkpoint_every > 0;
  const bool underdamped = config_.method == Method::Underdamped;
  if (config_.resume) {
    states_ = config_.resume->states;
    velocities_ = underdamped ? config_.resume->velocities : Array();
  } else if (checkpointing) {
    const std::vector<std::int64_t> rows{config_.chains, static_cast<std::int64_t>(dim_)};
    states_ = Array(rows);
    velocities_ = underdamped ? Array(rows) : Array();  // its own rows (Array is a value)
  } else {
    states_ = Array();
    velocities_ = Array();
  }
  const std::int64_t per_chain = per_chain_output();
  for (Part& part : parts_) {
    Runner& runner = *part.runner;
    runner.upload(part.divergence.data(), kNoDivergence, sizeof kNoDivergence);
    const bool resumed = static_cast<bool>(config_.resume);
    part.states_at = rows_on_runner(part, states_, part.states, resumed);
    part.velocities_at = rows_on_runner(part, velocities_, part.velocities, resumed);
    // A resumed trajectory: the rows so far, in place before the run continues them.
    if (config_.resume && config_.keep == Keep::Trajectory) {
      runner.upload(part.out_at, config_.resume->trajectory.data() + part.begin * per_chain,
                    sizeof(float) * static_cast<std::size_t>(part.count * per_chain));
    }
  }
  accepted_before_ = config_.resume ? config_.resume->accepted : 0;
  ran_ = true;
}

/// The chains' states (and underdamped Langevin's velocities) between segments (checkpointing
/// or resuming), beside the output.
double Driver::state_floats() const {
  const double rows = config_.method == Method::Underdamped ? 2.0 : 1.0;
  return config_.checkpoint_every > 0 || config_.resume
             ? rows * static_cast<double>(config_.chains) * dim_
             : 0.0;
}

void Driver::require_memory() const {
  const double output_floats = static_cast<double>(config_.chains) * per_chain_output();
  // The output, the segments' states and, while a trajectory is checkpointed, its copy.
  const bool copies_output = config_.checkpoint_every > 0 && config_.keep == Keep::Trajectory;
  refuse_larger_than(output_floats * (copies_output ? 2 : 1) + state_floats(),
                     host_memory_bytes(), "host memory", config_.chains);
  for (const Part& part : parts_) {
    const Runner& runner = *part.runner;
    if (runner.shares_host_memory()) continue;
    const double part_floats =
        static_cast<double>(part.count) * per_chain_output() +
        state_floats() * static_cast<double>(part.count) / static_cast<double>(config_.chains);
    refuse_larger_than(part_floats, device_memory_bytes(runner.place().device),
                       "GPU memory (" + runner.name() + ")", config_.chains);
  }
}

void Driver::require_runner_memory() const {
  refuse_larger_than(static_cast<double>(config_.chains) * per_chain_output() + state_floats(),
                     device_memory_bytes(parts_.front().runner->place().device), "GPU memory",
                     config_.chains);
}

void Driver::run(float* out) {
  require_memory();
  const std::int64_t per_chain = per_chain_output();
  for (Part& part : parts_) {
    Runner& runner = *part.runner;
    runner.set_stream(nullptr);
    if (runner.shares_host_memory()) {
      part.out_at = out + part.begin * per_chain;
      continue;
    }
    const std::size_t floats = static_cast<std::size_t>(part.count * per_chain);
    if (part.out.size() != floats) part.out = RunnerBuffer<float>(runner, floats);
    part.out_at = part.out.data();
  }
  host_out_ = out;
  runner_out_ = nullptr;
  start_run();
  run_segments(true);
  for (Part& part : parts_) {
    if (part.runner->shares_host_memory()) continue;
    part.runner->download(out + part.begin * per_chain, part.out_at,
                          sizeof(float) * static_cast<std::size_t>(part.count * per_chain));
  }
}

void Driver::run_on_runner(float* out, Stream stream) {
  Part& part = parts_.front();
  require_runner_memory();
  part.runner->set_stream(stream);
  part.out_at = out;
  host_out_ = nullptr;
  runner_out_ = out;
  start_run();
  run_segments(false);
}

void Driver::run_segments(bool host_output) {
  const int levels = static_cast<int>(levels_.size());
  const std::int64_t total = total_updates(config_, levels);
  const std::int64_t start = config_.resume ? config_.resume->update : 0;
  const device::ChainConfig whole = chain_config(config_, dim_, levels_);
  for (std::int64_t k = start; k < total;) {
    const std::int64_t every = config_.checkpoint_every;
    const std::int64_t end = every > 0 && total - k > every ? k + every : total;
    device::ChainConfig segment = whole;
    segment.first_step = k;
    segment.end_step = end;
    run_slices(segment, start, total);
    if (end < total) after_segment(end, host_output);
    k = end;
  }
}

/// The segment's chains, part by part: all at once without a progress callback, else in slices
/// of ~1 % of a part's chains (at least its runner's min_slice()), the parts' slices launched
/// together and waited for before progress is reported.
void Driver::run_slices(const device::ChainConfig& segment, std::int64_t start,
                        std::int64_t total) {
  const bool resumed_or_later = config_.resume || segment.first_step > start;
  const bool mala = config_.method == Method::Mala;
  const std::int64_t per_chain = per_chain_output();
  auto launch = [&](Part& part, std::int64_t begin, std::int64_t end) {
    device::ChainConfig slice = segment;
    slice.chains = end - begin;
    slice.first_chain = config_.first_chain + part.begin + begin;
    slice.out = part.out_at + begin * per_chain;
    const float* initial = resumed_or_later ? part.states_at : part.init_at;
    slice.init_states = initial != nullptr ? initial + begin * dim_ : nullptr;
    slice.state_out = segment.end_step < total ? part.states_at + begin * dim_ : nullptr;
    if (part.velocities_at != nullptr) {
      slice.init_velocities = resumed_or_later ? part.velocities_at + begin * dim_ : nullptr;
      slice.velocity_out = segment.end_step < total ? part.velocities_at + begin * dim_ : nullptr;
    }
    slice.accepted = mala ? part.accepted.data() + begin : nullptr;
    slice.divergence = mala ? nullptr : part.divergence.data();
    const DeviceScope scope(part.runner->place().device);
    part.target->sample(slice, part.runner->stream());
  };
  if (!config_.on_progress) {
    for (Part& part : parts_) {
      if (part.count > 0) launch(part, 0, part.count);
    }
    return;
  }
  std::vector<std::int64_t> slice(parts_.size());
  for (std::size_t p = 0; p < parts_.size(); ++p) {
    slice[p] = std::max(parts_[p].runner->min_slice(), (parts_[p].count + 99) / 100);
  }
  const double done_before = static_cast<double>(segment.first_step - start);
  const double in_segment = static_cast<double>(segment.end_step - segment.first_step);
  for (std::int64_t s = 0;; ++s) {
    bool launched = false;
    for (std::size_t p = 0; p < parts_.size(); ++p) {
      const std::int64_t begin = s * slice[p];
      if (begin >= parts_[p].count) continue;
      launch(parts_[p], begin, std::min(parts_[p].count, begin + slice[p]));
      launched = true;
    }
    if (!launched) break;
    std::int64_t chains_done = 0;
    for (std::size_t p = 0; p < parts_.size(); ++p) {
      if (s * slice[p] < parts_[p].count) parts_[p].runner->wait();
      chains_done += std::min(parts_[p].count, (s + 1) * slice[p]);
    }
    // The chains' share of the updates (from the start) done, in chains.
    const double updates_done = done_before + in_segment * static_cast<double>(chains_done) /
                                                  static_cast<double>(config_.chains);
    const double share = updates_done / static_cast<double>(total - start);
    config_.on_progress(static_cast<std::int64_t>(share * static_cast<double>(config_.chains)),
                        config_.chains);
  }
}

std::uint64_t Driver::segment_accepted() {
  std::uint64_t sum = 0;
  std::vector<unsigned int> counts;
  for (Part& part : parts_) {
    counts.resize(static_cast<std::size_t>(part.count));
    part.runner->download(counts.data(), part.accepted.data(),
                          sizeof(unsigned int) * counts.size());
    for (unsigned int count : counts) sum += count;
  }
  return sum;
}

/// After a segment but the last: throws when chains diverged, adds the segment's accepted
/// proposals to the run's, and hands the state to on_checkpoint (with the trajectory so far,
/// where kept).
void Driver::after_segment(std::int64_t update, bool host_output) {
  check_divergence();
  if (config_.method == Method::Mala) accepted_before_ += segment_accepted();
  if (!config_.on_checkpoint) return;
  const std::int64_t per_chain = per_chain_output();
  for (Part& part : parts_) {
    Runner& runner = *part.runner;
    if (runner.shares_host_memory()) continue;
    runner.download(states_.data() + part.begin * dim_, part.states_at,
                    sizeof(float) * static_cast<std::size_t>(part.count * dim_));
    if (velocities_.size() > 0) {
      runner.download(velocities_.data() + part.begin * dim_, part.velocities_at,
                      sizeof(float) * static_cast<std::size_t>(part.count * dim_));
    }
    if (config_.keep == Keep::Trajectory && host_output) {
      runner.download(host_out_ + part.begin * per_chain, part.out_at,
                      sizeof(float) * static_cast<std::size_t>(part.count * per_chain));
    }
  }
  const float* trajectory_so_far = host_out_;
  if (config_.keep == Keep::Trajectory && !host_output) {
    trajectory_.resize(static_cast<std::size_t>(config_.chains * per_chain));
    parts_.front().runner->download(trajectory_.data(), runner_out_,
                                    sizeof(float) * trajectory_.size());
    trajectory_so_far = trajectory_.data();
  }
  Checkpoint snapshot;
  snapshot.update = update;
  snapshot.states = std::move(states_);
  if (config_.keep == Keep::Trajectory) {
    snapshot.trajectory = Array(output_shape(config_, dim_, static_cast<int>(levels_.size())));
    std::copy(trajectory_so_far, trajectory_so_far + snapshot.trajectory.size(),
              snapshot.trajectory.data());
  }
  snapshot.accepted = accepted_before_;
  snapshot.velocities = std::move(velocities_);
  struct GiveBack {  // the states (the CPU's kernels write them in place) return to the run
    Array& to;     // even if the callback throws
    Array& from;
    ~GiveBack() { to = std::move(from); }
  } give_back{states_, snapshot.states}, give_velocities_back{velocities_, snapshot.velocities};
  config_.on_checkpoint(snapshot);
}

Divergence Driver::divergence() {
  Divergence result;
  if (!ran_) return result;
  unsigned long long chains = 0, earliest = ~0ull;
  for (Part& part : parts_) {
    unsigned long long counts[2] = {0, ~0ull};
    part.runner->download(counts, part.divergence.data(), sizeof counts);
    chains += counts[0];
    earliest = std::min(earliest, counts[1]);
  }
  result.chains = static_cast<std::int64_t>(chains);
  if (chains > 0) result.first_update = static_cast<std::int64_t>(earliest);
  return result;
}

void Driver::check_divergence() {
  const Divergence diverged = divergence();
  if (diverged.chains == 0) return;
  throw Error(divergence_message(diverged, config_,
                                 total_updates(config_, static_cast<int>(levels_.size()))));
}

std::string divergence_message(const Divergence& diverged, const SamplerConfig& config,
                               std::int64_t updates) {
  const std::string head =
      std::to_string(diverged.chains) + " of " + std::to_string(config.chains) +
      " chains diverged (their state became NaN or infinite), the first after update " +
      std::to_string(diverged.first_update + 1) + " of " + std::to_string(updates) + ": ";
  if (config.method == Method::Ode) {
    return head + "the probability-flow ODE could not meet rtol = " + number_text(config.rtol) +
           ", atol = " + number_text(config.atol) + " within " +
           std::to_string(device::kMaxOdeAttempts) +
           " steps a level interval, or the score is not finite there";
  }
  const std::string step =
      config.method == Method::Pc
          ? "the corrector's signal-to-noise ratio snr = " + number_text(config.snr)
          : "the step size epsilon = " + number_text(config.epsilon);
  return head + step + " is too large for this target; try a smaller one";
}

double Driver::acceptance_rate() {
  if (config_.method != Method::Mala || !ran_) return std::numeric_limits<double>::quiet_NaN();
  const double total =
      static_cast<double>(accepted_before_) + static_cast<double>(segment_accepted());
  return total / (static_cast<double>(config_.chains) * static_cast<double>(config_.steps));
}

}  // namespace langevin::detail
