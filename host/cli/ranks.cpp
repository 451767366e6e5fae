// The single process (ranks.hpp): a run as the library's Sampler runs it, the files as its
// writers write them. Also what an MPI build does when no launcher started it.

#include "ranks.hpp"

#include "array_output.hpp"

namespace langevin::cli {
namespace {

class WholeRun final : public ChainRun {
 public:
  WholeRun(std::shared_ptr<const ScoreTarget> target, const SamplerConfig& config)
      : sampler_(std::move(target), config) {}
  Array run() override { return sampler_.run(); }
  std::int64_t first_row() const override { return 0; }
  std::vector<std::int64_t> output_shape() const override { return sampler_.output_shape(); }
  Backend backend() const override { return sampler_.backend(); }
  std::vector<int> devices() const override { return sampler_.devices(); }
  std::string score_form() const override { return sampler_.score_form(); }
  const std::vector<double>& noise_levels() const override { return sampler_.noise_levels(); }
  const SamplerConfig& config() const override { return sampler_.config(); }
  double acceptance_rate() override { return sampler_.acceptance_rate(); }

 private:
  Sampler sampler_;
};

std::unique_ptr<Ranks>& current() {
  static std::unique_ptr<Ranks> ranks;
  return ranks;
}

}  // namespace

std::unique_ptr<ChainRun> SingleProcess::make_run(std::shared_ptr<const ScoreTarget> target,
                                                  const SamplerConfig& config) const {
  return std::make_unique<WholeRun>(std::move(target), config);
}

void SingleProcess::write_rows(
    const std::string& path, const std::string& dataset, const Array& rows,
    const std::vector<std::int64_t>& shape, std::int64_t,
    const std::function<Hdf5Attributes(const std::vector<std::int64_t>&)>& describe) const {
  write_array_output(path, dataset, rows, [&] { return describe(shape); });
}

SampleSummary SingleProcess::summary(const ScoreSource& source, const SamplerConfig& config,
                                     const SummaryOptions& options) const {
  return std::holds_alternative<GaussianMixture>(source)
             ? sample_summary(std::get<GaussianMixture>(source), config, options)
             : sample_summary(std::get<Mlp>(source), config, options);
}

TrainResult SingleProcess::train(const Array& data, const TrainConfig& config) const {
  return langevin::train(data, config);
}

void set_ranks(std::unique_ptr<Ranks> ranks) { current() = std::move(ranks); }

const Ranks& ranks() {
  if (!current()) current() = std::make_unique<SingleProcess>();
  return *current();
}

void stop_ranks() { current().reset(); }

}  // namespace langevin::cli
