// Running statistics of samples on the CPU (include/langevin/summary.hpp): blocks of rows are
// summarised one by one, each in double, and merged in block order, so that the result does not
// depend on the number of threads.

#include "summary_detail.hpp"
#include "validation.hpp"

#include <langevin/error.hpp>
#include <langevin/summary.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace langevin {

using detail::BinRule;
using detail::Moments;
using detail::require;

void validate(const HistogramSpec& h, const std::string& field) {
  if (h.bins == 0) return;
  require(h.bins >= 1 && h.bins <= 1000000, field + " bins", std::to_string(h.bins),
          "must be in 1 … 1000000 (0: no histogram)");
  require(std::isfinite(h.low) && std::isfinite(h.high) && h.low < h.high, field + " range",
          detail::number_text(h.low) + "," + detail::number_text(h.high),
          "must be finite with low < high");
}

std::vector<double> SampleSummary::variance() const {
  std::vector<double> result(m2.size(), std::numeric_limits<double>::quiet_NaN());
  if (count < 2) return result;
  for (std::size_t j = 0; j < m2.size(); ++j) result[j] = m2[j] / static_cast<double>(count - 1);
  return result;
}

SampleSummary empty_summary(int dim, const HistogramSpec& histogram) {
  validate(histogram);
  SampleSummary s;
  s.dim = dim;
  s.mean.assign(static_cast<std::size_t>(dim), 0.0);
  s.m2.assign(static_cast<std::size_t>(dim), 0.0);
  s.min.assign(static_cast<std::size_t>(dim), std::numeric_limits<double>::infinity());
  s.max.assign(static_cast<std::size_t>(dim), -std::numeric_limits<double>::infinity());
  s.histogram = histogram;
  s.counts.assign(histogram.bins > 0 ? static_cast<std::size_t>(dim) * (histogram.bins + 2) : 0,
                  0);
  return s;
}

void SampleSummary::merge(const SampleSummary& other) {
  if (dim == 0) {
    *this = other;
    return;
  }
  const bool same_histogram = histogram.bins == other.histogram.bins &&
                              histogram.low == other.histogram.low &&
                              histogram.high == other.histogram.high;
  if (other.dim != dim || !same_histogram) {
    throw InvalidInput("summary merge: the summaries differ in dimension (" +
                       std::to_string(dim) + " and " + std::to_string(other.dim) +
                       ") or histogram");
  }
  for (int j = 0; j < dim; ++j) {
    const Moments merged = detail::merge_moments(
        {static_cast<double>(count), mean[j], m2[j], min[j], max[j]},
        {static_cast<double>(other.count), other.mean[j], other.m2[j], other.min[j],
         other.max[j]});
    mean[j] = merged.mean;
    m2[j] = merged.m2;
    min[j] = merged.min;
    max[j] = merged.max;
  }
  count += other.count;
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
}

namespace {

/// Rows per block: small enough to stay in cache for the second pass, large enough that the
/// merges cost nothing.
constexpr std::int64_t kBlockRows = 8192;

/// The exact two-pass summary of rows [begin, end) (mean first, then Σ (x − mean)²).
SampleSummary summarize_block(const float* rows, std::int64_t begin, std::int64_t end, int dim,
                              const HistogramSpec& histogram) {
  SampleSummary s = empty_summary(dim, histogram);
  s.count = end - begin;
  const BinRule rule{histogram.low,
                     histogram.bins > 0 ? histogram.bins / (histogram.high - histogram.low) : 0.0,
                     histogram.bins};
  for (std::int64_t i = begin; i < end; ++i) {
    const float* row = rows + i * dim;
    for (int j = 0; j < dim; ++j) {
      const double x = row[j];
      if (!std::isfinite(x)) {
        throw InvalidInput("samples[" + std::to_string(i) + ", " + std::to_string(j) + "] = " +
                           detail::number_text(x) + ": must be finite");
      }
      s.mean[j] += x;
      s.min[j] = std::min(s.min[j], x);
      s.max[j] = std::max(s.max[j], x);
      if (histogram.bins > 0) ++s.counts[static_cast<std::size_t>(j) * (histogram.bins + 2) +
                                         rule.slot(row[j])];
    }
  }
  for (int j = 0; j < dim; ++j) s.mean[j] /= static_cast<double>(s.count);
  for (std::int64_t i = begin; i < end; ++i) {
    const float* row = rows + i * dim;
    for (int j = 0; j < dim; ++j) {
      const double deviation = row[j] - s.mean[j];
      s.m2[j] += deviation * deviation;
    }
  }
  return s;
}

}  // namespace

SampleSummary summarize(const Array& rows, const HistogramSpec& histogram) {
  validate(histogram);
  require(rows.rank() >= 1 && rows.rank() <= 3 && rows.size() > 0, "samples shape",
          rows.shape_string(), "must be a non-empty (N,), (N, d) or (N, T, d) array");
  const int dim = rows.rank() == 1 ? 1 : static_cast<int>(rows.dim(rows.rank() - 1));
  const std::int64_t count = rows.size() / dim;
  const std::int64_t blocks = (count + kBlockRows - 1) / kBlockRows;
  std::vector<SampleSummary> parts(static_cast<std::size_t>(blocks));
  // An exception may not leave an OpenMP region: the first one is kept and thrown after it.
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic)
  for (std::int64_t b = 0; b < blocks; ++b) {
    try {
      parts[static_cast<std::size_t>(b)] = summarize_block(
          rows.data(), b * kBlockRows, std::min(count, (b + 1) * kBlockRows), dim, histogram);
    } catch (...) {
#pragma omp critical
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  SampleSummary total = empty_summary(dim, histogram);
  for (const SampleSummary& part : parts) total.merge(part);
  return total;
}

std::string to_json(const SampleSummary& s) {
  const std::vector<double> variance = s.variance();
  std::vector<double> std_dev(variance.size());
  for (std::size_t j = 0; j < variance.size(); ++j) std_dev[j] = std::sqrt(variance[j]);
  // JSON has no NaN: a variance of fewer than two rows is null.
  auto numbers = [](const std::vector<double>& values) {
    nlohmann::json list = nlohmann::json::array();
    for (double v : values) list.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json());
    return list;
  };
  nlohmann::json json = {{"count", s.count},   {"dim", s.dim},
                         {"mean", numbers(s.mean)}, {"variance", numbers(variance)},
                         {"std", numbers(std_dev)},   {"min", numbers(s.min)},
                         {"max", numbers(s.max)}};
  if (s.histogram.bins > 0) {
    nlohmann::json below = nlohmann::json::array(), above = nlohmann::json::array(),
                   counts = nlohmann::json::array();
    for (int j = 0; j < s.dim; ++j) {
      const std::uint64_t* slots = s.histogram_of(j);
      below.push_back(slots[0]);
      above.push_back(slots[s.histogram.bins + 1]);
      counts.push_back(std::vector<std::uint64_t>(slots + 1, slots + 1 + s.histogram.bins));
    }
    json["histogram"] = {{"bins", s.histogram.bins},
                         {"low", s.histogram.low},
                         {"high", s.histogram.high},
                         {"below", below},
                         {"above", above},
                         {"counts", counts}};
  }
  return json.dump();
}

}  // namespace langevin
