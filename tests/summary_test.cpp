// Running statistics: summaries equal the two-pass moments and a direct histogram, merging parts
// equals the whole, the thread count does not change a bit, a chunked run summarises the same
// chains as one run, and the moments of a Gaussian target match the theory of the discretised
// dynamics. On the GPU: the same rows give the same counts and (to double rounding) moments.

#include <langevin/langevin.hpp>

#include "gpu.hpp"
#include "statistics.hpp"
#include "thread_count.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace langevin {
namespace {

// Means and M2 are sums of up to ~10⁶ doubles, in different orders: relative error well below
// 10⁻¹⁰ (n · 2⁻⁵³ ≈ 10⁻¹⁰ at worst for n = 10⁶).
constexpr double kDoubleRounding = 1e-10;

Array mixture_rows(std::int64_t count, std::uint64_t seed) {
  const GaussianMixture mixture({0.3, 0.7}, {{-4.0, 1.0, 100.0}, {3.0, -2.0, 100.5}},
                                {{1.0, 0.5, 0.2}, {2.0, 1.0, 0.3}});
  return draw(mixture, count, seed);
}

struct ReferenceSummary {
  std::vector<double> mean, m2, min, max;
  std::vector<std::uint64_t> counts;
};

/// Two passes in double and a histogram by the definition: floor((x − low) / width).
ReferenceSummary reference(const Array& rows, int dim, const HistogramSpec& h) {
  const std::int64_t n = rows.size() / dim;
  ReferenceSummary r;
  r.mean.assign(dim, 0.0);
  r.m2.assign(dim, 0.0);
  r.min.assign(dim, std::numeric_limits<double>::infinity());
  r.max.assign(dim, -std::numeric_limits<double>::infinity());
  r.counts.assign(static_cast<std::size_t>(dim) * (h.bins + 2), 0);
  for (std::int64_t i = 0; i < n; ++i) {
    for (int j = 0; j < dim; ++j) {
      const double x = rows[i * dim + j];
      r.mean[j] += x;
      r.min[j] = std::min(r.min[j], x);
      r.max[j] = std::max(r.max[j], x);
      const double position = (x - h.low) * (h.bins / (h.high - h.low));
      const int slot = position < 0 ? 0 : position >= h.bins ? h.bins + 1 : int(position) + 1;
      ++r.counts[static_cast<std::size_t>(j) * (h.bins + 2) + slot];
    }
  }
  for (int j = 0; j < dim; ++j) r.mean[j] /= static_cast<double>(n);
  for (std::int64_t i = 0; i < n; ++i) {
    for (int j = 0; j < dim; ++j) r.m2[j] += std::pow(rows[i * dim + j] - r.mean[j], 2);
  }
  return r;
}

void expect_close(const std::vector<double>& a, const std::vector<double>& b, double relative,
                  const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t j = 0; j < a.size(); ++j) {
    EXPECT_NEAR(a[j], b[j], relative * std::max(1.0, std::abs(b[j]))) << what << "[" << j << "]";
  }
}

/// Counts, extremes and histograms exactly; means and M2 to double rounding.
void expect_same_summary(const SampleSummary& a, const SampleSummary& b) {
  EXPECT_EQ(a.dim, b.dim);
  EXPECT_EQ(a.count, b.count);
  EXPECT_EQ(a.min, b.min);
  EXPECT_EQ(a.max, b.max);
  EXPECT_EQ(a.counts, b.counts);
  expect_close(a.mean, b.mean, kDoubleRounding, "mean");
  expect_close(a.m2, b.m2, kDoubleRounding, "m2");
}

const HistogramSpec kBins{40, -10.0, 10.0};

TEST(Summary, EqualsTwoPassMomentsAndDirectHistogram) {
  const Array rows = mixture_rows(100003, 5);  // not a multiple of the block size
  const SampleSummary s = summarize(rows, kBins);
  const ReferenceSummary r = reference(rows, 3, kBins);
  EXPECT_EQ(s.count, 100003);
  EXPECT_EQ(s.counts, r.counts);
  EXPECT_EQ(s.min, r.min);
  EXPECT_EQ(s.max, r.max);
  expect_close(s.mean, r.mean, kDoubleRounding, "mean");
  expect_close(s.m2, r.m2, kDoubleRounding, "m2");
  // Coordinate 2 lies near 100, above the range: everything in the overflow slot.
  EXPECT_EQ(s.histogram_of(2)[kBins.bins + 1], 100003u);
  const std::vector<double> variance = s.variance();
  EXPECT_NEAR(variance[0], r.m2[0] / 100002.0, 1e-12 * variance[0]);
}

TEST(Summary, MergingPartsEqualsTheWhole) {
  const Array rows = mixture_rows(50000, 6);
  SampleSummary merged = empty_summary(3, kBins);
  for (auto [begin, end] : {std::pair<std::int64_t, std::int64_t>{0, 1}, {1, 18}, {18, 30001},
                            {30001, 50000}}) {
    const Array part({end - begin, 3}, std::vector<float>(rows.data() + begin * 3,
                                                          rows.data() + end * 3));
    merged.merge(summarize(part, kBins));
  }
  expect_same_summary(merged, summarize(rows, kBins));
}

TEST(Summary, DoesNotDependOnTheThreadCount) {
  const Array rows = mixture_rows(70000, 7);
  const SampleSummary one = [&] {
    const testing::ThreadCount threads(1);
    return summarize(rows, kBins);
  }();
  const SampleSummary many = [&] {
    const testing::ThreadCount threads(std::max(2, omp_get_max_threads()));
    return summarize(rows, kBins);
  }();
  EXPECT_EQ(one.mean, many.mean);  // bit for bit
  EXPECT_EQ(one.m2, many.m2);
  EXPECT_EQ(one.counts, many.counts);
}

TEST(Summary, TakesVectorsAndTrajectoriesAsRows) {
  const Array rows = mixture_rows(600, 8);
  const Array trajectory({100, 6, 3}, rows.values());
  expect_same_summary(summarize(trajectory, kBins), summarize(rows, kBins));
  const Array column({600}, std::vector<float>(rows.data(), rows.data() + 600));
  const SampleSummary s = summarize(column);
  EXPECT_EQ(s.dim, 1);
  EXPECT_EQ(s.count, 600);
  EXPECT_TRUE(s.counts.empty());
}

TEST(Summary, RefusesNonFiniteValuesAndBadHistograms) {
  Array rows = mixture_rows(100, 9);
  rows[3 * 41 + 2] = std::numeric_limits<float>::quiet_NaN();
  try {
    summarize(rows);
    FAIL() << "a NaN was summarised";
  } catch (const InvalidInput& error) {
    EXPECT_NE(std::string(error.what()).find("samples[41, 2]"), std::string::npos) << error.what();
  }
  EXPECT_THROW(summarize(mixture_rows(10, 1), {-3, 0.0, 1.0}), InvalidInput);
  EXPECT_THROW(summarize(mixture_rows(10, 1), {10, 1.0, 1.0}), InvalidInput);
  EXPECT_THROW(summarize(mixture_rows(10, 1), {10, 0.0, INFINITY}), InvalidInput);
  EXPECT_THROW(summarize(Array({0, 3})), InvalidInput);
  SampleSummary a = summarize(mixture_rows(10, 1), kBins);
  EXPECT_THROW(a.merge(summarize(mixture_rows(10, 1))), InvalidInput);
}

TEST(Summary, JsonHasTheFieldsAndNullForUndefinedVariance) {
  const std::string json = to_json(summarize(Array({1, 1}, {2.5f}), {4, 0.0, 4.0}));
  EXPECT_NE(json.find("\"variance\":[null]"), std::string::npos) << json;
  EXPECT_NE(json.find("\"counts\":[[0,0,1,0]]"), std::string::npos) << json;
  EXPECT_NE(json.find("\"mean\":[2.5]"), std::string::npos) << json;
}

SamplerConfig chunked_config(Backend backend) {
  SamplerConfig config;
  config.chains = 10000;
  config.steps = 30;
  config.epsilon = 0.02;
  config.seed = 3;
  config.first_chain = 11;
  config.backend = backend;
  return config;
}

const GaussianMixture kPlanar({0.4, 0.6}, {{-2.0, 1.0}, {2.0, -1.0}}, {{1.0, 0.7}, {0.8, 1.2}});

TEST(SampleSummary, ChunkedRunSummarisesTheChainsOfOneRun) {
  SamplerConfig config = chunked_config(Backend::Cpu);
  SummaryOptions options;
  options.histogram = kBins;
  options.chunk_chains = 1234;  // 9 chunks, the last short
  std::vector<std::int64_t> progress;
  config.on_progress = [&](std::int64_t done, std::int64_t total) {
    EXPECT_EQ(total, 10000);
    progress.push_back(done);
  };
  const SampleSummary chunked = sample_summary(kPlanar, config, options);
  config.on_progress = nullptr;
  expect_same_summary(chunked, summarize(sample(kPlanar, config), kBins));
  ASSERT_FALSE(progress.empty());
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
  EXPECT_EQ(progress.back(), 10000);

  // Trajectories (burn-in, thinning) and given initial states, sliced per chunk.
  config.keep = Keep::Trajectory;
  config.burn_in = 10;
  config.thin = 3;
  config.init_states = draw(kPlanar, config.chains, 99);
  options.chunk_chains = 4001;
  expect_same_summary(sample_summary(kPlanar, config, options),
                      summarize(sample(kPlanar, config), kBins));
}

TEST(SampleSummary, MlpAndAnnealedRunsToo) {
  SamplerConfig config = chunked_config(Backend::Cpu);
  config.chains = 3000;
  const Mlp model = Mlp::random({2, 32, 2}, Activation::Silu, 4);
  SummaryOptions options;
  options.chunk_chains = 1000;
  expect_same_summary(sample_summary(model, config, options), summarize(sample(model, config)));
  config.sigmas = {2.0, 1.0, 0.5};
  config.denoise = true;
  expect_same_summary(sample_summary(kPlanar, config, options),
                      summarize(sample(kPlanar, config)));
}

TEST(SampleSummary, GaussianTargetMatchesTheDiscretisedDynamics) {
  // ULA on N(μ, σ²): x' = (1 − a) x + a μ + √(2ε) z with a = ε/σ², whose stationary law is
  // N(μ, σ² / (1 − a/2)). Started at N(μ, σ²), the variance's gap shrinks by (1 − a)² per step:
  // by a factor below 10⁻¹⁹ after 500 steps.
  const double mu = 2.0, sigma = 1.5, epsilon = 0.1;
  const GaussianMixture target({1.0}, {{mu}}, {{sigma}});
  SamplerConfig config;
  config.chains = 400000;
  config.steps = 500;
  config.epsilon = epsilon;
  config.init_mean = mu;
  config.init_std = sigma;
  config.backend = Backend::Cpu;
  SummaryOptions options;
  options.histogram = {24, mu - 4 * sigma, mu + 4 * sigma};
  options.chunk_chains = 150000;
  const SampleSummary s = sample_summary(target, config, options);

  const double a = epsilon / (sigma * sigma);
  const double variance = sigma * sigma / (1.0 - a / 2.0);
  const double n = static_cast<double>(s.count);
  EXPECT_EQ(s.count, 400000);
  // 4.5 standard errors: a false failure has probability below 10⁻⁵ per check.
  EXPECT_NEAR(s.mean[0], mu, 4.5 * std::sqrt(variance / n));
  EXPECT_NEAR(s.variance()[0], variance, 4.5 * variance * std::sqrt(2.0 / (n - 1)));
  const double width = (options.histogram.high - options.histogram.low) / options.histogram.bins;
  const double sd = std::sqrt(variance);
  for (int b = 0; b < options.histogram.bins + 2; ++b) {
    // Slot b holds [edge b−1, edge b), edge k = low + k·width; the outer slots reach infinity.
    const double lo = b == 0 ? -INFINITY : options.histogram.low + (b - 1) * width;
    const double hi = b == options.histogram.bins + 1 ? INFINITY : options.histogram.low + b * width;
    const double p = testing::normal_cdf(hi, mu, sd) - testing::normal_cdf(lo, mu, sd);
    // Binomial standard error of a bin's count; 5 of them over 26 bins: P(false failure) < 10⁻⁵.
    EXPECT_NEAR(static_cast<double>(s.histogram_of(0)[b]), n * p, 5.0 * std::sqrt(n * p * (1 - p)) + 1)
        << "slot " << b;
  }
}

TEST(SampleSummary, RefusesCheckpointingAndNegativeChunks) {
  SamplerConfig config = chunked_config(Backend::Cpu);
  config.checkpoint_every = 5;
  EXPECT_THROW(sample_summary(kPlanar, config), InvalidInput);
  config.checkpoint_every = 0;
  SummaryOptions options;
  options.chunk_chains = -1;
  EXPECT_THROW(sample_summary(kPlanar, config, options), InvalidInput);
  options.chunk_chains = 0;
  options.histogram = {5, 2.0, 1.0};
  EXPECT_THROW(sample_summary(kPlanar, config, options), InvalidInput);
  config.chains = 0;
  EXPECT_THROW(sample_summary(kPlanar, config), InvalidInput);
}

TEST(SampleSummary, DefaultChunksKeepTheOutputWithinTheLimit) {
  SummaryOptions options;
  EXPECT_EQ(summary_chunk_chains(options, Backend::Cpu, 1, 100), 100);
  EXPECT_EQ(summary_chunk_chains(options, Backend::Cpu, 16, std::int64_t{1} << 40),
            (std::int64_t{1} << 26) / 16);
  EXPECT_EQ(summary_chunk_chains(options, Backend::Cuda, 1, std::int64_t{1} << 40),
            std::int64_t{1} << 28);
  EXPECT_EQ(summary_chunk_chains(options, Backend::Cpu, std::int64_t{1} << 30, 5), 1);
  options.chunk_chains = 7;
  EXPECT_EQ(summary_chunk_chains(options, Backend::Cuda, 1, 5), 5);
}

// ---- GPU: the same rows give the same counts; a chunked GPU run = one GPU run --------------

TEST(SummaryGpu, DeviceSummaryOfTheSameRowsMatchesTheCpu) {
  LANGEVIN_REQUIRE_GPU();
  const Array rows = mixture_rows(300001, 10);
  const DeviceBuffer<float> device(rows.data(), static_cast<std::size_t>(rows.size()));
  expect_same_summary(summarize_on_device(device.data(), 300001, 3, kBins),
                      summarize(rows, kBins));
  // Many slots: the kernel counts in global memory instead of shared memory.
  const HistogramSpec fine{5000, -10.0, 10.0};
  expect_same_summary(summarize_on_device(device.data(), 300001, 3, fine), summarize(rows, fine));
  Array bad = rows;
  bad[5] = std::numeric_limits<float>::infinity();
  const DeviceBuffer<float> device_bad(bad.data(), static_cast<std::size_t>(bad.size()));
  EXPECT_THROW(summarize_on_device(device_bad.data(), 300001, 3), InvalidInput);
}

TEST(SampleSummaryGpu, ChunkedGpuRunSummarisesTheChainsOfOneGpuRun) {
  LANGEVIN_REQUIRE_GPU();
  SamplerConfig config = chunked_config(Backend::Cuda);
  SummaryOptions options;
  options.histogram = kBins;
  options.chunk_chains = 3333;
  expect_same_summary(sample_summary(kPlanar, config, options),
                      summarize(sample(kPlanar, config), kBins));
  const Mlp model = Mlp::random({2, 64, 2}, Activation::Relu, 4);
  expect_same_summary(sample_summary(model, config, options),
                      summarize(sample(model, config), kBins));
}

}  // namespace
}  // namespace langevin
