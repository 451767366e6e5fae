// mpi::Sampler and mpi::sample_summary (include/langevin/mpi.hpp): each rank runs its block of
// the chains as a run of its own (a chain depends only on its global index), and what belongs to
// the whole run (divergence, MALA's acceptance, summaries) is combined in rank order.

#include "mpi_status.hpp"
#include "run/driver.hpp"
#include "run/targets.hpp"

#include <langevin/mpi.hpp>
#include <langevin/target.hpp>

#include <cmath>
#include <limits>

namespace langevin::mpi {
namespace {

/// Rows [first, first + count) of an array along its first axis.
Array rows_of(const Array& whole, std::int64_t first, std::int64_t count) {
  std::vector<std::int64_t> shape = whole.shape();
  const std::int64_t per_row = shape[0] > 0 ? whole.size() / shape[0] : 0;
  shape[0] = count;
  const float* begin = whole.data() + first * per_row;
  return Array(shape, std::vector<float>(begin, begin + count * per_row));
}

bool checkpointed(const SamplerConfig& config) {
  return config.checkpoint_every > 0 || config.resume != nullptr;
}

/// The GPU this rank's chains run on: the one `config` names, or, when it names none and runs on
/// the cuda backend, `node_gpu` (node_device(), asked of every rank at the same point: it is
/// collective), which becomes the process's current device: the library's device scopes then
/// restore that one, where restoring device 0 would open a context on GPU 0 for every rank of
/// the node (and fail under exclusive-process compute mode). −1 when the run is not on the cuda
/// backend. Called inside agree(): resolving cuda where there is no GPU throws.
int rank_device(const SamplerConfig& config, int node_gpu) {
  const bool chosen = config.device >= 0 || !config.devices.empty();
  if (chosen || resolve(config.backend) != Backend::Cuda) return config.device;
  langevin::detail::set_current_device(node_gpu);
  return node_gpu;
}

/// `config`'s run restricted to a rank's block: its chains, their global first index, their
/// initial states, progress counted over its chains, and `device` (rank_device()).
SamplerConfig block_config(const SamplerConfig& config, const Block& block, int device) {
  SamplerConfig part = config;
  part.chains = block.count;
  part.first_chain = config.first_chain + block.first;
  if (config.init_states.size() > 0) {
    part.init_states = rows_of(config.init_states, block.first, block.count);
  }
  part.device = device;
  if (config.on_progress) {
    part.on_progress = [progress = config.on_progress, count = block.count](std::int64_t done,
                                                                            std::int64_t) {
      progress(done, count);
    };
  }
  return part;
}

/// A checkpoint of the whole run cut to rank `rank`'s block: its rows of the states, the
/// velocities and the trajectory, and a share of the accepted proposals (given out in rank order, each at most
/// what the rank's chains can have accepted, so that they add up to the whole run's).
Checkpoint rank_checkpoint(const Checkpoint& whole, const SamplerConfig& config, int rank,
                           int ranks) {
  const Block block = block_of(config.chains, rank, ranks);
  Checkpoint part;
  part.update = whole.update;
  part.states = rows_of(whole.states, block.first, block.count);
  if (whole.velocities.size() > 0) {
    part.velocities = rows_of(whole.velocities, block.first, block.count);
  }
  if (whole.trajectory.size() > 0) {
    part.trajectory = rows_of(whole.trajectory, block.first, block.count);
  }
  std::uint64_t left = whole.accepted;
  for (int r = 0; r <= rank; ++r) {
    const auto most = static_cast<std::uint64_t>(block_of(config.chains, r, ranks).count) *
                      static_cast<std::uint64_t>(whole.update);
    part.accepted = std::min(left, most);
    left -= part.accepted;
  }
  return part;
}

}  // namespace

struct Sampler::Impl {
  detail::OwnComm comm;
  std::shared_ptr<const ScoreTarget> target;
  SamplerConfig config;  // the whole run's
  int device = -1;  // rank_device()
  std::vector<double> levels;
  Block block;
  std::unique_ptr<langevin::Sampler> local;  // null when this rank's block is empty
  double acceptance = std::numeric_limits<double>::quiet_NaN();

  Impl(MPI_Comm caller, std::shared_ptr<const ScoreTarget> t, SamplerConfig c)
      : comm(caller), target(std::move(t)), config(std::move(c)) {
    const int node_gpu = node_device(comm.get());
    agree(comm.get(), [&] {
      device = rank_device(config, node_gpu);
      levels = target->noise_levels(config);
      config = with_defaults(std::move(config), levels);
      validate(config, target->dim(), static_cast<int>(levels.size()));
      block = block_of(config.chains, comm.rank(), comm.size());
      if (checkpointed(config) && config.chains < comm.size()) {
        throw InvalidInput("chains = " + std::to_string(config.chains) +
                           ": a run that checkpoints or resumes over " +
                           std::to_string(comm.size()) + " ranks needs a chain a rank at least");
      }
      if (block.count > 0) local = std::make_unique<langevin::Sampler>(target, rank_config());
    });
  }

  /// The whole run restricted to this rank's block (block_config), its share of a checkpoint to
  /// resume from, and at each segment's end the ranks' agreement and the whole run's checkpoint
  /// (at_segment_end).
  SamplerConfig rank_config() {
    SamplerConfig part = block_config(config, block, device);
    if (config.resume) {
      part.resume = std::make_shared<const Checkpoint>(
          rank_checkpoint(*config.resume, config, comm.rank(), comm.size()));
    }
    part.on_checkpoint = nullptr;
    if (config.checkpoint_every > 0) {
      part.on_checkpoint = [this](const Checkpoint& mine) { at_segment_end(mine); };
    }
    return part;
  }

  /// Every rank meets here after each segment but the last, and at the end of the run (with
  /// what went wrong on it, if anything): the outcome is agreed, a divergence counted over the
  /// whole run, and any failure thrown on every rank alike.
  void settle(const std::exception_ptr& failure) {
    // This rank's diverged chains, read inside the agreement: a read that fails (a broken GPU
    // context) is then an agreed failure, not a throw on this rank alone while the others wait
    // in the reductions below. A rank that did not fail has no diverged chains.
    Divergence mine;
    const detail::Agreement agreed = detail::agree_outcome(comm.get(), [&] {
      if (!failure) return;
      try {
        std::rethrow_exception(failure);
      } catch (const InvalidInput&) {
        throw;
      } catch (const Error& error) {
        if (local) mine = local->divergence();
        if (mine.chains > 0) throw detail::Diverged(error.what());
        throw;
      }
    });
    if (agreed.kind == detail::Agreement::kSucceeded) return;
    if (agreed.kind != detail::Agreement::kDiverged) detail::throw_agreed(agreed);
    // How many chains diverged in the whole run, and after which update the first did.
    const std::int64_t first_or_max =
        mine.chains > 0 ? mine.first_update : std::numeric_limits<std::int64_t>::max();
    std::int64_t chains = 0, first_update = 0;
    detail::check(MPI_Allreduce(&mine.chains, &chains, 1, MPI_INT64_T, MPI_SUM, comm.get()),
                  "MPI_Allreduce");
    detail::check(MPI_Allreduce(&first_or_max, &first_update, 1, MPI_INT64_T, MPI_MIN,
                                comm.get()),
                  "MPI_Allreduce");
    throw AgreedError(langevin::detail::divergence_message(
        Divergence{chains, first_update}, config,
        total_updates(config, static_cast<int>(levels.size()))));
  }

  /// After a segment: the ranks agree that all went well, then rank 0 gets the whole run's
  /// checkpoint (the ranks' rows in rank order, their accepted proposals added) for the
  /// caller's on_checkpoint, whose outcome is every rank's.
  void at_segment_end(const Checkpoint& mine) {
    settle(nullptr);
    Checkpoint whole;
    whole.update = mine.update;
    whole.states = gather(comm.get(), mine.states,
                          {config.chains, static_cast<std::int64_t>(target->dim())});
    if (config.method == Method::Underdamped) {
      whole.velocities = gather(comm.get(), mine.velocities,
                                {config.chains, static_cast<std::int64_t>(target->dim())});
    }
    if (config.keep == Keep::Trajectory) {
      whole.trajectory = gather(comm.get(), mine.trajectory,
                                langevin::output_shape(config, target->dim(),
                                                       static_cast<int>(levels.size())));
    }
    const std::uint64_t accepted = mine.accepted;
    detail::check(MPI_Reduce(&accepted, &whole.accepted, 1, MPI_UINT64_T, MPI_SUM, 0,
                             comm.get()),
                  "MPI_Reduce");
    agree(comm.get(), [&] {
      if (comm.rank() == 0 && config.on_checkpoint) config.on_checkpoint(whole);
    });
  }
};

namespace {

std::shared_ptr<const ScoreTarget> shared(std::unique_ptr<ScoreTarget> target) {
  return std::shared_ptr<const ScoreTarget>(std::move(target));
}

}  // namespace

Sampler::Sampler(MPI_Comm comm, const GaussianMixture& target, SamplerConfig config)
    : Sampler(comm, shared(langevin::detail::make_target(target)), std::move(config)) {}
Sampler::Sampler(MPI_Comm comm, const Mlp& model, SamplerConfig config)
    : Sampler(comm, shared(langevin::detail::make_target(model, config.score_form)),
              std::move(config)) {}
Sampler::Sampler(MPI_Comm comm, std::shared_ptr<const ScoreTarget> target, SamplerConfig config) {
  detail::require_initialized("langevin::mpi::Sampler");
  impl_ = std::make_unique<Impl>(comm, std::move(target), std::move(config));
}
Sampler::~Sampler() = default;
Sampler::Sampler(Sampler&&) noexcept = default;
Sampler& Sampler::operator=(Sampler&&) noexcept = default;

int Sampler::rank() const { return impl_->comm.rank(); }
int Sampler::ranks() const { return impl_->comm.size(); }
Block Sampler::block() const { return impl_->block; }
int Sampler::dim() const { return impl_->target->dim(); }
std::vector<std::int64_t> Sampler::output_shape() const {
  return langevin::output_shape(impl_->config, dim(), static_cast<int>(impl_->levels.size()));
}
Backend Sampler::backend() const { return resolve(impl_->config.backend); }
std::vector<int> Sampler::devices() const {
  return impl_->local ? impl_->local->devices() : std::vector<int>{};
}
std::string Sampler::score_form() const { return impl_->target->form(); }
const std::vector<double>& Sampler::noise_levels() const { return impl_->levels; }
const SamplerConfig& Sampler::config() const { return impl_->config; }
double Sampler::acceptance_rate() const { return impl_->acceptance; }

Array Sampler::run() {
  Impl& s = *impl_;
  std::vector<std::int64_t> shape = output_shape();
  shape[0] = s.block.count;
  Array rows;
  std::exception_ptr failure;
  try {
    rows = s.local ? s.local->run() : Array(shape);
  } catch (const Agreed&) {
    throw;  // agreed at a segment's end: every rank is throwing it
  } catch (...) {
    failure = std::current_exception();
  }
  s.settle(failure);
  if (s.config.method == Method::Mala) {
    // A rank's rate is its accepted / (chains × steps), an integer count below 2⁵³: exact back.
    const double proposals = static_cast<double>(s.block.count) *
                             static_cast<double>(s.config.steps);
    const std::uint64_t accepted =
        s.local ? static_cast<std::uint64_t>(std::llround(s.local->acceptance_rate() * proposals))
                : 0;
    std::uint64_t all_accepted = 0;
    detail::check(MPI_Allreduce(&accepted, &all_accepted, 1, MPI_UINT64_T, MPI_SUM,
                                s.comm.get()),
                  "MPI_Allreduce");
    s.acceptance = static_cast<double>(all_accepted) /
                   (static_cast<double>(s.config.chains) * static_cast<double>(s.config.steps));
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------

namespace {

/// A summary as numbers to send: count, then per coordinate mean, m2, min, max; the histogram's
/// counts apart.
std::vector<double> moments_of(const SampleSummary& s) {
  std::vector<double> values = {static_cast<double>(s.count)};
  for (const auto* field : {&s.mean, &s.m2, &s.min, &s.max}) {
    values.insert(values.end(), field->begin(), field->end());
  }
  return values;
}

SampleSummary summary_from(const double* values, const std::uint64_t* counts, int dim,
                           const HistogramSpec& histogram) {
  SampleSummary s = empty_summary(dim, histogram);
  s.count = static_cast<std::int64_t>(values[0]);
  const auto d = static_cast<std::size_t>(dim);
  s.mean.assign(values + 1, values + 1 + d);
  s.m2.assign(values + 1 + d, values + 1 + 2 * d);
  s.min.assign(values + 1 + 2 * d, values + 1 + 3 * d);
  s.max.assign(values + 1 + 3 * d, values + 1 + 4 * d);
  s.counts.assign(counts, counts + s.counts.size());
  return s;
}

std::unique_ptr<ScoreTarget> target_of(const GaussianMixture& mixture, const SamplerConfig&) {
  return langevin::detail::make_target(mixture);
}
std::unique_ptr<ScoreTarget> target_of(const Mlp& model, const SamplerConfig& config) {
  return langevin::detail::make_target(model, config.score_form);
}

template <class Target>
SampleSummary summary_over_ranks(MPI_Comm caller, const Target& source,
                                 const SamplerConfig& config, const SummaryOptions& options) {
  detail::require_initialized("langevin::mpi::sample_summary");
  const detail::OwnComm comm(caller);
  SampleSummary mine;
  int dim = 0;
  const int node_gpu = node_device(comm.get());
  agree(comm.get(), [&] {
    const int device = rank_device(config, node_gpu);
    const std::unique_ptr<ScoreTarget> target = target_of(source, config);
    dim = target->dim();
    validate(options.histogram, "histogram");
    validate(config, dim, static_cast<int>(target->noise_levels(config).size()));
    const Block block = block_of(config.chains, comm.rank(), comm.size());
    mine = block.count > 0 ? sample_summary(source, block_config(config, block, device), options)
                           : empty_summary(dim, options.histogram);
  });
  // Every rank gathers every rank's summary and merges them in rank order: the same result on
  // all, in an order that does not depend on the MPI library's reductions.
  const std::vector<double> values = moments_of(mine);
  const int per_rank = static_cast<int>(values.size());
  const int counts_per_rank = static_cast<int>(mine.counts.size());
  std::vector<double> all_values(static_cast<std::size_t>(per_rank) * comm.size());
  std::vector<std::uint64_t> all_counts(static_cast<std::size_t>(counts_per_rank) * comm.size());
  detail::check(MPI_Allgather(values.data(), per_rank, MPI_DOUBLE, all_values.data(), per_rank,
                              MPI_DOUBLE, comm.get()),
                "MPI_Allgather");
  detail::check(MPI_Allgather(mine.counts.data(), counts_per_rank, MPI_UINT64_T,
                              all_counts.data(), counts_per_rank, MPI_UINT64_T, comm.get()),
                "MPI_Allgather");
  SampleSummary total = empty_summary(dim, options.histogram);
  for (int r = 0; r < comm.size(); ++r) {
    total.merge(summary_from(all_values.data() + static_cast<std::size_t>(r) * per_rank,
                             all_counts.data() + static_cast<std::size_t>(r) * counts_per_rank,
                             dim, options.histogram));
  }
  return total;
}

}  // namespace

SampleSummary sample_summary(MPI_Comm comm, const GaussianMixture& target,
                             const SamplerConfig& config, const SummaryOptions& options) {
  return summary_over_ranks(comm, target, config, options);
}
SampleSummary sample_summary(MPI_Comm comm, const Mlp& model, const SamplerConfig& config,
                             const SummaryOptions& options) {
  return summary_over_ranks(comm, model, config, options);
}

}  // namespace langevin::mpi
