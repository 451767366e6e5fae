// sample_summary (include/langevin/summary.hpp): a large run in chunks of consecutive global chain
// indices, each chunk's output summarised before the next runs, so that memory holds one chunk.

#include "device_scope.hpp"
#include "validation.hpp"

#include <langevin/error.hpp>
#include <langevin/summary.hpp>

#include <algorithm>

namespace langevin {

std::int64_t summary_chunk_chains(const SummaryOptions& options, Backend backend,
                                  std::int64_t floats_per_chain, std::int64_t chains) {
  if (options.chunk_chains > 0) return std::min(options.chunk_chains, chains);
  const std::int64_t limit_floats = backend == Backend::Cuda ? std::int64_t{1} << 28
                                                             : std::int64_t{1} << 26;
  return std::clamp<std::int64_t>(limit_floats / std::max<std::int64_t>(1, floats_per_chain), 1,
                                  chains);
}

namespace {

/// Chains [begin, begin + count) of the run `whole` as a run of their own.
SamplerConfig chunk_config(const SamplerConfig& whole, std::int64_t begin, std::int64_t count,
                           int dim) {
  SamplerConfig part = whole;
  part.chains = count;
  part.first_chain = whole.first_chain + begin;
  if (whole.init_states.size() > 0) {
    const float* first = whole.init_states.data() + begin * dim;
    part.init_states = Array({count, static_cast<std::int64_t>(dim)},
                             std::vector<float>(first, first + count * dim));
  }
  if (whole.on_progress) {
    part.on_progress = [&whole, begin](std::int64_t done, std::int64_t) {
      whole.on_progress(begin + done, whole.chains);
    };
  }
  return part;
}

template <class Target>
SampleSummary run_summary(const Target& target, const SamplerConfig& config,
                          const SummaryOptions& options) {
  validate(options.histogram, "histogram");
  detail::require(options.chunk_chains >= 0, "chunk_chains", std::to_string(options.chunk_chains),
                  "must be non-negative (0: chosen from memory)");
  detail::require(config.checkpoint_every == 0 && !config.resume, "checkpoint_every",
                  std::to_string(config.checkpoint_every),
                  "a summarised run does not checkpoint (each chunk is short; split a long run "
                  "with first_chain instead)");
  // One chain resolves the backend, the dimension and the noise levels; then the whole run is
  // validated as one (chain counts, overflow, initial states' shape).
  SamplerConfig probe = config;
  probe.chains = 1;
  probe.init_states = Array();
  probe.on_progress = nullptr;
  const Sampler first(target, probe);
  const int dim = first.dim();
  const int levels = static_cast<int>(first.noise_levels().size());
  validate(config, dim, levels);
  const std::vector<std::int64_t> one_chain = first.output_shape();
  std::int64_t floats_per_chain = 1;
  for (std::size_t k = 1; k < one_chain.size(); ++k) floats_per_chain *= one_chain[k];
  const std::int64_t chunk =
      summary_chunk_chains(options, first.backend(), floats_per_chain, config.chains);

  SampleSummary total = empty_summary(dim, options.histogram);
  DeviceBuffer<float> device_out;  // the GPU's chunk output, allocated once
  for (std::int64_t begin = 0; begin < config.chains; begin += chunk) {
    const std::int64_t count = std::min(chunk, config.chains - begin);
    Sampler sampler(target, chunk_config(config, begin, count, dim));
    const std::int64_t rows = count * floats_per_chain / dim;
    if (sampler.backend() == Backend::Cuda && sampler.devices().size() == 1) {
      if (device_out.size() < static_cast<std::size_t>(count * floats_per_chain)) {
        const detail::DeviceScope scope(sampler.devices().front());
        device_out = DeviceBuffer<float>(static_cast<std::size_t>(chunk * floats_per_chain));
      }
      sampler.run_into(device_out.data());
      sampler.check_divergence();
      const detail::DeviceScope scope(sampler.devices().front());
      total.merge(summarize_on_device(device_out.data(), rows, dim, options.histogram));
    } else {
      total.merge(summarize(sampler.run(), options.histogram));
    }
  }
  return total;
}

}  // namespace

SampleSummary sample_summary(const GaussianMixture& target, const SamplerConfig& config,
                             const SummaryOptions& options) {
  return run_summary(target, config, options);
}

SampleSummary sample_summary(const Mlp& model, const SamplerConfig& config,
                             const SummaryOptions& options) {
  return run_summary(model, config, options);
}

}  // namespace langevin
